import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { openLHCO } from "../../../lib/events";
import { main } from "../../../lib/cli/main";
import { sharedFile } from "../../support/shared";

/** Runs main() capturing console.log / console.error. */
async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = console.log;
  const error = console.error;
  console.log = (...a: unknown[]) => void out.push(a.join(" "));
  console.error = (...a: unknown[]) => void err.push(a.join(" "));
  try {
    return { code: await main(argv), out: out.join("\n"), err: err.join("\n") };
  } finally {
    console.log = log;
    console.error = error;
  }
}

test("hepllm simulate writes the requested events; calibrate prints the KS table", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hepllm-cli-sim-"));
  process.env.HEPLLM_QUIET = "1";
  try {
    const file = path.join(dir, "s.h5");
    const r = await run(["simulate", "--events", "12", "--signal-events", "3", "--masses", "3823,732,378", "--seed", "5", "--out", file]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /12 events \(3 signal, 9 background\), masses 3823,732,378 GeV, seed 5/);
    const f = await openLHCO(file);
    assert.equal(f.info.nEvents, 12);
    assert.equal(f.read(0, 12).filter((e) => e.label === 1).length, 3);
    f.close();
    const bb = path.join(dir, "bb.h5");
    assert.equal((await run(["simulate", "--events", "3", "--no-label", "--out", bb])).code, 0);
    const g = await openLHCO(bb);
    assert.equal(g.info.nColumns, 2100);
    g.close();
    const tiny = sharedFile("fixtures/lhco/events_anomalydetection_tiny.h5");
    if (tiny) {
      const c = await run(["calibrate", "--real", tiny, "--sim", file, "--max-events", "50"]);
      assert.equal(c.code, 0, c.err);
      assert.match(c.out, /\| m_jj \| [0-9.]+/);
      assert.match(c.out, /\| tau21_j2 \|/);
    }
  } finally {
    delete process.env.HEPLLM_QUIET;
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("bad flags are usage errors (exit 2) naming the flag", async () => {
  const out = path.join(os.tmpdir(), "never.h5");
  const cases: [string[], RegExp][] = [
    [["simulate", "--out", out], /--events is required/],
    [["simulate", "--events", "10", "--out", out, "--masses", "500,400,200"], /W' > X \+ Y/],
    [["simulate", "--events", "10", "--out", out, "--masses", "3500,500"], /three values/],
    [["simulate", "--events", "10", "--out", out, "--signal-fraction", "0.1", "--signal-events", "2"], /either --signal-fraction or --signal-events/],
    [["simulate", "--events", "10", "--out", out, "--signal-fraction", "1.5"], /--signal-fraction must be in \[0, 1\]/],
    [["simulate", "--events", "x", "--out", out], /--events must be a number/],
    [["calibrate", "--sim", out], /--real is required/],
  ];
  for (const [argv, re] of cases) {
    const r = await run(argv);
    assert.equal(r.code, 2, argv.join(" "));
    assert.match(r.err, re);
  }
  assert.equal(fs.existsSync(out), false);
});
