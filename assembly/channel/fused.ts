// The fused channel for the BER tools: bits → Gray symbols → AWGN → LLRs in one kernel call,
// with the same f32 arithmetic as modulate + addNoise + demap (src/channel/llr_over_awgn.ts).
//
// Noise: standard normals z come from the xoshiro128++/Box–Muller stream of gaussian.ts in
// blocks of 8, kept raw in a scratch buffer `z`. The first `zLeft` (≤ 7) entries of `z` hold
// normals left from earlier blocks (the Rng's spares); the kernel fills whole blocks after them
// as needed, uses z[v] for real value v, and moves the unused ones to the front again, returning
// their count. Value v gets y = x + σ·z[v] (f32), exactly what fillGaussian and Rng.takeSpare do.
//
// Modulation (per real value x; bits are 0/1 bytes):
//   kind 0 BPSK  x = 1 − 2b                       LLR = c·y,  c = f32(4/N0)
//   kind 1 QPSK  x = ±f32(1/√2) (bit 0 ↦ +)       LLR = c·y,  c = f32(2√2/N0)
//   kind 2 16-QAM (b0 b1 b2 b3) ↦ I = ±L(b2) by b0, Q = ±L(b3) by b1, L(0) = f32(d), L(1) = f32(3d),
//          d = 1/√10; LLRs by qam16_core.ts with c = f32(1/N0).
//   kind 3 64-QAM (b0 … b5) ↦ I = ±L(b2, b4) by b0, Q = ±L(b3, b5) by b1, L(0,0) = f32(3d),
//          L(0,1) = f32(d), L(1,0) = f32(5d), L(1,1) = f32(7d), d = 1/√42 (3GPP TS 38.211
//          §5.1.4); LLRs by qam64_core.ts with c = f32(1/N0). Its slices hold 2040 bits (whole
//          symbols), and nbits per call must be a multiple of 6.
import { keepLeftoverNormals, topUpNormals } from './gaussian';
import { qam16Alpha, qam16Beta, qam16Pair } from './qam16_core';
import { QAM64_INV_D, qam64Beta, qam64Pair } from './qam64_core';

/** Bits per inner slice: its noise (≤ 8 KiB) stays in L1 between generation and use. */
// @ts-ignore: decorator
@inline const SLICE: i32 = 2048;

/** Bits per inner slice for 64-QAM: whole pairs of symbols (a multiple of 12) ≤ SLICE. */
// @ts-ignore: decorator
@inline const SLICE64: i32 = 2040;

/** Bytes of scratch the kernel needs at `z`: a slice of normals, one spare block and SIMD overrun. */
export function fusedScratchBytes(): i32 {
  return (SLICE + 64) << 2;
}

/** 16 bytes 0/1 → the modulated values ±amp (BPSK amp = 1, QPSK amp = f32(1/√2)), y = x + σ·z, LLR = c·y. */
// @ts-ignore: decorator
@inline function pam2Group(b: v128, zp: usize, o: usize, amp: v128, vs: v128, vc: v128): void {
  const lo = i16x8.extend_low_i8x16_u(b);
  const hi = i16x8.extend_high_i8x16_u(b);
  pam2Quad(i32x4.extend_low_i16x8_u(lo), zp, o, amp, vs, vc);
  pam2Quad(i32x4.extend_high_i16x8_u(lo), zp + 16, o + 16, amp, vs, vc);
  pam2Quad(i32x4.extend_low_i16x8_u(hi), zp + 32, o + 32, amp, vs, vc);
  pam2Quad(i32x4.extend_high_i16x8_u(hi), zp + 48, o + 48, amp, vs, vc);
}

// @ts-ignore: decorator
@inline function pam2Quad(bits: v128, zp: usize, o: usize, amp: v128, vs: v128, vc: v128): void {
  // x = ±amp: the sign bit set for bit 1 (amp·(1 − 2b) exactly)
  const x = v128.or(amp, i32x4.shl(bits, 31));
  v128.store(o, f32x4.mul(f32x4.add(x, f32x4.mul(vs, v128.load(zp))), vc));
}

/**
 * LLRs of `nbits` bits (0/1 bytes at `bits`, readable up to a multiple of 16) sent with modem
 * `kind` (0 BPSK, 1 QPSK, 2 16-QAM, 3 64-QAM; nbits a multiple of its bits per symbol) over AWGN of
 * standard deviation `sigma` per real value, into `out` (f32, writable up to a multiple of 16).
 * `state` is the 4-lane generator state (advanced), `z` the normal scratch of
 * fusedScratchBytes() bytes holding `zLeft` leftover normals. `c` is the LLR scale (BPSK/QPSK) or
 * 1/N0 (16-/64-QAM); exact ≠ 0 selects exact QAM LLRs, else max-log. Returns the new zLeft.
 * For 64-QAM, bits are read and LLRs written up to a multiple of 12 past nbits.
 */
