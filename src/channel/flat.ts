// The flat-fading fused channel: bits → Gray symbols → y = h·x + n → equalise with the receiver's
// estimate ĥ → LLRs, per frame of bits sharing one gain, in one WASM pass per slice
// (assembly/channel/flat.ts). The receiver knows N0 and the variance σe² of its estimate's error
// and computes LLRs from z = y·ĥ*/|ĥ|² with the effective noise N̂0_eff = (N0 + σe²)/|ĥ|² (the
// Sionna LMMSE convention), so ĥ ≠ h gives mismatched LLRs, as in a real receiver. Standalone:
// not yet used by the links. Seeded and allocation-free like llrOverAwgn (llr_over_awgn.ts).
import { Rng } from './rng.js';
import type { NoiseSource } from './awgn.js';
import type { FusedKind, LlrOverAwgnOptions } from './llr_over_awgn.js';
import { notABit, requireBitArray, requireF32, requireSeed } from './validate.js';
import { channelModule } from './wasm.js';
import { InputError } from '../errors.js';

/** The gains of the frames that {@link llrOverFlat} sends, F frames of `frameBits` bits each. */
export interface FlatFrames {
  /** Bits per frame (all its symbols share one gain): an integer ≥ 1, a multiple of the bits per symbol. */
  frameBits: number;
  /** True gains h, interleaved re, im: 2F float32 values. */
  h: Float32Array;
  /** The receiver's estimates ĥ, interleaved re, im: 2F float32 values, ĥ ≠ 0. */
  hHat: Float32Array;
  /** N0 per frame, linear, per complex symbol (Es = 1; N0/2 per real dimension), > 0: F values. */
  n0: ArrayLike<number>;
  /** σe², the variance of ĥ − h that the receiver assumes (linear, ≥ 0; 0 = perfect CSI): F values. */
  errVar: ArrayLike<number>;
}

/** Outer slice in bits: a multiple of the kernel's 2040-bit inner slice. */
const SLICE_BITS = 16320;
/** Largest |z| the Box–Muller stream can give (u ≥ 2⁻³²): bounds the noise for the range check. */
const MAX_ABS_NORMAL = 6.67;
const BITS_PER_SYMBOL = [1, 2, 4, 6] as const;
const LABEL = ['BPSK', 'QPSK', '16-QAM', '64-QAM'] as const;
/** LLR scale numerators of fused.ts: BPSK 4, QPSK 2√2, QAM 1 (then 2d, 8d² or d² in the kernel). */
const SCALE = [4, 4 * Math.SQRT1_2, 1, 1] as const;

/**
 * The flat-fading link of modem `kind` (0 BPSK as a complex symbol x + 0j, 1 QPSK, 2 16-QAM,
 * 3 64-QAM; Es = 1) as one call. `bits` (0/1 bytes) holds F = frames.n0.length frames of
 * frames.frameBits bits; frame f is sent as y = h_f·x + n, n ~ CN(0, N0_f) (two normals per
 * symbol, real part first, from `noise`: an Rng, advanced, or a seed), equalised as
 * z = y·conj(ĥ_f)/|ĥ_f|², and demapped (exact log-sum-exp, or max-log with opts.exact = false) with
 * N̂0_eff = (N0_f + σe²_f)/|ĥ_f|². Writes one LLR per bit, ln P(0|y)/P(1|y) (positive favours 0),
 * into `out` (Float32Array of bits.length, not overlapping bits) and returns it. All checks run
 * before any output is written or the Rng moves; bad input throws a one-line InputError.
 */
