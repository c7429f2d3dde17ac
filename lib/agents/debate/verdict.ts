/**
 * Reads a judge's decision out of its reply, robust to free text. Tried in order:
 *   1. JSON: {"label"|"verdict"|"decision": ..., "reasons": [...]|"...", "confidence": x} (fenced or bare);
 *   2. labelled lines: "VERDICT: signal", "**Decision:** background", then "REASONS:" bullets;
 *   3. free text: the one allowed label that is asserted ("I conclude it is signal", "is likely
 *      background"), ignoring negated mentions ("not signal"); null when ambiguous.
 */

export interface Verdict {
  /** One of the allowed labels, or null when the reply states none clearly. */
  label: string | null;
  reasons: string[];
  /** In [0, 1] when the judge gave one ("0.8" or "80%"). */
  confidence: number | null;
  /** Which rule found the label. */
  parsedFrom: "json" | "labelled" | "free_text" | "none";
  raw: string;
}

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

function matchLabel(word: unknown, labels: string[]): string | null {
  if (typeof word !== "string") return null;
  const w = word.trim().toLowerCase().replace(/^["'*`_]+|["'*`_.,;:!]+$/g, "");
  return labels.find((l) => l.toLowerCase() === w) ?? null;
}

function parseConfidence(x: unknown): number | null {
  if (typeof x === "number") return x > 1 && x <= 100 ? x / 100 : x >= 0 && x <= 1 ? x : null;
  if (typeof x !== "string") return null;
  const m = /^\s*([0-9]*\.?[0-9]+)\s*(%?)/.exec(x);
  if (!m) return null;
  return parseConfidence(m[2] ? Number(m[1]) / 100 : Number(m[1]));
}

function fromJson(text: string, labels: string[]): Verdict | null {
  const candidates: string[] = [];
  for (const m of text.matchAll(/```(?:json)?\s*([\s\S]*?)```/g)) candidates.push(m[1]);
  const first = text.indexOf("{");
  const last = text.lastIndexOf("}");
  if (first >= 0 && last > first) candidates.push(text.slice(first, last + 1));
  for (const c of candidates) {
    let obj: Record<string, unknown>;
    try {
      obj = JSON.parse(c);
    } catch {
      continue;
    }
    if (!obj || typeof obj !== "object") continue;
    const label = matchLabel(obj.label ?? obj.verdict ?? obj.decision ?? obj.answer, labels);
    if (!label) continue;
    const r = obj.reasons ?? obj.reason ?? obj.reasoning;
    const reasons = Array.isArray(r) ? r.map(String) : typeof r === "string" ? [r] : [];
    return { label, reasons, confidence: parseConfidence(obj.confidence), parsedFrom: "json", raw: text };
  }
  return null;
}

/** Bullet or numbered lines, else "because/since" sentences, else every sentence (at most 6). */
function extractReasons(text: string, skip?: RegExp): string[] {
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  const bullets = lines.filter((l) => /^([-*•]|\d+[.)])\s+/.test(l)).map((l) => l.replace(/^([-*•]|\d+[.)])\s+/, "").trim());
  if (bullets.length > 0) return bullets.slice(0, 6);
  const sentences = text
    .replace(/\s+/g, " ")
    .split(/(?<=[.!?])\s+/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0 && !(skip && skip.test(s)));
  const causal = sentences.filter((s) => /\b(because|since|due to|as the|given that)\b/i.test(s));
  return (causal.length > 0 ? causal : sentences).slice(0, 6);
}

const KEY = "(?:final\\s+)?(?:verdict|label|decision|answer|classification|conclusion)";

function fromLabelled(text: string, labels: string[]): Verdict | null {
  const re = new RegExp(`^[\\s#>*_]*${KEY}[*_\\s]*[:=\\-–][*_\\s]*["'\`]?([A-Za-z][\\w-]*)`, "im");
  const m = re.exec(text);
  const label = m ? matchLabel(m[1], labels) : null;
  if (!label) return null;
  const after = text.slice(m!.index + m![0].length);
  const section = /^[\s#*_]*(?:reasons?|reasoning|justification|because)[*_\s]*:?[*_\s]*$|^[\s#*_]*(?:reasons?|reasoning|justification)[*_\s]*:[*_]*/im.exec(after);
  const body = section ? after.slice(section.index + section[0].length) : after;
  const reasons = extractReasons(body.replace(/^[\s#*_]*confidence[*_\s]*[:=].*$/gim, ""));
  const conf = /confidence[*_\s]*[:=][*_\s]*([0-9.]+\s*%?)/i.exec(text);
  return { label, reasons, confidence: conf ? parseConfidence(conf[1]) : null, parsedFrom: "labelled", raw: text };
}

function fromFreeText(text: string, labels: string[]): Verdict | null {
  const alts = labels.map(esc).join("|");
  const negated = new RegExp(`\\b(?:not|n't|no|rather than|instead of|rule out|rules out|ruled out)\\s+(?:an?\\s+|the\\s+)?(?:\\*\\*)?(${alts})\\b`, "gi");
  const cleaned = text.replace(negated, " ");
  const asserted = new RegExp(
    `\\b(?:is|as|be|favou?r|choose|pick|conclude(?:s|d)?(?:\\s+that)?(?:\\s+it\\s+is)?|verdict\\s+is|side\\s+with)\\s+(?:most\\s+)?(?:likely\\s+|probably\\s+|clearly\\s+)?(?:an?\\s+|the\\s+)?(?:\\*\\*)?["']?(${alts})\\b`,
    "gi",
  );
  const hits = [...cleaned.matchAll(asserted)].map((m) => matchLabel(m[1], labels)!);
  let label: string | null = null;
  if (hits.length > 0 && hits.every((h) => h === hits[0])) label = hits[0];
  else if (hits.length > 0) label = hits[hits.length - 1]; // a reply that weighs both usually ends on its choice
  else {
    const mentioned = new Set([...cleaned.matchAll(new RegExp(`\\b(${alts})\\b`, "gi"))].map((m) => matchLabel(m[1], labels)!));
    if (mentioned.size === 1) label = [...mentioned][0];
  }
  if (!label) return null;
  const conf = /confidence[^0-9]{0,20}([0-9.]+\s*%?)/i.exec(text);
  return { label, reasons: extractReasons(text), confidence: conf ? parseConfidence(conf[1]) : null, parsedFrom: "free_text", raw: text };
}

export function parseVerdict(text: string, labels: string[] = ["signal", "background"]): Verdict {
  return (
    fromJson(text, labels) ??
    fromLabelled(text, labels) ??
    fromFreeText(text, labels) ?? { label: null, reasons: extractReasons(text), confidence: null, parsedFrom: "none", raw: text }
  );
}

/** The instruction appended to the judge's prompt so the first two rules usually apply. */
export function verdictFormat(labels: string[]): string {
  return [
    "Reply in exactly this format:",
    `VERDICT: <one of: ${labels.join(", ")}>`,
    "CONFIDENCE: <a number between 0 and 1>",
    "REASONS:",
    "- <reason 1>",
    "- <reason 2>",
  ].join("\n");
}
