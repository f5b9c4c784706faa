// Uniform b-bit scalar quantisation of a feature vector with per-vector min/max side
// information, and its bit serialisation.
//
// Side information: `min` and `max` (two float32 = 64 bits per vector) are assumed to reach
// the receiver error-free, e.g. on a robust control channel; they are not part of the bits
// from `toBits` and channel-use figures count them separately.
import { requireF32 } from './validate.js';
import { channelModule } from './wasm.js';

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
 * code = Math.round((x − min)/step) (halves up). Reconstruction error is at most step/2 (plus float32 rounding).
 * A constant vector gets step 0 and all codes 0. Non-finite x → error naming the element.
 */
export function quantize(x: Float32Array, bits: number): Quantized {
  requireF32('x', x);
  return quantizeInto(x, bits, { codes: new Uint16Array(x.length), min: 0, max: 0, bits });
}

/**
 * {@link quantize} into a reusable `q`: writes q.codes (a Uint16Array of x.length), q.min, q.max
 * and q.bits, and returns q. Allocates nothing; x is checked before q is touched.
 */
export function quantizeInto(x: Float32Array, bits: number, q: Quantized): Quantized {
  requireF32('x', x);
  requireBitsPerCode(bits);
  if (q === null || typeof q !== 'object' || !(q.codes instanceof Uint16Array)) {
    throw new Error('wireless-moe/channel: q must be a Quantized object with a Uint16Array codes');
  }
  if (q.codes.length !== x.length) throw new Error(`wireless-moe/channel: q.codes has length ${q.codes.length}, expected x.length = ${x.length}`);
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (!Number.isFinite(v)) throw new Error(`wireless-moe/channel: x[${i}] = ${v} is not finite`);
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const codes = q.codes;
  q.bits = bits;
  if (x.length === 0) {
    q.min = 0;
    q.max = 0;
    return q;
  }
  q.min = lo;
  q.max = hi;
  const levels = 2 ** bits - 1;
  const range = hi - lo;
  if (range > 0) {
    const k = levels / range;
    for (let i = 0; i < x.length; i++) {
      const c = Math.round((x[i] - lo) * k);
      codes[i] = c > levels ? levels : c;
    }
  } else codes.fill(0);
  return q;
}

/** Reconstructs min + code·step (float32) from a {@link Quantized}. */
export function dequantize(q: Quantized): Float32Array {
  if (q === null || typeof q !== 'object') throw new Error(`wireless-moe/channel: dequantize needs a Quantized object, got ${String(q)}`);
  if (!(q.codes instanceof Uint16Array)) throw new Error('wireless-moe/channel: q.codes must be a Uint16Array');
  return dequantizeInto(q, new Float32Array(q.codes.length));
}

/** {@link dequantize} into `out` (a Float32Array of q.codes.length), which it returns. */
export function dequantizeInto(q: Quantized, out: Float32Array): Float32Array {
  if (q === null || typeof q !== 'object') throw new Error(`wireless-moe/channel: dequantize needs a Quantized object, got ${String(q)}`);
  if (!(q.codes instanceof Uint16Array)) throw new Error('wireless-moe/channel: q.codes must be a Uint16Array');
  const bits = requireBitsPerCode(q.bits);
  if (!Number.isFinite(q.min) || !Number.isFinite(q.max) || q.max < q.min) {
    throw new Error(`wireless-moe/channel: q.min/q.max must be finite with min <= max, got ${q.min}, ${q.max}`);
  }
  requireF32('out', out);
  if (out.length !== q.codes.length) throw new Error(`wireless-moe/channel: out has length ${out.length}, expected q.codes.length = ${q.codes.length}`);
  const levels = 2 ** bits - 1;
  for (let i = 0; i < q.codes.length; i++) {
    if (q.codes[i] > levels) throw new Error(`wireless-moe/channel: q.codes[${i}] = ${q.codes[i]} exceeds ${levels} for ${bits} bits`);
  }
  const step = (q.max - q.min) / levels;
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
  return toBitsInto(codes, bits, new Uint8Array(codes.length * bits));
}

/** {@link toBits} into `out` (a Uint8Array of codes.length·bits), which it returns. */
export function toBitsInto(codes: Uint16Array, bits: number, out: Uint8Array): Uint8Array {
  if (!(codes instanceof Uint16Array)) throw new Error('wireless-moe/channel: codes must be a Uint16Array');
  requireBitsPerCode(bits);
  if (!(out instanceof Uint8Array) || out.length !== codes.length * bits) {
    throw new Error(`wireless-moe/channel: out must be a Uint8Array of codes.length·bits = ${codes.length * bits} bytes`);
  }
  const { arena, exports: wasm } = channelModule();
  arena.reset();
  const cp = arena.alloc(codes.byteLength);
  const op = arena.alloc(out.length);
  arena.u8(cp, codes.byteLength).set(new Uint8Array(codes.buffer, codes.byteOffset, codes.byteLength));
  const bad = wasm.codesToBits(cp, codes.length, bits, op);
  if (bad >= 0) throw new Error(`wireless-moe/channel: codes[${bad}] = ${codes[bad]} does not fit in ${bits} bits`);
  out.set(arena.u8(op, out.length));
  return out;
}

/** Inverse of {@link toBits}: groups of `bits` 0/1 bytes, MSB first, back to codes. */
export function fromBits(bitArray: Uint8Array, bits: number): Uint16Array {
  if (!(bitArray instanceof Uint8Array)) throw new Error('wireless-moe/channel: bitArray must be a Uint8Array of 0/1 bits');
  requireBitsPerCode(bits);
  if (bitArray.length % bits !== 0) {
    throw new Error(`wireless-moe/channel: bitArray length ${bitArray.length} is not a multiple of bits = ${bits}`);
  }
  return fromBitsInto(bitArray, bits, new Uint16Array(bitArray.length / bits));
}

/** {@link fromBits} into `out` (a Uint16Array of bitArray.length/bits), which it returns. */
export function fromBitsInto(bitArray: Uint8Array, bits: number, out: Uint16Array): Uint16Array {
  if (!(bitArray instanceof Uint8Array)) throw new Error('wireless-moe/channel: bitArray must be a Uint8Array of 0/1 bits');
  requireBitsPerCode(bits);
  if (bitArray.length % bits !== 0) {
    throw new Error(`wireless-moe/channel: bitArray length ${bitArray.length} is not a multiple of bits = ${bits}`);
  }
  if (!(out instanceof Uint16Array) || out.length !== bitArray.length / bits) {
    throw new Error(`wireless-moe/channel: out must be a Uint16Array of bitArray.length/bits = ${bitArray.length / bits} codes`);
  }
  const { arena, exports: wasm } = channelModule();
  arena.reset();
  const bp = arena.alloc(bitArray.length);
  const cp = arena.alloc(out.byteLength);
  arena.u8(bp, bitArray.length).set(bitArray);
  const bad = wasm.bitsToCodes(bp, out.length, bits, cp);
  if (bad >= 0) throw new Error(`wireless-moe/channel: bitArray[${bad}] = ${bitArray[bad]} is not a bit (0 or 1)`);
  new Uint8Array(out.buffer, out.byteOffset, out.byteLength).set(arena.u8(cp, out.byteLength));
  return out;
}
