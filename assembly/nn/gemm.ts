// Register-blocked f32 GEMM with WASM SIMD: C (m×n) [+]= A (m×k) · B (k×n).
//
// B is packed once into column panels of NR = 16 ([ceil(n/16)][k][16], zero-padded), so the
// micro-kernel reads it as four contiguous f32x4 per reduction step. A is not packed: the
// micro-kernel reads MR = 2 rows through an *indirection buffer* of row pointers (u32 byte
// addresses), and steps every pointer by `ks` bytes per reduction index. One layout serves
//   - plain row-major A (pointer = row start, ks = 4),
//   - transposed A (pointer = column start, ks = 4·lda),
//   - convolution without im2col: per output pixel and filter tap, a pointer to the input
//     pixel's channel vector (or to a zero vector for padding); the reduction runs over
//     `taps` such pointers of `kt` channels each (k = taps·kt, tap-major like a filter
//     [fh][fw][ci][co] read as (fh·fw·ci)×co).
// Indirection layout: [ceil(m/2)][taps][2] u32; rows past m repeat the last row.
// The 2×16 tile keeps 8 f32x4 accumulators in registers; edge tiles go through a scratch tile,
// and panels with at most 8 columns run a 2×8 tile on the panel's first half.
//
// Why 2×16, unrolled by 2 with an exit test between the steps: V8 loads every value of a loop
// body first, so a body's values plus the accumulators must fit its 15 allocatable v128
// registers (a 6×8 tile spilled and ran at 2/3 speed; 3×12 at 0.64×). A 2×16 step needs 4 B
// vectors and 2 A splats for 8 accumulators (a 4×8 step: 2 and 4); the `if (--n == 0) break`
// between the two steps makes each its own block, so each keeps only its own values live (a
// plain 2- or 4-step body spilled), and the steps read A and B at immediate offsets, moving the
// pointers once per pair. It runs at 1.14–1.16× the former 4×8 one-step kernel (a plain GEMM
// 512×512×576 and a 3x3 128→128 conv, interleaved runs) with bit-identical results: each
// output still sums the same segments in the same order.
//
// The relaxed-SIMD build (madd.ts: fused f32x4.relaxed_madd) keeps the same 2×16 tile. A fused
// step needs no register for the product, but no bigger tile fits the 15 registers: 3×12 (9
// accumulators, 3 B, 3 A: 15) ran no faster than 2×16 (49.9 vs 49.4 GFLOP/s of CPU time on
// in-cache operands, alternating runs) and would need MR = 3 in every caller's layout; 3×16
// (19 values) spilled and ran at 0.4×. The fused 2×16 runs at 1.4× the plain one in that test
// (49.4 vs 34.8), and a whole 512×512×576 GEMM or 3x3 256→256 conv at 1.26×.

import { madd } from './madd';

// @ts-ignore: decorator
@inline const MR: i32 = 2;
// @ts-ignore: decorator
@inline const NR: i32 = 16;
/** Bytes of one packed row of a panel. */
// @ts-ignore: decorator
@inline const ROW_BYTES: usize = 64;
/** Reduction block (floats of k per pass): the packed B slice of a panel is KC·64 bytes. */
// @ts-ignore: decorator
@inline const KC: i32 = 768;
/**
 * Reduction steps summed in registers before they are added into C (blocked summation). 128:
 * two taps of a 64-channel conv per tile call; 4 % faster than 64 on the ResNet-18 3x3 forward
 * shapes of 64 and 128 channels (bench/kernels.mjs, alternating runs), no faster at 256.
 */
// @ts-ignore: decorator
@inline const SEG: i32 = 128;
/** Row tiles per block: an A block of MC_TILES·2 rows × KC stays in cache while panels sweep it. */
// @ts-ignore: decorator
@inline const MC_TILES: i32 = 36;

// Scratch tile of the edge tiles. A global (per instance), so that threads sharing one memory
// (the threaded build, src/wasm/thread_pool.ts) each point it at their own bytes.
let EDGE: usize = memory.data(MR * NR * 4, 16);

