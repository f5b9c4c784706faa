import { describe, expect, it } from 'vitest';
import { bpsk, getModem, qam16, qpsk, type Modem } from '../../src/channel/index.js';

const all: Modem[] = [bpsk, qpsk, qam16];

/** Every bit pattern of one symbol, in order. */
function patterns(m: Modem): Uint8Array {
  const k = m.bitsPerSymbol;
  const out = new Uint8Array(k << k);
  for (let s = 0; s < 1 << k; s++) for (let j = 0; j < k; j++) out[s * k + j] = (s >> (k - 1 - j)) & 1;
  return out;
}

/** The constellation as complex points with their bit labels, from modulate itself. */
function constellation(m: Modem): { re: number; im: number; bits: number[] }[] {
  const k = m.bitsPerSymbol;
  const bits = patterns(m);
  const sym = m.modulate(bits);
  return Array.from({ length: 1 << k }, (_, s) => ({
    re: sym[s * m.valuesPerSymbol],
    im: m.valuesPerSymbol === 2 ? sym[s * 2 + 1] : 0,
    bits: Array.from(bits.subarray(s * k, s * k + k)),
  }));
}

/** Brute force: LLR_j = ln Σ_{s: b_j=0} e^{−|y−s|²/N0} − ln Σ_{s: b_j=1} e^{−|y−s|²/N0}. */
function bruteLlr(m: Modem, re: number, im: number, n0: number, maxLog: boolean): number[] {
  const pts = constellation(m);
  return Array.from({ length: m.bitsPerSymbol }, (_, j) => {
    const acc = [maxLog ? -Infinity : 0, maxLog ? -Infinity : 0];
    for (const p of pts) {
      const metric = -((re - p.re) ** 2 + (im - p.im) ** 2) / n0;
      const b = p.bits[j];
      acc[b] = maxLog ? Math.max(acc[b], metric) : acc[b] + Math.exp(metric);
    }
    return maxLog ? acc[0] - acc[1] : Math.log(acc[0]) - Math.log(acc[1]);
  });
}

