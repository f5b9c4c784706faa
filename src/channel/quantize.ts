// Uniform b-bit scalar quantisation of a feature vector with per-vector min/max side
// information, and its bit serialisation.
//
// Side information: `min` and `max` (two float32 = 64 bits per vector) are assumed to reach
// the receiver error-free, e.g. on a robust control channel; they are not part of the bits
// from `toBits` and channel-use figures count them separately.
import { requireF32 } from './validate.js';

/** A quantised vector: codes in [0, 2^bits − 1] and the side information to undo it. */
export interface Quantized {
  /** One code per element, in [0, 2^bits − 1]. */
  codes: Uint16Array;
  /** Smallest element of the input (float32 value): code 0. */
  min: number;
  /** Largest element of the input (float32 value): code 2^bits − 1. */
  max: number;
  /** Bits per code, 1…16. */
  bits: number;
}

function requireBitsPerCode(bits: unknown): number {
  if (typeof bits !== 'number' || !Number.isInteger(bits) || bits < 1 || bits > 16) {
    throw new Error(`wireless-moe/channel: bits must be an integer in 1…16, got ${String(bits)}`);
  }
  return bits;
}

/**
 * Quantises x uniformly to 2^bits levels spanning [min(x), max(x)]: step = (max − min)/(2^bits − 1),
 * code = round((x − min)/step). Reconstruction error is at most step/2 (plus float32 rounding).
 * A constant vector gets step 0 and all codes 0. Non-finite x → error naming the element.
 */
export function quantize(x: Float32Array, bits: number): Quantized {
  requireF32('x', x);
  requireBitsPerCode(bits);
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (!Number.isFinite(v)) throw new Error(`wireless-moe/channel: x[${i}] = ${v} is not finite`);
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const codes = new Uint16Array(x.length);
  if (x.length === 0) return { codes, min: 0, max: 0, bits };
  const levels = 2 ** bits - 1;
  const range = hi - lo;
  if (range > 0) {
    const k = levels / range;
    for (let i = 0; i < x.length; i++) {
      const c = Math.round((x[i] - lo) * k);
      codes[i] = c > levels ? levels : c;
    }
  }
  return { codes, min: lo, max: hi, bits };
}

/** Reconstructs min + code·step (float32) from a {@link Quantized}. */
export function dequantize(q: Quantized): Float32Array {
  if (q === null || typeof q !== 'object') throw new Error(`wireless-moe/channel: dequantize needs a Quantized object, got ${String(q)}`);
  if (!(q.codes instanceof Uint16Array)) throw new Error('wireless-moe/channel: q.codes must be a Uint16Array');
  const bits = requireBitsPerCode(q.bits);
  if (!Number.isFinite(q.min) || !Number.isFinite(q.max) || q.max < q.min) {
    throw new Error(`wireless-moe/channel: q.min/q.max must be finite with min <= max, got ${q.min}, ${q.max}`);
  }
  const levels = 2 ** bits - 1;
  for (let i = 0; i < q.codes.length; i++) {
    if (q.codes[i] > levels) throw new Error(`wireless-moe/channel: q.codes[${i}] = ${q.codes[i]} exceeds ${levels} for ${bits} bits`);
  }
  const step = (q.max - q.min) / levels;
  const out = new Float32Array(q.codes.length);
  for (let i = 0; i < out.length; i++) out[i] = q.min + q.codes[i] * step;
  return out;
}

/**
 * Serialises codes to bits, `bits` per code, most significant bit first: a Uint8Array of 0/1
 * bytes of length codes.length·bits (the layout the modems and LDPC encoder take).
 */
export function toBits(codes: Uint16Array, bits: number): Uint8Array {
  if (!(codes instanceof Uint16Array)) throw new Error('wireless-moe/channel: codes must be a Uint16Array');
  requireBitsPerCode(bits);
  const out = new Uint8Array(codes.length * bits);
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i];
    if (c >>> bits !== 0) throw new Error(`wireless-moe/channel: codes[${i}] = ${c} does not fit in ${bits} bits`);
    const o = i * bits;
    for (let j = 0; j < bits; j++) out[o + j] = (c >>> (bits - 1 - j)) & 1;
  }
  return out;
}

/** Inverse of {@link toBits}: groups of `bits` 0/1 bytes, MSB first, back to codes. */
export function fromBits(bitArray: Uint8Array, bits: number): Uint16Array {
  if (!(bitArray instanceof Uint8Array)) throw new Error('wireless-moe/channel: bitArray must be a Uint8Array of 0/1 bits');
  requireBitsPerCode(bits);
  if (bitArray.length % bits !== 0) {
    throw new Error(`wireless-moe/channel: bitArray length ${bitArray.length} is not a multiple of bits = ${bits}`);
  }
  const out = new Uint16Array(bitArray.length / bits);
  for (let i = 0; i < out.length; i++) {
    let c = 0;
    const o = i * bits;
    for (let j = 0; j < bits; j++) {
      const b = bitArray[o + j];
      if (b > 1) throw new Error(`wireless-moe/channel: bitArray[${o + j}] = ${b} is not a bit (0 or 1)`);
      c = (c << 1) | b;
    }
    out[i] = c;
  }
  return out;
}
