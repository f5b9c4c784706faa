// Uncoded bit error rates over simulated AWGN against the closed forms, within 4 binomial
// standard deviations. Truth values are CPython math.erfc evaluations of the same formulas
// (and src/channel/theory.ts must agree with them).
import { describe, expect, it } from 'vitest';
import { Rng, berBpsk, ber16Qam, berQpsk, bpsk, ebn0ToEsn0, qam16, qpsk, type Modem } from '../../src/channel/index.js';

function randomBits(n: number, seed: number): Uint8Array {
  const u = new Rng(seed).uniform(n);
  const bits = new Uint8Array(n);
  for (let i = 0; i < n; i++) bits[i] = u[i] < 0.5 ? 0 : 1;
  return bits;
}

function simulate(m: Modem, ebn0Db: number, nbits: number, seed: number): number {
  const bits = randomBits(nbits, seed);
  const esn0 = ebn0ToEsn0(ebn0Db, m.bitsPerSymbol);
  const y = m.addNoise(m.modulate(bits), esn0, seed + 1);
  const llr = m.demapMaxLog(y, 10 ** (-esn0 / 10));
  let errors = 0;
  for (let i = 0; i < nbits; i++) errors += (llr[i] < 0 ? 1 : 0) ^ bits[i];
  return errors;
}

function expectBer(errors: number, nbits: number, p: number): void {
  expect(Math.abs(errors - nbits * p)).toBeLessThan(4 * Math.sqrt(nbits * p * (1 - p)));
}

describe('uncoded BER vs closed forms', () => {
  const bpskTruth: [number, number][] = [[0, 0.07864960352514257], [4, 0.012500818040737563], [8, 0.00019090777407599314]];
  const qamTruth: [number, number][] = [[4, 0.058623737283404385], [8, 0.009247213741474417], [12, 0.00013865868881261903]];

  it('closed forms match independent evaluations', () => {
    for (const [e, p] of bpskTruth) {
      expect(berBpsk(e)).toBeCloseTo(p, 15);
      expect(Math.abs(berBpsk(e) / p - 1)).toBeLessThan(1e-12);
      expect(berQpsk(e)).toBe(berBpsk(e));
    }
    for (const [e, p] of qamTruth) expect(Math.abs(ber16Qam(e) / p - 1)).toBeLessThan(1e-12);
  });

  // bits per point: enough for ≳ 700 expected errors at the highest SNR (±15 % at 4 sd)
  const size = (p: number) => (p < 1e-3 ? 1 << 22 : 1 << 19);

  it('BPSK at Eb/N0 = 0, 4, 8 dB (4 M bits at 8 dB)', () => {
    for (const [e, p] of bpskTruth) expectBer(simulate(bpsk, e, size(p), 100 + e), size(p), p);
  });

  it('QPSK at Eb/N0 = 0, 4, 8 dB', () => {
    for (const [e, p] of bpskTruth) expectBer(simulate(qpsk, e, size(p), 200 + e), size(p), p);
  });

  it('16-QAM at Eb/N0 = 4, 8, 12 dB', () => {
    for (const [e, p] of qamTruth) expectBer(simulate(qam16, e, size(p), 300 + e), size(p), p);
  });
});
