/** The study's prompt text, pinned to hand-written strings. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { EventRecord, JetRecord } from "../../lib/jets/record";
import { DEFAULT_PROMPT, INSTRUCTION_VARIANTS, formatPrompt } from "../../lib/prompts/format";
import { WHEN_PRESENT, describePromptFields } from "../../lib/prompts/fields";

function jet(P_T: number, eta: number, phi: number, E: number, m: number, n: number, lead: number, dR: Record<string, number>): JetRecord {
  return { P_T, eta, phi, E, m, n_particles: n, P_T_lead: lead, tau1: 0.3, tau2: 0.15, tau3: 0.1, tau21: 0.5, tau32: 0.6666, dR };
}

const TWO_JETS: EventRecord = {
  id: 17,
  type: "signal",
  n_particles: 143,
  n_jets: 2,
  M_jj: 566.614,
  jets: [jet(1583.8, -0.1912, 0.2449, 1676.0123, 461.5678, 61, 323.7649, { jet2: 2.9512 }), jet(1201.005, 1.5, -3.0001, 1905.5, 98.996, 40, 100, { jet1: 2.9512 })],
};

test("the study's format, exactly", () => {
  const expected = [
    "[INST] Classify this event as 'signal' or 'background'",
    "jets:",
    "    Jet 1: P_T=1583.80, eta=-0.19, phi=0.24, E=1676.01, m=461.57, n_particles=61, P_T_lead=323.76",
    "      dR_2: 2.95",
    "    Jet 2: P_T=1201.01, eta=1.50, phi=-3.00, E=1905.50, m=99.00, n_particles=40, P_T_lead=100.00",
    "      dR_1: 2.95",
    "n_particles: 143",
    "M_jj: 566.61",
    "[/INST]",
  ].join("\n");
  assert.equal(formatPrompt(TWO_JETS), expected);
  assert.equal(formatPrompt(TWO_JETS, DEFAULT_PROMPT), expected);
});

test("one jet: no dR lines, no M_jj line (and Python's round-half-even: 90.125 -> 90.12)", () => {
  const rec: EventRecord = { id: 3, type: "background", n_particles: 12, n_jets: 1, jets: [jet(250, 0.004, -0.005, 260.5, 20, 7, 90.125, {})] };
  assert.equal(
    formatPrompt(rec),
    "[INST] Classify this event as 'signal' or 'background'\njets:\n    Jet 1: P_T=250.00, eta=0.00, phi=-0.01, E=260.50, m=20.00, n_particles=7, P_T_lead=90.12\nn_particles: 12\n[/INST]",
  );
});

test("three jets: one dR line per other jet, in jet order", () => {
  const rec: EventRecord = {
    id: 4, type: "unknown", n_particles: 300, n_jets: 5, M_jj: 1000,
    jets: [jet(3, 0, 0, 3, 0, 1, 3, { jet2: 1, jet3: 2 }), jet(2, 0, 0, 2, 0, 1, 2, { jet1: 1, jet3: 3 }), jet(1, 0, 0, 1, 0, 1, 1, { jet1: 2, jet2: 3 })],
  };
  const dr = formatPrompt(rec).split("\n").filter((l) => l.includes("dR_"));
  assert.deepEqual(dr, ["      dR_2: 1.00", "      dR_3: 2.00", "      dR_1: 1.00", "      dR_3: 3.00", "      dR_1: 2.00", "      dR_2: 3.00"]);
});

test("options: units, N-subjettiness, no dR, decimals, instruction variant, features token", () => {
  const text = formatPrompt(TWO_JETS, { units: true, nsubjettiness: true, dR: false, decimals: 1, instructions: INSTRUCTION_VARIANTS, featuresToken: true }, 6);
  assert.equal(
    text,
    [
      `[INST] ${INSTRUCTION_VARIANTS[1]}`,
      "<JET_FEATURES>",
      "jets:",
      "    Jet 1: P_T=1583.8 GeV, eta=-0.2, phi=0.2, E=1676.0 GeV, m=461.6 GeV, n_particles=61, P_T_lead=323.8 GeV, tau21=0.5, tau32=0.7",
      "    Jet 2: P_T=1201.0 GeV, eta=1.5, phi=-3.0, E=1905.5 GeV, m=99.0 GeV, n_particles=40, P_T_lead=100.0 GeV, tau21=0.5, tau32=0.7",
      "n_particles: 143",
      "M_jj: 566.6 GeV",
      "[/INST]",
    ].join("\n"),
  );
  assert.match(formatPrompt(TWO_JETS, { decimals: 0 }), /P_T=1584, eta=-0, phi=0, E=1676/);
});

test("bad records are reported with the event id and field", () => {
  const bad = { ...TWO_JETS, jets: [{ ...TWO_JETS.jets[0], eta: Number.NaN }] };
  assert.throws(() => formatPrompt(bad), /event 17: jets\[0\]\.eta is not a finite number/);
  assert.throws(() => formatPrompt({ ...TWO_JETS, n_particles: 1.5 }), /event 17: n_particles must be an integer/);
  assert.throws(() => formatPrompt(TWO_JETS, { instructions: [] }), /instructions must not be empty/);
});

/** A record as a jet-feature table gives it: no constituent counts, no leading-constituent pT. */
const TABLE: EventRecord = {
  id: 5,
  type: "background",
  n_jets: 2,
  M_jj: 2755.9,
  jets: TWO_JETS.jets.map(({ n_particles: _n, P_T_lead: _l, ...j }) => j),
};

