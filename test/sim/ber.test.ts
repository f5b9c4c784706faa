// The Monte-Carlo simulator against independent truth: uncoded error rates against the closed
// forms (CPython math.erfc evaluations, as in test/channel/ber.test.ts) within 4 binomial standard
// deviations, the coded waterfall's two ends, reproducibility, and input checks.
import { describe, expect, it } from 'vitest';
import { simulateBer, parseSnrRange, wilsonInterval, normalQuantile, formatBerTable, BitSource, type BerOptions } from '../../src/sim/index.js';
import { Rng, bpsk, ebn0ToEsn0, n0FromEsn0 } from '../../src/channel/index.js';
import { ldpcCode } from '../../src/codes/index.js';

/** |errors − N·p| < 4·√(N·p·(1−p)). */
function expectRate(errors: number, trials: number, p: number): void {
  expect(Math.abs(errors - trials * p)).toBeLessThan(4 * Math.sqrt(trials * p * (1 - p)));
}

// Eb/N0 (dB) → exact uncoded BER, from CPython: 0.5*erfc(sqrt(10**(e/10))) for BPSK/QPSK and
// (3Q(u) + 2Q(3u) − Q(5u))/4, u = sqrt(0.8·10**(e/10)), for Gray 16-QAM at nearest-neighbour thresholds.
const BPSK: [number, number][] = [[0, 0.07864960352514257], [4, 0.012500818040737563], [6, 0.002388290780932807]];
const QAM16: [number, number][] = [[4, 0.058623737283404385], [8, 0.009247213741474417]];
// Gray 64-QAM: (7Q(u) + 6Q(3u) − Q(5u) + Q(9u) − Q(13u))/12, u = sqrt(2·10**(e/10)/7), CPython.
const QAM64: [number, number][] = [[6, 0.0838167831472671], [10, 0.026532708797565165]];

describe('simulateBer, uncoded, against the closed forms', () => {
  const FRAMES = 384; // × 1024 bits = 393 216 bits per point
  const run = (o: Partial<BerOptions>) =>
    simulateBer({ code: 'none', maxFrames: FRAMES, maxFrameErrors: FRAMES, seed: 7, ...o } as BerOptions);

  it('BPSK (exact LLRs)', () => {
    const r = run({ modulation: 'bpsk', ebn0Db: BPSK.map(([e]) => e) });
    expect(r.k).toBe(1024);
    r.points.forEach((p, i) => {
      expect(p.bits).toBe(FRAMES * 1024);
      expect(p.esn0Db).toBeCloseTo(p.ebn0Db, 12); // R = 1, 1 bit per symbol
      expectRate(p.bitErrors, p.bits, BPSK[i][1]);
    });
  });

  it('BPSK with an odd frame length (1021 bits: unaligned frames)', () => {
    const r = run({ modulation: 'bpsk', ebn0Db: [4], blockBits: 1021, seed: 17 });
    expect(r.points[0].bits).toBe(FRAMES * 1021);
    expectRate(r.points[0].bitErrors, r.points[0].bits, BPSK[1][1]);
  });

  it('QPSK (exact LLRs): same BER per Eb/N0 as BPSK, Es/N0 = Eb/N0 + 3.01 dB', () => {
    const r = run({ modulation: 'qpsk', ebn0Db: BPSK.map(([e]) => e), seed: 8 });
    r.points.forEach((p, i) => {
      expect(p.esn0Db - p.ebn0Db).toBeCloseTo(10 * Math.log10(2), 12);
      expectRate(p.bitErrors, p.bits, BPSK[i][1]);
    });
  });

  it('16-QAM (max-log LLRs: nearest-neighbour thresholds), Es/N0 = Eb/N0 + 6.02 dB', () => {
    const r = run({ modulation: '16qam', demapper: 'maxlog', ebn0Db: QAM16.map(([e]) => e), seed: 9 });
    r.points.forEach((p, i) => {
      expect(p.esn0Db - p.ebn0Db).toBeCloseTo(10 * Math.log10(4), 12);
      expectRate(p.bitErrors, p.bits, QAM16[i][1]);
    });
  });

  it('64-QAM (max-log LLRs), uncoded frames of 1020 bits by default, Es/N0 = Eb/N0 + 7.78 dB', () => {
    const r = run({ modulation: '64qam', demapper: 'maxlog', ebn0Db: QAM64.map(([e]) => e), seed: 10 });
    expect(r.k).toBe(1020);
    r.points.forEach((p, i) => {
      expect(p.esn0Db - p.ebn0Db).toBeCloseTo(10 * Math.log10(6), 12);
      expectRate(p.bitErrors, p.bits, QAM64[i][1]);
    });
  });

  it('gives Es/N0 points back as given, with Eb/N0 derived', () => {
    const r = run({ modulation: '16qam', esn0Db: [10], maxFrames: 8 });
    expect(r.points[0].esn0Db).toBe(10);
    expect(r.points[0].ebn0Db).toBeCloseTo(10 - 10 * Math.log10(4), 12);
  });
});

