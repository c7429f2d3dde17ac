/**
 * Tokenizer speed on event prompts: hepllm's encoder vs Hugging Face's tokenizers.js (measured in
 * the same run) for the Mistral v3 tokenizer.json when ../shared is present, and hepllm's own
 * tokenizer. Target: >= 20k prompts/minute on one core (encodeExample: prompt + both answers).
 *   node --import tsx bench/tokenize.ts [nPrompts]
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { loadTokenizer, Tokenizer } from "../lib/tokenizer";
import { encodeExample, formatPrompt, syntheticRecords, trainPromptTokenizer } from "../lib/prompts";

const n = Number(process.argv[2] ?? 5000);
const records = [...syntheticRecords(n, 123)];
const texts = records.map((r) => formatPrompt(r));

function perMinute(label: string, f: (i: number) => number): number {
  const t0 = process.hrtime.bigint();
  let tokens = 0;
  for (let i = 0; i < n; i++) tokens += f(i);
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  const rate = (n / s) * 60;
  console.log(`${label.padEnd(48)} ${Math.round(rate).toLocaleString("en").padStart(12)} prompts/min  (${(tokens / n).toFixed(0)} tokens/prompt)`);
  return rate;
}

async function main(): Promise<void> {
  const shared = path.resolve(__dirname, "..", "..", "shared", "fixtures", "mistral-v3");
  if (fs.existsSync(path.join(shared, "tokenizer.json"))) {
    const tok = loadTokenizer(shared);
    const { Tokenizer: Ref } = (await import("@huggingface/tokenizers")) as typeof import("@huggingface/tokenizers");
    const ref = new Ref(JSON.parse(fs.readFileSync(path.join(shared, "tokenizer.json"), "utf8")), JSON.parse(fs.readFileSync(path.join(shared, "tokenizer_config.json"), "utf8")));
    const ours = perMinute("mistral-v3 hepllm encode(text)", (i) => tok.encode(texts[i]).length);
    const theirs = perMinute("mistral-v3 tokenizers.js encode(text)", (i) => ref.encode(texts[i]).ids.length);
    perMinute("mistral-v3 hepllm encodeExample", (i) => encodeExample(tok, records[i]).promptIds.length);
    console.log(`ratio hepllm / tokenizers.js: ${(ours / theirs).toFixed(2)}`);
  } else {
    console.log(`(${shared} missing: Mistral v3 comparison skipped)`);
  }
  const own: Tokenizer = trainPromptTokenizer();
  const rate = perMinute("hepllm own tokenizer encodeExample", (i) => encodeExample(own, records[i]).promptIds.length);
  console.log(`target 20,000 prompts/min: ${rate >= 20000 ? "met" : "NOT met"} (${(rate / 20000).toFixed(1)}x)`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
