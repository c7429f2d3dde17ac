"""Writes a safetensors file with one tensor of each supported dtype (numpy, independent of
hepllm) and prints the expected float values as JSON, for test/llm/safetensors.test.ts.

usage: make_safetensors.py OUT_FILE
"""
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from st_numpy import write_safetensors  # noqa: E402


def main():
    vals = np.array([0.0, -0.0, 1.0, -2.5, 3.14159, 65504.0, 6.1e-5, 1e-7, 1234.5678, -0.333], dtype=np.float32)
    bf16 = (vals.view(np.uint32).astype(np.uint64) + 0x7FFF + ((vals.view(np.uint32).astype(np.uint64) >> 16) & 1)) >> 16
    bf16_as_f32 = (bf16.astype(np.uint32) << 16).view(np.float32)
    tensors = {
        "f32": vals.reshape(2, 5),
        "f16": vals.astype(np.float16).reshape(5, 2),
        "bf16": vals.reshape(10),
        "f64": vals.astype(np.float64).reshape(1, 10),
        "i64": np.array([-3, 0, 7, 2**40], dtype=np.int64),
        "i32": np.array([[-(2**31), 2**31 - 1]], dtype=np.int32),
        "i8": np.array([-128, 5, 127], dtype=np.int8),
        "u8": np.array([0, 200, 255], dtype=np.uint8),
        "boolean": np.array([True, False, True]),
        "empty": np.zeros((0, 3), dtype=np.float32),
    }
    write_safetensors(sys.argv[1], tensors, {"bf16": "BF16"})
    expect = {k: [float(x) for x in np.asarray(v, dtype=np.float64).reshape(-1)] for k, v in tensors.items()}
    expect["f16"] = [float(x) for x in vals.astype(np.float16).astype(np.float64)]
    expect["bf16"] = [float(x) for x in bf16_as_f32.astype(np.float64)]
    shapes = {k: list(v.shape) for k, v in tensors.items()}
    print(json.dumps({"values": expect, "shapes": shapes}))


if __name__ == "__main__":
    main()
