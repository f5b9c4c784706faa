// LLRs that are a constant times the received value (BPSK, and QPSK per axis), in WASM SIMD.
import { channelModule, CHUNK, requireFiniteArray } from './wasm.js';
import { requireF32, requirePositive } from './validate.js';

/**
 * LLR[i] = (gain / n0)·y[i] as a new Float32Array. Checks y (Float32Array, length a multiple
 * of `multiple`, finite) and n0 (> 0) first; the gain/n0 must fit float32.
 */
export function scaleToLlr(name: string, y: Float32Array, multiple: number, n0: number, gain: number): Float32Array {
  requireF32(name, y);
  if (y.length % multiple !== 0) {
    throw new Error(`wireless-moe/channel: ${name} must hold interleaved (re, im) pairs, got odd length ${y.length}`);
  }
  requirePositive('n0', n0);
  const c = gain / n0;
  if (!(Math.fround(c) < Infinity)) throw new Error(`wireless-moe/channel: n0 = ${n0} is too small: the LLR scale overflows float32`);
  requireFiniteArray(name, y);
  const mod = channelModule();
  mod.arena.reset();
  const p = mod.arena.alloc(CHUNK * 4);
  const out = new Float32Array(y.length);
  for (let i = 0; i < y.length; i += CHUNK) {
    const k = Math.min(CHUNK, y.length - i);
    new Float32Array(mod.arena.memory.buffer, p, k).set(y.subarray(i, i + k));
    mod.exports.scale(p, p, (k + 3) & ~3, c);
    out.set(new Float32Array(mod.arena.memory.buffer, p, k), i);
  }
  return out;
}
