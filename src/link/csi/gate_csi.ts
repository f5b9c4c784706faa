// What the server's gate knows about each expert link (`--csi`): the spec, its parser, and the
// estimator that turns the true block gains into the gate's estimated instantaneous SNR.
import { InputError } from '../../errors.js';
import { KeyedNormals } from '../../channel/fading/keyed_normals.js';
import type { FadingProcess } from '../../channel/fading/process.js';
import { positiveInt, strictInt } from './positive_int.js';
import { checkBatch, instantaneousSnrDb, noiseVariance } from './batch_args.js';
import { CSI_TAGS } from './tags.js';

/**
 * What the gate knows: `perfect` (the instantaneous h), `pilots:P` (LS estimate from P unit-energy
 * pilots, error variance N0/P), `stale:d` (h of d blocks earlier), `quantised:B` (the SNR in dB
 * clipped to the stage-2 SNR range and quantised uniformly in B bits), `statistical` (the mean SNR).
 */
export type GateCsiSpec =
  | { kind: 'perfect' }
  | { kind: 'pilots'; pilots: number }
  | { kind: 'stale'; delay: number }
  | { kind: 'quantised'; bits: number }
  | { kind: 'statistical' };

/** The gate CSI kinds, as the flag names them. */
export const GATE_CSI_KINDS = ['perfect', 'pilots:P', 'stale:d', 'quantised:B', 'statistical'] as const;

/** Largest B of `quantised:B`. */
export const MAX_QUANTISER_BITS = 16;

/** Parses `perfect | pilots:P | stale:d | quantised:B | statistical` (P, d integers ≥ 1; B in 1…16). */
export function parseGateCsi(text: string): GateCsiSpec {
  const t = text.trim();
  if (t === 'perfect' || t === 'statistical') return { kind: t };
  const [kind, value, ...rest] = t.split(':');
  if (value !== undefined && rest.length === 0) {
    if (kind === 'pilots') return { kind, pilots: positiveInt(value, text, 'P', 'pilots', 'csi') };
    if (kind === 'stale') return { kind, delay: positiveInt(value, text, 'd', 'blocks of delay', 'csi') };
    if (kind === 'quantised' || kind === 'quantized') {
      const bits = strictInt(value);
      if (!(bits >= 1 && bits <= MAX_QUANTISER_BITS)) {
        throw new InputError(`csi '${text}': B = '${value}' is not an integer in 1…${MAX_QUANTISER_BITS} (bits)`);
      }
      return { kind: 'quantised', bits };
    }
  }
  throw new InputError(`csi '${text}' is not one of ${GATE_CSI_KINDS.join(', ')}`);
}

/** The flag text of a gate CSI spec (inverse of parseGateCsi), e.g. `stale:1`. */
export function formatGateCsi(spec: GateCsiSpec): string {
  const s = spec as { kind: unknown; pilots?: unknown; delay?: unknown; bits?: unknown };
  if (s.kind === 'pilots') return `pilots:${String(s.pilots)}`;
  if (s.kind === 'stale') return `stale:${String(s.delay)}`;
  if (s.kind === 'quantised') return `quantised:${String(s.bits)}`;
  return String(s.kind);
}

/** Checks a GateCsiSpec built in code (not parsed); throws an InputError naming the bad value. */
export function validateGateCsi(spec: GateCsiSpec): GateCsiSpec {
  return parseGateCsi(formatGateCsi(spec));
}

/** What the gate estimator needs besides the spec: the fading process (stale) and the stage-2 SNR range (quantised). */
export interface GateCsiOptions {
  /** The links' fading process, for `stale:d` (ĥ = h of block j − d, by random access). */
  fading?: FadingProcess;
  /** [lo, hi] in dB, lo < hi: the stage-2 `--snr-range`, for `quantised:B`. */
  snrRange?: readonly [number, number];
}

/**
 * The gate's estimate of each link's instantaneous SNR. Deterministic and random-access: the
 * estimate of a (sample, expert) pair depends only on the seed, the expert, its block index, its
 * true gain and mean SNR, never on which other pairs are asked for in the same or earlier calls.
 */
export class GateCsiEstimator {
  private readonly pilotNoise: KeyedNormals | null;
  private readonly scratch = new Float32Array(2);