describe('modems', () => {
  it('unit average symbol energy and distinct points', () => {
    for (const m of all) {
      const pts = constellation(m);
      const es = pts.reduce((a, p) => a + p.re * p.re + p.im * p.im, 0) / pts.length;
      expect(es).toBeCloseTo(1, 6);
      expect(new Set(pts.map((p) => `${p.re},${p.im}`)).size).toBe(pts.length);
    }
  });

  it('Gray mapping: nearest neighbours differ in exactly one bit', () => {
    for (const m of all) {
      const pts = constellation(m);
      let dmin = Infinity;
      for (const a of pts) for (const b of pts) if (a !== b) dmin = Math.min(dmin, Math.hypot(a.re - b.re, a.im - b.im));
      for (const a of pts) for (const b of pts) {
        if (a !== b && Math.hypot(a.re - b.re, a.im - b.im) < dmin * 1.0001) {
          expect(a.bits.filter((x, i) => x !== b.bits[i]).length).toBe(1);
        }
      }
    }
  });

  it('BPSK maps bit 0 to +1; LLR sign convention: positive favours 0', () => {
    expect(Array.from(bpsk.modulate(new Uint8Array([0, 1])))).toEqual([1, -1]);
    const llr = bpsk.demapExact(new Float32Array([0.9, -0.2]), 0.5);
    expect(llr[0]).toBeGreaterThan(0);
    expect(llr[1]).toBeLessThan(0);
    expect(llr[0]).toBeCloseTo(4 * 0.9 / 0.5, 5);
  });

  it('exact LLRs equal a brute-force log-sum-exp over the constellation', () => {
    for (const m of all) {
      for (const n0 of [0.05, 0.5, 2]) {
        const nsym = 201;
        const y = new Float32Array(nsym * m.valuesPerSymbol);
        for (let i = 0; i < y.length; i++) y[i] = Math.fround(Math.sin(i * 12.9898 + n0) * 1.6);
        const exact = m.demapExact(y, n0);
        const maxlog = m.demapMaxLog(y, n0);
        for (let s = 0; s < nsym; s++) {
          const re = y[s * m.valuesPerSymbol], im = m.valuesPerSymbol === 2 ? y[s * 2 + 1] : 0;
          const be = bruteLlr(m, re, im, n0, false), bm = bruteLlr(m, re, im, n0, true);
          for (let j = 0; j < m.bitsPerSymbol; j++) {
            const i = s * m.bitsPerSymbol + j;
            expect(Math.abs(exact[i] - be[j])).toBeLessThan(1e-5 * (1 + Math.abs(be[j])));
            expect(Math.abs(maxlog[i] - bm[j])).toBeLessThan(1e-5 * (1 + Math.abs(bm[j])));
          }
        }
      }
    }
  });

  it('exact and max-log LLRs agree at high SNR and differ at low SNR (16-QAM)', () => {
    const bits = new Uint8Array(4000).map((_, i) => (i * 2654435761) >>> 31);
    const x = qam16.modulate(bits);
    const rel = (n0: number) => {
      const y = qam16.addNoise(x, -10 * Math.log10(n0), 3);
      const a = qam16.demapExact(y, n0), b = qam16.demapMaxLog(y, n0);
      let num = 0, den = 0;
      for (let i = 0; i < a.length; i++) { num += Math.abs(a[i] - b[i]); den += Math.abs(a[i]); }
      return num / den;
    };
    expect(rel(10 ** -2.5)).toBeLessThan(1e-3); // Es/N0 = 25 dB
    expect(rel(1)).toBeGreaterThan(0.02); // 0 dB
  });

  it('noiseless demapping recovers the bits', () => {
    const bits = new Uint8Array(4096).map((_, i) => (i * 40503 >> 7) & 1);
    for (const m of all) {
      const llr = m.demapMaxLog(m.modulate(bits), 0.1);
      expect(Array.from(llr, (l) => (l < 0 ? 1 : 0))).toEqual(Array.from(bits));
    }
  });

  it('getModem finds each modem by name', () => {
    expect(getModem('bpsk')).toBe(bpsk);
    expect(getModem('qpsk')).toBe(qpsk);
    expect(getModem('16qam')).toBe(qam16);
    expect(() => getModem('8psk' as 'bpsk')).toThrow(/unknown modulation '8psk'/);
  });

  it('bad inputs → one-line errors', () => {
    expect(() => bpsk.modulate(new Uint8Array([0, 2]))).toThrow(/bits\[1\] = 2 is not a bit/);
    expect(() => qpsk.modulate(new Uint8Array(3))).toThrow(/even number of bits, got 3/);
    expect(() => qam16.modulate(new Uint8Array(6))).toThrow(/multiple of 4 bits, got 6/);
    expect(() => bpsk.modulate([0, 1] as unknown as Uint8Array)).toThrow(/Uint8Array of 0\/1 bits, got Array/);
    for (const m of all) {
      expect(() => m.demapExact(new Float32Array(2), 0)).toThrow(/n0 must be > 0, got 0/);
      expect(() => m.demapMaxLog(new Float32Array(2), NaN)).toThrow(/n0 must be a finite number, got NaN/);
      expect(() => m.demapExact(new Float32Array([1, NaN]), 1)).toThrow(/y\[1\] = NaN is not finite/);
      expect(() => m.addNoise(new Float32Array(2), NaN, 1)).toThrow(/esn0Db must be a finite number, got NaN/);
    }
    expect(() => qpsk.demapExact(new Float32Array(3), 1)).toThrow(/odd length 3/);
    expect(() => qam16.demapMaxLog(new Float32Array(5), 1)).toThrow(/odd length 5/);
    expect(() => bpsk.demapExact(new Float32Array(2), 1e-45)).toThrow(/n0 = 1e-45 is too small/);
  });
});
