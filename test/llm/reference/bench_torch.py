"""PyTorch (CPU) timings of the same decoder as bench/llm.ts, for its ratios: prompt processing,
KV-cached decoding and one LoRA training step (forward + backward to the adapters).

usage: bench_torch.py CONFIG_JSON SETTINGS_JSON  -> prints one JSON object {measure: [wall s, CPU s]}
  CONFIG_JSON: hepllm-style Hugging Face config.json path; SETTINGS_JSON: {"threads", "prompt",
  "batch", "decode", "trainBatch", "trainLen", "loraR", "repeats"}
"""
import json
import math
import sys
import time

import torch


def rms(x, w, eps):
    return w * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps))


def rot(x):
    h = x.shape[-1] // 2
    return torch.cat((-x[..., h:], x[..., :h]), dim=-1)


class Model:
    def __init__(self, c, lora_r):
        g = torch.Generator().manual_seed(0)
        n = lambda *s: torch.randn(*s, generator=g) * 0.02  # noqa: E731
        self.c = c
        D, I, H, KV, hd, V = c["hidden_size"], c["intermediate_size"], c["num_attention_heads"], c["num_key_value_heads"], c["head_dim"], c["vocab_size"]
        self.E = n(V, D)
        self.head = n(V, D)
        self.layers = []
        for _ in range(c["num_hidden_layers"]):
            L = {"q": n(H * hd, D), "k": n(KV * hd, D), "v": n(KV * hd, D), "o": n(D, H * hd),
                 "g": n(I, D), "u": n(I, D), "d": n(D, I), "n1": torch.ones(D), "n2": torch.ones(D)}
            if lora_r:
                for t, (o, i) in {"q": (H * hd, D), "v": (KV * hd, D)}.items():
                    L[t + "A"] = (torch.rand(lora_r, i, generator=g) - 0.5).requires_grad_()
                    L[t + "B"] = (torch.randn(o, lora_r, generator=g) * 0.01).requires_grad_()
            self.layers.append(L)
        self.scale = 2.0

    def lin(self, L, x, t):
        y = x @ L[t].T
        if t + "A" in L:
            y = y + self.scale * ((x @ L[t + "A"].T) @ L[t + "B"].T)
        return y

    def forward(self, ids, cache=None, last_only=True):
        c = self.c
        B, T = ids.shape
        H, KV, hd, eps = c["num_attention_heads"], c["num_key_value_heads"], c["head_dim"], c["rms_norm_eps"]
        past = 0 if cache is None or cache[0] is None else cache[0][0].shape[2]
        pos = torch.arange(past, past + T)
        inv = 1.0 / (c["rope_theta"] ** (torch.arange(0, hd, 2).float() / hd))
        f = pos[:, None].float() * inv[None]
        emb = torch.cat((f, f), -1)
        cos, sin = emb.cos(), emb.sin()
        S = past + T
        i = torch.arange(past, S)[:, None]
        j = torch.arange(S)[None]
        bias = torch.zeros(T, S).masked_fill(j > i, float("-inf"))
        x = self.E[ids]
        for li, L in enumerate(self.layers):
            h = rms(x, L["n1"], eps)
            q = self.lin(L, h, "q").view(B, T, H, hd).transpose(1, 2)
            k = self.lin(L, h, "k").view(B, T, KV, hd).transpose(1, 2)
            v = self.lin(L, h, "v").view(B, T, KV, hd).transpose(1, 2)
            q = q * cos + rot(q) * sin
            k = k * cos + rot(k) * sin
            if cache is not None:
                if cache[li] is not None:
                    k = torch.cat((cache[li][0], k), 2)
                    v = torch.cat((cache[li][1], v), 2)
                cache[li] = (k, v)
            k = k.repeat_interleave(H // KV, 1)
            v = v.repeat_interleave(H // KV, 1)
            a = torch.softmax(q @ k.transpose(2, 3) / math.sqrt(hd) + bias, -1)
            x = x + self.lin(L, (a @ v).transpose(1, 2).reshape(B, T, H * hd), "o")
            h = rms(x, L["n2"], eps)
            x = x + self.lin(L, torch.nn.functional.silu(self.lin(L, h, "g")) * self.lin(L, h, "u"), "d")
        x = rms(x, torch.ones(x.shape[-1]), eps)
        if last_only:
            x = x[:, -1:]
        return x @ self.head.T


def best(fn, repeats):
    """[wall seconds, process CPU seconds], each the best of `repeats` after a warm-up."""
    fn()
    wall, cpu = [], []
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return [min(wall), min(cpu)]


def main():
    c = json.load(open(sys.argv[1]))
    s = json.loads(sys.argv[2])
    torch.set_num_threads(s["threads"])
    m = Model(c, 0)
    ids = torch.randint(3, c["vocab_size"], (s["batch"], s["prompt"]))
    out = {}
    with torch.no_grad():
        out["prefill"] = best(lambda: m.forward(ids), s["repeats"])

        def decode():
            cache = [None] * c["num_hidden_layers"]
            m.forward(ids[:1], cache)
            t0, c0 = time.perf_counter(), time.process_time()
            tok = ids[:1, -1:]
            for _ in range(s["decode"]):
                tok = m.forward(tok, cache).argmax(-1)
            return [time.perf_counter() - t0, time.process_time() - c0]

        decode()
        runs = [decode() for _ in range(s["repeats"])]
        out["decode"] = [min(r[0] for r in runs), min(r[1] for r in runs)]
    mt = Model(c, s["loraR"])
    tids = torch.randint(3, c["vocab_size"], (s["trainBatch"], s["trainLen"]))

    def step():
        loss = mt.forward(tids).pow(2).mean()
        loss.backward()

    out["train"] = best(step, s["repeats"])
    print(json.dumps(out))


if __name__ == "__main__":
    main()
