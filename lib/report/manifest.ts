/**
 * The registry of exported files: every figure and table export adds (or replaces) its entry in
 * `<dir>/manifest.json`, so a report can list everything that was written, with titles.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { writeFileAtomic } from "../util/atomic";

export interface ManifestEntry {
  /** Path relative to the manifest's folder, e.g. "roc-curves.svg". */
  file: string;
  /** The export's name (file name without extension), shared by its formats. */
  name: string;
  kind: "figure" | "table" | "asset";
  /** File extension: svg, png, html, csv, md. */
  format: string;
  /** What it shows, e.g. the figure title. */
  title: string;
  bytes: number;
  /** ISO time of the export. */
  time: string;
}

export const MANIFEST_FILE = "manifest.json";

/** The entries of `<dir>/manifest.json` (empty when none). */
export function readManifest(dir: string): ManifestEntry[] {
  const file = path.join(dir, MANIFEST_FILE);
  if (!fs.existsSync(file)) return [];
  try {
    return (JSON.parse(fs.readFileSync(file, "utf8")) as { files: ManifestEntry[] }).files;
  } catch (err) {
    throw new Error(`${file}: not a valid manifest (${(err as Error).message})`);
  }
}

/** Adds exported files (already written under `dir`) to its manifest, replacing older entries of the same file. */
export function recordExports(dir: string, entries: Array<Omit<ManifestEntry, "bytes" | "time">>): void {
  const byFile = new Map(readManifest(dir).map((e) => [e.file, e] as [string, ManifestEntry]));
  const time = new Date().toISOString();
  for (const e of entries) {
    byFile.set(e.file, { ...e, bytes: fs.statSync(path.join(dir, e.file)).size, time });
  }
  const files = [...byFile.values()].sort((a, b) => a.file.localeCompare(b.file));
  writeFileAtomic(path.join(dir, MANIFEST_FILE), JSON.stringify({ files }, null, 1) + "\n");
}

/** A Markdown list of the exports in `dir`, grouped by name: "- **title** — name.svg, name.png". */
export function manifestMarkdown(dir: string): string {
  const groups = new Map<string, ManifestEntry[]>();
  for (const e of readManifest(dir)) {
    if (e.kind === "asset") continue;
    if (!groups.has(e.name)) groups.set(e.name, []);
    groups.get(e.name)!.push(e);
  }
  return [...groups.values()]
    .map((es) => `- **${es[0].title || es[0].name}** (${es[0].kind}): ${es.map((e) => `[${e.format}](${e.file})`).join(", ")}`)
    .join("\n");
}

/** Export names must say what they show and be safe file names: "roc-curves", "results-table". */
export function checkExportName(name: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) {
    throw new Error(`export name ${JSON.stringify(name)}: use letters, digits, ".", "_" or "-" (e.g. "roc-curves")`);
  }
}

/** Folders under `root` (itself included, recursively) that hold a manifest, sorted. */
export function manifestDirs(root: string): string[] {
  if (!fs.existsSync(root)) return [];
  const out: string[] = fs.existsSync(path.join(root, MANIFEST_FILE)) ? [root] : [];
  for (const d of fs.readdirSync(root, { withFileTypes: true })) {
    if (d.isDirectory()) out.push(...manifestDirs(path.join(root, d.name)));
  }
  return out.sort();
}

/**
 * Writes `<root>/index.md`: every exported file of every manifest under root, one section per
 * folder, links relative to root. Returns the file's path.
 */
export function writeReportIndex(root: string, title = "Report"): string {
  const sections = manifestDirs(root).map((dir) => {
    const rel = path.relative(root, dir).split(path.sep).join("/");
    const prefix = rel === "" ? "" : `${rel}/`;
    const list = manifestMarkdown(dir).replace(/\]\(([^)]+)\)/g, (_m, f: string) => `](${prefix}${f})`);
    return `## ${rel === "" ? "." : rel}\n\n${list}\n`;
  });
  const file = path.join(root, "index.md");
  writeFileAtomic(file, `# ${title}\n\nEvery exported figure and table (from the manifest.json of each folder).\n\n${sections.join("\n")}`);
  return file;
}
