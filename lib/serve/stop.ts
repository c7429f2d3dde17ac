/**
 * Stop strings over streamed text: fed the whole decoded text after every token, it says which
 * new text is safe to send (never a piece of a stop string, never a half-decoded character) and
 * whether a stop string has appeared (the text is then cut just before it).
 */
export class StopFilter {
  private emitted = 0;
  private readonly maxStop: number;
  /** The text so far, cut at a stop string once one was seen. */
  text = "";
  stopped = false;

  constructor(private readonly stops: string[]) {
    this.maxStop = stops.reduce((m, s) => Math.max(m, s.length), 0);
  }

  /** Updates with the full text so far; returns the new text that may be sent now. */
  push(full: string): string {
    if (this.stopped) return "";
    const from = Math.max(0, this.emitted - this.maxStop);
    let cut = -1;
    for (const s of this.stops) {
      if (!s) continue;
      const i = full.indexOf(s, from);
      if (i >= 0 && (cut < 0 || i < cut)) cut = i;
    }
    if (cut >= 0) {
      this.stopped = true;
      this.text = full.slice(0, cut);
      return this.take(this.text.length);
    }
    this.text = full;
    let safe = full.length;
    if (full.endsWith("\uFFFD")) safe -= 1; // a multi-byte character still incomplete
    // Hold back the longest tail that could be the start of a stop string.
    let hold = 0;
    for (const s of this.stops) {
      for (let k = Math.min(s.length - 1, safe); k > hold; k--) {
        if (full.slice(safe - k, safe) === s.slice(0, k)) {
          hold = k;
          break;
        }
      }
    }
    safe -= hold;
    return this.take(Math.max(safe, this.emitted));
  }

  /** Everything not yet sent (call when generation has ended). */
  flush(): string {
    return this.take(this.text.length);
  }

  private take(upto: number): string {
    const out = this.text.slice(this.emitted, upto);
    this.emitted = Math.max(this.emitted, upto);
    return out;
  }
}
