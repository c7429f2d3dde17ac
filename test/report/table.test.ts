import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { asTable, exportTable, readManifest, tableCSV, tableMarkdown, toDataFrame } from "../../lib/report";
import type { Table } from "../../lib/report";
import { hasPython, pythonCSV } from "./files";
import { requireReference } from "../support/shared";

const table: Table = {
  columns: ["name", "value", "note"],
  rows: [
    { name: "accuracy", value: 0.8125, note: "plain" },
    { name: "rejection", value: Infinity, note: 'has, comma and "quotes"' },
    { name: "count", value: 12, note: null },
  ],
};

test("CSV quotes what needs quoting, one line per row", () => {
  assert.equal(tableCSV(table), 'name,value,note\naccuracy,0.8125,plain\nrejection,inf,"has, comma and ""quotes"""\ncount,12,\n');
});

test("Markdown pipe table with right-aligned numbers", () => {
  assert.equal(
    tableMarkdown(table, 2),
    "| name | value | note |\n|---|---:|---|\n| accuracy | 0.81 | plain |\n| rejection | inf | has, comma and \"quotes\" |\n| count | 12 |  |\n",
  );
});

test("tables round-trip through a danfojs DataFrame", () => {
  const df = toDataFrame(table);
  assert.deepEqual(df.columns, table.columns);
  const back = asTable(df);
  assert.equal(back.rows.length, 3);
  assert.equal(back.rows[0].value, 0.8125);
  assert.equal(back.rows[2].name, "count");
});

test("exported table files: CSV header and row count (read by Python's csv), Markdown, HTML, manifest", { skip: requireReference(hasPython ? false : "no /usr/bin/python3") }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hepllm-tables-"));
  try {
    const out = exportTable(toDataFrame(table), dir, "toy-metrics", { title: "Toy metrics" });
    const rows = pythonCSV(out.csv);
    assert.deepEqual(rows[0], ["name", "value", "note"]);
    assert.equal(rows.length, 1 + 3);
    assert.deepEqual(rows[2], ["rejection", "inf", 'has, comma and "quotes"']);
    assert.equal(fs.readFileSync(out.md, "utf8").split("\n").filter((l) => l.startsWith("|")).length, 2 + 3);
    assert.match(fs.readFileSync(out.html, "utf8"), /<title>Toy metrics<\/title>[\s\S]*<td>accuracy<\/td><td>0\.813<\/td>/);
    assert.deepEqual(readManifest(dir).map((e) => [e.file, e.kind, e.title]), [
      ["toy-metrics.csv", "table", "Toy metrics"],
      ["toy-metrics.html", "table", "Toy metrics"],
      ["toy-metrics.md", "table", "Toy metrics"],
    ]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
