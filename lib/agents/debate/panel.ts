/**
 * A debate panel described as JSON (for `hepllm debate --panel`):
 *   { "rounds": 2, "labels": ["signal", "background"],
 *     "debaters": [ { "name": "Proposer", "endpoint": "local", "system": "You argue from jet substructure." },
 *                   { "name": "Skeptic", "baseURL": "http://127.0.0.1:8001/v1", "apiKeyEnv": "KEY", "model": "m",
 *                     "system": "You argue from QCD rates.", "temperature": 0.7 } ],
 *     "judge": { "name": "Judge", "endpoint": "openai", "model": "gpt-4o-mini", "system": "You are impartial." } }
 * `endpoint` names an entry of the endpoints file (see lib/agents/openai/client.ts); `baseURL`
 * (+ `apiKeyEnv`) gives one inline; `model` defaults to the endpoint's.
 */
import * as fs from "node:fs";
import { OpenAIClient } from "../openai/client";
import type { Participant } from "./debate";

export interface ParticipantSpec {
  name: string;
  system: string;
  endpoint?: string;
  baseURL?: string;
  apiKeyEnv?: string;
  model?: string;
  temperature?: number;
  max_tokens?: number;
}

export interface PanelSpec {
  rounds?: number;
  labels?: string[];
  debaters: ParticipantSpec[];
  judge: ParticipantSpec;
}

export interface Panel {
  rounds: number;
  labels: string[];
  debaters: Participant[];
  judge: Participant;
}

/** Builds the participants; `endpointsFile` overrides the default endpoints file. */
export function buildPanel(spec: PanelSpec, source = "panel", endpointsFile?: string, env: NodeJS.ProcessEnv = process.env): Panel {
  const clients = new Map<string, OpenAIClient>();
  const make = (p: ParticipantSpec, where: string): Participant => {
    if (!p || typeof p.name !== "string" || p.name === "") throw new Error(`${source}: ${where}.name must be a non-empty string`);
    if (typeof p.system !== "string") throw new Error(`${source}: ${where}.system must be a string`);
    let client: OpenAIClient;
    if (p.baseURL) {
      const key = p.apiKeyEnv ? env[p.apiKeyEnv] : undefined;
      if (p.apiKeyEnv && !key) throw new Error(`${source}: ${where}.apiKeyEnv: $${p.apiKeyEnv} is not set`);
      client = new OpenAIClient({ baseURL: p.baseURL, apiKey: key });
    } else if (p.endpoint) {
      client = clients.get(p.endpoint) ?? OpenAIClient.fromEndpoint(p.endpoint, endpointsFile, env);
      clients.set(p.endpoint, client); // one client (and one usage tally) per endpoint
    } else {
      client = clients.get("") ?? OpenAIClient.fromEnv("OPENAI", endpointsFile, env);
      clients.set("", client);
    }
    const model = p.model ?? client.defaultModel;
    if (!model) throw new Error(`${source}: ${where}.model is required (its endpoint names no default model)`);
    return {
      name: p.name,
      client,
      model,
      system: p.system,
      ...(p.temperature !== undefined ? { temperature: p.temperature } : {}),
      ...(p.max_tokens !== undefined ? { max_tokens: p.max_tokens } : {}),
    };
  };
  if (!Array.isArray(spec.debaters) || spec.debaters.length === 0) throw new Error(`${source}: "debaters" must be a non-empty array`);
  if (!spec.judge) throw new Error(`${source}: "judge" is required`);
  return {
    rounds: spec.rounds ?? 2,
    labels: spec.labels ?? ["signal", "background"],
    debaters: spec.debaters.map((d, i) => make(d, `debaters[${i}]`)),
    judge: make(spec.judge, "judge"),
  };
}

export function readPanel(file: string, endpointsFile?: string): Panel {
  let spec: PanelSpec;
  try {
    spec = JSON.parse(fs.readFileSync(file, "utf8")) as PanelSpec;
  } catch (err) {
    throw new Error(`${file}: cannot read panel (${(err as Error).message})`);
  }
  return buildPanel(spec, file, endpointsFile);
}
