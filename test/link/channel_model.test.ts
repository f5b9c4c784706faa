// ChannelModel.realise: a batch's true gains, the gate's estimated SNR and the receivers' ĥ/σe²,
// checked against the fading process and the CSI estimators called independently, AWGN = today,
// block structure, random access (batch-size independence) and bad input.
import { describe, expect, it } from 'vitest';
import { ChannelModel, type ChannelModelSpec } from '../../src/link/channel_model.js';
import type { GateKnowledge, LinkBatch } from '../../src/link/link_batch.js';
import { GateCsiEstimator, quantiseDb, type GateCsiSpec } from '../../src/link/csi/gate_csi.js';
import { RxCsiEstimator, type RxCsiSpec } from '../../src/link/csi/rx_csi.js';
import { createFadingProcess } from '../../src/channel/fading/process.js';
import { parseFadingChannel, type DopplerSpec } from '../../src/channel/fading/spec.js';
import { expectInputError } from '../helpers/errors.js';

/** Heterogeneous mean SNRs in −5…25 dB (not integers), [count·K]. */
function meanSnrs(count: number, K: number, offset = 0): Float32Array {
  return Float32Array.from({ length: count * K }, (_, i) => -5 + (((i + offset) * 7.3) % 30));
}

function spec(
  channel: string, coherence: number, csi: GateCsiSpec = { kind: 'perfect' }, rxCsi: RxCsiSpec = { kind: 'perfect' },
  doppler: DopplerSpec | null = null,
): ChannelModelSpec {
  return { fading: { channel: parseFadingChannel(channel), coherence, doppler }, csi, rxCsi };
}

/** The true gain of block j of expert k from a fading process built independently of the model. */
function gainOf(s: ChannelModelSpec, K: number, seed: number, k: number, j: number): [number, number] {
  const out = new Float32Array(2);
  createFadingProcess(s.fading, K, seed).gains(k, j, 1, out);
  return [out[0], out[1]];
}

/** 10·log10(|h|²) + SNR̄ per pair, in float64 from the interleaved gains. */
function perfectSnrDb(h: Float32Array, mean: Float32Array): Float64Array {
  return Float64Array.from(mean, (m, i) => 10 * Math.log10(h[2 * i] ** 2 + h[2 * i + 1] ** 2) + m);
}

function concat(a: Float32Array | Int32Array, b: Float32Array | Int32Array): number[] {
  return [...Array.from(a), ...Array.from(b)];
}

describe('ChannelModel: AWGN is today', () => {
  const K = 3, count = 40;
  const mean = meanSnrs(count, K);
  mean[4] = Infinity; // a perfect link stays perfect
  for (const csi of [{ kind: 'perfect' }, { kind: 'stale', delay: 2 }, { kind: 'statistical' }] as GateCsiSpec[]) {
    it(`awgn, csi ${csi.kind}: h = 1 + 0j, gate SNR = mean SNR bit for bit, perfect receivers`, () => {
      const model = csi.kind === 'perfect' ? ChannelModel.awgn(K) : new ChannelModel(spec('awgn', 1, csi), K, 9);
      expect(model.isAwgnPerfect).toBe(true);
      const batch = model.realise(mean, count, 17, 1234);
      expect(Array.from(batch.gate.snrDb)).toEqual(Array.from(mean));
      expect(batch.channel.h.every((v, i) => v === (i % 2 === 0 ? 1 : 0))).toBe(true);
      expect(batch.rx.hHat).toEqual(batch.channel.h);
      expect(batch.rx.errVar.every((v) => v === 0)).toBe(true);
      expect(batch.rx.pilotUses).toBe(0);
      expect(batch.rx.perfect).toBe(true);
      expect(Array.from(batch.channel.block)).toEqual(Array.from({ length: count }, (_, b) => 17 + b));
      expect(batch.channel).toMatchObject({ batch: count, experts: K, slot0: 17, noiseSeed: 1234 });
      expect(batch.channel.meanSnrDb).toEqual(mean);
      expect(batch.channel.meanSnrDb).not.toBe(mean);
      expect(batch.available).toBeUndefined();
    });
  }
});

