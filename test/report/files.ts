/**
 * Independent checks of exported files for the report tests: XML well-formedness (a tag-stack
 * parser, no dependency on the renderer), the PNG signature and size, CSV rows via Python's csv.
 */
import * as fs from "node:fs";
import { spawnSync } from "node:child_process";
import { SYSTEM_PYTHON } from "../support/shared";

/** Throws unless the text is well-formed XML whose root element is <svg>. */
export function assertWellFormedSVG(text: string, file: string): void {
  const body = text.replace(/^<\?xml[^>]*\?>\s*/, "").replace(/<!--[\s\S]*?-->/g, "");
  const stack: string[] = [];
  let root: string | undefined;
  const re = /<(\/?)([A-Za-z_][\w:.-]*)((?:\s+[\w:.-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|<!\[CDATA\[[\s\S]*?\]\]>/g;
  let last = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(body))) {
    const between = body.slice(last, m.index);
    if (/[<>]/.test(between)) throw new Error(`${file}: stray markup near offset ${last}: ${JSON.stringify(between.slice(0, 60))}`);
    if (/&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(between)) throw new Error(`${file}: bad entity near offset ${last}`);
    last = re.lastIndex;
    if (m[0].startsWith("<![CDATA[")) continue;
    const [, close, name, , selfClose] = m;
    if (close) {
      const open = stack.pop();
      if (open !== name) throw new Error(`${file}: </${name}> closes <${open}>`);
    } else {
      if (root === undefined) root = name;
      else if (stack.length === 0) throw new Error(`${file}: second root element <${name}>`);
      if (!selfClose) stack.push(name);
    }
  }
  if (body.slice(last).trim() !== "") throw new Error(`${file}: trailing text after the root element`);
  if (stack.length) throw new Error(`${file}: unclosed <${stack.join("> <")}>`);
  if (root !== "svg") throw new Error(`${file}: root element is <${root}>, expected <svg>`);
}

/** Width and height from a PNG's IHDR, after checking the 8-byte signature. */
export function pngSize(file: string): { width: number; height: number } {
  const b = fs.readFileSync(file);
  const sig = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  sig.forEach((x, i) => {
    if (b[i] !== x) throw new Error(`${file}: not a PNG (byte ${i} is ${b[i]})`);
  });
  if (b.toString("latin1", 12, 16) !== "IHDR") throw new Error(`${file}: first chunk is not IHDR`);
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

/** Rows of a CSV file parsed by Python's csv module (header first). */
export function pythonCSV(file: string): string[][] {
  const r = spawnSync(SYSTEM_PYTHON, ["-c", "import csv, json, sys; print(json.dumps(list(csv.reader(open(sys.argv[1], newline='')))))", file], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`python csv failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as string[][];
}

export const hasPython = fs.existsSync(SYSTEM_PYTHON);
