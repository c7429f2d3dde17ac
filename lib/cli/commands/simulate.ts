/** `hepllm simulate`: LHCO-like events (QCD dijets + W' -> X(qq) Y(qq)) into an LHCO HDF5 file. */
import { parseArgs } from "node:util";
import { DEFAULT_SIMULATION, simulateToFile, simulationConfig } from "../../simulation";
import { int, num, numList, required } from "../args";
import { Command, UsageError } from "../command";

const usage = `usage: hepllm simulate --events N [--signal-fraction F | --signal-events S]
                       [--masses 3500,500,100] [--seed K] [--no-label] --out <file.h5>

Simulates LHCO-like events and writes them in the published LHCO HDF5 layout (pandas "fixed"
table, key df, Blosc), readable by hepllm and by pandas.read_hdf. Every event passes the LHCO
trigger (an anti-kt R=1.0 jet with pT > 1.2 TeV).

options:
  --events N            number of events (required)
  --signal-fraction F   fraction of signal events (default ${DEFAULT_SIMULATION.signalFraction})
  --signal-events S     exact number of signal events (instead of --signal-fraction)
  --masses W,X,Y        W', X, Y masses in GeV (default ${DEFAULT_SIMULATION.masses.join(",")};
                        black-box-1-like: 3823,732,378)
  --seed K              random seed; the same seed gives identical events (default ${DEFAULT_SIMULATION.seed})
  --no-label            write the 2100-column black-box layout (no label column)
  --out <file.h5>       output file (written to a temporary file, then renamed)`;

export const command: Command = {
  name: "simulate",
  summary: "simulate LHCO-like events (QCD dijets + W' signal) into an LHCO HDF5 file",
  usage,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        events: { type: "string" },
        "signal-fraction": { type: "string" },
        "signal-events": { type: "string" },
        masses: { type: "string" },
        seed: { type: "string" },
        "no-label": { type: "boolean", default: false },
        out: { type: "string" },
      },
      strict: true,
      allowPositionals: false,
    });
    const out = required(values, "out");
    const nEvents = int(values, "events");
    if (nEvents === undefined) throw new UsageError("--events is required");
    if (nEvents < 1) throw new UsageError("--events must be at least 1");
    if (values["signal-fraction"] !== undefined && values["signal-events"] !== undefined) {
      throw new UsageError("give either --signal-fraction or --signal-events, not both");
    }
    const signalFraction = num(values, "signal-fraction", DEFAULT_SIMULATION.signalFraction)!;
    if (!(signalFraction >= 0 && signalFraction <= 1)) throw new UsageError(`--signal-fraction must be in [0, 1], got ${signalFraction}`);
    const signalEvents = int(values, "signal-events");
    if (signalEvents !== undefined && (signalEvents < 0 || signalEvents > nEvents)) {
      throw new UsageError(`--signal-events must be in [0, ${nEvents}], got ${signalEvents}`);
    }
    const masses = numList(values, "masses") ?? DEFAULT_SIMULATION.masses;
    if (masses.length !== 3) throw new UsageError(`--masses needs three values W',X,Y in GeV, got ${masses.length}`);
    const [mw, mx, my] = masses;
    if (!(mx > 0 && my > 0 && mw > mx + my)) throw new UsageError(`--masses must satisfy W' > X + Y > 0, got ${masses.join(",")}`);
    const seed = int(values, "seed", DEFAULT_SIMULATION.seed)!;
    const cfg = simulationConfig({ nEvents, signalFraction, signalEvents, masses: [mw, mx, my], seed });
    const withLabels = !values["no-label"];
    const r = await simulateToFile(out, cfg, { withLabels, progress: true });
    console.log(`${out}: ${r.nEvents} events (${r.nSignal} signal, ${r.nEvents - r.nSignal} background), masses ${masses.join(",")} GeV, seed ${seed}${withLabels ? "" : ", no label column"}`);
    return 0;
  },
};
