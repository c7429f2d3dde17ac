/**
 * Label-then-reason answers: a prompt helper asking the classifier for its label followed by one
 * sentence of justification ("signal. Because the leading jet has two-prong substructure ..."),
 * and the parser of such replies. Scoring P(signal) from the label token is the training code's job.
 */
import { parseVerdict } from "./debate/verdict";

export const EXPLAIN_INSTRUCTION =
  "Answer with the label first ('signal' or 'background'), then a full stop, then one sentence starting with 'Because' naming the features that decided it.";

/** Adds the instruction inside the `[INST] ... [/INST]` block when there is one, else at the end. */
export function withExplanation(prompt: string, instruction = EXPLAIN_INSTRUCTION): string {
  const close = prompt.lastIndexOf("[/INST]");
  if (close < 0) return `${prompt.trimEnd()}\n${instruction}`;
  return `${prompt.slice(0, close).trimEnd()}\n${instruction} ${prompt.slice(close)}`;
}

export interface Explained {
  label: "signal" | "background" | null;
  /** The justification sentence, or null when the reply has none. */
  explanation: string | null;
}

export function parseExplained(text: string): Explained {
  const t = text.trim();
  const head = /^[\s"'*`]*(signal|background)\b[\s"'*`]*[.,:;!\-–—]?\s*/i.exec(t);
  let label: Explained["label"] = null;
  let rest = t;
  if (head) {
    label = head[1].toLowerCase() as Explained["label"];
    rest = t.slice(head[0].length);
  } else {
    label = parseVerdict(t).label as Explained["label"];
  }
  // The "because/since ..." sentence, else (after a leading label) the first sentence that follows.
  const because = /\b(?:because|since)\b[\s\S]*?(?:[.!?](?=\s|$)|$)/i.exec(rest);
  let explanation: string | null = because ? because[0] : head && rest ? /^[\s\S]*?(?:[.!?](?=\s|$)|$)/.exec(rest)![0] : null;
  explanation = explanation ? explanation.trim() : null;
  if (explanation) explanation = explanation[0].toUpperCase() + explanation.slice(1);
  return { label, explanation: explanation || null };
}
