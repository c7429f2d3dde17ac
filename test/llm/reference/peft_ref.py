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
      AutoPeftModelForCausalLM.from_pretrained(ADAPTER_DIR) (base from base_model_name_or_path;
      grown to the adapter folder's tokenizer when that has more tokens).
  peft_ref.py logits_resized MODEL_DIR ADAPTER_DIR IDS_JSON
      As logits, after base.resize_token_embeddings(len(AutoTokenizer(ADAPTER_DIR))) (an added token).
  peft_ref.py tokenize TOKENIZER_DIR TEXT
      AutoTokenizer: prints {"ids": ids of TEXT, "size": len(tokenizer), "features_id": id of <JET_FEATURES>}.
  peft_ref.py make_tokens MODEL_DIR OUT_DIR SEED IDS_JSON
      <JET_FEATURES> added with add_special_tokens + resize_token_embeddings, LoRA with
      trainable_token_indices=[its id] (random A, B and row), saved without the resized tables
      (save_embedding_layers=False) with the tokenizer beside it; prints {"logits": ...}.
  peft_ref.py batch JOBS_JSON
      Runs a JSON list of argument lists (each one of the commands above) in one process, so torch
      and transformers load once; prints a list of the results ({"error": "..."} for a failed job).
"""
import json
import sys

import torch
from peft import AutoPeftModelForCausalLM, LoraConfig, PeftModel, get_peft_model
from transformers import AutoModelForCausalLM, AutoTokenizer

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


def make_tokens(model_dir, out_dir, seed, ids):
    torch.manual_seed(int(seed))
    tok = AutoTokenizer.from_pretrained(model_dir)
    tok.add_special_tokens({"additional_special_tokens": ["<JET_FEATURES>"]})
    m = base(model_dir)
    m.resize_token_embeddings(len(tok))
    new_id = tok.convert_tokens_to_ids("<JET_FEATURES>")
    cfg = LoraConfig(task_type="CAUSAL_LM", r=4, lora_alpha=8, target_modules=ALL, init_lora_weights=False, trainable_token_indices=[new_id])
    model = get_peft_model(m, cfg)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "lora_" in name or "trainable_tokens_delta" in name:
                p.copy_(torch.randn_like(p) * 0.1)
    model.save_pretrained(out_dir, save_embedding_layers=False)
    tok.save_pretrained(out_dir)
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
    if cmd == "logits_resized":
        model_dir, adapter_dir, ids = args
        b = base(model_dir)
        b.resize_token_embeddings(len(AutoTokenizer.from_pretrained(adapter_dir)))
        model = PeftModel.from_pretrained(b, adapter_dir)
        model.eval()
        return {"logits": logits_of(model, json.loads(ids))}
    if cmd == "tokenize":
        tok_dir, text = args
        tok = AutoTokenizer.from_pretrained(tok_dir)
        return {"ids": tok(text).input_ids, "size": len(tok), "features_id": tok.convert_tokens_to_ids("<JET_FEATURES>")}
    if cmd == "make_tokens":
        model_dir, out_dir, seed, ids = args
        return make_tokens(model_dir, out_dir, seed, json.loads(ids))
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
