/**
 * General systematic encoder for any binary parity-check matrix H (m x n, possibly rank-deficient),
 * by Gaussian elimination over GF(2) on bit-packed rows, done once per code.
 *
 * H is brought to reduced row-echelon form, choosing pivot columns from the right (column n−1 first), so
 * codes whose parity part sits at the end (most standard codes) keep their information bits first. With
 * rank r, the r pivot columns carry parity and the k = n − r other columns carry information; redundant
 * rows (rank deficiency, e.g. 10GBASE-T has m = 384, rank 325) are dropped. Each parity bit is then
 * p = Σ_j x_j·g_j over GF(2) (g_j = column j of the generator's parity part, packed over the r parity bits),
 * evaluated with "four Russians" tables: per 4 information bits, one precomputed XOR of up to 4 columns.
 * Cost: ⌈k/4⌉·⌈r/32⌉ word operations per codeword; tables take 16·⌈k/4⌉·⌈r/32⌉ words (4x a dense G).
 */
import { BitPacker } from './bitpack.js';
import type { ParityCheckMatrix } from './types.js';
import { InputError } from '../errors.js';

export class Gf2SystematicEncoder {
  /** Codeword length (bits). */
  readonly n: number;
  /** Information bits n − rank(H). */
  readonly k: number;
  /** rank(H) over GF(2) = number of parity bits. */
  readonly rank: number;
  /** Codeword positions of the k information bits, ascending. */
  readonly infoPositions: Int32Array;
  /** Codeword positions of the rank parity bits (the pivot columns), ascending. */
  readonly parityPositions: Int32Array;
  private readonly contiguous: boolean; // information at 0..k−1, parity at k..n−1
  private readonly rw: number;
  private readonly table: Uint32Array;
  private readonly x: Uint32Array;
  private readonly p: Uint32Array;
  private readonly pbits: Uint8Array;
  private readonly packer: BitPacker;