export function llrOverFlat(kind: FusedKind, bits: Uint8Array, frames: FlatFrames, noise: NoiseSource, out: Float32Array, opts?: LlrOverAwgnOptions): Float32Array {
  const bps = BITS_PER_SYMBOL[kind];
  if (bps === undefined) throw new InputError(`wireless-moe/channel: kind ${String(kind)} is not 0 (BPSK), 1 (QPSK), 2 (16-QAM) or 3 (64-QAM)`);
  requireBitArray('bits', bits);
  const nf = checkFrames(frames, bits.length, bps, kind);
  if (!(noise instanceof Rng)) requireSeed(noise);
  requireF32('out', out);
  if (out.length !== bits.length) throw new InputError(`wireless-moe/channel: out must hold one LLR per bit: length ${out.length}, expected ${bits.length}`);
  if (out.buffer === bits.buffer && out.byteOffset < bits.byteOffset + bits.length && bits.byteOffset < out.byteOffset + out.byteLength) {
    throw new InputError('wireless-moe/channel: out overlaps bits');
  }
  if (opts !== undefined && (opts === null || typeof opts !== 'object' || (opts.exact !== undefined && typeof opts.exact !== 'boolean'))) {
    throw new InputError(`wireless-moe/channel: opts must be { exact?: boolean }, got ${JSON.stringify(opts)}`);
  }
  const exact = opts?.exact ?? true;
  const params = new Float32Array(8);
  for (let f = 0; f < nf; f++) frameParams(frames, f, kind, params); // range checks, before any output
  const rng = noise instanceof Rng ? noise : new Rng(noise);
  const { arena, exports: wasm } = channelModule();
  arena.reset();
  const spf = frames.frameBits / bps;
  const sp = arena.alloc(64);
  const zp = arena.alloc(wasm.flatScratchBytes());
  const bp = arena.alloc(SLICE_BITS + 16);
  const op = arena.alloc((SLICE_BITS + 16) * 4);
  const pp = arena.alloc((SLICE_BITS + 2) * 32);
  const mem = arena.memory.buffer;
  const stateView = new Uint32Array(mem, sp, 16);
  const spareView = new Float32Array(mem, zp, 8);
  const bitsView = new Uint8Array(mem, bp, SLICE_BITS);
  const outView = new Float32Array(mem, op, SLICE_BITS);
  const parView = new Float32Array(mem, pp, (SLICE_BITS + 2) * 8);
  for (let i = 0; i < bits.length; i += SLICE_BITS) {
    const k = Math.min(SLICE_BITS, bits.length - i);
    bitsView.set(bits.subarray(i, i + k));
    const bad = wasm.firstNonBit(bp, k);
    if (bad >= 0) notABit('bits', i + bad, bits[i + bad]);
  }
  let zLeft = rng.suspendNormals((bits.length / bps) * 2, stateView, spareView);
  for (let i = 0; i < bits.length; i += SLICE_BITS) {
    const k = Math.min(SLICE_BITS, bits.length - i);
    if (i > 0 || k < bits.length) bitsView.set(bits.subarray(i, i + k));
    const s0 = i / bps;
    const f0 = Math.floor(s0 / spf);
    const f1 = Math.floor((s0 + k / bps - 1) / spf);
    for (let f = f0; f <= f1; f++) frameParams(frames, f, kind, parView.subarray((f - f0) * 8, (f - f0) * 8 + 8));
    zLeft = wasm.llrFlat(sp, bp, op, zp, zLeft, k, kind, pp, s0 - f0 * spf, spf, exact ? 1 : 0);
    out.set(k === SLICE_BITS ? outView : outView.subarray(0, k), i);
  }
  rng.resumeNormals(stateView, spareView, zLeft);
  return out;
}

