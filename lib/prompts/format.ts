/**
 * The study's prompt text for one event, reproduced exactly by default:
 *
 *   [INST] Classify this event as 'signal' or 'background'
 *   jets:
 *       Jet 1: P_T=1583.80, eta=-0.19, phi=0.24, E=1676.01, m=461.57, n_particles=61, P_T_lead=323.76
 *         dR_2: 2.95
 *       Jet 2: ...
 *         dR_1: 2.95
 *   n_particles: 143
 *   M_jj: 566.61
 *   [/INST]
 *
 * `Jet k:` lines are indented 4 spaces, `dR_j:` lines 6 (one per other kept jet, in order);
 * numbers are printed with `decimals` places as Python's f"{x:.2f}" does (see decimal.ts), counts as integers; the M_jj line is omitted when
 * the event has fewer than two jets. Fields a record lacks (records from a jet-feature table have
 * no jet `n_particles=`/`P_T_lead=` and no `n_particles:` line) are left out, never printed as 0:
 *
 *       Jet 1: P_T=1334.88, eta=-0.33, phi=-3.13, E=1410.46, m=28.82
 *
 * Full records print exactly the study's text. Options add units, N-subjettiness, instruction variants and
 * the fusion adapter's `<JET_FEATURES>` placeholder (on its own line after the instruction).
 */
import { EventRecord, JetRecord } from "../jets/record";
import { END_INST_TOKEN, FEATURES_TOKEN, INST_TOKEN } from "../tokenizer/types";
import { pyFixed } from "./decimal";

export interface PromptOptions {
  /** Decimal places of every real number (the study: 2). */
  decimals: number;
  /** Append " GeV" to momenta, energies and masses (the study: off). */
  units: boolean;
  /** Append each jet's tau21 and tau32 (the study: off; on for the fair ablation: the fusion vector has them). */
  nsubjettiness: boolean;
  /** Print the dR_k lines (the study: on). */
  dR: boolean;
  /** Instruction lines; `variant` picks one (index mod length). The study used only the first. */
  instructions: string[];
  /** Put the `<JET_FEATURES>` placeholder after the instruction (fusion adapter's "token" mode). */
  featuresToken: boolean;
}

export const STUDY_INSTRUCTION = "Classify this event as 'signal' or 'background'";

/** Paraphrases for instruction augmentation (pass as `instructions` to use them). */
export const INSTRUCTION_VARIANTS: string[] = [
  STUDY_INSTRUCTION,
  "Is this collision event 'signal' or 'background'?",
  "Label the following LHC event as 'signal' or 'background'",
  "Decide whether this event is 'signal' or 'background'",
  "Given the jets below, answer 'signal' or 'background'",
];

export const DEFAULT_PROMPT: PromptOptions = {
  decimals: 2,
  units: false,
  nsubjettiness: false,
  dR: true,
  instructions: [STUDY_INSTRUCTION],
  featuresToken: false,
};

/** The prompt text of one event (from `[INST]` to `[/INST]`, no BOS, no answer). */
export function formatPrompt(rec: EventRecord, opts: Partial<PromptOptions> = {}, variant = 0): string {
  const o: PromptOptions = { ...DEFAULT_PROMPT, ...opts };
  if (o.instructions.length === 0) throw new Error("formatPrompt: instructions must not be empty");
  if (!Number.isInteger(o.decimals) || o.decimals < 0 || o.decimals > 20) throw new Error(`formatPrompt: decimals must be an integer in [0, 20], got ${o.decimals}`);
  const num = (x: number, field: string): string => {
    if (typeof x !== "number" || !Number.isFinite(x)) throw new Error(`event ${rec.id}: ${field} is not a finite number (${JSON.stringify(x)})`);
    return pyFixed(x, o.decimals);
  };
  const gev = (x: number, field: string): string => (o.units ? `${num(x, field)} GeV` : num(x, field));
  const count = (x: number, field: string): string => {
    if (!Number.isInteger(x)) throw new Error(`event ${rec.id}: ${field} must be an integer, got ${JSON.stringify(x)}`);
    return String(x);
  };
  const instruction = o.instructions[((variant % o.instructions.length) + o.instructions.length) % o.instructions.length];
  const lines = [`${INST_TOKEN} ${instruction}`];
  if (o.featuresToken) lines.push(FEATURES_TOKEN);
  lines.push("jets:");
  rec.jets.forEach((j: JetRecord, i) => {
    const f = `jets[${i}]`;
    let line =
      `    Jet ${i + 1}: P_T=${gev(j.P_T, `${f}.P_T`)}, eta=${num(j.eta, `${f}.eta`)}, phi=${num(j.phi, `${f}.phi`)}, ` +
      `E=${gev(j.E, `${f}.E`)}, m=${gev(j.m, `${f}.m`)}`;
    // Absent fields (records from a jet-feature table) are left out, never printed as 0.
    if (present(j.n_particles)) line += `, n_particles=${count(j.n_particles, `${f}.n_particles`)}`;
    if (present(j.P_T_lead)) line += `, P_T_lead=${gev(j.P_T_lead, `${f}.P_T_lead`)}`;
    if (o.nsubjettiness) line += `, tau21=${num(j.tau21, `${f}.tau21`)}, tau32=${num(j.tau32, `${f}.tau32`)}`;
    lines.push(line);
    if (o.dR) {
      rec.jets.forEach((_, k) => {
        if (k === i) return;
        const v = j.dR?.[`jet${k + 1}`];
        if (v !== undefined) lines.push(`      dR_${k + 1}: ${num(v, `${f}.dR.jet${k + 1}`)}`);
      });
    }
  });
  if (present(rec.n_particles)) lines.push(`n_particles: ${count(rec.n_particles, "n_particles")}`);
  if (rec.M_jj !== undefined && rec.M_jj !== null) lines.push(`M_jj: ${gev(rec.M_jj, "M_jj")}`);
  lines.push(END_INST_TOKEN);
  return lines.join("\n");
}

/** Whether an optional record field is there (JSON may carry null for absent; treat it alike). */
function present(x: number | undefined | null): x is number {
  return x !== undefined && x !== null;
}
