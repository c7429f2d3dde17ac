// Entry point of a bench/fuzz worker thread: worker threads do not inherit tsx's hook from the
// main thread, so register it here, then load the TypeScript worker.
"use strict";
require("tsx/cjs");
require("./worker.ts");