describe('simulateBer, coded', () => {
  it('802.11n 648 R1/2, NMS: errors at 0 dB, none at 5 dB', () => {
    const r = simulateBer({ code: '80211n:648:1/2', ebn0Db: [0, 5], maxFrames: 400, maxFrameErrors: 50, seed: 3 });
    expect(r.rate).toBe(0.5);
    const [low, high] = r.points;
    expect(low.esn0Db).toBeCloseTo(-10 * Math.log10(2), 12);
    expect(low.frameErrors).toBe(50); // stopped by frame errors, counted frame by frame
    expect(low.frames).toBeLessThan(100);
    expect(low.ber).toBeGreaterThan(0.01);
    expect(high.frames).toBe(400);
    expect(high.bitErrors).toBe(0);
    expect(high.frameErrors).toBe(0);
    expect(high.meanIterations).toBeLessThan(4);
    expect(high.decoderMbps).toBeGreaterThan(0);
    expect(high.ferInterval.lo).toBe(0);
    expect(high.ferInterval.hi).toBeGreaterThan(0);
  });

  it('16-QAM and SPA on 802.11n 1296 R3/4: errors at 3 dB, none at 9 dB', () => {
    const r = simulateBer({
      code: '80211n:1296:3/4', modulation: '16qam', decoder: 'spa', iterations: 20, ebn0Db: [3, 9], maxFrames: 64, maxFrameErrors: 10, seed: 4,
    });
    expect(r.points[0].frameErrors).toBe(10);
    expect(r.points[1].bitErrors).toBe(0);
    expect(r.points[1].esn0Db - r.points[1].ebn0Db).toBeCloseTo(10 * Math.log10(0.75 * 4), 12);
  });

  it('the code beats uncoded BPSK at the same Eb/N0 (2.5 dB)', () => {
    const o = { ebn0Db: [2.5], maxFrames: 300, maxFrameErrors: 300, seed: 5 };
    const coded = simulateBer({ code: '80211n:648:1/2', ...o }).points[0].ber;
    const uncoded = simulateBer({ code: 'none', ...o }).points[0].ber;
    expect(uncoded).toBeGreaterThan(0.02);
    expect(coded).toBeLessThan(uncoded / 10);
  });
});

