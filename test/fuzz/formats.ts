/**
 * The fuzzed formats, shared by test/fuzz/*.test.ts (a few hundred inputs, fixed seed) and
 * bench/fuzz (≥ 10,000 per format). Each format builds valid seed inputs once, then offers an
 * arbitrary of mutated inputs (structured JSON edits and byte-level edits of the valid files), a
 * `run` that feeds one input to the real parser (through the file system where the parser reads
 * files), and the clean-error rule of test/fuzz/clean-error.ts applied to that format.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import fc from "fast-check";
import { Checkpoint, writeSafetensors } from "../../lib/llm/io/safetensors";
import { Event, openLHCO, writeLHCO } from "../../lib/events";
import { h5wasm } from "../../lib/events/hdf5";
import { readAllRecords } from "../../lib/dataset/jsonl";
import { loadTokenizer, saveTokenizer } from "../../lib/tokenizer/hf-tokenizer";
import { trainTokenizer } from "../../lib/tokenizer/train";
import { readTrainConfig, resolveTrainConfig } from "../../lib/train/config";
import { parseChatRequest } from "../../lib/serve/request";
import { makeRecord } from "../dataset/records";
import { uncleanHttpReason, uncleanReason } from "./clean-error";
import { applyByteOps, applyJsonOps, asParsedJson, byteOps, jsonOps, jsonText } from "./mutate";

export interface FuzzCase {
  arbitrary: fc.Arbitrary<unknown>;
  /** Feeds one input to the parser; resolves when it parsed, rejects with what the parser threw. */
  run(input: unknown): Promise<void>;
  /** Why an error thrown by `run` is not a clean hepllm error (undefined when it is clean). */
  unclean(err: unknown): string | undefined;
}

export interface FuzzFormat {
  name: string;
  /** Builds the seeds in `dir` (an empty folder owned by the format). */
  setup(dir: string): Promise<FuzzCase>;
}

const json = (s: string): unknown => JSON.parse(s);

// ---- safetensors: single file (bytes, header JSON and the 8-byte length) and sharded index ----

export const safetensorsFormat: FuzzFormat = {
  name: "safetensors",
  async setup(dir) {
    const tensors = {
      "a.weight": { dtype: "F32" as const, shape: [2, 3], data: Float32Array.from([1, -2, 3.5, 4, 5, 6]) },
      "b.norm": { dtype: "BF16" as const, shape: [4], data: Float32Array.from([1, 0.5, -0.25, 8]) },
      "c.ids": { dtype: "I64" as const, shape: [2], data: BigInt64Array.from([7n, -9n]) },
      "d.empty": { dtype: "U8" as const, shape: [0, 5], data: new Uint8Array(0) },
    };
    const seedFile = path.join(dir, "seed.safetensors");
    writeSafetensors(seedFile, tensors, { format: "pt" });
    const seed = new Uint8Array(fs.readFileSync(seedFile));
    const n = Number(Buffer.from(seed).readBigUInt64LE(0));
    const header = json(Buffer.from(seed.subarray(8, 8 + n)).toString("utf8"));
    const data = seed.subarray(8 + n);
    // Sharded: two valid shards and their index; only the index is mutated.
    const sharded = path.join(dir, "sharded");
    fs.mkdirSync(sharded);
    writeSafetensors(path.join(sharded, "s1.safetensors"), { "a.weight": tensors["a.weight"] });
    writeSafetensors(path.join(sharded, "s2.safetensors"), { "b.norm": tensors["b.norm"], "c.ids": tensors["c.ids"] });
    const index = { metadata: { total_size: 48 }, weight_map: { "a.weight": "s1.safetensors", "b.norm": "s2.safetensors", "c.ids": "s2.safetensors" } };
    const single = path.join(dir, "single");
    fs.mkdirSync(single);
    const file = path.join(single, "model.safetensors");
    const indexFile = path.join(sharded, "model.safetensors.index.json");
    const read = (d: string): void => {
      const ck = new Checkpoint(d);
      try {
        for (const name of ck.names()) ck.readFloat32(name);
      } finally {
        ck.close();
      }
    };
    return {
      arbitrary: fc.oneof(
        fc.record({ kind: fc.constant("bytes"), ops: byteOps }),
        fc.record({
          kind: fc.constant("header"),
          ops: jsonOps,
          // The 8-byte header length: right, off by a little, or an absurd claim (1 TB, 2^63).
          lenDelta: fc.constantFrom(0, 0, 0, -1, 1, -7, 2 ** 40, 2 ** 62),
          dataOps: fc.option(byteOps, { nil: undefined }),
        }),
        fc.record({ kind: fc.constant("index"), ops: jsonOps }),
      ),
      async run(input) {
        const x = input as { kind: string; ops: never[]; lenDelta?: number; dataOps?: never[] };
        if (x.kind === "bytes") {
          fs.writeFileSync(file, applyByteOps(seed, x.ops));
          read(single);
        } else if (x.kind === "header") {
          const text = Buffer.from(jsonText(applyJsonOps(header, x.ops)), "utf8");
          const len = Buffer.alloc(8);
          len.writeBigUInt64LE(BigInt(Math.max(0, text.length + (x.lenDelta ?? 0))));
          fs.writeFileSync(file, Buffer.concat([len, text, x.dataOps ? applyByteOps(data, x.dataOps) : data]));
          read(single);
        } else {
          fs.writeFileSync(indexFile, jsonText(applyJsonOps(index, x.ops)));
          read(sharded);
        }
      },
      unclean: (err) => uncleanReason(err, [dir]),
    };
  },
};

