import * as tf from '@tensorflow/tfjs-core';
import { WmoeBackend } from '../backend/backend.js';
import { readPtr, releasingOutputsOnThrow } from '../kernels/wasm_io.js';
import type { LinearHeap } from '../wasm/heap.js';
import { releaseGradientTape } from './gradient_tape.js';

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

/**
 * The moments of one variable: JS arrays, or, on a backend whose tensors live in WASM memory
 * (wmoe with threads), views of two blocks of it (`heap`, `mPtr`, `vPtr`), so that the step
 * reads and writes them in place.
 */
interface Moments {
  m: Float32Array;
  v: Float32Array;
  heap?: LinearHeap;
  mPtr?: number;
  vPtr?: number;
}

/** Zeroed moments for `n` parameters, in WASM memory when the backend has a heap with room. */
function newMoments(n: number): Moments {
  const backend = tf.backend();
  const heap = backend instanceof WmoeBackend ? backend.nn.heap : undefined;
  if (heap !== undefined && n > 0) {
    let mPtr: number | undefined;
    try {
      mPtr = heap.alloc(n * 4);
      const vPtr = heap.alloc(n * 4);
      const m = new Float32Array(heap.memory.buffer, mPtr, n).fill(0);
      const v = new Float32Array(heap.memory.buffer, vPtr, n).fill(0);
      return { m, v, heap, mPtr, vPtr };
    } catch {
      if (mPtr !== undefined) heap.free(mPtr); // no room: JS arrays below
    }
  }
  return { m: new Float32Array(n), v: new Float32Array(n) };
}

