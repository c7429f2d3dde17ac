/**
 * The analysis tools an agent can call, and a registry with all of them wired to one sample.
 */
import type { Event } from "../../events/event";
import type { EventRecord } from "../../jets/record";
import { bumpHuntTool } from "./bump_hunt";
import { Classifier, classifyEventTool } from "./classify_event";
import { clusterEventTool } from "./cluster_event";
import { mjjHistogramTool } from "./mjj_histogram";
import { ToolRegistry } from "./tool";

export type { Tool, ToolOutcome } from "./tool";
export { ToolRegistry, toolSpec } from "./tool";
export type { Classifier } from "./classify_event";
export { classifyEventTool } from "./classify_event";
export type { EventLookup } from "./cluster_event";
export { clusterEventTool } from "./cluster_event";
export type { Histogram } from "./mjj_histogram";
export { mjjHistogramTool, histogram } from "./mjj_histogram";
export type { BumpHuntOptions, BumpHuntResult, BumpWindow } from "./bump_hunt";
export { bumpHuntTool, bumpHunt } from "./bump_hunt";

export interface AnalysisSample {
  /** Jet-level records (M_jj for the histogram and the bump hunt, records for the classifier). */
  records?: EventRecord[];
  /** Raw events, for cluster_event by id. */
  events?: Event[];
  /** P(signal) scorer; classify_event is left out without one. */
  classifier?: Classifier;
}

/** All four tools over one sample. */
export function analysisTools(sample: AnalysisSample): ToolRegistry {
  const records = sample.records ?? [];
  const byId = new Map(records.map((r) => [r.id, r]));
  const events = new Map((sample.events ?? []).map((e) => [e.id, e]));
  const mjj = () => records.filter((r) => r.M_jj !== undefined).map((r) => r.M_jj as number);
  const reg = new ToolRegistry([clusterEventTool(events.size ? (id) => events.get(id) : undefined), mjjHistogramTool(records.length ? mjj : undefined), bumpHuntTool(records.length ? mjj : undefined)]);
  if (sample.classifier) {
    reg.add(
      classifyEventTool(sample.classifier, (ids) =>
        ids.map((id) => {
          const r = byId.get(id);
          if (!r) throw new Error(`no event with id ${id} in the loaded sample`);
          return { ...r, type: "unknown" as const }; // hide the truth label
        }),
      ),
    );
  }
  return reg;
}
