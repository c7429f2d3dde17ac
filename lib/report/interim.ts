/**
 * The interim report, regenerated from run logs alone: the results table (the study's columns +
 * AUC and max SIC), ROC and SIC curves per dataset with every run overlaid, score histograms and
 * confusion matrices per run and dataset, loss curves, and a short text — written as
 * `<dir>/interim-report.md` and `.html`, listing every exported file (writeInterimReport, from
 * run logs). The study's report (writeStudyReport, below: `hepllm study`, `hepllm demo`, notebook
 * 05) headlines the test numbers of the checkpoints selected on val, with intervals, seeds, the
 * ablation, paired differences and the signal-free check.
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
import { manifestMarkdown, readManifest, recordExports } from "./manifest";
import { rejectionSpec } from "./rejection";
import { scoreDistributionsSpec } from "./score-distributions";
import { resultsTable, writeResultsTable } from "./results";
import { rocSpec, ScoredSample } from "./roc";
import { sicBandSpec, sicSpec } from "./sic";
import { exportTable, Row, Table, tableHTML, tableMarkdown } from "./table";

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
  const text = [
    `# ${opts.title ?? "Interim report: an LLM reads collider events"}`,
    "",
    `Generated ${new Date().toISOString()} from ${runDirs.length} run log(s): ${runDirs.map((r) => `\`${r}\``).join(", ")}.`,
    "",
    "The classifier's output is P(signal) from the likelihoods of the two answers, so every checkpoint has ROC and",
    "significance-improvement curves, not only an accuracy. The MLP baseline reads the same feature vectors as the fusion",
    "adapter and is trained by the same loop. Every evaluated checkpoint is listed; no best-of is taken over them",
    "(a run's checkpoint is chosen on its validation set: see selected.json and `hepllm study`).",
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

// ---------------------------------------------------------------------------------------------
// The study's report (`hepllm study`, the demo, notebook 05): test results of the checkpoints
// selected on val, with intervals and the spread over seeds, what each arm saw, the paired
// differences, the signal-free check, the physics figures and a paragraph generated from the
// numbers. Its input is study.json (lib/study/study-json.ts), typed here by what the report reads.

interface SpreadIn {
  mean: number;
  std: number;
  n: number;
}
interface EntryIn {
  run: string;
  checkpoint: string;
  dataset: string;
  metrics: EvalLogEntry["metrics"];
  scoresFile?: string;
}
interface DifferenceIn {
  a: number;
  b: number;
  diff: number;
  interval: [number, number];
  level: number;
  verdict: string;
  perSeed: number[];
  unsupported?: string;
}

/** What the study report reads from study.json. */
export interface StudyReportInput {
  seconds: number;
  quick: boolean;
  recipe: { seeds: number[]; selection: string; workingPointEfficiency: number; bootstrap: { resamples: number; level: number } };
  data: { train: string; val: string; tests: Record<string, string>; backgroundOnly: Record<string, string> };
  baseModel: string;
  arms: Record<string, { text: string[]; vector: string[]; runs: string[] }>;
  results: Record<string, Record<string, EntryIn & { seeds: Array<{ seed: number; run: string; entry: EntryIn }>; spread: Record<string, SpreadIn> }>>;
  paired: Record<string, Record<string, Record<string, DifferenceIn>>>;
  signalFree: {
    efficiency: number;
    level: number;
    byArm: Record<string, Record<string, { perSeed: Array<{ seed: number; k: number; n: number; rate: number; interval: [number, number]; threshold: number }>; rate: SpreadIn }>>;
  };
}

const num = (x: number, d = 3): string => (Number.isFinite(x) ? x.toFixed(d) : "n/a");
const sgn = (x: number, d = 3): string => (Number.isFinite(x) ? `${x >= 0 ? "+" : "−"}${Math.abs(x).toFixed(d)}` : "n/a");
const digitsOf = (metric: string): number => (metric.startsWith("rejection") ? 1 : metric === "maxSic" ? 2 : 3);

