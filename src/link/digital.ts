import * as tf from '@tensorflow/tfjs-core';
import type { Link } from './link.js';
import type { LinkBatch } from './link_batch.js';
import { DigitalCodec, type DigitalLinkOptions, type DigitalStats, type FlatVectorGains } from './digital_codec.js';
import { McsPolicy } from './adapt/policy.js';
import type { McsPolicySpec } from './adapt/mcs_policy_spec.js';
import type { LdpcDecodeOptions } from '../codes/decoder.js';
import { deriveSeed } from '../random/hash.js';

/** A digital {@link Link} plus the running totals of what it sent. */
export interface DigitalLink extends Link {
  /** The codec of a fixed code, or of a fixed MCS; for an adaptive MCS, the codec of its lowest MCS. */
  readonly codec: DigitalCodec;
  /** Totals over every transmit call so far (all MCS together). */
  readonly totals: DigitalStats;
  /** The MCS policy of a link built by {@link mcsLink}; null for a link with one code (`digitalLink`). */
  readonly mcs: McsPolicy | null;
  /** Vectors sent per MCS index so far (empty without an MCS policy). */
  readonly vectorsPerMcs: Map<number, number>;
}

/** Purpose tag of an adaptive link's per-MCS noise seeds: deriveSeed(noiseSeed, MCS_NOISE_TAG, m). */
export const MCS_NOISE_TAG = 0x4d435301;

/** What gatherPairs collects: the pairs a transmit call sends and their vectors and channel. */
interface Pairs {
  /** Pair indices i = b·K + k, in [K, B] order (expert-major, as the output is laid out). */
  pair: number[];
  vectors: Float32Array;
  /** Mean Es/N0 of each pair's link, dB. */
  esn0: Float32Array;
  /** True gain, receiver's estimate and its error variance per pair; null on AWGN with perfect CSI. */
  flat: FlatVectorGains | null;
}

/** The (sample, expert) pairs among `pairs` (indices b·K + k) with their vectors from f [B, d] and their channel. */
function gatherPairs(f: Float32Array, d: number, batch: LinkBatch, pair: number[]): Pairs {
  const { experts: K, meanSnrDb, h, faded } = batch.channel;
  const n = pair.length;
  const vectors = new Float32Array(n * d);
  const esn0 = new Float32Array(n);
  const flat = faded || !batch.rx.perfect ? { h: new Float32Array(2 * n), hHat: new Float32Array(2 * n), errVar: new Float32Array(n) } : null;
  pair.forEach((p, i) => {
    const b = Math.floor(p / K);
    vectors.set(f.subarray(b * d, (b + 1) * d), i * d);
    esn0[i] = meanSnrDb[p];
    if (flat) {
      flat.h.set(h.subarray(2 * p, 2 * p + 2), 2 * i);
      flat.hHat.set(batch.rx.hHat.subarray(2 * p, 2 * p + 2), 2 * i);
      flat.errVar[i] = batch.rx.errVar[p];
    }
  });
  return { pair, vectors, esn0, flat };
}

/** Pairs b·K + k in [K, B] order that `mask` [B·K] chose (all without a mask) and that `usable` allows. */
function chosenPairs(B: number, K: number, m: Float32Array | undefined, usable: (p: number) => boolean): number[] {
  const out: number[] = [];
  for (let k = 0; k < K; k++) {
    for (let b = 0; b < B; b++) {
      const p = b * K + k;
      if ((!m || m[p] > 0) && usable(p)) out.push(p);
    }
  }
  return out;
}

function emptyStats(): DigitalStats {
  return { vectors: 0, frames: 0, failedFrames: 0, frameErrors: 0, bitErrors: 0, infoBits: 0, encodeMs: 0, channelMs: 0, decodeMs: 0, quantiseMs: 0 };
}