describe('simulateBer, reproducibility', () => {
  const base: BerOptions = { code: '80211n:648:1/2', ebn0Db: [1.5, 2], maxFrames: 600, maxFrameErrors: 40, seed: 11 };
  const counts = (o: BerOptions) => simulateBer(o).points.map((p) => [p.frames, p.bitErrors, p.frameErrors, p.undetectedFrameErrors]);

  it('same seed → identical counts; another seed → different counts', () => {
    const a = counts(base);
    expect(counts(base)).toEqual(a);
    expect(counts({ ...base, seed: 12 })).not.toEqual(a);
  });

  it('counts do not depend on the batch size', () => {
    expect(counts({ ...base, batchFrames: 37 })).toEqual(counts(base));
  });

  it('a point does not depend on the points before it', () => {
    const both = simulateBer(base).points;
    const alone = simulateBer({ ...base, ebn0Db: [1.5] }).points;
    expect(alone[0].bitErrors).toBe(both[0].bitErrors);
  });

  it('renders the table', () => {
    const t = formatBerTable(simulateBer({ ...base, ebn0Db: [2], maxFrames: 64 }));
    expect(t).toMatch(/Es\/N0 \|\s+Eb\/N0 \|\s+FRA \|\s+BE \|\s+FE \|\s+BER \|\s+FER/);
    expect(t.trim().split('\n').at(-1)).toMatch(/^\s+-1\.01 \|\s+2\.00 \|\s+64 \|/);
  });
});

describe('simulateBer, seeds keep their meaning (fused channel = the unfused chain)', () => {
  it('uncoded counts are those recorded with modulate → addNoise → demap per slice', () => {
    // Recorded from the simulator before it used modem.llrOverAwgn (1024-bit frames).
    const cases: [Partial<BerOptions>, [number, number, number][]][] = [
      [{ modulation: 'bpsk', ebn0Db: [2, 5], seed: 21 }, [[50, 1961, 50], [50, 298, 50]]],
      [{ modulation: 'qpsk', ebn0Db: [3], seed: 22 }, [[50, 1131, 50]]],
      [{ modulation: '16qam', ebn0Db: [6], seed: 23 }, [[50, 1409, 50]]],
    ];
    for (const [o, want] of cases) {
      const r = simulateBer({ code: 'none', maxFrames: 50, maxFrameErrors: 1000, ...o } as BerOptions);
      expect(r.points.map((p) => [p.frames, p.bitErrors, p.frameErrors])).toEqual(want);
    }
  });

  it('coded counts equal a re-run of the documented streams through the unfused chain', () => {
    const spec = '80211n:648:1/2';
    const o: BerOptions = { code: spec, ebn0Db: [1.5], maxFrames: 192, maxFrameErrors: 30, batchFrames: 64, seed: 13 };
    const got = simulateBer(o).points[0];
    // The reference: per point, a bit stream and a noise stream seeded by two 53-bit draws each from Rng(seed).
    const code = ldpcCode(spec);
    const master = new Rng(13);
    const draw = () => (master.nextU32() >>> 11) * 4294967296 + master.nextU32();
    const bitSeed = draw();
    const noiseSeed = draw();
    const bitsrc = new BitSource(bitSeed);
    const noise = new Rng(noiseSeed);
    const esn0 = ebn0ToEsn0(1.5, 1, code.rate);
    let frames = 0, bitErrors = 0, frameErrors = 0;
    while (frames < 192 && frameErrors < 30) {
      const info = bitsrc.fill(new Uint8Array(64 * code.k));
      const tx = code.encodeBatch(info, 64);
      const llr = bpsk.demapExact(bpsk.addNoise(bpsk.modulate(tx), esn0, noise), n0FromEsn0(esn0));
      const dec = code.decodeBatch(llr, 64, { algorithm: 'nms', iterations: 10, factor: 0.75, earlyStop: true });
      for (let f = 0; f < 64 && frameErrors < 30; f++) {
        let e = 0;
        for (let j = f * code.k; j < (f + 1) * code.k; j++) e += dec.bits[j] ^ info[j];
        frames++;
        bitErrors += e;
        if (e > 0) frameErrors++;
      }
    }
    expect([got.frames, got.bitErrors, got.frameErrors]).toEqual([frames, bitErrors, frameErrors]);
    expect(frameErrors).toBe(30); // the point is in the waterfall: the comparison is not trivially all-zero
  });
});

