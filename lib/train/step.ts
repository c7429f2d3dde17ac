/**
 * One optimiser step over several micro-batches: gradients of each micro-batch's loss w.r.t. the
 * trainable variables, summed and averaged (gradient accumulation), clipped to a global norm,
 * then an AdamW update at the scheduled learning rate. Shared by fine-tuning and pre-training.
 */
import * as tf from "@tensorflow/tfjs";
import { AdamW, globalNormClip } from "./adamw";
import { HostReads, readAsync, readSync } from "../llm/kernels/read";

export interface StepResult {
  /** Mean loss over the micro-batches. */
  loss: number;
  /** Global gradient norm before clipping. */
  gradNorm: number;
}

/**
 * `losses` yields one closure per micro-batch (each builds its scalar loss; called inside
 * tf.variableGrads). Returns the mean loss and the gradient norm.
 */
export function optimiserStep(opt: AdamW, losses: Array<() => tf.Scalar>, lr: number, clipNorm: number): StepResult {
  return readSync(stepReads(opt, losses, lr, clipNorm));
}

/** optimiserStep reading the loss and norm with `await data()`: runs on every backend, webgpu included. */
export function optimiserStepAsync(opt: AdamW, losses: Array<() => tf.Scalar>, lr: number, clipNorm: number): Promise<StepResult> {
  return readAsync(stepReads(opt, losses, lr, clipNorm));
}

/** The step as host reads (lib/llm/kernels/read.ts), for loops that are generators themselves (pre-training). */
export function* stepReads(opt: AdamW, losses: Array<() => tf.Scalar>, lr: number, clipNorm: number): HostReads<StepResult> {
  const vars = opt.groups.flatMap((g) => g.variables);
  const grads = new Map<tf.Variable, tf.Tensor>();
  let lossSum = 0;
  for (const f of losses) {
    const { value, grads: g } = tf.variableGrads(f, vars);
    lossSum += (yield value)[0]; // the driver reads and disposes it
    for (const v of vars) {
      const gv = g[v.name];
      if (!gv) continue;
      const prev = grads.get(v);
      if (prev) {
        grads.set(v, prev.add(gv));
        prev.dispose();
        gv.dispose();
      } else {
        grads.set(v, gv);
      }
    }
  }
  if (losses.length > 1) {
    for (const [v, g] of grads) {
      grads.set(v, g.div(losses.length));
      g.dispose();
    }
  }
  const gradNorm = clipNorm > 0 ? yield* globalNormClip(grads, clipNorm) : NaN;
  opt.apply(grads, lr);
  for (const g of grads.values()) g.dispose();
  return { loss: lossSum / losses.length, gradNorm };
}
