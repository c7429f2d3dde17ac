"""Writes a PEFT-layout LoRA adapter with known, non-zero A and B (numpy, seeded) for a model folder.

usage: make_adapter.py MODEL_DIR OUT_DIR R ALPHA USE_RSLORA(0|1) TARGET[,TARGET...]
"""
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from st_numpy import write_safetensors  # noqa: E402


def main():
    model_dir, out_dir, r, alpha, rs, targets = sys.argv[1:7]
    r, alpha, rs, targets = int(r), float(alpha), rs == "1", targets.split(",")
    cfg = json.load(open(os.path.join(model_dir, "config.json")))
    D, I = cfg["hidden_size"], cfg["intermediate_size"]
    H = cfg["num_attention_heads"]
    KV = cfg.get("num_key_value_heads", H)
    hd = cfg.get("head_dim") or D // H
    shapes = {"q_proj": (D, H * hd), "k_proj": (D, KV * hd), "v_proj": (D, KV * hd), "o_proj": (H * hd, D),
              "gate_proj": (D, I), "up_proj": (D, I), "down_proj": (I, D)}
    kind = {"q_proj": "self_attn", "k_proj": "self_attn", "v_proj": "self_attn", "o_proj": "self_attn",
            "gate_proj": "mlp", "up_proj": "mlp", "down_proj": "mlp"}
    rng = np.random.default_rng(20240601)
    tensors = {}
    for l in range(cfg["num_hidden_layers"]):
        for t in targets:
            fan_in, fan_out = shapes[t]
            base = f"base_model.model.model.layers.{l}.{kind[t]}.{t}"
            tensors[base + ".lora_A.weight"] = (rng.standard_normal((r, fan_in)) * 0.2).astype(np.float32)
            tensors[base + ".lora_B.weight"] = (rng.standard_normal((fan_out, r)) * 0.2).astype(np.float32)
    os.makedirs(out_dir, exist_ok=True)
    write_safetensors(os.path.join(out_dir, "adapter_model.safetensors"), tensors)
    json.dump({"peft_type": "LORA", "task_type": "CAUSAL_LM", "r": r, "lora_alpha": alpha, "lora_dropout": 0.0,
               "target_modules": targets, "use_rslora": rs, "bias": "none", "fan_in_fan_out": False,
               "base_model_name_or_path": model_dir}, open(os.path.join(out_dir, "adapter_config.json"), "w"))


if __name__ == "__main__":
    main()
