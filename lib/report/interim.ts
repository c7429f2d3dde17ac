/**
 * The interim report, regenerated from run logs alone: the results table (the study's columns +
 * AUC and max SIC), ROC and SIC curves per dataset with every run overlaid, score histograms and
 * confusion matrices per run and dataset, loss curves, and a short text — written as
 * `<dir>/interim-report.md` and `.html`, listing every exported file. Notebook 05 and
 * `hepllm demo` call this.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { EvalLogEntry, readRunLog, readScores } from "../metrics";
import { writeFileAtomic } from "../util/atomic";
import { confusionSpec } from "./confusion";
import { exportFigure } from "./export";
import { escapeHTML } from "./html";
import { scoreHistogramSpec } from "./histogram";
import { lossCurveSpec } from "./loss";
import { manifestMarkdown, recordExports } from "./manifest";
import { resultsTable, writeResultsTable } from "./results";
import { rocSpec, ScoredSample } from "./roc";
import { sicSpec } from "./sic";
import { formatCell, tableHTML, tableMarkdown } from "./table";

export interface InterimReport {
  /** Path of interim-report.md. */
  markdown: string;
  html: string;
  /** Rows of the results table. */
  rows: number;
  /** The results table as Markdown. */
  table: string;
  /** Files exported (figures and tables, all formats). */
  files: number;
}

const slug = (s: string): string => s.replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, "").toLowerCase();

/** The newest evaluation of each run on each dataset, with its per-event scores loaded. */
function finalSamples(runDirs: string[]): Map<string, Array<ScoredSample & { entry: EvalLogEntry }>> {
  const byDataset = new Map<string, Array<ScoredSample & { entry: EvalLogEntry }>>();
  for (const dir of runDirs) {
    const latest = new Map<string, EvalLogEntry>();
    for (const e of readRunLog(dir)) {
      if (e.kind === "eval" && (!latest.has(e.dataset) || latest.get(e.dataset)!.step <= e.step)) latest.set(e.dataset, e);
    }
    for (const [dataset, e] of latest) {
      const file = e.scoresFile ? path.join(dir, e.scoresFile) : "";
      if (!file || !fs.existsSync(file)) continue;
      const s = readScores(file);
      if (!byDataset.has(dataset)) byDataset.set(dataset, []);
      byDataset.get(dataset)!.push({ name: `${e.run} (${e.numericInput})`, labels: s.labels, scores: s.scores, entry: e });
    }
  }
  return byDataset;
}

export async function writeInterimReport(runDirs: string[], dir: string, opts: { title?: string; notes?: string } = {}): Promise<InterimReport> {
  fs.mkdirSync(dir, { recursive: true });
  const table = writeResultsTable(runDirs, path.join(dir, "results-table"));
  const t = resultsTable(runDirs);
  const sections: string[] = [];
  const samples = finalSamples(runDirs);
  for (const [dataset, list] of samples) {
    const d = slug(dataset);
    const figs: string[] = [];
    await exportFigure(rocSpec(list, { title: `ROC curves — ${dataset}` }), dir, `roc-curves-${d}`);
    figs.push(`roc-curves-${d}`);
    await exportFigure(sicSpec(list, { title: `Significance improvement — ${dataset}` }), dir, `sic-curves-${d}`);
    figs.push(`sic-curves-${d}`);
    for (const s of list) {
      const r = slug(s.entry.run);
      await exportFigure(scoreHistogramSpec(s, { title: `P(signal) by class — ${s.name}, ${dataset}` }), dir, `score-histogram-${r}-${d}`);
      await exportFigure(confusionSpec(s.entry.metrics.confusion, { title: `Confusion matrix — ${s.name}, ${dataset}` }), dir, `confusion-matrix-${r}-${d}`);
      figs.push(`score-histogram-${r}-${d}`, `confusion-matrix-${r}-${d}`);
    }
    sections.push(`### ${dataset}\n\n${figs.map((f) => `![${f}](${f}.svg)`).join("\n")}\n`);
  }
  const lossFigs: string[] = [];
  for (const runDir of runDirs) {
    const log = readRunLog(runDir);
    if (!log.some((e) => e.kind === "train")) continue;
    const name = `loss-curve-${slug(path.basename(runDir))}`;
    await exportFigure(lossCurveSpec(log, { title: `Training loss — ${path.basename(runDir)}` }), dir, name);
    lossFigs.push(`![${name}](${name}.svg)`);
  }
  const best = [...t.rows].sort((a, b) => Number(b.AUC) - Number(a.AUC))[0];
  const text = [
    `# ${opts.title ?? "Interim report: an LLM reads collider events"}`,
    "",
    `Generated ${new Date().toISOString()} from ${runDirs.length} run log(s): ${runDirs.map((r) => `\`${r}\``).join(", ")}.`,
    "",
    "The classifier's output is P(signal) from the likelihoods of the two answers, so every checkpoint has ROC and",
    "significance-improvement curves, not only an accuracy. The MLP baseline reads the same feature vectors as the fusion",
    "adapter and is trained by the same loop. Max SIC counts only cuts keeping at least 50 background events.",
    best ? `\nBest AUC: **${formatCell(best.AUC as number, 3)}** (${best.Run}, numeric input ${best["Numeric Input"]}, ${best.Dataset}).` : "",
    opts.notes ? `\n${opts.notes}` : "",
    "",
    "## Results",
    "",
    tableMarkdown(t, 3),
    "",
    "## Figures",
    "",
    ...sections,
    lossFigs.length ? `### Training\n\n${lossFigs.join("\n")}\n` : "",
    "## Files",
    "",
    manifestMarkdown(dir),
    "",
  ].join("\n");
  const md = path.join(dir, "interim-report.md");
  writeFileAtomic(md, text);
  const html = path.join(dir, "interim-report.html");
  const title = opts.title ?? "Interim report: an LLM reads collider events";
  const figHtml = text
    .split("\n")
    .filter((l) => l.startsWith("!["))
    .map((l) => l.replace(/!\[([^\]]*)\]\(([^)]+)\)/, '<figure><img src="$2" alt="$1"></figure>'))
    .join("\n");
  writeFileAtomic(
    html,
    `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHTML(title)}</title>` +
      `<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 6px}img{max-width:520px}</style></head><body>` +
      `<h1>${escapeHTML(title)}</h1><p>Generated ${new Date().toISOString()}.</p>` +
      `<h2>Results</h2>${tableHTML(t, { digits: 3 })}<h2>Figures</h2>${figHtml}</body></html>\n`,
  );
  recordExports(dir, [
    { file: "interim-report.md", name: "interim-report", kind: "table", format: "md", title: "Interim report" },
    { file: "interim-report.html", name: "interim-report", kind: "table", format: "html", title: "Interim report" },
  ]);
  const files = JSON.parse(fs.readFileSync(path.join(dir, "manifest.json"), "utf8")).files.length as number;
  return { markdown: md, html, rows: table.rows, table: tableMarkdown(t, 3), files };
}
