/**
 * Jet-feature tables (CSV, optionally gzipped) -> EventRecords: for jets clustered elsewhere, e.g.
 * ../shared/fixtures/lhco/rd_jet_features.csv.gz (76,000 real LHCO R&D events).
 *
 * Columns, found by header name in any order (extra columns are ignored):
 *   mjj [GeV], nj (jets in the event), label (1 signal, 0 background; optional: without it every
 *   record is "unknown"), and per jet k = 1, 2, ... (as many as the header has `pt_k`):
 *   pt_k eta_k phi_k mass_k e_k [GeV, rad], tau1_k tau2_k tau3_k (N-subjettiness).
 *   tau21_k / tau32_k may be there; they are not read: the ratios are recomputed as the record
 *   defines them (tau2/tau1, tau3/tau2; 0 when the denominator is 0).
 *
 * Each data row becomes one record:
 *   - id = the 0-based data row (blank lines skipped), kept when `minLeadPt` drops rows;
 *   - jets sorted by decreasing P_T (the source's order is not always by pT), at most min(nj, K);
 *   - M_jj = mjj when the record has two jets (absent otherwise, as in `prepare`);
 *   - dR to the other jets in true rapidity y = ½ ln((E + pz)/(E − pz)) with pz = pT·sinh(eta),
 *     computed from the table's E (FastJet's roundoff-safe form) and phi, as lib/jets/record.ts defines it;
 *   - masses slightly negative by the source's rounding (down to −MASS_ROUNDING_GEV) become 0,
 *     as `prepare` clamps m² < 0; more negative is an error;
 *   - phi outside (−π, π] (another convention, e.g. [0, 2π)) is wrapped into it;
 *   - n_particles (event and jet) and P_T_lead are ABSENT: a table has no constituents.
 * A bad row stops the read with an error naming the file, the line and the column.
 */
import * as fs from "node:fs";
import * as zlib from "node:zlib";
import type { EventRecord, EventType, JetRecord } from "../jets/record";
import { deltaR2, rapidityOf, TWOPI } from "../jets/pseudojet";
import { Progress } from "../util/progress";
import { RecordError, validateRecord } from "./validate";

export interface FeatureTableOptions {
  /** Keep only events whose leading jet has P_T >= this [GeV] (the R&D table was cut at 1200). Default: keep all. */
  minLeadPt?: number;
  /** Stop after this many records (after the cut). Default: all. */
  limit?: number;
  /** Progress line on stderr; default false (a read takes about a second). */
  progress?: boolean;
}

/** Largest negative mass [GeV] taken as source rounding and set to 0 (the R&D table's worst is -2.2e-5). */
export const MASS_ROUNDING_GEV = 0.01;

/** Per-jet columns that must all be present for jet k (suffix `_k`). */
export const JET_COLUMNS = ["pt", "eta", "phi", "mass", "e", "tau1", "tau2", "tau3"] as const;
/** Event columns that must be present. */
export const EVENT_COLUMNS = ["mjj", "nj"] as const;

type JetColumn = (typeof JET_COLUMNS)[number];

/** Reads the whole table (a .gz file, by name or by its magic bytes, is gunzipped) into validated records. */
export function readFeatureTable(file: string, opts: FeatureTableOptions = {}): EventRecord[] {
  const text = readText(file);
  const out: EventRecord[] = [];
  const limit = opts.limit ?? Infinity;
  if (opts.minLeadPt !== undefined && !Number.isFinite(opts.minLeadPt)) throw new Error(`${file}: minLeadPt must be a finite number, got ${opts.minLeadPt}`);
  if (!(limit >= 0)) throw new Error(`${file}: limit must be >= 0, got ${opts.limit}`);

  let pos = 0;
  let lineNo = 0;
  /** The next non-blank line (without \r), or undefined at the end. */
  const nextLine = (): string | undefined => {
    while (pos < text.length) {
      let nl = text.indexOf("\n", pos);
      if (nl < 0) nl = text.length;
      let line = text.slice(pos, nl);
      pos = nl + 1;
      lineNo++;
      if (line.endsWith("\r")) line = line.slice(0, -1);
      if (line.trim() !== "") return line;
    }
    return undefined;
  };

  const headerText = nextLine();
  if (headerText === undefined) throw new Error(`${file}: the table is empty (expected a header line)`);
  const header = parseHeader(headerText, file, lineNo);
  const progress = opts.progress ? new Progress({ label: "import-features", unit: "rows", total: countLines(text, pos) }) : undefined;

  let row = 0;
  for (let line = nextLine(); line !== undefined && out.length < limit; line = nextLine(), row++) {
    const rec = parseRow(line, row, header, file, lineNo);
    progress?.tick();
    if (opts.minLeadPt !== undefined && (rec.jets.length === 0 || rec.jets[0].P_T < opts.minLeadPt)) continue;
    out.push(validateRecord(rec, { file, line: lineNo }));
  }
  progress?.finish(`${out.length} records`);
  return out;
}

/** Newline-terminated (or last) lines from `from` on: the data rows, for the progress line's total. */
function countLines(text: string, from: number): number {
  let n = 0;
  for (let i = text.indexOf("\n", from); i >= 0; i = text.indexOf("\n", i + 1)) n++;
  return text.length > from && !text.endsWith("\n") ? n + 1 : n;
}

