/**
 * A debate transcript on disk: `<base>.json` (the DebateTranscript, for programs) and `<base>.md`
 * (for people), both written atomically.
 */
import { writeFileAtomic } from "../../util/atomic";
import type { DebateTranscript } from "./debate";

function quote(text: string): string {
  return text
    .split(/\r?\n/)
    .map((l) => (l ? `> ${l}` : ">"))
    .join("\n");
}

export function transcriptMarkdown(t: DebateTranscript): string {
  const out: string[] = ["# Debate transcript", ""];
  out.push(`- Started: ${t.started}`, `- Finished: ${t.finished}`, `- Rounds: ${t.rounds}`, `- Labels: ${t.labels.join(", ")}`, "");
  out.push("## Question", "", quote(t.question), "");
  out.push("## Panel", "", "| Name | Role | Model | System prompt |", "|---|---|---|---|");
  const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
  for (const d of t.debaters) out.push(`| ${cell(d.name)} | debater | ${cell(d.model)} | ${cell(d.system)} |`);
  out.push(`| ${cell(t.judge.name)} | judge | ${cell(t.judge.model)} | ${cell(t.judge.system)} |`, "");
  let round = 0;
  for (const turn of t.turns) {
    if (turn.role === "judge") out.push("## Judgement", "");
    else if (turn.round !== round) {
      round = turn.round;
      out.push(`## Round ${round}`, "");
    }
    const tokens = turn.usage ? ` (${turn.usage.prompt_tokens} + ${turn.usage.completion_tokens} tokens)` : "";
    out.push(`### ${turn.speaker} — ${turn.role}${tokens}`, "", quote(turn.content || "(empty reply)"), "");
  }
  out.push("## Verdict", "");
  if (t.error) out.push(`**The debate ended early:** ${t.error}`, "");
  if (!t.verdict) out.push("No verdict.", "");
  else {
    out.push(`**${t.verdict.label ?? "undecided"}**` + (t.verdict.confidence !== null ? ` (confidence ${t.verdict.confidence})` : ""), "");
    if (t.verdict.reasons.length > 0) out.push("Reasons:", "", ...t.verdict.reasons.map((r) => `- ${r}`), "");
    const how = { json: "a JSON object", labelled: "labelled lines (VERDICT: ...)", free_text: "free text", none: "nothing: no clear label" };
    out.push(`_Verdict read from ${how[t.verdict.parsedFrom]} in the judge's reply._`, "");
  }
  return out.join("\n");
}

/** Writes `<base>.json` and `<base>.md`; returns their paths. */
export function saveTranscript(t: DebateTranscript, base: string): { json: string; markdown: string } {
  const stem = base.replace(/\.(json|md)$/, "");
  const json = `${stem}.json`;
  const markdown = `${stem}.md`;
  writeFileAtomic(json, JSON.stringify(t, null, 2) + "\n");
  writeFileAtomic(markdown, transcriptMarkdown(t));
  return { json, markdown };
}