/** "0.912 [0.898, 0.925]", or "n/a (k)" with the reason added to `notes` as footnote k. */
function ciCell(m: EntryIn["metrics"], name: string, notes: string[]): string {
  const [head, tail] = name.split(".");
  const v = tail ? (m as unknown as Record<string, Record<string, number>>)[head][tail] : (m as unknown as Record<string, number>)[name];
  const d = digitsOf(name);
  if (v === null || v === undefined || !Number.isFinite(v)) {
    const why = m.unsupported?.[name] ?? "undefined on this sample";
    notes.push(why);
    return `n/a (${notes.length})`;
  }
  const iv = m.intervals?.[name];
  return iv && Number.isFinite(iv[0]) && Number.isFinite(iv[1]) ? `${v.toFixed(d)} [${iv[0].toFixed(d)}, ${iv[1].toFixed(d)}]` : `${v.toFixed(d)}`;
}

const TEST_COLUMNS: Array<[string, string]> = [
  ["auc", "AUC"],
  ["balancedAccuracy", "Balanced accuracy"],
  ["signal.f1", "F1 signal"],
  ["rejection30", "1/εB at εS = 0.3"],
  ["maxSic", "Max SIC"],
];

function scoresOf(e: EntryIn, runDir: string): { labels: number[]; scores: number[] } | undefined {
  const file = e.scoresFile ? path.join(runDir, e.scoresFile) : "";
  return file && fs.existsSync(file) ? readScores(file) : undefined;
}

/** The "what this shows / what it does not" paragraphs, from the numbers. */
export function studyConclusions(s: StudyReportInput): { shows: string[]; doesNot: string[] } {
  const shows: string[] = [];
  const level = `${Math.round(s.recipe.bootstrap.level * 100)}%`;
  for (const [key, byPair] of Object.entries(s.paired)) {
    const parts = Object.entries(s.results).map(([arm, r]) => {
      const e = r[key];
      const iv = e.metrics.intervals?.auc;
      return `${arm} ${num(e.spread.auc.mean)} ± ${num(e.spread.auc.std)}${iv ? ` (first seed ${num(e.metrics.auc)} [${num(iv[0])}, ${num(iv[1])}])` : ""}`;
    });
    shows.push(`On ${key} (${Object.values(s.results)[0]?.[key]?.dataset ?? ""}), test AUC, mean ± std over ${s.recipe.seeds.length} seeds: ${parts.join("; ")}.`);
    for (const [pair, m] of Object.entries(byPair)) {
      const d = m.auc;
      if (!d) continue;
      const verdict =
        d.verdict === "within CI" ? "within the CI: these test events do not tell the two apart" : d.verdict === "beyond CI" ? `beyond the CI: ${d.diff > 0 ? pair.split(" − ")[0] : pair.split(" − ")[1]} ranks these test events better` : "no interval";
      shows.push(`${pair}: ΔAUC = ${sgn(d.diff)} [${sgn(d.interval[0])}, ${sgn(d.interval[1])}] (${level}, paired on the same events, seed means): ${verdict}.`);
    }
  }
  for (const [arm, bySample] of Object.entries(s.signalFree.byArm)) {
    for (const [key, r] of Object.entries(bySample)) {
      const p = r.perSeed[0];
      if (!p) continue;
      shows.push(
        `Signal-free check, ${arm} on ${key}: at the cut fixed on val (εS = ${s.signalFree.efficiency}), ${p.k} of ${p.n} background-only events pass ` +
          `(rate ${num(p.rate, 4)} [${num(p.interval[0], 4)}, ${num(p.interval[1], 4)}], first seed; ${num(r.rate.mean, 4)} ± ${num(r.rate.std, 4)} over seeds).`,
      );
    }
  }
  const maxStd = Math.max(...Object.values(s.results).flatMap((r) => Object.values(r).map((e) => e.spread.auc.std)).filter(Number.isFinite));
  const halfWidths = Object.values(s.results).flatMap((r) => Object.values(r).map((e) => ((e.metrics.intervals?.auc?.[1] ?? NaN) - (e.metrics.intervals?.auc?.[0] ?? NaN)) / 2)).filter(Number.isFinite);
  const doesNot = [
    `The intervals cover the test sample's statistical fluctuation (${s.recipe.bootstrap.resamples} bootstrap resamples; AUC half-widths up to ${num(Math.max(...halfWidths))}); ` +
      `the training seeds add a spread of up to ${num(maxStd)} in AUC, estimated from only ${s.recipe.seeds.length} seeds.`,
    "A difference within the CI is not evidence that the arms are equal, only that these events cannot separate them.",
    "Checkpoints were chosen on the validation set only; the test numbers were not used to choose anything, but the recipe itself was tuned on earlier demo runs.",
    s.quick ? "This is a quick smoke run: tiny training sets, the numbers say nothing about the method." : "The base model is small and was pre-trained on these prompts only; the results say nothing about large general-purpose LLMs.",
  ];
  if (Object.keys(s.signalFree.byArm).length === 0 || Object.values(s.signalFree.byArm).every((x) => Object.keys(x).length === 0)) doesNot.push("No background-only sample was given: there is no signal-free check.");
  return { shows, doesNot };
}

