import { describe, expect, it } from 'vitest';
import { ldpcCode } from '../../../src/codes/ldpc.js';
import { NR_MCS_TABLE1, NR_MCS_TABLE1_ROWS, nrBaseGraph, nrRateMatchedLength } from '../../../src/codes/mcs/nr.js';
import { errorOf, failedChecks, randomBits } from '../parity.js';

// TS 38.214 Table 5.1.3.1-1 transcribed independently (I Qm R×1024 SE), as in srsRAN's
// tests/unittests/ran/pdsch/pdsch_mcs_table_test.cpp and the issue-18 design §1.5.
const STANDARD = `
 0 2 120 0.2344 | 1 2 157 0.3066 | 2 2 193 0.3770 | 3 2 251 0.4902 | 4 2 308 0.6016
 5 2 379 0.7402 | 6 2 449 0.8770 | 7 2 526 1.0273 | 8 2 602 1.1758 | 9 2 679 1.3262
10 4 340 1.3281 |11 4 378 1.4766 |12 4 434 1.6953 |13 4 490 1.9141 |14 4 553 2.1602
15 4 616 2.4063 |16 4 658 2.5703 |17 6 438 2.5664 |18 6 466 2.7305 |19 6 517 3.0293
20 6 567 3.3223 |21 6 616 3.6094 |22 6 666 3.9023 |23 6 719 4.2129 |24 6 772 4.5234
25 6 822 4.8164 |26 6 873 5.1152 |27 6 910 5.3320 |28 6 948 5.5547`
  .split(/[|\n]/)
  .filter((cell) => cell.trim() !== '')
  .map((cell) => cell.trim().split(/\s+/).map(Number));

const entries = NR_MCS_TABLE1.entries;

describe('NR MCS table 1 (TS 38.214 Table 5.1.3.1-1)', () => {
  it('has rows 0–28 equal to the standard, 29–31 reserved', () => {
    expect(STANDARD.length).toBe(29);
    expect(entries.length).toBe(29);
    expect(NR_MCS_TABLE1.reserved).toEqual([29, 30, 31]);
    expect(NR_MCS_TABLE1.name).toBe('nr');
    for (const [i, qm, r, se] of STANDARD) {
      const e = entries[i];
      expect([e.index, e.bitsPerSymbol, e.rateNum, e.rateDen, e.spectralEfficiency]).toEqual([i, qm, r, 1024, se]);
      expect(e.rate).toBe(r / 1024);
    }
    // ns-3 NR agrees on the modulation split: 10 QPSK, 7 16-QAM, 12 64-QAM rows.
    const count = (m: string) => entries.filter((e) => e.modulation === m).length;
    expect([count('qpsk'), count('16qam'), count('64qam')]).toEqual([10, 7, 12]);
    for (const e of entries) expect(e.bitsPerSymbol).toBe({ qpsk: 2, '16qam': 4, '64qam': 6 }[e.modulation as string]);
  });

  it('spectral efficiency = Qm·R/1024 rounded to 4 decimals, for every row', () => {
    expect(NR_MCS_TABLE1_ROWS.length).toBe(29);
    for (const e of entries) {
      expect(e.spectralEfficiency).toBe(Math.round((e.bitsPerSymbol * e.rateNum * 10000) / 1024) / 10000);
    }
  });

  it('uses BG2 Z=104 (K=1040) for R ≤ 0.67 (R×1024 ≤ 686) and BG1 Z=48 (K=1056) above', () => {
    for (const e of entries) {
      const bg2 = e.rateNum <= 686;
      expect(e.code.startsWith(bg2 ? '5gnr:bg2:z104:e' : '5gnr:bg1:z48:e')).toBe(true);
      expect(e.k).toBe(bg2 ? 1040 : 1056);
      expect(nrBaseGraph(e.k, e.rate)).toBe(bg2 ? 2 : 1);
    }
    expect(entries.filter((e) => e.code.includes(':bg2:')).map((e) => e.index)).toEqual([...Array(23).keys()]);
  });

  it('rate-matches to the smallest whole number of symbols with K/E ≤ R', () => {
    for (const e of entries) {
      const qm = e.bitsPerSymbol;
      expect(e.n % qm).toBe(0);
      expect(e.k * 1024 <= e.rateNum * e.n).toBe(true); // K/E ≤ R, exactly
      expect(e.k * 1024 > e.rateNum * (e.n - qm)).toBe(true); // one symbol fewer would exceed R
      expect(e.code).toBe(`${e.code.slice(0, e.code.lastIndexOf(':'))}:e${e.n}`);
    }
    // Hand-computed ends of the table: row 0 E = 2·⌈1040·1024/240⌉ = 8876, row 28 E = 6·⌈1056·1024/5688⌉ = 1146.
    expect(entries[0].code).toBe('5gnr:bg2:z104:e8876');
    expect(entries[28].code).toBe('5gnr:bg1:z48:e1146');
    expect(nrRateMatchedLength(1040, 2, 120)).toBe(8876);
    expect(nrRateMatchedLength(1024, 2, 512)).toBe(2048); // exact division: no extra symbol
  });

  it('every row builds with ldpcCode; a random frame encodes to a mother codeword (H·c = 0)', () => {
    for (const e of entries) {
      const code = ldpcCode(e.code);
      expect([code.k, code.n]).toEqual([e.k, e.n]);
      expect(code.rate).toBeLessThanOrEqual(e.rate);
      const info = randomBits(code.k, 1000 + e.index);
      const cw = code.encodeCodeword(info);
      expect(failedChecks(code.H, cw)).toBe(0);
      const tx = code.encode(info);
      let same = true;
      for (let i = 0; i < code.n; i++) same &&= tx[i] === cw[code.txPositions[i]];
      expect(same).toBe(true);
    }
  });
});

describe('nrBaseGraph (TS 38.212 §7.2.2)', () => {
  it.each([
    [292, 0.9, 2], // A ≤ 292
    [293, 0.9, 1],
    [3824, 0.67, 2], // A ≤ 3824 and R ≤ 0.67
    [3825, 0.67, 1],
    [3824, 686 / 1024, 2],
    [3824, 687 / 1024, 1],
    [100000, 0.25, 2], // R ≤ 0.25
    [100000, 256 / 1024, 2],
    [100000, 257 / 1024, 1],
    [8448, 0.5, 1],
    [1, 1, 2],
  ])('A = %d, R = %d → BG%d', (a, r, bg) => {
    expect(nrBaseGraph(a, r)).toBe(bg);
  });

  it('rejects a bad payload or rate in one line', () => {
    expect(errorOf(() => nrBaseGraph(0, 0.5))).toBe('nrBaseGraph: payload A = 0 must be a positive integer');
    expect(errorOf(() => nrBaseGraph(100, 1.5))).toBe('nrBaseGraph: code rate R = 1.5 must be in (0, 1]');
    expect(errorOf(() => nrBaseGraph(100, NaN))).toBe('nrBaseGraph: code rate R = NaN must be in (0, 1]');
  });
});
