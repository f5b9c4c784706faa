// Transpose of a row-major float32 matrix in 4×4 SIMD blocks (transpose.ts's shuffles), for
// operands that a GEMM reads faster row by row than with strides (src/kernels/matmul.ts: a
// transposed A of a long reduction). Column blocks of COLS keep the destination rows being
// filled (one cache line per 4 source rows) within L1 while the source streams.

import { transpose4Store } from './transpose';

/** Source columns per block: the destination rows of a block stay in L1 (COLS lines of 64 bytes). */
// @ts-ignore: decorator
@inline const COLS: i32 = 256;

/**
 * dst element (j, i) = src element (i, j) for src rows×cols (row-major): dst + 4·(j·ldd + i),
 * so dst is cols×rows row-major when ldd = rows. A caller that splits the rows passes the whole
 * ldd and dst at its row offset (rows need not be a multiple of 4).
 */
export function matrixTranspose(src: usize, rows: i32, cols: i32, dst: usize, ldd: i32): void {
  const rows4 = rows & ~3;
  const lds = <usize>cols << 2;
  const ldb = <usize>ldd << 2;
  for (let j0 = 0; j0 < cols; j0 += COLS) {
    const j1 = min(cols, j0 + COLS);
    const j4 = j0 + ((j1 - j0) & ~3);
    let i = 0;
    for (; i < rows4; i += 4) {
      const s = src + <usize>i * lds;
      const d = dst + (<usize>i << 2);
      let j = j0;
      for (; j < j4; j += 4) {
        const o = <usize>j << 2;
        transpose4Store(v128.load(s + o), v128.load(s + lds + o), v128.load(s + 2 * lds + o), v128.load(s + 3 * lds + o), d + <usize>j * ldb, ldb);
      }
      for (; j < j1; j++) {
        for (let r = 0; r < 4; r++) store<f32>(d + <usize>j * ldb + (<usize>r << 2), load<f32>(s + <usize>r * lds + (<usize>j << 2)));
      }
    }
    for (; i < rows; i++) {
      for (let j = j0; j < j1; j++) store<f32>(dst + <usize>j * ldb + (<usize>i << 2), load<f32>(src + <usize>i * lds + (<usize>j << 2)));
    }
  }
}
