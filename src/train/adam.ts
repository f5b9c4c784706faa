import * as tf from '@tensorflow/tfjs-core';
import { WmoeBackend } from '../backend/backend.js';

const f32 = Math.fround;

/** A named tensor, as tf.Optimizer's weight lists hold them. */
type NamedTensor = { name: string; tensor: tf.Tensor };

/** Backends whose tensors live in JS typed arrays, so that an optimizer can read and write them directly. */
const JS_RESIDENT = new Set(['cpu', 'wmoe']);

/** Floats of a variable updated per WASM call (4 operands of 4 MiB each in the arena). */
const WASM_CHUNK = 1 << 20;

/** The float32 constants of one step (see assembly/nn/adam.ts). */
interface StepConstants {
  b1: number; b2: number; c1: number; c2: number; omb1: number; omb2: number; eps: number; nlr: number;
}

/** One step over p (into out), m and v with gradient g, in JS: the same float32 operations. */
function stepJs(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, out: Float32Array, k: StepConstants): void {
  const { b1, b2, c1, c2, omb1, omb2, eps, nlr } = k;
  for (let i = 0; i < p.length; i++) {
    const gi = g[i];
    const mi = f32(f32(m[i] * b1) + f32(gi * c1));
    const vi = f32(f32(v[i] * b2) + f32(f32(gi * gi) * c2));
    m[i] = mi;
    v[i] = vi;
    const step = f32(f32(mi / omb1) / f32(f32(Math.sqrt(f32(vi / omb2))) + eps));
    out[i] = f32(f32(step * nlr) + p[i]);
  }
}

/** The same step on backend wmoe's nn module (SIMD, split over its threads), in chunks. */
function stepWasm(backend: WmoeBackend, p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, out: Float32Array, k: StepConstants): void {
  const { exports, arena } = backend.nn;
  for (let s = 0; s < p.length; s += WASM_CHUNK) {
    const e = Math.min(p.length, s + WASM_CHUNK);
    arena.reset();
    const pp = arena.put(p.subarray(s, e)), gp = arena.put(g.subarray(s, e));
    const mp = arena.put(m.subarray(s, e)), vp = arena.put(v.subarray(s, e));
    exports.adamUpdate(pp, gp, mp, vp, e - s, k.b1, k.b2, k.c1, k.c2, k.omb1, k.omb2, k.eps, k.nlr);
    out.set(arena.f32(pp, e - s), s);
    m.set(arena.f32(mp, e - s), s);
    v.set(arena.f32(vp, e - s), s);
  }
}

/**
 * Adam, bit-identical to tfjs's `tf.train.adam`, as one pass over each variable instead of
 * its ~14 tensor ops (each a full read and write of the variable; 8 % of a ResNet-18 MoE
 * step). Every float32 operation of tfjs's update is replayed in the same order with
 * `Math.fround` after it (a double result of +, −, ×, ÷ or √ of two float32 values rounds to
 * the float32 IEEE result), so training is unchanged to the bit:
 *   m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², p ← p − lr·(m/(1−β₁ᵗ)) / (√(v/(1−β₂ᵗ)) + ε).
 * The moments are JS arrays; gradients and variables are read and written through tfjs, so it
 * needs a backend whose tensors live in JS (`adam()` picks it there). On backend wmoe the
 * pass runs in WASM SIMD (assembly/nn/adam.ts), split over its threads.
 */
export class FusedAdam extends tf.Optimizer {
  static get className(): string {
    return 'FusedAdam';
  }

  private readonly moments = new Map<string, { m: Float32Array; v: Float32Array }>();
  /** β₁ᵗ and β₂ᵗ as tfjs keeps them (float32 scalars, starting at β). */
  private accBeta1: number;
  private accBeta2: number;
  private readonly epsilon: number;

  constructor(readonly learningRate: number, readonly beta1 = 0.9, readonly beta2 = 0.999, epsilon?: number) {
    super();
    this.accBeta1 = f32(beta1);
    this.accBeta2 = f32(beta2);
    this.epsilon = epsilon ?? tf.backend().epsilon();
  }

  applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const pairs = Array.isArray(variableGradients)
      ? variableGradients.map((v) => [v.name, v.tensor] as const)
      : Object.entries(variableGradients);
    const k: StepConstants = {
      b1: f32(this.beta1), b2: f32(this.beta2), c1: f32(1 - this.beta1), c2: f32(1 - this.beta2),
      omb1: f32(1 - this.accBeta1), omb2: f32(1 - this.accBeta2), eps: f32(this.epsilon), nlr: f32(-this.learningRate),
    };
    const backend = tf.backend();
    for (const [name, gradient] of pairs) {
      if (gradient == null) continue;
      const variable = tf.engine().registeredVariables[name];
      const g = gradient.dataSync() as Float32Array;
      const p = variable.dataSync() as Float32Array;
      let state = this.moments.get(name);
      if (!state) {
        state = { m: new Float32Array(p.length), v: new Float32Array(p.length) };
        this.moments.set(name, state);
      }
      const out = new Float32Array(p.length);
      if (backend instanceof WmoeBackend) stepWasm(backend, p, g, state.m, state.v, out, k);
      else stepJs(p, g, state.m, state.v, out, k);
      const next = tf.tensor(out, variable.shape, 'float32');
      variable.assign(next);
      next.dispose();
    }
    this.accBeta1 = f32(this.accBeta1 * k.b1);
    this.accBeta2 = f32(this.accBeta2 * k.b2);
    this.incrementIterations();
  }

  dispose(): void {
    this.moments.clear();
  }

  async getWeights(): Promise<NamedTensor[]> {
    const moments = [...this.moments.entries()];
    return [
      await this.saveIterations(),
      ...moments.map(([name, s]) => ({ name: `${name}/m`, tensor: tf.tensor(s.m) })),
      ...moments.map(([name, s]) => ({ name: `${name}/v`, tensor: tf.tensor(s.v) })),
    ];
  }

  async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const rest = await this.extractIterations(weightValues);
    this.accBeta1 = f32(Math.pow(this.beta1, this.iterations + 1));
    this.accBeta2 = f32(Math.pow(this.beta2, this.iterations + 1));
    const half = rest.length / 2;
    this.moments.clear();
    for (let i = 0; i < half; i++) {
      const name = rest[i].name.replace(/\/m$/, '');
      // Copies: the moments are updated in place, and the given tensors stay the caller's.
      const m = (rest[i].tensor.dataSync() as Float32Array).slice();
      const v = (rest[half + i].tensor.dataSync() as Float32Array).slice();
      this.moments.set(name, { m, v });
    }
  }

  getConfig(): tf.serialization.ConfigDict {
    return { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }
}

/**
 * The Adam optimizer for the current backend: {@link FusedAdam} where tensors live in JS
 * (cpu, wmoe), else tfjs's own (GPU backends keep their tensors on the device).
 */
export function adam(learningRate: number): tf.Optimizer {
  return JS_RESIDENT.has(tf.getBackend()) ? new FusedAdam(learningRate) : tf.train.adam(learningRate);
}
