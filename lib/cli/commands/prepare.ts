/** `hepllm prepare`: LHCO HDF5 events -> EventRecord JSONL (jets and features), on all cores. */
import * as os from "node:os";
import { parseArgs } from "node:util";
import { prepare, PREPARE_DEFAULTS } from "../../dataset";
import { int, num, required } from "../args";
import { Command, UsageError } from "../command";

const usage = `usage: hepllm prepare --in <events.h5> --out <records.jsonl> [options]

Clusters every event into jets (anti-kt) and writes one JSON record per line, in input order.
The output appears only when complete (a failure leaves no partial file).

options:
  --in <file>         LHCO HDF5 file (R&D with labels, or black box)
  --out <file>        JSONL output
  --jobs N            worker threads (default: ${os.availableParallelism()}, the number of cores)
  --ptmin X           jet pT threshold in GeV (default ${PREPARE_DEFAULTS.ptmin})
  --R X               jet radius (default ${PREPARE_DEFAULTS.R})
  --max-jets N        leading jets kept per record (default ${PREPARE_DEFAULTS.maxJets})
  --start A           first event, 0-based (default 0)
  --stop B            stop before this event (default: end of file)
  --masterkey <file>  black-box master key: labels for an unlabelled file`;

export const command: Command = {
  name: "prepare",
  summary: "cluster LHCO events into jet records (JSONL), on all cores",
  usage,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        in: { type: "string" },
        out: { type: "string" },
        jobs: { type: "string" },
        ptmin: { type: "string" },
        R: { type: "string" },
        "max-jets": { type: "string" },
        start: { type: "string" },
        stop: { type: "string" },
        masterkey: { type: "string" },
      },
      strict: true,
      allowPositionals: false,
    });
    const jobs = int(values, "jobs");
    if (jobs !== undefined && jobs < 1) throw new UsageError("--jobs must be at least 1");
    const ptmin = num(values, "ptmin");
    if (ptmin !== undefined && ptmin < 0) throw new UsageError("--ptmin must be >= 0");
    const R = num(values, "R");
    if (R !== undefined && R <= 0) throw new UsageError("--R must be > 0");
    const maxJets = int(values, "max-jets");
    if (maxJets !== undefined && maxJets < 1) throw new UsageError("--max-jets must be at least 1");
    const start = int(values, "start");
    const stop = int(values, "stop");
    if (start !== undefined && start < 0) throw new UsageError("--start must be >= 0");
    if (start !== undefined && stop !== undefined && stop < start) throw new UsageError("--stop must be >= --start");
    const output = required(values, "out");

    const ac = new AbortController();
    const onSigint = (): void => ac.abort();
    process.once("SIGINT", onSigint);
    try {
      const r = await prepare({
        input: required(values, "in"),
        output,
        jobs,
        ptmin,
        R,
        maxJets,
        start,
        stop,
        masterkey: values.masterkey,
        signal: ac.signal,
      });
      console.log(`prepare: ${r.events} events -> ${output} in ${r.seconds.toFixed(1)} s (${r.eventsPerSecond.toFixed(0)} events/s)`);
      return 0;
    } catch (err) {
      if (ac.signal.aborted) {
        console.error("prepare: interrupted; no output written");
        return 130;
      }
      throw err;
    } finally {
      process.removeListener("SIGINT", onSigint);
    }
  },
};
