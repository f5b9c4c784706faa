// Stage 2 and evaluation under a channel model (fading, CSI) and the channel-use weight; routing
// around links in outage.
import { beforeAll, describe, expect, it } from 'vitest';
import { tinyMoe } from '../helpers/tiny_moe.js';
import type { DistributedMoE } from '../../src/moe/model.js';
import { DEFAULT_TRAIN_CONFIG, type TrainConfig } from '../../src/train/config.js';
import { trainStage2 } from '../../src/train/stage2.js';
import { evaluate } from '../../src/train/evaluate.js';
import { featureBatch, type FeatureSet } from '../../src/train/features.js';
import { analogLink } from '../../src/link/analog.js';
import { awgnLinkBatch } from '../../src/link/channel_model.js';
import type { LinkBatch } from '../../src/link/link_batch.js';

const cfg: TrainConfig = { ...DEFAULT_TRAIN_CONFIG, inputShape: [32, 32, 1], classes: 10, stage1Epochs: 1, stage2Epochs: 1, batchSize: 64 };
const K = cfg.experts;

describe('stage 2 and evaluation under a channel model', () => {
  let model: DistributedMoE;
  let stage1Weights: Float32Array;
  let train: FeatureSet;
  let validation: FeatureSet;
  let test: FeatureSet;

  /** Stage 2 from the stage-1 weights with `extra` config; returns the channel-aware gate's weights. */
  function stage2(extra: Partial<TrainConfig>): number[] {
    model.params.fromFlat(stage1Weights);
    trainStage2(model, train, validation, analogLink, { ...cfg, ...extra });
    return Array.from(model.params.toFlat());
  }

  beforeAll(async () => {
    const tiny = await tinyMoe(cfg, { trainN: 512, testN: 128 });
    ({ model, stage1: stage1Weights } = tiny);
    ({ train, validation, test } = tiny.features);
  }, 120_000);

  it('trains under Rayleigh fading with stale gate CSI, reproducibly, and not as under AWGN', () => {
    const fading = { channel: { channel: 'rayleigh', doppler: '0.05', csi: 'stale:1' } };
    const a = stage2(fading);
    const b = stage2(fading);
    expect(a).toEqual(b);
    expect(stage2({})).not.toEqual(a);
    // An explicit AWGN, perfect-CSI channel trains exactly as no channel at all.
    expect(stage2({ channel: { channel: 'awgn', csi: 'perfect', 'rx-csi': 'perfect' } })).toEqual(stage2({}));
  }, 60_000);

  it('the channel-use weight changes what stage 2 learns only when the links cost differently', () => {
    // Analog links all cost ⌈d/2⌉: the λ term's gradient is 0 (up to float rounding), so the gate is the same.
    const a = stage2({ channelUseWeight: 1 }), b = stage2({});
    expect(a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0)).toBeLessThan(1e-5);
  }, 60_000);

  it('evaluation: an AWGN channel setting equals no setting; fading is reproducible; channel uses count pilots', () => {
    model.params.fromFlat(stage1Weights);
    const base = { gate: 'channel-aware' as const, link: analogLink, snr: { kind: 'range' as const, min: -5, max: 15 }, seed: 4 };
    const plain = evaluate(model, test, base);
    expect(evaluate(model, test, { ...base, channel: { channel: 'awgn' } })).toEqual(plain);
    expect(plain.channelUses).toEqual({ mean: cfg.topK * Math.ceil(test.d / 2), p95: cfg.topK * Math.ceil(test.d / 2), samples: test.n });
    const fading = { ...base, channel: { channel: 'rayleigh', csi: 'pilots:2', 'rx-csi': 'pilots:3' } };
    const a = evaluate(model, test, fading);
    expect(evaluate(model, test, fading)).toEqual(a);
    expect(a.channelUses.mean).toBe(cfg.topK * (Math.ceil(test.d / 2) + 3));
    // Deep fades garble what some experts receive: accuracy drops below the AWGN figure.
    expect(a.accuracy).toBeLessThan(plain.accuracy);
  }, 60_000);

  it('routing never picks an expert whose link is in outage', () => {
    model.params.fromFlat(stage1Weights);
    const n = 32;
    const f = featureBatch(test, Array.from({ length: test.n }, (_, i) => i), 0, n);
    const awgn = awgnLinkBatch(new Float32Array(n * K).fill(10), n, K, 1);
    const available = Uint8Array.from({ length: n * K }, (_, i) => (i % K === 0 || (i % K === 1 && i < n * K / 2) ? 0 : 1));
    const batch: LinkBatch = { ...awgn, available };
    for (const gate of ['naive', 'channel-aware'] as const) {
      const mask = model.route(f, { gate, link: analogLink, batch }).mask.dataSync();
      for (let i = 0; i < n * K; i++) if (!available[i]) expect(mask[i]).toBe(0);
      const free = model.route(f, { gate, link: analogLink, batch: awgn }).mask.dataSync();
      expect(Array.from({ length: n }, (_, b) => free[b * K]).some((v) => v > 0)).toBe(true); // expert 0 was chosen before
    }
  });
});
