// The part of a square-QAM demapper that does not depend on the constellation: checking the
// received I/Q symbols and running a WASM per-axis LLR kernel over them in arena-sized chunks.
import { requireF32, requirePositive } from './validate.js';
import { channelModule, CHUNK, requireFiniteArray, type ChannelExports } from './wasm.js';

/**
 * Checks received symbols `y` (interleaved re/im, float32, finite) and the noise variance `n0`
 * (linear, per complex symbol); returns 1/n0, which must be a finite float32.
 */
export function checkIqSymbols(y: Float32Array, n0: number): number {
  requireF32('y', y);
  if (y.length % 2 !== 0) throw new Error(`wireless-moe/channel: y must hold interleaved (re, im) pairs, got odd length ${y.length}`);
  requirePositive('n0', n0);
  const inv = 1 / n0;
  if (!(Math.fround(inv) < Infinity)) throw new Error(`wireless-moe/channel: n0 = ${n0} is too small: 1/n0 overflows float32`);
  requireFiniteArray('y', y);
  return inv;
}

/**
 * LLRs [bitsPerSymbol · symbols] of the symbols `y` from the channel module's export `kernel`
 * (signature (y, out, nsym, invN0, exact)), fed CHUNK values at a time through the arena.
 */
export function demapIqChunks(
  y: Float32Array,
  invN0: number,
  bitsPerSymbol: number,
  exact: boolean,
  kernel: 'qam16Llr' | 'qam64Llr',
): Float32Array {
  const nsym = y.length >> 1;
  const out = new Float32Array(bitsPerSymbol * nsym);
  const mod = channelModule();
  const run: ChannelExports[typeof kernel] = mod.exports[kernel];
  mod.arena.reset();
  const per = CHUNK >> 1; // symbols per call (even)
  const yp = mod.arena.alloc(CHUNK * 4);
  const op = mod.arena.alloc(per * bitsPerSymbol * 4);
  for (let s = 0; s < nsym; s += per) {
    const k = Math.min(per, nsym - s);
    new Float32Array(mod.arena.memory.buffer, yp, 2 * k).set(y.subarray(2 * s, 2 * (s + k)));
    run(yp, op, k, invN0, exact ? 1 : 0);
    out.set(new Float32Array(mod.arena.memory.buffer, op, bitsPerSymbol * k), bitsPerSymbol * s);
  }
  return out;
}
