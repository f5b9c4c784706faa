/**
 * Independent parity checks for the codes tests: they read the raw prototype / base-graph data or the
 * CSR matrix directly, never the encoders under test.
 */
import type { ParityCheckMatrix } from '../../src/codes/types.js';

/** Number of unsatisfied rows of H·c (0 for a codeword). */
export function failedChecks(h: ParityCheckMatrix, c: Uint8Array, off = 0): number {
  let bad = 0;
  for (let r = 0; r < h.m; r++) {
    let p = 0;
    for (let e = h.rowPtr[r]; e < h.rowPtr[r + 1]; e++) p ^= c[off + h.colIdx[e]];
    bad += p;
  }
  return bad;
}

/**
 * Unsatisfied checks of a QC code evaluated straight from its block list (row, col, shift already
 * reduced mod Z): check (i, r) sums c[col·Z + (r + s) mod Z].
 */
export function failedQcChecks(blocks: [number, number, number][], rows: number, z: number, c: Uint8Array): number {
  const acc = new Uint8Array(rows * z);
  for (const [i, j, s] of blocks) {
    for (let r = 0; r < z; r++) acc[i * z + r] ^= c[j * z + ((r + s) % z)];
  }
  let bad = 0;
  for (const v of acc) bad += v;
  return bad;
}

/** Deterministic pseudo-random bits (xorshift32). */
export function randomBits(count: number, seed: number): Uint8Array {
  let x = seed >>> 0 || 1;
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 1;
  }
  return out;
}

/** One-line error message thrown by f, or '' when it does not throw. */
export function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  return '';
}
