/** `hepllm debate` end to end against the scripted OpenAI server. */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { writeRecords } from "../../../lib/dataset/jsonl";
import { startScriptedServer } from "../../support/scripted-openai-server";
import { capture, records } from "./agent-fixtures";
import { command as debate } from "../../../lib/cli/commands/debate";

test("hepllm debate: panel file, event question from records, transcript files, verdict on stdout", async () => {
  const srv = await startScriptedServer((req) => {
    const user = req.messages[1].content ?? "";
    if (/You are Judge\./.test(user)) return { content: "**Verdict:** background\nReasons:\n- jet 2 is one-prong" };
    return { content: `${/You are (\w+)\./.exec(user)![1]} speaks.` };
  });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hepllm-cli-debate-"));
  try {
    const recFile = path.join(dir, "events.jsonl");
    writeRecords(recFile, records());
    const endpoints = path.join(dir, "endpoints.json");
    fs.writeFileSync(endpoints, JSON.stringify({ default: "s", endpoints: { s: { baseURL: srv.url, model: "scripted" } } }));
    const panel = path.join(dir, "panel.json");
    fs.writeFileSync(panel, JSON.stringify({ rounds: 1, debaters: [{ name: "A", endpoint: "s", system: "pro" }, { name: "B", endpoint: "s", system: "contra" }], judge: { name: "Judge", endpoint: "s", system: "judge" } }));
    const base = path.join(dir, "out", "debate-57");
    const r = await capture(() => debate.run(["--panel", panel, "--records", recFile, "--id", "57", "--out", base, "--endpoints", endpoints, "--quiet"]));
    assert.deepEqual(r, { code: 0, stdout: "background" });
    assert.equal(srv.requests.length, 3);
    const q = srv.requests[0].messages[1].content!;
    assert.match(q, /Event 57: 180 particles, 3 jets/);
    assert.match(q, /M_jj = 1550 GeV/);
    assert.doesNotMatch(q, /signal"|type/); // the truth label is withheld
    const saved = JSON.parse(fs.readFileSync(`${base}.json`, "utf8"));
    assert.deepEqual(saved.verdict.reasons, ["jet 2 is one-prong"]);
    assert.match(fs.readFileSync(`${base}.md`, "utf8"), /### B — dispute/);
  } finally {
    await srv.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

