"""Executes one notebook headless with nbclient and writes the executed copy.

    /usr/bin/python3 scripts/run-notebook.py IN.ipynb OUT.ipynb

Used by scripts/notebooks.sh instead of `jupyter nbconvert --execute` because tslab reports a
failing cell's message only on its stderr stream, which nbconvert's error omits: on failure this
prints the failing cell with everything it wrote, still saves the partly executed notebook, and
exits 1.
"""
import os
import sys

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError


def cell_text(cell):
    parts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream":
            parts.append(out.get("text", ""))
        elif out.get("output_type") == "error":
            parts.append(f"{out.get('ename')}: {out.get('evalue')}\n" + "\n".join(out.get("traceback", [])))
    return "".join(parts)


def main():
    src, dst = sys.argv[1], sys.argv[2]
    nb = nbformat.read(src, as_version=4)
    # The kernel wrapper (scripts/tslab-kernel.sh) moves to the repo root itself; cwd here only
    # matters for other kernels.
    client = NotebookClient(nb, timeout=None, kernel_name="tslab", record_timing=False, resources={"metadata": {"path": os.path.dirname(os.path.abspath(src))}})
    failed = None
    try:
        client.execute()
    except CellExecutionError:
        failed = next((c for c in nb.cells if c.get("cell_type") == "code" and any(o.get("output_type") == "error" for o in c.get("outputs", []))), None)
        if failed is None:
            # tslab puts the message on stderr, not in an error output: the last executed cell failed.
            executed = [c for c in nb.cells if c.get("cell_type") == "code" and c.get("execution_count")]
            failed = executed[-1] if executed else nb.cells[0]
    # No run timestamps in the saved notebook: re-running must not change committed files needlessly.
    for cell in nb.cells:
        cell.get("metadata", {}).pop("execution", None)
    tmp = dst + ".tmp"
    nbformat.write(nb, tmp)
    os.replace(tmp, dst)
    if failed is not None:
        index = nb.cells.index(failed)
        print(f"{src}: cell {index} failed:\n----- source -----\n{failed.get('source', '')}\n----- output -----\n{cell_text(failed)}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
