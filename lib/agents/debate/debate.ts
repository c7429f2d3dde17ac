/**
 * A debate panel: named participants speak in turn for a number of rounds (the first proposes,
 * the others dispute; in later rounds everyone answers the latest objections), then a judge reads
 * the whole exchange and decides. Each participant is its own endpoint/model/system prompt, so a
 * fine-tuned local model can argue against a large general one. Every turn is one chat call whose
 * user message carries the question and the transcript so far (portable across endpoints).
 */
import type { ChatClient } from "../loop";
import type { Usage } from "../openai/types";
import { parseVerdict, Verdict, verdictFormat } from "./verdict";

export interface Participant {
  name: string;
  client: ChatClient;
  model: string;
  /** Persona and stance, e.g. "You argue from jet substructure." */
  system: string;
  temperature?: number;
  max_tokens?: number;
}

export interface DebateConfig {
  /** What is being decided, e.g. an event's jet features and "signal or background?". */
  question: string;
  /** Speakers, in speaking order each round (at least one). */
  debaters: Participant[];
  judge: Participant;
  /** Full rounds of every debater speaking once (at least 1). */
  rounds: number;
  /** Allowed verdict labels (default signal, background). */
  labels?: string[];
  /** Called after each turn (progress, streaming to a notebook). */
  onTurn?: (turn: DebateTurn) => void;
}

export interface DebateTurn {
  /** 1-based; the judge's turn has round = rounds + 1. */
  round: number;
  speaker: string;
  role: "propose" | "dispute" | "rebut" | "judge";
  model: string;
  content: string;
  usage?: Usage;
}

export interface DebateTranscript {
  question: string;
  labels: string[];
  rounds: number;
  debaters: Array<{ name: string; model: string; system: string }>;
  judge: { name: string; model: string; system: string };
  turns: DebateTurn[];
  /** Null when the debate failed before the judge spoke. */
  verdict: Verdict | null;
  /** The endpoint failure that ended the debate early, if any. */
  error?: string;
  /** ISO timestamps. */
  started: string;
  finished: string;
}

function roleOf(round: number, position: number): DebateTurn["role"] {
  if (round === 1) return position === 0 ? "propose" : "dispute";
  return position === 0 ? "rebut" : "dispute";
}

const INSTRUCTIONS: Record<Exclude<DebateTurn["role"], "judge">, (labels: string[]) => string> = {
  propose: (l) => `Propose an answer (one of: ${l.join(", ")}) and argue for it from the evidence, briefly.`,
  dispute: (l) => `Dispute the previous argument: point out its weaknesses and say which label (${l.join(", ")}) you favour and why, briefly.`,
  rebut: () => "Answer the objections raised since your last turn: defend or revise your position, briefly.",
};

function renderSoFar(turns: DebateTurn[]): string {
  if (turns.length === 0) return "(nothing yet)";
  return turns.map((t) => `[${t.speaker}, round ${t.round}, ${t.role}]\n${t.content}`).join("\n\n");
}

export async function runDebate(cfg: DebateConfig): Promise<DebateTranscript> {
  if (cfg.debaters.length === 0) throw new Error("runDebate: at least one debater is needed");
  if (!Number.isInteger(cfg.rounds) || cfg.rounds < 1) throw new Error(`runDebate: rounds must be a positive integer, got ${cfg.rounds}`);
  const names = new Set([...cfg.debaters, cfg.judge].map((p) => p.name));
  if (names.size !== cfg.debaters.length + 1) throw new Error("runDebate: participant names must be distinct");
  const labels = cfg.labels ?? ["signal", "background"];
  const info = (p: Participant) => ({ name: p.name, model: p.model, system: p.system });
  const t: DebateTranscript = {
    question: cfg.question,
    labels,
    rounds: cfg.rounds,
    debaters: cfg.debaters.map(info),
    judge: info(cfg.judge),
    turns: [],
    verdict: null,
    started: new Date().toISOString(),
    finished: "",
  };

  const speak = async (p: Participant, round: number, role: DebateTurn["role"], instruction: string): Promise<DebateTurn> => {
    const user = `Question:\n${cfg.question}\n\nDebate so far:\n${renderSoFar(t.turns)}\n\nYou are ${p.name}. ${instruction}`;
    const res = await p.client.chat({
      model: p.model,
      messages: [
        { role: "system", content: p.system },
        { role: "user", content: user },
      ],
      ...(p.temperature !== undefined ? { temperature: p.temperature } : {}),
      ...(p.max_tokens !== undefined ? { max_tokens: p.max_tokens } : {}),
    });
    const turn: DebateTurn = { round, speaker: p.name, role, model: p.model, content: (res.choices[0].message.content ?? "").trim() };
    if (res.usage) turn.usage = res.usage;
    t.turns.push(turn);
    cfg.onTurn?.(turn);
    return turn;
  };

  try {
    for (let round = 1; round <= cfg.rounds; round++) {
      for (let i = 0; i < cfg.debaters.length; i++) {
        const role = roleOf(round, i);
        await speak(cfg.debaters[i], round, role, INSTRUCTIONS[role as Exclude<DebateTurn["role"], "judge">](labels));
      }
    }
    const judged = await speak(
      cfg.judge,
      cfg.rounds + 1,
      "judge",
      `You are the judge. Weigh the arguments above and decide.\n${verdictFormat(labels)}`,
    );
    t.verdict = parseVerdict(judged.content, labels);
  } catch (err) {
    t.error = (err as Error).message;
  }
  t.finished = new Date().toISOString();
  return t;
}