describe('ChannelModel: Rayleigh', () => {
  const K = 4, count = 25_000, seed = 77;
  const s = spec('rayleigh', 1);
  const mean = meanSnrs(count, K);
  const batch = new ChannelModel(s, K, seed).realise(mean, count, 0, 5);

  it('E|h|² ≈ 1 (within 4σ) and h is the fading process of the same seed', () => {
    const h = batch.channel.h;
    let power = 0;
    for (let i = 0; i < h.length; i += 2) power += h[i] ** 2 + h[i + 1] ** 2;
    expect(Math.abs(power / (count * K) - 1)).toBeLessThan(4 / Math.sqrt(count * K));
    for (const [b, k] of [[0, 0], [1, 3], [count - 1, 2]]) {
      expect([h[2 * (b * K + k)], h[2 * (b * K + k) + 1]]).toEqual(gainOf(s, K, seed, k, b));
    }
  });

  it("the gate's perfect-CSI SNR is 10·log10(|h|²) + SNR̄", () => {
    const want = perfectSnrDb(batch.channel.h, mean);
    let worst = 0;
    for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(batch.gate.snrDb[i] - want[i]));
    expect(worst).toBeLessThan(1e-4);
    expect(Array.from(batch.gate.snrDb)).not.toEqual(Array.from(mean));
  });

  it('the gate never sees h: GateKnowledge holds the SNR only', () => {
    const fields: Record<keyof GateKnowledge, true> = { snrDb: true }; // compile error if a field is added
    expect(Object.keys(batch.gate)).toEqual(Object.keys(fields));
  });
});

describe('ChannelModel: blocks and random access', () => {
  it('coherence 4: samples of a block share h, the next block differs', () => {
    const K = 2, N = 4, slot0 = 6, count = 14, seed = 3;
    const s = spec('rayleigh', N);
    const batch = new ChannelModel(s, K, seed).realise(meanSnrs(count, K), count, slot0, 0);
    const { h, block } = batch.channel;
    expect(Array.from(block)).toEqual(Array.from({ length: count }, (_, b) => Math.floor((slot0 + b) / N)));
    for (let b = 0; b + 1 < count; b++) {
      for (let k = 0; k < K; k++) {
        const x = 2 * (b * K + k), y = 2 * ((b + 1) * K + k);
        if (block[b] === block[b + 1]) expect([h[x], h[x + 1]]).toEqual([h[y], h[y + 1]]);
        else expect([h[x], h[x + 1]]).not.toEqual([h[y], h[y + 1]]);
      }
    }
    expect([h[0], h[1]]).toEqual(gainOf(s, K, seed, 0, 1));
  });

  it('slots [0, 100) in one batch = [0, 50) then [50, 100) = [37, 100) then [0, 37), every field', () => {
    const K = 3, seed = 41;
    const s = spec('rayleigh', 3, { kind: 'pilots', pilots: 2 }, { kind: 'pilots', pilots: 3 }, { model: 'jakes', f: 0.1 });
    const mean = meanSnrs(100, K);
    const whole = new ChannelModel(s, K, seed).realise(mean, 100, 0, 8);
    const halves = new ChannelModel(s, K, seed);
    const a = halves.realise(mean.subarray(0, 50 * K), 50, 0, 8), b = halves.realise(mean.subarray(50 * K), 50, 50, 9);
    const late = new ChannelModel(s, K, seed);
    const d = late.realise(mean.subarray(37 * K), 63, 37, 8), c = late.realise(mean.subarray(0, 37 * K), 37, 0, 8);
    for (const [x, y] of [[a, b], [c, d]]) {
      expect(concat(x.channel.h, y.channel.h)).toEqual(Array.from(whole.channel.h));
      expect(concat(x.channel.block, y.channel.block)).toEqual(Array.from(whole.channel.block));
      expect(concat(x.gate.snrDb, y.gate.snrDb)).toEqual(Array.from(whole.gate.snrDb));
      expect(concat(x.rx.hHat, y.rx.hHat)).toEqual(Array.from(whole.rx.hHat));
      expect(concat(x.rx.errVar, y.rx.errVar)).toEqual(Array.from(whole.rx.errVar));
    }
  });

  it('same seed, same batch; another seed, other gains', () => {
    const K = 2, s = spec('rician:3', 2, { kind: 'pilots', pilots: 1 }, { kind: 'pilots', pilots: 1 }, { model: 'ar1', f: 0.05 });
    const mean = meanSnrs(30, K);
    const run = (seed: number): LinkBatch => new ChannelModel(s, K, seed).realise(mean, 30, 11, 2);
    expect(run(5)).toEqual(run(5));
    expect(run(6).channel.h).not.toEqual(run(5).channel.h);
  });
});