/** Points this instance's edge-tile scratch (MR·NR floats, 16-byte aligned) at `ptr`; for worker threads. */
export function gemmSetScratch(ptr: usize): void {
  EDGE = ptr;
}

/**
 * Packs B (k×n; element (r, j) at src + 4·(r·rs + j·cs)) into [ceil(n/16)][k][16] floats at dst,
 * zero-padding the last panel. rs/cs are element strides: (n, 1) row-major, (1, k) for Bᵀ.
 */
export function gemmPackB(src: usize, k: i32, n: i32, rs: i32, cs: i32, dst: usize): void {
  gemmPackBRows(src, k, n, rs, cs, dst, k, 0);
}

/**
 * Like gemmPackB, but writes the k rows as rows row0 … row0+k−1 of a packed B that has
 * totalK rows ([ceil(n/16)][totalK][16]), so that several sources can fill one packed matrix.
 */
export function gemmPackBRows(src: usize, k: i32, n: i32, rs: i32, cs: i32, dst: usize, totalK: i32, row0: i32): void {
  const panels = (n + NR - 1) / NR;
  const zero = f32x4.splat(0);
  for (let p = 0; p < panels; p++) {
    const j0 = p * NR;
    const w = min(NR, n - j0);
    const d = dst + <usize>(p * totalK + row0) * ROW_BYTES;
    if (cs == 1 && w == NR) {
      for (let r = 0; r < k; r++) {
        const s = src + (<usize>(r * rs + j0) << 2);
        const o = d + <usize>r * ROW_BYTES;
        v128.store(o, v128.load(s));
        v128.store(o, v128.load(s, 16), 16);
        v128.store(o, v128.load(s, 32), 32);
        v128.store(o, v128.load(s, 48), 48);
      }
    } else if (cs == 1) {
      for (let r = 0; r < k; r++) {
        const s = src + (<usize>(r * rs + j0) << 2);
        const o = d + <usize>r * ROW_BYTES;
        v128.store(o, zero);
        v128.store(o, zero, 16);
        v128.store(o, zero, 32);
        v128.store(o, zero, 48);
        for (let j = 0; j < w; j++) store<f32>(o + (<usize>j << 2), load<f32>(s + (<usize>j << 2)));
      }
    } else {
      // Column-wise: each column j of B is contiguous when rs == 1 (the transposed case).
      for (let r = 0; r < k; r++) {
        const o = d + <usize>r * ROW_BYTES;
        v128.store(o, zero);
        v128.store(o, zero, 16);
        v128.store(o, zero, 32);
        v128.store(o, zero, 48);
      }
      for (let j = 0; j < w; j++) {
        const s = src + (<usize>((j0 + j) * cs) << 2);
        const o = d + (<usize>j << 2);
        for (let r = 0; r < k; r++) {
          store<f32>(o + <usize>r * ROW_BYTES, load<f32>(s + (<usize>(r * rs) << 2)));
        }
      }
    }
  }
}

/**
 * Writes the row indirection for a strided A (row i starts at a + 4·i·rsA) into ind:
 * ceil(m/2)·2 u32 byte addresses, rows past m repeating row m-1.
 */
export function gemmRowPointers(a: usize, m: i32, rsA: i32, ind: usize): void {
  const tiles = (m + MR - 1) / MR;
  for (let i = 0; i < tiles * MR; i++) {
    const row = min(i, m - 1);
    store<u32>(ind + (<usize>i << 2), <u32>(a + (<usize>row * <usize>rsA << 2)));
  }
}

