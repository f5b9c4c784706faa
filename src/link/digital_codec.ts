// The digital downlink's signal chain for feature vectors, free of tfjs:
// quantise → bits → LDPC encode → modulate → AWGN or flat fading → exact LLR demap → LDPC decode →
// dequantise. The working buffers (bits, codewords, LLRs, codes, per-codeword gains) belong to the
// codec and are reused from call to call (they grow to the largest batch seen); the channel is one
// fused `modem.llrOverAwgn` call per run of vectors at the same Es/N0 (AWGN), or one `llrOverFlat`
// call for the whole batch (flat fading, one gain per vector).
import { Rng } from '../channel/rng.js';
import { InputError } from '../errors.js';
import { getModem } from '../channel/modems.js';
import type { Modem, ModulationName } from '../channel/modem.js';
import { countBitErrors } from '../channel/bit_errors.js';
import { llrOverFlat } from '../channel/flat.js';
import type { FusedKind } from '../channel/llr_over_awgn.js';
import { quantizeInto, dequantizeInto, toBitsInto, fromBitsInto, type Quantized } from '../channel/quantize.js';
import { ldpcCode, type LdpcCode } from '../codes/ldpc.js';
import { paddingPattern } from './padding.js';
import type { BatchDecodeResult } from '../codes/types.js';
import type { LdpcDecodeOptions } from '../codes/decoder.js';

/** How a digital link codes and modulates features. */
export interface DigitalLinkOptions {
  /** LDPC code spec, e.g. `80211n:648:1/2` (see `ldpcCode`). */
  code: string;
  modulation: ModulationName;
  /** Quantiser bits per feature, 1…16. */
  bits: number;
  /** Decoder options (default layered NMS, 10 iterations, early stop). */
  decoder?: LdpcDecodeOptions;
}

/** Counts and timings of one `transmit` call. */
export interface DigitalStats {
  vectors: number;
  frames: number;
  /** Frames whose decoder did not converge (hard decisions used anyway). */
  failedFrames: number;
  /**
   * Frames (codewords) with at least one error among their k information bits after decoding,
   * padding included (the padding bits are known to both ends): the BLER numerator.
   */
  frameErrors: number;
  /** Information-bit errors after decoding. */
  bitErrors: number;
  infoBits: number;
  encodeMs: number;
  /** Modulation, noise and LLR demapping. */
  channelMs: number;
  decodeMs: number;
  /** Quantisation and bit (de)serialisation. */
  quantiseMs: number;
}

/**
 * Per-vector flat-fading gains for {@link DigitalCodec.transmit}: every codeword of vector i sees
 * y = h_i·x + n, and the receiver equalises with ĥ_i and demaps with N̂0_eff = (N0_i + σe²_i)/|ĥ_i|².
 */
export interface FlatVectorGains {
  /** True gains h, interleaved re, im: 2 values per vector. */
  h: Float32Array;
  /** The receiver's estimates ĥ, interleaved re, im: 2 values per vector (ĥ = 0: erasure). */
  hHat: Float32Array;
  /** σe², the variance of ĥ − h the receiver assumes (linear, finite, ≥ 0): 1 value per vector. */
  errVar: Float32Array;
}

/** What {@link DigitalCodec.transmit} returns. */
export interface DigitalTransmitResult {
  /** The received vectors, row-major [count, d] (a new array). */
  received: Float32Array;
  stats: DigitalStats;
  /**
   * Per codeword, in vector order (vector i's codewords are i·F … i·F + F − 1, F =
   * framesPerVector(d)): 1 if any of its k information bits (padding included) was decoded
   * wrongly, else 0 (a NACK / ACK). A new array.
   */
  codewordErrors: Uint8Array;
}

/** Kernel code of each modem for llrOverFlat. */
const FUSED_KIND: Record<ModulationName, FusedKind> = { bpsk: 0, qpsk: 1, '16qam': 2, '64qam': 3 };
/** |LLR| of a noiseless bit decision. */
const SURE = 1e4;

