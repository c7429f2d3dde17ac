"""OpenBLAS reference for bench/gemm.ts: the same single-precision products in numpy (Debian's
python3-numpy calls the same libopenblas as hepllm's native addon), at a given thread count.

usage: /usr/bin/python3 bench/gemm-reference.py '<json>'
  json: {"threads": [1, 2], "reps": 7, "shapes": [{"batch": 16, "m": .., "k": .., "n": .., "ta": false, "tb": true}, ...]}
prints one JSON line: {"blas": "...", "results": [{"threads": t, "shape": i, "cpu": s, "wall": s}, ...]}
with the median CPU seconds (process-wide, all threads) and wall seconds of one product.
"""
import json
import sys
import time

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits


def operand(rng, batch, rows, cols, transposed):
    """A [batch, rows, cols] operand; transposed: stored as [batch, cols, rows] and viewed .T (no copy)."""
    if transposed:
        return rng.standard_normal((batch, cols, rows), dtype=np.float32).transpose(0, 2, 1)
    return rng.standard_normal((batch, rows, cols), dtype=np.float32)


def main():
    cfg = json.loads(sys.argv[1])
    rng = np.random.default_rng(1)
    results = []
    for threads in cfg["threads"]:
        with threadpool_limits(limits=threads, user_api="blas"):
            for i, s in enumerate(cfg["shapes"]):
                a = operand(rng, s["batch"], s["m"], s["k"], s["ta"])
                b = operand(rng, s["batch"], s["k"], s["n"], s["tb"])
                np.matmul(a, b)
                cpu, wall = [], []
                for _ in range(cfg["reps"]):
                    c0, w0 = time.process_time(), time.perf_counter()
                    np.matmul(a, b)
                    cpu.append(time.process_time() - c0)
                    wall.append(time.perf_counter() - w0)
                results.append({"threads": threads, "shape": i, "cpu": sorted(cpu)[len(cpu) // 2], "wall": sorted(wall)[len(wall) // 2]})
    blas = next((f"{x['internal_api']} {x['version']} {x.get('architecture', '')}" for x in threadpool_info() if x["user_api"] == "blas"), "?")
    print(json.dumps({"blas": blas, "results": results}), flush=True)


if __name__ == "__main__":
    main()
