#!/usr/bin/env bash
# Executes every notebooks/NN-*.ipynb headless, in order, with the tslab kernel of this checkout
# (nbclient via scripts/run-notebook.py, which shows a failing cell's own error output).
#
#   bash scripts/notebooks.sh [--update] [NN ...]
#
#   HEPLLM_QUICK=1            quick mode: notebooks read it and use small data (CI, scripts/test.sh)
#   HEPLLM_NOTEBOOK_TIMEOUT   seconds per notebook (default 1800; 600 in quick mode)
#   HEPLLM_NOTEBOOK_OUT       folder for the executed copies (default build/notebooks, gitignored)
#   NN ...                    run only the notebooks whose names start with these prefixes (e.g. 00 05)
#   --update                  write outputs back into notebooks/ (to refresh the committed copies)
#
# Executed copies go to build/notebooks/ so that a test run never rewrites tracked files. The
# committed notebooks keep light static outputs: figures are shown with lib/report's show(), which
# sends SVG (image/svg+xml); plotly HTML only goes to reports/, never into a notebook.
# Any cell error, or a notebook running past its timeout, fails the run (exit 1) after the
# remaining notebooks have been tried, with a summary of which failed.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
PYTHON="${HEPLLM_PYTHON:-/usr/bin/python3}"

update=0
prefixes=()
for arg in "$@"; do
  case "$arg" in
    --update) update=1 ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) prefixes+=("$arg") ;;
  esac
done

if ! "$PYTHON" -c "import nbconvert, nbclient" 2>/dev/null; then
  echo "notebooks: $PYTHON lacks nbconvert/nbclient (apt-get install jupyter-nbconvert python3-nbclient jupyter-client python3-ipykernel)" >&2
  exit 1
fi
if [ ! -f .kernel/share/jupyter/kernels/tslab/kernel.json ]; then
  bash scripts/install-kernel.sh
fi
export JUPYTER_PATH="$ROOT/.kernel/share/jupyter${JUPYTER_PATH:+:$JUPYTER_PATH}"

if [ "${HEPLLM_QUICK:-0}" = "1" ]; then default_timeout=600; else default_timeout=1800; fi
timeout_s="${HEPLLM_NOTEBOOK_TIMEOUT:-$default_timeout}"
out="${HEPLLM_NOTEBOOK_OUT:-$ROOT/build/notebooks}"
mkdir -p "$out"

mapfile -t notebooks < <(find notebooks -maxdepth 1 -name '[0-9][0-9]-*.ipynb' | sort)
selected=()
for nb in "${notebooks[@]}"; do
  name="$(basename "$nb")"
  if [ "${#prefixes[@]}" -eq 0 ]; then selected+=("$nb"); continue; fi
  for p in "${prefixes[@]}"; do
    if [[ "$name" == "$p"* ]]; then selected+=("$nb"); break; fi
  done
done
if [ "${#selected[@]}" -eq 0 ]; then
  echo "notebooks: nothing to run (found ${#notebooks[@]} notebooks)" >&2
  exit 1
fi

failed=()
for nb in "${selected[@]}"; do
  name="$(basename "$nb")"
  start=$(date +%s)
  echo "-- $name (quick=${HEPLLM_QUICK:-0}, timeout ${timeout_s}s)" >&2
  if [ "$update" = 1 ]; then dest="$nb"; else dest="$out/$name"; fi
  # Cells have no timeout of their own; the whole notebook is bounded by `timeout`.
  if timeout --kill-after=30 "$timeout_s" "$PYTHON" scripts/run-notebook.py "$nb" "$dest" >"$out/${name%.ipynb}.log" 2>&1; then
    echo "   ok in $(( $(date +%s) - start ))s" >&2
  else
    rc=$?
    if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then why="timed out after ${timeout_s}s"; else why="failed (exit $rc)"; fi
    echo "   $name $why; log: $out/${name%.ipynb}.log" >&2
    tail -n 40 "$out/${name%.ipynb}.log" | sed 's/^/   | /' >&2
    failed+=("$name")
  fi
done

if [ "${#failed[@]}" -gt 0 ]; then
  echo "notebooks: ${#failed[@]} of ${#selected[@]} failed: ${failed[*]}" >&2
  exit 1
fi
echo "notebooks: all ${#selected[@]} ran; executed copies in $([ "$update" = 1 ] && echo notebooks/ || echo "$out")" >&2
