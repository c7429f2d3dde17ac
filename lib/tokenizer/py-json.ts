/**
 * Python's `json.dumps(x, ensure_ascii=False)` text (separators ", " and ": "), because Mistral's
 * tool format tokenizes exactly what mistral-common's Python writes. Numbers: integers as integers,
 * other floats in Python's repr style (1e-05, 1e+16); a float written as `1.0` in the source JSON is
 * indistinguishable from 1 once parsed in JavaScript and comes out as `1`.
 */
export function pyJsonDumps(x: unknown): string {
  if (x === null || x === undefined) return "null";
  if (typeof x === "boolean") return x ? "true" : "false";
  if (typeof x === "number") return pyNumber(x);
  if (typeof x === "string") return JSON.stringify(x);
  if (Array.isArray(x)) return `[${x.map(pyJsonDumps).join(", ")}]`;
  if (typeof x === "object") {
    const parts = Object.entries(x as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${JSON.stringify(k)}: ${pyJsonDumps(v)}`);
    return `{${parts.join(", ")}}`;
  }
  throw new Error(`pyJsonDumps: cannot serialise a ${typeof x}`);
}

function pyNumber(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (!Number.isFinite(x)) return x > 0 ? "Infinity" : "-Infinity";
  if (Number.isInteger(x) && Math.abs(x) < 1e16) return String(x);
  // Shortest round-trip digits, laid out as Python's float repr does.
  const [mant, expStr] = x.toExponential().split("e");
  const exp = Number(expStr);
  const neg = mant.startsWith("-");
  const digits = mant.replace("-", "").replace(".", "");
  let body: string;
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    body = `${m}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  } else if (exp < 0) {
    body = `0.${"0".repeat(-exp - 1)}${digits}`;
  } else {
    const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, "0");
    const frac = digits.slice(exp + 1);
    body = `${intPart}.${frac || "0"}`;
  }
  return neg ? `-${body}` : body;
}
