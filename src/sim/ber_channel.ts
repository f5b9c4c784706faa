// The channel of a BER simulation: AWGN with perfect receiver CSI (the fused AWGN pass, as
// before), or flat block fading per frame (codeword, or the uncoded frame) with the receiver's
// channel estimate: y = h·x + n, equalised with ĥ, LLRs with N̂0_eff = (N0 + σe²)/|ĥ|²
// (llrOverFlat). Frame i of a point lies in block j = ⌊i/coherence⌋; the gains come from one
// FadingProcess link and the receiver's pilot noise from keyed streams, both seeded from the
// run's seed and the point's index, so the counts do not depend on the batch size.
import {
  llrOverFlat,
  createFadingProcess,
  parseFadingChannel,
  parseDoppler,
  validateFadingSpec,
  type FadingChannel,
  type FadingProcess,
  type FadingSpec,
  type DopplerSpec,
  type ModulationName,
  type Rng,
} from '../channel/index.js';
import type { FusedKind } from '../channel/llr_over_awgn.js';
import { RxCsiEstimator, formatRxCsi, parseRxCsi, validateRxCsi, type RxCsiSpec } from '../link/csi/rx_csi.js';
import { deriveSeed } from '../random/hash.js';
import { InputError, fail } from '../errors.js';

/** The channel options of simulateBer (see BerOptions). */
export interface BerChannelOptions {
  channel?: FadingChannel | string;
  coherence?: number;
  doppler?: DopplerSpec | string | number | null;
  rxCsi?: RxCsiSpec | string;
}

/** The resolved channel settings as a result records them (flag texts, so they round-trip). */
export interface BerChannelSettings {
  /** 'awgn', 'rayleigh' or 'rician:K' (K in dB, or inf). */
  channel: string;
  /** Frames (codewords; uncoded: frames of blockBits) per fading block, integer ≥ 1. */
  coherence: number;
  /** 'f' (Jakes SoS), 'ar1:f', or null: blocks fade independently. */
  doppler: string | null;
  /** 'perfect' or 'pilots:P'. */
  rxCsi: string;
  /** Channel uses per frame spent on receiver pilots: P, or 0 with perfect receiver CSI. */
  pilotUsesPerFrame: number;
}

/** A resolved BER channel: the specs, their recorded texts, and whether the AWGN fast path applies. */
export interface BerChannel {
  fading: FadingSpec;
  rxCsi: RxCsiSpec;
  settings: BerChannelSettings;
  /** True for AWGN with perfect receiver CSI: the simulator's original fused AWGN pass. */
  awgn: boolean;
}

/** Purpose tag of a point's link seed: deriveSeed(seed mod 2^32, ⌊seed/2^32⌋, BER_LINK_TAG, point). */
export const BER_LINK_TAG = 0x42455201;

const FUSED_KIND: Record<ModulationName, FusedKind> = { bpsk: 0, qpsk: 1, '16qam': 2, '64qam': 3 };

/** Runs a parser, turning its InputError into simulateBer's one-line error. */
function parsed<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof InputError) fail(`simulateBer: ${e.message}`);
    throw e;
  }
}

function channelText(c: FadingChannel): string {
  return c.kind === 'rician' ? `rician:${c.kFactorDb === Infinity ? 'inf' : c.kFactorDb}` : c.kind;
}

/**
 * Checks and resolves the channel options (defaults: awgn, coherence 1, no Doppler, perfect
 * receiver CSI); strings are parsed as the CLI flags are. One-line error for a bad value.
 */