function readText(file: string): string {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch (err) {
    throw new Error(`${file}: cannot open (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const gz = buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b;
  if (!gz) return buf.toString("utf8");
  try {
    return zlib.gunzipSync(buf).toString("utf8");
  } catch (err) {
    throw new Error(`${file}: not a valid gzip file (${(err as Error).message})`);
  }
}

interface Header {
  /** Number of fields a row must have. */
  width: number;
  mjj: number;
  nj: number;
  label: number | undefined;
  /** Column index of each per-jet quantity, one entry per jet k = 1..K. */
  jets: Record<JetColumn, number>[];
}

function parseHeader(text: string, file: string, line: number): Header {
  const names = text.split(",").map((s) => s.trim());
  const index = new Map<string, number>();
  names.forEach((n, i) => {
    if (n === "") throw new RecordError(file, line, `column ${i + 1}`, "has an empty name in the header");
    if (index.has(n)) throw new RecordError(file, line, `column ${n}`, `appears twice in the header (columns ${index.get(n)! + 1} and ${i + 1})`);
    index.set(n, i);
  });
  const need = (name: string, why: string): number => {
    const i = index.get(name);
    if (i === undefined) throw new RecordError(file, line, `column ${name}`, `is missing from the header (${why}; header: ${names.join(",")})`);
    return i;
  };
  const jets: Record<JetColumn, number>[] = [];
  for (let k = 1; index.has(`pt_${k}`); k++) {
    const cols = {} as Record<JetColumn, number>;
    for (const c of JET_COLUMNS) cols[c] = need(`${c}_${k}`, `jet ${k} has pt_${k}`);
    jets.push(cols);
  }
  if (jets.length === 0) need("pt_1", "at least one jet is needed");
  return {
    width: names.length,
    mjj: need("mjj", "the dijet mass"),
    nj: need("nj", "the number of jets"),
    label: index.get("label"),
    jets,
  };
}

function parseRow(text: string, row: number, h: Header, file: string, line: number): EventRecord {
  const cells = text.split(",");
  if (cells.length !== h.width) throw new RecordError(file, line, "", `has ${cells.length} fields, the header has ${h.width}`);
  const value = (i: number, name: string): number => {
    const s = cells[i].trim();
    const x = Number(s);
    if (s === "" || !Number.isFinite(x)) throw new RecordError(file, line, `column ${name}`, `is not a finite number (got ${JSON.stringify(cells[i])})`);
    return x;
  };
  const nonNegative = (i: number, name: string): number => {
    const x = value(i, name);
    if (x < 0) throw new RecordError(file, line, `column ${name}`, `must be >= 0 (got ${x})`);
    return x;
  };

  const nj = value(h.nj, "nj");
  if (!Number.isInteger(nj) || nj < 0) throw new RecordError(file, line, "column nj", `must be a whole number >= 0 (got ${cells[h.nj].trim()})`);
  let type: EventType = "unknown";
  if (h.label !== undefined) {
    const label = value(h.label, "label");
    if (label !== 0 && label !== 1) throw new RecordError(file, line, "column label", `must be 0 or 1 (got ${cells[h.label].trim()})`);
    type = label === 1 ? "signal" : "background";
  }

  const jets: { rec: JetRecord; rap: number; phi: number }[] = [];
  for (let k = 0; k < Math.min(nj, h.jets.length); k++) {
    const c = h.jets[k];
    const n = (q: JetColumn): string => `${q}_${k + 1}`;
    const pt = nonNegative(c.pt, n("pt"));
    const eta = value(c.eta, n("eta"));
    const E = nonNegative(c.e, n("e"));
    let m = value(c.mass, n("mass"));
    if (m < 0) {
      if (m < -MASS_ROUNDING_GEV) throw new RecordError(file, line, `column ${n("mass")}`, `must be >= 0 (got ${m}; up to -${MASS_ROUNDING_GEV} GeV is taken as rounding)`);
      m = 0;
    }
    const tau1 = nonNegative(c.tau1, n("tau1"));
    const tau2 = nonNegative(c.tau2, n("tau2"));
    const tau3 = nonNegative(c.tau3, n("tau3"));
    const phi = wrapPhi(value(c.phi, n("phi")));
    const pz = pt * Math.sinh(eta);
    jets.push({
      rec: { P_T: pt, eta, phi, E, m, tau1, tau2, tau3, tau21: tau1 > 0 ? tau2 / tau1 : 0, tau32: tau2 > 0 ? tau3 / tau2 : 0, dR: {} },
      rap: rapidityOf(pz, E, pt * pt),
      phi: phi < 0 ? phi + TWOPI : phi, // [0, 2pi), as jetDeltaR and deltaR2 expect
    });
  }
  // Stable sort: equal pT keeps the source order.
  jets.sort((a, b) => b.rec.P_T - a.rec.P_T);
  for (let a = 0; a < jets.length; a++) {
    for (let b = 0; b < jets.length; b++) {
      if (a !== b) jets[a].rec.dR[`jet${b + 1}`] = Math.sqrt(deltaR2(jets[a].rap, jets[a].phi, jets[b].rap, jets[b].phi));
    }
  }
  const head = { id: row, type, n_jets: nj };
  const records = jets.map((j) => j.rec);
  // M_jj before "jets": the key order `prepare` writes.
  return jets.length >= 2 ? { ...head, M_jj: nonNegative(h.mjj, "mjj"), jets: records } : { ...head, jets: records };
}

/** phi in (-pi, pi]; values already inside are returned unchanged (bit for bit). */
function wrapPhi(phi: number): number {
  if (phi > -Math.PI && phi <= Math.PI) return phi;
  const w = phi - 2 * Math.PI * Math.floor((phi + Math.PI) / (2 * Math.PI));
  return w === -Math.PI ? Math.PI : w;
}
