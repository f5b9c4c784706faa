// Gray 64-QAM soft demapping of received symbols (3GPP bit order; see src/channel/qam64.ts and
// the formulas in qam64_core.ts).
import { QAM64_INV_D, qam64Beta, qam64Pair } from './qam64_core';

/**
 * LLRs of `nsym` 64-QAM symbols: y holds interleaved (I, Q) f32 (2·nsym values, readable up to
 * a multiple of 4), out receives [b0 … b5] per symbol (6·nsym values, writable up to a multiple
 * of 12). `invN0` = 1/N0; exact ≠ 0 selects exact LLRs, else max-log.
 */
export function qam64Llr(y: usize, out: usize, nsym: i32, invN0: f32, exact: i32): void {
  const vi = f32x4.splat(QAM64_INV_D);
  const vb = f32x4.splat(qam64Beta(invN0));
  const pairs = (nsym + 1) >> 1;
  if (exact) {
    for (let i = 0; i < pairs; i++) qam64Pair(v128.load(y + (<usize>i << 4)), vi, vb, true, out + <usize>i * 48);
  } else {
    for (let i = 0; i < pairs; i++) qam64Pair(v128.load(y + (<usize>i << 4)), vi, vb, false, out + <usize>i * 48);
  }
}