/** Checks the frame layout against `nbits`; returns the frame count F. */
function checkFrames(frames: FlatFrames, nbits: number, bps: number, kind: FusedKind): number {
  if (frames === null || typeof frames !== 'object') throw new InputError(`wireless-moe/channel: frames must be an object, got ${String(frames)}`);
  const { frameBits, h, hHat, n0, errVar } = frames;
  if (!Number.isSafeInteger(frameBits) || frameBits < 1 || frameBits % bps !== 0) {
    throw new InputError(`wireless-moe/channel: frameBits ${String(frameBits)} is not a positive multiple of ${bps} (${LABEL[kind]})`);
  }
  if (n0 === null || typeof n0 !== 'object' || typeof n0.length !== 'number') throw new InputError(`wireless-moe/channel: frames.n0 must be an array of N0 per frame, got ${String(n0)}`);
  const nf = n0.length;
  requireF32('frames.h', h);
  requireF32('frames.hHat', hHat);
  if (h.length !== 2 * nf) throw new InputError(`wireless-moe/channel: frames.h has ${h.length} values, expected 2·${nf} (re, im per frame)`);
  if (hHat.length !== 2 * nf) throw new InputError(`wireless-moe/channel: frames.hHat has ${hHat.length} values, expected 2·${nf} (re, im per frame)`);
  if (errVar === null || typeof errVar !== 'object' || errVar.length !== nf) {
    throw new InputError(`wireless-moe/channel: frames.errVar has ${String(errVar?.length)} values, expected ${nf} (one per frame)`);
  }
  if (nbits !== nf * frameBits) throw new InputError(`wireless-moe/channel: bits has ${nbits} bits, expected ${nf} frames × ${frameBits} = ${nf * frameBits}`);
  return nf;
}

/**
 * The kernel's 8 f32 of frame f (σ, h, g = conj(ĥ)/|ĥ|², LLR scale c) into `p`, after checking its
 * values and that the kernel's f32 arithmetic stays finite for any noise the stream can give.
 */
function frameParams(fr: FlatFrames, f: number, kind: FusedKind, p: Float32Array): void {
  const n0 = fr.n0[f], ev = fr.errVar[f];
  if (typeof n0 !== 'number' || !(n0 > 0) || !Number.isFinite(n0)) throw new InputError(`wireless-moe/channel: frames.n0[${f}] = ${String(n0)} is not a finite N0 > 0`);
  if (typeof ev !== 'number' || !(ev >= 0) || !Number.isFinite(ev)) throw new InputError(`wireless-moe/channel: frames.errVar[${f}] = ${String(ev)} is not a finite variance ≥ 0`);
  const hr = fr.h[2 * f], hi = fr.h[2 * f + 1], er = fr.hHat[2 * f], ei = fr.hHat[2 * f + 1];
  if (!Number.isFinite(hr) || !Number.isFinite(hi)) throw new InputError(`wireless-moe/channel: frames.h[${f}] = ${hr}${hi < 0 ? '' : '+'}${hi}j is not finite`);
  if (!Number.isFinite(er) || !Number.isFinite(ei)) throw new InputError(`wireless-moe/channel: frames.hHat[${f}] = ${er}${ei < 0 ? '' : '+'}${ei}j is not finite`);
  const hh = er * er + ei * ei;
  if (!(hh > 0)) throw new InputError(`wireless-moe/channel: frames.hHat[${f}] = 0: the receiver cannot equalise`);
  const n0eff = (n0 + ev) / hh;
  const sigma = Math.fround(Math.sqrt(n0 / 2));
  const c = Math.fround(SCALE[kind] / n0eff);
  // |z| ≤ (|h|·max|x| + σ·|z|max·√2)/|ĥ|; the QAM kernels form (|z|·√42 + 7)²·d²·c
  const zMax = (Math.sqrt(hr * hr + hi * hi) * 1.1 + sigma * MAX_ABS_NORMAL * Math.SQRT2) / Math.sqrt(hh);
  const x2 = (zMax * Math.sqrt(42) + 7) ** 2;
  if (!(c < 3e38 && sigma < 1e18 && x2 < 3e38 && x2 * c < 3e38 && zMax * c < 3e38)) {
    throw new InputError(`wireless-moe/channel: frame ${f} (N0 = ${n0}, |ĥ|² = ${hh}) puts the LLRs beyond float32's range`);
  }
  p[0] = sigma;
  p[1] = hr;
  p[2] = hi;
  p[3] = er / hh;
  p[4] = -ei / hh;
  p[5] = c;
}
