// The Bessel function J0, for fading autocorrelations: Clarke/Jakes fading has autocorrelation
// J0(2π·f·τ) at lag τ (f = Doppler frequency × block duration), and a first-order AR fading
// model uses ρ = J0(2π·f). No coefficient tables: Bessel's integral with the periodic
// midpoint rule, whose error is known exactly (below).
import { requireFinite } from './validate.js';

/** Largest |x| accepted by {@link besselJ0}: the cost grows like |x|/2 cosines. */
export const BESSEL_J0_MAX_X = 1e6;

/**
 * The number of points {@link besselJ0} uses at x: N = ⌈(|x| + 12·∛|x|)/2⌉ + 32, so that
 * 2N − |x| ≥ 12·∛|x| + 64 (see besselJ0 for why the ∛|x| term is needed).
 */
export function besselJ0Points(x: number): number {
  const ax = Math.abs(x);
  return Math.ceil((ax + 12 * Math.cbrt(ax)) / 2) + 32;
}

/**
 * The N-point midpoint rule for Bessel's integral J0(x) = (1/π)∫₀^π cos(x·sin θ) dθ:
 * (1/N)·Σ_{i=0}^{N−1} cos(x·sin(π(i+½)/N)). Exposed so tests can show that too few points fail;
 * use {@link besselJ0}.
 */
export function besselJ0Rule(x: number, points: number): number {
  let sum = 0;
  for (let i = 0; i < points; i++) sum += Math.cos(x * Math.sin((Math.PI * (i + 0.5)) / points));
  return sum / points;
}

/**
 * Bessel function of the first kind of order 0, J0(x) (dimensionless; even: J0(−x) = J0(x)),
 * for finite |x| ≤ 1e6. Absolute error ≲ 1e-16·(1 + |x|) (the rounding of x·sin θ).
 *
 * Method: Bessel's integral by the N-point midpoint rule ({@link besselJ0Rule}). The error is
 * known exactly: with the Jacobi–Anger expansion cos(x sin θ) = J0(x) + 2Σ_{k≥1} J_{2k}(x)cos(2kθ),
 * the rule sums cos(2kθ) to zero unless N divides k, so
 *   rule − J0(x) = 2·Σ_{m≥1} (−1)^m·J_{2mN}(x) ≈ −2·J_{2N}(x).
 * J_ν(x) falls super-exponentially once ν exceeds x by several transition widths ∛x
 * (J_ν(x) ≈ (2/ν)^{1/3}·Ai((2/ν)^{1/3}(ν − x)), Ai(z) ≤ e^{−(2/3)z^{3/2}}; for small x,
 * |J_ν(x)| ≤ (x/2)^ν/ν!). N = {@link besselJ0Points}(x) gives 2N − |x| ≥ 12·∛|x| + 64, i.e.
 * z ≥ 15 and |J_{2N}| < 1e-17. (A margin without the ∛|x| term, 2N ≈ |x| + 64, errs by 1e-8 at
 * x = 1000 and 2e-4 at x = 1e4.)
 */
export function besselJ0(x: number): number {
  requireFinite('x', x);
  if (Math.abs(x) > BESSEL_J0_MAX_X) {
    throw new Error(`wireless-moe/channel: besselJ0 needs |x| ≤ ${BESSEL_J0_MAX_X}, got ${x}`);
  }
  return besselJ0Rule(Math.abs(x), besselJ0Points(x));
}
