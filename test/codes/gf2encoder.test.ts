import { describe, expect, it } from 'vitest';
import { parseAlist } from '../../src/codes/alist.js';
import { ALIST_TEXTS } from '../../src/codes/data/alist/index.js';
import { Gf2SystematicEncoder } from '../../src/codes/gf2encoder.js';
import type { ParityCheckMatrix } from '../../src/codes/types.js';
import { errorOf, failedChecks, randomBits } from './parity.js';

/** GF(2) rank by plain dense elimination on number[][] (independent of the packed implementation). */
function denseRank(h: ParityCheckMatrix): number {
  const rows: Uint8Array[] = [];
  for (let r = 0; r < h.m; r++) {
    const row = new Uint8Array(h.n);
    for (let e = h.rowPtr[r]; e < h.rowPtr[r + 1]; e++) row[h.colIdx[e]] = 1;
    rows.push(row);
  }
  let rank = 0;
  for (let c = 0; c < h.n && rank < rows.length; c++) {
    const p = rows.findIndex((row, i) => i >= rank && row[c] === 1);
    if (p < 0) continue;
    [rows[rank], rows[p]] = [rows[p], rows[rank]];
    for (let i = 0; i < rows.length; i++) {
      if (i !== rank && rows[i][c]) for (let j = c; j < h.n; j++) rows[i][j] ^= rows[rank][j];
    }
    rank++;
  }
  return rank;
}

const expectedK: Record<string, number> = {
  WIMAX_288_576: 288,
  WIFI_540_648: 540,
  CCSDS_64_128: 64,
  MACKAY_504_1008: 504,
  '10GBPS-ETHERNET_1723_2048': 1723,
};

describe('Gf2SystematicEncoder', () => {
  for (const [name, text] of Object.entries(ALIST_TEXTS)) {
    it(`${name}: k = n − rank(H), 40 random messages give codewords with H·c = 0, info at infoPositions`, () => {
      const h = parseAlist(text);
      const enc = new Gf2SystematicEncoder(h);
      expect(enc.k).toBe(expectedK[name]);
      expect(enc.rank).toBe(h.n - enc.k);
      if (h.n <= 1008) expect(enc.rank).toBe(denseRank(h));
      const pos = new Set([...enc.infoPositions, ...enc.parityPositions]);
      expect(pos.size).toBe(h.n);
      for (let t = 0; t < 40; t++) {
        const info = randomBits(enc.k, 17 * t + h.n);
        const c = enc.encode(info);
        expect(failedChecks(h, c)).toBe(0);
        for (let j = 0; j < enc.k; j++) if (c[enc.infoPositions[j]] !== info[j]) throw new Error(`info bit ${j} misplaced`);
      }
    });
  }

  it('handles a rank-deficient H (duplicated rows) with k = n − rank', () => {
    // Rows: r0, r1, r0 ^ r1 (redundant), r0 again.
    const rows = [
      [0, 1, 3],
      [1, 2, 4],
      [0, 2, 3, 4],
      [0, 1, 3],
    ];
    const colIdx = Int32Array.from(rows.flat());
    const rowPtr = Int32Array.from([0, 3, 6, 10, 13]);
    const h = { n: 6, m: 4, rowPtr, colIdx };
    const enc = new Gf2SystematicEncoder(h);
    expect(enc.rank).toBe(2);
    expect(enc.k).toBe(4);
    for (let v = 0; v < 16; v++) {
      const info = Uint8Array.from([v & 1, (v >> 1) & 1, (v >> 2) & 1, (v >> 3) & 1]);
      expect(failedChecks(h, enc.encode(info))).toBe(0);
    }
  });

  it('rejects H of full column rank (no information bits) with a one-line error', () => {
    const h = { n: 2, m: 2, rowPtr: Int32Array.from([0, 1, 2]), colIdx: Int32Array.from([0, 1]) };
    expect(errorOf(() => new Gf2SystematicEncoder(h))).toBe(
      'Gf2SystematicEncoder: H (2 x 2) has rank 2 = n, so the code has no information bits',
    );
  });
});
