/**
 * Input checks shared by the metrics: labels must be 0/1 (1 = signal), scores finite numbers
 * (P(signal)), both the same length. A bad value is reported by its index.
 */

/** Throws a clear error on mismatched lengths, labels other than 0/1 or non-finite scores. */
export function checkLabelsScores(labels: ArrayLike<number>, scores: ArrayLike<number>, what = "metrics"): void {
  if (labels.length !== scores.length) {
    throw new Error(`${what}: ${labels.length} labels but ${scores.length} scores`);
  }
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    if (y !== 0 && y !== 1) throw new Error(`${what}: label[${i}] = ${JSON.stringify(y)}, expected 0 (background) or 1 (signal)`);
    const s = scores[i];
    if (typeof s !== "number" || !Number.isFinite(s)) throw new Error(`${what}: score[${i}] = ${JSON.stringify(s)} is not a finite number`);
  }
}

/** Counts of signal (label 1) and background (label 0) events. */
export function classCounts(labels: ArrayLike<number>): { nSignal: number; nBackground: number } {
  let nSignal = 0;
  for (let i = 0; i < labels.length; i++) nSignal += labels[i] === 1 ? 1 : 0;
  return { nSignal, nBackground: labels.length - nSignal };
}
