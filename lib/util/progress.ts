/**
 * A progress line on stderr for long work: count/total, rate, ETA, and optional extra fields
 * (loss, tokens/s). Redrawn in place on a terminal, printed every `everyMs` otherwise (logs, CI,
 * notebooks), and silent when HEPLLM_QUIET=1.
 */
export interface ProgressOptions {
  /** Label printed first, e.g. "prepare". */
  label: string;
  /** Total units, when known (enables percent and ETA). */
  total?: number;
  /** Unit name for the rate, e.g. "events". */
  unit?: string;
  /** Minimum milliseconds between redraws (non-TTY: between printed lines). */
  everyMs?: number;
  /** Where to write; defaults to process.stderr. */
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
}

export class Progress {
  private done = 0;
  private readonly start = Date.now();
  private last = 0;
  private extra = "";
  private readonly opts: Required<Omit<ProgressOptions, "total">> & { total?: number };
  private readonly quiet = process.env.HEPLLM_QUIET === "1";

  constructor(opts: ProgressOptions) {
    const stream = opts.stream ?? process.stderr;
    const tty = Boolean((stream as { isTTY?: boolean }).isTTY);
    this.opts = { unit: "items", everyMs: tty ? 100 : 5000, stream, ...opts };
  }

  /** Adds `n` finished units; `extra` replaces the trailing free text (e.g. "loss 0.412"). */
  tick(n = 1, extra?: string): void {
    this.done += n;
    if (extra !== undefined) this.extra = extra;
    const now = Date.now();
    if (now - this.last >= this.opts.everyMs) {
      this.last = now;
      this.draw(false);
    }
  }

  /** Prints the final line. */
  finish(extra?: string): void {
    if (extra !== undefined) this.extra = extra;
    this.draw(true);
  }

  /** Units per second so far. */
  rate(): number {
    const s = (Date.now() - this.start) / 1000;
    return s > 0 ? this.done / s : 0;
  }

  private draw(final: boolean): void {
    if (this.quiet) return;
    const { label, total, unit, stream } = this.opts;
    const rate = this.rate();
    const elapsed = (Date.now() - this.start) / 1000;
    let s = `${label}: ${this.done}${total !== undefined ? `/${total}` : ""} ${unit}`;
    if (total) {
      const frac = Math.min(1, this.done / total);
      const width = 20;
      const fill = Math.round(frac * width);
      s = `${label} [${"#".repeat(fill)}${".".repeat(width - fill)}] ${(100 * frac).toFixed(0)}% ${this.done}/${total} ${unit}`;
    }
    s += `, ${formatRate(rate)} ${unit}/s`;
    if (final) s += `, ${formatSeconds(elapsed)}`;
    // An ETA from the first second is mostly start-up cost; wait until the rate means something.
    else if (total && rate > 0 && elapsed >= 2) s += `, ETA ${formatSeconds((total - this.done) / rate)}`;
    if (this.extra) s += `, ${this.extra}`;
    const tty = Boolean((stream as { isTTY?: boolean }).isTTY);
    stream.write(tty ? `\r\x1b[K${s}${final ? "\n" : ""}` : `${s}\n`);
  }
}

function formatRate(r: number): string {
  return r >= 100 ? r.toFixed(0) : r >= 1 ? r.toFixed(1) : r.toFixed(3);
}

/** "1h02m", "3m05s", "12.3s". */
export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return "?";
  if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m${String(Math.floor(s % 60)).padStart(2, "0")}s`;
  return `${s.toFixed(1)}s`;
}
