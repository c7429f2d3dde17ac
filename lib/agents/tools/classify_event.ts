/**
 * `classify_event`: P(signal) for jet-level event records from a fine-tuned classifier. The
 * scorer is injected (the checkpoint-backed one lives with the training code; tests use a stub),
 * so this file knows nothing of models.
 */
import type { EventRecord } from "../../jets/record";
import type { Tool } from "./tool";

/** Anything that turns records into P(signal) in [0, 1], one per record, in order. */
export interface Classifier {
  score(records: EventRecord[]): Promise<number[]>;
}

/** Looks up records of the loaded sample by id (for `ids` arguments). */
export type RecordLookup = (ids: number[]) => EventRecord[] | Promise<EventRecord[]>;

type ClassifyArgs = { events?: EventRecord[]; ids?: number[]; threshold?: number };

const JET_SCHEMA = {
  type: "object",
  properties: { P_T: { type: "number" }, eta: { type: "number" }, phi: { type: "number" }, m: { type: "number" } },
  required: ["P_T", "eta", "phi", "m"],
};

export function classifyEventTool(classifier: Classifier, lookup?: RecordLookup): Tool<ClassifyArgs> {
  return {
    name: "classify_event",
    description:
      "Probability that each event is signal, from the fine-tuned classifier. Pass event records (`events`, as produced by cluster_event) or `ids` of events in the loaded sample.",
    parameters: {
      type: "object",
      properties: {
        events: {
          type: "array",
          minItems: 1,
          maxItems: 1000,
          items: { type: "object", properties: { id: { type: "number" }, jets: { type: "array", items: JET_SCHEMA } }, required: ["jets"] },
        },
        ids: { type: "array", minItems: 1, maxItems: 1000, items: { type: "integer", minimum: 0 } },
        threshold: { type: "number", minimum: 0, maximum: 1, description: "P(signal) above which the label is 'signal' (default 0.5)" },
      },
      oneOf: [{ required: ["events"] }, { required: ["ids"] }],
      additionalProperties: false,
    },
    async run(args) {
      let records: EventRecord[];
      if (args.ids) {
        if (!lookup) throw new Error("no event sample is loaded; pass `events` instead of `ids`");
        records = await lookup(args.ids);
      } else {
        records = args.events!;
      }
      const p = await classifier.score(records);
      if (p.length !== records.length) throw new Error(`classifier returned ${p.length} scores for ${records.length} events`);
      const t = args.threshold ?? 0.5;
      return records.map((r, i) => ({ id: r.id ?? i, p_signal: p[i], label: p[i] >= t ? "signal" : "background" }));
    },
  };
}
