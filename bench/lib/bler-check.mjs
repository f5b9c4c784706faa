// Verdicts of a measured codeword error rate (BLER) against a target, computed from the stored
// counts (errors, frames, target, level), so a reader recomputes them and never trusts a stored
// flag (bench/link-adaptation.mjs stores them; the rule is the issue's "within statistics of the
// target"). No imports of the package: tests import this file directly.

/** Two-sided standard normal quantiles z(level) for the confidence levels the benches use. */
const Z = { 0.95: 1.959963984540054, 0.99: 2.5758293035489004 };

/**
 * Wilson score interval [lo, hi] of `errors` in `frames` independent trials at two-sided
 * confidence `level` (0.95 or 0.99); [0, 1] for 0 frames. Same formula as src/sim/confidence.ts.
 */
export function wilson(errors, frames, level = 0.99) {
  const z = Z[level];
  if (z === undefined) throw new Error(`wilson: level ${level} is not one of ${Object.keys(Z).join(', ')}`);
  if (!Number.isSafeInteger(frames) || frames < 0 || !Number.isSafeInteger(errors) || errors < 0 || errors > frames) {
    throw new Error(`wilson: need integers 0 <= errors <= frames, got ${errors}/${frames}`);
  }
  if (frames === 0) return [0, 1];
  const p = errors / frames, z2n = (z * z) / frames;
  const centre = (p + z2n / 2) / (1 + z2n);
  const half = (z * Math.sqrt(p * (1 - p) / frames + z2n / (4 * frames))) / (1 + z2n);
  return [errors === 0 ? 0 : Math.max(0, centre - half), errors === frames ? 1 : Math.min(1, centre + half)];
}

/**
 * The BLER check of one measurement `{ errors, frames, target, level? }`: `{ bler, ci, verdict, why? }`.
 * met: the interval's lower bound is ≤ target (the achieved BLER is not significantly above it;
 * an interval containing the target or lying below it); missed: lo > target; skipped: no frames.
 */
export function blerCheck({ errors, frames, target, level = 0.99 }) {
  if (!(target > 0 && target < 1)) throw new Error(`blerCheck: target ${target} is outside (0, 1)`);
  if (!frames) return { bler: null, ci: null, verdict: 'skipped', why: 'no codewords sent' };
  const ci = wilson(errors, frames, level);
  const bler = errors / frames;
  if (ci[0] <= target) return { bler, ci, verdict: 'met' };
  return { bler, ci, verdict: 'missed', why: `BLER ${bler.toFixed(4)} (${errors}/${frames}), ${level * 100} % interval from ${ci[0].toFixed(4)}, above the target ${target}` };
}

/**
 * Where the target lies against the interval of a measurement at a PHY table's threshold:
 * 'consistent' (inside), 'pessimistic' (the interval lies below it: the table wastes rate) or
 * 'optimistic' (above it: the table promises a BLER the link does not reach); null with no frames.
 */
export function tableAgreement({ errors, frames, target, level = 0.99 }) {
  if (!frames) return null;
  const [lo, hi] = wilson(errors, frames, level);
  return lo > target ? 'optimistic' : hi < target ? 'pessimistic' : 'consistent';
}

/** The verdict of a group of checks (each `{ verdict }`): skipped if all are, else met iff every non-skipped one is. */
export function allMet(checks) {
  const judged = checks.filter((c) => c.verdict !== 'skipped');
  if (!judged.length) return 'skipped';
  if (judged.some((c) => c.verdict === 'invalid')) return 'invalid';
  return judged.every((c) => c.verdict === 'met') ? 'met' : 'missed';
}