/** Writes the study report into `dir`, which it replaces (no file of an earlier run survives). */
export async function writeStudyReport(s: StudyReportInput, dir: string, opts: { title?: string; notes?: string } = {}): Promise<{ markdown: string; files: number; table: string }> {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const title = opts.title ?? "Interim report: an LLM reads collider events";
  const level = `${Math.round(s.recipe.bootstrap.level * 100)}%`;
  const notes: string[] = [];
  const md: string[] = [`# ${title}`, "", `Generated ${new Date().toISOString()} by \`hepllm study\` in ${num(s.seconds, 0)} s.${opts.notes ? ` ${opts.notes}` : ""}`, ""];
  md.push(
    "## Protocol",
    "",
    `Training file \`${s.data.train}\`, validation file \`${s.data.val}\` (checkpoint selection by ${s.recipe.selection} and the working point), ` +
      `test files ${Object.entries(s.data.tests).map(([k, f]) => `${k} (\`${f}\`)`).join(", ")}: all sets disjoint. ` +
      `Every arm is trained with seeds ${s.recipe.seeds.join(", ")}; each run picks its checkpoint on val only and that checkpoint is scored on the tests. ` +
      `Cells show the first seed's value with its ${level} bootstrap interval (${s.recipe.bootstrap.resamples} resamples); the last columns give mean ± std over seeds. Base model: \`${s.baseModel}\`.`,
    "",
    "## What each arm saw",
    "",
  );
  const saw: Table = {
    columns: ["Arm", "Numbers in the prompt text", "Numeric vector"],
    rows: Object.entries(s.arms).map(([arm, a]) => ({ Arm: arm, "Numbers in the prompt text": a.text.join(", ") || "— (no text)", "Numeric vector": a.vector.length ? `${a.vector.length}: ${a.vector.join(", ")}` : "— (no vector)" })),
  };
  md.push(tableMarkdown(saw), "", "The MLP is the baseline: the same numeric vector as the fusion adapter, trained by the same loop. The figures add the random classifier.", "", "## Test results", "");
  let headline = "";
  for (const key of Object.keys(s.data.tests)) {
    const columns = ["Arm", "Checkpoint", ...TEST_COLUMNS.map(([, h]) => `${h} [${level} CI]`), "AUC mean ± std (seeds)", "1/εB at 0.3 mean ± std"];
    const rows = Object.entries(s.results).map(([arm, r]) => {
      const e = r[key];
      const row: Row = { Arm: arm, Checkpoint: `${e.checkpoint} (${path.basename(e.run)})` };
      TEST_COLUMNS.forEach(([m, h]) => (row[`${h} [${level} CI]`] = ciCell(e.metrics, m, notes)));
      row["AUC mean ± std (seeds)"] = `${num(e.spread.auc.mean)} ± ${num(e.spread.auc.std)} (n=${e.spread.auc.n})`;
      row["1/εB at 0.3 mean ± std"] = `${num(e.spread.rejection30.mean, 1)} ± ${num(e.spread.rejection30.std, 1)}`;
      return row;
    });
    const dataset = Object.values(s.results)[0]?.[key]?.dataset ?? key;
    const t: Table = { columns, rows };
    const name = `test-results-${slug(key)}`;
    exportTable(t, dir, name, { title: `Test results — ${key}` });
    const text = tableMarkdown(t);
    if (!headline) headline = `${key} (${dataset})\n${text}`;
    md.push(`### ${key}: ${dataset}`, "", text, "");
  }
  if (notes.length) md.push("n/a: " + notes.map((n, i) => `(${i + 1}) ${n}`).join("; "), "");

  md.push("## Paired differences", "", `A − B on the same test events: difference of seed means, ${level} paired bootstrap interval; per-seed differences in the last column.`, "");
  const pairRows: Row[] = [];
  for (const [key, byPair] of Object.entries(s.paired)) {
    for (const [pair, m] of Object.entries(byPair)) {
      const row: Row = { Test: key, "A − B": pair };
      for (const [metric, d] of Object.entries(m)) {
        const dg = digitsOf(metric);
        const iv = Number.isFinite(d.interval[0]) && Number.isFinite(d.interval[1]) ? ` [${sgn(d.interval[0], dg)}, ${sgn(d.interval[1], dg)}]` : " (interval n/a: too few resamples support it)";
        row[`Δ ${metric}`] = Number.isFinite(d.diff) ? `${sgn(d.diff, dg)}${iv}` : `n/a${d.unsupported ? ` (${d.unsupported})` : ""}`;
      }
      row.Verdict = m.auc?.verdict ?? "";
      row["Per seed Δ AUC"] = (m.auc?.perSeed ?? []).map((x) => sgn(x)).join(", ");
      pairRows.push(row);
    }
  }
  const pairTable: Table = { columns: pairRows.length ? Object.keys(pairRows[0]) : ["Test"], rows: pairRows };
  exportTable(pairTable, dir, "paired-differences", { title: "Paired differences between arms" });
  md.push(tableMarkdown(pairTable), "");

  md.push("## Signal-free check", "");
  const sfRows: Row[] = [];
  for (const [arm, bySample] of Object.entries(s.signalFree.byArm)) {
    for (const [key, r] of Object.entries(bySample)) {
      const p = r.perSeed[0];
      sfRows.push({
        Arm: arm, Sample: key, "Cut (first seed)": num(p.threshold, 4), "Passing": `${p.k} / ${p.n}`,
        [`False-positive rate [${level} CI]`]: `${num(p.rate, 4)} [${num(p.interval[0], 4)}, ${num(p.interval[1], 4)}]`,
        "Rate mean ± std (seeds)": `${num(r.rate.mean, 4)} ± ${num(r.rate.std, 4)}`,
      });
    }
  }
  if (sfRows.length) {
    const sf: Table = { columns: Object.keys(sfRows[0]), rows: sfRows };
    exportTable(sf, dir, "signal-free-check", { title: "Signal-free check" });
    md.push(`Working point: the score cut keeping εS = ${s.signalFree.efficiency} of the validation signal (per run); false positives on background-only events with Clopper–Pearson intervals.`, "", tableMarkdown(sf), "");
  } else {
    md.push("No background-only sample was given.", "");
  }

  md.push("## Figures", "");
  for (const key of Object.keys(s.data.tests)) {
    const samples: ScoredSample[] = [];
    for (const [arm, r] of Object.entries(s.results)) {
      const sc = scoresOf(r[key], r[key].seeds[0]?.run ?? ""); // seeds[].run: the run folder (the entry's run is its name)
      if (sc) samples.push({ name: arm, labels: sc.labels, scores: sc.scores });
    }
    if (samples.length === 0) continue;
    const d = slug(key);
    const figs = [`rejection-${d}`, `sic-${d}`, `score-distributions-${d}`];
    await exportFigure(rejectionSpec(samples, { title: `Background rejection — ${key} (first seed)` }), dir, figs[0]);
    await exportFigure(sicBandSpec(samples, { title: `Significance improvement — ${key} (first seed)` }), dir, figs[1]);
    await exportFigure(scoreDistributionsSpec(samples, { title: `P(signal) by class — ${key} (first seed)` }), dir, figs[2]);
    md.push(`### ${key}`, "", ...figs.map((f) => `![${f}](${f}.svg)`), "");
  }

  const c = studyConclusions(s);
  md.push("## What this shows", "", ...c.shows.map((x) => `- ${x}`), "", "## What it does not show", "", ...c.doesNot.map((x) => `- ${x}`), "", "## Files", "", manifestMarkdown(dir), "");
  const file = path.join(dir, "interim-report.md");
  writeFileAtomic(file, md.join("\n"));
  recordExports(dir, [{ file: "interim-report.md", name: "interim-report", kind: "table", format: "md", title }]);
  const files = readManifest(dir).length;
  return { markdown: file, files, table: headline };
}
