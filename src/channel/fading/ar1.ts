// First-order autoregressive (Gauss–Markov) Rayleigh fading per link:
//   h_0 = w_0,  h_j = ρ·h_{j−1} + √(1−ρ²)·w_j,  w_j ~ CN(0,1) i.i.d.,  ρ = J0(2πf),
// stationary with E|h|² = 1 and E[h_j h*_{j+τ}] = ρ^|τ| (it matches Jakes at lag 1 only).
// w_j come from keyed streams (keyed_normals.ts); the recursion runs in f64 from j = 0, so h_j
// does not depend on how blocks are batched. The last state of each link is kept; a request
// behind it restarts from block 0 (deterministic, O(j) complex multiply-adds).
import type { FadingProcess } from './process.js';
import { checkGainsArgs } from './gains_args.js';
import { FADING_TAGS } from './tags.js';
import { cosTurns } from './cos_turns.js';
import { CHUNK_BLOCKS, KeyedNormals } from './keyed_normals.js';

/** AR(1) block gains with ρ = J0(2πf), innovations keyed by deriveSeed(seed, FADING_TAGS.AR1, expert, chunk). */
export class Ar1Fading implements FadingProcess {
  /** Lag-1 correlation ρ = J0(2πf). */
  readonly rho: number;
  private readonly innovationScale: number;
  private readonly normals: KeyedNormals;
  /** Per expert: block index of the kept state (−1: none) and h there (f64 re, im). */
  private readonly lastJ: Float64Array;
  private readonly lastH: Float64Array;
  private readonly w = new Float32Array(2 * CHUNK_BLOCKS);

  /** @param f normalised Doppler f_D·T in [0, 0.5] */
  constructor(readonly experts: number, seed: number, readonly f: number) {
    this.rho = ar1Rho(f);
    this.innovationScale = Math.sqrt(Math.max(0, 1 - this.rho * this.rho));
    this.normals = new KeyedNormals(experts, seed, FADING_TAGS.AR1);
    this.lastJ = new Float64Array(experts).fill(-1);
    this.lastH = new Float64Array(2 * experts);
  }

  gains(expert: number, j0: number, count: number, out: Float32Array): void {
    checkGainsArgs(this, expert, j0, count, out);
    if (count === 0) return;
    const last = this.lastJ[expert];
    let j = last >= 0 && last < j0 ? last : -1; // block of the state (re, im); −1 = before block 0
    let re = j >= 0 ? this.lastH[2 * expert] : 0;
    let im = j >= 0 ? this.lastH[2 * expert + 1] : 0;
    const end = j0 + count; // exclusive
    const rho = this.rho, s = this.innovationScale;
    while (j + 1 < end) {
      const from = j + 1;
      const k = Math.min(end - from, CHUNK_BLOCKS);
      this.normals.fill(expert, from, k, this.w);
      for (let i = 0; i < k; i++) {
        const wr = this.w[2 * i], wi = this.w[2 * i + 1];
        if (from + i === 0) {
          re = wr;
          im = wi;
        } else {
          re = rho * re + s * wr;
          im = rho * im + s * wi;
        }
        const b = from + i - j0;
        if (b >= 0) {
          out[2 * b] = re;
          out[2 * b + 1] = im;
        }
      }
      j = from + k - 1;
    }
    this.lastJ[expert] = j;
    this.lastH[2 * expert] = re;
    this.lastH[2 * expert + 1] = im;
  }
}

/**
 * ρ = J0(2πf) for 0 ≤ f ≤ 0.5 by Bessel's integral J0(x) = (1/π)∫₀^π cos(x sin θ) dθ with the
 * 64-point midpoint rule (error ≈ 2|J₁₂₈(π)| < 1e-100) and cosTurns instead of Math.cos, so ρ,
 * hence every AR(1) gain, has the same bits on every engine. Agrees with besselJ0 to ~1e-16.
 */
export function ar1Rho(f: number): number {
  const n = 64;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += cosTurns(f * cosTurns(0.25 - (i + 0.5) / (2 * n)));
  return sum / n;
}
