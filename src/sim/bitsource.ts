// A seeded stream of random bits for simulations.
import { Rng } from '../channel/index.js';

/**
 * Uniform random bits (0/1 bytes) from a seeded {@link Rng}: each 32-bit output of the generator
 * gives 32 bits, least significant first (whole words are expanded by `Rng.fillBits`, in WASM).
 * The stream is continuous across calls — `fill` of 100 then 28 bits equals `fill` of 128 — so
 * frame contents do not depend on how frames are batched.
 */
export class BitSource {
  private readonly rng: Rng;
  private word = 0;
  private left = 0;

  /** seed: an integer in [0, 2^53). */
  constructor(seed: number) {
    this.rng = new Rng(seed);
  }

  /** Overwrites `out` with the next out.length bits of the stream and returns it. */
  fill(out: Uint8Array): Uint8Array {
    const n = out.length;
    let i = 0;
    let w = this.word;
    let left = this.left;
    while (i < n && left > 0) {
      out[i++] = w & 1;
      w >>>= 1;
      left--;
    }
    const rng = this.rng;
    const whole = (n - i) & ~31;
    if (whole > 0) {
      rng.fillBits(out.subarray(i, i + whole));
      i += whole;
    }
    if (i < n) {
      w = rng.nextU32();
      left = 32;
      while (i < n) {
        out[i++] = w & 1;
        w >>>= 1;
        left--;
      }
    }
    this.word = w;
    this.left = left;
    return out;
  }
}