  /** `experts` links (integer ≥ 1); `seed` an integer in [0, 2^31) keying the pilot noise. */
  constructor(readonly spec: GateCsiSpec, readonly experts: number, seed: number, private readonly options: GateCsiOptions = {}) {
    validateGateCsi(spec);
    if (!Number.isInteger(experts) || experts < 1) throw new InputError(`experts ${experts} is not an integer ≥ 1`);
    if (spec.kind === 'stale') {
      if (!options.fading) throw new InputError(`csi '${formatGateCsi(spec)}' needs the links' fading process`);
      if (options.fading.experts !== experts) {
        throw new InputError(`csi '${formatGateCsi(spec)}': the fading process has ${options.fading.experts} links, not ${experts}`);
      }
    }
    if (spec.kind === 'quantised') {
      const r = options.snrRange;
      if (!r || !(Number.isFinite(r[0]) && Number.isFinite(r[1]) && r[0] < r[1])) {
        throw new InputError(`csi '${formatGateCsi(spec)}' needs a finite SNR range lo < hi, got ${r ? `[${r[0]}, ${r[1]}]` : 'none'}`);
      }
    }
    this.pilotNoise = spec.kind === 'pilots' ? new KeyedNormals(experts, seed, CSI_TAGS.GATE_PILOT) : null;
  }

  /**
   * The gate's estimated instantaneous SNR |ĥ|²·SNR̄ in dB, row-major [n·K], from the true gains
   * `h` (interleaved re/im [n·K·2], row-major [n, K]), the mean SNRs `meanSnrDb` [n·K] (dB,
   * +∞ = perfect link, which stays +∞) and the block index of each sample `block` [n]. |ĥ| = 0
   * gives −∞ (quantised: the range's low end). Writes `out` when given.
   */
  estimate(h: Float32Array, meanSnrDb: ArrayLike<number>, block: ArrayLike<number>, out?: Float32Array): Float32Array {
    const K = this.experts;
    const n = checkBatch('gate CSI', K, h, meanSnrDb, block, 'block');
    const res = out ?? new Float32Array(n * K);
    if (res.length !== n * K) throw new RangeError(`gate CSI: out has length ${res.length}, expected ${n * K}`);
    const spec = this.spec;
    if (spec.kind === 'statistical') {
      for (let i = 0; i < n * K; i++) res[i] = meanSnrDb[i];
      return res;
    }
    const g = spec.kind === 'quantised' ? h : this.gains(h, meanSnrDb, block);
    for (let i = 0; i < n * K; i++) {
      const snr = instantaneousSnrDb(g[2 * i] * g[2 * i] + g[2 * i + 1] * g[2 * i + 1], meanSnrDb[i]);
      res[i] = spec.kind === 'quantised' ? quantiseDb(snr, this.options.snrRange!, spec.bits) : snr;
    }
    return res;
  }

  /**
   * The gate's channel estimate ĥ [n·K·2] (interleaved re/im) for the kinds that estimate a gain:
   * perfect (h), pilots:P (h + CN(0, N0/P), one draw per (block, expert), N0 = 10^(−SNR̄/10)),
   * stale:d (h of block max(j − d, 0): before block d the gate holds block 0's gain). Float64.
   */
  gains(h: Float32Array, meanSnrDb: ArrayLike<number>, block: ArrayLike<number>): Float64Array {
    const K = this.experts;
    const n = checkBatch('gate CSI', K, h, meanSnrDb, block, 'block');
    const spec = this.spec;
    if (spec.kind === 'quantised' || spec.kind === 'statistical') {
      throw new InputError(`csi '${formatGateCsi(spec)}' does not estimate a gain, only an SNR`);
    }
    const g = Float64Array.from(h);
    if (spec.kind === 'perfect') return g;
    const w = this.scratch;
    for (let b = 0; b < n; b++) {
      for (let k = 0; k < K; k++) {
        const i = b * K + k;
        if (spec.kind === 'stale') {
          this.options.fading!.gains(k, Math.max(block[b] - spec.delay, 0), 1, w);
          g[2 * i] = w[0];
          g[2 * i + 1] = w[1];
        } else {
          const sd = Math.sqrt(noiseVariance(meanSnrDb[i]) / spec.pilots);
          if (sd === 0) continue;
          this.pilotNoise!.fill(k, block[b], 1, w);
          g[2 * i] += sd * w[0];
          g[2 * i + 1] += sd * w[1];
        }
      }
    }
    return g;
  }
}

/**
 * SNR `x` dB clipped to [lo, hi] and quantised uniformly to 2^bits levels
 * lo + round((x − lo)/(hi − lo)·(2^bits − 1))·(hi − lo)/(2^bits − 1); +∞ stays +∞ (perfect link).
 */
export function quantiseDb(x: number, range: readonly [number, number], bits: number): number {
  if (x === Infinity) return Infinity;
  const [lo, hi] = range;
  const steps = 2 ** bits - 1;
  const c = Math.min(Math.max(x, lo), hi);
  return lo + (Math.round(((c - lo) / (hi - lo)) * steps) * (hi - lo)) / steps;
}
