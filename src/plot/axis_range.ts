// The data range of a chart axis, padded so that no line or marker runs along the frame.
import { niceStep } from './axis_ticks.js';

/** An axis range in data units, lo < hi. */
export interface AxisRange {
  lo: number;
  hi: number;
}

export interface PadOptions {
  /** Logarithmic axis: padding in decades, values ≤ 0 ignored. */
  log?: boolean;
  /** Padding on each side as a fraction of the data span (default 0.06 linear, 0.05 log). */
  fraction?: number;
  /** Linear only: round the padded ends outward to the tick step (default true). */
  nice?: boolean;
  /**
   * Linear only: natural limits of the quantity (e.g. 0 and 100 for a percentage). Rounding
   * outward never crosses them; the padding itself may, so data at a limit still leaves the frame.
   */
  limits?: Partial<AxisRange>;
}

/** Smallest padding of a log axis, in decades (FER = 1 sits 0.12 decade below the frame). */
const MIN_LOG_PAD = 0.12;

/**
 * The range an axis should show for `values` (data units): the data's extent, widened on both
 * sides so that the extreme values lie strictly inside it. A single value (or equal values) gets
 * a span of its own: ±10 % of it, or ±1 at 0 (±0.5 decade on a log axis). Non-finite values are
 * ignored; throws when none is left.
 */
export function paddedRange(values: readonly number[], opts: PadOptions = {}): AxisRange {
  const ok = values.filter((v) => Number.isFinite(v) && (!opts.log || v > 0));
  if (ok.length === 0) throw new Error(`paddedRange: no ${opts.log ? 'positive ' : ''}finite value among ${values.length}`);
  return opts.log ? padLog(ok, opts.fraction ?? 0.05) : padLinear(ok, opts);
}

function padLinear(values: number[], opts: PadOptions): AxisRange {
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (hi === lo) {
    const half = Math.abs(lo) * 0.1 || 1;
    [lo, hi] = [lo - half, hi + half];
  }
  const pad = (opts.fraction ?? 0.06) * (hi - lo);
  const padded = { lo: lo - pad, hi: hi + pad };
  if (opts.nice === false) return padded;
  const step = niceStep(padded.hi - padded.lo);
  let niceLo = Math.floor(padded.lo / step) * step;
  let niceHi = Math.ceil(padded.hi / step) * step;
  const { lo: minLimit, hi: maxLimit } = opts.limits ?? {};
  if (minLimit !== undefined && niceLo < minLimit) niceLo = Math.min(padded.lo, minLimit);
  if (maxLimit !== undefined && niceHi > maxLimit) niceHi = Math.max(padded.hi, maxLimit);
  return { lo: Number(niceLo.toPrecision(12)), hi: Number(niceHi.toPrecision(12)) };
}

function padLog(values: number[], fraction: number): AxisRange {
  let lo = Math.log10(Math.min(...values));
  let hi = Math.log10(Math.max(...values));
  if (hi === lo) [lo, hi] = [lo - 0.5, hi + 0.5];
  const pad = Math.max(MIN_LOG_PAD, fraction * (hi - lo));
  return { lo: 10 ** (lo - pad), hi: 10 ** (hi + pad) };
}
