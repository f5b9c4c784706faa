// Softmax over the last axis of a row-major float32 matrix [rows, n]:
// y = exp(x - max(x)) / Σ exp(x - max(x)), row by row.

/** y[r, :] = softmax(x[r, :]) for r < rows; x, y: [rows, n] float32 (may alias). */
export function softmax(x: usize, y: usize, rows: i32, n: i32): void {
  const n4 = n & ~3;
  for (let r = 0; r < rows; r++) {
    const xr = x + (<usize>(r * n) << 2);
    const yr = y + (<usize>(r * n) << 2);
    let mv = f32x4.splat(-Infinity);
    let i = 0;
    for (; i < n4; i += 4) mv = f32x4.pmax(mv, v128.load(xr + (<usize>i << 2)));
    let m = max(max(f32x4.extract_lane(mv, 0), f32x4.extract_lane(mv, 1)), max(f32x4.extract_lane(mv, 2), f32x4.extract_lane(mv, 3)));
    for (; i < n; i++) m = max(m, load<f32>(xr + (<usize>i << 2)));
    let sum: f32 = 0;
    for (i = 0; i < n; i++) {
      const e = Mathf.exp(load<f32>(xr + (<usize>i << 2)) - m);
      store<f32>(yr + (<usize>i << 2), e);
      sum += e;
    }
    const inv = f32x4.splat(sum);
    for (i = 0; i < n4; i += 4) v128.store(yr + (<usize>i << 2), f32x4.div(v128.load(yr + (<usize>i << 2)), inv));
    for (; i < n; i++) store<f32>(yr + (<usize>i << 2), load<f32>(yr + (<usize>i << 2)) / sum);
  }
}
