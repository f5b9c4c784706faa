// The channel model of the expert links: fading (channel, coherence, Doppler), what the gate knows
// (--csi) and what the receivers know (--rx-csi). realise() turns a batch's mean SNRs and its
// position in time into a LinkBatch. Every random part is keyed by (seed, expert, block or slot),
// so a batch's contents depend only on the seed and its slots, never on how time is cut into
// batches (random access: resume, any batch size).
import { InputError } from '../errors.js';
import { isSeed } from '../random/hash.js';
import { createFadingProcess, type FadingProcess } from '../channel/fading/process.js';
import { AWGN_FADING, validateFadingSpec, type FadingSpec } from '../channel/fading/spec.js';
import { GateCsiEstimator, type GateCsiSpec } from './csi/gate_csi.js';
import { RxCsiEstimator, type RxCsiSpec } from './csi/rx_csi.js';
import type { LinkBatch } from './link_batch.js';

/**
 * A channel model: `fading` (channel kind, coherence N = samples per block, Doppler; the coherence
 * is `fading.coherence`), the gate's CSI `csi` and the receivers' CSI `rxCsi`. The parsed channel
 * flags (src/cli/channel_flags.ts ChannelFlagSpec) have these fields.
 */
export interface ChannelModelSpec {
  fading: FadingSpec;
  csi: GateCsiSpec;
  rxCsi: RxCsiSpec;
}

/** What the model needs besides the spec. */
export interface ChannelModelOptions {
  /** The stage-2 SNR range [lo, hi] in dB, lo < hi: needed by `csi: quantised:B`. */
  snrRange?: readonly [number, number];
}

/** Today's links: AWGN, coherence 1, perfect gate and receiver CSI. */
const AWGN_SPEC: ChannelModelSpec = Object.freeze({
  fading: AWGN_FADING,
  csi: Object.freeze({ kind: 'perfect' }) as GateCsiSpec,
  rxCsi: Object.freeze({ kind: 'perfect' }) as RxCsiSpec,
});

/** The shared AWGN models, by number of links (see ChannelModel.awgn). */
const AWGN_MODELS = new Map<number, ChannelModel>();

/** Largest slot index + 1 (block and slot indices are int32). */
const SLOT_LIMIT = 2 ** 31;

/** Realises batches of the channel, the gate's knowledge and the receivers' knowledge for K expert links. */
export class ChannelModel {
  /** The links' fading process (gains by random access, one link per expert). */
  readonly fading: FadingProcess;
  private readonly gateCsi: GateCsiEstimator;
  private readonly rxCsi: RxCsiEstimator;

  /**
   * `experts` links K (integer ≥ 1); `seed` (integer in [0, 2^31)) keys the fading, the gate's pilot
   * noise and the receivers' pilot noise (separate purpose tags). One-line InputError for a bad
   * spec, and for `quantised:B` without `options.snrRange`.
   */
  constructor(readonly spec: ChannelModelSpec, readonly experts: number, readonly seed: number, options: ChannelModelOptions = {}) {
    validateFadingSpec(spec.fading);
    if (!Number.isInteger(experts) || experts < 1) throw new InputError(`experts ${experts} is not an integer ≥ 1`);
    if (!isSeed(seed)) throw new InputError(`channel seed ${seed} is not an integer in [0, 2^31)`);
    this.fading = createFadingProcess(spec.fading, experts, seed);
    this.gateCsi = new GateCsiEstimator(spec.csi, experts, seed, { fading: this.fading, snrRange: options.snrRange });
    this.rxCsi = new RxCsiEstimator(spec.rxCsi, experts, seed);
  }

  /**
   * Today's behaviour for `experts` links: h = 1, the gate sees the mean SNR, perfect receivers. One
   * shared model per K (it draws nothing: realise() depends only on its arguments), so training steps
   * do not build one each.
   */
  static awgn(experts: number): ChannelModel {
    let m = AWGN_MODELS.get(experts);
    if (!m) AWGN_MODELS.set(experts, (m = new ChannelModel(AWGN_SPEC, experts, 0)));
    return m;
  }

  /** Samples per fading block N. */
  get coherence(): number {
    return this.spec.fading.coherence;
  }

  /**
   * True when every batch has h = 1 + 0j, gate SNR = mean SNR and perfect receivers (AWGN with
   * gate CSI perfect, stale or statistical, which coincide under AWGN, and rx CSI perfect): the
   * links may take today's AWGN path unchanged.
   */
  get isAwgnPerfect(): boolean {
    const k = this.spec.csi.kind;
    return this.spec.fading.channel.kind === 'awgn' && this.spec.rxCsi.kind === 'perfect' && (k === 'perfect' || k === 'stale' || k === 'statistical');
  }

