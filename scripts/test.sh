#!/usr/bin/env bash
# The whole test suite: type check, unit and conformance tests, then the notebooks in quick mode
# when Jupyter is installed. Conformance tests skip (with the reason) without ../shared or the
# Debian reference packages; .ci/run installs those so CI runs everything.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== tsc --noEmit"
npx tsc --noEmit -p .
echo "== unit and conformance tests"
mapfile -t files < <(find test -name '*.test.ts' | sort)
node --import tsx --test --test-concurrency=1 "${files[@]}"
if [ -x scripts/notebooks.sh ]; then
  if /usr/bin/python3 -c "import nbconvert, nbclient" 2>/dev/null; then
    echo "== notebooks (quick mode)"
    HEPLLM_QUICK=1 bash scripts/notebooks.sh
  else
    echo "== notebooks skipped: Jupyter is not installed (apt-get install jupyter-nbconvert python3-nbclient jupyter-client python3-ipykernel)"
  fi
fi
