/**
 * What an arm sees in its prompt text, for the report's "what each arm saw" (the fair ablation:
 * the text-only arm's prompt should carry what the fusion vector carries). Names are the prompt's
 * own keys; per-jet quantities are prefixed "jet ", units in brackets.
 */
import type { EventRecord } from "../jets/record";
import { DEFAULT_PROMPT, PromptOptions } from "./format";

/** Suffix of a field that some records lack (it is printed only where the record has it). */
export const WHEN_PRESENT = " (where the record has it)";

/**
 * The numbers formatPrompt prints with these options, in prompt order. With `records`, the
 * optional fields are listed only if some record has them, and marked WHEN_PRESENT only if some
 * other record lacks them; without `records`, every optional field is listed with the mark.
 * M_jj (absent with fewer than two jets) and dR (absent for a single jet) are listed plainly.
 */
export function describePromptFields(opts: Partial<PromptOptions> = {}, records?: Iterable<EventRecord>): string[] {
  const o: PromptOptions = { ...DEFAULT_PROMPT, ...opts };
  const unit = " [GeV]"; // the unit of the number, whether or not `units` prints it
  const seen = records === undefined ? undefined : census(records);
  const optional = (name: string, key: keyof Census): string[] => {
    if (!seen) return [name + WHEN_PRESENT];
    const { with: w, without } = seen[key];
    return w === 0 ? [] : without === 0 ? [name] : [name + WHEN_PRESENT];
  };
  const out = [`jet P_T${unit}`, "jet eta", "jet phi", `jet E${unit}`, `jet m${unit}`];
  out.push(...optional("jet n_particles", "jetN"), ...optional(`jet P_T_lead${unit}`, "jetLead"));
  if (o.nsubjettiness) out.push("jet tau21", "jet tau32");
  if (o.dR) out.push("jet dR to each other jet");
  out.push(...optional("event n_particles", "eventN"), `M_jj${unit}`);
  return out;
}

interface Count {
  with: number;
  without: number;
}
interface Census {
  jetN: Count;
  jetLead: Count;
  eventN: Count;
}

function census(records: Iterable<EventRecord>): Census {
  const c: Census = { jetN: { with: 0, without: 0 }, jetLead: { with: 0, without: 0 }, eventN: { with: 0, without: 0 } };
  const add = (k: Count, x: unknown): void => {
    if (x === undefined || x === null) k.without++;
    else k.with++;
  };
  for (const r of records) {
    add(c.eventN, r.n_particles);
    for (const j of r.jets) {
      add(c.jetN, j.n_particles);
      add(c.jetLead, j.P_T_lead);
    }
  }
  return c;
}
