/**
 * AdamW (Loshchilov & Hutter): Adam moments with weight decay decoupled from the gradient,
 *   m ← β1 m + (1−β1) g,  v ← β2 v + (1−β2) g²,
 *   θ ← θ − lr·(m̂ / (√v̂ + ε) + λ θ),   m̂ = m/(1−β1^t), v̂ = v/(1−β2^t),
 * as torch.optim.AdamW. Parameters come in groups with their own learning-rate multiplier and
 * decay (the fusion adapter trains at its own rate; biases and norms are not decayed). The state
 * is plain arrays so checkpoints can save and restore it exactly.
 */
import * as tf from "@tensorflow/tfjs";
import { HostReads, readSync } from "../llm/kernels/read";
import { backendKernels } from "../llm/kernels/kernels";

export interface AdamWConfig {
  /** First-moment decay. */
  beta1: number;
  /** Second-moment decay. */
  beta2: number;
  /** Denominator guard. */
  eps: number;
}

export const DEFAULT_ADAMW: AdamWConfig = { beta1: 0.9, beta2: 0.999, eps: 1e-8 };

export interface ParamGroup {
  /** Name prefix for checkpoints, e.g. "lora" or "fusion". */
  name: string;
  variables: tf.Variable[];
  /** Multiplies the scheduled learning rate. */
  lrScale: number;
  /** Decoupled weight decay λ. */
  weightDecay: number;
}

export class AdamW {
  readonly groups: ParamGroup[];
  readonly cfg: AdamWConfig;
  /** Updates applied so far (t in the bias corrections). */
  step = 0;
  private m = new Map<tf.Variable, tf.Variable>();
  private v = new Map<tf.Variable, tf.Variable>();

  constructor(groups: ParamGroup[], cfg: AdamWConfig = DEFAULT_ADAMW) {
    this.groups = groups;
    this.cfg = cfg;
    // tidy frees the zero tensors the variables were made from (their buffers would outlive the first assign).
    tf.tidy(() => {
      for (const g of groups) {
        for (const p of g.variables) {
          this.m.set(p, tf.variable(tf.zerosLike(p), false));
          this.v.set(p, tf.variable(tf.zerosLike(p), false));
        }
      }
    });
  }

  /** Applies one update with base learning rate `lr`; `grads` maps variable name → gradient. */
  apply(grads: Map<tf.Variable, tf.Tensor>, lr: number): void {
    this.step += 1;
    const { beta1, beta2, eps } = this.cfg;
    const bc1 = 1 - Math.pow(beta1, this.step);
    const bc2 = 1 - Math.pow(beta2, this.step);
    tf.tidy(() => {
      for (const g of this.groups) {
        const glr = lr * g.lrScale;
        for (const p of g.variables) {
          const grad = grads.get(p);
          if (!grad) continue;
          const m = this.m.get(p)!;
          const v = this.v.get(p)!;
          const fused = backendKernels().fused?.adamW;
          if (fused) {
            // The same update as below in one kernel (lib/llm/kernels/native-fused.ts).
            const [pn, mn, vn] = fused(p, grad, m, v, { beta1, beta2, eps, bc1, bc2, lr: glr, decay: g.weightDecay > 0 ? 1 - glr * g.weightDecay : 1 });
            m.assign(mn);
            v.assign(vn);
            p.assign(pn);
            continue;
          }
          const mNew = m.mul(beta1).add(grad.mul(1 - beta1));
          const vNew = v.mul(beta2).add(grad.square().mul(1 - beta2));
          m.assign(mNew);
          v.assign(vNew);
          const update = mNew.div(bc1).div(vNew.div(bc2).sqrt().add(eps));
          const decayed = g.weightDecay > 0 ? p.mul(1 - glr * g.weightDecay) : p;
          p.assign(decayed.sub(update.mul(glr)));
        }
      }
    });
  }

  /** Moments as named float arrays, for checkpoints ("<group>.<index>.m"/".v"). */
  getState(): { step: number; tensors: Map<string, { shape: number[]; data: Float32Array }> } {
    const tensors = new Map<string, { shape: number[]; data: Float32Array }>();
    for (const g of this.groups) {
      g.variables.forEach((p, i) => {
        tensors.set(`${g.name}.${i}.m`, { shape: p.shape, data: this.m.get(p)!.dataSync() as Float32Array });
        tensors.set(`${g.name}.${i}.v`, { shape: p.shape, data: this.v.get(p)!.dataSync() as Float32Array });
      });
    }
    return { step: this.step, tensors };
  }

  /** Restores moments saved by getState; throws naming the missing or misshapen tensor. */
  setState(state: { step: number; tensors: Map<string, { shape: number[]; data: Float32Array }> }): void {
    this.step = state.step;
    for (const g of this.groups) {
      g.variables.forEach((p, i) => {
        for (const [key, map] of [["m", this.m], ["v", this.v]] as const) {
          const name = `${g.name}.${i}.${key}`;
          const t = state.tensors.get(name);
          if (!t) throw new Error(`optimiser state: tensor ${name} is missing`);
          if (t.shape.join(",") !== p.shape.join(",")) {
            throw new Error(`optimiser state: tensor ${name} has shape [${t.shape}], expected [${p.shape}]`);
          }
          tf.tidy(() => map.get(p)!.assign(tf.tensor(t.data, p.shape, "float32")));
        }
      });
    }
  }

  dispose(): void {
    for (const t of this.m.values()) t.dispose();
    for (const t of this.v.values()) t.dispose();
  }
}

/**
 * Scales gradients so their global L2 norm is at most maxNorm (torch clip_grad_norm_);
 * returns the norm before clipping. Disposes the inputs it replaces.
 */
export function clipByGlobalNorm(grads: Map<tf.Variable, tf.Tensor>, maxNorm: number): number {
  return readSync(globalNormClip(grads, maxNorm));
}

/** clipByGlobalNorm as host reads (lib/llm/kernels/read.ts), for the asynchronous step. */
export function* globalNormClip(grads: Map<tf.Variable, tf.Tensor>, maxNorm: number): HostReads<number> {
  const norm = Math.sqrt((yield tf.tidy(() => tf.addN([...grads.values()].map((g) => g.square().sum()))))[0]);
  if (maxNorm > 0 && norm > maxNorm) {
    const s = maxNorm / (norm + 1e-6);
    for (const [k, g] of grads) {
      grads.set(k, g.mul(s));
      g.dispose();
    }
  }
  return norm;
}
