import { describe, expect, it } from 'vitest';
import { simulateMcsTable, mcsGrid, type McsSweepOptions } from '../../src/sim/mcs_sweep.js';
import { loadPhyTable } from '../../src/link/adapt/bler_table.js';
import { mcsTable } from '../../src/codes/index.js';
import { InputError } from '../../src/errors.js';

// MCS 0 (BPSK 1/2) and MCS 4 (16-QAM 3/4) of 802.11n 648: far apart (spectral efficiency 0.5 vs 3).
const TINY: McsSweepOptions = {
  table: '80211n:648',
  indices: [0, 4],
  grid: [-3, -2, -1, 0, 1, 2, 4, 6, 8, 9, 10, 11, 12, 14, 16],
  maxFrameErrors: 30,
  maxFrames: 300,
  seed: 7,
};

describe('simulateMcsTable (tiny 80211n:648 sweep)', () => {
  const r = simulateMcsTable(TINY);

  it('records the table, settings, seed and grid, and each MCS', () => {
    expect(r).toMatchObject({ format: 'wireless-moe/phy-table', version: 1, table: '80211n:648', channel: 'awgn', seed: 7 });
    expect(r.decoder).toEqual({ decoder: 'nms', iterations: 10, nmsFactor: 0.75, demapper: 'exact', earlyStop: true });
    expect(r.grid).toEqual({ esn0Db: TINY.grid });
    expect(r.stopping).toEqual({ maxFrameErrors: 30, maxFrames: 300, stopAtZeroErrors: true });
    expect(r.mcs.map((c) => [c.index, c.modulation, c.rate, c.code])).toEqual([
      [0, 'bpsk', 0.5, '80211n:648:1/2'],
      [4, '16qam', 0.75, '80211n:648:3/4'],
    ]);
  });

  it('follows the stopping rules: each point stops at 30 errors or 300 frames; a sweep ends at its first error-free point', () => {
    for (const c of r.mcs) {
      const last = c.points[c.points.length - 1];
      expect(last.frameErrors).toBe(0);
      expect(last.frames).toBe(300);
      for (const p of c.points.slice(0, -1)) {
        expect(p.frameErrors).toBeGreaterThan(0);
        expect(p.frameErrors === 30 || (p.frames === 300 && p.frameErrors < 30)).toBe(true);
        expect(p.bler).toBe(p.frameErrors / p.frames);
        expect(p.blerCi95[0]).toBeLessThanOrEqual(p.bler);
        expect(p.blerCi95[1]).toBeGreaterThanOrEqual(p.bler);
        expect(p.blerCi95[1] - p.blerCi95[0]).toBeGreaterThan(0);
      }
    }
  });

  it('has BLER non-increasing in SNR within noise', () => {
    for (const c of r.mcs) {
      expect(c.points.length).toBeGreaterThanOrEqual(3);
      for (let j = 1; j < c.points.length; j++) expect(c.points[j].bler).toBeLessThanOrEqual(c.points[j - 1].blerCi95[1]);
      expect(c.points[0].bler).toBeGreaterThan(0.5); // the grids start in the waterfall's top
    }
  });

  it('needs more SNR for the higher MCS at the same BLER, as the loaded table says', () => {
    const t = loadPhyTable(r, 'sweep');
    const [t0, t4] = t.thresholds(0.1);
    expect(Number.isFinite(t0) && Number.isFinite(t4)).toBe(true);
    expect(t4 - t0).toBeGreaterThan(6);
  });

  it('gives the same JSON for the same seed and a different one for another seed', () => {
    expect(JSON.stringify(simulateMcsTable(TINY))).toBe(JSON.stringify(r));
    expect(JSON.stringify(simulateMcsTable({ ...TINY, seed: 8 }))).not.toBe(JSON.stringify(r));
  });
});

describe('mcsGrid', () => {
  it('spans the Shannon Es/N0 offsets rounded to the step', () => {
    // MCS 0: Shannon Es/N0 = 10·log10(√2 − 1) = −3.83 dB → −4.83 … 4.17 → −5 … 4 by 0.5.
    const g = mcsGrid(mcsTable('80211n:648').entries[0], { fromShannonDb: -1, toShannonDb: 8, stepDb: 0.5 });
    expect(g).toEqual(Array.from({ length: 19 }, (_, i) => -5 + 0.5 * i));
    expect(mcsGrid(mcsTable('80211n:648').entries[0], [1, 2])).toEqual([1, 2]);
  });
});

describe('simulateMcsTable errors', () => {
  const cases: [Partial<McsSweepOptions>, RegExp][] = [
    [{ table: 'wifi' }, /wifi/],
    [{ indices: [0, 8] }, /MCS index 8 is not in table '80211n:648'/],
    [{ grid: [1, 0] }, /grid is not increasing: 0 dB after 1 dB/],
    [{ grid: [] }, /grid is an empty list/],
    [{ grid: { fromShannonDb: 0, toShannonDb: 1, stepDb: 0 } }, /stepDb > 0/],
    [{ seed: -1 }, /seed must be an integer/],
    [{ maxFrames: 0 }, /maxFrames/],
    [{ decoder: 'bp' as never }, /unknown decoder 'bp'/],
  ];
  for (const [o, re] of cases) {
    it(`rejects ${JSON.stringify(o)}`, () => {
      const f = () => simulateMcsTable({ ...TINY, ...o });
      expect(f).toThrow(InputError);
      expect(f).toThrow(re);
    });
  }
});
