import { test } from "node:test";
import assert from "node:assert/strict";
import { StopFilter } from "../../lib/serve/stop";

/** Feeds growing prefixes of `text` and returns what was sent plus the final text. */
function run(stops: string[], text: string, step = 1): { sent: string[]; text: string; stopped: boolean } {
  const f = new StopFilter(stops);
  const sent: string[] = [];
  for (let n = step; n < text.length + step && !f.stopped; n += step) {
    const d = f.push(text.slice(0, n));
    if (d) sent.push(d);
  }
  const tail = f.flush();
  if (tail) sent.push(tail);
  return { sent, text: f.text, stopped: f.stopped };
}

test("cuts before the stop string and never sends part of it", () => {
  const r = run(["\nEND"], "signal\nEND more");
  assert.equal(r.text, "signal");
  assert.equal(r.sent.join(""), "signal");
  assert.ok(r.stopped);
  assert.ok(r.sent.every((s) => !s.includes("\n")));
});

test("a false start of a stop string is released once it diverges", () => {
  const r = run(["</s>"], "a </b> c");
  assert.equal(r.sent.join(""), "a </b> c");
  assert.equal(r.stopped, false);
});

test("earliest of several stops; incomplete characters held back", () => {
  assert.equal(run(["B", "A"], "xxAyyB").text, "xx");
  const f = new StopFilter([]);
  assert.equal(f.push("ab\uFFFD"), "ab");
  assert.equal(f.push("abé"), "é");
});
