import { describe, expect, it } from 'vitest';
import { DigitalCodec } from '../../src/link/digital_codec.js';
import { Rng } from '../../src/channel/rng.js';

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

  it('rejects bad options and inputs with one-line errors', () => {
    expect(() => new DigitalCodec({ code: '80211n:648:1/2', modulation: 'bpsk', bits: 17 })).toThrow(/17/);
    expect(() => new DigitalCodec({ code: '80211n:700:1/2', modulation: 'bpsk', bits: 8 })).toThrow(/700/);
    const c = new DigitalCodec({ code: '80211n:648:1/2', modulation: 'bpsk', bits: 8 });
    expect(() => c.transmit(vectors(1), d, [NaN], 1)).toThrow(/NaN/);
  });
});
