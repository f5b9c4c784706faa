import { describe, expect, it } from 'vitest';
import { parseAlist } from '../../src/codes/alist.js';
import { ALIST_WIFI_540_648 } from '../../src/codes/data/alist/WIFI_540_648.js';
import { wifiCode, WIFI_LENGTHS, WIFI_RATES } from '../../src/codes/ieee80211n.js';
import { errorOf } from './parity.js';

describe('wifiCode', () => {
  for (const n of WIFI_LENGTHS) {
    for (const r of WIFI_RATES) {
      it(`${n} R${r}: sizes, Z = N/24, dual-diagonal parity part`, () => {
        const c = wifiCode(n, r);
        const [a, b] = r.split('/').map(Number);
        expect(c.Z).toBe(n / 24);
        expect(c.k).toBe((n * a) / b);
        expect(c.H.n).toBe(n);
        expect(c.H.m).toBe(n - c.k);
        const { rows, cols, shifts } = c.proto;
        const kb = cols - rows;
        // The parity part: first column weight 3 with equal outer shifts, then the dual diagonal of identities.
        const first = [];
        for (let i = 0; i < rows; i++) if (shifts[i * cols + kb] >= 0) first.push(shifts[i * cols + kb]);
        expect(first.length).toBe(3);
        expect(first[0]).toBe(first[2]);
        for (let j = 1; j < rows; j++) {
          expect(shifts[(j - 1) * cols + kb + j]).toBe(0);
          expect(shifts[j * cols + kb + j]).toBe(0);
        }
      });
    }
  }

  it('accepts the rate as a number and caches', () => {
    expect(wifiCode(1944, 0.5)).toBe(wifiCode(1944, '1/2'));
    expect(wifiCode(648, 5 / 6).rate).toBe('5/6');
  });

  it('648 R5/6 expands to WIFI_540_648.alist bit for bit', () => {
    const h = wifiCode(648, '5/6').H;
    const a = parseAlist(ALIST_WIFI_540_648);
    expect(h.n).toBe(a.n);
    expect(h.m).toBe(a.m);
    expect(Array.from(h.rowPtr)).toEqual(Array.from(a.rowPtr));
    expect(Array.from(h.colIdx)).toEqual(Array.from(a.colIdx));
  });

  it('names an unknown (N, R) pair in a one-line error', () => {
    expect(errorOf(() => wifiCode(640, '1/2'))).toMatch(/^wifiCode: no 802.11n code with N = 640 and R = 1\/2 \(/);
    expect(errorOf(() => wifiCode(648, '7/8'))).toMatch(/R = 7\/8/);
    expect(errorOf(() => wifiCode(648, 0.6))).toMatch(/R = 0.6/);
  });
});
