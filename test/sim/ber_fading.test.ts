// simulateBer over flat block fading (issue 18, T11–T13): uncoded BPSK over Rayleigh against the
// closed form, the AWGN path unchanged bit for bit (counts recorded from the simulator before the
// fading options existed), reproducibility and batch-size independence, the block structure
// (frames of a block share h), coded FER without diversity, estimated receiver CSI, bad options.
import { describe, expect, it } from 'vitest';
import { simulateBer, wilsonInterval, type BerOptions } from '../../src/sim/index.js';
import { berBpskRayleigh } from '../../src/channel/index.js';

const counts = (o: BerOptions): number[][] =>
  simulateBer(o).points.map((p) => [p.frames, p.bitErrors, p.frameErrors, p.undetectedFrameErrors]);

describe('simulateBer over block Rayleigh fading, uncoded BPSK, perfect receiver CSI', () => {
  it('BER within the 99 % Wilson interval of ½(1 − √(γ̄/(1+γ̄))) at mean Eb/N0 0, 10, 20 dB (frames as trials)', () => {
    // The 64 bits of a frame share one h, so they are not independent trials; the frames are. The
    // per-frame error fraction e_f ∈ [0, 1] has mean p and variance ≤ p(1 − p), so the Wilson
    // interval over F frames at p̂ (round(p̂·F) "errors" in F trials) is conservative.
    const F = 100_000;
    const r = simulateBer({ code: 'none', channel: 'rayleigh', blockBits: 64, ebn0Db: [0, 10, 20], maxFrames: F, maxFrameErrors: F, batchFrames: 4096, seed: 2026 });
    expect(r).toMatchObject({ channel: 'rayleigh', coherence: 1, doppler: null, rxCsi: 'perfect', pilotUsesPerFrame: 0, channelUsesPerFrame: 64 });
    for (const p of r.points) {
      expect(p.frames).toBe(F);
      const ci = wilsonInterval(Math.round(p.ber * F), F, 0.99);
      const want = berBpskRayleigh(p.ebn0Db);
      expect(want, `${p.ebn0Db} dB: BER ${p.ber}`).toBeGreaterThanOrEqual(ci.lo);
      expect(want, `${p.ebn0Db} dB: BER ${p.ber}`).toBeLessThanOrEqual(ci.hi);
    }
    // far from the AWGN BER at 10 dB (3.9e-6): fading without diversity
    expect(r.points[1].ber).toBeGreaterThan(0.015);
  });
});

describe('simulateBer over AWGN with perfect receiver CSI: unchanged', () => {
  // [options, [frames, bitErrors, frameErrors, undetected] per point], from the simulator before the
  // channel options were added (commit ab63fb7).
  const BEFORE: [BerOptions, number[][]][] = [
    [{ code: 'none', modulation: 'bpsk', ebn0Db: [0, 4], maxFrames: 20, seed: 11 }, [[20, 1621, 20, 0], [20, 270, 20, 0]]],
    [{ code: 'none', modulation: '16qam', demapper: 'maxlog', esn0Db: [8], maxFrames: 10, seed: 12 }, [[10, 998, 10, 0]]],
    [{ code: '80211n:648:1/2', modulation: 'bpsk', ebn0Db: [1, 2], maxFrames: 200, maxFrameErrors: 30, seed: 13 }, [[37, 837, 30, 0], [200, 58, 11, 0]]],
    [{ code: '80211n:648:1/2', modulation: 'qpsk', ebn0Db: [1.5], maxFrames: 100, maxFrameErrors: 1000, batchFrames: 37, seed: 14 }, [[100, 201, 16, 0]]],
    [{ code: '80211n:648:1/2', modulation: '64qam', esn0Db: [12], maxFrames: 60, maxFrameErrors: 1000, seed: 15 }, [[60, 47, 3, 0]]],
  ];
  it('default options: the same counts bit for bit', () => {
    for (const [o, want] of BEFORE) expect(counts(o), JSON.stringify(o)).toEqual(want);
  });
  it("explicit channel 'awgn', rxCsi 'perfect' (any coherence or Doppler): the same counts", () => {
    for (const [o, want] of BEFORE) {
      expect(counts({ ...o, channel: 'awgn', rxCsi: 'perfect', coherence: 3, doppler: 0.1 }), JSON.stringify(o)).toEqual(want);
    }
  });
  it('records the default channel settings', () => {
    const r = simulateBer({ code: '80211n:648:1/2', modulation: 'qpsk', ebn0Db: [1], maxFrames: 1 });
    expect(r).toMatchObject({ channel: 'awgn', coherence: 1, doppler: null, rxCsi: 'perfect', pilotUsesPerFrame: 0, channelUsesPerFrame: 324 });
  });
});

