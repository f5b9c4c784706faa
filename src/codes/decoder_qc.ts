/**
 * Recognises a quasi-cyclic parity-check matrix in CSR form and builds the edge tables of the
 * single-frame row-parallel min-sum kernel (assembly/ldpc/qclayered.ts).
 *
 * H counts as lifted by Z when m and n are multiples of Z and, for every block row b (rows
 * b·Z .. b·Z+Z−1), row b·Z has at most one column per block column and each later row b·Z + i has
 * the same block columns with the in-block index advanced by i modulo Z (column
 * j·Z + (s + i) mod Z): every block is a circulant permutation or zero, as in 802.11n and 5G NR.
 * Rows of one block row then touch disjoint columns, so processing them 16 at a time is the same
 * schedule as processing them one by one in CSR order.
 */

/** Tables of qcLayeredDecode for one H (see assembly/ldpc/qclayered.ts). */
export interface QcLayout {
  /** Lifting size (≥ 16). */
  z: number;
  /** Block columns (n / Z). */
  nb: number;
  /** Block rows (m / Z). */
  mb: number;
  /**
   * Per block row, per chunk of 16 rows, per edge: three byte offsets into the kernel's state P,
   * the load/store address 16 + j·(Z+48) + o of the 16 values from cyclic offset o of block
   * column j, then the same plus Z when o < 16 (else the address again) and the same minus Z when
   * o + 16 > Z (else the address again). For Z ≥ 32 the two cannot both differ, and the second
   * entry holds whichever does (the kernel then makes two stores per edge instead of three).
   */
  tab: Int32Array;
  /** Edges per row, per block row. */
  deg: Int32Array;
  /** Table entries (tab.length / 3). */
  entries: number;
}

/** i32 per edge-table entry (see {@link QcLayout.tab}). */
const QC_ENTRY_I32 = 3;

/** Bytes of the kernel's a-posteriori state P for nb block columns lifted by z (16 + z + 32 per column). */
export function qcStateBytes(nb: number, z: number): number {
  return nb * (z + 48);
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

function liftedBy(z: number, m: number, rowPtr: Int32Array, colIdx: Int32Array): boolean {
  for (let r0 = 0; r0 < m; r0 += z) {
    const a0 = rowPtr[r0];
    const d = rowPtr[r0 + 1] - a0;
    for (let k = 1; k < d; k++) {
      if (Math.floor(colIdx[a0 + k] / z) <= Math.floor(colIdx[a0 + k - 1] / z)) return false;
    }
    for (let i = 1; i < z; i++) {
      const a = rowPtr[r0 + i];
      if (rowPtr[r0 + i + 1] - a !== d) return false;
      for (let k = 0; k < d; k++) {
        const c0 = colIdx[a0 + k];
        const j = Math.floor(c0 / z);
        if (colIdx[a + k] !== j * z + ((c0 - j * z + i) % z)) return false;
      }
    }
  }
  return true;
}

/**
 * The largest Z ≥ 16 by which H is lifted (see the file header) and the kernel's tables, or null
 * when there is none. Linear in the number of edges per candidate Z; non-QC matrices fail on the
 * first rows.
 */
export function qcLayout(n: number, m: number, rowPtr: Int32Array, colIdx: Int32Array): QcLayout | null {
  const g = gcd(n, m);
  for (let z = g; z >= 16; z--) {
    if (g % z !== 0 || !liftedBy(z, m, rowPtr, colIdx)) continue;
    const mb = m / z;
    const nc = Math.ceil(z / 16);
    const deg = new Int32Array(mb);
    let entries = 0;
    for (let b = 0; b < mb; b++) {
      deg[b] = rowPtr[b * z + 1] - rowPtr[b * z];
      entries += nc * deg[b];
    }
    const tab = new Int32Array(QC_ENTRY_I32 * entries);
    let q = 0;
    for (let b = 0; b < mb; b++) {
      const a0 = rowPtr[b * z];
      for (let c = 0; c < nc; c++) {
        for (let k = 0; k < deg[b]; k++) {
          const c0 = colIdx[a0 + k];
          const j = Math.floor(c0 / z);
          const o = (c0 - j * z + 16 * c) % z;
          const at = 16 + j * (z + 48) + o;
          const up = o < 16 ? at + z : at; // also the copy after the Z values
          const down = o + 16 > z ? at - z : at; // wraps into the front
          tab[q++] = at;
          // Z ≥ 32: at most one of them differs from `at`; the kernel stores only the second address.
          tab[q++] = z >= 32 && up === at ? down : up;
          tab[q++] = down;
        }
      }
    }
    return { z, nb: n / z, mb, tab, deg, entries };
  }
  return null;
}