  /**
   * Gate-CSI pilot uses per sample, over all K links: K·P/N for `csi: pilots:P` (one estimate per
   * link and block of N samples), else 0. Reported apart from the chosen links' channel uses.
   */
  get gatePilotUsesPerSample(): number {
    const c = this.spec.csi;
    return c.kind === 'pilots' ? (this.experts * c.pilots) / this.coherence : 0;
  }

  /**
   * The batch of `count` samples at slots slot0 … slot0+count−1 (integers ≥ 0, below 2^31):
   * `meanSnrDb` the mean SNR of each (sample, expert) pair, dB [count·K] row-major (+∞ perfect
   * link; no NaN); `noiseSeed` the batch's data-noise seed, in [0, 2^31). Sample b is in block
   * ⌊(slot0 + b)/N⌋; the true gains come from the fading process, the gate's SNR from the gate CSI
   * estimator, ĥ and σe² from the receiver CSI estimator at slot slot0 + b.
   */
  realise(meanSnrDb: ArrayLike<number>, count: number, slot0: number, noiseSeed: number): LinkBatch {
    const K = this.experts;
    this.checkRealiseArgs(meanSnrDb, count, slot0, noiseSeed);
    const mean = Float32Array.from(meanSnrDb);
    const N = this.coherence;
    const block = new Int32Array(count);
    const slot = new Float64Array(count);
    for (let b = 0; b < count; b++) {
      slot[b] = slot0 + b;
      block[b] = Math.floor((slot0 + b) / N);
    }
    const h = this.gains(block);
    const snrDb = this.isAwgnPerfect ? Float32Array.from(mean) : this.gateCsi.estimate(h, mean, block);
    const rx = this.rxCsi.estimate(h, mean, slot);
    return {
      channel: { batch: count, experts: K, meanSnrDb: mean, h, faded: this.spec.fading.channel.kind !== 'awgn', slot0, block, noiseSeed },
      gate: { snrDb },
      rx: { hHat: rx.hHat, errVar: rx.errVar, pilotUses: rx.pilotUses, perfect: rx.perfect },
    };
  }

  /** True gains h [count·K·2] (row-major [count, K], re/im) of consecutive-or-equal blocks `block`. */
  private gains(block: Int32Array): Float32Array {
    const K = this.experts, n = block.length;
    const h = new Float32Array(2 * n * K);
    if (n === 0) return h;
    const j0 = block[0], blocks = block[n - 1] - j0 + 1;
    const row = new Float32Array(2 * blocks);
    for (let k = 0; k < K; k++) {
      this.fading.gains(k, j0, blocks, row);
      for (let b = 0; b < n; b++) {
        const at = 2 * (block[b] - j0), i = 2 * (b * K + k);
        h[i] = row[at];
        h[i + 1] = row[at + 1];
      }
    }
    return h;
  }

  /** One-line errors for realise's arguments (nothing realised). */
  private checkRealiseArgs(meanSnrDb: ArrayLike<number>, count: number, slot0: number, noiseSeed: number): void {
    const K = this.experts;
    if (!Number.isInteger(count) || count < 0) throw new RangeError(`channel model: count ${count} is not an integer ≥ 0`);
    if (!Number.isInteger(slot0) || slot0 < 0 || slot0 + count > SLOT_LIMIT) {
      throw new RangeError(`channel model: slot0 ${slot0} is not an integer ≥ 0 with slot0 + count ≤ 2^31`);
    }
    if (!isSeed(noiseSeed)) throw new RangeError(`channel model: noise seed ${noiseSeed} is not an integer in [0, 2^31)`);
    if (meanSnrDb.length !== count * K) {
      throw new RangeError(`channel model: meanSnrDb has length ${meanSnrDb.length}, expected count·K = ${count}·${K} = ${count * K}`);
    }
    for (let i = 0; i < meanSnrDb.length; i++) {
      const s = meanSnrDb[i];
      if (Number.isNaN(s)) throw new InputError(`channel model: mean SNR of pair ${i} (sample ${Math.floor(i / K)}, expert ${i % K}) is NaN`);
      if (s === -Infinity && this.spec.rxCsi.kind === 'pilots') {
        throw new InputError(`channel model: mean SNR of pair ${i} is −∞ dB, where rx-csi pilots cannot estimate a gain`);
      }
    }
  }
}

/**
 * Today's links for one batch: AWGN at the given SNRs (Es/N0 dB per complex channel use, row-major
 * [batch, K] = snrDb [batch·K], +∞ perfect), h = 1, the gate sees these SNRs, perfect receivers;
 * `noiseSeed` (integer in [0, 2^31)) seeds the data noise. The same as
 * `ChannelModel.awgn(experts).realise(snrDb, batch, 0, noiseSeed)`.
 */
export function awgnLinkBatch(snrDb: ArrayLike<number>, batch: number, experts: number, noiseSeed: number): LinkBatch {
  return ChannelModel.awgn(experts).realise(snrDb, batch, 0, noiseSeed);
}
