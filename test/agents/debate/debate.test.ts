import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { OpenAIClient } from "../../../lib/agents/openai/client";
import { runDebate, Participant } from "../../../lib/agents/debate/debate";
import { saveTranscript } from "../../../lib/agents/debate/transcript";
import { startScriptedServer, ScriptedReply } from "../../support/scripted-openai-server";
import type { ChatRequest } from "../../../lib/agents/openai/types";

const QUESTION = [
  "Event 1234: n_jets = 2, M_jj = 3540 GeV.",
  "Jet 1: pT = 1710 GeV, m = 498 GeV, tau21 = 0.21, n_particles = 62.",
  "Jet 2: pT = 1650 GeV, m = 102 GeV, tau21 = 0.38, n_particles = 41.",
  "Is this event signal (W' -> X Y, X -> qq, Y -> qq) or QCD background?",
].join("\n");

/** Replies chosen by who is speaking (the "You are <name>." line) and in which round. */
function script(req: ChatRequest): ScriptedReply {
  const user = req.messages[1].content ?? "";
  const who = /You are (\w+)\./.exec(user)![1];
  const round = (user.match(/\[Skeptic, round/g) ?? []).length + 1;
  if (who === "Proposer") {
    return round === 1
      ? { content: "Signal. The leading jet has m = 498 GeV and tau21 = 0.21, a two-prong X candidate, and M_jj = 3.54 TeV sits at the expected resonance." }
      : { content: "The second jet's mass of 102 GeV is also consistent with Y -> qq; two massive jets at once are rare in QCD. I keep signal." };
  }
  if (who === "Skeptic") {
    return round === 1
      ? { content: "Background. A 500 GeV jet at pT = 1.7 TeV lies in the QCD jet-mass tail that hard gluon emission populates, and tau21 = 0.38 on jet 2 is one-prong-like." }
      : { content: "Rare is not impossible: at this M_jj QCD outnumbers signal by orders of magnitude, so background stays the prior favourite." };
  }
  return { content: "VERDICT: signal\nCONFIDENCE: 0.7\nREASONS:\n- Both jets are massive (498 and 102 GeV), which QCD rarely produces together.\n- The leading jet is clearly two-pronged (tau21 = 0.21).\n- The Skeptic's prior argument does not address the substructure." };
}

function panel(url: string): { debaters: Participant[]; judge: Participant } {
  const client = new OpenAIClient({ baseURL: url, retryBaseMs: 1, maxRetries: 0 });
  return {
    debaters: [
      { name: "Proposer", client, model: "scripted", system: "You argue from jet substructure." },
      { name: "Skeptic", client, model: "scripted", system: "You argue from QCD background rates." },
    ],
    judge: { name: "Judge", client, model: "scripted", system: "You are an impartial experimental physicist.", temperature: 0 },
  };
}

test("two rounds and a judge; transcript saved as JSON and Markdown", async () => {
  const srv = await startScriptedServer(script);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hepllm-debate-"));
  try {
    const t = await runDebate({ question: QUESTION, rounds: 2, ...panel(srv.url) });
    assert.equal(t.error, undefined);
    assert.deepEqual(
      t.turns.map((x) => `${x.round}:${x.speaker}:${x.role}`),
      ["1:Proposer:propose", "1:Skeptic:dispute", "2:Proposer:rebut", "2:Skeptic:dispute", "3:Judge:judge"],
    );
    // Each speaker saw the earlier turns; the judge saw them all.
    assert.match(srv.requests[1].messages[1].content!, /\[Proposer, round 1, propose\]\nSignal\. The leading jet/);
    assert.equal((srv.requests[4].messages[1].content!.match(/\[(Proposer|Skeptic), round/g) ?? []).length, 4);
    assert.match(srv.requests[4].messages[1].content!, /VERDICT: <one of: signal, background>/);
    assert.equal(srv.requests[4].temperature, 0);
    assert.equal(t.verdict!.label, "signal");
    assert.equal(t.verdict!.confidence, 0.7);
    assert.equal(t.verdict!.reasons.length, 3);

    const out = saveTranscript(t, path.join(dir, "debate-1234"));
    assert.deepEqual(JSON.parse(fs.readFileSync(out.json, "utf8")).verdict.label, "signal");
    const md = fs.readFileSync(out.markdown, "utf8");
    for (const s of ["## Round 1", "## Round 2", "## Judgement", "### Skeptic — dispute", "**signal** (confidence 0.7)", "- The leading jet is clearly two-pronged (tau21 = 0.21)."]) {
      assert.ok(md.includes(s), s);
    }
    assert.deepEqual(fs.readdirSync(dir).sort(), ["debate-1234.json", "debate-1234.md"]); // no temporary files left
    if (process.env.HEPLLM_DEBATE_DEMO) fs.copyFileSync(out.markdown, process.env.HEPLLM_DEBATE_DEMO);
  } finally {
    await srv.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("an endpoint failure ends the debate with the error recorded, and it still saves", async () => {
  const srv = await startScriptedServer((req, i) => (i === 1 ? { status: 400, content: "context too long" } : script(req)));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hepllm-debate-"));
  try {
    const t = await runDebate({ question: QUESTION, rounds: 1, ...panel(srv.url) });
    assert.equal(t.turns.length, 1);
    assert.equal(t.verdict, null);
    assert.match(t.error!, /context too long/);
    const out = saveTranscript(t, path.join(dir, "failed.md"));
    assert.match(fs.readFileSync(out.markdown, "utf8"), /The debate ended early:.*context too long/);
  } finally {
    await srv.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("configuration mistakes are refused", async () => {
  const p = panel("http://127.0.0.1:9/v1");
  await assert.rejects(runDebate({ question: "q", rounds: 0, ...p }), /rounds/);
  await assert.rejects(runDebate({ question: "q", rounds: 1, debaters: [], judge: p.judge }), /at least one debater/);
  await assert.rejects(runDebate({ question: "q", rounds: 1, debaters: [p.debaters[0], p.debaters[0]], judge: p.judge }), /distinct/);
});
