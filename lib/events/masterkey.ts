/**
 * LHCO black-box master keys: a text file with one 0/1 label per line, line k labelling row k-1
 * of the matching events file (1 signal, 0 background). Blank trailing lines are ignored.
 */
import * as fs from "node:fs";

/** The labels as bytes (0/1), one per event; throws naming the file and line of a bad entry. */
export function readMasterKey(file: string): Uint8Array {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new Error(`${file}: cannot read master key (${(err as Error).message})`);
  }
  const lines = text.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1].trim() === "") lines.pop();
  const labels = new Uint8Array(lines.length);
  for (let i = 0; i < lines.length; i++) {
    const s = lines[i].trim();
    // Some published keys write floats ("1.0"); accept any spelling of exactly 0 or 1.
    const x = Number(s);
    if (s === "" || (x !== 0 && x !== 1)) {
      throw new Error(`${file}: line ${i + 1}: master-key label must be 0 or 1, got ${JSON.stringify(lines[i])}`);
    }
    labels[i] = x;
  }
  return labels;
}
