/**
 * The question a panel debates about one event: its jet features (truth label withheld) and the
 * two hypotheses of the LHCO 2020 R&D signal.
 */
import type { EventRecord } from "../../jets/record";

const round = (x: number) => Math.round(x * 1000) / 1000;

export function eventQuestion(rec: EventRecord): string {
  const particles = rec.n_particles !== undefined ? `${rec.n_particles} particles, ` : "";
  const lines = [`Event ${rec.id}: ${particles}${rec.n_jets} jets (anti-kt R = 1.0, pT > 20 GeV).`];
  if (rec.M_jj !== undefined) lines.push(`Dijet invariant mass M_jj = ${round(rec.M_jj)} GeV.`);
  rec.jets.forEach((j, i) => {
    lines.push(
      `Jet ${i + 1}: pT = ${round(j.P_T)} GeV, eta = ${round(j.eta)}, phi = ${round(j.phi)}, m = ${round(j.m)} GeV, ` +
        `${j.n_particles !== undefined ? `${j.n_particles} constituents, ` : ""}tau21 = ${round(j.tau21)}, tau32 = ${round(j.tau32)}.`,
    );
  });
  lines.push(
    "Is this event signal (a heavy resonance W' -> X Y with X -> qq and Y -> qq, giving two massive two-prong jets) or QCD dijet background?",
  );
  return lines.join("\n");
}
