/**
 * `cluster_event`: particles (pT [GeV], eta, phi) -> anti-kt jets and the jet-level record
 * (masses, N-subjettiness, M_jj) that the classifier reads. Either the model sends particles, or
 * it names an event of the loaded sample by id.
 */
import type { Event } from "../../events/event";
import { eventRecord } from "../../jets";
import type { Tool } from "./tool";

/** Finds an event of the loaded sample by id (for `id` arguments). */
export type EventLookup = (id: number) => Event | undefined | Promise<Event | undefined>;

type ClusterArgs = {
  particles?: Array<{ pt: number; eta: number; phi: number }>;
  id?: number;
  R?: number;
  ptmin?: number;
  max_jets?: number;
};

export function clusterEventTool(lookup?: EventLookup): Tool<ClusterArgs> {
  return {
    name: "cluster_event",
    description:
      "Cluster an event's particles into jets (anti-kt, FastJet-exact) and compute jet features: pT, eta, phi, E, mass, constituents, N-subjettiness tau1..3, tau21, tau32, Delta R, and the dijet mass M_jj [GeV]. Pass `particles` or the `id` of an event in the loaded sample.",
    parameters: {
      type: "object",
      properties: {
        particles: {
          type: "array",
          minItems: 1,
          maxItems: 700,
          items: {
            type: "object",
            properties: { pt: { type: "number", minimum: 0 }, eta: { type: "number" }, phi: { type: "number" } },
            required: ["pt", "eta", "phi"],
            additionalProperties: false,
          },
        },
        id: { type: "integer", minimum: 0 },
        R: { type: "number", exclusiveMinimum: 0, maximum: 1.5707963267948966, description: "jet radius (default 1.0)" },
        ptmin: { type: "number", minimum: 0, description: "jet pT threshold [GeV] (default 20)" },
        max_jets: { type: "integer", minimum: 1, maximum: 10, description: "leading jets reported (default 2)" },
      },
      oneOf: [{ required: ["particles"] }, { required: ["id"] }],
      additionalProperties: false,
    },
    async run(args) {
      let event: Event;
      if (args.particles) {
        const ps = args.particles;
        event = {
          id: args.id ?? 0,
          label: null,
          pt: Float64Array.from(ps, (p) => p.pt),
          eta: Float64Array.from(ps, (p) => p.eta),
          phi: Float64Array.from(ps, (p) => p.phi),
        };
      } else {
        if (!lookup) throw new Error("no event sample is loaded; pass `particles`");
        const found = await lookup(args.id!);
        if (!found) throw new Error(`no event with id ${args.id} in the loaded sample`);
        event = { ...found, label: null }; // never leak the truth label to the model
      }
      return eventRecord(event, {
        ...(args.R !== undefined ? { R: args.R } : {}),
        ...(args.ptmin !== undefined ? { ptmin: args.ptmin } : {}),
        ...(args.max_jets !== undefined ? { maxJets: args.max_jets } : {}),
      });
    },
  };
}
