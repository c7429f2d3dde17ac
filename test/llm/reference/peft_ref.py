"""The real Hugging Face stack (transformers + PEFT) as the reference for hepllm's LoRA adapters.

Runs in the virtual environment .ci/run makes (.venv-peft: torch 2.x CPU, transformers 5.x, peft);
tests only, never at run time. Every command prints one JSON object on stdout.

usage:
  peft_ref.py make MODEL_DIR OUT_DIR KIND SEED IDS_JSON
      KIND: plain | rslora | subset | bf16 | all-linear | dora | lora_bias
      Builds a LoRA adapter with PEFT's own LoraConfig/get_peft_model (random non-zero A and B),
      saves it with save_pretrained and prints {"logits": [B][T][V]} of the adapted model.
  peft_ref.py logits MODEL_DIR ADAPTER_DIR IDS_JSON
      PeftModel.from_pretrained(base, ADAPTER_DIR): prints {"logits": ...}.
  peft_ref.py auto ADAPTER_DIR IDS_JSON
      AutoPeftModelForCausalLM.from_pretrained(ADAPTER_DIR) (base from base_model_name_or_path).
  peft_ref.py batch JOBS_JSON
      Runs a JSON list of argument lists (each one of the commands above) in one process, so torch
      and transformers load once; prints a list of the results ({"error": "..."} for a failed job).
"""
import json
import sys

import torch
from peft import AutoPeftModelForCausalLM, LoraConfig, PeftModel, get_peft_model
from transformers import AutoModelForCausalLM

ALL = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


def base(model_dir):
    m = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32)
    m.eval()
    return m


def logits_of(model, ids):
    with torch.no_grad():
        return model(input_ids=torch.tensor(ids, dtype=torch.long)).logits.float().tolist()


def make(model_dir, out_dir, kind, seed, ids):
    torch.manual_seed(int(seed))
    kw = dict(r=4, lora_alpha=8, lora_dropout=0.0, target_modules=ALL, init_lora_weights=False)
    if kind == "rslora":
        kw.update(use_rslora=True, lora_alpha=3)
    elif kind == "subset":
        kw.update(target_modules=["q_proj", "v_proj", "down_proj"], r=2)
    elif kind == "all-linear":
        kw.update(target_modules="all-linear")
    elif kind == "dora":
        kw.update(use_dora=True)
    elif kind == "lora_bias":
        kw.update(lora_bias=True)
    elif kind not in ("plain", "bf16"):
        raise SystemExit(f"unknown kind {kind}")
    model = get_peft_model(base(model_dir), LoraConfig(task_type="CAUSAL_LM", **kw))
    # init_lora_weights=False draws A and B at random (B is zero otherwise): scale them to O(0.1)
    # so the adapter changes the logits visibly.
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "lora_" in name:
                p.copy_(torch.randn_like(p) * 0.1)
    if kind == "bf16":
        # The adapter is stored in bfloat16; the reference runs in float32 on the rounded weights.
        with torch.no_grad():
            for name, p in model.named_parameters():
                if "lora_" in name:
                    p.copy_(p.to(torch.bfloat16).to(torch.float32))
        for name, p in model.named_parameters():
            if "lora_" in name:
                p.data = p.data.to(torch.bfloat16)
        model.save_pretrained(out_dir)
        for name, p in model.named_parameters():
            if "lora_" in name:
                p.data = p.data.to(torch.float32)
    else:
        model.save_pretrained(out_dir)
    model.eval()
    return {"logits": logits_of(model, ids)}


def run(cmd, *args):
    if cmd == "make":
        model_dir, out_dir, kind, seed, ids = args
        return make(model_dir, out_dir, kind, seed, json.loads(ids))
    if cmd == "logits":
        model_dir, adapter_dir, ids = args
        model = PeftModel.from_pretrained(base(model_dir), adapter_dir)
        model.eval()
        return {"logits": logits_of(model, json.loads(ids))}
    if cmd == "auto":
        adapter_dir, ids = args
        model = AutoPeftModelForCausalLM.from_pretrained(adapter_dir, dtype=torch.float32)
        model.eval()
        return {"logits": logits_of(model, json.loads(ids))}
    raise ValueError(f"unknown command {cmd}")


def main():
    cmd, *args = sys.argv[1:]
    if cmd == "batch":
        out = []
        for job in json.loads(args[0]):
            try:
                out.append(run(*job))
            except Exception as e:  # reported per job; the test decides what is expected
                out.append({"error": f"{type(e).__name__}: {e}"})
    else:
        out = run(cmd, *args)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