// ---- LHCO HDF5: byte edits of files written by lib/events/writer.ts, and odd layouts built with h5wasm ----

function sampleEvents(n: number, withLabel: boolean): Event[] {
  return Array.from({ length: n }, (_, id) => {
    const k = 1 + ((id * 37) % 60);
    return {
      id,
      label: withLabel ? ((id % 2) as 0 | 1) : null,
      pt: Float64Array.from({ length: k }, (_, i) => 1 + i * 3.25 + id),
      eta: Float64Array.from({ length: k }, (_, i) => Math.sin(i + id) * 2.5),
      phi: Float64Array.from({ length: k }, (_, i) => Math.cos(i * 1.7) * 3),
    };
  });
}

/** An HDF5 file that is not what the reader expects: shape, dtype, values, path, absurd row counts. */
interface OddLayout {
  rows: number;
  cols: number;
  /** Rows the dataset is resized to afterwards (chunks never written: no storage behind them). */
  resizeTo: number | null;
  dtype: string;
  rank: number;
  where: string;
  poison: "none" | "nan" | "negative" | "label2" | "inf";
}

const oddLayout: fc.Arbitrary<OddLayout> = fc.record({
  rows: fc.constantFrom(0, 1, 3),
  cols: fc.constantFrom(2101, 2100, 2101, 2100, 3, 1, 2102),
  resizeTo: fc.constantFrom(null, null, 5, 1e6, 1e12, 2 ** 40),
  dtype: fc.constantFrom("<d", "<d", "<f", "<i4", "<i8", ">d"),
  rank: fc.constantFrom(2, 2, 2, 1, 3),
  where: fc.constantFrom("df/block0_values", "df/block0_values", "df/values", "block0_values"),
  poison: fc.constantFrom("none", "nan", "negative", "label2", "inf"),
});

