import { describe, expect, it } from 'vitest';
import { ldpcCode } from '../../../src/codes/ldpc.js';
import { ieee80211nMcsTable, IEEE80211N_MCS_LENGTHS } from '../../../src/codes/mcs/ieee80211n.js';
import { errorOf, failedChecks, randomBits } from '../parity.js';

// 802.11n HT MCS 0–7, one stream: modulation, coding rate, data rate at 20 MHz / 800 ns GI (Mb/s).
const STANDARD: [string, string, number][] = [
  ['bpsk', '1/2', 6.5],
  ['qpsk', '1/2', 13],
  ['qpsk', '3/4', 19.5],
  ['16qam', '1/2', 26],
  ['16qam', '3/4', 39],
  ['64qam', '2/3', 52],
  ['64qam', '3/4', 58.5],
  ['64qam', '5/6', 65],
];
const BITS: Record<string, number> = { bpsk: 1, qpsk: 2, '16qam': 4, '64qam': 6 };

describe('802.11n MCS tables', () => {
  it.each(IEEE80211N_MCS_LENGTHS.map((n) => [n]))('n = %d: MCS 0–7 as in the standard', (n) => {
    const table = ieee80211nMcsTable(n);
    expect(table.name).toBe(`80211n:${n}`);
    expect(table.reserved).toEqual([]);
    expect(table.entries.length).toBe(8);
    table.entries.forEach((e, i) => {
      const [modulation, rate, mbps] = STANDARD[i];
      expect(e.index).toBe(i);
      expect(e.modulation).toBe(modulation);
      expect(e.bitsPerSymbol).toBe(BITS[modulation]);
      expect(`${e.rateNum}/${e.rateDen}`).toBe(rate);
      expect(e.rate).toBe(e.rateNum / e.rateDen);
      expect(e.code).toBe(`80211n:${n}:${rate}`);
      // 52 data subcarriers × SE bits per 4 µs symbol = the standard's data rate.
      expect((52 * e.spectralEfficiency) / 4).toBeCloseTo(mbps, 12);
      expect(e.n % e.bitsPerSymbol).toBe(0);
    });
  });

  it('every entry builds with ldpcCode at rate k/n = R; a random frame satisfies H·c = 0', () => {
    for (const n of IEEE80211N_MCS_LENGTHS) {
      for (const e of ieee80211nMcsTable(n).entries) {
        const code = ldpcCode(e.code);
        expect([code.n, code.k]).toEqual([e.n, e.k]);
        expect(code.k * e.rateDen).toBe(code.n * e.rateNum);
        const cw = code.encode(randomBits(code.k, 7 + e.index + n));
        expect(failedChecks(code.H, cw)).toBe(0);
      }
    }
  });

  it('caches one table per length and rejects other lengths', () => {
    expect(ieee80211nMcsTable(648)).toBe(ieee80211nMcsTable(648));
    expect(errorOf(() => ieee80211nMcsTable(1000))).toBe('ieee80211nMcsTable: no 802.11n code of length 1000 (expected 648, 1296, 1944)');
  });
});