function freeMoments(s: Moments): void {
  if (s.heap === undefined) return;
  s.heap.free(s.mPtr!);
  s.heap.free(s.vPtr!);
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

/**
 * The same step on backend wmoe's nn module (SIMD, split over its threads): where the values
 * are when the moments and `out` live in WASM memory (p and g read in place, the new values
 * written into out), else in chunks copied in and out.
 */
function stepWasm(backend: WmoeBackend, p: Float32Array, g: Float32Array, s: Moments, out: Float32Array, k: StepConstants): void {
  const { exports, arena } = backend.nn;
  const { m, v } = s;
  const outPtr = backend.outputs.pointerOf(out);
  if (s.mPtr !== undefined && outPtr !== undefined) {
    arena.reset();
    const pp = readPtr(backend, p);
    const gp = readPtr(backend, g);
    exports.adamUpdate(pp, gp, s.mPtr, s.vPtr!, outPtr, p.length, k.b1, k.b2, k.c1, k.c2, k.omb1, k.omb2, k.eps, k.nlr);
    return;
  }
  for (let s = 0; s < p.length; s += WASM_CHUNK) {
    const e = Math.min(p.length, s + WASM_CHUNK);
    arena.reset();
    const pp = arena.put(p.subarray(s, e)), gp = arena.put(g.subarray(s, e));
    const mp = arena.put(m.subarray(s, e)), vp = arena.put(v.subarray(s, e));
    exports.adamUpdate(pp, gp, mp, vp, pp, e - s, k.b1, k.b2, k.c1, k.c2, k.omb1, k.omb2, k.eps, k.nlr);
    out.set(arena.f32(pp, e - s), s);
    m.set(arena.f32(mp, e - s), s);
    v.set(arena.f32(vp, e - s), s);
  }
}

/**
 * Decoupled weight decay (AdamW), the step before Adam's: out ← p·factor with
 * factor = fround(1 − lr·wd). One float32 product per value, so the JS and WASM paths agree
 * to the bit. Returns `out`, which the Adam step then reads as the variable.
 */
function decayInto(p: Float32Array, out: Float32Array, factor: number): Float32Array {
  for (let i = 0; i < p.length; i++) out[i] = f32(p[i] * factor);
  return out;
}

/** The exact state of a {@link FusedAdam}: step count, β₁ᵗ and β₂ᵗ, and each variable's moments (by tfjs variable name). */
export interface AdamState {
  iterations: number;
  accBeta1: number;
  accBeta2: number;
  moments: { name: string; m: Float32Array; v: Float32Array }[];
}

/**
 * Adam, bit-identical to tfjs's `tf.train.adam`, as one pass over each variable instead of
 * its ~14 tensor ops (each a full read and write of the variable; 8 % of a ResNet-18 MoE
 * step). Every float32 operation of tfjs's update is replayed in the same order with
 * `Math.fround` after it (a double result of +, −, ×, ÷ or √ of two float32 values rounds to
 * the float32 IEEE result), so training is unchanged to the bit:
 *   m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², p ← p − lr·(m/(1−β₁ᵗ)) / (√(v/(1−β₂ᵗ)) + ε).
 * Gradients and variables are read and written through the backend's typed arrays, so it
 * needs a backend whose tensors hold them (`adam()` picks it there). On backend wmoe the pass
 * runs in WASM SIMD (assembly/nn/adam.ts), split over its threads; with threads the moments,
 * the gradients and the new values stay in WASM memory.
 */
export class FusedAdam extends tf.Optimizer {
  static get className(): string {
    return 'FusedAdam';
  }

  private readonly moments = new Map<string, Moments>();
  /** β₁ᵗ and β₂ᵗ as tfjs keeps them (float32 scalars, starting at β). */
  private accBeta1: number;
  private accBeta2: number;
  private readonly epsilon: number;

  /**
   * Decoupled weight decay wd (AdamW): before each Adam step, p ← p − lr·wd·p, outside the
   * moments; 0 = plain Adam. Applies to the variables in `decayed` (tfjs names; all when unset).
   */
  weightDecay = 0;
  decayed: ReadonlySet<string> | undefined;

  /** `learningRate` may be changed between steps (a schedule). */
  constructor(public learningRate: number, readonly beta1 = 0.9, readonly beta2 = 0.999, epsilon?: number) {
    super();
    this.accBeta1 = f32(beta1);
    this.accBeta2 = f32(beta2);
    this.epsilon = epsilon ?? tf.backend().epsilon();
  }

  /**
   * tf.Optimizer's minimize; when `f` or its gradients throw (out of WASM memory, say), the
   * tensors tfjs saved for the backward pass are disposed (see gradient_tape.ts) before the
   * error propagates, so that a retry has the memory a fresh process would.
   */
  override minimize(f: () => tf.Scalar, returnCost = false, varList?: tf.Variable[]): tf.Scalar | null {
    try {
      return super.minimize(f, returnCost, varList);
    } catch (e) {
      releaseGradientTape(tf.engine());
      throw e;
    }
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
    const factor = f32(1 - this.learningRate * this.weightDecay);
    for (const [name, gradient] of pairs) {
      if (gradient == null) continue;
      const variable = tf.engine().registeredVariables[name];
      // On wmoe, the values where they are (dataSync would move resident ones to JS).
      const wmoe = backend instanceof WmoeBackend ? backend : undefined;
      const g = (wmoe ? wmoe.f32(gradient) : gradient.dataSync()) as Float32Array;
      const p = (wmoe ? wmoe.f32(variable) : variable.dataSync()) as Float32Array;
      let state = this.moments.get(name);
      if (!state) {
        state = newMoments(p.length);
        this.moments.set(name, state);
      }
      const moments = state;
      // Decayed values go into `out` first, and the Adam step reads them from there.
      const decays = this.weightDecay !== 0 && (this.decayed === undefined || this.decayed.has(name));
      // On wmoe, the new values' block is given back if the step throws (out of WASM memory).
      const out = wmoe
        ? releasingOutputsOnThrow(wmoe, () => {
            const o = wmoe.outputs.take(p.length);
            stepWasm(wmoe, decays ? decayInto(p, o, factor) : p, g, moments, o, k);
            return o;
          })
        : new Float32Array(p.length);
      if (!wmoe) stepJs(decays ? decayInto(p, out, factor) : p, g, state.m, state.v, out, k);
      const next = tf.tensor(out, variable.shape, 'float32');
      variable.assign(next);
      next.dispose();
    }
    this.accBeta1 = f32(this.accBeta1 * k.b1);
    this.accBeta2 = f32(this.accBeta2 * k.b2);
    this.incrementIterations();
  }

  dispose(): void {
    for (const s of this.moments.values()) freeMoments(s);
    this.moments.clear();
  }

  /** A copy of the exact state (see {@link AdamState}); {@link importState} continues from it to the bit. */
  exportState(): AdamState {
    return {
      iterations: this.iterations,
      accBeta1: this.accBeta1,
      accBeta2: this.accBeta2,
      moments: [...this.moments.entries()].map(([name, s]) => ({ name, m: s.m.slice(), v: s.v.slice() })),
    };
  }

  /** Replaces the state by a copy of `state` (from {@link exportState}, possibly of another process). */
  importState(state: AdamState): void {
    for (const s of this.moments.values()) freeMoments(s);
    this.moments.clear();
    this.iterations_ = state.iterations;
    this.accBeta1 = state.accBeta1;
    this.accBeta2 = state.accBeta2;
    for (const { name, m, v } of state.moments) {
      const s = newMoments(m.length);
      s.m.set(m);
      s.v.set(v);
      this.moments.set(name, s);
    }
  }

  async getWeights(): Promise<NamedTensor[]> {
    const moments = [...this.moments.entries()];
    return [
      await this.saveIterations(),
      // Copies: the moments change in place at the next step.
      ...moments.map(([name, s]) => ({ name: `${name}/m`, tensor: tf.tensor(s.m.slice()) })),
      ...moments.map(([name, s]) => ({ name: `${name}/v`, tensor: tf.tensor(s.v.slice()) })),
    ];
  }

  async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const rest = await this.extractIterations(weightValues);
    this.accBeta1 = f32(Math.pow(this.beta1, this.iterations + 1));
    this.accBeta2 = f32(Math.pow(this.beta2, this.iterations + 1));
    const half = rest.length / 2;
    for (const s of this.moments.values()) freeMoments(s);
    this.moments.clear();
    for (let i = 0; i < half; i++) {
      const name = rest[i].name.replace(/\/m$/, '');
      // Copies: the moments are updated in place, and the given tensors stay the caller's.
      const m = rest[i].tensor.dataSync() as Float32Array;
      const state = newMoments(m.length);
      state.m.set(m);
      state.v.set(rest[half + i].tensor.dataSync() as Float32Array);
      this.moments.set(name, state);
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