describe('simulateBer, bad input', () => {
  const ok: BerOptions = { code: '80211n:648:1/2', ebn0Db: [1] };
  const cases: [string, Partial<BerOptions> | Record<string, unknown>, string][] = [
    ['unknown code', { code: 'turbo:1024' }, 'turbo:1024'],
    ['unknown modulation', { modulation: '256qam' }, '256qam'],
    ['unknown decoder', { decoder: 'bf' }, 'bf'],
    ['iterations < 1', { iterations: 0 }, '0'],
    ['NaN Eb/N0', { ebn0Db: [1, NaN] }, 'NaN'],
    ['both SNR kinds', { esn0Db: [1] }, 'exactly one'],
    ['no SNR', { ebn0Db: undefined }, 'exactly one'],
    ['nmsFactor with spa', { decoder: 'spa', nmsFactor: 0.8 }, 'spa'],
    ['nmsFactor out of range', { nmsFactor: 1.5 }, '1.5'],
    ['maxFrames 0', { maxFrames: 0 }, '0'],
    ['bad seed', { seed: -1 }, '-1'],
    ['n not a multiple of the bits per symbol', { code: '5gnr:bg2:z10:e333', modulation: 'qpsk' }, '333'],
    ['n not a multiple of the 6 bits of 64-QAM', { code: '5gnr:bg2:z10:e334', modulation: '64qam' }, 'n = 334 bits is not a multiple of the 6 bits per symbol of 64qam'],
  ];
  for (const [name, o, needle] of cases) {
    it(`${name}: one-line error naming the value`, () => {
      let msg = '';
      try {
        simulateBer({ ...ok, ...o } as BerOptions);
      } catch (e) {
        msg = (e as Error).message;
      }
      expect(msg).toContain(needle);
      expect(msg.split('\n')).toHaveLength(1);
    });
  }
});

describe('parseSnrRange', () => {
  it('start:step:stop, inclusive, on a clean grid', () => {
    expect(parseSnrRange('0:0.5:4')).toEqual([0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4]);
    expect(parseSnrRange('0:0.1:0.3')).toEqual([0, 0.1, 0.2, 0.3]);
    expect(parseSnrRange('-2:1:0.5')).toEqual([-2, -1, 0]);
    expect(parseSnrRange('4:-1:2')).toEqual([4, 3, 2]);
    expect(parseSnrRange('3:1:3')).toEqual([3]);
  });
  it('lists and single values', () => {
    expect(parseSnrRange('1.5,2,2.5')).toEqual([1.5, 2, 2.5]);
    expect(parseSnrRange('-3')).toEqual([-3]);
  });
  it('bad text: one-line error naming it', () => {
    for (const [text, needle] of [['1:0:3', 'step'], ['3:1:0', '3:1:0'], ['a:1:2', "'a'"], ['1,NaN', 'NaN'], ['', "''"], ['1:2', '1:2'], ['1,,2', '1,,2'], ['0:1e-9:100', 'points']]) {
      expect(() => parseSnrRange(text, '--ebn0-db')).toThrow(needle);
      expect(() => parseSnrRange(text, '--ebn0-db')).toThrow('--ebn0-db');
    }
  });
});

describe('wilsonInterval', () => {
  it('matches the textbook values', () => {
    // 10/100 at 95 %: [0.0552, 0.1744] (Wilson 1927; Newcombe 1998, table I method 3)
    const { lo, hi } = wilsonInterval(10, 100);
    expect(lo).toBeCloseTo(0.0552, 4);
    expect(hi).toBeCloseTo(0.1744, 4);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963985, 8);
    expect(wilsonInterval(0, 50).lo).toBe(0);
    expect(wilsonInterval(0, 50).hi).toBeCloseTo(1.959964 ** 2 / (50 + 1.959964 ** 2), 6); // z²/(n + z²)
  });
});