test("absent fields are left out of the text (no n_particles=, P_T_lead=, n_particles: line)", () => {
  assert.equal(
    formatPrompt(TABLE),
    [
      "[INST] Classify this event as 'signal' or 'background'",
      "jets:",
      "    Jet 1: P_T=1583.80, eta=-0.19, phi=0.24, E=1676.01, m=461.57",
      "      dR_2: 2.95",
      "    Jet 2: P_T=1201.01, eta=1.50, phi=-3.00, E=1905.50, m=99.00",
      "      dR_1: 2.95",
      "M_jj: 2755.90",
      "[/INST]",
    ].join("\n"),
  );
  // The fair ablation's prompt: tau21/tau32 follow m directly.
  assert.equal(
    formatPrompt(TABLE, { nsubjettiness: true, dR: false }).split("\n")[2],
    "    Jet 1: P_T=1583.80, eta=-0.19, phi=0.24, E=1676.01, m=461.57, tau21=0.50, tau32=0.67",
  );
  // Mixed: one jet (so no dR line) with P_T_lead only; null (hand-written JSON) is absent too.
  const mixed = { ...TABLE, n_particles: null, jets: [{ ...TABLE.jets[0], P_T_lead: 12.345 }] } as unknown as EventRecord;
  assert.deepEqual(formatPrompt(mixed).split("\n").slice(2), [
    "    Jet 1: P_T=1583.80, eta=-0.19, phi=0.24, E=1676.01, m=461.57, P_T_lead=12.35",
    "M_jj: 2755.90",
    "[/INST]",
  ]);
  // Present fields are still checked.
  assert.throws(() => formatPrompt({ ...TABLE, jets: [{ ...TABLE.jets[0], n_particles: 2.5 }] }), /event 5: jets\[0\]\.n_particles must be an integer/);
});

test("describePromptFields lists what the text carries", () => {
  assert.deepEqual(describePromptFields({}), [
    "jet P_T [GeV]", "jet eta", "jet phi", "jet E [GeV]", "jet m [GeV]",
    `jet n_particles${WHEN_PRESENT}`, `jet P_T_lead [GeV]${WHEN_PRESENT}`,
    "jet dR to each other jet", `event n_particles${WHEN_PRESENT}`, "M_jj [GeV]",
  ]);
  assert.deepEqual(describePromptFields({ nsubjettiness: true, dR: false }, [TABLE]), [
    "jet P_T [GeV]", "jet eta", "jet phi", "jet E [GeV]", "jet m [GeV]", "jet tau21", "jet tau32", "M_jj [GeV]",
  ]);
  assert.deepEqual(describePromptFields({}, [TWO_JETS]), [
    "jet P_T [GeV]", "jet eta", "jet phi", "jet E [GeV]", "jet m [GeV]", "jet n_particles", "jet P_T_lead [GeV]",
    "jet dR to each other jet", "event n_particles", "M_jj [GeV]",
  ]);
  const both = describePromptFields({}, [TWO_JETS, TABLE]);
  assert.ok(both.includes(`jet n_particles${WHEN_PRESENT}`) && both.includes(`event n_particles${WHEN_PRESENT}`));
});
