// BER/FER points as a log-scale chart can show them: measured rates where frames failed, and an
// upper confidence bound where none did (a rate of 0 has no place on a log axis; AFF3CT's and
// Sionna's tables print such points as 0, and their log plots leave them out), and the note that
// says so under a plot. Rates are probabilities in [0, 1]; Eb/N0 in dB.
import { formatRate } from './axis_ticks.js';

/** Default confidence of the bound drawn for a point without frame errors. */
export const BOUND_LEVEL = 0.95;

/**
 * One-sided upper confidence bound on a probability after 0 events in `trials` independent
 * trials: the p with (1 − p)^trials = 1 − level, i.e. 1 − (1 − level)^(1/trials) (exact, the
 * Clopper–Pearson bound; ≈ 3/trials at 95 %, the "rule of three"). `trials` is an integer ≥ 1.
 */
export function zeroEventUpperBound(trials: number, level = BOUND_LEVEL): number {
  if (!Number.isSafeInteger(trials) || trials < 1) throw new Error(`zeroEventUpperBound: trials must be an integer >= 1, got ${String(trials)}`);
  if (!(level > 0 && level < 1)) throw new Error(`zeroEventUpperBound: level must be in (0, 1), got ${String(level)}`);
  // -expm1(log1p(-level) / n) = 1 - (1 - level)^(1/n), without cancellation for large n.
  return -Math.expm1(Math.log1p(-level) / trials);
}

/** The counts of one simulated point that the split needs (a BerPoint of src/sim/ber.ts fits). */
export interface CountedPoint {
  ebn0Db: number;
  frames: number;
  frameErrors: number;
  bitErrors: number;
  /** Information bits simulated. */
  bits: number;
}

/** A point without frame errors, drawn as an upper bound. */
export interface BoundPoint {
  ebn0Db: number;
  frames: number;
  /** Upper bound on the FER, hence on the BER too (a frame error is any wrong information bit, so BER ≤ FER). */
  bound: number;
}

export interface ErrorRateCurves {
  /** (Eb/N0 dB, rate) of the points with at least one frame error, in the given order. */
  ber: [number, number][];
  fer: [number, number][];
  /** Points with 0 frame errors (hence 0 bit errors). */
  bounds: BoundPoint[];
}

/**
 * Splits simulated points into measured BER/FER (frames failed) and upper bounds (none did).
 * The bound is {@link zeroEventUpperBound}(frames, level) on the FER; it bounds the BER as well,
 * because every bit error lies in a failed frame. Bit errors without frame errors, or a point
 * with 0 frames, is an error.
 */
export function errorRateCurves(points: readonly CountedPoint[], level = BOUND_LEVEL): ErrorRateCurves {
  const out: ErrorRateCurves = { ber: [], fer: [], bounds: [] };
  for (const p of points) {
    if (p.frames < 1) throw new Error(`errorRateCurves: the point at ${p.ebn0Db} dB has no frames`);
    if (p.frameErrors === 0) {
      if (p.bitErrors !== 0) throw new Error(`errorRateCurves: the point at ${p.ebn0Db} dB has ${p.bitErrors} bit errors but no frame error`);
      out.bounds.push({ ebn0Db: p.ebn0Db, frames: p.frames, bound: zeroEventUpperBound(p.frames, level) });
    } else {
      out.ber.push([p.ebn0Db, p.bitErrors / p.bits]);
      out.fer.push([p.ebn0Db, p.frameErrors / p.frames]);
    }
  }
  return out;
}

/** "3 dB", "−1.5 dB" (typographic minus). */
const dB = (v: number) => `${String(v).replace('-', '\u2212')} dB`;

/**
 * The note explaining upper-bound markers drawn for `bounds` (from {@link errorRateCurves} at
 * `level`): where no frame failed, why a bound is drawn and what it bounds. Undefined when there
 * are no bounds.
 */
export function zeroErrorNote(bounds: readonly BoundPoint[], level = BOUND_LEVEL): string | undefined {
  if (bounds.length === 0) return undefined;
  const where = bounds.map((b) => `${b.frames} frames at ${dB(b.ebn0Db)} (< ${formatRate(b.bound)})`).join(', ');
  const pct = Number((100 * level).toPrecision(6));
  const rule = level === 0.95 ? ' ≈ 3/frames' : '';
  return (
    `No frame error in ${where}. A rate of 0 has no place on a log axis (AFF3CT and Sionna print such points as 0 and leave them off the plot), ` +
    `so the arrow marks the one-sided ${pct} % upper bound on the FER, 1 − ${Number((1 - level).toPrecision(6))}^(1/frames)${rule}; ` +
    'it bounds the BER too, since every bit error lies in a failed frame.'
  );
}