describe('ChannelModel: the CSI kinds pass through to the estimators', () => {
  const K = 3, count = 60, seed = 19;
  const mean = meanSnrs(count, K);

  it('csi stale:2 (Jakes): the gate sees the gain of block j − 2', () => {
    const s = spec('rayleigh', 2, { kind: 'stale', delay: 2 }, undefined, { model: 'jakes', f: 0.05 });
    const batch = new ChannelModel(s, K, seed).realise(mean, count, 10, 0);
    for (const [b, k] of [[0, 0], [7, 1], [count - 1, 2]]) {
      const j = batch.channel.block[b], [re, im] = gainOf(s, K, seed, k, j - 2);
      const i = b * K + k;
      expect(batch.gate.snrDb[i]).toBeCloseTo(10 * Math.log10(re * re + im * im) + mean[i], 4);
    }
  });

  it('csi pilots:4: the gate estimator of the same seed, one estimate per block', () => {
    const s = spec('rayleigh', 2, { kind: 'pilots', pilots: 4 });
    const batch = new ChannelModel(s, K, seed).realise(mean, count, 0, 0);
    const own = new GateCsiEstimator({ kind: 'pilots', pilots: 4 }, K, seed).estimate(batch.channel.h, mean, batch.channel.block);
    expect(batch.gate.snrDb).toEqual(own);
    expect(Array.from(batch.gate.snrDb)).not.toEqual(Array.from(perfectSnrDb(batch.channel.h, mean), Math.fround));
    // One pilot draw per (block, expert): at equal mean SNRs, samples of a block share ĥ.
    const flat = new ChannelModel(s, K, seed).realise(new Float32Array(count * K).fill(5), count, 0, 0);
    const gainDb = Array.from(flat.gate.snrDb, (x) => x - 5); // 10·log10|ĥ|²
    for (let k = 0; k < K; k++) {
      expect(gainDb[K + k]).toBeCloseTo(gainDb[k], 4); // samples 0 and 1 are in block 0
      expect(gainDb[2 * K + k]).not.toBeCloseTo(gainDb[k], 4); // sample 2 is in block 1
    }
  });

  it('csi quantised:2 over the SNR range [−10, 20]: 4 levels, the quantised perfect-CSI SNR', () => {
    const s = spec('rayleigh', 1, { kind: 'quantised', bits: 2 });
    const batch = new ChannelModel(s, K, seed, { snrRange: [-10, 20] }).realise(mean, count, 0, 0);
    const want = Array.from(perfectSnrDb(batch.channel.h, mean), (x) => Math.fround(quantiseDb(x, [-10, 20], 2)));
    expect(Array.from(batch.gate.snrDb)).toEqual(want);
    expect(new Set(batch.gate.snrDb)).toEqual(new Set([-10, 0, 10, 20]));
    expectInputError(() => new ChannelModel(s, K, seed), "csi 'quantised:2' needs a finite SNR range lo < hi, got none");
  });

  it('csi statistical under Rayleigh: the gate sees the mean SNR only', () => {
    const batch = new ChannelModel(spec('rayleigh', 1, { kind: 'statistical' }), K, seed).realise(mean, count, 0, 0);
    expect(batch.gate.snrDb).toEqual(mean);
    expect(batch.channel.h.some((v, i) => v !== (i % 2 === 0 ? 1 : 0))).toBe(true);
  });

  it('rx-csi pilots:4: ĥ from the receiver estimator at slot slot0 + b, σe² = N0/4, 4 pilot uses', () => {
    const s = spec('rayleigh', 2, undefined, { kind: 'pilots', pilots: 4 });
    const batch = new ChannelModel(s, K, seed).realise(mean, count, 5, 0);
    const slots = Array.from({ length: count }, (_, b) => 5 + b);
    const own = new RxCsiEstimator({ kind: 'pilots', pilots: 4 }, K, seed).estimate(batch.channel.h, mean, slots);
    expect(batch.rx.hHat).toEqual(own.hHat);
    expect(batch.rx.hHat).not.toEqual(batch.channel.h);
    expect(Array.from(batch.rx.errVar)).toEqual(Array.from(mean, (m) => Math.fround(10 ** (-m / 10) / 4)));
    expect(batch.rx).toMatchObject({ pilotUses: 4, perfect: false });
  });

  it('isAwgnPerfect and gate pilot uses per sample (K·P/N)', () => {
    expect(new ChannelModel(spec('awgn', 1, { kind: 'pilots', pilots: 2 }), K, 0).isAwgnPerfect).toBe(false);
    expect(new ChannelModel(spec('awgn', 1, undefined, { kind: 'pilots', pilots: 1 }), K, 0).isAwgnPerfect).toBe(false);
    expect(new ChannelModel(spec('rayleigh', 1), K, 0).isAwgnPerfect).toBe(false);
    expect(new ChannelModel(spec('rayleigh', 4, { kind: 'pilots', pilots: 2 }), K, 0).gatePilotUsesPerSample).toBe(1.5);
    expect(ChannelModel.awgn(K).gatePilotUsesPerSample).toBe(0);
  });
});

