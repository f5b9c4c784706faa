// Rician fading: a line-of-sight term of fixed random phase per link on top of a Rayleigh process,
//   h = √(K/(K+1))·e^{j2πφ0} + √(1/(K+1))·h_R,   E|h|² = 1 when E|h_R|² = 1,
// K linear (= 10^{K_dB/10}); φ0 ~ U[0, 1) turns per link from deriveSeed(seed, FADING_TAGS.LOS,
// expert); f_LOS = 0. K = ∞ gives |h| = 1 (AWGN up to the phase), K = 0 (−∞ dB) Rayleigh.
import { Rng } from '../rng.js';
import { deriveSeed } from '../../random/hash.js';
import { InputError } from '../../errors.js';
import type { FadingProcess } from './process.js';
import { checkGainsArgs } from './gains_args.js';
import { FADING_TAGS } from './tags.js';
import { cosTurns } from './cos_turns.js';

/** The Rician wrapper of a Rayleigh process `base`, K-factor in dB. */
export class RicianFading implements FadingProcess {
  readonly experts: number;
  /** LOS amplitude √(K/(K+1)) and scattered amplitude √(1/(K+1)). */
  readonly losAmplitude: number;
  readonly scatterAmplitude: number;
  /** LOS phasor per expert, f64 (re, im). */
  private readonly los: Float64Array;

  constructor(private readonly base: FadingProcess, seed: number, readonly kFactorDb: number) {
    if (Number.isNaN(kFactorDb)) throw new InputError(`Rician K-factor ${kFactorDb} dB is not a number`);
    this.experts = base.experts;
    const k = 10 ** (kFactorDb / 10);
    this.losAmplitude = k === Infinity ? 1 : Math.sqrt(k / (k + 1));
    this.scatterAmplitude = k === Infinity ? 0 : Math.sqrt(1 / (k + 1));
    this.los = new Float64Array(2 * this.experts);
    for (let e = 0; e < this.experts; e++) {
      const phi = new Rng(deriveSeed(seed, FADING_TAGS.LOS, e)).uniform(1)[0];
      this.los[2 * e] = cosTurns(phi);
      this.los[2 * e + 1] = cosTurns(phi - 0.25);
    }
  }

  gains(expert: number, j0: number, count: number, out: Float32Array): void {
    checkGainsArgs(this, expert, j0, count, out);
    const a = this.losAmplitude, b = this.scatterAmplitude;
    const lr = a * this.los[2 * expert], li = a * this.los[2 * expert + 1];
    if (b === 0) {
      for (let i = 0; i < count; i++) {
        out[2 * i] = lr;
        out[2 * i + 1] = li;
      }
      return;
    }
    this.base.gains(expert, j0, count, out);
    for (let i = 0; i < count; i++) {
      out[2 * i] = lr + b * out[2 * i];
      out[2 * i + 1] = li + b * out[2 * i + 1];
    }
  }
}
