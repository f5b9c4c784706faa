/**
 * Quasi-cyclic (QC) LDPC prototypes and their expansion into a binary parity-check matrix.
 */
import type { ParityCheckMatrix } from './types.js';

/**
 * A QC prototype (base matrix) lifted by Z: `shifts` is row-major `rows x cols`; -1 is the all-zero ZxZ
 * block and s >= 0 (already reduced mod Z) the identity cyclically shifted right by s, so row r of the
 * block has its 1 in column (r + s) mod Z.
 */
export interface QcPrototype {
  rows: number;
  cols: number;
  z: number;
  shifts: Int32Array;
}

/**
 * Expands a QC prototype into H ((rows·Z) x (cols·Z), CSR, columns ascending within each row).
 * Throws a one-line error naming a bad shift or size.
 */
export function expandQc(proto: QcPrototype): ParityCheckMatrix {
  const { rows, cols, z, shifts } = proto;
  if (!Number.isInteger(z) || z < 1) throw new Error(`expandQc: lifting size Z = ${z} must be a positive integer`);
  if (!Number.isInteger(rows) || rows < 1 || !Number.isInteger(cols) || cols < 1) {
    throw new Error(`expandQc: prototype size ${rows} x ${cols} must be positive integers`);
  }
  if (shifts.length !== rows * cols) {
    throw new Error(`expandQc: ${shifts.length} shifts for a ${rows} x ${cols} prototype (expected ${rows * cols})`);
  }
  let nnzBlocks = 0;
  for (let i = 0; i < shifts.length; i++) {
    const s = shifts[i];
    if (s === -1) continue;
    if (!Number.isInteger(s) || s < 0 || s >= z) {
      throw new Error(`expandQc: shift ${s} at block (${Math.floor(i / cols)}, ${i % cols}) is not -1 or in 0..${z - 1}`);
    }
    nnzBlocks++;
  }
  const m = rows * z;
  const n = cols * z;
  const rowPtr = new Int32Array(m + 1);
  const colIdx = new Int32Array(nnzBlocks * z);
  let e = 0;
  for (let bi = 0; bi < rows; bi++) {
    for (let r = 0; r < z; r++) {
      rowPtr[bi * z + r] = e;
      // Block columns ascending, each contributing one column inside [bj·Z, (bj+1)·Z): ascending overall.
      for (let bj = 0; bj < cols; bj++) {
        const s = shifts[bi * cols + bj];
        if (s < 0) continue;
        let c = r + s;
        if (c >= z) c -= z;
        colIdx[e++] = bj * z + c;
      }
    }
  }
  rowPtr[m] = e;
  return { n, m, rowPtr, colIdx };
}
