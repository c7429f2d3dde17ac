/**
 * The demo's last step: `hepllm study` on the simulated sets — the 1:1 set trains and selects,
 * the 1:1 and 1:10 test sets measure, the background-only samples check false positives — with
 * the study's recipe (QUICK_RECIPE for --quick). Writes `<out>/study.json` and `<out>/report/`.
 */
import * as os from "node:os";
import { recipeFor, runStudy } from "../study";
import type { DemoStep } from "./step";

export const studyStep: DemoStep = {
  name: "study",
  description: "the study: base model, fusion LLM, text-only LLM and MLP × 3 seeds, test intervals, paired differences, signal-free check, report",
  async run(ctx) {
    const sets = ctx.artifacts.split?.sets;
    const s11 = sets?.find((s) => s.name === "1-1");
    const s110 = sets?.find((s) => s.name === "1-10");
    if (!s11 || !s110) throw new Error("demo: step study needs the 1-1 and 1-10 sets of step split, which has not run");
    const quick = ctx.options.quick === true;
    const r = await runStudy({
      outDir: ctx.options.outDir, recipe: recipeFor(quick), quick,
      train: s11.train.path, val: s11.val.path, tests: [s11.test.path, s110.test.path], backgroundOnly: ctx.artifacts.backgroundOnly,
      model: ctx.options.model, seed: ctx.options.seed, jobs: ctx.options.jobs ?? os.availableParallelism(),
      title: "hepllm demo: interim report",
      notes: "Demo scale: simulated events, a small base model pre-trained by hepllm on event descriptions, minutes of CPU training.",
      log: (l) => ctx.log(`  ${l}`),
    });
    ctx.artifacts.study = r;
    ctx.log("");
    for (const line of r.report.table.split("\n")) ctx.log(`  ${line}`);
    const auc = Object.entries(r.study.results)
      .map(([arm, byTest]) => `${arm} ${Object.values(byTest).map((e) => `${e.spread.auc.mean.toFixed(3)}±${e.spread.auc.std.toFixed(3)}`).join("/")}`)
      .join(", ");
    return { outputs: { study: r.file, report: r.report.markdown }, summary: `test AUC (1:1/1:10, mean±std over seeds): ${auc}` };
  },
};