async function writeOddLayout(file: string, o: OddLayout): Promise<void> {
  const h5 = await h5wasm();
  const f = new h5.File(file, "w");
  try {
    const shape = o.rank === 2 ? [o.rows, o.cols] : o.rank === 1 ? [o.rows * o.cols] : [o.rows, o.cols, 1];
    const n = o.rows * o.cols;
    const values = new Float64Array(n);
    for (let i = 0; i < n; i++) values[i] = i % 3 === 0 ? 1 + (i % 97) : 0.5;
    if (n > 0) {
      const at = Math.min(n - 1, 7);
      if (o.poison === "nan") values[at] = NaN;
      else if (o.poison === "inf") values[at] = -Infinity;
      else if (o.poison === "negative") values[0] = -3;
      else if (o.poison === "label2") values[o.cols - 1] = 2;
    }
    const data =
      o.dtype === "<f" ? Float32Array.from(values) : o.dtype === "<i4" ? Int32Array.from(values, (v) => v | 0) : o.dtype === "<i8" ? BigInt64Array.from(values, (v) => BigInt(Math.trunc(v) || 0)) : values;
    if (o.where.includes("/")) f.create_group(o.where.split("/")[0]);
    const chunked = o.resizeTo !== null && o.rank === 2;
    const ds = f.create_dataset({
      name: o.where,
      data,
      shape,
      dtype: o.dtype,
      ...(chunked ? { maxshape: [null, o.cols], chunks: [Math.max(1, Math.min(32, o.rows || 32)), Math.max(1, o.cols)] } : {}),
    });
    if (chunked) ds.resize([o.resizeTo!, o.cols]);
  } finally {
    f.close();
  }
}

export const lhcoFormat: FuzzFormat = {
  name: "lhco-hdf5",
  async setup(dir) {
    const seeds: Uint8Array[] = [];
    for (const [name, withLabels, n] of [["seed-rd.h5", true, 3], ["seed-bb.h5", false, 2]] as const) {
      const p = path.join(dir, name);
      await writeLHCO(p, sampleEvents(n, withLabels), { withLabels });
      seeds.push(new Uint8Array(fs.readFileSync(p)));
    }
    const file = path.join(dir, "input.h5");
    return {
      arbitrary: fc.oneof(
        { weight: 3, arbitrary: fc.record({ kind: fc.constant("bytes"), seed: fc.constantFrom(0, 1), ops: byteOps }) },
        { weight: 1, arbitrary: fc.record({ kind: fc.constant("layout"), layout: oddLayout }) },
      ),
      async run(input) {
        const x = input as { kind: string; seed: number; ops: never[]; layout: OddLayout };
        fs.rmSync(file, { force: true });
        if (x.kind === "bytes") fs.writeFileSync(file, applyByteOps(seeds[x.seed], x.ops));
        else {
          try {
            await writeOddLayout(file, x.layout);
          } catch (err) {
            // h5wasm refused to build this layout: nothing to feed the reader.
            fs.rmSync(file, { force: true });
            return;
          }
        }
        const f = await openLHCO(file);
        try {
          for (const chunk of f.chunks({ chunkSize: 1000 })) void chunk;
        } finally {
          f.close();
        }
      },
      unclean: (err) => uncleanReason(err, [file]),
    };
  },
};

// ---- JSONL EventRecords: structured edits of one record line, byte edits of the whole file ----

export const jsonlFormat: FuzzFormat = {
  name: "jsonl",
  async setup(dir) {
    const records = [makeRecord(1), makeRecord(2, "signal"), makeRecord(3)];
    const text = records.map((r) => JSON.stringify(r)).join("\n") + "\n";
    const seed = new Uint8Array(Buffer.from(text));
    const file = path.join(dir, "records.jsonl");
    return {
      arbitrary: fc.oneof(
        fc.record({ kind: fc.constant("record"), line: fc.constantFrom(0, 1, 2), ops: jsonOps }),
        fc.record({ kind: fc.constant("bytes"), ops: byteOps }),
      ),
      async run(input) {
        const x = input as { kind: string; line: number; ops: never[] };
        if (x.kind === "record") {
          const lines = records.map((r, i) => (i === x.line ? jsonText(applyJsonOps(r, x.ops)) : JSON.stringify(r)));
          fs.writeFileSync(file, lines.join("\n") + "\n");
        } else fs.writeFileSync(file, applyByteOps(seed, x.ops));
        readAllRecords(file);
      },
      unclean: (err) => uncleanReason(err, [file]),
    };
  },
};

// ---- tokenizer.json (+ tokenizer_config.json): a trained hepllm tokenizer and a Mistral-style variant ----

const TOKENIZER_TEXT = "[INST] Jet 1: P_T=1234.5 GeV, eta=-0.25 ünïcødé 🤖 <JET_FEATURES> [/INST] signal</s>";

