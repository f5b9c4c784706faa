import { describe, expect, it } from 'vitest';
import { McsPolicy, phyTableFor } from '../../../src/link/adapt/policy.js';
import { mcsTable } from '../../../src/codes/mcs/table.js';
import { parseMcsPolicy, type McsPolicySpec } from '../../../src/cli/channel_flags.js';
import { InputError } from '../../../src/errors.js';
import { phyTableOf, syntheticMcsTable } from '../../helpers/phy_table_fixture.js';

/**
 * Three MCS with hand-computed thresholds at BLER 0.1 (log-linear interpolation between points):
 *  MCS 0: 1 @ 0 dB, 0.1 @ 2, 0.001 @ 4           → τ = 2            (at 0.01: 3)
 *  MCS 1: 0.5 @ 3, 0.05 @ 5, 0.0005 @ 7          → τ = 3 + 2·log(0.2)/log(0.1) = 4.39794…  (0.01: 5.69897…)
 *  MCS 2: 1 @ 6, 0.2 @ 8, 0.02 @ 10              → τ = 8 + 2·log(0.5)/log(0.1) = 8.60206…
 */
const TABLE3 = syntheticMcsTable('synthetic3', 3);
const PHY3 = phyTableOf('synthetic3', [
  { esn0Db: [0, 2, 4], bler: [1, 0.1, 0.001] },
  { esn0Db: [3, 5, 7], bler: [0.5, 0.05, 0.0005] },
  { esn0Db: [6, 8, 10], bler: [1, 0.2, 0.02] },
]);
const TAU = [2, 3 + 2 * Math.log10(5), 8 + 2 * Math.log10(2)];
/** A policy on the synthetic table's exact curves (point estimates: confidence null). */
const adaptive = (extra: Partial<Extract<McsPolicySpec, { kind: 'adaptive' }>> = {}): McsPolicy =>
  new McsPolicy({ kind: 'adaptive', table: TABLE3, bler: 0.1, olla: false, outage: false, ...extra }, PHY3, null);

describe('McsPolicy inner loop (synthetic table)', () => {
  it('computes the thresholds once, from the target', () => {
    const p = adaptive();
    TAU.forEach((t, m) => expect(p.thresholdsDb[m]).toBeCloseTo(t, 12));
    const q = adaptive({ bler: 0.01 });
    expect(q.thresholdsDb[0]).toBeCloseTo(3, 12);
    expect(q.thresholdsDb[1]).toBeCloseTo(5 + 2 * Math.log10(5) / 2, 12);
  });

  // [gate SNR dB, chosen MCS without :outage, with :outage]
  const cases: [number, number, number][] = [
    [-Infinity, 0, -1],
    [-40, 0, -1],
    [1.99, 0, -1],
    [2.0, 0, 0],
    [4.39, 0, 0],
    [4.4, 1, 1],
    [8.6, 1, 1],
    [8.61, 2, 2],
    [100, 2, 2],
    [Infinity, 2, 2],
  ];
  it('picks the highest MCS with τ_m ≤ γ̂; the lowest MCS or outage when none qualifies', () => {
    const snr = Float32Array.from(cases.map((c) => c[0]));
    expect(Array.from(adaptive().choose(snr, 2))).toEqual(cases.map((c) => c[1]));
    const out = new Int16Array(snr.length);
    const got = adaptive({ outage: true }).choose(snr, 5, out);
    expect(got).toBe(out);
    expect(Array.from(out)).toEqual(cases.map((c) => c[2]));
  });

  it('adds each expert link\'s OLLA offset (and +∞ stays the highest MCS)', () => {
    const p = adaptive({ olla: true });
    const snr = Float32Array.from([4.5, 4.5, Infinity, Infinity]); // 2 samples × 2 experts
    expect(Array.from(p.choose(snr, 2))).toEqual([1, 1, 2, 2]);
    p.feedback(1, 4, 4); // Δ_1 = −2 dB
    expect(Array.from(p.choose(snr, 2))).toEqual([1, 0, 2, 2]);
    p.feedback(0, 2, [0, 0]); // Δ_0 = 2·0.5/9 dB: 4.5 + 0.11 is still below τ_2
    expect(Array.from(p.choose(snr, 2))).toEqual([1, 0, 2, 2]);
    expect(p.summary().ollaOffsetsDb?.map((d) => +d.toFixed(6))).toEqual([+(1 / 9).toFixed(6), -2]);
    expect(() => p.choose(snr, 4)).toThrow(/OLLA holds 2 links/);
  });

  it('without :olla feedback changes nothing', () => {
    const p = adaptive();
    p.choose(Float32Array.from([4.5]), 1);
    p.feedback(0, 10, 10);
    expect(Array.from(p.choose(Float32Array.from([4.5]), 1))).toEqual([1]);
    expect(p.summary().ollaOffsetsDb).toBeNull();
  });

  it('a fixed MCS is always that index', () => {
    const p = new McsPolicy(parseMcsPolicy('80211n:1944:5'));
    expect(Array.from(p.choose(Float32Array.from([-Infinity, -3, 40, Infinity]), 2))).toEqual([5, 5, 5, 5]);
    expect(p.thresholdsDb.length).toBe(0);
  });

  it('records chosen indices and outages for the summary; reset clears them', () => {
    const p = adaptive({ outage: true });
    p.record(p.choose(Float32Array.from([0, 3, 5, 9, 9, -Infinity]), 3));
    expect(p.summary()).toEqual({
      table: 'synthetic3',
      policy: 'adaptive:bler=0.1:table=synthetic3:outage',
      histogram: { '0': 1, '1': 1, '2': 2 },
      pairs: 6,
      outages: 2,
      outageRate: 2 / 6,
      ollaOffsetsDb: null,
    });
    p.reset();
    expect(p.summary()).toMatchObject({ histogram: {}, pairs: 0, outages: 0, outageRate: 0 });
  });

  it('rejects NaN, a bad shape and a PHY table that does not fit, with one-line InputErrors', () => {
    const p = adaptive();
    expect(() => p.choose(Float32Array.from([1, NaN]), 1)).toThrow(/pair 1 \(sample 1, expert 0\) is NaN/);
    expect(() => p.choose(Float32Array.from([1, 2, 3]), 2)).toThrow(/experts = 2 does not divide 3/);
    expect(() => p.choose(Float32Array.from([1, 2]), 1, new Int16Array(3))).toThrow(/out has length 3, expected 2/);
    const spec: McsPolicySpec = { kind: 'adaptive', table: syntheticMcsTable('synthetic4', 4), bler: 0.1, olla: false, outage: false };
    expect(() => new McsPolicy(spec, PHY3)).toThrow(InputError);
    expect(() => new McsPolicy(spec, PHY3)).toThrow(/has MCS 0, 1, 2, MCS table 'synthetic4' needs 0–3/);
    expect(() => new McsPolicy({ kind: 'fixed', table: TABLE3, index: 3 })).toThrow(/no index 3/);
  });
});

