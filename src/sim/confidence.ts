// Confidence intervals for simulated error rates.

/** A two-sided confidence interval [lo, hi] for a probability. */
export interface Interval {
  lo: number;
  hi: number;
}

/** Standard normal quantile z with P(Z ≤ z) = p, 0 < p < 1 (Acklam's rational approximation, |rel. error| < 1.2e-9). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new Error(`normalQuantile: p must be in (0, 1), got ${String(p)}`);
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lowTail = (q: number) => {
    const r = Math.sqrt(-2 * Math.log(q));
    return (((((c[0] * r + c[1]) * r + c[2]) * r + c[3]) * r + c[4]) * r + c[5]) / ((((d[0] * r + d[1]) * r + d[2]) * r + d[3]) * r + 1);
  };
  if (p < 0.02425) return lowTail(p);
  if (p > 1 - 0.02425) return -lowTail(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) /
    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

/**
 * Wilson score interval for a binomial proportion: `errors` events in `trials` independent trials
 * (e.g. frame errors in frames), at two-sided confidence `level` (default 0.95). Stays inside
 * [0, 1] and is sensible for 0 errors (lo = 0). Returns {lo: 0, hi: 1} for 0 trials.
 */
export function wilsonInterval(errors: number, trials: number, level = 0.95): Interval {
  if (!Number.isSafeInteger(trials) || trials < 0) throw new Error(`wilsonInterval: trials must be an integer >= 0, got ${String(trials)}`);
  if (!Number.isSafeInteger(errors) || errors < 0 || errors > trials) {
    throw new Error(`wilsonInterval: errors must be an integer in [0, trials = ${trials}], got ${String(errors)}`);
  }
  if (!(level > 0 && level < 1)) throw new Error(`wilsonInterval: level must be in (0, 1), got ${String(level)}`);
  if (trials === 0) return { lo: 0, hi: 1 };
  const z = normalQuantile(1 - (1 - level) / 2);
  const p = errors / trials;
  const z2n = (z * z) / trials;
  const centre = (p + z2n / 2) / (1 + z2n);
  const half = (z * Math.sqrt(p * (1 - p) / trials + z2n / (4 * trials))) / (1 + z2n);
  return { lo: errors === 0 ? 0 : Math.max(0, centre - half), hi: errors === trials ? 1 : Math.min(1, centre + half) };
}