// One tile: C[2][16] (ldc bytes between rows) = (acc ? C : 0) + Σ_taps Σ_kc A·B, or with
// `half` only its first 8 columns (for panels with at most 8 used columns: n ≤ 8, or the last
// panel, which the full tile would compute half in vain; rows of B stay ROW_BYTES apart). The
// registers start from zero and are added into C at the end (storeTile), so the driver's
// segments of at most SEG steps give blocked summation. A tap where both rows point at `zero`
// (padding) adds nothing and is skipped. Two kernels, by how A is read: tileContiguous for
// ks == 4 (contiguous A rows: matmul, and the convolutions' channel vectors) runs the steps in
// pairs (see the file comment); tileStrided steps the pointers by ks. Both are inlined into
// tile16 and tile8 with `half` constant, so each keeps only its own registers.

/** The tile kernel for contiguous A (ks == 4): reduction steps in pairs. */
// @ts-ignore: decorator
@inline
function tileContiguous(
  half: bool, ind: usize, taps: i32, aoff: usize, kc: i32, b: usize, c: usize, ldc: usize, acc: bool, zero: usize,
): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c02 = f32x4.splat(0), c03 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0), c12 = f32x4.splat(0), c13 = f32x4.splat(0);
  for (let t = 0; t < taps; t++) {
    const p0 = <usize>load<u32>(ind, 0);
    const p1 = <usize>load<u32>(ind, 4);
    ind += 8;
    // After the tap, B is at the end of its kc rows (an odd kc leaves the pair loop mid-pair).
    const bEnd = b + <usize>kc * ROW_BYTES;
    if (p0 == zero && p1 == zero) { b = bEnd; continue; }
    let a0 = p0 + aoff;
    let a1 = p1 + aoff;
    let n = kc;
    while (true) {
      // Step 1 of the pair: B row at b, A at a0, a1.
      const b0 = v128.load(b, 0), b1 = v128.load(b, 16);
      const x0 = v128.load32_splat(a0, 0), x1 = v128.load32_splat(a1, 0);
      c00 = madd(x0, b0, c00);
      c01 = madd(x0, b1, c01);
      c10 = madd(x1, b0, c10);
      c11 = madd(x1, b1, c11);
      if (!half) {
        const b2 = v128.load(b, 32), b3 = v128.load(b, 48);
        c02 = madd(x0, b2, c02);
        c03 = madd(x0, b3, c03);
        c12 = madd(x1, b2, c12);
        c13 = madd(x1, b3, c13);
      }
      if (--n == 0) break;
      // Step 2: the next B row and A floats, at immediate offsets.
      const d0 = v128.load(b, 64), d1 = v128.load(b, 80);
      const y0 = v128.load32_splat(a0, 4), y1 = v128.load32_splat(a1, 4);
      c00 = madd(y0, d0, c00);
      c01 = madd(y0, d1, c01);
      c10 = madd(y1, d0, c10);
      c11 = madd(y1, d1, c11);
      if (!half) {
        const d2 = v128.load(b, 96), d3 = v128.load(b, 112);
        c02 = madd(y0, d2, c02);
        c03 = madd(y0, d3, c03);
        c12 = madd(y1, d2, c12);
        c13 = madd(y1, d3, c13);
      }
      b += 2 * ROW_BYTES;
      a0 += 8; a1 += 8;
      if (--n == 0) break;
    }
    b = bEnd;
  }
  storeTile(half, c, ldc, acc, c00, c01, c02, c03, c10, c11, c12, c13);
}

