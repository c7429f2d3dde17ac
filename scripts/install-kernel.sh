#!/usr/bin/env bash
# Installs the tslab (TypeScript) Jupyter kernels for this checkout into .kernel/ (gitignored),
# pointing at this checkout's node_modules/.bin/tslab, so nothing outside the repo is touched.
# scripts/notebooks.sh puts .kernel/share/jupyter on JUPYTER_PATH; for an interactive
# `jupyter lab`, run: JUPYTER_PATH="$PWD/.kernel/share/jupyter" /usr/bin/python3 -m jupyter lab
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
PYTHON="${HEPLLM_PYTHON:-/usr/bin/python3}"
if [ ! -x node_modules/.bin/tslab ]; then
  echo "install-kernel: node_modules/.bin/tslab is missing (run npm ci first)" >&2
  exit 1
fi
if ! "$PYTHON" -c "import jupyter_client" 2>/dev/null; then
  echo "install-kernel: $PYTHON has no jupyter_client (apt-get install jupyter-client python3-ipykernel jupyter-nbconvert python3-nbclient)" >&2
  exit 1
fi
node_modules/.bin/tslab install --python="$PYTHON" --binary="$ROOT/scripts/tslab-kernel.sh" --prefix="$ROOT/.kernel"
echo "kernels installed under $ROOT/.kernel/share/jupyter/kernels:"
ls "$ROOT/.kernel/share/jupyter/kernels"
