// bench/lib/bler-check.mjs: the BLER verdicts of bench/link-adaptation.mjs, recomputable from the stored
// counts. The interval is checked against the package's Wilson interval and hand values; the verdict
// rule (met iff the lower bound ≤ target) at its edges.
import { describe, expect, it } from 'vitest';
// @ts-expect-error: plain ESM bench helper without type declarations
import { allMet, blerCheck, tableAgreement, wilson } from '../../bench/lib/bler-check.mjs';
import { wilsonInterval } from '../../src/sim/confidence.js';

describe('wilson', () => {
  it('equals the package interval at 95 % and 99 %', () => {
    for (const level of [0.95, 0.99]) {
      for (const [e, n] of [[0, 10], [1, 10], [37, 400], [250, 2500], [999, 1000], [1000, 1000]]) {
        const [lo, hi] = wilson(e, n, level);
        const ref = wilsonInterval(e, n, level);
        expect(lo).toBeCloseTo(ref.lo, 8);
        expect(hi).toBeCloseTo(ref.hi, 8);
      }
    }
  });

  it('matches a hand value: 10/100 at 95 % is [0.0552, 0.1744]', () => {
    const [lo, hi] = wilson(10, 100, 0.95);
    expect(lo).toBeCloseTo(0.05523, 4);
    expect(hi).toBeCloseTo(0.17437, 4);
  });

  it('refuses other levels and impossible counts', () => {
    expect(() => wilson(1, 10, 0.9)).toThrow(/level 0.9/);
    expect(() => wilson(11, 10)).toThrow(/11\/10/);
  });
});

describe('blerCheck', () => {
  it('is met when the interval reaches down to the target, missed when it lies above it', () => {
    // 230/2000 = 0.115: 99 % interval ≈ [0.0979, 0.135] reaches below 0.1
    expect(blerCheck({ errors: 230, frames: 2000, target: 0.1 }).verdict).toBe('met');
    // 260/2000 = 0.13: lower bound ≈ 0.111 > 0.1
    const missed = blerCheck({ errors: 260, frames: 2000, target: 0.1 });
    expect(missed.verdict).toBe('missed');
    expect(missed.why).toMatch(/0\.1300 \(260\/2000\)/);
    expect(blerCheck({ errors: 0, frames: 5000, target: 0.1 }).verdict).toBe('met');
  });

  it('puts the edge exactly at lo = target', () => {
    const [lo] = wilson(300, 2000, 0.99);
    expect(blerCheck({ errors: 300, frames: 2000, target: lo }).verdict).toBe('met');
    expect(blerCheck({ errors: 300, frames: 2000, target: lo * (1 - 1e-9) }).verdict).toBe('missed');
  });

  it('skips a measurement with no codewords and refuses a target outside (0, 1)', () => {
    expect(blerCheck({ errors: 0, frames: 0, target: 0.1 })).toMatchObject({ verdict: 'skipped', bler: null });
    expect(() => blerCheck({ errors: 1, frames: 10, target: 1 })).toThrow(/target 1/);
  });
});

describe('tableAgreement and allMet', () => {
  it('places the target inside, below or above the interval', () => {
    expect(tableAgreement({ errors: 200, frames: 2000, target: 0.1 })).toBe('consistent');
    expect(tableAgreement({ errors: 100, frames: 2000, target: 0.1 })).toBe('pessimistic');
    expect(tableAgreement({ errors: 400, frames: 2000, target: 0.1 })).toBe('optimistic');
    expect(tableAgreement({ errors: 0, frames: 0, target: 0.1 })).toBeNull();
  });

  it('is met only when every judged check is', () => {
    expect(allMet([{ verdict: 'met' }, { verdict: 'skipped' }])).toBe('met');
    expect(allMet([{ verdict: 'met' }, { verdict: 'missed' }])).toBe('missed');
    expect(allMet([{ verdict: 'skipped' }])).toBe('skipped');
    expect(allMet([{ verdict: 'met' }, { verdict: 'invalid' }])).toBe('invalid');
  });
});
