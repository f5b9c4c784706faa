// Padding of a vector's last codeword: the 802.11 scrambler sequence for 16/64-QAM (so a half-padded
// codeword sees the constellation's average energy), zeros for BPSK/QPSK (equal-energy symbols).
import { beforeAll, describe, expect, it } from 'vitest';
import { wmoe, tf } from '../helpers/tf.js';
import { scramblerSequence, paddingPattern } from '../../src/link/padding.js';
import { DigitalCodec } from '../../src/link/digital_codec.js';
import { wilsonInterval } from '../../src/sim/confidence.js';

describe('padding', () => {
  beforeAll(async () => {
    await wmoe();
    await tf.setBackend('wmoe');
  });

  it('is the IEEE 802.11 scrambler sequence for the all-ones seed (period 127, 64 ones)', () => {
    const s = scramblerSequence(254);
    // IEEE 802.11-2016 §17.3.5.5: the all-ones initial state gives 00001110 11110010 11001001 …
    expect(Array.from(s.subarray(0, 24)).join('')).toBe('000011101111001011001001');
    expect(Array.from(s.subarray(127))).toEqual(Array.from(s.subarray(0, 127)));
    expect(s.subarray(0, 127).reduce((a, b) => a + b, 0)).toBe(64);
    expect(paddingPattern(1, 100)).toBeNull();
    expect(paddingPattern(2, 100)).toBeNull();
    expect(paddingPattern(4, 100)!.length).toBe(100);
  });

  it('a mostly padded 64-QAM codeword fails no more often than a filled one at the same SNR', () => {
    // 80211n:1944 R5/6 (k = 1620): d = 25 values × 8 bits = 200 info bits, 1420 padding bits.
    const codec = new DigitalCodec({ code: '80211n:1944:5/6', modulation: '64qam', bits: 8 });
    const filled = new DigitalCodec({ code: '80211n:1944:5/6', modulation: '64qam', bits: 8 });
    const n = 1500, snr = 17.6;
    const small = Float32Array.from({ length: n * 25 }, (_, i) => Math.sin(i * 12.9898) * 43758.5453 % 1);
    const full = Float32Array.from({ length: n * 202 }, (_, i) => Math.sin(i * 78.233) * 43758.5453 % 1); // 1616 bits: 4 padding bits
    const a = codec.transmit(small, 25, new Float32Array(n).fill(snr), 1).stats;
    const b = filled.transmit(full, 202, new Float32Array(n).fill(snr), 1).stats;
    const pa = wilsonInterval(a.frameErrors, a.frames, 0.99), pb = wilsonInterval(b.frameErrors, b.frames, 0.99);
    expect(pa.lo).toBeLessThanOrEqual(pb.hi); // same BLER within statistics (zero padding: ~3× higher)
    expect(b.frameErrors).toBeGreaterThan(20); // the operating point is in the waterfall
  });
});
