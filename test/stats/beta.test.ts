import { test } from "node:test";
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { betaCdf, betaQuantile, logGamma } from "../../lib/stats/beta";
import { clopperPearson } from "../../lib/stats/binomial";
import { SYSTEM_PYTHON, skipUnlessPython } from "../support/shared";

const near = (a: number, b: number, tol: number, what: string): void => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

test("log-gamma at hand values: Γ(1) = Γ(2) = 1, Γ(1/2) = √π, Γ(10) = 9!", () => {
  near(logGamma(1), 0, 1e-14, "lnΓ(1)");
  near(logGamma(2), 0, 1e-14, "lnΓ(2)");
  near(logGamma(0.5), Math.log(Math.sqrt(Math.PI)), 1e-14, "lnΓ(1/2)");
  near(logGamma(10), Math.log(362880), 1e-12, "lnΓ(10)");
});

test("beta CDF in closed form: Beta(1, b) has CDF 1 − (1 − x)^b, Beta(a, 1) has x^a", () => {
  for (const x of [1e-6, 0.01, 0.3, 0.5, 0.9, 0.999]) {
    near(betaCdf(x, 1, 7), 1 - (1 - x) ** 7, 1e-14, `Beta(1,7) at ${x}`);
    near(betaCdf(x, 3.5, 1), x ** 3.5, 1e-14, `Beta(3.5,1) at ${x}`);
  }
  near(betaQuantile(0.975, 1, 10), 1 - 0.025 ** (1 / 10), 1e-14, "Beta(1,10) 97.5%");
});

test("Clopper–Pearson at table values (95%)", () => {
  // k = 0, n = 10: upper = 1 − 0.025^(1/10) = 0.30850; k = n mirrors it.
  const [lo0, hi0] = clopperPearson(0, 10);
  assert.equal(lo0, 0);
  near(hi0, 0.3084971, 1e-6, "k=0 n=10 upper");
  const [loN, hiN] = clopperPearson(10, 10);
  near(loN, 1 - 0.3084971, 1e-6, "k=n=10 lower");
  assert.equal(hiN, 1);
  // Published exact intervals: 5/10 → [0.1871, 0.8129]; 1/10 → [0.0025, 0.4450]; 0/100 upper 0.0362.
  const [lo5, hi5] = clopperPearson(5, 10);
  near(lo5, 0.1871, 5e-5, "5/10 lower");
  near(hi5, 0.8129, 5e-5, "5/10 upper");
  const [lo1, hi1] = clopperPearson(1, 10);
  near(lo1, 0.0025, 5e-5, "1/10 lower");
  near(hi1, 0.4450, 5e-5, "1/10 upper");
  near(clopperPearson(0, 100)[1], 0.0362, 5e-5, "0/100 upper");
  assert.throws(() => clopperPearson(11, 10), /k = 11/);
  assert.throws(() => clopperPearson(1, 10, 1.5), /level/);
});

test("beta quantiles and CDF match scipy.stats.beta", { skip: skipUnlessPython("scipy", "python3-scipy") }, () => {
  const cases: Array<[number, number, number]> = [];
  for (const p of [1e-6, 0.025, 0.16, 0.5, 0.84, 0.975]) {
    for (const [a, b] of [[1, 10], [3, 8], [0.5, 0.5], [12, 4000], [1, 1e6], [250, 251], [4999, 2]]) cases.push([p, a, b]);
  }
  const py = "import sys, json; from scipy.stats import beta; c = json.load(sys.stdin); print(json.dumps([[beta.ppf(p, a, b), beta.cdf(beta.ppf(p, a, b), a, b)] for p, a, b in c]))";
  const r = spawnSync(SYSTEM_PYTHON, ["-c", py], { input: JSON.stringify(cases), encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const ref = JSON.parse(r.stdout) as Array<[number, number]>;
  cases.forEach(([p, a, b], i) => {
    const q = betaQuantile(p, a, b);
    near(q, ref[i][0], 1e-10 * Math.max(ref[i][0], 1e-300) + 1e-15, `ppf(${p}; ${a}, ${b})`);
    near(betaCdf(ref[i][0], a, b), ref[i][1], 1e-10, `cdf at ppf(${p}; ${a}, ${b})`);
  });
});
