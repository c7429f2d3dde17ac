/**
 * `hepllm calibrate`: KS distances between real and simulated events, as a Markdown table (or
 * JSON): either two LHCO files, or a real jet-feature table against a fresh simulation.
 */
import { parseArgs } from "node:util";
import { readFeatureTable } from "../../dataset/feature-table";
import {
  calibrateFiles,
  calibrationMarkdown,
  featureCalibrationMarkdown,
  featureCalibrationPasses,
  featureCalibrationTable,
  simulateRecords,
  simulationConfig,
} from "../../simulation";
import { int, num, required } from "../args";
import { Command, UsageError } from "../command";

const usage = `usage: hepllm calibrate --real <file.h5> --sim <file.h5> [--max-events N] [--json]
       hepllm calibrate --real-features <table.csv[.gz]> [--min-lead-pt 1200] [--events N] [--seed K] [--json]

First form: clusters both files (anti-kt R=1.0, jets pT > 20 GeV) and prints the two-sample
Kolmogorov-Smirnov distance between real and simulated events, background and signal apart,
for m_jj, m_j1, m_j2, tau21 of both leading jets and the particle multiplicity. Both files
need labels (2101 columns).

Second form: reads a real jet-feature table (e.g. ../shared/fixtures/lhco/rd_jet_features.csv.gz),
simulates N events (half signal) with the default simulator and the given seed, clusters them
as \`prepare\` does, applies the same leading-jet cut to both, and prints per class the KS
distance for m_jj, m_j1, m_j2, tau21 and tau32 of the two leading jets (by pT) with PASS/FAIL
against 0.15. Exit status 0 either way (a calibration report, not a test).

options:
  --real <file.h5>             real LHCO file (e.g. ../shared/fixtures/lhco/events_anomalydetection_tiny.h5)
  --sim <file.h5>              simulated file (hepllm simulate)
  --max-events N               read at most N events of each file (default all)
  --real-features <csv[.gz]>   real jet-feature table (columns as in hepllm import-features)
  --min-lead-pt G              leading-jet cut on both samples [GeV] (default 1200, as the R&D table)
  --events N                   simulated events, half of them signal (default 10000; ~1 min on one core)
  --seed K                     simulation seed (default 1)
  --json                       print the table as JSON instead of Markdown`;

export const command: Command = {
  name: "calibrate",
  summary: "KS table of simulated vs real LHCO events (files, or a real jet-feature table)",
  usage,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        real: { type: "string" },
        sim: { type: "string" },
        "max-events": { type: "string" },
        "real-features": { type: "string" },
        "min-lead-pt": { type: "string" },
        events: { type: "string" },
        seed: { type: "string" },
        json: { type: "boolean" },
      },
      strict: true,
      allowPositionals: false,
    });
    const json = values.json === true;
    const features = values["real-features"];
    if (features !== undefined) {
      if (values.real !== undefined || values.sim !== undefined || values["max-events"] !== undefined) {
        throw new UsageError("--real-features cannot be combined with --real, --sim or --max-events");
      }
      const minLeadPt = num(values, "min-lead-pt", 1200)!;
      const events = int(values, "events", 10000)!;
      const seed = int(values, "seed", 1)!;
      if (events < 2) throw new UsageError("--events must be at least 2 (half are signal)");
      const real = readFeatureTable(features, { minLeadPt, progress: !json });
      const sim = simulateRecords(simulationConfig({ nEvents: events, signalEvents: Math.round(events / 2), seed }), { progress: !json });
      const table = featureCalibrationTable(real, sim, { minLeadPt });
      if (json) console.log(JSON.stringify({ realFeatures: features, events, seed, pass: featureCalibrationPasses(table), ...table }, null, 2));
      else console.log(featureCalibrationMarkdown(table));
      return 0;
    }
    for (const o of ["min-lead-pt", "events", "seed"] as const) {
      if (values[o] !== undefined) throw new UsageError(`--${o} needs --real-features`);
    }
    const maxEvents = int(values, "max-events");
    if (maxEvents !== undefined && maxEvents < 1) throw new UsageError("--max-events must be at least 1");
    const table = await calibrateFiles(required(values, "real"), required(values, "sim"), { maxEvents });
    console.log(json ? JSON.stringify(table, null, 2) : calibrationMarkdown(table));
    return 0;
  },
};
