/**
 * The server's bounded wait queue: at most `slots` completions run at once (the engine's
 * concurrency) and at most `maxQueue` wait; one more is refused at once with 429 and a Retry-After
 * estimated from recent service times. A waiting request whose signal aborts (client gone, time
 * limit) leaves the queue.
 */
import { QueueFull } from "./errors";

export class Admission {
  private running = 0;
  private readonly waiting: Array<{ start: () => void; fail: (e: unknown) => void }> = [];
  /** Moving average of how long a completion holds its slot [ms]; seeds the Retry-After estimate. */
  private meanMs = 1000;

  constructor(
    readonly slots: number,
    readonly maxQueue: number,
  ) {}

  get active(): number {
    return this.running;
  }
  get queued(): number {
    return this.waiting.length;
  }

  /** Seconds a refused client should wait: the time for the queue ahead of it to drain (>= 1). */
  retryAfter(): number {
    return Math.max(1, Math.ceil(((this.waiting.length + 1) * this.meanMs) / this.slots / 1000));
  }

  /**
   * Waits for a slot (throws QueueFull when the queue is full); resolves with `release`, which the
   * caller must call exactly once when its completion ends.
   */
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.running >= this.slots && this.waiting.length >= this.maxQueue) return Promise.reject(new QueueFull(this.retryAfter(), this.waiting.length));
    return new Promise((resolve, reject) => {
      const entry = {
        start: () => {
          signal?.removeEventListener("abort", onAbort);
          this.running++;
          const t0 = Date.now();
          let released = false;
          resolve(() => {
            if (released) return;
            released = true;
            this.running--;
            this.meanMs = 0.8 * this.meanMs + 0.2 * (Date.now() - t0);
            this.next();
          });
        },
        fail: reject,
      };
      const onAbort = () => {
        const i = this.waiting.indexOf(entry);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(signal!.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiting.push(entry);
      this.next();
    });
  }

  private next(): void {
    while (this.running < this.slots && this.waiting.length) this.waiting.shift()!.start();
  }
}
