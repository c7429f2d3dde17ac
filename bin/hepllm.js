#!/usr/bin/env node
// The `hepllm` command. The library is TypeScript run in place through tsx (no build step).
"use strict";
require("tsx/cjs");
require("../lib/cli/main.ts")
  .main(process.argv.slice(2))
  .then((code) => { process.exitCode = code; })
  .catch((err) => {
    console.error(`hepllm: ${err && err.message ? err.message : err}`);
    if (process.env.HEPLLM_DEBUG) console.error(err);
    process.exitCode = 1;
  });