export function llrAwgn(state: usize, bits: usize, out: usize, z: usize, zLeft: i32, nbits: i32, kind: i32, sigma: f32, c: f32, exact: i32): i32 {
  const vs = f32x4.splat(sigma);
  const vc = f32x4.splat(c);
  const D64: f64 = 1.0 / Math.sqrt(10.0);
  const vL1 = f32x4.splat(<f32>D64);
  const vL3 = f32x4.splat(<f32>(3.0 * D64));
  const va = f32x4.splat(qam16Alpha(c));
  const vb = f32x4.splat(qam16Beta(c));
  const zero = i32x4.splat(0);
  const slice = kind == 3 ? SLICE64 : SLICE;
  for (let done = 0; done < nbits; done += slice) {
    const nb = min(slice, nbits - done);
    const nv = kind == 3 ? nb / 3 : kind == 2 ? nb >> 1 : nb;
    // normals for this slice: zLeft carried, then whole blocks of 8
    const avail = topUpNormals(state, z, zLeft, nv);
    const bp = bits + <usize>done;
    const op = out + (<usize>done << 2);
    const groups = (nb + 15) >> 4; // 16 bits per group
    if (kind == 3) {
      qam64Slice(bp, op, z, nb, vs, c, exact);
    } else if (kind == 2) {
      // 16 bits = 4 symbols = 8 values (two v128 of I, Q, I, Q) = 16 LLRs
      for (let g = 0; g < groups; g++) {
        const b = v128.load(bp + (<usize>g << 4));
        const zp = z + (<usize>g << 5);
        for (let h = 0; h < 2; h++) {
          let sgn: v128, amp: v128;
          if (h == 0) {
            sgn = i8x16.shuffle(b, zero, 0, 16, 16, 16, 1, 16, 16, 16, 4, 16, 16, 16, 5, 16, 16, 16);
            amp = i8x16.shuffle(b, zero, 2, 16, 16, 16, 3, 16, 16, 16, 6, 16, 16, 16, 7, 16, 16, 16);
          } else {
            sgn = i8x16.shuffle(b, zero, 8, 16, 16, 16, 9, 16, 16, 16, 12, 16, 16, 16, 13, 16, 16, 16);
            amp = i8x16.shuffle(b, zero, 10, 16, 16, 16, 11, 16, 16, 16, 14, 16, 16, 16, 15, 16, 16, 16);
          }
          const lvl = v128.bitselect(vL3, vL1, i32x4.ne(amp, zero));
          const x = v128.or(lvl, i32x4.shl(sgn, 31));
          const y = f32x4.add(x, f32x4.mul(vs, v128.load(zp + (<usize>h << 4))));
          if (exact) qam16Pair(y, va, vb, true, op + (<usize>g << 6) + (<usize>h << 5));
          else qam16Pair(y, va, vb, false, op + (<usize>g << 6) + (<usize>h << 5));
        }
      }
    } else {
      const amp = kind == 1 ? f32x4.splat(<f32>Math.SQRT1_2) : f32x4.splat(1.0);
      for (let g = 0; g < groups; g++) {
        pam2Group(v128.load(bp + (<usize>g << 4)), z + (<usize>g << 6), op + (<usize>g << 6), amp, vs, vc);
      }
    }
    // unused normals to the front
    zLeft = keepLeftoverNormals(z, nv, avail);
  }
  return zLeft;
}

/**
 * One 64-QAM slice: nb bits (a multiple of 6) at `bp` → 12 bits per pair of symbols = 4 values
 * (I0, Q0, I1, Q1) → y = x + σ·z → 12 LLRs at `op`. z holds a normal per value.
 */
function qam64Slice(bp: usize, op: usize, z: usize, nb: i32, vs: v128, c: f32, exact: i32): void {
  const D64: f64 = 1.0 / Math.sqrt(42.0);
  const vL1 = f32x4.splat(<f32>D64);
  const vL3 = f32x4.splat(<f32>(3.0 * D64));
  const vL5 = f32x4.splat(<f32>(5.0 * D64));
  const vL7 = f32x4.splat(<f32>(7.0 * D64));
  const vi = f32x4.splat(QAM64_INV_D);
  const vb = f32x4.splat(qam64Beta(c));
  const zero = i32x4.splat(0);
  const pairs = (nb + 11) / 12;
  for (let p = 0; p < pairs; p++) {
    const b = v128.load(bp + <usize>p * 12);
    // bytes of symbol 0: 0 … 5, of symbol 1: 6 … 11; lanes (I0, Q0, I1, Q1)
    const sgn = i8x16.shuffle(b, zero, 0, 16, 16, 16, 1, 16, 16, 16, 6, 16, 16, 16, 7, 16, 16, 16);
    const mid = i8x16.shuffle(b, zero, 2, 16, 16, 16, 3, 16, 16, 16, 8, 16, 16, 16, 9, 16, 16, 16);
    const low = i8x16.shuffle(b, zero, 4, 16, 16, 16, 5, 16, 16, 16, 10, 16, 16, 16, 11, 16, 16, 16);
    const lowSet = i32x4.ne(low, zero);
    const inner = v128.bitselect(vL1, vL3, lowSet); // middle bit 0: 3d, or d if low bit 1
    const outer = v128.bitselect(vL7, vL5, lowSet); // middle bit 1: 5d, or 7d if low bit 1
    const lvl = v128.bitselect(outer, inner, i32x4.ne(mid, zero));
    const x = v128.or(lvl, i32x4.shl(sgn, 31));
    const y = f32x4.add(x, f32x4.mul(vs, v128.load(z + (<usize>p << 4))));
    if (exact) qam64Pair(y, vi, vb, true, op + <usize>p * 48);
    else qam64Pair(y, vi, vb, false, op + <usize>p * 48);
  }
}
