/** `hepllm calibrate`: KS distances between a real and a simulated LHCO file, as a Markdown table. */
import { parseArgs } from "node:util";
import { calibrateFiles, calibrationMarkdown } from "../../simulation";
import { int, required } from "../args";
import { Command, UsageError } from "../command";

const usage = `usage: hepllm calibrate --real <file.h5> --sim <file.h5> [--max-events N]

Clusters both files (anti-kt R=1.0, jets pT > 20 GeV) and prints the two-sample
Kolmogorov-Smirnov distance between real and simulated events, background and signal apart,
for m_jj, m_j1, m_j2, tau21 of both leading jets and the particle multiplicity. Both files
need labels (2101 columns).

options:
  --real <file.h5>   real LHCO file (e.g. ../shared/fixtures/lhco/events_anomalydetection_tiny.h5)
  --sim <file.h5>    simulated file (hepllm simulate)
  --max-events N     read at most N events of each file (default all)`;

export const command: Command = {
  name: "calibrate",
  summary: "KS table of simulated vs real LHCO events (m_jj, jet masses, tau21, multiplicity)",
  usage,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: { real: { type: "string" }, sim: { type: "string" }, "max-events": { type: "string" } },
      strict: true,
      allowPositionals: false,
    });
    const maxEvents = int(values, "max-events");
    if (maxEvents !== undefined && maxEvents < 1) throw new UsageError("--max-events must be at least 1");
    const table = await calibrateFiles(required(values, "real"), required(values, "sim"), { maxEvents });
    console.log(calibrationMarkdown(table));
    return 0;
  },
};
