/**
 * A Hugging Face `tokenizer.json` (+ `tokenizer_config.json`) tokenizer: added tokens split first,
 * then normalizer -> pre-tokenizer -> BPE (byte fallback) per segment; decoding through the file's
 * decoder chain. Exact against SentencePiece for Mistral v3 (see test/tokenizer/sentencepiece.test.ts).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { writeFileAtomic } from "../util/atomic";
import { AddedToken, AddedTokenSplitter } from "./added-tokens";
import { BpeModel } from "./bpe";
import { Decoder, buildDecoder } from "./decoder";
import { Normalizer, buildNormalizer } from "./normalizer";
import { PreTokenizer, buildPreTokenizer } from "./pretokenizer";
import { isJsonObject, jsonArray, showJson } from "./show-json";
import { DecodeOptions, EncodeOptions, END_INST_TOKEN, INST_TOKEN, Tokenizer } from "./types";

type Json = Record<string, unknown>;

/** Largest token id accepted (2^24 - 1, far above real vocabularies of ~32k-256k): ids index arrays. */
const MAX_TOKEN_ID = 2 ** 24 - 1;

export class HfTokenizer implements Tokenizer {
  readonly bosId: number;
  readonly eosId: number;
  readonly padId: number;
  readonly unkId: number;
  readonly vocabSize: number;
  readonly hasControlTokens: boolean;
  /** Whether `hepllm tokenize` and HF's default encoding add BOS (tokenizer_config add_bos_token). */
  readonly addBosByDefault: boolean;
  readonly addEosByDefault: boolean;
  private readonly toId = new Map<string, number>();
  private readonly toToken: string[] = [];
  private readonly special = new Set<number>();
  private readonly splitter: AddedTokenSplitter;
  private readonly normalizer: Normalizer;
  private readonly preTokenizer: PreTokenizer;
  private readonly decoder: Decoder;
  private readonly bpe: BpeModel;

  /** `json`: parsed tokenizer.json; `config`: parsed tokenizer_config.json ({} when absent); `where` names the source in errors. */
  constructor(readonly json: Json, readonly config: Json, private readonly where = "tokenizer.json") {
    if (!isJsonObject(json)) throw new Error(`${where}: must be a JSON object, got ${showJson(json)}`);
    if (!isJsonObject(config)) throw new Error(`${where}: tokenizer_config.json must be a JSON object, got ${showJson(config)}`);
    const model = isJsonObject(json.model) ? json.model : undefined;
    if (!model || model.type !== "BPE") {
      throw new Error(`${where}: model.type must be "BPE" (got ${showJson(model?.type)}); only BPE vocabularies are supported`);
    }
    const vocabJson = model.vocab as Record<string, number> | undefined;
    if (!vocabJson || typeof vocabJson !== "object") throw new Error(`${where}: model.vocab is missing`);
    const vocab = new Map<string, number>();
    for (const [tok, id] of Object.entries(vocabJson)) {
      if (!Number.isInteger(id) || id < 0 || id > MAX_TOKEN_ID) throw new Error(`${where}: model.vocab[${JSON.stringify(tok)}] = ${showJson(id)} is not a valid id`);
      vocab.set(tok, id);
    }
    const added: AddedToken[] = jsonArray(json.added_tokens ?? [], `${where}: added_tokens`).map((t, i) => {
      if (!isJsonObject(t) || typeof t.content !== "string" || !Number.isInteger(t.id) || (t.id as number) < 0 || (t.id as number) > MAX_TOKEN_ID) {
        throw new Error(`${where}: added_tokens[${i}] needs content and an id in [0, ${MAX_TOKEN_ID}]`);
      }
      return {
        id: t.id as number,
        content: t.content,
        special: t.special === true,
        lstrip: t.lstrip === true,
        rstrip: t.rstrip === true,
        singleWord: t.single_word === true,
        normalized: t.normalized === true,
      };
    });
    for (const [tok, id] of vocab) this.setToken(tok, id);
    for (const t of added) {
      this.setToken(t.content, t.id);
      if (t.special) this.special.add(t.id);
    }
    this.vocabSize = this.toToken.length;
    const merges = jsonArray(model.merges ?? [], `${where}: model.merges`).map((m, i): [string, string] => {
      // Strings only: String() of a deeply nested array recurses until a RangeError.
      if (Array.isArray(m) && m.length === 2 && typeof m[0] === "string" && typeof m[1] === "string") return [m[0], m[1]];
      if (typeof m === "string") {
        const sp = m.indexOf(" ", 1);
        if (sp > 0) return [m.slice(0, sp), m.slice(sp + 1)];
      }
      throw new Error(`${where}: model.merges[${i}] is not a pair: ${showJson(m)}`);
    });
    const unkTok = typeof model.unk_token === "string" ? model.unk_token : undefined;
    const unkId = unkTok !== undefined ? vocab.get(unkTok) : undefined;
    try {
      this.bpe = new BpeModel({ vocab, merges, byteFallback: model.byte_fallback === true, unkId, fuseUnk: model.fuse_unk === true });
    } catch (err) {
      throw new Error(`${where}: model: ${(err as Error).message}`);
    }
    this.splitter = new AddedTokenSplitter(added);
    this.normalizer = buildNormalizer(json.normalizer, `${where}: normalizer`);
    this.preTokenizer = buildPreTokenizer(json.pre_tokenizer, `${where}: pre_tokenizer`);
    this.decoder = buildDecoder(json.decoder, `${where}: decoder`);

    const lookup = (key: string, fallback: string | null): number => {
      const v = this.config[key];
      const name = typeof v === "string" ? v : v && typeof v === "object" && typeof (v as Json).content === "string" ? ((v as Json).content as string) : fallback;
      return name === null ? -1 : this.toId.get(name) ?? -1;
    };
    this.unkId = unkId ?? lookup("unk_token", "<unk>");
    this.bosId = lookup("bos_token", "<s>");
    this.eosId = lookup("eos_token", "</s>");
    const pad = lookup("pad_token", null);
    this.padId = pad >= 0 ? pad : this.unkId >= 0 ? this.unkId : 0;
    this.addBosByDefault = this.config.add_bos_token !== false && this.bosId >= 0;
    this.addEosByDefault = this.config.add_eos_token === true && this.eosId >= 0;
    const inst = this.toId.get(INST_TOKEN);
    const endInst = this.toId.get(END_INST_TOKEN);
    this.hasControlTokens = inst !== undefined && endInst !== undefined && this.special.has(inst) && this.special.has(endInst);
  }

