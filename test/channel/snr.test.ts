import { describe, expect, it } from 'vitest';
import { dbToLinear, ebn0ToEsn0, esn0ToEbn0, linearToDb, n0FromEsn0 } from '../../src/channel/index.js';

describe('SNR conversions', () => {
  it('Es/N0 = Eb/N0 + 10·log10(bits per symbol · code rate)', () => {
    expect(ebn0ToEsn0(4, 1)).toBe(4);
    expect(ebn0ToEsn0(4, 2)).toBeCloseTo(4 + 3.0103, 4);
    expect(ebn0ToEsn0(4, 4, 0.5)).toBeCloseTo(4 + 3.0103, 4);
    expect(ebn0ToEsn0(0, 4, 1 / 3)).toBeCloseTo(10 * Math.log10(4 / 3), 12);
    for (const [e, k, r] of [[1.5, 2, 0.75], [-3, 4, 0.5], [10, 1, 1]]) {
      expect(esn0ToEbn0(ebn0ToEsn0(e, k, r), k, r)).toBeCloseTo(e, 12);
    }
  });

  it('dB helpers and N0', () => {
    expect(dbToLinear(10)).toBeCloseTo(10, 12);
    expect(linearToDb(100)).toBeCloseTo(20, 12);
    expect(n0FromEsn0(3)).toBeCloseTo(10 ** -0.3, 14);
  });

  it('bad inputs → one-line errors', () => {
    expect(() => ebn0ToEsn0(NaN, 2)).toThrow(/ebn0Db must be a finite number, got NaN/);
    expect(() => ebn0ToEsn0(1, 0)).toThrow(/bitsPerSymbol must be > 0, got 0/);
    expect(() => esn0ToEbn0(1, 2, 1.5)).toThrow(/codeRate must be in \(0, 1\], got 1.5/);
    expect(() => linearToDb(-1)).toThrow(/x must be > 0, got -1/);
    expect(() => n0FromEsn0(Infinity)).toThrow(/esn0Db must be a finite number, got Infinity/);
  });
});
