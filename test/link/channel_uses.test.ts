import { describe, expect, it } from 'vitest';
import { ChannelUseTally } from '../../src/link/channel_uses.js';
import { expectInputError } from '../helpers/errors.js';

/** A tally holding one batch. */
function tallyOf(uses: number[], mask: number[], batch: number, experts: number): ChannelUseTally {
  const t = new ChannelUseTally();
  t.add(Float32Array.from(uses), Float32Array.from(mask), batch, experts);
  return t;
}

describe('ChannelUseTally', () => {
  it('sums the chosen pairs per sample: mean and nearest-rank p95 by hand', () => {
    // 3 samples × 3 experts, top-2. Totals: 10+20 = 30, 5+40 = 45, 7+9 = 16.
    const t = tallyOf([10, 20, 99, 5, 77, 40, 3, 7, 9], [1, 1, 0, 1, 0, 1, 0, 1, 1], 3, 3);
    // Sorted 16, 30, 45; rank ⌈0.95·3⌉ = 3 → 45.
    expect(t.summary()).toEqual({ mean: (30 + 45 + 16) / 3, p95: 45, samples: 3 });
  });

  it('a single sample: mean = p95 = its total', () => {
    expect(tallyOf([648, 330, 12], [1, 0, 1], 1, 3).summary()).toEqual({ mean: 660, p95: 660, samples: 1 });
  });

  it('p95 is the ⌈0.95·n⌉-th smallest, with ties', () => {
    // 20 samples, 1 expert: totals 1…18, then 100, 100 (a tie at the top). ⌈19⌉ = 19th → 100.
    const twenty = [...Array.from({ length: 18 }, (_, i) => i + 1), 100, 100];
    expect(tallyOf(twenty, twenty.map(() => 1), 20, 1).summary().p95).toBe(100);
    // 21 samples: ⌈19.95⌉ = 20th smallest. Totals: 0 ×19, 5, 9 → 5 (not 9, not an interpolation).
    const many = [...Array(19).fill(0), 9, 5];
    const s = tallyOf(many, many.map(() => 1), 21, 1).summary();
    expect(s.p95).toBe(5);
    expect(s.mean).toBe(14 / 21);
    // All equal: p95 = mean = the value.
    expect(tallyOf([7, 7, 7, 7], [1, 1, 1, 1], 4, 1).summary()).toEqual({ mean: 7, p95: 7, samples: 4 });
    // 100 samples 1…100 (shuffled): the 95th smallest is 95.
    const hundred = Array.from({ length: 100 }, (_, i) => ((i * 37) % 100) + 1);
    expect(tallyOf(hundred, hundred.map(() => 1), 100, 1).summary()).toEqual({ mean: 50.5, p95: 95, samples: 100 });
  });

  it('adding in two batches equals adding in one, and grows past its initial storage', () => {
    const batch = 3000, experts = 4;
    const uses = Float32Array.from({ length: batch * experts }, (_, i) => ((i * 7919) % 1301) + 0.5);
    const mask = Uint8Array.from({ length: batch * experts }, (_, i) => (i % experts === (i >> 2) % experts || i % experts === 3 ? 1 : 0));
    const one = new ChannelUseTally();
    one.add(uses, mask, batch, experts);
    const two = new ChannelUseTally();
    const split = 1234;
    two.add(uses.subarray(0, split * experts), mask.subarray(0, split * experts), split, experts);
    two.add(uses.subarray(split * experts), mask.subarray(split * experts), batch - split, experts);
    expect(two.summary()).toEqual(one.summary());
    expect(one.samples).toBe(batch);
    // And against a direct computation.
    const totals = Array.from({ length: batch }, (_, b) => {
      let s = 0;
      for (let k = 0; k < experts; k++) s += mask[b * experts + k] ? uses[b * experts + k] : 0;
      return s;
    });
    expect(one.summary().mean).toBeCloseTo(totals.reduce((a, b) => a + b, 0) / batch, 9);
    expect(one.summary().p95).toBe([...totals].sort((a, b) => a - b)[Math.ceil(0.95 * batch) - 1]);
  });

  it('a sample with no chosen expert (outage) counts 0; no samples gives NaN', () => {
    expect(tallyOf([10, 20, 30, 40], [0, 0, 1, 1], 2, 2).summary()).toEqual({ mean: 35, p95: 70, samples: 2 });
    expect(new ChannelUseTally().summary()).toEqual({ mean: NaN, p95: NaN, samples: 0 });
  });

  it('rejects bad input with a one-line InputError naming the value, adding nothing', () => {
    const t = new ChannelUseTally();
    expectInputError(() => t.add(new Float32Array(5), new Float32Array(6), 3, 2), 'channel-use tally: uses has 5 values, expected batch·experts = 6');
    expectInputError(() => t.add(new Float32Array(6), new Uint8Array(4), 3, 2), 'channel-use tally: mask has 4 values, expected batch·experts = 6');
    expectInputError(() => t.add(new Float32Array(2), new Uint8Array(2), 1, 0), 'channel-use tally: experts must be an integer ≥ 1, got 0');
    expectInputError(() => t.add(new Float32Array(2), new Uint8Array(2), 1.5, 2), 'channel-use tally: batch must be an integer ≥ 0, got 1.5');
    expectInputError(() => t.add(Float32Array.from([1, 2]), Float32Array.from([1, 0.5]), 1, 2), 'channel-use tally: mask value 0.5 at 1 is neither 0 nor 1');
    expectInputError(() => t.add(Float32Array.from([1, -2]), Float32Array.from([1, 1]), 1, 2), 'channel-use tally: uses value -2 at 1 of a chosen pair is not a finite number ≥ 0');
    expectInputError(() => t.add(Float32Array.from([NaN, 2]), Float32Array.from([1, 1]), 1, 2), 'channel-use tally: uses value NaN at 0 of a chosen pair is not a finite number ≥ 0');
    expect(t.samples).toBe(0);
    // A bad value in an unchosen pair is ignored.
    t.add(Float32Array.from([NaN, 2]), Float32Array.from([0, 1]), 1, 2);
    expect(t.summary()).toEqual({ mean: 2, p95: 2, samples: 1 });
  });
});
