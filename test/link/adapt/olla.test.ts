import { describe, expect, it } from 'vitest';
import { Olla, OLLA_DEFAULTS } from '../../../src/link/adapt/olla.js';
import { McsPolicy } from '../../../src/link/adapt/policy.js';
import { mcsTable } from '../../../src/codes/mcs/table.js';
import { SeededRandom } from '../../../src/random/seeded.js';
import { wilsonInterval } from '../../../src/sim/confidence.js';
import { InputError } from '../../../src/errors.js';
import { logLinearBler, logLinearPhyTable } from '../../helpers/phy_table_fixture.js';

describe('Olla steps', () => {
  it('s_up = s_down·t/(1−t), NACK −s_down, ACK +s_up, per link', () => {
    const o = new Olla(2, { target: 0.1 });
    expect(o.stepDownDb).toBe(OLLA_DEFAULTS.stepDownDb);
    expect(o.stepUpDb).toBeCloseTo(0.5 / 9, 15);
    o.nack(1);
    o.nack(1);
    o.ack(1);
    expect(o.offsetDb(1)).toBeCloseTo(-1 + 0.5 / 9, 14);
    expect(o.offsetDb(0)).toBe(0);
    o.update(0, 10, 1); // 9 ACKs, 1 NACK: 9·s_up − s_down = 0
    expect(o.offsetDb(0)).toBeCloseTo(0, 14);
    o.reset();
    expect(Array.from(o.offsetsDb())).toEqual([0, 0]);
  });

  it('clips |Δ| at the bound, codeword by codeword when given flags', () => {
    const o = new Olla(1, { target: 0.5, stepDownDb: 1, maxOffsetDb: 2 }); // s_up = 1
    o.update(0, 5, [1, 1, 1, 1, 1]);
    expect(o.offsetDb(0)).toBe(-2);
    o.update(0, 3, [0, 0, 1]); // −2 → −1 → 0 → −1
    expect(o.offsetDb(0)).toBe(-1);
    o.update(0, 6, 0);
    expect(o.offsetDb(0)).toBe(2);
    // Flags in order: the clip bites in the middle (2 → 2 → 1), a net step would give 2 + 1 − 1 = 2.
    o.update(0, 2, [false, true]);
    expect(o.offsetDb(0)).toBe(1);
  });

  it('rejects bad settings and feedback with a one-line InputError', () => {
    expect(() => new Olla(1, { target: 1 })).toThrow(InputError);
    expect(() => new Olla(0, { target: 0.1 })).toThrow(/experts = 0/);
    expect(() => new Olla(1, { target: 0.1, stepDownDb: 0 })).toThrow(/step 0 dB/);
    const o = new Olla(2, { target: 0.1 });
    expect(() => o.update(2, 1, 0)).toThrow(/expert 2 /);
    expect(() => o.update(0, 2, 3)).toThrow(/3 codeword errors/);
    expect(() => o.update(0, 2, [1])).toThrow(/1 codeword flags for 2/);
    expect(o.offsetDb(0)).toBe(0);
  });
});

/**
 * A link simulation. The table has closed-form curves BLER_m(s) = min(1, 10^(−(s − a_m)/w)); the true
 * SNR s of each codeword is uniform on [lo, hi] dB; the gate's estimate of expert k's link is
 * s + bias_k (biased), so expert k's true curve is the table's shifted by +bias_k dB. ACK/NACK drawn
 * from the true curve at s with a seeded generator.
 */
const A = [0, 1.5, 3, 4.5, 6, 7.5, 9, 10.5]; // 8 MCS, 1.5 dB apart (the 802.11n table's size)
const W = 0.5; // dB per decade
const T = 0.1;
const [LO, HI] = [2, 9];

