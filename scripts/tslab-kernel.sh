#!/usr/bin/env bash
# Starts the tslab kernel from the repository root, whatever folder Jupyter starts it in.
# tslab compiles notebook cells with rootDir = the current folder and cannot import TypeScript
# from outside it (a notebooks/lib -> ../lib link fails: TypeScript resolves the link to its real
# path, outside rootDir). From the root, `import { evaluate } from "./lib/metrics"` just works, and
# notebooks use the same root-relative paths as the CLI (data/..., reports/...).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# tslab resolves `import "./x"` only to x.ts, never to x/index.ts, and falls back to Node's own
# require; with tsx's CommonJS hook that fallback loads folder imports (lib code says "../jets")
# and the .ts behind them. tslab still type-checks every cell with its TypeScript 5.0.
export NODE_OPTIONS="--require $ROOT/node_modules/tsx/dist/cjs/index.cjs ${NODE_OPTIONS:-}"
exec "$ROOT/node_modules/.bin/tslab" "$@"
