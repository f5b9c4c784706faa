// Counting bit errors between two arrays of 0/1 bytes (sent vs decided), as the BER simulator
// and the digital link do per frame or per vector.

/**
 * Number of positions j in [start, start + len) where the 0/1 bytes a[j] and b[j] differ.
 * Compares four bytes at a time where both arrays are 4-byte aligned at `start` (error-free
 * stretches are the common case). The bytes must be bits (0 or 1): with other values the
 * four-byte count is not a count of differing positions. Throws for a range outside either array.
 */
export function countBitErrors(a: Uint8Array, b: Uint8Array, start = 0, len = a.length - start): number {
  if (!(a instanceof Uint8Array) || !(b instanceof Uint8Array)) throw new Error('wireless-moe/channel: countBitErrors needs two Uint8Arrays of 0/1 bits');
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(len) || start < 0 || len < 0 || start + len > a.length || start + len > b.length) {
    throw new Error(`wireless-moe/channel: bit range [${start}, ${start + len}) is outside arrays of length ${a.length} and ${b.length}`);
  }
  let e = 0;
  let j = start;
  const end = start + len;
  if (((a.byteOffset + j) & 3) === 0 && ((b.byteOffset + j) & 3) === 0) {
    const words = len >> 2;
    const wa = new Uint32Array(a.buffer, a.byteOffset + j, words);
    const wb = new Uint32Array(b.buffer, b.byteOffset + j, words);
    for (let w = 0; w < words; w++) {
      const x = wa[w] ^ wb[w];
      // Bytes are 0/1, so x has at most one set bit per byte: fold the four bytes onto the lowest.
      if (x !== 0) e += (x + (x >>> 8) + (x >>> 16) + (x >>> 24)) & 0xff;
    }
    j += words << 2;
  }
  for (; j < end; j++) e += a[j] ^ b[j];
  return e;
}