describe('stored PHY tables', () => {
  it('every MCS table has one that validates, with all its MCS and finite thresholds', () => {
    for (const [name, count] of [['80211n:648', 8], ['80211n:1296', 8], ['80211n:1944', 8], ['nr', 29]] as const) {
      expect(mcsTable(name).entries.length).toBe(count);
      const phy = phyTableFor(name);
      expect(phy.data.table).toBe(name);
      expect(phy.indices).toEqual(Array.from({ length: count }, (_, i) => i));
      const tau = phy.thresholds(0.1);
      expect(tau.every(Number.isFinite)).toBe(true);
      // A higher MCS needs a higher SNR (measured: true of all four stored tables).
      tau.slice(1).forEach((t, m) => expect(t).toBeGreaterThan(tau[m]));
    }
    expect(phyTableFor(mcsTable('nr'))).toBe(phyTableFor('nr:table1')); // loaded once
    expect(() => phyTableFor('80211n:100')).toThrow(InputError);
  });

  it('802.11n 1944 at BLER 0.1: the chosen MCS rises with SNR over −5…30 dB, MCS 7 above its threshold', () => {
    const p = new McsPolicy(parseMcsPolicy('adaptive:bler=0.1:table=80211n:1944'));
    const snr = Float32Array.from({ length: 351 }, (_, i) => -5 + i / 10);
    const m = p.choose(snr, 1);
    for (let i = 1; i < m.length; i++) expect(m[i]).toBeGreaterThanOrEqual(m[i - 1]);
    expect(m[0]).toBe(0);
    expect(new Set(m).size).toBe(8); // every MCS is used somewhere on the sweep
    const tau7 = p.thresholdsDb[7];
    expect(tau7).toBeGreaterThan(10);
    expect(tau7).toBeLessThan(30);
    expect(Array.from(p.choose(Float32Array.from([tau7 - 0.05, tau7 + 0.05, 30]), 1))).toEqual([6, 7, 7]);
    // Where an MCS is chosen the upper 95 % bound of its stored BLER at that SNR meets the target,
    // and the next one's does not; the thresholds lie above the point estimates' (conservative).
    const phy = phyTableFor('80211n:1944');
    snr.forEach((x, i) => {
      if (x >= p.thresholdsDb[0]) expect(phy.blerAt(m[i], x, 0.95)).toBeLessThanOrEqual(0.1 + 1e-12);
      if (m[i] < 7) expect(phy.blerAt(m[i] + 1, x, 0.95)).toBeGreaterThan(0.1);
    });
    phy.thresholds(0.1).forEach((t, k) => {
      expect(p.thresholdsDb[k]).toBeGreaterThan(t);
      expect(p.thresholdsDb[k]).toBeLessThan(t + 0.15);
    });
  });
});