export function resolveBerChannel(o: BerChannelOptions): BerChannel {
  const channel = parsed(() => (o.channel === undefined ? ({ kind: 'awgn' } as const) : typeof o.channel === 'string' ? parseFadingChannel(o.channel) : o.channel));
  if (channel === null || typeof channel !== 'object') fail(`simulateBer: channel must be 'awgn', 'rayleigh', 'rician:K' or a FadingChannel, got ${String(channel)}`);
  const coherence = o.coherence ?? 1;
  if (typeof coherence !== 'number' || !Number.isSafeInteger(coherence) || coherence < 1) {
    fail(`simulateBer: coherence must be an integer ≥ 1 (frames per fading block), got ${String(coherence)}`);
  }
  const d = o.doppler;
  const doppler = parsed(() => (d === undefined || d === null ? null : typeof d === 'string' ? parseDoppler(d) : typeof d === 'number' ? { model: 'jakes' as const, f: d } : d));
  if (doppler !== null && typeof doppler !== 'object') fail(`simulateBer: doppler must be f, 'ar1:f', a DopplerSpec or null, got ${String(doppler)}`);
  const fading: FadingSpec = { channel, coherence, doppler };
  parsed(() => validateFadingSpec(fading));
  const rxCsi = parsed(() => (o.rxCsi === undefined ? ({ kind: 'perfect' } as const) : typeof o.rxCsi === 'string' ? parseRxCsi(o.rxCsi) : validateRxCsi(o.rxCsi)));
  const pilotUsesPerFrame = rxCsi.kind === 'pilots' ? rxCsi.pilots : 0;
  return {
    fading,
    rxCsi,
    awgn: channel.kind === 'awgn' && rxCsi.kind === 'perfect',
    settings: {
      channel: channelText(channel),
      coherence,
      doppler: doppler === null ? null : doppler.model === 'ar1' ? `ar1:${doppler.f}` : String(doppler.f),
      rxCsi: formatRxCsi(rxCsi),
      pilotUsesPerFrame,
    },
  };
}

/**
 * One SNR point's flat-fading channel: the gains of its frames (one link of the fading process),
 * the receiver's estimates, and the fused modulate → h·x + n → equalise → LLR pass.
 */
export class FlatPointChannel {
  private readonly process: FadingProcess;
  private readonly estimator: RxCsiEstimator | null;
  private readonly kind: FusedKind;
  private readonly n0: number;
  private readonly exact: boolean;
  private blockGains = new Float32Array(0);

  /**
   * `seed` and `point` (the run's seed, an integer in [0, 2^53), and the point's index) key the
   * gains and the pilot noise; `esn0Db` is the point's mean Es/N0 (E|h|² = 1).
   */
  constructor(
    private readonly ch: BerChannel, modulation: ModulationName, private readonly frameBits: number,
    private readonly esn0Db: number, seed: number, point: number, exact: boolean,
  ) {
    const linkSeed = deriveSeed(seed % 2 ** 32, Math.floor(seed / 2 ** 32), BER_LINK_TAG, point);
    this.process = createFadingProcess(ch.fading, 1, linkSeed);
    this.estimator = ch.rxCsi.kind === 'perfect' ? null : new RxCsiEstimator(ch.rxCsi, 1, linkSeed);
    this.kind = FUSED_KIND[modulation];
    this.n0 = 10 ** (-esn0Db / 10);
    this.exact = exact;
  }

  /**
   * Sends the B frames of `tx` (B·frameBits bits), the first being frame `frame0` of the point,
   * with noise from `noise` (advanced), and writes one LLR per bit into `llr`.
   */
  transmit(tx: Uint8Array, frame0: number, B: number, noise: Rng, llr: Float32Array): void {
    const N = this.ch.fading.coherence;
    const j0 = Math.floor(frame0 / N);
    const blocks = Math.floor((frame0 + B - 1) / N) - j0 + 1;
    if (this.blockGains.length < 2 * blocks) this.blockGains = new Float32Array(2 * blocks);
    this.process.gains(0, j0, blocks, this.blockGains);
    const h = new Float32Array(2 * B);
    const slot = new Float64Array(B);
    for (let f = 0; f < B; f++) {
      const j = Math.floor((frame0 + f) / N) - j0;
      h[2 * f] = this.blockGains[2 * j];
      h[2 * f + 1] = this.blockGains[2 * j + 1];
      slot[f] = frame0 + f;
    }
    const est = this.estimator ? this.estimator.estimate(h, new Float64Array(B).fill(this.esn0Db), slot) : null;
    const frames = {
      frameBits: this.frameBits,
      h,
      hHat: est ? est.hHat : h,
      n0: new Float64Array(B).fill(this.n0),
      errVar: est ? est.errVar : new Float64Array(B),
    };
    llrOverFlat(this.kind, tx, frames, noise, llr, { exact: this.exact });
  }
}