/** The tile kernel for strided A (each pointer steps ks bytes per reduction step). */
// @ts-ignore: decorator
@inline
function tileStrided(
  half: bool, ind: usize, taps: i32, aoff: usize, ks: usize, kc: i32, b: usize, c: usize, ldc: usize, acc: bool,
  zero: usize,
): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c02 = f32x4.splat(0), c03 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0), c12 = f32x4.splat(0), c13 = f32x4.splat(0);
  for (let t = 0; t < taps; t++) {
    const p0 = <usize>load<u32>(ind, 0);
    const p1 = <usize>load<u32>(ind, 4);
    ind += 8;
    if (p0 == zero && p1 == zero) { b += <usize>kc * ROW_BYTES; continue; }
    let a0 = p0 + aoff;
    let a1 = p1 + aoff;
    for (let k = 0; k < kc; k++) {
      const b0 = v128.load(b, 0), b1 = v128.load(b, 16);
      const x0 = v128.load32_splat(a0), x1 = v128.load32_splat(a1);
      c00 = madd(x0, b0, c00);
      c01 = madd(x0, b1, c01);
      c10 = madd(x1, b0, c10);
      c11 = madd(x1, b1, c11);
      if (!half) {
        const b2 = v128.load(b, 32), b3 = v128.load(b, 48);
        c02 = madd(x0, b2, c02);
        c03 = madd(x0, b3, c03);
        c12 = madd(x1, b2, c12);
        c13 = madd(x1, b3, c13);
      }
      b += ROW_BYTES;
      a0 += ks; a1 += ks;
    }
  }
  storeTile(half, c, ldc, acc, c00, c01, c02, c03, c10, c11, c12, c13);
}

/** Writes a tile's accumulators (row 0: c00…c03, row 1: c10…c13; with `half` the first two of each) to C, added to C's values when `acc`. */
// @ts-ignore: decorator
@inline
function storeTile(
  half: bool, c: usize, ldc: usize, acc: bool,
  c00: v128, c01: v128, c02: v128, c03: v128, c10: v128, c11: v128, c12: v128, c13: v128,
): void {
  const c1 = c + ldc;
  if (acc) {
    c00 = f32x4.add(v128.load(c, 0), c00); c01 = f32x4.add(v128.load(c, 16), c01);
    c10 = f32x4.add(v128.load(c1, 0), c10); c11 = f32x4.add(v128.load(c1, 16), c11);
    if (!half) {
      c02 = f32x4.add(v128.load(c, 32), c02); c03 = f32x4.add(v128.load(c, 48), c03);
      c12 = f32x4.add(v128.load(c1, 32), c12); c13 = f32x4.add(v128.load(c1, 48), c13);
    }
  }
  v128.store(c, c00, 0); v128.store(c, c01, 16);
  v128.store(c1, c10, 0); v128.store(c1, c11, 16);
  if (!half) {
    v128.store(c, c02, 32); v128.store(c, c03, 48);
    v128.store(c1, c12, 32); v128.store(c1, c13, 48);
  }
}

/** The 2×16 tile (see the tile kernels' comment above). */
function tile16(
  ind: usize, taps: i32, aoff: usize, ks: usize, kc: i32, b: usize, c: usize, ldc: usize, acc: bool, zero: usize,
): void {
  if (ks == 4) tileContiguous(false, ind, taps, aoff, kc, b, c, ldc, acc, zero);
  else tileStrided(false, ind, taps, aoff, ks, kc, b, c, ldc, acc, zero);
}

/** The 2×8 tile on a panel's first 8 columns (see the tile kernels' comment above). */
function tile8(
  ind: usize, taps: i32, aoff: usize, ks: usize, kc: i32, b: usize, c: usize, ldc: usize, acc: bool, zero: usize,
): void {
  if (ks == 4) tileContiguous(true, ind, taps, aoff, kc, b, c, ldc, acc, zero);
  else tileStrided(true, ind, taps, aoff, ks, kc, b, c, ldc, acc, zero);
}

/**
 * C (m×n, ldc floats between rows, at c) = (accumulate ? C : 0) + A·B, where the reduction
 * runs over `taps` groups of `kt` steps (k = taps·kt), A rows come from the indirection buffer
 * `ind` ([ceil(m/2)][taps][2] u32 byte addresses; a pointer advances `ks` bytes per step within
 * its tap), and B is packed by gemmPackB with k = taps·kt rows. `zero` (0: none) is the
 * address of a zero vector that pointers of padding taps hold: a tap where both rows of a
 * tile point there is skipped (a conv's border pixels on small maps: 30 % of a 3x3 'same'
 * conv on 4x4). Skipping adds nothing but exact zeros, so results only differ in the sign of
 * an all-zero sum.
 */
