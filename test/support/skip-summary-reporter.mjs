// A node:test reporter that prints, after the run, how many tests were skipped and why (grouped by
// reason, with the files), so a skip can't pass unnoticed. Used beside the spec reporter by
// scripts/test.sh; with HEPLLM_SKIP_SUMMARY=<file> it also writes the summary there (JSON).
import * as fs from "node:fs";
import * as path from "node:path";

export default async function* skipSummary(source) {
  const byReason = new Map(); // reason -> Set of "file: test name"
  let total = 0;
  for await (const event of source) {
    if ((event.type === "test:pass" || event.type === "test:fail") && event.data.skip !== undefined) {
      total++;
      const reason = typeof event.data.skip === "string" ? event.data.skip : "(no reason given)";
      const file = event.data.file ? path.relative(process.cwd(), event.data.file) : "?";
      if (!byReason.has(reason)) byReason.set(reason, []);
      byReason.get(reason).push(`${file}: ${event.data.name}`);
    }
  }
  const lines = [`\n== skip summary: ${total} test(s) skipped${total ? ` for ${byReason.size} reason(s)` : ""}`];
  for (const [reason, tests] of [...byReason].sort((a, b) => b[1].length - a[1].length)) {
    lines.push(`  ${tests.length} × ${reason}`);
    for (const t of tests.slice(0, 5)) lines.push(`      ${t}`);
    if (tests.length > 5) lines.push(`      ... and ${tests.length - 5} more`);
  }
  if (process.env.HEPLLM_SKIP_SUMMARY) {
    fs.writeFileSync(process.env.HEPLLM_SKIP_SUMMARY, JSON.stringify({ total, reasons: Object.fromEntries([...byReason]) }, null, 1) + "\n");
  }
  yield lines.join("\n") + "\n";
}
