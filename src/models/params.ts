import * as tf from '@tensorflow/tfjs-core';
import { SeededRandom } from '../random/seeded.js';

/**
 * How a parameter starts: 'he' (normal, std √(2/fanIn)), 'glorot' (normal, std √(2/(fanIn+fanOut))),
 * 'normal02' (normal, std 0.02: ViT's CLS token and position embeddings), 'zeros' or 'ones'.
 */
export type ParamInit = 'he' | 'glorot' | 'normal02' | 'zeros' | 'ones';

/** A named tensor of the model and its shape. */
export interface ParamSpec {
  name: string;
  shape: number[];
  init: ParamInit;
  /**
   * Leading dimensions that index independent copies (the K of stacked expert kernels
   * [K, in, out]); they count in neither fan-in nor fan-out. Default 0.
   */
  batchDims: number;
  /** False for state that training updates by assignment (batch norm's running statistics). */
  trainable: boolean;
}

/** Extra properties of a parameter (see {@link ParamSpec}). */
export interface ParamFlags {
  batchDims?: number;
  trainable?: boolean;
}

/**
 * Initial values of a parameter: after the batch dimensions, fan-out is the last dimension and
 * fan-in the product of the others (a conv kernel [kh, kw, in, out] has fan-in kh·kw·in).
 */
function initialValues({ shape, init, batchDims }: ParamSpec, rng: SeededRandom): Float32Array {
  const size = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(size);
  if (init === 'ones') return values.fill(1);
  if (init === 'zeros') return values;
  const perCopy = shape.slice(batchDims);
  const fanOut = perCopy[perCopy.length - 1];
  const fanIn = perCopy.reduce((a, b) => a * b, 1) / fanOut;
  const std = init === 'he' ? Math.sqrt(2 / fanIn) : init === 'normal02' ? 0.02 : Math.sqrt(2 / (fanIn + fanOut));
  for (let i = 0; i < size; i++) values[i] = rng.normal() * std;
  return values;
}

/**
 * The named variables of a model, created with a seeded initialiser so that the same seed
 * gives bit-identical weights. Serialises to one float32 buffer in declaration order.
 */
export class ParamStore {
  readonly vars = new Map<string, tf.Variable>();
  readonly specs: ParamSpec[] = [];

  constructor(private readonly rng: SeededRandom) {}

  /** Creates variable `name` (see {@link ParamSpec} for the flags). */
  add(name: string, shape: number[], init: ParamInit = 'he', flags: ParamFlags = {}): tf.Variable {
    if (this.vars.has(name)) throw new Error(`parameter '${name}' declared twice`);
    const spec: ParamSpec = { name, shape, init, batchDims: flags.batchDims ?? 0, trainable: flags.trainable ?? true };
    // tfjs variable names are process-global; ours live in this store, so two models can coexist.
    const initial = tf.tensor(initialValues(spec, this.rng), shape);
    const v = tf.variable(initial, spec.trainable);
    initial.dispose(); // the variable holds its own reference to the values
    this.vars.set(name, v);
    this.specs.push(spec);
    return v;
  }

  /** Draws fresh initial values (same scheme as `add`) for every parameter under `prefix`. */
  reinit(prefix: string, rng: SeededRandom): void {
    for (const s of this.specs.filter((p) => p.name.startsWith(prefix))) {
      this.assignValues(s.name, initialValues(s, rng), s.shape);
    }
  }

  /** Sets variable `name` to `values` (its tensor is released once the variable holds them). */
  private assignValues(name: string, values: Float32Array, shape: number[]): void {
    const t = tf.tensor(values, shape);
    this.get(name).assign(t);
    t.dispose();
  }

  get(name: string): tf.Variable {
    const v = this.vars.get(name);
    if (!v) throw new Error(`unknown parameter '${name}'`);
    return v;
  }

  /** The trainable variables whose names start with `prefix` (state such as running statistics excluded). */
  group(prefix: string): tf.Variable[] {
    return this.specs.filter((s) => s.trainable && s.name.startsWith(prefix)).map((s) => this.get(s.name));
  }

  /** Number of float32 values under `prefix` (all when omitted); `trainableOnly` skips state. */
  size(prefix = '', trainableOnly = false): number {
    return this.specs
      .filter((s) => s.name.startsWith(prefix) && (s.trainable || !trainableOnly))
      .reduce((a, s) => a + s.shape.reduce((x, y) => x * y, 1), 0);
  }

  /** All values, concatenated in declaration order. */
  toFlat(): Float32Array {
    const out = new Float32Array(this.size());
    let offset = 0;
    for (const s of this.specs) {
      const data = this.get(s.name).dataSync() as Float32Array;
      out.set(data, offset);
      offset += data.length;
    }
    return out;
  }

  /** Loads values saved by {@link toFlat}; the length must match exactly. */
  fromFlat(flat: Float32Array): void {
    if (flat.length !== this.size()) {
      throw new Error(`weights hold ${flat.length} values but the model needs ${this.size()}`);
    }
    let offset = 0;
    for (const s of this.specs) {
      const n = s.shape.reduce((a, b) => a * b, 1);
      this.assignValues(s.name, flat.subarray(offset, offset + n), s.shape);
      offset += n;
    }
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
  }
}