/**
 * A digital link for d-value feature vectors. Each vector is quantised to `bits` bits per value
 * (per-vector min/max side information, 64 bits, assumed error-free), its d·bits bits are split
 * into ⌈d·bits/k⌉ codewords (the last padded: zeros for BPSK/QPSK, the 802.11 scrambler sequence for 16/64-QAM, src/link/padding.ts), encoded, modulated, sent over AWGN at the
 * vector's Es/N0 (dB, per modulation symbol) — or over flat fading with the vector's gain — demapped
 * to exact LLRs, decoded, and dequantised.
 */
export class DigitalCodec {
  readonly code: LdpcCode;
  readonly modem: Modem;
  /** Reused working buffers, grown on demand (never shrunk). */
  private info = new Uint8Array(0);
  private coded = new Uint8Array(0);
  private llr = new Float32Array(0);
  private side = new Float64Array(0);
  /** Per-codeword h, ĥ (re, im), N0 and σe² of the flat path. */
  private frameH = new Float32Array(0);
  private frameHHat = new Float32Array(0);
  private frameN0 = new Float64Array(0);
  private frameErrVar = new Float64Array(0);
  private decoded: BatchDecodeResult = { bits: new Uint8Array(0), iterations: new Int32Array(0), converged: new Uint8Array(0) };
  private readonly q: Quantized = { codes: new Uint16Array(0), min: 0, max: 0, bits: 1 };
  /** Fill of the unused bits of a vector's last codeword: null = zeros (see src/link/padding.ts). */
  private readonly padding: Uint8Array | null;

  constructor(readonly options: DigitalLinkOptions) {
    this.code = ldpcCode(options.code);
    this.modem = getModem(options.modulation);
    if (!Number.isInteger(options.bits) || options.bits < 1 || options.bits > 16) {
      throw new InputError(`quantiser bits must be an integer in 1…16, got ${options.bits}`);
    }
    if (this.code.n % this.modem.bitsPerSymbol !== 0) {
      throw new InputError(`code ${options.code} has n = ${this.code.n}, not a multiple of ${this.modem.bitsPerSymbol} bits per ${options.modulation} symbol`);
    }
    this.padding = paddingPattern(this.modem.bitsPerSymbol, this.code.k);
  }

  /**
   * Fills info[from, to), the unused bits of a vector's last codeword (which ends at `to`), with
   * zeros, or for 16/64-QAM with the scrambler sequence at those positions of the codeword (see
   * src/link/padding.ts).
   */
  private pad(info: Uint8Array, from: number, to: number): void {
    if (!this.padding) {
      info.fill(0, from, to);
      return;
    }
    const codewordStart = to - this.code.k;
    for (let j = from; j < to; j++) info[j] = this.padding[j - codewordStart];
  }

  /** Codewords per vector of d values. */
  framesPerVector(d: number): number {
    return Math.ceil((d * this.options.bits) / this.code.k);
  }

  /** Channel uses (modulation symbols) per vector of d values: ⌈d·b/k⌉·n / log2(M). */
  channelUses(d: number): number {
    return (this.framesPerVector(d) * this.code.n) / this.modem.bitsPerSymbol;
  }

  /** Makes the working buffers large enough for `frames` codewords and `count` vectors of d values. */
  private reserve(frames: number, count: number, d: number): void {
    const { k, n } = this.code;
    if (this.info.length < frames * k) this.info = new Uint8Array(frames * k);
    if (this.coded.length < frames * n) this.coded = new Uint8Array(frames * n);
    if (this.llr.length < frames * n) this.llr = new Float32Array(frames * n);
    if (this.side.length < 2 * count) this.side = new Float64Array(2 * count);
    if (this.q.codes.length !== d) this.q.codes = new Uint16Array(d);
    if (this.decoded.converged.length < frames) {
      this.decoded = { bits: new Uint8Array(frames * k), iterations: new Int32Array(frames), converged: new Uint8Array(frames) };
    }
  }

