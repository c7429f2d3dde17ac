#!/usr/bin/env bash
# The whole test suite: type check, unit and conformance tests, then the notebooks in quick mode
# when Jupyter is installed. Conformance tests skip (with the reason) without ../shared or the
# Debian reference packages; .ci/run installs those so CI runs everything, and with env CI set a
# missing reference fails instead of skipping (test/support/shared.ts). Ends with a skip summary.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== tsc --noEmit"
npx tsc --noEmit -p .
# The notebooks' kernel (tslab) compiles lib/ with its own TypeScript 5.0 and without strict
# checks, where some narrowing differs: check with that compiler and those settings too.
echo "== tsc --noEmit (tslab's TypeScript 5.0, non-strict)"
node node_modules/@tslab/typescript-for-tslab/lib/tsc.js --noEmit -p . --strict false
echo "== unit and conformance tests"
mapfile -t files < <(find test -name '*.test.ts' | sort)
# The wasm tests run on wasm even on a machine with a GPU (auto would take WebGPU there, whose
# reads are asynchronous); test/llm/webgpu/ asks for webgpu explicitly.
export HEPLLM_BACKEND="${HEPLLM_BACKEND:-wasm}"
summary=$(mktemp)
trap 'rm -f "$summary"' EXIT
# spec output as usual; our reporter collects the skips, printed at the very end (even on failure)
status=0
node --import tsx --test --test-concurrency=1 \
  --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=./test/support/skip-summary-reporter.mjs --test-reporter-destination="$summary" \
  "${files[@]}" || status=$?
if [ "$status" = 0 ] && [ -x scripts/notebooks.sh ]; then
  if /usr/bin/python3 -c "import nbconvert, nbclient" 2>/dev/null; then
    echo "== notebooks (quick mode)"
    HEPLLM_QUICK=1 bash scripts/notebooks.sh || status=$?
  else
    why="Jupyter is not installed (apt-get install jupyter-nbconvert python3-nbclient jupyter-client python3-ipykernel)"
    if [ -n "${CI:-}" ] && [ "${CI}" != "false" ] && [ "${CI}" != "0" ]; then
      echo "== notebooks: FAILED: CI requires them, but $why" >&2
      status=1
    else
      echo "== notebooks skipped: $why"
    fi
    echo "  notebooks: all skipped: $why" >>"$summary"
  fi
fi
cat "$summary"
exit "$status"
