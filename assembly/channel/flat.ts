// The flat-fading fused channel: bits → Gray symbols (complex, Es = 1) → y = h·x + n with
// n ~ CN(0, N0) → equaliser z = y·ĥ*/|ĥ|² → LLRs with the receiver's effective noise
// N̂0_eff = (N0 + σe²)/|ĥ|², in one kernel call per slice (src/channel/flat.ts). h, ĥ, N0 and
// σe² are per frame of `spf` symbols; the caller passes, per frame, 8 f32:
//   [σ = √(N0/2), h_re, h_im, g_re, g_im, c, 0, 0],  g = ĥ*/|ĥ|²,  c = the LLR scale:
//   BPSK 4/N̂0_eff, QPSK 2√2/N̂0_eff, 16-/64-QAM 1/N̂0_eff (the same scales as fused.ts).
//
// Noise: two standard normals per symbol (real then imaginary part), BPSK included (it is a
// complex symbol x + 0j on this path), from the xoshiro128++/Box–Muller stream of gaussian.ts,
// carried across calls exactly as fused.ts does (`zLeft` leftovers at the front of `z`).
// With h = ĥ = 1 and σe² = 0 every f32 operation reduces to fused.ts's, so QPSK/16-/64-QAM give
// the AWGN path's LLRs bit for bit, and BPSK gives those of the AWGN path fed every other bit.
//
// Modulation (3GPP TS 38.211 bit orders, as fused.ts): BPSK x = 1 − 2b; QPSK ±f32(1/√2) per axis
// (b0 I, b1 Q); 16-QAM I = ±L(b2) by b0, Q = ±L(b3) by b1; 64-QAM I = ±L(b2, b4) by b0,
// Q = ±L(b3, b5) by b1. Demapping by qam16_core.ts / qam64_core.ts with per-lane scales.
import { keepLeftoverNormals, topUpNormals } from './gaussian';
import { qam16Alpha, qam16Beta, qam16Pair } from './qam16_core';
import { QAM64_INV_D, qam64Beta, qam64Pair } from './qam64_core';

/** Bits per inner slice: a multiple of 24, so every modem has whole, even symbol counts. */
// @ts-ignore: decorator
@inline const INNER: i32 = 2040;
/** Floats of each scratch region (≥ 2 per symbol of an inner BPSK slice, plus slack). */
// @ts-ignore: decorator
@inline const REGION: i32 = 4096 + 64;

/** Bytes of scratch the kernel needs at `z`: normals, equalised symbols, per-symbol LLR scales. */
export function flatScratchBytes(): i32 {
  return (REGION * 3) << 2;
}

// @ts-ignore: decorator
@inline function pamLevel(mid: i32, low: i32, d: f32, d3: f32, d5: f32, d7: f32): f32 {
  return mid == 0 ? (low == 0 ? d3 : d) : (low == 0 ? d5 : d7);
}

/**
 * LLRs of `nbits` bits (0/1 bytes at `bits`; nbits a multiple of the bits per symbol of `kind`:
 * 0 BPSK, 1 QPSK, 2 16-QAM, 3 64-QAM) into `out` (f32, writable 12 floats past nbits). `par` holds
 * 8 f32 per frame (see the header) from the frame of the first symbol on; that symbol is symbol
 * `off` of its frame of `spf` symbols. `state` is the 4-lane generator state (advanced), `z` the
 * scratch of flatScratchBytes() bytes holding `zLeft` leftover normals. exact ≠ 0 selects exact
 * QAM LLRs, else max-log. Returns the new zLeft.
 */
export function llrFlat(state: usize, bits: usize, out: usize, z: usize, zLeft: i32, nbits: i32, kind: i32, par: usize, off: i32, spf: i32, exact: i32): i32 {
  const q = z + (<usize>REGION << 2);
  const cs = q + (<usize>REGION << 2);
  const bps = kind == 0 ? 1 : kind == 1 ? 2 : kind == 2 ? 4 : 6;
  let f = par;
  let left = spf - off;
  for (let done = 0; done < nbits; done += INNER) {
    const nb = min(INNER, nbits - done);
    const ns = nb / bps;
    const nv = ns << 1;
    const avail = topUpNormals(state, z, zLeft, nv);
    const bp = bits + <usize>done;
    // runs of symbols of one frame, its parameters in registers
    for (let s = 0; s < ns; ) {
      if (left == 0) {
        f += 32;
        left = spf;
      }
      const run = min(left, ns - s);
      left -= run;
      const sg = load<f32>(f), hr = load<f32>(f, 4), hi = load<f32>(f, 8);
      const gr = load<f32>(f, 12), gi = load<f32>(f, 16), c = load<f32>(f, 20);
      const end = s + run;
      // one inlined copy per modem, so `kind` is a constant in each inner loop
      if (kind == 0) modulateRun(0, 1, bp, z, q, cs, s, end, sg, hr, hi, gr, gi, c);
      else if (kind == 1) modulateRun(1, 2, bp, z, q, cs, s, end, sg, hr, hi, gr, gi, c);
      else if (kind == 2) modulateRun(2, 4, bp, z, q, cs, s, end, sg, hr, hi, gr, gi, c);
      else modulateRun(3, 6, bp, z, q, cs, s, end, sg, hr, hi, gr, gi, c);
      s = end;
    }
    demapSlice(q, cs, out + (<usize>done << 2), ns, kind, exact);
    zLeft = keepLeftoverNormals(z, nv, avail);
  }
  return zLeft;
}

