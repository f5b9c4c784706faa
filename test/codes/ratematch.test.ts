import { describe, expect, it } from 'vitest';
import { nrCircularBufferLength, nrRateMatch, nrRateRecover, nrTransmittedPositions } from '../../src/codes/ratematch.js';
import { errorOf, randomBits } from './parity.js';

describe('NR rate matching (rv = 0, full circular buffer)', () => {
  const cols = 68;
  const z = 4;
  const N = cols * z;
  const ncb = nrCircularBufferLength(cols, z);

  it('the buffer skips the first 2Z systematic bits', () => {
    expect(ncb).toBe(66 * z);
    expect(nrCircularBufferLength(52, 384)).toBe(50 * 384);
  });

  it('E < N_cb takes the head of the buffer, E > N_cb wraps around', () => {
    const c = randomBits(N, 9);
    const short = nrRateMatch(c, cols, z, 100);
    expect(Array.from(short)).toEqual(Array.from(c.subarray(2 * z, 2 * z + 100)));
    const long = nrRateMatch(c, cols, z, 2 * ncb + 7);
    for (let j = 0; j < long.length; j++) expect(long[j]).toBe(c[2 * z + (j % ncb)]);
    const pos = nrTransmittedPositions(cols, z, 2 * ncb + 7);
    expect(Array.from(long)).toEqual(Array.from(pos, (p) => c[p]));
  });

  it('the receiver zeros punctured positions and sums repeats', () => {
    const e = ncb + 10;
    const llr = Float32Array.from({ length: e }, (_, j) => j + 1);
    const out = nrRateRecover(llr, cols, z);
    expect(out.length).toBe(N);
    for (let p = 0; p < 2 * z; p++) expect(out[p]).toBe(0);
    for (let j = 0; j < 10; j++) expect(out[2 * z + j]).toBe(j + 1 + (ncb + j + 1));
    expect(out[2 * z + 10]).toBe(11);
    expect(out[N - 1]).toBe(ncb);
    const tail = nrRateRecover(new Float32Array(5).fill(2), cols, z);
    expect(Array.from(tail.subarray(2 * z, 2 * z + 6))).toEqual([2, 2, 2, 2, 2, 0]);
  });

  it('rejects bad E and codeword lengths', () => {
    expect(errorOf(() => nrRateMatch(new Uint8Array(N), cols, z, 0))).toBe(
      'nrRateMatch: E = 0 must be a positive integer number of bits',
    );
    expect(errorOf(() => nrRateMatch(new Uint8Array(N - 1), cols, z, 10))).toMatch(/codeword has 271 bits, expected 68·4 = 272/);
  });
});
