import { describe, expect, it } from 'vitest';
import { DigitalCodec } from '../../src/link/digital_codec.js';
import { Rng } from '../../src/channel/rng.js';
import { quantize, dequantize, toBits, fromBits } from '../../src/channel/quantize.js';
import { paddingPattern } from '../../src/link/padding.js';
import { n0FromEsn0 } from '../../src/channel/snr.js';

/**
 * The link built from the allocating, unfused pieces, one vector at a time: the reference that
 * the codec's reused buffers and fused channel must reproduce bit for bit.
 */
function referenceTransmit(c: DigitalCodec, x: Float32Array, d: number, snrs: number[], seed: number): Float32Array {
  const { code, modem } = c;
  const b = c.options.bits;
  const F = c.framesPerVector(d);
  const info = new Uint8Array(snrs.length * F * code.k);
  const pad = paddingPattern(modem.bitsPerSymbol, code.k); // the last codeword's unused bits
  const qs = snrs.map((_, i) => {
    const q = quantize(x.subarray(i * d, (i + 1) * d), b);
    info.set(toBits(q.codes, b), i * F * code.k);
    if (pad) for (let j = d * b; j < F * code.k; j++) info[i * F * code.k + j] = pad[j - (F - 1) * code.k];
    return q;
  });
  const coded = code.encodeBatch(info, snrs.length * F);
  const rng = new Rng(seed);
  const llr = new Float32Array(coded.length);
  const per = F * code.n;
  snrs.forEach((snr, i) => {
    const bits = coded.subarray(i * per, (i + 1) * per);
    if (snr === Infinity) bits.forEach((v, j) => (llr[i * per + j] = v ? -1e4 : 1e4));
    else llr.set(modem.demapExact(modem.addNoise(modem.modulate(bits), snr, rng), n0FromEsn0(snr)), i * per);
  });
  const dec = code.decodeBatch(llr, snrs.length * F, c.options.decoder);
  const out = new Float32Array(snrs.length * d);
  qs.forEach((q, i) => {
    const got = dec.bits.subarray(i * F * code.k, i * F * code.k + d * b);
    out.set(dequantize({ ...q, codes: fromBits(got, b) }), i * d);
  });
  return out;
}

const d = 400;
const vectors = (count: number) => new Rng(9).normal(count * d).map((x) => Math.max(0, x));

describe('digital codec (quantise → LDPC → modem → AWGN → decode → dequantise)', () => {
  it('counts channel uses as ⌈d·b/k⌉·n / log2 M', () => {
    const c = new DigitalCodec({ code: '80211n:648:1/2', modulation: 'qpsk', bits: 8 });
    expect(c.framesPerVector(d)).toBe(Math.ceil(3200 / 324));
    expect(c.channelUses(d)).toBe((10 * 648) / 2);
  });

  it('reconstructs within half a quantisation step at high SNR with no bit errors', () => {
    const c = new DigitalCodec({ code: '80211n:648:3/4', modulation: '16qam', bits: 6 });
    const x = vectors(4);
    const { received, stats } = c.transmit(x, d, [20, 25, 30, 30], 1);
    expect(stats.bitErrors).toBe(0);
    expect(stats.failedFrames).toBe(0);
    for (let v = 0; v < 4; v++) {
      const row = x.subarray(v * d, (v + 1) * d);
      const step = (Math.max(...row) - Math.min(...row)) / 63;
      for (let i = 0; i < d; i++) expect(Math.abs(received[v * d + i] - row[i])).toBeLessThanOrEqual(step / 2 + 1e-5);
    }
  });

  it('fails below the code threshold and reports it honestly', () => {
    const c = new DigitalCodec({ code: '80211n:648:1/2', modulation: 'bpsk', bits: 8 });
    const { stats } = c.transmit(vectors(2), d, [-8, -8], 2);
    expect(stats.failedFrames).toBeGreaterThan(0);
    expect(stats.bitErrors / stats.infoBits).toBeGreaterThan(0.05);
  });

  it('is deterministic for a seed', () => {
    const c = new DigitalCodec({ code: '80211n:648:1/2', modulation: 'bpsk', bits: 8 });
    const x = vectors(3);
    const a = c.transmit(x, d, [0, 1, 2], 5);
    const b = c.transmit(x, d, [0, 1, 2], 5);
    expect(Array.from(a.received)).toEqual(Array.from(b.received));
    expect(a.stats.bitErrors).toBe(b.stats.bitErrors);
  });

  it('equals the unfused, allocating chain bit for bit (runs of equal Es/N0, noiseless vectors)', () => {
    for (const [code, modulation, bits] of [['80211n:648:1/2', 'bpsk', 8], ['80211n:1296:3/4', '16qam', 6]] as const) {
      const c = new DigitalCodec({ code, modulation, bits });
      const x = vectors(6);
      const snrs = [1, 1, Infinity, 4, 4, 0];
      const want = referenceTransmit(c, x, d, snrs, 3);
      expect(Array.from(c.transmit(x, d, snrs, 3).received)).toEqual(Array.from(want));
    }
  });

  it('reused buffers carry nothing over between calls of different sizes', () => {
    const c = new DigitalCodec({ code: '80211n:648:1/2', modulation: 'qpsk', bits: 7 });
    const x = vectors(5);
    c.transmit(x, d, [0, 0, 0, 0, 0], 1); // grows the buffers and fills them with noisy data
    const small = vectors(2).subarray(0, 2 * 150);
    const got = c.transmit(small, 150, [2, 3], 4);
    const fresh = new DigitalCodec({ code: '80211n:648:1/2', modulation: 'qpsk', bits: 7 }).transmit(small, 150, [2, 3], 4);
    expect(Array.from(got.received)).toEqual(Array.from(fresh.received));
    expect(got.stats.bitErrors).toBe(fresh.stats.bitErrors);
    expect(Array.from(got.received)).toEqual(Array.from(referenceTransmit(c, small, 150, [2, 3], 4)));
  });

  it('rejects bad options and inputs with one-line errors', () => {
    expect(() => new DigitalCodec({ code: '80211n:648:1/2', modulation: 'bpsk', bits: 17 })).toThrow(/17/);
    expect(() => new DigitalCodec({ code: '80211n:700:1/2', modulation: 'bpsk', bits: 8 })).toThrow(/700/);
    const c = new DigitalCodec({ code: '80211n:648:1/2', modulation: 'bpsk', bits: 8 });
    expect(() => c.transmit(vectors(1), d, [NaN], 1)).toThrow(/NaN/);
    expect(() => c.transmit(vectors(2), d, [1, -Infinity], 1)).toThrow(/vector 1 is -Infinity/);
  });
});
