// The fused channel: bits → Gray symbols → complex AWGN at Es/N0 → LLRs, in one WASM pass per
// slice (assembly/channel/fused.ts), into a caller-provided array. It gives bit-identical LLRs to
//   modem.demapExact(modem.addNoise(modem.modulate(bits), esn0Db, rng), n0FromEsn0(esn0Db))
// (or demapMaxLog) and leaves `rng` in the same state, so seeds keep their meaning; but it
// allocates nothing per call (the module's arena grows once, to ~90 KiB), keeps the symbols and
// noise inside WASM (in L1-sized slices), and moves only the bits in and the LLRs out, where the
// chain copied every stage through JavaScript and returned a fresh array from each.
import { Rng } from './rng.js';
import type { NoiseSource } from './awgn.js';
import { n0FromEsn0 } from './snr.js';
import { notABit, requireBitArray, requireF32, requireFinite, requireSeed } from './validate.js';
import { channelModule } from './wasm.js';

/** Kernel code of a modem in assembly/channel/fused.ts: 0 BPSK, 1 QPSK, 2 16-QAM, 3 64-QAM. */
export type FusedKind = 0 | 1 | 2 | 3;

/** Options of {@link llrOverAwgn}. */
export interface LlrOverAwgnOptions {
  /** Exact log-sum-exp LLRs (default true) or max-log; the same for BPSK and QPSK. */
  exact?: boolean;
}

/** Bits per kernel call: a multiple of 16; 64 KiB of LLRs. */
const SLICE_BITS = 16384;
/** Bits per kernel call for 64-QAM: whole pairs of symbols (a multiple of 12), ≤ SLICE_BITS. */
const SLICE_BITS_64 = 16380;
/** Largest |z| the Box–Muller stream can give (u ≥ 2⁻³²): bounds the noise for the range check. */
const MAX_ABS_NORMAL = 6.67;

const BITS_PER_SYMBOL = [1, 2, 4, 6] as const;
const LABEL = ['BPSK', 'QPSK', '16-QAM', '64-QAM'] as const;
/** 64-QAM's d = 1/√42: its kernel forms (d²/N0)·(|y|/d + 7)², which must stay finite. */
const D64 = 1 / Math.sqrt(42);

/**
 * The AWGN link of modem `kind` as one call: modulates `bits` (0/1 bytes, length a multiple of
 * the bits per symbol), adds N(0, N0/2) per real value with N0 = 10^(−esn0Db/10) (Es/N0 in dB per
 * modulation symbol, Es = 1), and writes one LLR per bit (ln P(0|y)/P(1|y), in bit order) into
 * `out` (a Float32Array of bits.length values, not overlapping `bits`), which it returns. `noise`
 * is an Rng (advanced exactly as `modem.addNoise` would) or a seed for a fresh one. All checks run
 * before any output is written or the Rng moves.
 */
export function llrOverAwgn(kind: FusedKind, bits: Uint8Array, esn0Db: number, noise: NoiseSource, out: Float32Array, opts?: LlrOverAwgnOptions): Float32Array {
  requireBitArray('bits', bits);
  const bps = BITS_PER_SYMBOL[kind];
  if (bits.length % bps !== 0) {
    throw new Error(`wireless-moe/channel: ${LABEL[kind]} needs a multiple of ${bps} bits, got ${bits.length}`);
  }
  requireFinite('esn0Db', esn0Db);
  if (!(noise instanceof Rng)) requireSeed(noise);
  requireF32('out', out);
  if (out.length !== bits.length) {
    throw new Error(`wireless-moe/channel: out must hold one LLR per bit: length ${out.length}, expected ${bits.length}`);
  }
  if (out.buffer === bits.buffer && out.byteOffset < bits.byteOffset + bits.length && bits.byteOffset < out.byteOffset + out.byteLength) {
    throw new Error('wireless-moe/channel: out overlaps bits');
  }
  let exact = true;
  if (opts !== undefined) {
    if (opts === null || typeof opts !== 'object') throw new Error(`wireless-moe/channel: opts must be an object, got ${String(opts)}`);
    if (opts.exact !== undefined && typeof opts.exact !== 'boolean') throw new Error(`wireless-moe/channel: opts.exact must be a boolean, got ${String(opts.exact)}`);
    exact = opts.exact ?? true;
  }
  const n0 = n0FromEsn0(esn0Db);
  // The same float32 parameters as addNoise (σ) and the demappers (their LLR scale or 1/N0).
  const sigma = Math.sqrt(n0 / 2);
  if (!(Math.fround(sigma) * MAX_ABS_NORMAL < 3.4e38)) {
    throw new Error(`wireless-moe/channel: esn0Db = ${esn0Db} gives noise beyond float32's range`);
  }
  const c = kind === 0 ? 4 / n0 : kind === 1 ? (4 * Math.SQRT1_2) / n0 : 1 / n0;
  if (!(Math.fround(c) < Infinity)) {
    throw new Error(`wireless-moe/channel: esn0Db = ${esn0Db} is too high: the LLR scale overflows float32`);
  }
  if (kind === 3) {
    const x2 = ((7 * D64 + Math.fround(sigma) * MAX_ABS_NORMAL) / D64 + 7) ** 2;
    if (!(x2 < 3e38 && (x2 * D64 * D64) / n0 < 3e38)) {
      throw new Error(`wireless-moe/channel: esn0Db = ${esn0Db} gives 64-QAM LLR terms beyond float32's range`);
    }
  }
  const nvals = kind === 3 ? bits.length / 3 : kind === 2 ? bits.length >> 1 : bits.length;
  const slice = kind === 3 ? SLICE_BITS_64 : SLICE_BITS;
  // A fresh generator is seeded through the arena: before the buffers below are laid out. It has
  // no effect visible to the caller if the bit scan then fails.
  const rng = noise instanceof Rng ? noise : new Rng(noise);
  const mod = channelModule();
  const { arena, exports: wasm } = mod;
  arena.reset();
  const sp = arena.alloc(64);
  const zp = arena.alloc(wasm.fusedScratchBytes());
  const bp = arena.alloc(SLICE_BITS + 16);
  const op = arena.alloc((SLICE_BITS + 16) * 4);
  const mem = arena.memory.buffer;
  const stateView = new Uint32Array(mem, sp, 16);
  const spareView = new Float32Array(mem, zp, 8);
  const bitsView = new Uint8Array(mem, bp, SLICE_BITS);
  const outView = new Float32Array(mem, op, SLICE_BITS);
  // Every bit is checked (SIMD scan of the slices) before any output is written.
  for (let i = 0; i < bits.length; i += SLICE_BITS) {
    const k = Math.min(SLICE_BITS, bits.length - i);
    bitsView.set(bits.subarray(i, i + k));
    const bad = wasm.firstNonBit(bp, k);
    if (bad >= 0) notABit('bits', i + bad, bits[i + bad]);
  }
  let zLeft = rng.suspendNormals(nvals, stateView, spareView);
  for (let i = 0; i < bits.length; i += slice) {
    const k = Math.min(slice, bits.length - i);
    if (i > 0 || k < bits.length) bitsView.set(bits.subarray(i, i + k)); // a single slice is in place from the scan
    zLeft = wasm.llrAwgn(sp, bp, op, zp, zLeft, k, kind, sigma, c, exact ? 1 : 0);
    out.set(k === SLICE_BITS ? outView : outView.subarray(0, k), i);
  }
  rng.resumeNormals(stateView, spareView, zLeft);
  return out;
}
