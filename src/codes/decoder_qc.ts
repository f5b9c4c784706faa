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
   * Per block row, per chunk c of 16 rows, per edge: the byte offset j·(Z+16) + (s + 16c) mod Z in
   * the kernel's state P of the 16 values that rows 16c..16c+15 read and write in block column j
   * (shift s). The decoder adds P's address once.
   */
  tab: Int32Array;
  /**
   * Per block row, per edge, 8 i32 (32 bytes): the offset j·(Z+16) of block column j in P, 3
   * unused, then 16 byte lanes: 0xff where the row updating value p (0 ≤ p < 16) of that column
   * stores it through the wrap, into the copy at Z + p (see assembly/ldpc/qclayered.ts).
   */
  fix: Int32Array;
  /** Edges per row, per block row. */
  deg: Int32Array;
  /** Table entries (tab.length). */
  entries: number;
}

/** i32 per fix-up record (see {@link QcLayout.fix}). */
export const QC_FIX_I32 = 8;

/** Bytes of the kernel's a-posteriori state P for nb block columns lifted by z (z values and a 16-value copy each). */
export function qcStateBytes(nb: number, z: number): number {
  return nb * (z + 16);
}

/** The fix-up lane mask of a block column with shift s: 4 i32 holding 16 bytes, 0xff where value p wraps. */
function wrapMask(s: number, z: number): Int32Array {
  const bytes = new Uint8Array(16);
  for (let p = 0; p < 16; p++) {
    const i = (p - s + z) % z; // the row that updates value p
    const o = (s + 16 * Math.floor(i / 16)) % z; // where its chunk loads and stores
    bytes[p] = o + (i % 16) >= z ? 0xff : 0;
  }
  return new Int32Array(bytes.buffer);
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
    const tab = new Int32Array(entries);
    const fix = new Int32Array(QC_FIX_I32 * (entries / nc));
    let q = 0;
    let f = 0;
    for (let b = 0; b < mb; b++) {
      const a0 = rowPtr[b * z];
      for (let c = 0; c < nc; c++) {
        for (let k = 0; k < deg[b]; k++) {
          const c0 = colIdx[a0 + k];
          const j = Math.floor(c0 / z);
          tab[q++] = j * (z + 16) + ((c0 - j * z + 16 * c) % z);
        }
      }
      for (let k = 0; k < deg[b]; k++) {
        const c0 = colIdx[a0 + k];
        const j = Math.floor(c0 / z);
        fix[f] = j * (z + 16);
        fix.set(wrapMask(c0 - j * z, z), f + 4);
        f += QC_FIX_I32;
      }
    }
    return { z, nb: n / z, mb, tab, fix, deg, entries };
  }
  return null;
}