describe('simulateBer over fading: reproducibility and blocks', () => {
  const base: BerOptions = { code: 'none', blockBits: 48, modulation: 'qpsk', esn0Db: [4, 9], maxFrames: 300, maxFrameErrors: 300, seed: 99 };
  const variants: [string, Partial<BerOptions>][] = [
    ['iid Rayleigh, coherence 5', { channel: 'rayleigh', coherence: 5 }],
    ['Rician K = 6 dB, Jakes f = 0.05, pilots:2', { channel: 'rician:6', doppler: 0.05, rxCsi: 'pilots:2' }],
    ['Rayleigh, AR(1) f = 0.1, coherence 3', { channel: 'rayleigh', doppler: 'ar1:0.1', coherence: 3 }],
    ['AWGN, pilots:1', { channel: 'awgn', rxCsi: 'pilots:1' }],
  ];
  for (const [name, v] of variants) {
    it(`${name}: same seed → same counts; batch size 7, 64 or 300 → same counts; another seed → others`, () => {
      const o = { ...base, ...v };
      const a = counts({ ...o, batchFrames: 64 });
      expect(counts({ ...o, batchFrames: 64 })).toEqual(a);
      expect(counts({ ...o, batchFrames: 7 })).toEqual(a);
      expect(counts({ ...o, batchFrames: 300 })).toEqual(a);
      expect(counts({ ...o, batchFrames: 64, seed: 100 })).not.toEqual(a);
      // the noise stream stops where the point's budget ends, also mid-batch
      expect(counts({ ...o, maxFrameErrors: 40, batchFrames: 64 })).toEqual(counts({ ...o, maxFrameErrors: 40, batchFrames: 9 }));
    });
  }

  it('frames of one block share h: with one block per point the per-point BER spreads; with one per frame it does not', () => {
    // 12 points at the same mean SNR (each point its own fading link). Coherence = frames: each
    // point's BER is the AWGN BER at its one |h|²·γ̄, spread over orders of magnitude; coherence 1:
    // each point averages 400 independent gains.
    const o: BerOptions = { code: 'none', channel: 'rayleigh', blockBits: 128, ebn0Db: Array(12).fill(6), maxFrames: 400, maxFrameErrors: 400, seed: 5 };
    const spread = (coherence: number): number => {
      const ber = simulateBer({ ...o, coherence }).points.map((p) => p.ber);
      return Math.max(...ber) / Math.max(Math.min(...ber), 1e-6);
    };
    expect(spread(400)).toBeGreaterThan(30);
    expect(spread(1)).toBeLessThan(2);
  });
});

describe('simulateBer over fading: coded, and estimated receiver CSI', () => {
  it('802.11n 648 R1/2 BPSK at 10 dB: FER over Rayleigh ≫ FER over AWGN (no diversity within a codeword)', () => {
    const o: BerOptions = { code: '80211n:648:1/2', ebn0Db: [10], maxFrames: 300, maxFrameErrors: 300, seed: 4 };
    const awgn = simulateBer(o).points[0];
    const ray = simulateBer({ ...o, channel: 'rayleigh' }).points[0];
    expect(awgn.frameErrors).toBe(0);
    // outage P(|h|²·10 dB below the code's ~2 dB threshold) = 1 − exp(−10^(−0.8)) ≈ 0.15
    expect(ray.fer).toBeGreaterThan(0.05);
    expect(ray.fer).toBeLessThan(0.35);
  });

  it('rx-csi pilots:1 gives a higher BER than perfect receiver CSI, and its pilot uses are counted', () => {
    const o: BerOptions = { code: 'none', channel: 'rayleigh', blockBits: 64, ebn0Db: [10], maxFrames: 20_000, maxFrameErrors: 20_000, seed: 8 };
    const perfect = simulateBer(o);
    const pilots = simulateBer({ ...o, rxCsi: 'pilots:1' });
    expect(pilots).toMatchObject({ rxCsi: 'pilots:1', pilotUsesPerFrame: 1, channelUsesPerFrame: 65 });
    const [a, b] = [perfect.points[0], pilots.points[0]];
    // Wilson intervals over frames (conservative, as above) do not overlap
    const ci = (p: typeof a) => wilsonInterval(Math.round(p.ber * p.frames), p.frames, 0.999);
    expect(ci(b).lo).toBeGreaterThan(ci(a).hi);
    expect(b.ber).toBeGreaterThan(1.3 * a.ber);
    // more pilots, closer to perfect
    const four = simulateBer({ ...o, rxCsi: 'pilots:4' }).points[0];
    expect(four.ber).toBeLessThan(b.ber);
    expect(four.ber).toBeGreaterThan(a.ber);
  });
});

describe('simulateBer: bad channel options are one-line errors naming the value', () => {
  const o: BerOptions = { code: 'none', ebn0Db: [1], maxFrames: 1 };
  const bad: [Partial<BerOptions>, RegExp][] = [
    [{ channel: 'nakagami' }, /^simulateBer: channel 'nakagami' is not one of awgn, rayleigh, rician:K/],
    [{ channel: 'rician:abc' }, /^simulateBer: channel 'rician:abc': the Rician K-factor 'abc' is not a number/],
    [{ coherence: 0 }, /^simulateBer: coherence must be an integer ≥ 1 \(frames per fading block\), got 0$/],
    [{ coherence: 1.5 }, /got 1\.5$/],
    [{ doppler: 0.7 }, /^simulateBer: doppler f = 0\.7 is not a number in \[0, 0\.5\]$/],
    [{ doppler: 'ar1:-1' }, /^simulateBer: doppler 'ar1:-1': f = '-1' is not a number in \[0, 0\.5\]$/],
    [{ rxCsi: 'pilots:0' }, /^simulateBer: .*'pilots:0'.*/],
    [{ rxCsi: 'stale:1' }, /^simulateBer: rx-csi 'stale:1' is not one of perfect, pilots:P$/],
  ];
  for (const [v, msg] of bad) {
    it(JSON.stringify(v), () => {
      let err: unknown;
      try {
        simulateBer({ ...o, ...v });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).name).toBe('InputError');
      expect((err as Error).message).toMatch(msg);
      expect((err as Error).message).not.toContain('\n');
    });
  }
});
