// The digital downlink's signal chain for feature vectors, free of tfjs:
// quantise → bits → LDPC encode → modulate → AWGN → exact LLR demap → LDPC decode → dequantise.
import { Rng } from '../channel/rng.js';
import { getModem } from '../channel/modems.js';
import type { Modem, ModulationName } from '../channel/modem.js';
import { n0FromEsn0 } from '../channel/snr.js';
import { quantize, dequantize, toBits, fromBits } from '../channel/quantize.js';
import { ldpcCode, type LdpcCode } from '../codes/ldpc.js';
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

  constructor(readonly options: DigitalLinkOptions) {
    this.code = ldpcCode(options.code);
    this.modem = getModem(options.modulation);
    if (!Number.isInteger(options.bits) || options.bits < 1 || options.bits > 16) {
      throw new Error(`quantiser bits must be an integer in 1…16, got ${options.bits}`);
    }
    if (this.code.n % this.modem.bitsPerSymbol !== 0) {
      throw new Error(`code ${options.code} has n = ${this.code.n}, not a multiple of ${this.modem.bitsPerSymbol} bits per ${options.modulation} symbol`);
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

  /**
   * Sends `count` vectors (row-major [count, d]) with vector i at Es/N0 = esn0Db[i] dB.
   * Returns the received vectors [count, d] and the link's counts and timings. The same seed
   * gives the same result.
   */
  transmit(vectors: Float32Array, d: number, esn0Db: ArrayLike<number>, seed: number): { received: Float32Array; stats: DigitalStats } {
    const count = esn0Db.length;
    if (vectors.length !== count * d) throw new Error(`digital link: ${vectors.length} values is not ${count} vectors of ${d}`);
    for (let i = 0; i < count; i++) {
      if (Number.isNaN(esn0Db[i])) throw new Error(`digital link: Es/N0 of vector ${i} is NaN`);
    }
    const { code, modem } = this;
    const b = this.options.bits;
    const F = this.framesPerVector(d);
    const frames = count * F;
    const stats: DigitalStats = { vectors: count, frames, failedFrames: 0, bitErrors: 0, infoBits: count * d * b, encodeMs: 0, channelMs: 0, decodeMs: 0, quantiseMs: 0 };
    const clock = () => performance.now();

    let t = clock();
    const info = new Uint8Array(frames * code.k);
    const side: { min: number; max: number }[] = [];
    for (let i = 0; i < count; i++) {
      const q = quantize(vectors.subarray(i * d, (i + 1) * d), b);
      side.push({ min: q.min, max: q.max });
      info.set(toBits(q.codes, b), i * F * code.k);
    }
    stats.quantiseMs += clock() - t;

    t = clock();
    const coded = code.encodeBatch(info, frames);
    stats.encodeMs += clock() - t;

    t = clock();
    const rng = new Rng(seed);
    const llr = new Float32Array(frames * code.n);
    const perVector = F * code.n;
    for (let i = 0; i < count; i++) {
      const snr = esn0Db[i];
      const bits = coded.subarray(i * perVector, (i + 1) * perVector);
      if (snr === Infinity) {
        for (let j = 0; j < perVector; j++) llr[i * perVector + j] = bits[j] ? -1e4 : 1e4;
        continue;
      }
      const y = modem.addNoise(modem.modulate(bits), snr, rng);
      llr.set(modem.demapExact(y, n0FromEsn0(snr)), i * perVector);
    }
    stats.channelMs += clock() - t;

    t = clock();
    const decoded = code.decodeBatch(llr, frames, this.options.decoder);
    stats.decodeMs += clock() - t;
    for (let f = 0; f < frames; f++) if (!decoded.converged[f]) stats.failedFrames++;

    t = clock();
    const received = new Float32Array(count * d);
    const used = d * b;
    for (let i = 0; i < count; i++) {
      const got = decoded.bits.subarray(i * F * code.k, i * F * code.k + used);
      const sent = info.subarray(i * F * code.k, i * F * code.k + used);
      for (let j = 0; j < used; j++) if (got[j] !== sent[j]) stats.bitErrors++;
      received.set(dequantize({ codes: fromBits(got, b), bits: b, ...side[i] }), i * d);
    }
    stats.quantiseMs += clock() - t;
    return { received, stats };
  }
}
