"""The LoRA training step of bench/train.ts in plain PyTorch (CPU, float32), as a small server so
the benchmark can interleave its timings with tfjs's under the same machine load.

The model is read from the folders bench/train.ts writes (Hugging Face config.json +
model.safetensors; PEFT adapter_config.json + adapter_model.safetensors), so both sides start
from identical weights. Architecture as Hugging Face MistralForCausalLM: RMSNorm, rotate-half
RoPE, grouped-query causal attention via repeat_kv (+ sliding window), SwiGLU; LoRA
y = x W^T + s (x A^T) B^T on the adapter's target projections; the base model is frozen.
One step = forward, cross-entropy, backward to the LoRA tensors only, torch.optim.AdamW, and
loss.item() (as the tfjs side reads its loss).

usage: lora_step.py MODEL_DIR ADAPTER_DIR SETTINGS_JSON
  SETTINGS_JSON: {"threads": int (0 = torch's default), "ids": [[...]] [B][T], "loss": "all" | "answer",
                  "labels": [...] (answer mode: one target id per row), "lr": float, "weightDecay": float}
Then reads commands on stdin, one per line:  "steps N"  -> prints {"times": [wall s...], "cpu": [process CPU s...], "losses": [...]}
                                             "gemm M K N REPS" -> {"cpu": median CPU s of one [M,K]@[K,N]}
                                             "quit"
"""
import json
import math
import os
import sys
import time

import numpy as np
import torch


sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "test", "llm", "reference"))
from st_numpy import read_safetensors as read_numpy  # noqa: E402  (the suite's independent numpy reader)


def read_safetensors(path):
    """name -> float32 torch tensor (F32 files only: what hepllm writes for this benchmark)."""
    return {name: torch.from_numpy(np.array(a, dtype=np.float32)) for name, a in read_numpy(path).items()}


def rms_norm(x, w, eps):
    return w * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps))


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat((-x[..., h:], x[..., :h]), dim=-1)


