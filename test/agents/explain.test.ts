import { test } from "node:test";
import assert from "node:assert/strict";
import { parseExplained, withExplanation, EXPLAIN_INSTRUCTION } from "../../lib/agents/explain";

test("the instruction goes inside the [INST] block", () => {
  const p = withExplanation("[INST] Classify this event as 'signal' or 'background'.\nJet 1: pT 1300 [/INST]");
  assert.equal(p, `[INST] Classify this event as 'signal' or 'background'.\nJet 1: pT 1300\n${EXPLAIN_INSTRUCTION} [/INST]`);
  assert.equal(withExplanation("plain  "), `plain\n${EXPLAIN_INSTRUCTION}`);
});

test("label then reason, in the usual shapes", () => {
  const cases: Array<[string, string | null, string | null]> = [
    ["signal. Because the leading jet has tau21 = 0.2 and m = 500 GeV.", "signal", "Because the leading jet has tau21 = 0.2 and m = 500 GeV."],
    ["Background - because both jets are light (m < 100 GeV). Extra text.", "background", "Because both jets are light (m < 100 GeV)."],
    ["**signal**: the m_jj of 3.5 TeV sits on the resonance", "signal", "The m_jj of 3.5 TeV sits on the resonance"],
    ["background", "background", null],
    ["I think this is signal since tau21 is small.", "signal", "Since tau21 is small."],
    ["no idea", null, null],
  ];
  for (const [text, label, why] of cases) assert.deepEqual(parseExplained(text), { label, explanation: why }, text);
});