function simulate(olla: boolean, bias: number[], codewords: number, burnIn: number, seed = 7) {
  const table = logLinearPhyTable('80211n:1944', A, W);
  const policy = new McsPolicy({ kind: 'adaptive', table: mcsTable('80211n:1944'), bler: T, olla, outage: false }, table);
  const K = bias.length;
  const rng = new SeededRandom(seed);
  const snr = new Float32Array(K);
  const chosen = new Int16Array(K);
  const errors = new Array<number>(K).fill(0);
  const offsetSum = new Array<number>(K).fill(0);
  for (let c = 0; c < codewords; c++) {
    const s = Array.from({ length: K }, () => rng.uniform(LO, HI));
    for (let k = 0; k < K; k++) snr[k] = s[k] + bias[k];
    policy.choose(snr, K, chosen);
    for (let k = 0; k < K; k++) {
      const nack = rng.next() < logLinearBler(A[chosen[k]], W, s[k]);
      policy.feedback(k, 1, nack ? 1 : 0);
      if (c >= burnIn) {
        errors[k] += nack ? 1 : 0;
        offsetSum[k] += policy.summary().ollaOffsetsDb?.[k] ?? 0;
      }
    }
  }
  const n = codewords - burnIn;
  return { errors, n, meanOffset: offsetSum.map((x) => x / n) };
}

/**
 * Independent steady state: the offset Δ* at which the expected BLER over the SNR distribution is the
 * target, from the closed-form curves and thresholds τ_m = a_m − w·log10(t) (bisection; no policy code).
 */
function steadyOffset(bias: number): number {
  const expected = (delta: number): number => {
    let sum = 0;
    const steps = 7000;
    for (let i = 0; i < steps; i++) {
      const s = LO + ((i + 0.5) / steps) * (HI - LO);
      const x = s + bias + delta;
      let m = A.length - 1;
      while (m > 0 && A[m] - W * Math.log10(T) > x) m--;
      sum += logLinearBler(A[m], W, s);
    }
    return sum / steps;
  };
  let [lo, hi] = [-10, 10]; // expected() increases with Δ
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (expected(mid) > T) hi = mid;
    else lo = mid;
  }
  return (lo + hi) / 2;
}

describe('OLLA steady state (gate SNR estimate 3 dB optimistic)', () => {
  it('drives the achieved BLER to the target and Δ to about −3 dB, per expert link', () => {
    const { errors, n, meanOffset } = simulate(true, [3, 0], 20_000, 2_000);
    for (const e of errors) {
      const ci = wilsonInterval(e, n, 0.99);
      expect(ci.lo).toBeLessThanOrEqual(T);
      expect(ci.hi).toBeGreaterThanOrEqual(T);
    }
    const star = steadyOffset(3);
    expect(Math.abs(star + 3)).toBeLessThan(0.5); // the discrete MCS set leaves Δ* a little above −bias
    expect(meanOffset[0]).toBeCloseTo(star, 0);
    expect(Math.abs(meanOffset[0] - star)).toBeLessThan(0.2);
    expect(Math.abs(meanOffset[0] + 3)).toBeLessThan(0.5);
    // The unbiased link's offset stays near its own Δ* (≈ +0.4 dB), not pulled by the other link.
    expect(Math.abs(meanOffset[1] - steadyOffset(0))).toBeLessThan(0.2);
  });

  it('without OLLA the biased link misses the target by far', () => {
    const { errors, n } = simulate(false, [3], 5_000, 0);
    expect(errors[0] / n).toBeGreaterThan(0.5);
  });

  it('is deterministic for a seed', () => {
    expect(simulate(true, [3], 2_000, 0, 11)).toEqual(simulate(true, [3], 2_000, 0, 11));
  });
});

describe('OLLA batch update', () => {
  it('moves by min(n, 10) mean steps, clipped; zero codewords change nothing', () => {
    const o = new Olla(2, { target: 0.1 });
    o.updateBatch(0, 250, 25); // exactly the target: no move
    expect(o.offsetDb(0)).toBeCloseTo(0, 12);
    o.updateBatch(0, 250, 250); // all NACK: 10 steps down
    expect(o.offsetDb(0)).toBeCloseTo(-5, 12);
    o.updateBatch(1, 4, 0); // 4 ACKs: 4 steps up of s_down·t/(1−t)
    expect(o.offsetDb(1)).toBeCloseTo((4 * 0.5) / 9, 12);
    o.updateBatch(1, 0, 0);
    expect(o.offsetDb(1)).toBeCloseTo((4 * 0.5) / 9, 12);
    for (let i = 0; i < 5; i++) o.updateBatch(0, 100, 100);
    expect(o.offsetDb(0)).toBe(-10);
    expect(() => o.updateBatch(0, 3, 4)).toThrow(/4 codeword errors/);
  });
});
