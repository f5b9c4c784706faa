// The digital downlink's signal chain for feature vectors, free of tfjs:
// quantise → bits → LDPC encode → modulate → AWGN → exact LLR demap → LDPC decode → dequantise.
// The working buffers (bits, codewords, LLRs, codes) belong to the codec and are reused from
// call to call (they grow to the largest batch seen); the channel is one fused
// `modem.llrOverAwgn` call per run of vectors at the same Es/N0.
import { Rng } from '../channel/rng.js';
import { InputError } from '../errors.js';
import { getModem } from '../channel/modems.js';
import type { Modem, ModulationName } from '../channel/modem.js';
import { countBitErrors } from '../channel/bit_errors.js';
import { quantizeInto, dequantizeInto, toBitsInto, fromBitsInto, type Quantized } from '../channel/quantize.js';
import { ldpcCode, type LdpcCode } from '../codes/ldpc.js';
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
 * A digital link for d-value feature vectors. Each vector is quantised to `bits` bits per value
 * (per-vector min/max side information, 64 bits, assumed error-free), its d·bits bits are split
 * into ⌈d·bits/k⌉ codewords (the last zero-padded), encoded, modulated, sent over AWGN at the
 * vector's Es/N0 (dB, per modulation symbol), demapped to exact LLRs, decoded, and dequantised.
 */
export class DigitalCodec {
  readonly code: LdpcCode;
  readonly modem: Modem;
  /** Reused working buffers, grown on demand (never shrunk). */
  private info = new Uint8Array(0);
  private coded = new Uint8Array(0);
  private llr = new Float32Array(0);
  private side = new Float64Array(0);
  private decoded: BatchDecodeResult = { bits: new Uint8Array(0), iterations: new Int32Array(0), converged: new Uint8Array(0) };
  private readonly q: Quantized = { codes: new Uint16Array(0), min: 0, max: 0, bits: 1 };

  constructor(readonly options: DigitalLinkOptions) {
    this.code = ldpcCode(options.code);
    this.modem = getModem(options.modulation);
    if (!Number.isInteger(options.bits) || options.bits < 1 || options.bits > 16) {
      throw new InputError(`quantiser bits must be an integer in 1…16, got ${options.bits}`);
    }
    if (this.code.n % this.modem.bitsPerSymbol !== 0) {
      throw new InputError(`code ${options.code} has n = ${this.code.n}, not a multiple of ${this.modem.bitsPerSymbol} bits per ${options.modulation} symbol`);
    }
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

  /**
   * Sends `count` vectors (row-major [count, d]) with vector i at Es/N0 = esn0Db[i] dB
   * (Infinity: noiseless, LLRs ±10⁴). Returns the received vectors [count, d] (a new array)
   * and the link's counts and timings. The same seed gives the same result.
   */
  transmit(vectors: Float32Array, d: number, esn0Db: ArrayLike<number>, seed: number): { received: Float32Array; stats: DigitalStats } {
    const count = esn0Db.length;
    if (vectors.length !== count * d) throw new Error(`digital link: ${vectors.length} values is not ${count} vectors of ${d}`);
    for (let i = 0; i < count; i++) {
      const snr = esn0Db[i];
      if (typeof snr !== 'number' || Number.isNaN(snr)) throw new Error(`digital link: Es/N0 of vector ${i} is ${String(snr)}`);
      if (snr === -Infinity) throw new Error(`digital link: Es/N0 of vector ${i} is -Infinity dB`);
    }
    const { code, modem } = this;
    const b = this.options.bits;
    const F = this.framesPerVector(d);
    const frames = count * F;
    const stats: DigitalStats = { vectors: count, frames, failedFrames: 0, bitErrors: 0, infoBits: count * d * b, encodeMs: 0, channelMs: 0, decodeMs: 0, quantiseMs: 0 };
    const clock = () => performance.now();
    this.reserve(frames, count, d);
    const used = d * b;
    const infoPerVector = F * code.k;
    const perVector = F * code.n;
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
      info.fill(0, o + used, o + infoPerVector); // zero padding of the last codeword
    }
    stats.quantiseMs += clock() - t;

    t = clock();
    const coded = code.encodeBatch(info, frames, this.coded.subarray(0, frames * code.n));
    stats.encodeMs += clock() - t;

    t = clock();
    const rng = new Rng(seed);
    const llr = this.llr.subarray(0, frames * code.n);
    // One fused call per run of vectors at the same Es/N0: the noise stream is continuous, so
    // this equals one call per vector.
    for (let i = 0; i < count; ) {
      const snr = esn0Db[i];
      let j = i + 1;
      while (j < count && esn0Db[j] === snr) j++;
      const bits = coded.subarray(i * perVector, j * perVector);
      const out = llr.subarray(i * perVector, j * perVector);
      if (snr === Infinity) {
        for (let m = 0; m < bits.length; m++) out[m] = bits[m] ? -1e4 : 1e4;
      } else {
        modem.llrOverAwgn(bits, snr, rng, out);
      }
      i = j;
    }
    stats.channelMs += clock() - t;

    t = clock();
    const decoded = code.decodeBatchInto(llr, frames, this.decoded, this.options.decoder);
    stats.decodeMs += clock() - t;
    for (let f = 0; f < frames; f++) if (!decoded.converged[f]) stats.failedFrames++;

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
    return { received, stats };
  }
}