export function gemmIndirect(
  m: i32, n: i32, taps: i32, kt: i32, ind: usize, ks: i32, bp: usize, c: usize, ldc: i32, accumulate: i32, zero: usize,
): void {
  if (m <= 0 || n <= 0) return;
  const k = taps * kt;
  const ldcb = <usize>ldc << 2;
  if (k == 0) {
    if (accumulate == 0) {
      for (let i = 0; i < m; i++) memory.fill(c + <usize>i * ldcb, 0, <usize>n << 2);
    }
    return;
  }
  const tiles = (m + MR - 1) / MR;
  const panels = (n + NR - 1) / NR;
  // Segments of the reduction (summed in registers from zero): see segmentLength.
  const segLen = segmentLength(kt);
  const tapsPerSeg = kt > SEG ? 1 : max(1, SEG / kt);
  const segsPerTapGroup = (kt + segLen - 1) / segLen;
  const segs = ((taps + tapsPerSeg - 1) / tapsPerSeg) * segsPerTapGroup;
  // Cache blocks of the reduction: KC steps of every B panel stay in L1 while a block of
  // MC_TILES row tiles is swept.
  const segsPerBlock = max(1, KC / (tapsPerSeg * segLen));
  const ksz = <usize>ks;
  for (let s0 = 0; s0 < segs; s0 += segsPerBlock) {
    const s1 = min(segs, s0 + segsPerBlock);
    const t0s = (s0 / segsPerTapGroup) * tapsPerSeg;
    const c0s = (s0 % segsPerTapGroup) * segLen;
    for (let mt0 = 0; mt0 < tiles; mt0 += MC_TILES) {
      const mt1 = min(tiles, mt0 + MC_TILES);
      for (let p = 0; p < panels; p++) {
        const cols = min(NR, n - p * NR);
        const bpanel = bp + <usize>(p * k) * ROW_BYTES;
        for (let mt = mt0; mt < mt1; mt++) {
          const rows = min(MR, m - mt * MR);
          const cp = c + <usize>(mt * MR) * ldcb + (<usize>(p * NR) << 2);
          // Edge tiles run on the scratch tile, which holds C's values when they are summed into.
          const edge = rows < MR || cols < NR;
          if (edge && (accumulate != 0 || s0 > 0)) copyTile(cp, ldcb, EDGE, NR * 4, rows, cols);
          const ct = edge ? EDGE : cp;
          const ldt = edge ? <usize>(NR * 4) : ldcb;
          const indTile = ind + <usize>(mt * taps) * (MR * 4);
          // Segment sg starts at tap t0, channel c0 (walked, not divided out, per segment).
          let t0 = t0s;
          let c0 = c0s;
          for (let sg = s0; sg < s1; sg++) {
            const nt = min(tapsPerSeg, taps - t0);
            const kc = min(segLen, kt - c0);
            const acc = accumulate != 0 || sg > 0;
            const indSeg = indTile + <usize>t0 * (MR * 4);
            const bSeg = bpanel + <usize>(t0 * kt + c0) * ROW_BYTES;
            if (cols <= NR / 2) tile8(indSeg, nt, <usize>c0 * ksz, ksz, kc, bSeg, ct, ldt, acc, zero);
            else tile16(indSeg, nt, <usize>c0 * ksz, ksz, kc, bSeg, ct, ldt, acc, zero);
            c0 += segLen;
            if (c0 >= kt) { c0 = 0; t0 += tapsPerSeg; }
          }
          if (edge) copyTile(EDGE, NR * 4, cp, ldcb, rows, cols);
        }
      }
    }
  }
}

/**
 * Steps of one reduction segment for taps of kt steps: a tap longer than SEG is cut into
 * balanced chunks of at most SEG; shorter taps are whole segments, grouped max(1, SEG / kt) to
 * a segment by gemmIndirect.
 */
// @ts-ignore: decorator
@inline
function segmentLength(kt: i32): i32 {
  if (kt <= SEG) return kt;
  const parts = (kt + SEG - 1) / SEG;
  return (kt + parts - 1) / parts;
}

