/**
 * Fixed-point numbers as Python's `f"{x:.2f}"` prints them (the study's prompts were written by
 * Python): correctly rounded from the exact binary value like JavaScript's toFixed, except that an
 * exact tie rounds half to even (90.125 -> "90.12", JS says "90.13") and -0.0 keeps its sign.
 */
export function pyFixed(x: number, decimals: number): string {
  if (!Number.isFinite(x)) throw new Error(`pyFixed: ${x} is not finite`);
  const neg = x < 0 || Object.is(x, -0);
  const a = Math.abs(x);
  if (a >= 1e21) return `${neg ? "-" : ""}${BigInt(a)}${decimals > 0 ? "." + "0".repeat(decimals) : ""}`; // integral here
  let body = a.toFixed(decimals);
  {
    // toFixed(100) is the exact decimal value of the double for |x| >= 2^-48; a tie at
    // `decimals` <= 20 places needs |x| >= 2^-21, so smaller values are never ties.
    const exact = a.toFixed(100);
    const dot = exact.indexOf(".");
    const tail = exact.slice(dot + 1 + decimals);
    if (/^50*$/.test(tail)) {
      const truncated = exact.slice(0, decimals > 0 ? dot + 1 + decimals : dot);
      const lastDigit = Number(truncated[truncated.length - 1]);
      if (lastDigit % 2 === 0) body = truncated; // even: round down, else toFixed's round-up stands
    }
  }
  return neg ? `-${body}` : body;
}
