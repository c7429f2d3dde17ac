"""Reference Mistral/Llama forward pass in PyTorch (float32), written from the Hugging Face
MistralForCausalLM semantics (transformers is not installed):
  positions = cumsum(attention_mask) - 1 (arange without a mask); RoPE rotate-half with
  inv_freq = 1 / theta^(2i/hd); GQA via repeat_kv; causal mask, sliding window (query i sees keys
  i - W < j <= i) and padding mask; SwiGLU; RMSNorm; tied or separate lm_head.
Optionally merges a PEFT LoRA adapter: W + s * B @ A, s = alpha/r (alpha/sqrt(r) with rsLoRA).

usage: mistral_ref.py MODEL_DIR INPUT_JSON OUT_BIN
  INPUT_JSON: {"ids": [[...]], "mask": [[...]] or null, "adapter": dir or null}, or a list of them
  OUT_BIN: logits [B, T, V] as little-endian float32 (for a list: OUT_BIN.0, OUT_BIN.1, ...).
"""
import json
import math
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from st_numpy import read_safetensors  # noqa: E402


def rms_norm(x, w, eps):
    var = x.pow(2).mean(-1, keepdim=True)
    return w * (x * torch.rsqrt(var + eps))


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat((-x[..., h:], x[..., :h]), dim=-1)


def forward(cfg, W, ids, mask):
    B, T = ids.shape
    D, H = cfg["hidden_size"], cfg["num_attention_heads"]
    KV = cfg.get("num_key_value_heads", H)
    hd = cfg.get("head_dim") or D // H
    eps, theta = cfg["rms_norm_eps"], cfg.get("rope_theta", 10000.0)
    window = cfg.get("sliding_window")
    if mask is None:
        mask = torch.ones(B, T, dtype=torch.long)
        pos = torch.arange(T).unsqueeze(0).expand(B, T)
    else:
        pos = mask.long().cumsum(-1) - 1
        pos = pos.masked_fill(mask == 0, 1)
    inv_freq = 1.0 / (theta ** (torch.arange(0, hd, 2, dtype=torch.int64).float() / hd))
    freqs = pos[:, :, None].float() * inv_freq[None, None, :]
    emb = torch.cat((freqs, freqs), dim=-1)
    cos, sin = emb.cos()[:, None], emb.sin()[:, None]  # [B, 1, T, hd]
    i = torch.arange(T)[:, None]
    j = torch.arange(T)[None, :]
    allowed = j <= i
    if window is not None:
        allowed = allowed & (j > i - window)
    allowed = allowed[None, None] & (mask[:, None, None, :] == 1)
    bias = torch.zeros(B, 1, T, T).masked_fill(~allowed, torch.finfo(torch.float32).min)

    x = W["model.embed_tokens.weight"][ids]
    for l in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{l}."
        h = rms_norm(x, W[p + "input_layernorm.weight"], eps)
        q = (h @ W[p + "self_attn.q_proj.weight"].T).view(B, T, H, hd).transpose(1, 2)
        k = (h @ W[p + "self_attn.k_proj.weight"].T).view(B, T, KV, hd).transpose(1, 2)
        v = (h @ W[p + "self_attn.v_proj.weight"].T).view(B, T, KV, hd).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = k.repeat_interleave(H // KV, dim=1)
        v = v.repeat_interleave(H // KV, dim=1)
        att = (q @ k.transpose(2, 3)) / math.sqrt(hd) + bias
        att = torch.softmax(att, dim=-1)
        o = (att @ v).transpose(1, 2).reshape(B, T, H * hd)
        x = x + o @ W[p + "self_attn.o_proj.weight"].T
        h = rms_norm(x, W[p + "post_attention_layernorm.weight"], eps)
        g = h @ W[p + "mlp.gate_proj.weight"].T
        u = h @ W[p + "mlp.up_proj.weight"].T
        x = x + (torch.nn.functional.silu(g) * u) @ W[p + "mlp.down_proj.weight"].T
    x = rms_norm(x, W["model.norm.weight"], eps)
    head = W["model.embed_tokens.weight"] if cfg.get("tie_word_embeddings") else W["lm_head.weight"]
    return x @ head.T


def merge_adapter(W, adapter_dir):
    acfg = json.load(open(os.path.join(adapter_dir, "adapter_config.json")))
    r, alpha = acfg["r"], acfg["lora_alpha"]
    scale = alpha / math.sqrt(r) if acfg.get("use_rslora") else alpha / r
    A = read_safetensors(os.path.join(adapter_dir, "adapter_model.safetensors"))
    prefix = "base_model.model."
    for name in A:
        if not name.endswith(".lora_A.weight"):
            continue
        module = name[len(prefix):-len(".lora_A.weight")]
        a = torch.tensor(np.array(A[name], dtype=np.float32))
        b = torch.tensor(np.array(A[prefix + module + ".lora_B.weight"], dtype=np.float32))
        W[module + ".weight"] = W[module + ".weight"] + scale * (b @ a)


def main():
    model_dir, inp, out = sys.argv[1:4]
    torch.set_num_threads(1)
    cfg = json.load(open(os.path.join(model_dir, "config.json")))
    W = {k: torch.tensor(np.array(v, dtype=np.float32)) for k, v in read_safetensors(os.path.join(model_dir, "model.safetensors")).items()}
    reqs = json.load(open(inp))
    single = isinstance(reqs, dict)
    for n, req in enumerate([reqs] if single else reqs):
        Wr = dict(W)
        if req.get("adapter"):
            merge_adapter(Wr, req["adapter"])
        ids = torch.tensor(req["ids"], dtype=torch.long)
        mask = torch.tensor(req["mask"], dtype=torch.long) if req.get("mask") is not None else None
        with torch.no_grad():
            logits = forward(cfg, Wr, ids, mask)
        logits.numpy().astype("<f4").tofile(out if single else f"{out}.{n}")


if __name__ == "__main__":
    main()
