import { describe, expect, it } from 'vitest';
import { errorRateCurves, zeroErrorNote, zeroEventUpperBound, type CountedPoint } from '../../src/plot/error_bounds.js';

/** P(no event in n trials) when each has probability p. */
const pNone = (p: number, n: number) => (1 - p) ** n;

describe('zeroEventUpperBound', () => {
  it('is the p at which 0 events in n trials has probability 1 − level (exact binomial)', () => {
    for (const n of [1, 7, 400, 12345]) {
      const u = zeroEventUpperBound(n);
      expect(pNone(u, n)).toBeCloseTo(0.05, 12);
      // Any larger rate makes 0 events less likely than 5 %.
      expect(pNone(u * 1.01, n)).toBeLessThan(0.05);
    }
    expect(zeroEventUpperBound(1)).toBeCloseTo(0.95, 15);
    expect(pNone(zeroEventUpperBound(50, 0.99), 50)).toBeCloseTo(0.01, 12);
  });

  it('is about 3/n at 95 % for many trials (the rule of three), without cancellation', () => {
    expect(zeroEventUpperBound(400)).toBeCloseTo(7.4614e-3, 7);
    expect(zeroEventUpperBound(1e9) * 1e9).toBeCloseTo(-Math.log(0.05), 6);
  });

  it('refuses 0 or fractional trials and a level outside (0, 1)', () => {
    expect(() => zeroEventUpperBound(0)).toThrow(/trials must be an integer >= 1, got 0/);
    expect(() => zeroEventUpperBound(2.5)).toThrow(/got 2.5/);
    expect(() => zeroEventUpperBound(10, 1)).toThrow(/level/);
  });
});

const point = (ebn0Db: number, frames: number, frameErrors: number, bitErrors: number, k = 324): CountedPoint => ({
  ebn0Db,
  frames,
  frameErrors,
  bitErrors,
  bits: frames * k,
});

describe('errorRateCurves', () => {
  it('keeps points with frame errors as measured rates and turns error-free points into upper bounds', () => {
    // The run: Eb/N0 0:1:3, 20 frame errors, 400 frames (802.11n 648 R1/2, k = 324).
    const c = errorRateCurves([point(0, 20, 20, 1108), point(1, 42, 20, 505), point(2, 400, 14, 128), point(3, 400, 0, 0)]);
    expect(c.ber).toEqual([
      [0, 1108 / (20 * 324)],
      [1, 505 / (42 * 324)],
      [2, 128 / (400 * 324)],
    ]);
    expect(c.fer).toEqual([
      [0, 1],
      [1, 20 / 42],
      [2, 14 / 400],
    ]);
    expect(c.bounds).toEqual([{ ebn0Db: 3, frames: 400, bound: zeroEventUpperBound(400) }]);
  });

  it('the bound is above what the measured point at the same frame count would show for 1 error', () => {
    const [b] = errorRateCurves([point(5, 1000, 0, 0)]).bounds;
    expect(b.bound).toBeGreaterThan(1 / 1000);
    expect(b.bound).toBeLessThan(3.1 / 1000);
  });

  it('refuses inconsistent counts', () => {
    expect(() => errorRateCurves([point(1, 10, 0, 3)])).toThrow(/3 bit errors but no frame error/);
    expect(() => errorRateCurves([point(1, 0, 0, 0)])).toThrow(/at 1 dB has no frames/);
  });
});

describe('zeroErrorNote', () => {
  it('names every point without frame errors (frames, Eb/N0, bound) and what the arrow means', () => {
    const bounds = [
      { ebn0Db: -1.5, frames: 64, bound: zeroEventUpperBound(64) },
      { ebn0Db: 3, frames: 400, bound: zeroEventUpperBound(400) },
    ];
    const note = zeroErrorNote(bounds)!;
    // 1 − 0.05^(1/64) = 0.0457, 1 − 0.05^(1/400) = 7.46·10⁻³; typographic minus in −1.5 dB.
    expect(note).toContain('No frame error in 64 frames at \u22121.5 dB (< 0.0457), 400 frames at 3 dB (< 7.46·10⁻³).');
    expect(note).toContain('one-sided 95 % upper bound on the FER, 1 − 0.05^(1/frames) ≈ 3/frames;');
    expect(note).toContain('it bounds the BER too');
  });

  it('states the level it is given, and nothing when there is no bound', () => {
    expect(zeroErrorNote([{ ebn0Db: 3, frames: 100, bound: zeroEventUpperBound(100, 0.99) }], 0.99)).toContain('one-sided 99 % upper bound on the FER, 1 − 0.01^(1/frames);');
    expect(zeroErrorNote([])).toBeUndefined();
  });
});
