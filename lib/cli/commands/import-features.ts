/** `hepllm import-features`: a jet-feature table (CSV[.gz]) -> EventRecord JSONL, as `prepare` writes it. */
import { parseArgs } from "node:util";
import { readFeatureTable, writeRecords } from "../../dataset";
import { int, num, required } from "../args";
import { Command, UsageError } from "../command";

const usage = `usage: hepllm import-features --in <table.csv[.gz]> --out <records.jsonl> [options]

Reads a table of jets clustered elsewhere (e.g. the LHCO R&D jet features: columns mjj, nj,
pt_k eta_k phi_k mass_k e_k tau1_k tau2_k tau3_k for jets k = 1, 2, ..., label) and writes one
validated JSON record per line, like hepllm prepare. Jets are sorted by decreasing pT, dR is
computed in true rapidity, tau21/tau32 are recomputed. The table has no constituents, so event
and jet n_particles and jet P_T_lead are absent from the records (not zero). Record ids are the
0-based data rows of the table. The output appears only when complete.

options:
  --in <file>          CSV table, optionally gzipped (.csv.gz)
  --out <file>         JSONL output
  --min-lead-pt GeV    keep only events whose leading jet has pT >= GeV (default: all;
                       the R&D table was made with 1200)
  --limit N            write at most N records (default: all)`;

export const command: Command = {
  name: "import-features",
  summary: "import a jet-feature table (CSV[.gz]) as records (JSONL)",
  usage,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        in: { type: "string" },
        out: { type: "string" },
        "min-lead-pt": { type: "string" },
        limit: { type: "string" },
      },
      strict: true,
      allowPositionals: false,
    });
    const minLeadPt = num(values, "min-lead-pt");
    if (minLeadPt !== undefined && minLeadPt < 0) throw new UsageError("--min-lead-pt must be >= 0");
    const limit = int(values, "limit");
    if (limit !== undefined && limit < 0) throw new UsageError("--limit must be >= 0");
    const input = required(values, "in");
    const output = required(values, "out");
    const t0 = Date.now();
    const records = readFeatureTable(input, { minLeadPt, limit, progress: true });
    const n = writeRecords(output, records);
    const signal = records.filter((r) => r.type === "signal").length;
    console.log(`import-features: ${n} events (${signal} signal) -> ${output} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    return 0;
  },
};
