// Quantiser codes ↔ bit bytes (MSB first) for src/channel/quantize.ts: scalar loops, but a few
// times faster than the same loops in JavaScript for the digital link's per-vector calls.
import { firstNonBit } from './vector';

/**
 * Writes n u16 codes at `codes` as n·bits 0/1 bytes at `out`, most significant bit first.
 * Returns −1, or the index of the first code ≥ 2^bits, in which case nothing is written.
 */
export function codesToBits(codes: usize, n: i32, bits: i32, out: usize): i32 {
  for (let i = 0; i < n; i++) {
    if (<u32>load<u16>(codes + (<usize>i << 1)) >>> bits) return i;
  }
  let o = out;
  for (let i = 0; i < n; i++) {
    const c = <u32>load<u16>(codes + (<usize>i << 1));
    for (let j = bits - 1; j >= 0; j--) store<u8>(o++, <u8>((c >>> j) & 1));
  }
  return -1;
}

/**
 * Reads n·bits 0/1 bytes at `src` (most significant bit first) into n u16 codes at `codes`.
 * Returns −1, or the index of the first byte that is not 0 or 1, in which case nothing is written.
 */
export function bitsToCodes(src: usize, n: i32, bits: i32, codes: usize): i32 {
  const bad = firstNonBit(src, n * bits);
  if (bad >= 0) return bad;
  let p = src;
  for (let i = 0; i < n; i++) {
    let c: u32 = 0;
    for (let j = 0; j < bits; j++) c = (c << 1) | <u32>load<u8>(p++);
    store<u16>(codes + (<usize>i << 1), <u16>c);
  }
  return -1;
}
