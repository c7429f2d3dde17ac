/**
 * Optional model-based categoriser: for an iteration the rules could only call "other", asks a
 * model to pick one of the known categories from the program's stderr and the validation report.
 * An unusable answer keeps "other".
 */
import type { OpenAIClient } from "../agents/openai/client";
import { CategorisedError, ERROR_CATEGORIES, ErrorCategory } from "./errors";

export interface Categoriser {
  client: OpenAIClient;
  model: string;
}

export async function categoriseWithModel(c: Categoriser, evidence: string, fallback: CategorisedError): Promise<CategorisedError & { tokens: number }> {
  const list = ERROR_CATEGORIES.filter((x) => x !== "other").join(", ");
  try {
    const res = await c.client.chat({
      model: c.model,
      temperature: 0,
      max_tokens: 60,
      messages: [
        { role: "system", content: `Classify why a generated analysis program failed. Answer with one line: <category>: <short reason>. Categories: ${list}, other.` },
        { role: "user", content: evidence.slice(0, 6000) },
      ],
    });
    const text = (res.choices[0]?.message.content ?? "").trim();
    const m = /^\s*([a-z_]+)\s*[:\-]?\s*(.*)$/.exec(text);
    const cat = m?.[1] as ErrorCategory | undefined;
    const tokens = res.usage?.total_tokens ?? 0;
    if (cat && ERROR_CATEGORIES.includes(cat)) return { category: cat, description: (m![2] || fallback.description).slice(0, 200), tokens };
    return { ...fallback, tokens };
  } catch {
    return { ...fallback, tokens: 0 };
  }
}
