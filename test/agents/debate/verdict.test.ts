import { test } from "node:test";
import assert from "node:assert/strict";
import { parseVerdict } from "../../../lib/agents/debate/verdict";

test("structured format", () => {
  const v = parseVerdict("VERDICT: Signal\nCONFIDENCE: 0.8\nREASONS:\n- two-prong leading jet (tau21 = 0.2)\n- m_jj near 3.5 TeV\n");
  assert.deepEqual([v.label, v.confidence, v.parsedFrom], ["signal", 0.8, "labelled"]);
  assert.deepEqual(v.reasons, ["two-prong leading jet (tau21 = 0.2)", "m_jj near 3.5 TeV"]);
});

test("markdown-decorated labels and percentages", () => {
  const v = parseVerdict("## Final decision\n**Decision:** background\n**Confidence:** 70%\n\n**Reasoning:** Both jets are light. The dijet mass is generic.");
  assert.deepEqual([v.label, v.confidence, v.parsedFrom], ["background", 0.7, "labelled"]);
  assert.deepEqual(v.reasons, ["Both jets are light.", "The dijet mass is generic."]);
});

test("JSON, fenced or bare", () => {
  const v = parseVerdict('Here you go:\n```json\n{"label": "background", "reasons": ["QCD-like"], "confidence": 0.6}\n```');
  assert.deepEqual([v.label, v.reasons, v.confidence, v.parsedFrom], ["background", ["QCD-like"], 0.6, "json"]);
  assert.equal(parseVerdict('{"verdict": "SIGNAL", "reason": "substructure"}').reasons[0], "substructure");
});

test("free text: assertions win, negations are ignored, ambiguity gives null", () => {
  const a = parseVerdict("Having weighed both sides, I conclude it is signal, because the leading jet is two-pronged.");
  assert.deepEqual([a.label, a.parsedFrom], ["signal", "free_text"]);
  assert.deepEqual(a.reasons, ["Having weighed both sides, I conclude it is signal, because the leading jet is two-pronged."]);
  assert.equal(parseVerdict("This is not signal: the jets look like QCD background.").label, "background");
  assert.equal(parseVerdict("A argued for signal and B for background; the event is most likely background.").label, "background");
  const none = parseVerdict("Both signal and background hypotheses are plausible here.");
  assert.deepEqual([none.label, none.parsedFrom], [null, "none"]);
  assert.equal(parseVerdict("VERDICT: maybe").label, null);
  assert.equal(parseVerdict("verdict: anomaly", ["anomaly", "standard"]).label, "anomaly");
});