export const tokenizerFormat: FuzzFormat = {
  name: "tokenizer",
  async setup(dir) {
    const corpus = Array.from({ length: 40 }, (_, i) => `[INST] Event ${i}: jet P_T=${1000 + i * 17.5} GeV, eta=${(i % 7) - 3.5}, phi=${i % 3} [/INST] ${i % 2 ? "signal" : "background"}`);
    const trained = trainTokenizer(corpus, { vocabSize: 400 });
    const seeds: { tok: unknown; cfg: unknown }[] = [{ tok: trained.json, cfg: trained.config }];
    // A Mistral/Llama-style variant: normalizer chain, Split + Digits pre-tokenizers, Metaspace decoder.
    seeds.push({
      tok: {
        ...trained.json,
        normalizer: { type: "Sequence", normalizers: [{ type: "Prepend", prepend: "▁" }, { type: "Replace", pattern: { String: " " }, content: "▁" }, { type: "NFKC" }] },
        pre_tokenizer: { type: "Sequence", pretokenizers: [{ type: "Split", pattern: { Regex: "\\d" }, behavior: "Isolated", invert: false }, { type: "Digits", individual_digits: true }, { type: "Metaspace", replacement: "▁", prepend_scheme: "first", split: true }] },
        decoder: { type: "Sequence", decoders: [{ type: "Metaspace", replacement: "▁", prepend_scheme: "always" }, { type: "ByteFallback" }, { type: "Fuse" }, { type: "Strip", content: " ", start: 1, stop: 0 }] },
      },
      cfg: trained.config,
    });
    const texts = seeds.map((s) => new Uint8Array(Buffer.from(JSON.stringify(s.tok, null, 1))));
    const work = path.join(dir, "model");
    fs.mkdirSync(work);
    saveTokenizer(trained, work);
    const tokFile = path.join(work, "tokenizer.json");
    const cfgFile = path.join(work, "tokenizer_config.json");
    return {
      arbitrary: fc.oneof(
        fc.record({ kind: fc.constant("json"), seed: fc.constantFrom(0, 1), target: fc.constantFrom("tokenizer", "tokenizer", "tokenizer", "config"), ops: jsonOps }),
        fc.record({ kind: fc.constant("bytes"), seed: fc.constantFrom(0, 1), ops: byteOps }),
      ),
      async run(input) {
        const x = input as { kind: string; seed: number; target: string; ops: never[] };
        const s = seeds[x.seed];
        if (x.kind === "json") {
          fs.writeFileSync(tokFile, jsonText(x.target === "tokenizer" ? applyJsonOps(s.tok, x.ops) : s.tok));
          fs.writeFileSync(cfgFile, jsonText(x.target === "config" ? applyJsonOps(s.cfg, x.ops) : s.cfg));
        } else {
          fs.writeFileSync(tokFile, applyByteOps(texts[x.seed], x.ops));
          fs.writeFileSync(cfgFile, jsonText(s.cfg));
        }
        const tok = loadTokenizer(work);
        const ids = tok.encode(TOKENIZER_TEXT, { bos: tok.bosId >= 0, eos: tok.eosId >= 0 });
        tok.decode(ids);
        tok.decode(ids, { skipSpecial: true });
      },
      unclean: (err) => uncleanReason(err, [work]),
    };
  },
};

// ---- training configs: resolveTrainConfig on edited objects, readTrainConfig on edited files ----

