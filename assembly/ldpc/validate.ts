/**
 * Index of the first NaN among `count` f32 at p (16-aligned), or -1 when there is none. Scans 16
 * values per step with SIMD (x ≠ x only for NaN); ±Infinity passes (the quantiser saturates it).
 */
export function firstNaN(p: usize, count: i32): i32 {
  let i = 0;
  for (; i + 16 <= count; i += 16) {
    const a = p + (<usize>i << 2);
    const x0 = v128.load(a);
    const x1 = v128.load(a, 16);
    const x2 = v128.load(a, 32);
    const x3 = v128.load(a, 48);
    const bad = v128.or(v128.or(f32x4.ne(x0, x0), f32x4.ne(x1, x1)), v128.or(f32x4.ne(x2, x2), f32x4.ne(x3, x3)));
    if (v128.any_true(bad)) break;
  }
  for (; i < count; i++) {
    const x = load<f32>(p + (<usize>i << 2));
    if (x != x) return i;
  }
  return -1;
}
