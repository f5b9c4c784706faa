// Closed forms for AWGN error rates. Eb/N0 arguments are in dB, per information bit; the
// channel is complex baseband AWGN with noise N0/2 per real dimension (see snr.ts).
import { requireFinite } from './validate.js';

const SQRT_PI = Math.sqrt(Math.PI);

/**
 * Complementary error function erfc(x) = (2/√π)∫ₓ^∞ e^(−t²) dt in double precision (relative
 * error ≲ 5e-14 over the range where erfc(x) > 1e-300). |x| < 2: the all-positive series
 * erf(x) = (2/√π)·e^(−x²)·Σₙ 2ⁿx^(2n+1)/(1·3···(2n+1)), erfc = 1 − erf; x ≥ 2: the
 * continued fraction erfc(x) = (e^(−x²)/√π) / (x + ½/(x + 1/(x + (3/2)/(x + …)))), evaluated
 * backwards; x ≤ −2: erfc(x) = 2 − erfc(−x).
 */
export function erfc(x: number): number {
  requireFinite('x', x);
  if (x < 0) return 2 - erfc(-x);
  if (x < 2) {
    const x2 = x * x;
    let term = x;
    let sum = x;
    for (let n = 1; n < 200; n++) {
      term *= (2 * x2) / (2 * n + 1);
      sum += term;
      if (term < 1e-17 * sum) break;
    }
    return 1 - (2 / SQRT_PI) * Math.exp(-x2) * sum;
  }
  if (x > 27.3) return 0; // erfc(27.3) < 1e-325: below the smallest double
  // depth: the fraction's tail converges like exp(−2x·√(2N)); 200 levels at x = 2 is ~1e-30
  let f = x;
  for (let n = 200; n >= 1; n--) f = x + n / 2 / f;
  return Math.exp(-x * x) / SQRT_PI / f;
}

/** Gaussian tail probability Q(x) = P(Z > x) for Z ~ N(0, 1): Q(x) = ½·erfc(x/√2). */
export function qfunc(x: number): number {
  requireFinite('x', x);
  return 0.5 * erfc(x / Math.SQRT2);
}

/** Uncoded BPSK bit error rate at Eb/N0 = ebn0Db dB: Q(√(2·Eb/N0)) (exact). */
export function berBpsk(ebn0Db: number): number {
  requireFinite('ebn0Db', ebn0Db);
  return qfunc(Math.sqrt(2 * 10 ** (ebn0Db / 10)));
}

/** Uncoded Gray QPSK bit error rate at Eb/N0 = ebn0Db dB: Q(√(2·Eb/N0)), as BPSK (exact). */
export function berQpsk(ebn0Db: number): number {
  requireFinite('ebn0Db', ebn0Db);
  return qfunc(Math.sqrt(2 * 10 ** (ebn0Db / 10)));
}

/**
 * Uncoded Gray-mapped square 16-QAM bit error rate at Eb/N0 = ebn0Db dB, **exact** for
 * per-bit decisions at the nearest-neighbour thresholds (the sign of the max-log LLR):
 *   Pb = [3·Q(u) + 2·Q(3u) − Q(5u)] / 4,  u = √(0.8·Eb/N0) = d/σ,
 * with per-axis levels ±d, ±3d (d = 1/√10, Es = 1 = 4·Eb) and σ² = N0/2. (The sign bit errs
 * with probability [Q(u) + Q(3u)]/2, the amplitude bit with [2Q(u) + Q(3u) − Q(5u)]/2.)
 */
export function ber16Qam(ebn0Db: number): number {
  requireFinite('ebn0Db', ebn0Db);
  const u = Math.sqrt(0.8 * 10 ** (ebn0Db / 10));
  return (3 * qfunc(u) + 2 * qfunc(3 * u) - qfunc(5 * u)) / 4;
}

/**
 * Uncoded Gray-mapped square 64-QAM bit error rate at Eb/N0 = ebn0Db dB, **exact** for per-bit
 * decisions at the nearest-neighbour thresholds 0, ±2d, ±4d, ±6d (the sign of the max-log LLR):
 *   Pb = [7·Q(u) + 6·Q(3u) − Q(5u) + Q(9u) − Q(13u)] / 12,  u = √(2·Eb/N0 / 7) = d/σ,
 * with per-axis levels ±d, ±3d, ±5d, ±7d (d = 1/√42, Es = 1 = 6·Eb) and σ² = N0/2. Per axis,
 * in the 3GPP order (sign bit; middle bit 0 on |v| ∈ {d, 3d}; low bit 0 on |v| ∈ {3d, 5d}), the
 * sign bit errs with probability [Q(u) + Q(3u) + Q(5u) + Q(7u)]/4, the middle bit with
 * [2Q(u) + 2Q(3u) + Q(5u) + Q(7u) − Q(9u) − Q(11u)]/4, the low bit with
 * [4Q(u) + 3Q(3u) − 3Q(5u) − 2Q(7u) + 2Q(9u) + Q(11u) − Q(13u)]/4 (the 802.11 labelling is the
 * same up to a bit permutation and complement, so the same BER).
 */
export function ber64Qam(ebn0Db: number): number {
  requireFinite('ebn0Db', ebn0Db);
  const u = Math.sqrt((2 * 10 ** (ebn0Db / 10)) / 7);
  const q = (k: number) => qfunc(k * u);
  return (7 * q(1) + 6 * q(3) - q(5) + q(9) - q(13)) / 12;
}

/**
 * Uncoded BPSK bit error rate over flat Rayleigh fading with perfect receiver CSI (coherent
 * detection), at mean Eb/N0 = meanEbn0Db dB (γ̄ = E|h|²·Eb/N0 with E|h|² = 1): the average of
 * Q(√(2γ)) over the exponential density of γ,
 *   Pb = ½·(1 − √(γ̄/(1 + γ̄))) (exact), ≈ 1/(4γ̄) for large γ̄,
 * evaluated as ½ / ((1 + γ̄)·(1 + √(γ̄/(1 + γ̄)))) to avoid cancellation at high SNR.
 */
export function berBpskRayleigh(meanEbn0Db: number): number {
  requireFinite('meanEbn0Db', meanEbn0Db);
  const g = 10 ** (meanEbn0Db / 10);
  return 0.5 / ((1 + g) * (1 + Math.sqrt(g / (1 + g))));
}