export const trainConfigFormat: FuzzFormat = {
  name: "train-config",
  async setup(dir) {
    const llm = {
      run: "fuzz-run",
      outDir: "checkpoints",
      model: { kind: "llm", path: "models/tiny", lowMemory: true },
      data: { train: "data/train.jsonl", val: "data/val.jsonl", valName: "1:1", maxTrain: 100, maxVal: 50, maxJets: 2 },
      prompt: { precision: 2 },
      lora: { r: 8, alpha: 16, dropout: 0.05, targets: ["q_proj", "v_proj"], rslora: false },
      fusion: { mode: "token", dropout: 0.1, lrScale: 5 },
      optim: { lr: 2e-4, weightDecay: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, warmupSteps: 10, minLrRatio: 0.1, clipNorm: 1 },
      schedule: { epochs: 1, batchSize: 8, gradAccum: 1, maxSteps: null, logEverySteps: 10 },
      classWeights: "balanced",
      checkpoint: { everySteps: 100, keep: 3 },
      eval: { everySteps: null, batchSize: 16 },
      seed: 0,
    };
    const mlp = { run: "mlp", model: { kind: "mlp", hidden: [64, 32], dropout: 0.1 }, data: { train: "t.jsonl" }, classWeights: { signal: 2, background: 1 } };
    resolveTrainConfig(llm, "seed");
    resolveTrainConfig(mlp, "seed");
    const seeds = [llm, mlp];
    const texts = seeds.map((s) => new Uint8Array(Buffer.from(JSON.stringify(s, null, 2))));
    const file = path.join(dir, "fuzz-config.json");
    return {
      arbitrary: fc.oneof(
        fc.record({ kind: fc.constant("json"), seed: fc.constantFrom(0, 1), ops: jsonOps }),
        fc.record({ kind: fc.constant("bytes"), seed: fc.constantFrom(0, 1), ops: byteOps }),
      ),
      async run(input) {
        const x = input as { kind: string; seed: number; ops: never[] };
        if (x.kind === "json") resolveTrainConfig(asParsedJson(applyJsonOps(seeds[x.seed], x.ops)), file);
        else {
          fs.writeFileSync(file, applyByteOps(texts[x.seed], x.ops));
          readTrainConfig(file);
        }
      },
      unclean: (err) => uncleanReason(err, [file]),
    };
  },
};

// ---- chat-completion request bodies (already JSON-parsed by the server) ----

export const chatRequestFormat: FuzzFormat = {
  name: "chat-request",
  async setup() {
    const seeds: unknown[] = [
      { model: "hepllm", messages: [{ role: "user", content: "Is this event signal?" }] },
      {
        model: "hepllm",
        messages: [
          { role: "system", content: "You classify events." },
          { role: "user", content: [{ type: "text", text: "Event 1: " }, { type: "text", text: "M_jj=3500" }] },
          { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "classify", arguments: '{"id": 1}' } }] },
          { role: "tool", tool_call_id: "call_1", content: "signal" },
        ],
        tools: [{ type: "function", function: { name: "classify", description: "Label an event", parameters: { type: "object", properties: { id: { type: "integer" } } } } }],
        tool_choice: "auto",
        stream: true,
        stream_options: { include_usage: true },
        max_tokens: 64,
        temperature: 0.7,
        top_p: 0.9,
        seed: 42,
        stop: ["</s>", "\n\n"],
        n: 1,
      },
    ];
    const texts = seeds.map((s) => new Uint8Array(Buffer.from(JSON.stringify(s))));
    return {
      arbitrary: fc.oneof(
        { weight: 3, arbitrary: fc.record({ kind: fc.constant("json"), seed: fc.constantFrom(0, 1, 1), ops: jsonOps }) },
        { weight: 1, arbitrary: fc.record({ kind: fc.constant("bytes"), seed: fc.constantFrom(0, 1), ops: byteOps }) },
      ),
      async run(input) {
        const x = input as { kind: string; seed: number; ops: never[] };
        let body: unknown;
        if (x.kind === "json") body = asParsedJson(applyJsonOps(seeds[x.seed], x.ops));
        else {
          try {
            body = JSON.parse(Buffer.from(applyByteOps(texts[x.seed], x.ops)).toString("utf8"));
          } catch {
            return; // not JSON: the server answers 400 before parseChatRequest sees it
          }
        }
        parseChatRequest(body);
      },
      unclean: (err) => uncleanHttpReason(err),
    };
  },
};

export const FUZZ_FORMATS: FuzzFormat[] = [safetensorsFormat, lhcoFormat, jsonlFormat, tokenizerFormat, trainConfigFormat, chatRequestFormat];