  /** Throws a one-line error when H leaves no information bits (rank(H) = n). */
  constructor(h: ParityCheckMatrix) {
    const { n, m, rowPtr, colIdx } = h;
    const nw = Math.ceil(n / 32);
    const a = new Uint32Array(m * nw);
    for (let r = 0; r < m; r++) {
      for (let e = rowPtr[r]; e < rowPtr[r + 1]; e++) {
        const c = colIdx[e];
        a[r * nw + (c >>> 5)] ^= 1 << (c & 31);
      }
    }
    // Reduced row-echelon form, pivots scanned from the last column.
    const pivots: number[] = [];
    let rank = 0;
    for (let c = n - 1; c >= 0 && rank < m; c--) {
      const wc = c >>> 5;
      const bit = 1 << (c & 31);
      let p = -1;
      for (let r = rank; r < m; r++) {
        if (a[r * nw + wc] & bit) {
          p = r;
          break;
        }
      }
      if (p < 0) continue;
      if (p !== rank) {
        const ro = rank * nw;
        const po = p * nw;
        for (let q = 0; q < nw; q++) {
          const t = a[ro + q];
          a[ro + q] = a[po + q];
          a[po + q] = t;
        }
      }
      const ro = rank * nw;
      // Clear column c in every other row (full reduction, so each parity bit depends on x only).
      for (let r = 0; r < m; r++) {
        if (r === rank || !(a[r * nw + wc] & bit)) continue;
        const o = r * nw;
        for (let q = 0; q < nw; q++) a[o + q] ^= a[ro + q];
      }
      pivots.push(c);
      rank++;
    }
    const k = n - rank;
    if (k === 0) {
      throw new InputError(`Gf2SystematicEncoder: H (${m} x ${n}) has rank ${rank} = n, so the code has no information bits`);
    }
    // Parity bits in ascending codeword position: reduced row `order[i]` has pivot column parity[i].
    const order = Array.from({ length: rank }, (_, i) => i).sort((x, y) => pivots[x] - pivots[y]);
    const parity = Int32Array.from(order, (i) => pivots[i]);
    const isPivot = new Uint8Array(n);
    for (const c of pivots) isPivot[c] = 1;
    const info = new Int32Array(k);
    for (let c = 0, j = 0; c < n; c++) if (!isPivot[c]) info[j++] = c;
    const rw = Math.ceil(rank / 32);
    // Column j of the generator's parity part, packed over the parity bits: bit i = R[order[i]][info[j]].
    const cols = new Uint32Array(k * rw);
    for (let i = 0; i < rank; i++) {
      const ro = order[i] * nw;
      for (let j = 0; j < k; j++) {
        const c = info[j];
        if ((a[ro + (c >>> 5)] >>> (c & 31)) & 1) cols[j * rw + (i >>> 5)] |= 1 << (i & 31);
      }
    }
    // Four-Russians tables: for information bits 4g..4g+3 with values v (nibble), table[(16g + v)·rw ..] is
    // the XOR of the matching columns. Encoding XORs one table row per nibble: ⌈k/4⌉·rw word operations.
    const groups = Math.ceil(k / 4);
    const table = new Uint32Array(groups * 16 * rw);
    for (let g = 0; g < groups; g++) {
      for (let v = 1; v < 16; v++) {
        const b = 31 - Math.clz32(v & -v); // lowest set bit
        const j = 4 * g + b;
        const dst = (g * 16 + v) * rw;
        const prev = (g * 16 + (v & (v - 1))) * rw;
        if (j < k) for (let q = 0; q < rw; q++) table[dst + q] = table[prev + q] ^ cols[j * rw + q];
        else for (let q = 0; q < rw; q++) table[dst + q] = table[prev + q];
      }
    }
    let contiguous = true;
    for (let j = 0; j < k && contiguous; j++) contiguous = info[j] === j;
    for (let i = 0; i < rank && contiguous; i++) contiguous = parity[i] === k + i;
    this.n = n;
    this.k = k;
    this.rank = rank;
    this.infoPositions = info;
    this.parityPositions = parity;
    this.contiguous = contiguous;
    this.rw = rw;
    this.table = table;
    this.x = new Uint32Array(Math.ceil(k / 32));
    this.p = new Uint32Array(rw);
    this.pbits = new Uint8Array(rank);
    this.packer = new BitPacker(Math.max(k, rank));
  }

  /**
   * Encodes k information bits (0/1 bytes, info[infoOff .. infoOff+k−1]) into the n-bit codeword
   * out[outOff .. outOff+n−1], information bit j at infoPositions[j], parity bit i at parityPositions[i].
   */
  encodeInto(info: Uint8Array, infoOff: number, out: Uint8Array, outOff: number): void {
    const { k, rank, rw, table, x, p, infoPositions, parityPositions } = this;
    this.packer.pack(info, infoOff, k, x);
    p.fill(0);
    const groups = Math.ceil(k / 4);
    for (let g = 0; g < groups; g++) {
      const v = (x[g >>> 3] >>> ((g & 7) << 2)) & 15;
      if (v === 0) continue;
      const t = (g * 16 + v) * rw;
      for (let q = 0; q < rw; q++) p[q] ^= table[t + q];
    }
    if (this.contiguous) {
      for (let j = 0; j < k; j++) out[outOff + j] = info[infoOff + j] & 1;
      this.packer.unpack(p, rank, out, outOff + k);
      return;
    }
    for (let j = 0; j < k; j++) out[outOff + infoPositions[j]] = info[infoOff + j] & 1;
    const pbits = this.pbits;
    this.packer.unpack(p, rank, pbits, 0);
    for (let i = 0; i < rank; i++) out[outOff + parityPositions[i]] = pbits[i];
  }

  /** Encodes k information bits (0/1) into a new n-bit codeword. */
  encode(info: Uint8Array): Uint8Array {
    const out = new Uint8Array(this.n);
    this.encodeInto(info, 0, out, 0);
    return out;
  }
}
