import { describe, expect, it } from 'vitest';
import { loadPhyTable, parsePhyTable, PHY_TABLE_FORMAT, PHY_TABLE_VERSION, type PhyTableData } from '../../../src/link/adapt/bler_table.js';
import { InputError } from '../../../src/errors.js';

/** A hand-made table: one curve per [index, grid, bler] (counts chosen to match the BLERs). */
function table(curves: [number, number[], number[]][]): PhyTableData {
  return {
    format: PHY_TABLE_FORMAT,
    version: PHY_TABLE_VERSION,
    table: '80211n:648',
    channel: 'awgn',
    decoder: { decoder: 'nms', iterations: 10, nmsFactor: 0.75, demapper: 'exact', earlyStop: true },
    seed: 1,
    grid: { esn0Db: [0, 1, 2, 3] },
    stopping: { maxFrameErrors: 100, maxFrames: 100000, stopAtZeroErrors: true },
    mcs: curves.map(([index, x, b]) => ({
      index, modulation: 'bpsk', rate: 0.5, code: '80211n:648:1/2', k: 324, n: 648,
      points: x.map((esn0Db, j) => ({ esn0Db, frames: 1000, frameErrors: Math.round(b[j] * 1000), bler: b[j], blerCi95: [0, 1] as [number, number] })),
    })),
  };
}

const expectOneLine = (f: () => unknown, re: RegExp): void => {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(InputError);
  expect((err as Error).message).toMatch(re);
  expect((err as Error).message).not.toContain('\n');
};

describe('PhyTable interpolation and thresholds', () => {
  // Raw [1, 0.1, 0.2, 0.001]: the 0.2 is noise, the running minimum makes it 0.1.
  const t = loadPhyTable(table([[0, [0, 1, 2, 3], [1, 0.1, 0.2, 0.001]], [1, [4, 6], [0.5, 0]]]));

  it('interpolates log-linearly on the running-minimum curve', () => {
    expect(t.blerAt(0, 0)).toBe(1);
    expect(t.blerAt(0, 0.5)).toBeCloseTo(10 ** -0.5, 12);
    expect(t.blerAt(0, 1)).toBeCloseTo(0.1, 12);
    expect(t.blerAt(0, 1.5)).toBeCloseTo(0.1, 12); // not 0.1414: the 0.2 was replaced by 0.1
    expect(t.blerAt(0, 2.5)).toBeCloseTo(0.01, 12);
    expect(t.blerAt(0, 2.75)).toBeCloseTo(10 ** -2.5, 12);
  });

  it('is 1 below the grid and the last value above it; linear towards a zero BLER', () => {
    expect(t.blerAt(0, -3)).toBe(1);
    expect(t.blerAt(0, 30)).toBe(0.001);
    expect(t.blerAt(1, 5)).toBeCloseTo(0.25, 12);
    expect(t.blerAt(1, 3.9)).toBe(1);
    expect(t.blerAt(1, 7)).toBe(0);
  });

  it('threshold = lowest SNR where the monotone curve is at most the target', () => {
    expect(t.threshold(0, 0.5)).toBeCloseTo(Math.log10(2), 12);
    expect(t.threshold(0, 0.1)).toBeCloseTo(1, 12);
    expect(t.threshold(0, 0.01)).toBeCloseTo(2.5, 12);
    expect(t.threshold(0, 0.001)).toBeCloseTo(3, 12);
    expect(t.threshold(0, 1e-4)).toBe(Infinity);
    expect(t.threshold(1, 0.1)).toBeCloseTo(4 + 2 * 0.8, 12);
    expect(t.threshold(1, 0.6)).toBe(4); // the first point already meets it
    expect(t.thresholds(0.1).map((v) => Number(v.toFixed(9)))).toEqual([1, 5.6]);
    // The threshold is consistent with blerAt.
    expect(t.blerAt(0, t.threshold(0, 0.03))).toBeCloseTo(0.03, 12);
  });

  it('rejects a target outside (0, 1) and an unknown MCS', () => {
    for (const bad of [0, 1, -0.1, NaN]) expectOneLine(() => t.threshold(0, bad), /BLER target .* outside \(0, 1\)/);
    expectOneLine(() => t.blerAt(7, 0), /MCS index 7 is not in PHY table/);
  });
});

describe('loadPhyTable errors', () => {
  const good = (): PhyTableData => table([[0, [0, 1], [0.5, 0.1]], [1, [2, 3], [0.5, 0.1]]]);

  it('accepts a well-formed table, from an object or text', () => {
    expect(loadPhyTable(good(), 'x', 2).indices).toEqual([0, 1]);
    expect(parsePhyTable(JSON.stringify(good()), 'x').indices).toEqual([0, 1]);
  });

  it('names the bad value in one line', () => {
    const cases: [(d: PhyTableData) => void, RegExp][] = [
      [(d) => { d.mcs[1].points[1].esn0Db = 2; }, /MCS 1 grid is not increasing: 2 dB after 2 dB/],
      [(d) => { d.mcs[0].points[0].bler = 1.5; }, /MCS 0 at 0 dB has bler 1\.5, outside \[0, 1\]/],
      [(d) => { d.mcs[0].points[1].bler = -0.1; }, /bler -0\.1, outside \[0, 1\]/],
      [(d) => { d.mcs[1].index = 0; }, /mcs\[1\] has index 0/],
      [(d) => { d.mcs = []; }, /no MCS curves/],
      [(d) => { d.mcs[0].points = []; }, /MCS 0 has no points/],
      [(d) => { d.format = 'other'; }, /format "other"/],
      [(d) => { d.mcs[0].points[0].frameErrors = 2000; }, /frameErrors 2000/],
    ];
    for (const [mutate, re] of cases) {
      const d = good();
      mutate(d);
      expectOneLine(() => loadPhyTable(d, 'x.json'), re);
    }
  });

  it('reports missing MCS against the table size', () => {
    const d = table([[0, [0, 1], [0.5, 0.1]], [2, [2, 3], [0.5, 0.1]]]);
    expect(loadPhyTable(d).indices).toEqual([0, 2]);
    expectOneLine(() => loadPhyTable(d, 'x.json', 4), /x\.json: lacks MCS 1, 3 of table '80211n:648'/);
  });

  it('rejects text that is not JSON', () => {
    expectOneLine(() => parsePhyTable('{oops', 'x.json'), /PHY table x\.json: is not valid JSON/);
  });
});
