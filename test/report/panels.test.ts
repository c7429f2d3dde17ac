import { test } from "node:test";
import * as assert from "node:assert/strict";
import { overlaySpec, renderSVG, sideBySideSpec, toVega } from "../../lib/report";
import { assertWellFormedSVG } from "./files";

const a = overlaySpec({ name: "background", values: [1, 2, 3] }, { name: "signal", values: [2, 3, 4] }, { quantity: "x", range: [0, 5], bins: 5, title: "real" });
const b = overlaySpec({ name: "background", values: [1, 1, 2] }, { name: "signal", values: [4, 4, 5] }, { quantity: "x", range: [0, 5], bins: 5, title: "simulated" });

test("side-by-side figure: a vega-lite hconcat of the panels without their own $schema or plotly copy", async () => {
  const spec = sideBySideSpec([a, b], { title: "x: signal vs background" });
  assert.equal(spec.title, "x: signal vs background");
  const inner = spec.hconcat as Array<Record<string, unknown>>;
  assert.equal(inner.length, 2);
  for (const p of inner) {
    assert.equal(p.$schema, undefined);
    assert.equal(p.usermeta, undefined);
  }
  assert.match(String(inner[0].title), /^real — KS distance/);
  // Independent colour scales unless shared: each panel keeps its own legend.
  assert.deepEqual((spec.resolve as { scale: Record<string, string> }).scale.color, "independent");
  assert.equal(sideBySideSpec([a, b], { shareScales: true }).resolve, undefined);
  assert.doesNotThrow(() => toVega(spec));
  const svg = await renderSVG(spec);
  assertWellFormedSVG(svg, "side-by-side figure");
  // Both panel titles and the overall title are drawn.
  for (const t of ["x: signal vs background", "real — KS distance", "simulated — KS distance"]) assert.ok(svg.includes(t), `SVG lacks "${t}"`);
});

test("side-by-side figure: plotly subplots on one row, one legend entry per name", () => {
  const p = sideBySideSpec([a, b]).usermeta!.plotly!;
  // Two panels, gap 0.06: [0, 0.5 - 0.03] and [0.5 + 0.03, 1].
  const l = p.layout as Record<string, { domain?: number[]; anchor?: string }>;
  assert.deepEqual(l.xaxis.domain, [0, 0.47]);
  assert.deepEqual(l.xaxis2.domain, [0.53, 1]);
  assert.equal(l.xaxis2.anchor, "y2");
  assert.equal(l.yaxis2.anchor, "x2");
  assert.deepEqual(p.data.map((t) => [t.xaxis, t.yaxis]), [["x", "y"], ["x", "y"], ["x2", "y2"], ["x2", "y2"]]);
  assert.deepEqual(p.data.map((t) => t.showlegend), [true, true, false, false]);
  // Default title: the panel titles joined.
  assert.match(String(sideBySideSpec([a, b]).title), /^real — KS distance .* \| simulated — KS distance/);
  assert.throws(() => sideBySideSpec([]), /no panels/);
});

test("side-by-side figure: no interactive copy when a panel has none", () => {
  const { usermeta: _drop, ...plain } = a;
  assert.equal(sideBySideSpec([plain, b]).usermeta, undefined);
});
