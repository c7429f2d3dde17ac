// Entry point of a `hepllm serve` generation worker thread. Worker threads do not inherit the tsx
// require hook that bin/hepllm.js installed in the main thread, so register it here, then load the
// TypeScript.
"use strict";
require("tsx/cjs");
require("./engine-worker.ts");