  /** Makes the flat path's per-codeword gain buffers hold `frames` codewords. */
  private reserveFlat(frames: number): void {
    if (this.frameN0.length < frames) {
      this.frameH = new Float32Array(2 * frames);
      this.frameHHat = new Float32Array(2 * frames);
      this.frameN0 = new Float64Array(frames);
      this.frameErrVar = new Float64Array(frames);
    }
  }

  /**
   * Sends `count` vectors (row-major [count, d]) with vector i at Es/N0 = esn0Db[i] dB
   * (Infinity: noiseless, LLRs ±10⁴). Without `flat`, over AWGN with perfect receiver CSI.
   * With `flat` (per-vector gains, see {@link FlatVectorGains}), every codeword of vector i is sent
   * as y = h_i·x + n, n ~ CN(0, N0_i), N0_i = 10^(−esn0Db[i]/10), equalised with ĥ_i and demapped
   * with N̂0_eff = (N0_i + σe²_i)/|ĥ_i|², in one `llrOverFlat` call over all codewords (noise from
   * `new Rng(seed)`, two normals per symbol; every vector takes its place in the noise stream, so
   * a vector's noise does not depend on the others' Es/N0 or ĥ). Two exceptions on the flat path:
   * ĥ_i = 0 erases vector i (LLR 0 for all its coded bits: the receiver cannot equalise), and
   * Es/N0 = Infinity gives hard decisions on the noiseless equalised symbols h_i·x·conj(ĥ_i)/|ĥ_i|²
   * as LLRs ±10⁴ (0 on a decision boundary); with ĥ_i = h_i these are the sent bits, as on AWGN.
   * Returns the received vectors [count, d], the counts and timings, and the per-codeword error
   * flags. The same seed gives the same result. Bad input throws a one-line error naming the vector
   * and value before anything is done.
   */
  transmit(vectors: Float32Array, d: number, esn0Db: ArrayLike<number>, seed: number, flat?: FlatVectorGains): DigitalTransmitResult {
    const count = esn0Db.length;
    if (vectors.length !== count * d) throw new Error(`digital link: ${vectors.length} values is not ${count} vectors of ${d}`);
    for (let i = 0; i < count; i++) {
      const snr = esn0Db[i];
      if (typeof snr !== 'number' || Number.isNaN(snr)) throw new Error(`digital link: Es/N0 of vector ${i} is ${String(snr)}`);
      if (snr === -Infinity) throw new Error(`digital link: Es/N0 of vector ${i} is -Infinity dB`);
    }
    if (flat !== undefined) checkFlat(flat, count);
    const { code } = this;
    const b = this.options.bits;
    const F = this.framesPerVector(d);
    const frames = count * F;
    const stats: DigitalStats = { vectors: count, frames, failedFrames: 0, frameErrors: 0, bitErrors: 0, infoBits: count * d * b, encodeMs: 0, channelMs: 0, decodeMs: 0, quantiseMs: 0 };
    const clock = () => performance.now();
    this.reserve(frames, count, d);
    const used = d * b;
    const infoPerVector = F * code.k;
    const info = this.info.subarray(0, frames * code.k);
    const side = this.side;
    const q = this.q;

    let t = clock();
    for (let i = 0; i < count; i++) {
      quantizeInto(vectors.subarray(i * d, (i + 1) * d), b, q);
      side[2 * i] = q.min;
      side[2 * i + 1] = q.max;
      const o = i * infoPerVector;
      toBitsInto(q.codes, b, info.subarray(o, o + used));
      this.pad(info, o + used, o + infoPerVector);
    }
    stats.quantiseMs += clock() - t;

    t = clock();
    const coded = code.encodeBatch(info, frames, this.coded.subarray(0, frames * code.n));
    stats.encodeMs += clock() - t;

    t = clock();
    const llr = this.llr.subarray(0, frames * code.n);
    if (flat === undefined) this.awgnChannel(coded, llr, esn0Db, F, seed);
    else this.flatChannel(coded, llr, esn0Db, F, flat, seed);
    stats.channelMs += clock() - t;

    t = clock();
    const decoded = code.decodeBatchInto(llr, frames, this.decoded, this.options.decoder);
    stats.decodeMs += clock() - t;
    const codewordErrors = new Uint8Array(frames);
    for (let f = 0; f < frames; f++) {
      if (!decoded.converged[f]) stats.failedFrames++;
      if (countBitErrors(decoded.bits, info, f * code.k, code.k) > 0) {
        codewordErrors[f] = 1;
        stats.frameErrors++;
      }
    }

    t = clock();
    const received = new Float32Array(count * d);
    for (let i = 0; i < count; i++) {
      const o = i * infoPerVector;
      const got = decoded.bits.subarray(o, o + used);
      stats.bitErrors += countBitErrors(decoded.bits, info, o, used);
      fromBitsInto(got, b, q.codes);
      q.min = side[2 * i];
      q.max = side[2 * i + 1];
      dequantizeInto(q, received.subarray(i * d, (i + 1) * d));
    }
    stats.quantiseMs += clock() - t;
    return { received, stats, codewordErrors };
  }