/** Symbols s … end−1 of one frame: modulate, y = h·x + σ·(z_re + j z_im), equalise by g into q, scale c into cs. */
// @ts-ignore: decorator
@inline function modulateRun(kind: i32, bps: i32, bp: usize, z: usize, q: usize, cs: usize, s0: i32, end: i32, sg: f32, hr: f32, hi: f32, gr: f32, gi: f32, c: f32): void {
  for (let s = s0; s < end; s++) {
    const b = bp + <usize>(s * bps);
    let xr: f32, xi: f32;
    if (kind == 0) {
      xr = load<u8>(b) != 0 ? -1.0 : 1.0;
      xi = 0;
    } else if (kind == 1) {
      const a = <f32>Math.SQRT1_2;
      xr = load<u8>(b) != 0 ? -a : a;
      xi = load<u8>(b, 1) != 0 ? -a : a;
    } else if (kind == 2) {
      const d: f64 = 1.0 / Math.sqrt(10.0);
      const l1 = <f32>d, l3 = <f32>(3.0 * d);
      const ar: f32 = load<u8>(b, 2) != 0 ? l3 : l1;
      const ai: f32 = load<u8>(b, 3) != 0 ? l3 : l1;
      xr = load<u8>(b) != 0 ? -ar : ar;
      xi = load<u8>(b, 1) != 0 ? -ai : ai;
    } else {
      const d: f64 = 1.0 / Math.sqrt(42.0);
      const l1 = <f32>d, l3 = <f32>(3.0 * d), l5 = <f32>(5.0 * d), l7 = <f32>(7.0 * d);
      const ar = pamLevel(load<u8>(b, 2), load<u8>(b, 4), l1, l3, l5, l7);
      const ai = pamLevel(load<u8>(b, 3), load<u8>(b, 5), l1, l3, l5, l7);
      xr = load<u8>(b) != 0 ? -ar : ar;
      xi = load<u8>(b, 1) != 0 ? -ai : ai;
    }
    const o = <usize>s << 3;
    const yr = (hr * xr - hi * xi) + sg * load<f32>(z + o);
    const yi = (hr * xi + hi * xr) + sg * load<f32>(z + o, 4);
    store<f32>(q + o, yr * gr - yi * gi);
    store<f32>(q + o, yr * gi + yi * gr, 4);
    store<f32>(cs + o, c);
    store<f32>(cs + o, c, 4);
  }
}

/** LLRs of ns equalised symbols at q (re, im) with per-lane scales at cs, into o (pairs of symbols). */
function demapSlice(q: usize, cs: usize, o: usize, ns: i32, kind: i32, exact: i32): void {
  if (kind == 0) {
    for (let s = 0; s < ns; s++) store<f32>(o + (<usize>s << 2), load<f32>(cs + (<usize>s << 3)) * load<f32>(q + (<usize>s << 3)));
    return;
  }
  const pairs = (ns + 1) >> 1;
  const one: f32 = 1.0;
  const a16 = f32x4.splat(qam16Alpha(one));
  const b16 = f32x4.splat(qam16Beta(one));
  const b64 = f32x4.splat(qam64Beta(one));
  const vi = f32x4.splat(QAM64_INV_D);
  for (let p = 0; p < pairs; p++) {
    const v = v128.load(q + (<usize>p << 4));
    const c = v128.load(cs + (<usize>p << 4));
    if (kind == 1) {
      v128.store(o + (<usize>p << 4), f32x4.mul(v, c));
    } else if (kind == 2) {
      if (exact) qam16Pair(v, f32x4.mul(a16, c), f32x4.mul(b16, c), true, o + (<usize>p << 5));
      else qam16Pair(v, f32x4.mul(a16, c), f32x4.mul(b16, c), false, o + (<usize>p << 5));
    } else {
      if (exact) qam64Pair(v, vi, f32x4.mul(b64, c), true, o + <usize>p * 48);
      else qam64Pair(v, vi, f32x4.mul(b64, c), false, o + <usize>p * 48);
    }
  }
}
