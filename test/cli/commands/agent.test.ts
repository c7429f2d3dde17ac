/** `hepllm agent` end to end against the scripted OpenAI server. */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { writeRecords } from "../../../lib/dataset/jsonl";
import { startScriptedServer } from "../../support/scripted-openai-server";
import { capture, records } from "./agent-fixtures";
import { command as agent } from "../../../lib/cli/commands/agent";

test("hepllm agent: bump hunt over a records file, final answer on stdout, transcript saved", async () => {
  const srv = await startScriptedServer((req, i) => {
    if (i === 0) return { tool_calls: [{ name: "bump_hunt", arguments: '{"range": [1000, 2000], "window": 100, "sideband": 100, "step": 100}' }] };
    const best = JSON.parse(req.messages.at(-1)!.content!).best;
    return { content: `Bump at ${best.lo}-${best.hi} GeV: n = ${best.n}, b = ${best.b}, Z = ${best.z.toFixed(2)}` };
  });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hepllm-cli-agent-"));
  try {
    const recFile = path.join(dir, "events.jsonl");
    writeRecords(recFile, records());
    const transcript = path.join(dir, "agent.json");
    const r = await capture(() => agent.run(["--question", "Any bump?", "--records", recFile, "--base-url", srv.url, "--model", "scripted", "--transcript", transcript]));
    assert.deepEqual(r, { code: 0, stdout: "Bump at 1500-1600 GeV: n = 25, b = 10, Z = 3.91" });
    const saved = JSON.parse(fs.readFileSync(transcript, "utf8"));
    assert.equal(saved.reason, "final_answer");
    assert.equal(saved.messages.filter((m: { role: string }) => m.role === "tool").length, 1);
  } finally {
    await srv.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
