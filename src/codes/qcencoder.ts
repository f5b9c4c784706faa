/**
 * Linear-time systematic encoder for QC-LDPC codes whose parity part has the dual-diagonal
 * (IEEE 802.11n) or double-diagonal-core-plus-identity-extension (3GPP NR BG1/BG2) structure.
 *
 * The codeword is c = [x | p] with x the kb·Z information bits (block columns 0..kb−1) and p the parity
 * blocks (block columns kb..cols−1). With λ_i = Σ_j P^{s_ij} x_j (the information part of block row i):
 *  1. the sum of the `coreRows` core rows cancels every core parity block except the first, whose
 *     circulants add up to a single P^t, so p_kb = P^{−t} Σ_core λ_i;
 *  2. every remaining parity block is found by back-substitution: a row with exactly one unknown parity
 *     block u gives p_u = P^{−s_u}(λ_i + Σ_known P^s p).
 * The schedule is derived once from the prototype, so the encoder never assumes a particular shift value
 * (e.g. the V = 105 entry of BG1 set 6 or the BG2 sets 3 and 7 are handled the same way).
 *
 * Z-bit blocks are bit-packed in Uint32 words; P^s x (bit r = x[(r+s) mod Z]) is read as an unaligned
 * Z-bit window at offset s of the block stored twice in a row ("doubled" storage).
 */
import { BitPacker } from './bitpack.js';
import type { QcPrototype } from './qc.js';

export class QcEncoder {
  /** Codeword length cols·Z (bits). */
  readonly n: number;
  /** Information bits kb·Z, at codeword positions 0..k−1. */
  readonly k: number;
  private readonly z: number;
  private readonly kb: number;
  private readonly cols: number;
  private readonly rows: number;
  private readonly w: number; // words per Z-bit block
  private readonly dw: number; // words per doubled block
  private readonly lastMask: number;
  // Information part of each block row: entries rowPtr[i]..rowPtr[i+1]−1 of (col, shift).
  private readonly infoPtr: Int32Array;
  private readonly infoCol: Int32Array;
  private readonly infoShift: Int32Array;
  private readonly coreRows: number;
  private readonly firstInv: number; // P^{-t} as a left rotation: (Z − t) mod Z
  // Back-substitution steps.
  private readonly stepRow: Int32Array;
  private readonly stepCol: Int32Array;
  private readonly stepInv: Int32Array;
  private readonly stepPtr: Int32Array;
  private readonly stepKnownCol: Int32Array;
  private readonly stepKnownShift: Int32Array;
  // Scratch.
  private readonly store: Uint32Array;
  private readonly lambda: Uint32Array;
  private readonly acc: Uint32Array;
  private readonly tmp: Uint32Array;
  private readonly packer: BitPacker;
  private readonly frame: Uint32Array; // the k information bits, packed (+1 spare word)
  private readonly parity: Uint32Array; // the n − k parity bits, packed (+1 spare word)