  /** The AWGN channel: LLRs of `coded` (F codewords per vector) into `llr`, noise from `new Rng(seed)`. */
  private awgnChannel(coded: Uint8Array, llr: Float32Array, esn0Db: ArrayLike<number>, F: number, seed: number): void {
    const count = esn0Db.length;
    const perVector = F * this.code.n;
    const rng = new Rng(seed);
    // One fused call per run of vectors at the same Es/N0: the noise stream is continuous, so
    // this equals one call per vector.
    for (let i = 0; i < count; ) {
      const snr = esn0Db[i];
      let j = i + 1;
      while (j < count && esn0Db[j] === snr) j++;
      const bits = coded.subarray(i * perVector, j * perVector);
      const out = llr.subarray(i * perVector, j * perVector);
      if (snr === Infinity) {
        for (let m = 0; m < bits.length; m++) out[m] = bits[m] ? -SURE : SURE;
      } else {
        this.modem.llrOverAwgn(bits, snr, rng, out);
      }
      i = j;
    }
  }

  /**
   * The flat-fading channel (see {@link transmit}): one llrOverFlat call over every codeword, with
   * placeholder gains (h = ĥ = 1, N0 = 1) for erased and noiseless vectors, whose LLRs are then
   * overwritten.
   */
  private flatChannel(coded: Uint8Array, llr: Float32Array, esn0Db: ArrayLike<number>, F: number, g: FlatVectorGains, seed: number): void {
    const count = esn0Db.length;
    const frames = count * F;
    const perVector = F * this.code.n;
    this.reserveFlat(frames);
    const h = this.frameH.subarray(0, 2 * frames);
    const hHat = this.frameHHat.subarray(0, 2 * frames);
    const n0 = this.frameN0.subarray(0, frames);
    const errVar = this.frameErrVar.subarray(0, frames);
    for (let i = 0; i < count; i++) {
      const special = esn0Db[i] === Infinity || isErased(g, i);
      const [hr, hi, er, ei] = special ? [1, 0, 1, 0] : [g.h[2 * i], g.h[2 * i + 1], g.hHat[2 * i], g.hHat[2 * i + 1]];
      for (let f = i * F; f < (i + 1) * F; f++) {
        h[2 * f] = hr;
        h[2 * f + 1] = hi;
        hHat[2 * f] = er;
        hHat[2 * f + 1] = ei;
        n0[f] = special ? 1 : 10 ** (-esn0Db[i] / 10);
        errVar[f] = special ? 0 : g.errVar[i];
      }
    }
    if (frames > 0) {
      try {
        llrOverFlat(FUSED_KIND[this.modem.name], coded, { frameBits: this.code.n, h, hHat, n0, errVar }, new Rng(seed), llr);
      } catch (e) {
        const f = e instanceof InputError ? /frames?(?:\.\w+)?[[ ](\d+)/.exec(e.message) : null;
        if (f) throw new InputError(`digital link: vector ${Math.floor(Number(f[1]) / F)}: ${e instanceof Error ? e.message : ''}`);
        throw e;
      }
    }
    for (let i = 0; i < count; i++) {
      const bits = coded.subarray(i * perVector, (i + 1) * perVector);
      const out = llr.subarray(i * perVector, (i + 1) * perVector);
      if (isErased(g, i)) out.fill(0);
      else if (esn0Db[i] === Infinity) noiselessLlrs(this.modem, bits, g.h[2 * i], g.h[2 * i + 1], g.hHat[2 * i], g.hHat[2 * i + 1], out);
    }
  }
}

/** True if the receiver's estimate of vector i's gain is 0 (it cannot equalise: erasure). */
function isErased(g: FlatVectorGains, i: number): boolean {
  return g.hHat[2 * i] === 0 && g.hHat[2 * i + 1] === 0;
}

/**
 * Noiseless LLRs of `bits` through gain h and equaliser ĥ (≠ 0): ±10⁴ by the max-log decision on
 * z = x·h·conj(ĥ)/|ĥ|² (real part for BPSK), 0 on a decision boundary; straight from the bits if ĥ = h.
 */
function noiselessLlrs(modem: Modem, bits: Uint8Array, hr: number, hi: number, er: number, ei: number, out: Float32Array): void {
  if (hr === er && hi === ei) {
    for (let m = 0; m < bits.length; m++) out[m] = bits[m] ? -SURE : SURE;
    return;
  }
  const hh = er * er + ei * ei;
  const gr = (hr * er + hi * ei) / hh;
  const gi = (hi * er - hr * ei) / hh;
  const z = modem.modulate(bits);
  if (modem.valuesPerSymbol === 1) {
    for (let s = 0; s < z.length; s++) z[s] *= gr;
  } else {
    for (let s = 0; s < z.length; s += 2) {
      const xr = z[s], xi = z[s + 1];
      z[s] = xr * gr - xi * gi;
      z[s + 1] = xr * gi + xi * gr;
    }
  }
  const l = modem.demapMaxLog(z, 1);
  for (let m = 0; m < bits.length; m++) out[m] = l[m] > 0 ? SURE : l[m] < 0 ? -SURE : 0;
}

/** Checks `flat` against `count` vectors: one-line InputError naming the bad vector and value. */
function checkFlat(flat: FlatVectorGains, count: number): void {
  if (flat === null || typeof flat !== 'object') throw new InputError(`digital link: flat must be { h, hHat, errVar }, got ${String(flat)}`);
  const sizes = [['h', 2], ['hHat', 2], ['errVar', 1]] as const;
  for (const [key, per] of sizes) {
    const a = flat[key] as ArrayLike<number> | undefined;
    if (a === null || typeof a !== 'object' || a.length !== per * count) {
      throw new InputError(`digital link: flat.${key} has ${String(a?.length)} values, expected ${per === 2 ? `2·${count} (re, im per vector)` : `${count} (one per vector)`}`);
    }
  }
  for (let i = 0; i < count; i++) {
    for (const key of ['h', 'hHat'] as const) {
      const re = flat[key][2 * i], im = flat[key][2 * i + 1];
      if (!Number.isFinite(re) || !Number.isFinite(im)) throw new InputError(`digital link: flat.${key} of vector ${i} is ${re}${im < 0 ? '' : '+'}${im}j, not finite`);
    }
    const v = flat.errVar[i];
    if (!(v >= 0) || !Number.isFinite(v)) throw new InputError(`digital link: flat.errVar of vector ${i} is ${v}, not a finite variance ≥ 0`);
  }
}
