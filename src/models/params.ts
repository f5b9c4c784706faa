import * as tf from '@tensorflow/tfjs-core';
import { SeededRandom } from '../random/seeded.js';

/** A named trainable tensor and its shape. */
export interface ParamSpec {
  name: string;
  shape: number[];
  /** 'he' (normal, std √(2/fanIn)), 'glorot' (normal, std √(2/(fanIn+fanOut))) or 'zeros'. */
  init: 'he' | 'glorot' | 'zeros';
}

/** Initial values of a parameter: fan-in is the product of all but the last dimension. */
function initialValues({ shape, init }: ParamSpec, rng: SeededRandom): Float32Array {
  const size = shape.reduce((a, b) => a * b, 1);
  const fanOut = shape[shape.length - 1];
  const fanIn = size / fanOut;
  const std = init === 'he' ? Math.sqrt(2 / fanIn) : init === 'glorot' ? Math.sqrt(2 / (fanIn + fanOut)) : 0;
  const values = new Float32Array(size);
  if (std > 0) for (let i = 0; i < size; i++) values[i] = rng.normal() * std;
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

  /** Creates variable `name` (fan-in is the product of all but the last dimension). */
  add(name: string, shape: number[], init: ParamSpec['init'] = 'he'): tf.Variable {
    if (this.vars.has(name)) throw new Error(`parameter '${name}' declared twice`);
    const spec = { name, shape, init };
    // tfjs variable names are process-global; ours live in this store, so two models can coexist.
    const v = tf.variable(tf.tensor(initialValues(spec, this.rng), shape), true);
    this.vars.set(name, v);
    this.specs.push(spec);
    return v;
  }

  /** Draws fresh initial values (same scheme as `add`) for the variables under `prefix`. */
  reinit(prefix: string, rng: SeededRandom): void {
    for (const s of this.specs.filter((p) => p.name.startsWith(prefix))) {
      this.get(s.name).assign(tf.tensor(initialValues(s, rng), s.shape));
    }
  }

  get(name: string): tf.Variable {
    const v = this.vars.get(name);
    if (!v) throw new Error(`unknown parameter '${name}'`);
    return v;
  }

  /** The variables whose names start with `prefix`. */
  group(prefix: string): tf.Variable[] {
    return this.specs.filter((s) => s.name.startsWith(prefix)).map((s) => this.get(s.name));
  }

  /** Total number of float32 values. */
  size(): number {
    return this.specs.reduce((a, s) => a + s.shape.reduce((x, y) => x * y, 1), 0);
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
      this.get(s.name).assign(tf.tensor(flat.subarray(offset, offset + n), s.shape));
      offset += n;
    }
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
  }
}
