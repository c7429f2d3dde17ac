/** Python's fixed-point formatting, checked against Debian's Python on awkward values. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { requireReference, SYSTEM_PYTHON } from "../support/shared";
import { pyFixed } from "../../lib/prompts/decimal";
import { Rng } from "../../lib/util/rng";

const HAND: Array<[number, number, string]> = [
  [90.125, 2, "90.12"], [90.375, 2, "90.38"], [0.5, 0, "0"], [2.5, 0, "2"], [3.5, 0, "4"], [-0.125, 2, "-0.12"],
  [-0, 2, "-0.00"], [0, 2, "0.00"], [1.005, 2, "1.00"], [-0.001, 2, "-0.00"], [1583.8, 2, "1583.80"], [1e21, 2, "1000000000000000000000.00"],
];

test("hand-derived cases (ties to even, signed zero)", () => {
  for (const [x, d, s] of HAND) assert.equal(pyFixed(x, d), s, `${x} to ${d}`);
});

test("agrees with Python's format on ties, near-ties and random values", { skip: requireReference(spawnSync(SYSTEM_PYTHON, ["-c", "1"]).status === 0 ? false : "no system python") }, () => {
  const rng = new Rng(9);
  const xs: number[] = [];
  for (let i = 0; i < 300; i++) xs.push((rng.int(200000) - 100000) / 8, (rng.uniform() - 0.5) * 10 ** rng.int(7), rng.int(1000) + 0.5, -(rng.int(100) + 0.005));
  const ds = xs.map((_, i) => i % 5);
  const r = spawnSync(SYSTEM_PYTHON, ["-c", "import json,sys\nxs,ds=json.load(sys.stdin)\nprint(json.dumps([format(x, '.%df' % d) for x, d in zip(xs, ds)]))"], { input: JSON.stringify([xs, ds]), encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const expected = JSON.parse(r.stdout) as string[];
  xs.forEach((x, i) => assert.equal(pyFixed(x, ds[i]), expected[i], `${x} to ${ds[i]} places`));
});
