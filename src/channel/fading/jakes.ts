// Clarke/Jakes Rayleigh fading by the Zheng & Xiao (2002) sum of sinusoids, M = 32, unit power:
//   h(t) = √(1/M)·[ Σₙ cos(2π f t cos αₙ + φₙ) + j Σₙ cos(2π f t sin αₙ + φ′ₙ) ],
//   αₙ = (2πn − π + θ)/(4M), n = 1…M, with θ, φₙ, φ′ₙ i.i.d. uniform per link,
// t the block index and f = f_D·T. Over the link ensemble E[h(t)h*(t+τ)] = J0(2πfτ) exactly for
// any M, Re/Im uncorrelated (design §1.1). h is a closed form of t: random access.
// Angles are in turns and cosines come from cosTurns (same bits on every engine); the batch
// evaluation runs in WASM SIMD (assembly/channel/fading.ts, `sosGains`), bit-identical to the
// TS reference `sosGainsReference` below.
import { Rng } from '../rng.js';
import { channelModule } from '../wasm.js';
import { deriveSeed } from '../../random/hash.js';
import type { FadingProcess } from './process.js';
import { checkGainsArgs } from './gains_args.js';
import { FADING_TAGS } from './tags.js';
import { cosTurns } from './cos_turns.js';

/** Sinusoids per quadrature component. */
export const JAKES_M = 32;

/** √(1/M), the unit-power scale (computed as the kernel does). */
const SCALE = Math.sqrt(1 / JAKES_M);

/**
 * Per-link SoS parameters, f64 [4M]: fc[n] = f·cos αₙ and fs[n] = f·sin αₙ (cycles per block),
 * pc[n], ps[n] the phases in turns, laid out fc | pc | fs | ps. `u` holds 1 + 2M uniforms in
 * [0, 1): θ/(2π) + ½, then the φ and φ′ (in turns). `fixedAngles` sets θ = 0 on every link:
 * the classic non-stationary Jakes model, for tests only.
 */
export function sosParams(f: number, u: ArrayLike<number>, fixedAngles = false): Float64Array {
  const m = JAKES_M;
  const p = new Float64Array(4 * m);
  const v = fixedAngles ? 0 : u[0] - 0.5;
  for (let n = 0; n < m; n++) {
    const a = (n + 0.5 + v) / (4 * m); // αₙ in turns, n counted from 0
    p[n] = f * cosTurns(a);
    p[m + n] = u[1 + n];
    p[2 * m + n] = f * cosTurns(0.25 - a);
    p[3 * m + n] = u[1 + m + n];
  }
  return p;
}

/**
 * TS reference of the WASM kernel: gains of blocks t0 … t0+count−1 from `params` (sosParams
 * layout) into out (re, im interleaved, float32). Sums even and odd n separately, then adds the
 * two (the order of the kernel's two SIMD lanes).
 */
export function sosGainsReference(params: Float64Array, t0: number, count: number, out: Float32Array): void {
  const m = JAKES_M;
  for (let i = 0; i < count; i++) {
    const t = t0 + i;
    let r0 = 0, r1 = 0, q0 = 0, q1 = 0;
    for (let n = 0; n < m; n += 2) {
      r0 += cosTurns(params[n] * t + params[m + n]);
      r1 += cosTurns(params[n + 1] * t + params[m + n + 1]);
      q0 += cosTurns(params[2 * m + n] * t + params[3 * m + n]);
      q1 += cosTurns(params[2 * m + n + 1] * t + params[3 * m + n + 1]);
    }
    out[2 * i] = (r0 + r1) * SCALE;
    out[2 * i + 1] = (q0 + q1) * SCALE;
  }
}

/** Jakes SoS fading per expert link, parameters from deriveSeed(seed, FADING_TAGS.JAKES, expert). */
export class JakesSoS implements FadingProcess {
  private readonly params: Float64Array[];

  /**
   * @param f normalised Doppler f_D·T in [0, 0.5]
   * @param opts.reference evaluate in TS (sosGainsReference) instead of WASM; same bits
   * @param opts.fixedAngles θ = 0 on every link (non-stationary classic Jakes; tests only)
   */
  constructor(
    readonly experts: number,
    seed: number,
    readonly f: number,
    private readonly opts: { reference?: boolean; fixedAngles?: boolean } = {},
  ) {
    this.params = [];
    for (let k = 0; k < experts; k++) {
      const u = new Rng(deriveSeed(seed, FADING_TAGS.JAKES, k)).uniform(1 + 2 * JAKES_M);
      this.params.push(sosParams(f, u, opts.fixedAngles));
    }
  }

  gains(expert: number, j0: number, count: number, out: Float32Array): void {
    checkGainsArgs(this, expert, j0, count, out);
    const params = this.params[expert];
    if (this.opts.reference) return sosGainsReference(params, j0, count, out);
    sosGainsWasm(params, j0, count, out);
  }
}

/** Runs assembly/channel/fading.ts `sosGains` in chunks (bit-identical to sosGainsReference). */
function sosGainsWasm(params: Float64Array, t0: number, count: number, out: Float32Array): void {
  const mod = channelModule();
  const chunk = 4096;
  mod.arena.reset();
  const pp = mod.arena.put(params);
  const op = mod.arena.alloc(chunk * 8);
  for (let i = 0; i < count; i += chunk) {
    const k = Math.min(chunk, count - i);
    mod.exports.sosGains(pp, JAKES_M, t0 + i, k, op);
    out.set(new Float32Array(mod.arena.memory.buffer, op, 2 * k), 2 * i);
  }
}
