// Verdicts of the benches' targets, computed from measured values: met, missed, invalid (the
// measurement cannot support a verdict, with the reason) or skipped (nothing was measured).
// The benches store them, and scripts/readme-figures.mjs recomputes them from the stored
// values with the same functions, never trusting a stored flag. No imports of the package:
// tests import this file directly.

/** The four verdicts: met / missed from a valid value, invalid (reason stored), skipped (no value). */
export const VERDICTS = ['met', 'missed', 'invalid', 'skipped'];

/**
 * The verdict of "value ≥ threshold": `{ verdict, why? }`. `invalid` (a list of reasons)
 * overrides the comparison: an invalid measurement is never met. `skipWhy` explains a missing value.
 */
export function judge(value, threshold, invalid = [], skipWhy = 'not measured') {
  if (typeof value !== 'number' || !Number.isFinite(value)) return { verdict: 'skipped', why: skipWhy };
  if (typeof threshold !== 'number' || !Number.isFinite(threshold)) throw new Error(`judge: threshold must be a finite number, got ${threshold}`);
  if (invalid.length) return { verdict: 'invalid', why: invalid.join('; ') };
  return { verdict: value >= threshold ? 'met' : 'missed' };
}

/**
 * The threshold of a stored check: its `threshold` field, else the number after ">=" (or "≥")
 * in its target text ("… >= 0.8x wasm" → 0.8), else 1 for a target against a named peer with no
 * factor ("wmoe >= PyTorch CPU at 2 threads"). Throws when the text has no ">=".
 */
export function thresholdOf(check) {
  if (typeof check.threshold === 'number') return check.threshold;
  const m = /(?:>=|≥)\s*([\d.]+)?/.exec(check.target ?? '');
  if (!m) throw new Error(`check '${check.target}' has no threshold and no '>=' in its target`);
  return m[1] === undefined ? 1 : Number(m[1]);
}

/** The verdict of a stored check `{ target, value, threshold?, invalid?, why? }`, recomputed from its value and threshold. */
export function verdictOf(check) {
  const invalid = Array.isArray(check.invalid) ? check.invalid : [];
  return judge(check.value, thresholdOf(check), invalid, check.why);
}

// ---- BLAS ------------------------------------------------------------------------------------

/** BLAS kinds that count as optimised: a PyTorch figure on any other BLAS is no peer. */
export const OPTIMISED_BLAS = ['openblas', 'mkl', 'blis'];

/**
 * What kind of BLAS a process loaded, from the library paths it mapped (a path, a list, or
 * null) and whether torch reports MKL linked in (pip wheels link MKL statically, so no file
 * shows): 'openblas', 'mkl', 'blis', 'reference' (netlib libblas, Debian's default) or 'unknown'.
 */
export function blasKind(paths, mklLinked = false) {
  const list = [paths].flat().filter((p) => typeof p === 'string');
  const has = (re) => list.some((p) => re.test(p));
  if (has(/openblas/i)) return 'openblas';
  if (mklLinked || has(/mkl/i)) return 'mkl';
  if (has(/blis/i)) return 'blis';
  if (has(/libblas\.so/)) return 'reference';
  return 'unknown';
}

/** True for a BLAS kind in OPTIMISED_BLAS. */
export const isOptimisedBlas = (kind) => OPTIMISED_BLAS.includes(kind);