  /**
   * @param proto prototype with shifts in 0..Z−1 (−1 = zero block)
   * @param kb number of information block columns (the first kb)
   * @param coreRows number of block rows of the (double/dual-)diagonal core: 4 for NR, all rows for 802.11n
   */
  constructor(proto: QcPrototype, kb: number, coreRows: number) {
    const { rows, cols, z, shifts } = proto;
    const mb = cols - kb;
    if (!(kb >= 1 && mb >= 1 && mb === rows)) {
      throw new Error(`QcEncoder: ${rows} x ${cols} prototype with kb = ${kb} has no square parity part`);
    }
    if (!(coreRows >= 1 && coreRows <= rows)) throw new Error(`QcEncoder: coreRows = ${coreRows} out of range 1..${rows}`);
    this.z = z;
    this.kb = kb;
    this.cols = cols;
    this.rows = rows;
    this.n = cols * z;
    this.k = kb * z;
    this.w = Math.ceil(z / 32);
    this.dw = Math.ceil((2 * z) / 32) + 1;
    this.lastMask = z % 32 === 0 ? 0xffffffff : (1 << z % 32) - 1;
    this.coreRows = coreRows;

    const at = (i: number, j: number) => shifts[i * cols + j];
    // Information part.
    const infoPtr = new Int32Array(rows + 1);
    const ic: number[] = [];
    const is: number[] = [];
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < kb; j++) {
        const s = at(i, j);
        if (s >= 0) {
          ic.push(j);
          is.push(s);
        }
      }
      infoPtr[i + 1] = ic.length;
    }
    this.infoPtr = infoPtr;
    this.infoCol = Int32Array.from(ic);
    this.infoShift = Int32Array.from(is);

    // Core: rows 0..coreRows−1 touch only parity columns kb..kb+coreRows−1; summed, every core column
    // but the first cancels and the first leaves one circulant P^t.
    const first = kb;
    let t = -1;
    for (let c = kb; c < cols; c++) {
      const parity = new Map<number, number>();
      for (let i = 0; i < coreRows; i++) {
        const s = at(i, c);
        if (s < 0) continue;
        if (c >= kb + coreRows) {
          throw new Error(`QcEncoder: core row ${i} has a block in parity column ${c} outside the ${coreRows}-column core`);
        }
        parity.set(s, (parity.get(s) ?? 0) ^ 1);
      }
      const left = [...parity.entries()].filter(([, odd]) => odd === 1).map(([s]) => s);
      if (c === first) {
        if (left.length !== 1) {
          throw new Error(`QcEncoder: the core rows of parity column ${c} do not sum to a single circulant (shifts ${left.join(', ')})`);
        }
        t = left[0];
      } else if (c < kb + coreRows && left.length !== 0) {
        throw new Error(`QcEncoder: the core rows of parity column ${c} do not cancel (no dual-diagonal structure)`);
      }
    }
    this.firstInv = (z - t) % z;

    // Back-substitution schedule: repeatedly take a row with exactly one unknown parity column.
    const known = new Uint8Array(cols);
    for (let j = 0; j <= first; j++) known[j] = 1;
    const used = new Uint8Array(rows);
    const sRow: number[] = [];
    const sCol: number[] = [];
    const sInv: number[] = [];
    const sPtr: number[] = [0];
    const kCol: number[] = [];
    const kShift: number[] = [];
    let remaining = mb - 1;
    while (remaining > 0) {
      let progressed = false;
      for (let i = 0; i < rows && remaining > 0; i++) {
        if (used[i]) continue;
        let unknown = -1;
        let count = 0;
        for (let c = kb; c < cols; c++) {
          if (at(i, c) >= 0 && !known[c]) {
            unknown = c;
            count++;
          }
        }
        if (count !== 1) continue;
        used[i] = 1;
        sRow.push(i);
        sCol.push(unknown);
        sInv.push((z - at(i, unknown)) % z);
        for (let c = kb; c < cols; c++) {
          if (c !== unknown && at(i, c) >= 0) {
            kCol.push(c);
            kShift.push(at(i, c));
          }
        }
        sPtr.push(kCol.length);
        known[unknown] = 1;
        remaining--;
        progressed = true;
      }
      if (!progressed) throw new Error(`QcEncoder: ${remaining} parity block columns cannot be solved by back-substitution`);
    }
    this.stepRow = Int32Array.from(sRow);
    this.stepCol = Int32Array.from(sCol);
    this.stepInv = Int32Array.from(sInv);
    this.stepPtr = Int32Array.from(sPtr);
    this.stepKnownCol = Int32Array.from(kCol);
    this.stepKnownShift = Int32Array.from(kShift);

    this.store = new Uint32Array(cols * this.dw);
    this.lambda = new Uint32Array(rows * this.w);
    this.acc = new Uint32Array(this.w);
    this.tmp = new Uint32Array(this.dw);
    this.packer = new BitPacker(Math.max(this.k, this.n - this.k));
    this.frame = new Uint32Array(Math.ceil(this.k / 32) + 1);
    this.parity = new Uint32Array(Math.ceil((this.n - this.k) / 32) + 1);
  }

  /** acc ^= P^s (block stored doubled at D[off..]). */
  private rotXor(acc: Uint32Array, accOff: number, d: Uint32Array, off: number, s: number): void {
    const w = this.w;
    const sh = s & 31;
    let wi = off + (s >>> 5);
    if (sh === 0) {
      for (let q = 0; q < w; q++) acc[accOff + q] ^= d[wi + q];
    } else {
      const back = 32 - sh;
      let cur = d[wi];
      for (let q = 0; q < w; q++) {
        const nxt = d[++wi];
        acc[accOff + q] ^= (cur >>> sh) | (nxt << back);
        cur = nxt;
      }
    }
  }

  /** Writes the masked Z-bit block `src[srcOff..]` twice in a row at D[off..]. */
  private setDoubled(d: Uint32Array, off: number, src: Uint32Array, srcOff: number): void {
    const { w, dw, z } = this;
    for (let q = 0; q < w; q++) d[off + q] = src[srcOff + q];
    d[off + w - 1] &= this.lastMask;
    for (let q = w; q < dw; q++) d[off + q] = 0;
    const sh = z & 31;
    const base = off + (z >>> 5);
    if (sh === 0) {
      for (let q = 0; q < w; q++) d[base + q] = d[off + q];
    } else {
      const back = 32 - sh;
      for (let q = 0; q < w; q++) {
        const v = d[off + q];
        d[base + q] |= v << sh;
        d[base + q + 1] |= v >>> back;
      }
    }
  }

  /** out = P^{inv} acc (acc masked first), stored doubled as parity column `col`. */
  private storeRotated(col: number, inv: number): void {
    const { acc, tmp, store, dw, w } = this;
    acc[w - 1] &= this.lastMask;
    if (inv === 0) {
      this.setDoubled(store, col * dw, acc, 0);
      return;
    }
    this.setDoubled(tmp, 0, acc, 0);
    acc.fill(0);
    this.rotXor(acc, 0, tmp, 0, inv);
    acc[w - 1] &= this.lastMask;
    this.setDoubled(store, col * dw, acc, 0);
  }

  /**
   * Encodes k information bits (0/1 bytes, info[infoOff .. infoOff+k−1]) into the n-bit systematic
   * codeword written to out[outOff .. outOff+n−1]: bits 0..k−1 are the information (copied as given, so
   * they must be 0 or 1), then the parity. With `skip` (0..k) the first `skip` codeword bits are not
   * written and bit i goes to out[outOff + i − skip] (NR puncturing of the first 2Z systematic bits).
   */
  encodeInto(info: Uint8Array, infoOff: number, out: Uint8Array, outOff: number, skip = 0): void {
    const { z, w, dw, kb, cols, rows, store, lambda, acc } = this;
    // Pack the information bits, then cut them into Z-bit blocks (doubled).
    const frame = this.frame;
    this.packer.pack(info, infoOff, this.k, frame);
    for (let j = 0; j < kb; j++) {
      const off = j * dw;
      const pos0 = j * z;
      const sh = pos0 & 31;
      let wi = pos0 >>> 5;
      if (sh === 0) {
        for (let q = 0; q < w; q++) store[off + q] = frame[wi + q];
      } else {
        const back = 32 - sh;
        let cur = frame[wi];
        for (let q = 0; q < w; q++) {
          const nxt = frame[++wi];
          store[off + q] = (cur >>> sh) | (nxt << back);
          cur = nxt;
        }
      }
      this.setDoubled(store, off, store, off);
    }
    // λ_i.
    lambda.fill(0);
    const { infoPtr, infoCol, infoShift } = this;
    for (let i = 0; i < rows; i++) {
      for (let e = infoPtr[i]; e < infoPtr[i + 1]; e++) this.rotXor(lambda, i * w, store, infoCol[e] * dw, infoShift[e]);
    }
    // First core parity block.
    acc.fill(0);
    for (let i = 0; i < this.coreRows; i++) for (let q = 0; q < w; q++) acc[q] ^= lambda[i * w + q];
    this.storeRotated(kb, this.firstInv);
    // Back-substitution.
    const { stepRow, stepCol, stepInv, stepPtr, stepKnownCol, stepKnownShift } = this;
    for (let st = 0; st < stepRow.length; st++) {
      const i = stepRow[st];
      for (let q = 0; q < w; q++) acc[q] = lambda[i * w + q];
      for (let e = stepPtr[st]; e < stepPtr[st + 1]; e++) this.rotXor(acc, 0, store, stepKnownCol[e] * dw, stepKnownShift[e]);
      this.storeRotated(stepCol[st], stepInv[st]);
    }
    // Output: information as given, then the parity blocks gathered into one packed vector.
    out.set(info.subarray(infoOff + skip, infoOff + this.k), outOff);
    const parity = this.parity;
    parity.fill(0);
    const lastMask = this.lastMask;
    for (let c = kb; c < cols; c++) {
      const off = c * dw;
      const pos0 = (c - kb) * z;
      const sh = pos0 & 31;
      const base = pos0 >>> 5;
      for (let q = 0; q < w; q++) {
        const v = q === w - 1 ? store[off + q] & lastMask : store[off + q];
        if (sh === 0) {
          parity[base + q] |= v;
        } else {
          parity[base + q] |= v << sh;
          parity[base + q + 1] |= v >>> (32 - sh);
        }
      }
    }
    this.packer.unpack(parity, this.n - this.k, out, outOff + this.k - skip);
  }

  /** Encodes k information bits (0/1) into a new n-bit codeword [info | parity]. */
  encode(info: Uint8Array): Uint8Array {
    const out = new Uint8Array(this.n);
    this.encodeInto(info, 0, out, 0);
    return out;
  }
}
