import { describe, expect, it } from 'vitest';
import { parseAlist, toAlist } from '../../src/codes/alist.js';
import { ALIST_TEXTS } from '../../src/codes/data/alist/index.js';

const SMALL = `# a 3x6 toy
6 3
2 3
2 2 1 1 1 2
3 3 3
1 3
1 2
2 0
1 0
3 0
2 3
1 2 4
2 3 6
1 5 6
`;

describe('parseAlist', () => {
  it('reads a small file with comments and zero padding', () => {
    const h = parseAlist(SMALL);
    expect(h.n).toBe(6);
    expect(h.m).toBe(3);
    expect(Array.from(h.rowPtr)).toEqual([0, 3, 6, 9]);
    expect(Array.from(h.colIdx)).toEqual([0, 1, 3, 1, 2, 5, 0, 4, 5]);
  });

  const shipped: Record<string, [number, number, number]> = {
    WIMAX_288_576: [576, 288, 0],
    WIFI_540_648: [648, 108, 2376],
    CCSDS_64_128: [128, 64, 512],
    MACKAY_504_1008: [1008, 504, 3024],
    '10GBPS-ETHERNET_1723_2048': [2048, 384, 12288],
  };
  for (const [name, [n, m, nnz]] of Object.entries(shipped)) {
    it(`reads ${name} and round-trips through toAlist`, () => {
      const h = parseAlist(ALIST_TEXTS[name]);
      expect(h.n).toBe(n);
      expect(h.m).toBe(m);
      if (nnz) expect(h.colIdx.length).toBe(nnz);
      for (let r = 0; r < h.m; r++) {
        for (let e = h.rowPtr[r] + 1; e < h.rowPtr[r + 1]; e++) expect(h.colIdx[e]).toBeGreaterThan(h.colIdx[e - 1]);
      }
      const h2 = parseAlist(toAlist(h));
      expect(h2.rowPtr).toEqual(h.rowPtr);
      expect(h2.colIdx).toEqual(h.colIdx);
    });
  }

  const bad = (mut: (lines: string[]) => void): string => {
    const lines = SMALL.split('\n');
    mut(lines);
    return lines.join('\n');
  };
  const cases: [string, string, RegExp][] = [
    ['too few lines', '6 3\n2 3\n', /^alist: only 2 non-empty lines/],
    ['non-integer', bad((l) => (l[1] = '6 x')), /^alist: line 2 \(n m\): 'x' is not an integer$/],
    ['wrong number of column degrees', bad((l) => (l[3] = '1 2 1 2 1')), /5 column degrees, expected n = 6/],
    ['degree sums disagree', bad((l) => (l[4] = '3 3 2')), /column degrees sum to 9 but row degrees sum to 8/],
    ['index out of range', bad((l) => (l[5] = '1 7')), /column 1 has row index 7 out of range 1\.\.3/],
    ['duplicate entry', bad((l) => (l[6] = '1 1')), /line 7: column 2 lists row 1 twice/],
    ['degree vs entries', bad((l) => (l[5] = '1 0')), /column 1 has 1 entries but its degree is 2/],
    ['halves disagree', bad((l) => (l[11] = '1 2 5') && (l[13] = '1 4 6')), /^alist: row \d lists column \d but column \d does not list row \d$/],
    ['trailing content', SMALL + '1 2 3\n', /unexpected trailing content/],
    ['truncated', SMALL.split('\n').slice(0, 10).join('\n'), /entry lines, expected n \+ m = 9/],
  ];
  for (const [what, text, re] of cases) {
    it(`rejects ${what} with a one-line error`, () => {
      let msg = '';
      try {
        parseAlist(text);
      } catch (e) {
        msg = (e as Error).message;
      }
      expect(msg).toMatch(re);
      expect(msg).not.toContain('\n');
    });
  }
});