  private setToken(tok: string, id: number): void {
    this.toId.set(tok, id);
    this.toToken[id] = tok;
  }

  encode(text: string, opts: EncodeOptions = {}): number[] {
    try {
      return this.encodeUnchecked(text, opts);
    } catch (err) {
      // e.g. a character outside a vocabulary without byte fallback or <unk>: name the tokenizer.
      throw new Error(`${this.where}: cannot encode: ${(err as Error).message}`);
    }
  }

  private encodeUnchecked(text: string, opts: EncodeOptions): number[] {
    const prefix = opts.prefix !== false;
    const out: number[] = [];
    if (opts.bos) out.push(this.bosId);
    const segments = opts.addedTokens === false ? (text ? [{ text, start: 0 }] : []) : this.splitter.split(text);
    for (const seg of segments) {
      if ("id" in seg) {
        out.push(seg.id);
        continue;
      }
      const first = seg.start === 0;
      const normalized = this.normalizer(seg.text, prefix || !first);
      for (const word of this.preTokenizer([normalized], prefix && first)) {
        for (const id of this.bpe.encodeWord(word)) out.push(id);
      }
    }
    if (opts.eos) out.push(this.eosId);
    return out;
  }

  decode(ids: number[], opts: DecodeOptions = {}): string {
    const tokens: string[] = [];
    for (const id of ids) {
      if (opts.skipSpecial && this.special.has(id)) continue;
      const t = this.toToken[id];
      if (t === undefined) throw new Error(`decode: id ${id} is outside the vocabulary (size ${this.vocabSize})`);
      tokens.push(t);
    }
    return this.decoder(tokens).join("");
  }

  tokenToId(tok: string): number | undefined {
    return this.toId.get(tok);
  }

  idToToken(id: number): string | undefined {
    return this.toToken[id];
  }

  isSpecial(id: number): boolean {
    return this.special.has(id);
  }
}

/** Reads `<dir>/tokenizer.json` (+ `<dir>/tokenizer_config.json` when present). */
export function loadTokenizer(dir: string): HfTokenizer {
  const file = path.join(dir, "tokenizer.json");
  if (!fs.existsSync(file)) throw new Error(`${file}: not found (a model folder needs tokenizer.json)`);
  const json = readJson(file);
  const cfgFile = path.join(dir, "tokenizer_config.json");
  const config = fs.existsSync(cfgFile) ? readJson(cfgFile) : {};
  return new HfTokenizer(json, config, file);
}

function readJson(file: string): Json {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as Json;
  } catch (err) {
    throw new Error(`${file}: not valid JSON (${(err as Error).message})`);
  }
}

/** Writes `<dir>/tokenizer.json` and `<dir>/tokenizer_config.json` (each atomically). */
export function saveTokenizer(tok: HfTokenizer, dir: string): void {
  writeFileAtomic(path.join(dir, "tokenizer.json"), JSON.stringify(tok.json, null, 1) + "\n");
  writeFileAtomic(path.join(dir, "tokenizer_config.json"), JSON.stringify(tok.config, null, 2) + "\n");
}