describe('ChannelModel: bad input', () => {
  const K = 2, model = new ChannelModel(spec('rayleigh', 1, undefined, { kind: 'pilots', pilots: 1 }), K, 1);

  it('meanSnrDb of the wrong length: a one-line error, nothing realised', () => {
    expect(() => model.realise(new Float32Array(5), 3, 0, 0)).toThrowError(
      new RangeError('channel model: meanSnrDb has length 5, expected count·K = 3·2 = 6'),
    );
  });

  it('a NaN mean SNR names the pair; −∞ with receiver pilots', () => {
    expectInputError(() => model.realise(Float32Array.of(0, 1, NaN, 3), 2, 0, 0), 'channel model: mean SNR of pair 2 (sample 1, expert 0) is NaN');
    expectInputError(
      () => model.realise(Float32Array.of(0, -Infinity), 1, 0, 0),
      'channel model: mean SNR of pair 1 is −∞ dB, where rx-csi pilots cannot estimate a gain',
    );
  });

  it('bad count, slot, seeds and specs', () => {
    expect(() => model.realise([], -1, 0, 0)).toThrowError('count -1 is not an integer ≥ 0');
    expect(() => model.realise([0, 0], 1, 2.5, 0)).toThrowError('slot0 2.5 is not an integer ≥ 0');
    expect(() => model.realise([0, 0], 1, 0, -3)).toThrowError('noise seed -3 is not an integer');
    expectInputError(() => new ChannelModel(spec('rayleigh', 0), K, 1), 'coherence 0 is not an integer ≥ 1');
    expectInputError(() => new ChannelModel(spec('rayleigh', 1), 0, 1), 'experts 0 is not an integer ≥ 1');
    expectInputError(() => new ChannelModel(spec('rayleigh', 1), K, 2 ** 31), 'channel seed 2147483648 is not an integer in [0, 2^31)');
    expect(model.realise([], 0, 0, 0).channel.h.length).toBe(0);
  });
});