/** Copies rows×cols floats from src (lds bytes between rows) to dst (ldd bytes between rows): an edge tile in or out of the scratch tile. */
// @ts-ignore: decorator
@inline
function copyTile(src: usize, lds: usize, dst: usize, ldd: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < cols; j++) {
      store<f32>(dst + <usize>r * ldd + (<usize>j << 2), load<f32>(src + <usize>r * lds + (<usize>j << 2)));
    }
  }
}

/**
 * Plain GEMM: C (m×n, ldc) = (accumulate ? C : 0) + A·B with A(i, r) at a + 4·(i·rsA + r·csA)
 * (rsA = k, csA = 1 row-major; rsA = 1, csA = m for Aᵀ stored k×m) and B packed by gemmPackB.
 * `ind` is scratch for ceil(m/2)·2 u32.
 */
export function gemm(
  m: i32, n: i32, k: i32, a: usize, rsA: i32, csA: i32, bp: usize, c: usize, ldc: i32, accumulate: i32, ind: usize,
): void {
  if (m <= 0 || n <= 0) return;
  gemmRowPointers(a, m, rsA, ind);
  gemmIndirect(m, n, 1, k, ind, csA << 2, bp, c, ldc, accumulate, 0);
}

/**
 * In place on C (m×n, ldc floats between rows): C += bias (n floats; skipped when bias = 0),
 * then the activation: 0 linear, 1 relu, 2 relu6, 3 leaky relu with slope `alpha`.
 */
export function gemmBiasActivation(c: usize, m: i32, n: i32, ldc: i32, bias: usize, act: i32, alpha: f32): void {
  const zero = f32x4.splat(0);
  const six = f32x4.splat(6);
  const va = f32x4.splat(alpha);
  const n4 = n & ~3;
  for (let i = 0; i < m; i++) {
    const row = c + (<usize>i * <usize>ldc << 2);
    let j = 0;
    for (; j < n4; j += 4) {
      const p = row + (<usize>j << 2);
      let v = v128.load(p);
      if (bias != 0) v = f32x4.add(v, v128.load(bias + (<usize>j << 2)));
      if (act == 1) v = f32x4.max(v, zero);
      else if (act == 2) v = f32x4.min(f32x4.max(v, zero), six);
      else if (act == 3) v = v128.bitselect(v, f32x4.mul(v, va), f32x4.gt(v, zero));
      v128.store(p, v);
    }
    for (; j < n; j++) {
      const p = row + (<usize>j << 2);
      let v = load<f32>(p);
      if (bias != 0) v += load<f32>(bias + (<usize>j << 2));
      if (act == 1) v = max(v, 0);
      else if (act == 2) v = min(max(v, 0), 6);
      else if (act == 3) v = v > 0 ? v : v * alpha;
      store<f32>(p, v);
    }
  }
}

/**
 * Transpose of src (rows×cols, row-major float32) into dst: element (i, j) goes to
 * dst + 4·(j·ldd + i), so dst is cols×rows row-major when ldd = rows; a caller that splits the
 * rows (src/wasm/parallel_gemm.ts) passes the whole ldd and dst at its row offset.
 */
export function gemmTranspose(src: usize, rows: i32, cols: i32, dst: usize, ldd: i32): void {
  // 8×8 blocks keep both the reads and the writes within a few cache lines.
  for (let i0 = 0; i0 < rows; i0 += 8) {
    const i1 = min(rows, i0 + 8);
    for (let j0 = 0; j0 < cols; j0 += 8) {
      const j1 = min(cols, j0 + 8);
      for (let i = i0; i < i1; i++) {
        const s = src + (<usize>i * <usize>cols << 2);
        for (let j = j0; j < j1; j++) {
          store<f32>(dst + (<usize>j * <usize>ldd + <usize>i << 2), load<f32>(s + (<usize>j << 2)));
        }
      }
    }
  }
}
