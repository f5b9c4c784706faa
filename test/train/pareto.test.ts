// The accuracy vs channel-uses sweep (paretoSweep) on a tiny LeNet-5 MoE: rows complete and
// reproducible, the naive gate independent of λ, and λ = 1 cheaper than λ = 0 over adaptive MCS.
import { beforeAll, describe, expect, it } from 'vitest';
import { tinyMoe } from '../helpers/tiny_moe.js';
import type { DistributedMoE } from '../../src/moe/model.js';
import { DEFAULT_TRAIN_CONFIG, type TrainConfig } from '../../src/train/config.js';
import type { FeatureSet } from '../../src/train/features.js';
import { paretoSweep, type ParetoLink, type ParetoOptions, type ParetoRow } from '../../src/train/pareto.js';
import { analogLink } from '../../src/link/analog.js';
import { mcsLink } from '../../src/link/digital.js';
import { parseMcsPolicy } from '../../src/cli/channel_flags.js';

const cfg: TrainConfig = { ...DEFAULT_TRAIN_CONFIG, inputShape: [32, 32, 1], classes: 10, stage1Epochs: 1, stage2Epochs: 1, batchSize: 64 };

const LINKS: ParetoLink[] = [
  { label: 'analog', make: () => analogLink },
  { label: 'digital 80211n:1944:3', make: () => mcsLink(parseMcsPolicy('80211n:1944:3'), { bits: 8 }) },
  { label: 'adaptive', make: () => mcsLink(parseMcsPolicy('adaptive:table=80211n:1944'), { bits: 8 }) },
];

describe('paretoSweep', () => {
  let model: DistributedMoE;
  let features: { train: FeatureSet; validation: FeatureSet; test: FeatureSet };
  let rows: ParetoRow[];
  const options: ParetoOptions = { links: LINKS, lambdas: [0, 1], snr: { kind: 'range', min: -5, max: 25 }, channel: { channel: 'rayleigh' }, seed: 7 };

  beforeAll(async () => {
    ({ model, features } = await tinyMoe(cfg, { trainN: 512, testN: 256, featureTrainN: 384 }));
    rows = paretoSweep(model, features, cfg, options);
  }, 300_000);

  it('gives one row per link, λ and gate, in order, and leaves the model as it was', () => {
    expect(rows.map((r) => `${r.link}|${r.lambda}|${r.gate}`)).toEqual(
      LINKS.flatMap((l) => [0, 1].flatMap((lambda) => [`${l.label}|${lambda}|naive`, `${l.label}|${lambda}|channel-aware`])),
    );
    for (const r of rows) {
      expect(r.accuracy).toBeGreaterThan(0.1);
      expect(r.accuracy).toBeLessThanOrEqual(1);
      expect(r.channelUses.mean).toBeGreaterThan(0);
      expect(r.channelUses.p95).toBeGreaterThanOrEqual(r.channelUses.mean * 0.5);
    }
    // Analog: every expert costs ⌈d/2⌉, top-2 per sample.
    for (const r of rows.filter((x) => x.link === 'analog')) expect(r.channelUses).toEqual({ mean: 2 * Math.ceil(features.test.d / 2), p95: 2 * Math.ceil(features.test.d / 2) });
  });

  it('the naive rows do not depend on λ', () => {
    for (const l of LINKS) {
      const naive = rows.filter((r) => r.link === l.label && r.gate === 'naive');
      expect(naive).toHaveLength(2);
      expect({ ...naive[1], lambda: 0 }).toEqual(naive[0]);
    }
  });

  it('λ = 1 lowers the mean channel uses of the channel-aware gate over adaptive MCS', () => {
    const aware = rows.filter((r) => r.link === 'adaptive' && r.gate === 'channel-aware');
    expect(aware[1].channelUses.mean).toBeLessThan(aware[0].channelUses.mean);
  });

  it('is reproducible, and restores the stage-1 weights', () => {
    const before = model.params.toFlat();
    const again = paretoSweep(model, features, cfg, { ...options, links: LINKS.slice(2) });
    expect(again).toEqual(rows.filter((r) => r.link === 'adaptive'));
    expect(model.params.toFlat()).toEqual(before);
  }, 120_000);

  it('rejects bad options with one-line errors', () => {
    expect(() => paretoSweep(model, features, cfg, { ...options, lambdas: [0, -1] })).toThrow(/channel-use weight -1/);
    expect(() => paretoSweep(model, features, cfg, { ...options, lambdas: [0.1, 0.1] })).toThrow(/increase strictly/);
    expect(() => paretoSweep(model, features, cfg, { ...options, links: [LINKS[0], LINKS[0]] })).toThrow(/'analog' given twice/);
    expect(() => paretoSweep(model, features, cfg, { ...options, links: [] })).toThrow(/no links/);
  });
});
