import { describe, expect, it } from 'vitest';
import { NR_BG1, NR_BG2 } from '../../src/codes/data/nr_base_graphs.js';
import { nrCode, nrLiftingSet, NR_LIFTING_SIZES } from '../../src/codes/nr.js';
import { errorOf } from './parity.js';

describe('NR base graphs', () => {
  it('has the 51 lifting sizes of Table 5.3.2-1 with their sets', () => {
    expect(NR_LIFTING_SIZES.length).toBe(51);
    expect(NR_LIFTING_SIZES[0]).toBe(2);
    expect(NR_LIFTING_SIZES[50]).toBe(384);
    expect(NR_LIFTING_SIZES.slice(0, 12)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
    expect([2, 256, 3, 384, 5, 320, 7, 224, 9, 288, 11, 352, 13, 208, 15, 240].map(nrLiftingSet)).toEqual([
      0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7,
    ]);
    for (const z of [1, 17, 385, 512, 100, 2.5]) expect(nrLiftingSet(z)).toBe(-1);
  });

  it('has 316 (BG1) and 197 (BG2) entries, each block position once', () => {
    for (const [g, count, rows, cols] of [
      [NR_BG1, 316, 46, 68],
      [NR_BG2, 197, 42, 52],
    ] as const) {
      expect(g.count).toBe(count);
      expect(g.entries.length).toBe(count * 10);
      const seen = new Set<number>();
      for (let e = 0; e < count; e++) {
        const r = g.entries[e * 10];
        const c = g.entries[e * 10 + 1];
        expect(r < rows && c < cols).toBe(true);
        seen.add(r * cols + c);
      }
      expect(seen.size).toBe(count);
    }
  });

  for (const [bg, z] of [
    [1, 2],
    [1, 384],
    [2, 2],
    [2, 384],
    [1, 104],
  ] as const) {
    it(`BG${bg} Z=${z}: sizes and shifts V mod Z`, () => {
      const c = nrCode(bg, z);
      const g = bg === 1 ? NR_BG1 : NR_BG2;
      expect(c.n).toBe(g.cols * z);
      expect(c.k).toBe((bg === 1 ? 22 : 10) * z);
      expect(c.H.m).toBe(g.rows * z);
      expect(c.H.colIdx.length).toBe(g.count * z);
      const iLS = nrLiftingSet(z);
      for (let e = 0; e < g.count; e++) {
        const [r, col] = [g.entries[e * 10], g.entries[e * 10 + 1]];
        expect(c.proto.shifts[r * g.cols + col]).toBe(g.entries[e * 10 + 2 + iLS] % z);
      }
    });
  }

  it('BG1 set 6 has the V = 105 core entry (shift 105 mod Z)', () => {
    expect(nrCode(1, 208).proto.shifts[1 * 68 + 22]).toBe(105);
    expect(nrCode(1, 13).proto.shifts[1 * 68 + 22]).toBe(1);
  });

  it('names a lifting size outside the table and a bad base graph', () => {
    expect(errorOf(() => nrCode(1, 17))).toMatch(/^nrCode: lifting size Z = 17 is not in TS 38.212 Table 5.3.2-1/);
    expect(errorOf(() => nrCode(2, 400))).toMatch(/Z = 400/);
    expect(errorOf(() => nrCode(3, 2))).toBe('nrCode: base graph 3 is not 1 or 2');
  });
});
