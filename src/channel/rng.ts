// Seeded pseudo-random generator: xoshiro128++ in four interleaved lanes (SIMD in WASM),
// seeded by splitmix64, with uniform and standard-normal (Box–Muller) draws.
import { channelModule, CHUNK } from './wasm.js';
import { requireBitArray, requireF32, requireSeed } from './validate.js';

const TWO32 = 4294967296;

/**
 * A reproducible random stream. The 128-bit xoshiro128++ generator runs in four lanes with
 * independent splitmix64-derived states; output j of the stream is lane j mod 4 at step ⌊j/4⌋,
 * so `nextU32()` (scalar, in JS) and `uniform(n)` (four lanes per SIMD step, in WASM) continue
 * one and the same stream: `uniform` values are the next u32 outputs x mapped to (x >>> 8)·2⁻²⁴,
 * and `fillBits` spells the next outputs out as 32 bit-bytes each, least significant first.
 * Same seed → bit-identical output on every engine.
 *
 * `normal`/`fillNormal` draw standard normals by Box–Muller (see assembly/channel/gaussian.ts)
 * from whole four-lane steps: 8 normals per 2 steps. If `nextU32`/`uniform` left the stream
 * mid-step, the rest of that step is skipped first. Normals left over from a block are kept
 * for the next normal draw, so `normal(3)` then `normal(5)` equals `normal(8)`.
 */
export class Rng {
  /** 16 u32: word 4·k + L is s[k] of lane L. */
  private readonly s = new Uint32Array(16);
  /** Lane of the next scalar output (0…3). */
  private lane = 0;
  /** Unused normals of the last block: spare[8 − spareCount … 7]. */
  private readonly spare = new Float32Array(8);
  private spareCount = 0;

  /** Seeds the stream from an integer seed in [0, 2^53) via splitmix64. */
  constructor(seed: number) {
    requireSeed(seed);
    const mod = channelModule();
    mod.arena.reset();
    const p = mod.arena.alloc(64);
    mod.exports.seedState(p, seed % TWO32, Math.floor(seed / TWO32));
    this.s.set(new Uint32Array(mod.arena.memory.buffer, p, 16));
  }

  /**
   * A generator with the raw 4-lane state `words` (16 u32, word 4·k + L = s[k] of lane L),
   * e.g. from `state` of another generator. A lane's four words must not all be zero.
   */
  static fromState(words: ArrayLike<number>): Rng {
    if (words.length !== 16) throw new Error(`wireless-moe/channel: Rng state must have 16 words, got ${words.length}`);
    for (let i = 0; i < 16; i++) {
      const w = words[i];
      if (!Number.isInteger(w) || w < 0 || w >= TWO32) {
        throw new Error(`wireless-moe/channel: Rng state word ${i} must be an integer in [0, 2^32), got ${String(w)}`);
      }
    }
    for (let l = 0; l < 4; l++) {
      if (words[l] === 0 && words[4 + l] === 0 && words[8 + l] === 0 && words[12 + l] === 0) {
        throw new Error(`wireless-moe/channel: Rng state lane ${l} is all zero`);
      }
    }
    const r = new Rng(0);
    r.s.set(Array.from(words));
    return r;
  }

  /**
   * A copy of the 16-word lane state (layout as in `fromState`). It does not include the lane
   * cursor left by `nextU32` or the spare normals, so `Rng.fromState(r.state)` reproduces r's
   * future only when r is at a whole step with no spare normals (e.g. right after seeding).
   */
  get state(): Uint32Array {
    return this.s.slice();
  }

  /** The next 32-bit output of the stream, as an integer in [0, 2^32). */
  nextU32(): number {
    const s = this.s;
    const l = this.lane;
    let a = s[l], b = s[4 + l], c = s[8 + l], d = s[12 + l];
    const sum = (a + d) | 0;
    const result = ((((sum << 7) | (sum >>> 25)) + a) >>> 0);
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = (d << 11) | (d >>> 21);
    s[l] = a; s[4 + l] = b; s[8 + l] = c; s[12 + l] = d;
    this.lane = (l + 1) & 3;
    return result;
  }

  /** n uniform floats in [0, 1) on the 2⁻²⁴ grid (float32), the next n stream outputs. */
  uniform(n: number): Float32Array {
    checkCount(n);
    const out = new Float32Array(n);
    this.fillUniform(out);
    return out;
  }

  /** Fills `out` with uniform floats in [0, 1), as {@link uniform}. */
  fillUniform(out: Float32Array): Float32Array {
    requireF32('out', out);
    const n = out.length;
    let i = 0;
    while (i < n && this.lane !== 0) out[i++] = (this.nextU32() >>> 8) * 5.9604644775390625e-8;
    const steps = (n - i) >> 2;
    if (steps > 0) {
      const mod = channelModule();
      mod.arena.reset();
      const sp = mod.arena.alloc(64);
      const op = mod.arena.alloc(CHUNK * 4);
      const mem = () => mod.arena.memory.buffer;
      new Uint32Array(mem(), sp, 16).set(this.s);
      for (let done = 0; done < steps; ) {
        const k = Math.min(steps - done, CHUNK >> 2);
        mod.exports.fillUniform(sp, op, k);
        out.set(new Float32Array(mem(), op, 4 * k), i);
        i += 4 * k;
        done += k;
      }
      this.s.set(new Uint32Array(mem(), sp, 16));
    }
    while (i < n) out[i++] = (this.nextU32() >>> 8) * 5.9604644775390625e-8;
    return out;
  }

