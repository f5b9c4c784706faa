// The FadingProcess interface: the complex gains h of each expert's link, block by block,
// random-access (gains(expert, j0, count) depend only on the seed, the expert and the block
// index, never on how the blocks are batched), and the factory from a FadingSpec and a seed.
import { deriveSeed } from '../../random/hash.js';
import { InputError } from '../../errors.js';
import { validateFadingSpec, type FadingSpec } from './spec.js';
import { IidRayleigh } from './iid.js';
import { JakesSoS } from './jakes.js';
import { Ar1Fading } from './ar1.js';
import { RicianFading } from './rician.js';
import { checkGainsArgs } from './gains_args.js';

export { FADING_TAGS } from './tags.js';

/**
 * Complex block gains of K expert links, E|h|² = 1 per link. Block j of expert k is the same
 * complex number whichever call asks for it.
 */
export interface FadingProcess {
  /** Number of expert links. */
  readonly experts: number;
  /**
   * Writes the gains of blocks j0 … j0+count−1 of `expert` (0 ≤ expert < experts, j0 ≥ 0 integer)
   * to `out` interleaved as re, im (out.length ≥ 2·count; float32).
   */
  gains(expert: number, j0: number, count: number, out: Float32Array): void;
}

/** h = 1 + 0j on every block (AWGN). */
export class NoFading implements FadingProcess {
  constructor(readonly experts: number) {}
  gains(expert: number, j0: number, count: number, out: Float32Array): void {
    checkGainsArgs(this, expert, j0, count, out);
    for (let i = 0; i < count; i++) {
      out[2 * i] = 1;
      out[2 * i + 1] = 0;
    }
  }
}

/**
 * The fading process of `spec` for `experts` links from `seed` (integer in [0, 2^31)). The
 * Rayleigh part is iid blocks without Doppler, Jakes SoS with `doppler.model = 'jakes'`, AR(1)
 * with 'ar1'; `rician` wraps it with a LOS term; `awgn` is h = 1. `spec.coherence` is the
 * caller's: gains are per block j = ⌊slot/N⌋.
 */
export function createFadingProcess(spec: FadingSpec, experts: number, seed: number): FadingProcess {
  validateFadingSpec(spec);
  if (!Number.isInteger(experts) || experts < 1) throw new InputError(`experts ${experts} is not an integer ≥ 1`);
  deriveSeed(seed); // throws a RangeError naming a bad seed
  if (spec.channel.kind === 'awgn') return new NoFading(experts);
  const d = spec.doppler;
  const base: FadingProcess = !d
    ? new IidRayleigh(experts, seed)
    : d.model === 'jakes'
      ? new JakesSoS(experts, seed, d.f)
      : new Ar1Fading(experts, seed, d.f);
  return spec.channel.kind === 'rician' ? new RicianFading(base, seed, spec.channel.kFactorDb) : base;
}
