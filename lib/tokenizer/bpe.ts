/**
 * Byte-pair encoding of one pre-tokenized word, Hugging Face semantics: start from characters
 * (unknown characters fall back to their UTF-8 bytes as `<0xNN>` tokens, else `<unk>`), then
 * repeatedly apply the merge of lowest rank, leftmost first, until none applies.
 * A binary heap of (rank, position) keys keeps a word of n symbols at O(n log n).
 */

export interface BpeSpec {
  /** token -> id */
  vocab: Map<string, number>;
  /** Merge pairs in rank order (rank = index). */
  merges: Array<[string, string]>;
  byteFallback: boolean;
  unkId: number | undefined;
  /** Consecutive unknown characters become one `<unk>` (HF fuse_unk). */
  fuseUnk: boolean;
}

const MAX_CACHED_LENGTH = 48; // characters; longer words are encoded afresh
const MAX_CACHE_ENTRIES = 100000; // bounds memory (~10 MB)
const POS_BITS = 2097152; // 2^21: positions per word in a heap key (rank * 2^21 + position)

export class BpeModel {
  private readonly vocab: Map<string, number>;
  /** (idA * PAIR_BASE + idB) -> merge index; mergeNew/rank per index. */
  private readonly pairIndex = new Map<number, number>();
  private readonly mergeNew: Int32Array;
  private readonly pairBase: number;
  private readonly byteIds: Int32Array; // byte value -> id of <0xNN>, -1 when absent
  private readonly cache = new Map<string, number[]>();
  private readonly spec: BpeSpec;

  constructor(spec: BpeSpec) {
    this.spec = spec;
    this.vocab = spec.vocab;
    let maxId = 0;
    for (const id of spec.vocab.values()) maxId = Math.max(maxId, id);
    this.pairBase = maxId + 1;
    this.mergeNew = new Int32Array(spec.merges.length);
    spec.merges.forEach(([a, b], rank) => {
      const ia = spec.vocab.get(a);
      const ib = spec.vocab.get(b);
      const inew = spec.vocab.get(a + b);
      if (ia === undefined || ib === undefined || inew === undefined) {
        throw new Error(`BPE merge ${rank} (${JSON.stringify(a)}, ${JSON.stringify(b)}) uses a token missing from the vocabulary`);
      }
      const key = ia * this.pairBase + ib;
      if (!this.pairIndex.has(key)) this.pairIndex.set(key, rank);
      this.mergeNew[rank] = inew;
    });
    this.byteIds = new Int32Array(256).fill(-1);
    for (let b = 0; b < 256; b++) {
      const id = spec.vocab.get(byteToken(b));
      if (id !== undefined) this.byteIds[b] = id;
    }
  }

  /** Ids of one word (short words memoised: prompts repeat them; long segments rarely repeat). */
  encodeWord(word: string): number[] {
    if (word.length > MAX_CACHED_LENGTH) return this.merge(this.initialSymbols(word));
    const hit = this.cache.get(word);
    if (hit) return hit.slice();
    const ids = this.merge(this.initialSymbols(word));
    if (this.cache.size >= MAX_CACHE_ENTRIES) this.cache.clear();
    this.cache.set(word, ids);
    return ids.slice();
  }

  /** Characters as ids, with byte fallback / unk for characters outside the vocabulary. */
  private initialSymbols(word: string): number[] {
    const out: number[] = [];
    let lastWasUnk = false;
    for (const ch of word) {
      const id = this.vocab.get(ch);
      if (id !== undefined) {
        out.push(id);
        lastWasUnk = false;
        continue;
      }
      if (this.spec.byteFallback) {
        const bytes = Buffer.from(ch, "utf8");
        let all = true;
        for (const b of bytes) if (this.byteIds[b] < 0) all = false;
        if (all) {
          for (const b of bytes) out.push(this.byteIds[b]);
          lastWasUnk = false;
          continue;
        }
      }
      if (this.spec.unkId === undefined) throw new Error(`character ${JSON.stringify(ch)} is not in the vocabulary and there is no <unk>`);
      if (!(this.spec.fuseUnk && lastWasUnk)) out.push(this.spec.unkId);
      lastWasUnk = true;
    }
    return out;
  }

  private rankOf(a: number, b: number): number {
    const r = this.pairIndex.get(a * this.pairBase + b);
    return r === undefined ? -1 : r;
  }

  /** Lowest-rank-first merging over a doubly linked list of symbols. */
  private merge(sym: number[]): number[] {
    const n = sym.length;
    if (n < 2) return sym;
    if (n >= POS_BITS) throw new Error(`BPE word of ${n} symbols is too long`);
    const ids = Int32Array.from(sym);
    const prev = new Int32Array(n);
    const next = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      prev[i] = i - 1;
      next[i] = i + 1 < n ? i + 1 : -1;
    }
    const heap: number[] = [];
    const push = (pos: number): void => {
      const nx = next[pos];
      if (nx < 0) return;
      const r = this.rankOf(ids[pos], ids[nx]);
      if (r >= 0) heapPush(heap, r * POS_BITS + pos);
    };
    for (let i = 0; i + 1 < n; i++) push(i);
    while (heap.length > 0) {
      const key = heapPop(heap);
      const rank = Math.floor(key / POS_BITS);
      const pos = key - rank * POS_BITS;
      if (ids[pos] < 0) continue; // symbol merged away
      const nx = next[pos];
      if (nx < 0 || this.rankOf(ids[pos], ids[nx]) !== rank) continue; // stale pair
      ids[pos] = this.mergeNew[rank];
      ids[nx] = -1;
      const nn = next[nx];
      next[pos] = nn;
      if (nn >= 0) prev[nn] = pos;
      if (prev[pos] >= 0) push(prev[pos]);
      push(pos);
    }
    const out: number[] = [];
    for (let i = 0; i >= 0; i = next[i]) out.push(ids[i]);
    return out;
  }
}

/** The byte-fallback token of a byte: `<0x0A>`. */
export function byteToken(b: number): string {
  return `<0x${b.toString(16).toUpperCase().padStart(2, "0")}>`;
}

function heapPush(h: number[], x: number): void {
  let i = h.length;
  h.push(x);
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (h[p] <= x) break;
    h[i] = h[p];
    i = p;
  }
  h[i] = x;
}

function heapPop(h: number[]): number {
  const top = h[0];
  const last = h.pop()!;
  const n = h.length;
  if (n > 0) {
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && h[r] < h[l] ? r : l;
      if (h[c] >= last) break;
      h[i] = h[c];
      i = c;
    }
    h[i] = last;
  }
  return top;
}
