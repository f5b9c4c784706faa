// What each expert's receiver knows when it equalises (`--rx-csi`): the spec, its parser, and the
// estimator that gives ĥ and its error variance per transmission.
import { InputError } from '../../errors.js';
import { KeyedNormals } from '../../channel/fading/keyed_normals.js';
import { positiveInt } from './positive_int.js';
import { checkBatch, noiseVariance } from './batch_args.js';
import { CSI_TAGS } from './tags.js';

/** What a receiver knows: `perfect` (ĥ = h) or `pilots:P` (LS estimate from P pilots per transmission). */
export type RxCsiSpec = { kind: 'perfect' } | { kind: 'pilots'; pilots: number };

/** The receiver CSI kinds, as the flag names them. */
export const RX_CSI_KINDS = ['perfect', 'pilots:P'] as const;

/** Parses `perfect | pilots:P` (P an integer ≥ 1). */
export function parseRxCsi(text: string): RxCsiSpec {
  const t = text.trim();
  if (t === 'perfect') return { kind: t };
  const [kind, value, ...rest] = t.split(':');
  if (kind === 'pilots' && value !== undefined && rest.length === 0) {
    return { kind, pilots: positiveInt(value, text, 'P', 'pilots', 'rx-csi') };
  }
  throw new InputError(`rx-csi '${text}' is not one of ${RX_CSI_KINDS.join(', ')}`);
}

/** The flag text of a receiver CSI spec (inverse of parseRxCsi), e.g. `pilots:4`. */
export function formatRxCsi(spec: RxCsiSpec): string {
  const s = spec as { kind: unknown; pilots?: unknown };
  return s.kind === 'pilots' ? `pilots:${String(s.pilots)}` : String(s.kind);
}

/** Checks an RxCsiSpec built in code (not parsed); throws an InputError naming the bad value. */
export function validateRxCsi(spec: RxCsiSpec): RxCsiSpec {
  return parseRxCsi(formatRxCsi(spec));
}

/** What the receivers know about a batch of transmissions, row-major [n, K]. */
export interface RxCsiEstimate {
  /** Channel estimates ĥ, interleaved re/im [n·K·2]. */
  hHat: Float32Array;
  /** Error variance σe² of ĥ per transmission [n·K], linear (0 perfect, N0/P pilots). */
  errVar: Float32Array;
  /** Channel uses per transmission spent on receiver pilots (P, or 0 for perfect CSI). */
  pilotUses: number;
  /** True for perfect receiver CSI (ĥ = h, σe² = 0). */
  perfect: boolean;
}

/**
 * Each receiver's estimate of its own channel. `pilots:P`: LS from P unit-energy pilots,
 * ĥ = h + CN(0, N0/P), a fresh draw per transmission (keyed by expert and slot index, so
 * random-access and independent of batching), σe² = N0/P with N0 = 10^(−SNR̄/10).
 */
export class RxCsiEstimator {
  private readonly pilotNoise: KeyedNormals | null;
  private readonly scratch = new Float32Array(2);

  /** `experts` links (integer ≥ 1); `seed` an integer in [0, 2^31) keying the pilot noise. */
  constructor(readonly spec: RxCsiSpec, readonly experts: number, seed: number) {
    validateRxCsi(spec);
    if (!Number.isInteger(experts) || experts < 1) throw new InputError(`experts ${experts} is not an integer ≥ 1`);
    this.pilotNoise = spec.kind === 'pilots' ? new KeyedNormals(experts, seed, CSI_TAGS.RX_PILOT) : null;
  }

  /** Channel uses per transmission spent on pilots: P, or 0 for perfect CSI. */
  get pilotUses(): number {
    return this.spec.kind === 'pilots' ? this.spec.pilots : 0;
  }

  /**
   * ĥ and σe² for the true gains `h` (interleaved re/im [n·K·2], row-major [n, K]), the mean SNRs
   * `meanSnrDb` [n·K] (dB; +∞ = perfect link: ĥ = h, σe² = 0; pilots need SNR̄ > −∞) and the slot
   * (time) index of each sample `slot` [n].
   */
  estimate(h: Float32Array, meanSnrDb: ArrayLike<number>, slot: ArrayLike<number>): RxCsiEstimate {
    const K = this.experts;
    const n = checkBatch('receiver CSI', K, h, meanSnrDb, slot, 'slot');
    const hHat = Float32Array.from(h);
    const errVar = new Float32Array(n * K);
    const spec = this.spec;
    if (spec.kind === 'pilots') {
      const w = this.scratch;
      for (let b = 0; b < n; b++) {
        for (let k = 0; k < K; k++) {
          const i = b * K + k;
          if (meanSnrDb[i] === -Infinity) throw new RangeError(`receiver CSI: pilots at a mean SNR of −∞ dB (pair ${i})`);
          const v = noiseVariance(meanSnrDb[i]) / spec.pilots;
          errVar[i] = v;
          if (v === 0) continue;
          this.pilotNoise!.fill(k, slot[b], 1, w);
          const sd = Math.sqrt(v);
          hHat[2 * i] = h[2 * i] + sd * w[0];
          hHat[2 * i + 1] = h[2 * i + 1] + sd * w[1];
        }
      }
    }
    return { hHat, errVar, pilotUses: this.pilotUses, perfect: spec.kind === 'perfect' };
  }
}
