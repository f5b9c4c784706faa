// The GEMM indirection table of a sum over heads (src/kernels/heads_matmul.ts): the reduction
// runs over H taps, tap h reading row i of head h's A, so Σ_h A_h·B_h is one gemmIndirect.

/**
 * ind [ceil(m/mr)][heads][mr] u32 = a + h·headBytes + row·rowBytes for tile t, head h, lane r,
 * row = min(t·mr + r, m − 1) (rows past m repeat the last, as gemmRowPointers does); mr: the
 * GEMM's rows per tile (gemm_layout.ts MR).
 */
export function headsRowPointers(a: usize, m: i32, rowBytes: usize, heads: i32, headBytes: usize, mr: i32, ind: usize): void {
  const tiles = (m + mr - 1) / mr;
  let o = ind;
  for (let t = 0; t < tiles; t++) {
    for (let h = 0; h < heads; h++) {
      const base = a + <usize>h * headBytes;
      for (let r = 0; r < mr; r++) {
        store<u32>(o, <u32>(base + <usize>min(t * mr + r, m - 1) * rowBytes));
        o += 4;
      }
    }
  }
}
