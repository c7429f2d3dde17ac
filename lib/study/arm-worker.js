// Entry point of a study child process (one arm, one seed). A forked process does not inherit
// the tsx require hook that bin/hepllm.js installed, so register it here, then load the TypeScript.
"use strict";
require("tsx/cjs");
require("./arm-worker.ts");
