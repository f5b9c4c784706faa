/**
 * Conversion between 0/1 byte arrays (one bit per byte, the library's public bit format) and bit-packed
 * Uint32 words (bit i of a vector in word i>>>5, bit position i&31), four bits per step through an aligned
 * scratch buffer: a multiply gathers the low bits of four bytes, a 16-entry table spreads them back.
 */

const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

/** SPREAD[v] holds bit i of the nibble v in byte i of a little-endian word. */
const SPREAD = (() => {
  const t = new Uint32Array(16);
  for (let v = 0; v < 16; v++) t[v] = (v & 1) | (((v >> 1) & 1) << 8) | (((v >> 2) & 1) << 16) | (((v >> 3) & 1) << 24);
  return t;
})();

/** Packs and unpacks bit vectors of up to `maxBits` bits; owns its scratch (not re-entrant). */
export class BitPacker {
  private readonly bytes: Uint8Array;
  private readonly bytes32: Uint32Array;

  constructor(readonly maxBits: number) {
    const words = Math.ceil(maxBits / 32) + 1;
    this.bytes = new Uint8Array(words * 32);
    this.bytes32 = new Uint32Array(this.bytes.buffer);
  }

  /**
   * dst[0 .. ⌈count/32⌉−1] = the low bits of src[off .. off+count−1]; bits past `count` in the last word
   * are 0. Only the low bit of each byte is used.
   */
  pack(src: Uint8Array, off: number, count: number, dst: Uint32Array): void {
    const words = Math.ceil(count / 32);
    if (!LITTLE_ENDIAN) {
      for (let q = 0; q < words; q++) {
        const lim = Math.min(32, count - q * 32);
        let v = 0;
        for (let b = 0; b < lim; b++) v |= (src[off + q * 32 + b] & 1) << b;
        dst[q] = v;
      }
      return;
    }
    const { bytes, bytes32 } = this;
    bytes.set(src.subarray(off, off + count));
    bytes.fill(0, count, words * 32);
    // (x & 0x01010101) · 0x01020408 moves byte i's low bit to bit 24 + i, with no carries.
    for (let q = 0, i = 0; q < words; q++) {
      let v = 0;
      for (let t = 0; t < 32; t += 4) v |= ((Math.imul(bytes32[i++] & 0x01010101, 0x01020408) >>> 24) & 15) << t;
      dst[q] = v;
    }
  }

  /** out[off .. off+count−1] = bits 0..count−1 of the packed vector src, as 0/1 bytes. */
  unpack(src: Uint32Array, count: number, out: Uint8Array, off: number): void {
    const words = Math.ceil(count / 32);
    if (!LITTLE_ENDIAN) {
      for (let q = 0; q < words; q++) {
        const v = src[q];
        const lim = Math.min(32, count - q * 32);
        for (let b = 0; b < lim; b++) out[off + q * 32 + b] = (v >>> b) & 1;
      }
      return;
    }
    const { bytes, bytes32 } = this;
    for (let q = 0, i = 0; q < words; q++) {
      const v = src[q];
      for (let t = 0; t < 32; t += 4) bytes32[i++] = SPREAD[(v >>> t) & 15];
    }
    out.set(bytes.subarray(0, count), off);
  }
}