  /**
   * Fills `out` with random bits as 0/1 bytes: the next ⌈out.length/32⌉ outputs of the stream,
   * each giving 32 bits, least significant first; the unused bits of the last output are dropped.
   * Whole four-lane steps are expanded in WASM SIMD.
   */
  fillBits(out: Uint8Array): Uint8Array {
    requireBitArray('out', out);
    const n = out.length;
    let i = 0;
    while (i < n && this.lane !== 0) i = this.wordBits(out, i);
    const steps = (n - i) >> 7; // 128 bits per step
    if (steps > 0) {
      const mod = channelModule();
      mod.arena.reset();
      const sp = mod.arena.alloc(64);
      const op = mod.arena.alloc(CHUNK);
      const mem = mod.arena.memory.buffer;
      const state = new Uint32Array(mem, sp, 16);
      const bytes = new Uint8Array(mem, op, CHUNK);
      state.set(this.s);
      for (let done = 0; done < steps; ) {
        const k = Math.min(steps - done, CHUNK >> 7);
        mod.exports.fillBits(sp, op, k);
        out.set(k << 7 === CHUNK ? bytes : bytes.subarray(0, k << 7), i);
        i += k << 7;
        done += k;
      }
      this.s.set(state);
    }
    while (i < n) i = this.wordBits(out, i);
    return out;
  }

  /** Writes the bits of the next output to out[i…] (at most 32, LSB first); returns the next index. */
  private wordBits(out: Uint8Array, i: number): number {
    let x = this.nextU32();
    const end = Math.min(out.length, i + 32);
    for (; i < end; i++) {
      out[i] = x & 1;
      x >>>= 1;
    }
    return i;
  }

  /** n standard normal samples (float32, mean 0, variance 1). */
  normal(n: number): Float32Array {
    checkCount(n);
    const out = new Float32Array(n);
    this.gaussianInto(null, 1, out);
    return out;
  }

  /** Fills `out` with standard normal samples and returns it. */
  fillNormal(out: Float32Array): Float32Array {
    requireF32('out', out);
    this.gaussianInto(null, 1, out);
    return out;
  }

  /**
   * out[i] = (signal ? signal[i] : 0) + sigma·z[i] with z the next out.length normals of the
   * stream (in float32 arithmetic). `signal` must be finite and as long as `out`; checked by
   * the callers (src/channel/awgn.ts). `out` may be `signal`.
   * @internal
   */
  gaussianInto(signal: Float32Array | null, sigma: number, out: Float32Array): void {
    const n = out.length;
    let i = this.takeSpare(signal, sigma, out, 0);
    if (i === n) return;
    while (this.lane !== 0) this.nextU32();
    const mod = channelModule();
    mod.arena.reset();
    const sp = mod.arena.alloc(64);
    const op = mod.arena.alloc(CHUNK * 4);
    const mem = () => mod.arena.memory.buffer;
    new Uint32Array(mem(), sp, 16).set(this.s);
    const full = i + ((n - i) & ~7);
    while (i < full) {
      const k = Math.min(full - i, CHUNK);
      if (signal) new Float32Array(mem(), op, k).set(signal.subarray(i, i + k));
      mod.exports.fillGaussian(sp, op, signal ? op : 0, k >> 3, sigma);
      out.set(new Float32Array(mem(), op, k), i);
      i += k;
    }
    if (i < n) {
      // the last partial block: 8 plain normals, the unused ones kept for the next draw
      mod.exports.fillGaussian(sp, op, 0, 1, 1);
      this.spare.set(new Float32Array(mem(), op, 8));
      this.spareCount = 8;
      i = this.takeSpare(signal, sigma, out, i);
    }
    this.s.set(new Uint32Array(mem(), sp, 16));
  }

  /**
   * Hands the generator to a WASM kernel that draws `count` normals: writes the 16-word lane
   * state to `state` and the spare normals, oldest first, to `spare`, and returns how many there
   * are. If the spares do not cover `count`, the stream is first moved to a whole step, as
   * {@link gaussianInto} does. Call {@link resumeNormals} with the kernel's results afterwards.
   * @internal
   */
  suspendNormals(count: number, state: Uint32Array, spare: Float32Array): number {
    const left = this.spareCount;
    if (count > left) while (this.lane !== 0) this.nextU32();
    state.set(this.s);
    spare.set(this.spare.subarray(8 - left), 0);
    return left;
  }

  /**
   * Takes back the lane state and `count` (≤ 8) unused normals, oldest first, after a kernel
   * continued the stream started by {@link suspendNormals}.
   * @internal
   */
  resumeNormals(state: Uint32Array, spare: Float32Array, count: number): void {
    this.s.set(state);
    this.spare.set(spare.subarray(0, count), 8 - count);
    this.spareCount = count;
  }

  /** Uses spare normals for out[i…]; returns the next index to fill. */
  private takeSpare(signal: Float32Array | null, sigma: number, out: Float32Array, i: number): number {
    const f = Math.fround;
    const fs = f(sigma);
    while (i < out.length && this.spareCount > 0) {
      const z = f(fs * this.spare[8 - this.spareCount--]);
      out[i] = signal ? f(signal[i] + z) : z;
      i++;
    }
    return i;
  }
}

function checkCount(n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new Error(`wireless-moe/channel: sample count must be a non-negative integer, got ${String(n)}`);
  }
}