/**
 * Digital downlink with one code: per sample and per chosen expert (all experts when no mask is
 * given), the feature vector goes through {@link DigitalCodec} at that pair's mean SNR, taken as
 * Es/N0 in dB per modulation symbol. On AWGN with perfect receiver CSI it takes the codec's AWGN path
 * (as before fading existed); otherwise every codeword of a pair sees the pair's gain h (block fading
 * per vector) and the receiver equalises with its estimate ĥ and demaps with N̂0_eff = (N0 + σe²)/|ĥ|².
 * Not differentiable: the gradient is straight-through (identity from each expert's received
 * features to the clean features).
 */
export function digitalLink(options: DigitalLinkOptions): DigitalLink {
  return new DigitalDownlink(null, options, new DigitalCodec(options));
}

/**
 * Digital downlink whose modulation and code come from an MCS table: one fixed MCS
 * (`{ kind: 'fixed', table, index }`), or per (sample, expert) pair the MCS an adaptive policy picks
 * from the gate's estimated SNR (see McsPolicy: inner loop; `:olla` outer loop, updated once per
 * batch and link by the mean step of the batch's codeword ACK/NACKs; `:outage`). With `:outage`, {@link Link.prepare} marks the
 * pairs whose link is in outage (the gate routes elsewhere; such a pair, if sent anyway, delivers
 * zeros). `options`: quantiser bits per feature and decoder. Channel uses per pair are those of its
 * MCS, ⌈d·b/k⌉·n/Qm, plus receiver pilots; 0 for a pair in outage.
 */
export function mcsLink(policy: McsPolicySpec, options: { bits: number; decoder?: LdpcDecodeOptions }): DigitalLink {
  return new DigitalDownlink(new McsPolicy(policy), options);
}

/** The digital link (one code, or an MCS policy); see {@link digitalLink} and {@link mcsLink}. */
class DigitalDownlink implements DigitalLink {
  readonly kind = 'digital' as const;
  readonly codec: DigitalCodec;
  readonly totals = emptyStats();
  readonly vectorsPerMcs = new Map<number, number>();
  private readonly codecs = new Map<number, DigitalCodec>();

  /** `mcs` null: one code, `codec`; else the MCS codecs are built with `options`' bits and decoder. */
  constructor(readonly mcs: McsPolicy | null, private readonly options: { bits: number; decoder?: LdpcDecodeOptions }, codec?: DigitalCodec) {
    this.codec = codec ?? this.codecOf(mcs!.spec.kind === 'fixed' ? mcs!.spec.index : 0);
  }

  /** The codec of MCS m (built on first use). */
  private codecOf(m: number): DigitalCodec {
    let c = this.codecs.get(m);
    if (!c) {
      const entry = this.mcs!.table.entries[m];
      c = new DigitalCodec({ code: entry.code, modulation: entry.modulation, bits: this.options.bits, decoder: this.options.decoder });
      this.codecs.set(m, c);
    }
    return c;
  }

  /** The MCS of each pair [B·K] (−1 = outage); null for a one-code link. */
  private choose(batch: LinkBatch): Int16Array | null {
    if (!this.mcs) return null;
    const { batch: B, experts: K } = batch.channel;
    if (this.mcs.spec.kind === 'fixed') return new Int16Array(B * K).fill(this.mcs.spec.index);
    return this.mcs.choose(batch.gate.snrDb, K);
  }

  saveState(): number[] | null {
    return this.mcs?.ollaOffsets() ?? null;
  }

  restoreState(state: number[]): void {
    this.mcs?.restoreOlla(state);
  }

  prepare(batch: LinkBatch): LinkBatch {
    if (this.mcs?.spec.kind !== 'adaptive' || !this.mcs.spec.outage) return batch;
    const chosen = this.choose(batch)!;
    const available = Uint8Array.from(chosen, (m, i) => (m >= 0 && (batch.available?.[i] ?? 1) ? 1 : 0));
    return { ...batch, available };
  }

  channelUses(d: number, batch: LinkBatch): Float32Array {
    const { batch: B, experts: K } = batch.channel;
    const chosen = this.choose(batch);
    if (!chosen) return new Float32Array(B * K).fill(this.codec.channelUses(d) + batch.rx.pilotUses);
    return Float32Array.from(chosen, (m) => (m < 0 ? 0 : this.codecOf(m).channelUses(d) + batch.rx.pilotUses));
  }

