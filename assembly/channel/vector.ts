// Small vector kernels used by the channel API: finiteness and 0/1-bit scans (input validation
// before any compute kernel runs) and scaling (the BPSK/QPSK LLR is a per-sample scale).

/** Index of the first NaN or ±Infinity among n f32 at `x`, or −1 when all are finite. */
export function firstNonFinite(x: usize, n: i32): i32 {
  const expMask = i32x4.splat(0x7f800000);
  const n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 16) {
    // four vectors per pass; a lane is non-finite when its exponent bits are all ones
    if (i + 16 > n4) break;
    const p = x + (<usize>i << 2);
    const a = i32x4.eq(v128.and(v128.load(p), expMask), expMask);
    const b = i32x4.eq(v128.and(v128.load(p, 16), expMask), expMask);
    const c = i32x4.eq(v128.and(v128.load(p, 32), expMask), expMask);
    const d = i32x4.eq(v128.and(v128.load(p, 48), expMask), expMask);
    if (v128.any_true(v128.or(v128.or(a, b), v128.or(c, d)))) break;
  }
  for (; i < n; i++) {
    if ((load<u32>(x + (<usize>i << 2)) & 0x7f800000) == 0x7f800000) return i;
  }
  return -1;
}

/** out[i] = c·x[i] for i < n4 (n4 a multiple of 4); `out` may equal `x`. */
export function scale(x: usize, out: usize, n4: i32, c: f32): void {
  const vc = f32x4.splat(c);
  for (let i = 0; i < n4; i += 4) {
    const o = <usize>i << 2;
    v128.store(out + o, f32x4.mul(v128.load(x + o), vc));
  }
}

/** Index of the first of n bytes at `x` that is not 0 or 1 (bits), or −1 when all are bits. */
export function firstNonBit(x: usize, n: i32): i32 {
  const one = i8x16.splat(1);
  let i = 0;
  for (; i + 64 <= n; i += 64) {
    const p = x + <usize>i;
    const a = v128.or(v128.load(p), v128.load(p, 16));
    const b = v128.or(v128.load(p, 32), v128.load(p, 48));
    if (v128.any_true(i8x16.gt_u(v128.or(a, b), one))) break;
  }
  for (; i < n; i++) {
    if (load<u8>(x + <usize>i) > 1) return i;
  }
  return -1;
}