class LoraModel:
    def __init__(self, model_dir, adapter_dir):
        self.cfg = c = json.load(open(os.path.join(model_dir, "config.json")))
        self.W = read_safetensors(os.path.join(model_dir, "model.safetensors"))  # frozen: no grad
        acfg = json.load(open(os.path.join(adapter_dir, "adapter_config.json")))
        r, alpha = acfg["r"], acfg["lora_alpha"]
        self.scale = alpha / math.sqrt(r) if acfg.get("use_rslora") else alpha / r
        A = read_safetensors(os.path.join(adapter_dir, "adapter_model.safetensors"))
        prefix = "base_model.model."
        self.lora = {}  # module name -> (A [r, in], B [out, r]), trainable
        for name in sorted(A):
            if name.endswith(".lora_A.weight"):
                module = name[len(prefix):-len(".lora_A.weight")]
                a = A[name].clone().requires_grad_()
                b = A[prefix + module + ".lora_B.weight"].clone().requires_grad_()
                self.lora[module] = (a, b)
        hd = c.get("head_dim") or c["hidden_size"] // c["num_attention_heads"]
        self.hd = hd
        self.inv_freq = 1.0 / (c.get("rope_theta", 10000.0) ** (torch.arange(0, hd, 2, dtype=torch.int64).float() / hd))

    def parameters(self):
        return [t for ab in self.lora.values() for t in ab]

    def lin(self, module, x):
        y = x @ self.W[module + ".weight"].T
        ab = self.lora.get(module)
        if ab is not None:
            y = y + self.scale * ((x @ ab[0].T) @ ab[1].T)
        return y

    def hidden(self, ids):
        c, W = self.cfg, self.W
        B, T = ids.shape
        H, KV, hd, eps = c["num_attention_heads"], c["num_key_value_heads"], self.hd, c["rms_norm_eps"]
        pos = torch.arange(T)
        freqs = pos[:, None].float() * self.inv_freq[None, :]
        emb = torch.cat((freqs, freqs), dim=-1)
        cos, sin = emb.cos(), emb.sin()  # [T, hd], broadcast over [B, heads]
        i = torch.arange(T)[:, None]
        j = torch.arange(T)[None, :]
        allowed = j <= i
        window = c.get("sliding_window")
        if window is not None:
            allowed = allowed & (j > i - window)
        bias = torch.zeros(T, T).masked_fill(~allowed, torch.finfo(torch.float32).min)
        x = W["model.embed_tokens.weight"][ids]
        for l in range(c["num_hidden_layers"]):
            p = f"model.layers.{l}."
            h = rms_norm(x, W[p + "input_layernorm.weight"], eps)
            q = self.lin(p + "self_attn.q_proj", h).view(B, T, H, hd).transpose(1, 2)
            k = self.lin(p + "self_attn.k_proj", h).view(B, T, KV, hd).transpose(1, 2)
            v = self.lin(p + "self_attn.v_proj", h).view(B, T, KV, hd).transpose(1, 2)
            q = q * cos + rotate_half(q) * sin
            k = k * cos + rotate_half(k) * sin
            k = k.repeat_interleave(H // KV, dim=1)
            v = v.repeat_interleave(H // KV, dim=1)
            att = torch.softmax((q @ k.transpose(2, 3)) / math.sqrt(hd) + bias, dim=-1)
            o = (att @ v).transpose(1, 2).reshape(B, T, H * hd)
            x = x + self.lin(p + "self_attn.o_proj", o)
            h = rms_norm(x, W[p + "post_attention_layernorm.weight"], eps)
            x = x + self.lin(p + "mlp.down_proj", torch.nn.functional.silu(self.lin(p + "mlp.gate_proj", h)) * self.lin(p + "mlp.up_proj", h))
        return rms_norm(x, W["model.norm.weight"], eps)

    def head(self, x):
        w = self.W["model.embed_tokens.weight"] if self.cfg.get("tie_word_embeddings") else self.W["lm_head.weight"]
        return x @ w.T


def main():
    model_dir, adapter_dir, settings = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    if settings.get("threads", 0) > 0:
        torch.set_num_threads(settings["threads"])
    m = LoraModel(model_dir, adapter_dir)
    ids = torch.tensor(settings["ids"], dtype=torch.long)
    mode = settings["loss"]
    labels = torch.tensor(settings.get("labels") or [0], dtype=torch.long)
    opt = torch.optim.AdamW(m.parameters(), lr=settings["lr"], weight_decay=settings["weightDecay"])
    V = m.cfg["vocab_size"]

    def step():
        h = m.hidden(ids)
        if mode == "all":  # next-token prediction at every position but the last
            loss = torch.nn.functional.cross_entropy(m.head(h)[:, :-1].reshape(-1, V), ids[:, 1:].reshape(-1))
        else:  # the answer token after the prompt only
            loss = torch.nn.functional.cross_entropy(m.head(h[:, -1]), labels)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        return loss.item()

    print(json.dumps({"ready": True, "threads": torch.get_num_threads()}), flush=True)
    for line in sys.stdin:
        cmd = line.split()
        if not cmd or cmd[0] == "quit":
            break
        if cmd[0] == "steps":
            times, cpu, losses = [], [], []
            for _ in range(int(cmd[1])):
                t0, c0 = time.perf_counter(), time.process_time()
                losses.append(step())
                times.append(time.perf_counter() - t0)
                cpu.append(time.process_time() - c0)
            print(json.dumps({"times": times, "cpu": cpu, "losses": losses}), flush=True)
        elif cmd[0] == "gemm":  # roofline: median CPU seconds of x[M,K] @ w[K,N]
            M, K, N, reps = (int(v) for v in cmd[1:5])
            x, w = torch.randn(M, K), torch.randn(K, N)
            x @ w
            cpu = []
            for _ in range(reps):
                c0 = time.process_time()
                x @ w
                cpu.append(time.process_time() - c0)
            print(json.dumps({"cpu": sorted(cpu)[len(cpu) // 2]}), flush=True)
        else:
            print(json.dumps({"error": f"unknown command {line.strip()!r}"}), flush=True)


if __name__ == "__main__":
    main()
