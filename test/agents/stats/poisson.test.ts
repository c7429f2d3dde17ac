import { test } from "node:test";
import assert from "node:assert/strict";
import { asimovSignificance, erfc, logLowerGammaSeries, poissonPValue, poissonSignificance, zFromPValue } from "../../../lib/agents/stats/poisson";

const close = (a: number, b: number, rel: number, what: string) => assert.ok(Math.abs(a - b) <= rel * Math.abs(b), `${what}: ${a} vs ${b}`);

/** P(N >= n | b) by direct summation of the Poisson terms: an implementation independent of the gamma function. */
function tailBySum(n: number, b: number): number {
  let term = Math.exp(-b);
  let cdf = 0;
  for (let k = 0; k < n; k++) {
    cdf += term;
    term *= b / (k + 1);
  }
  return 1 - cdf;
}

test("Poisson p-values match scipy.stats.poisson.sf and a direct sum", () => {
  // Reference values from scipy: poisson.sf(n - 1, b), norm.isf(p).
  const ref: Array<[number, number, number, number]> = [
    [25, 10, 4.694938142679987e-5, 3.9058396557323523],
    [10, 17.5, 0.9798957243648997, -2.0516000095512053],
    [1, 0.5, 0.3934693402873665, 0.270288020738736],
    [100, 60, 1.4815276326460494e-6, 4.673364286001684],
  ];
  for (const [n, b, p, z] of ref) {
    close(poissonPValue(n, b), p, 1e-10, `p(${n},${b})`);
    close(poissonSignificance(n, b), z, 1e-9, `Z(${n},${b})`);
    if (n < 30) close(poissonPValue(n, b), tailBySum(n, b), 1e-9, `sum(${n},${b})`);
  }
  assert.equal(poissonPValue(0, 3), 1);
});

test("normal quantiles: textbook values and tiny p", () => {
  close(zFromPValue(0.5 * erfc(5 / Math.SQRT2)), 5, 1e-12, "5 sigma round trip");
  close(zFromPValue(2.866515718791933e-7), 5, 1e-12, "5 sigma"); // scipy norm.sf(5)
  close(zFromPValue(0.15865525393145707), 1, 1e-10, "1 sigma"); // scipy norm.sf(1)
  close(zFromPValue(1e-30), 11.464024688443613, 1e-12, "1e-30"); // scipy norm.isf(1e-30)
  assert.ok(Math.abs(zFromPValue(0.5)) < 1e-15);
  assert.throws(() => poissonPValue(1.5, 2), /integer/);
  assert.throws(() => poissonPValue(3, 0), /> 0/);
});

test("huge excesses keep a finite Z when p underflows", () => {
  // Reference: mpmath (50 digits), ln p = ln gammainc(n, 0, b, regularized=True), z from ln(erfc(z/sqrt2)/2) = ln p.
  const ref: Array<[number, number, number, number]> = [
    [1807, 563, -867.51732151248234, 41.542053346162247],
    [2000, 500, -1277.0206935481177, 50.44166026110251],
    [400, 100, -258.14604590193459, 22.543721640109507],
  ];
  for (const [n, b, lnP, z] of ref) {
    close(logLowerGammaSeries(n, b)!, lnP, 1e-12, `ln p(${n},${b})`);
    close(poissonSignificance(n, b), z, 1e-6, `Z(${n},${b})`);
  }
  assert.equal(poissonPValue(2000, 500), 0); // below the smallest double
});

test("Asimov significance matches the closed form", () => {
  close(asimovSignificance(25, 10), Math.sqrt(2 * (25 * Math.log(2.5) - 15)), 1e-14, "Z_A");
  assert.ok(asimovSignificance(5, 10) < 0);
});
