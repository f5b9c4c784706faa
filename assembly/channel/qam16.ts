// Gray 16-QAM soft demapping of received symbols (3GPP bit order; see src/channel/qam16.ts and
// the formulas in qam16_core.ts).
import { qam16Alpha, qam16Beta, qam16Pair } from './qam16_core';

/**
 * LLRs of `nsym` 16-QAM symbols: y holds interleaved (I, Q) f32 (2·nsym values, readable up to
 * a multiple of 4), out receives [b0, b1, b2, b3] per symbol (4·nsym values, writable up to a
 * multiple of 8). `invN0` = 1/N0; exact ≠ 0 selects exact LLRs, else max-log.
 */
export function qam16Llr(y: usize, out: usize, nsym: i32, invN0: f32, exact: i32): void {
  const va = f32x4.splat(qam16Alpha(invN0));
  const vb = f32x4.splat(qam16Beta(invN0));
  const pairs = (nsym + 1) >> 1;
  if (exact) {
    for (let i = 0; i < pairs; i++) qam16Pair(v128.load(y + (<usize>i << 4)), va, vb, true, out + (<usize>i << 5));
  } else {
    for (let i = 0; i < pairs; i++) qam16Pair(v128.load(y + (<usize>i << 4)), va, vb, false, out + (<usize>i << 5));
  }
}
