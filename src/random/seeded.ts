/**
 * Small seeded generator for the training loop's own randomness (weight init, shuffling,
 * stage-2 SNR draws): mulberry32, 32-bit state. Not for channel noise (see src/channel for the
 * SIMD generator); fast enough for a few thousand draws per step.
 */
/** A {@link SeededRandom}'s exact state: the 32-bit state and Box–Muller's spare normal (or null). */
export interface RandomState {
  state: number;
  spare: number | null;
}

export class SeededRandom {
  private state: number;
  private spare: number | null = null;

  /** `seed`: an integer in [0, 2^32) (a RangeError names any other value: no two seeds alias). */
  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32) {
      throw new RangeError(`SeededRandom: seed must be an integer in [0, 2^32), got ${String(seed)}`);
    }
    this.state = (Math.imul(seed | 0, 0x9e3779b1) ^ 0x85ebca6b) >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    const u = 1 - this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** A uniformly random permutation of 0..n-1 (Fisher–Yates). */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  /** The generator's exact state (to save with a checkpoint; see {@link restore}). */
  save(): RandomState {
    return { state: this.state, spare: this.spare };
  }

  /** Continues from a state {@link save} gave: the same draws as the saved generator would make. */
  restore(saved: RandomState): void {
    this.state = saved.state >>> 0;
    this.spare = saved.spare;
  }

  /** A derived, independent generator (for one named purpose). */
  fork(salt: number): SeededRandom {
    return new SeededRandom((Math.floor(this.next() * 2 ** 31) ^ Math.imul(salt, 0x27d4eb2d)) >>> 0);
  }
}
