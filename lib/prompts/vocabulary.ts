/**
 * hepllm's default tokenizer, built offline: BPE trained on event prompts (from real records, or
 * seeded synthetic ones with realistic ranges) in every prompt variant, with their answers, so the
 * words of the format ("▁P_T=", "▁eta=", "▁signal") become single tokens and digits stay single.
 */
import { EventRecord, JetRecord } from "../jets/record";
import { HfTokenizer } from "../tokenizer/hf-tokenizer";
import { trainTokenizer } from "../tokenizer/train";
import { Rng } from "../util/rng";
import { INSTRUCTION_VARIANTS, PromptOptions, formatPrompt } from "./format";
import { LABEL_TEXT } from "./encode";

/** Seeded plausible events (not physics: only the numbers' ranges and shapes matter here). */
export function* syntheticRecords(n: number, seed: number): Generator<EventRecord> {
  const rng = new Rng(seed);
  for (let id = 0; id < n; id++) {
    const nJets = 1 + rng.int(rng.uniform() < 0.8 ? 2 : 4);
    const jets: JetRecord[] = [];
    for (let j = 0; j < Math.min(nJets, 3); j++) {
      const pt = rng.range(30, 2500) / (j + 1);
      const eta = rng.range(-2.5, 2.5);
      const m = rng.range(5, 700);
      const tau1 = rng.range(0.01, 0.6);
      const tau2 = tau1 * rng.range(0.1, 1);
      const tau3 = tau2 * rng.range(0.2, 1);
      jets.push({
        P_T: pt, eta, phi: rng.range(-Math.PI, Math.PI), E: Math.sqrt((pt * Math.cosh(eta)) ** 2 + m * m), m,
        n_particles: 2 + rng.int(120), P_T_lead: pt * rng.range(0.05, 0.6),
        tau1, tau2, tau3, tau21: tau2 / tau1, tau32: tau3 / tau2, dR: {},
      });
    }
    for (let a = 0; a < jets.length; a++) for (let b = 0; b < jets.length; b++) if (a !== b) jets[a].dR[`jet${b + 1}`] = jets[b].dR[`jet${a + 1}`] ?? rng.range(0.8, 4.5);
    const rec: EventRecord = { id, type: rng.uniform() < 0.5 ? "signal" : "background", n_particles: 20 + rng.int(600), n_jets: nJets, jets };
    if (jets.length >= 2) rec.M_jj = rng.range(100, 7000);
    yield rec;
  }
}

/** Prompt + answer texts for a tokenizer corpus, cycling through the prompt options and instructions. */
export function* promptCorpus(records: Iterable<EventRecord>): Generator<string> {
  const styles: Array<Partial<PromptOptions>> = [{}, { units: true }, { nsubjettiness: true }, { featuresToken: true }, { dR: false }];
  let i = 0;
  for (const rec of records) {
    const style = { ...styles[i % styles.length], instructions: INSTRUCTION_VARIANTS };
    const label = rec.type === "signal" ? LABEL_TEXT.signal : LABEL_TEXT.background;
    yield `${formatPrompt(rec, style, i)}${label}</s>`;
    i++;
  }
}

export interface PromptTokenizerOptions {
  /** Vocabulary size (default 1024: the format's words fit with room to spare). */
  vocabSize?: number;
  /** Records to learn from (default: 3000 synthetic events from `seed`). */
  records?: Iterable<EventRecord>;
  seed?: number;
}

/** The tokenizer hepllm's small models use; deterministic for the same records/seed. */
export function trainPromptTokenizer(opts: PromptTokenizerOptions = {}): HfTokenizer {
  const records = opts.records ?? syntheticRecords(3000, opts.seed ?? 20260101);
  return trainTokenizer(promptCorpus(records), { vocabSize: opts.vocabSize ?? 1024 });
}