  transmit(features: tf.Tensor2D, batch: LinkBatch, mask?: tf.Tensor2D): tf.Tensor3D {
    const straightThrough = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const value = this.send(args[0] as tf.Tensor2D, batch, mask);
      return { value, gradFunc: (dy: tf.Tensor) => tf.sum(dy, 0) };
    });
    return straightThrough(features) as tf.Tensor3D;
  }

  /** Sends the chosen pairs, grouped by MCS; returns [K, B, d] (zeros for pairs not sent). */
  private send(features: tf.Tensor2D, batch: LinkBatch, mask?: tf.Tensor2D): tf.Tensor3D {
    const [B, d] = features.shape;
    const K = batch.channel.experts;
    if (batch.channel.batch !== B) throw new RangeError(`digital link: features have ${B} samples but the link batch has ${batch.channel.batch}`);
    const f = features.dataSync() as Float32Array;
    const m = mask ? (mask.dataSync() as Float32Array) : undefined;
    const chosen = this.choose(batch);
    const out = new Float32Array(K * B * d);
    if (!chosen) {
      this.sendGroup(this.codec, f, d, batch, chosenPairs(B, K, m, () => true), batch.channel.noiseSeed, out);
      return tf.tensor3d(out, [K, B, d]);
    }
    if (this.mcs!.spec.kind === 'adaptive') this.mcs!.record(chosen);
    const fixed = this.mcs!.spec.kind === 'fixed';
    const errors: Uint8Array[] = new Array(B * K);
    const mcsIndices = [...new Set(chosen)].filter((x) => x >= 0).sort((a, b) => a - b);
    for (const mcs of mcsIndices) {
      const pairs = chosenPairs(B, K, m, (p) => chosen[p] === mcs);
      if (pairs.length === 0) continue;
      const seed = fixed ? batch.channel.noiseSeed : deriveSeed(batch.channel.noiseSeed, MCS_NOISE_TAG, mcs);
      const perVector = this.sendGroup(this.codecOf(mcs), f, d, batch, pairs, seed, out);
      pairs.forEach((p, i) => (errors[p] = perVector[i]));
      this.vectorsPerMcs.set(mcs, (this.vectorsPerMcs.get(mcs) ?? 0) + pairs.length);
    }
    // The outer loop learns from the batch's ACK/NACKs once the batch is sent: one update per link by
    // the mean step (the whole batch was sent at the offsets its choice used).
    const codewords = new Float64Array(K), nacks = new Float64Array(K);
    for (let p = 0; p < B * K; p++) {
      if (!errors[p]) continue;
      codewords[p % K] += errors[p].length;
      for (const e of errors[p]) nacks[p % K] += e;
    }
    for (let k = 0; k < K; k++) this.mcs!.feedbackBatch(k, codewords[k], nacks[k]);
    return tf.tensor3d(out, [K, B, d]);
  }

  /**
   * Sends `pairs` through `codec` with noise seed `seed`, writes each received vector into
   * out [K, B, d], adds the counts to the totals; returns each pair's codeword error flags.
   */
  private sendGroup(codec: DigitalCodec, f: Float32Array, d: number, batch: LinkBatch, pairs: number[], seed: number, out: Float32Array): Uint8Array[] {
    const { batch: B, experts: K } = batch.channel;
    const g = gatherPairs(f, d, batch, pairs);
    const { received, stats, codewordErrors } = codec.transmit(g.vectors, d, g.esn0, seed, g.flat ?? undefined);
    for (const key of Object.keys(this.totals) as (keyof DigitalStats)[]) this.totals[key] += stats[key];
    const F = codec.framesPerVector(d);
    return pairs.map((p, i) => {
      const b = Math.floor(p / K), k = p % K;
      out.set(received.subarray(i * d, (i + 1) * d), (k * B + b) * d);
      return codewordErrors.subarray(i * F, (i + 1) * F);
    });
  }
}
