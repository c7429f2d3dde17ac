/**
 * `hepllm demo --quick --model <folder>` on a real Hugging Face Llama folder that has no
 * `<JET_FEATURES>` token (stories260K, ../shared): the command runs through simulate, prepare,
 * split, training (fusion LLM, text LLM, MLP × 3 seeds), evaluation and the report. Checked
 * against the files, not against the code's own numbers: the fusion checkpoint carries the added
 * token (id len(tokenizer) = 512) in its tokenizer and as PEFT trainable_token_indices with its
 * row; the study's test AUC equals the pair-counting AUC of the run's own scores file.
 * Kept small with `--events 240` (test sets of tens of events); the report is the full one.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { SafetensorsFile } from "../../lib/llm/io/safetensors";
import { EMBED_ROWS } from "../../lib/llm/adapters/trainable-tokens";
import { pairAuc } from "../support/pair-auc";
import { REPO_ROOT, sharedFile, skipUnlessShared } from "../support/shared";

const MODEL = "fixtures/stories260K";
const skip = skipUnlessShared(MODEL);

interface EvalEntry {
  run: string;
  checkpoint: string;
  metrics: { auc: number };
  scoresFile: string;
}

test("demo --quick --model stories260K adds <JET_FEATURES>, trains every arm and writes the report", { skip, timeout: 1_800_000 }, () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "hepllm-demo-model-"));
  try {
    const r = spawnSync(process.execPath, [
      path.join(REPO_ROOT, "bin", "hepllm.js"), "demo", "--quick", "--model", sharedFile(MODEL)!,
      "--events", "240", "--seed", "2", "--jobs", "2", "--real-background", "", "--out", out,
    ], { encoding: "utf8", maxBuffer: 1 << 26 });
    assert.equal(r.status, 0, `demo failed (${r.status}):\n${r.stderr.slice(-3000)}\n${r.stdout.slice(-2000)}`);
    assert.match(r.stdout, /demo finished in /);
    const report = fs.readFileSync(path.join(out, "report", "interim-report.md"), "utf8");
    for (const arm of ["llm-fusion", "llm-text", "mlp"]) assert.ok(report.includes(arm), `the report lists ${arm}`);

    const study = JSON.parse(fs.readFileSync(path.join(out, "study.json"), "utf8")) as { baseModel: string; results: Record<string, Record<string, EvalEntry>> };
    assert.equal(study.baseModel, sharedFile(MODEL));
    const fusion = study.results["llm-fusion"]["1-1/test.jsonl"];
    assert.ok(fusion, "llm-fusion has 1:1 test results");
    const runDir = path.join(out, "runs", fusion.run);
    // The study's AUC is the AUC of the scores the run wrote (pair counting, independent of lib/metrics).
    const scores = fs.readFileSync(path.join(runDir, fusion.scoresFile), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { label: number; score: number });
    assert.ok(scores.length >= 10, `scored ${scores.length} test events`);
    const auc = pairAuc(scores.map((s) => s.label), scores.map((s) => s.score));
    assert.ok(Math.abs(auc - fusion.metrics.auc) < 1e-9, `study AUC ${fusion.metrics.auc} vs pair-counting ${auc}`);

    // The fusion checkpoint: the added token in its tokenizer and as a PEFT trainable token.
    const ckpt = path.join(runDir, fusion.checkpoint);
    const tok = JSON.parse(fs.readFileSync(path.join(ckpt, "tokenizer.json"), "utf8")) as { added_tokens: Array<{ id: number; content: string; special: boolean }> };
    assert.deepEqual(tok.added_tokens.find((t) => t.content === "<JET_FEATURES>"), { id: 512, content: "<JET_FEATURES>", single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
    const cfg = JSON.parse(fs.readFileSync(path.join(ckpt, "adapter_config.json"), "utf8")) as { trainable_token_indices: unknown };
    assert.deepEqual(cfg.trainable_token_indices, [512], "stories260K ties its head: the list form");
    const st = new SafetensorsFile(path.join(ckpt, "adapter_model.safetensors"));
    try {
      assert.deepEqual(st.info(EMBED_ROWS).shape, [1, 64]);
    } finally {
      st.close();
    }
    // The text arm's prompt has no placeholder: its checkpoint adds nothing.
    const text = study.results["llm-text"]["1-1/test.jsonl"];
    const textCfg = JSON.parse(fs.readFileSync(path.join(out, "runs", text.run, text.checkpoint, "adapter_config.json"), "utf8")) as Record<string, unknown>;
    assert.equal(textCfg.trainable_token_indices, undefined);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});
