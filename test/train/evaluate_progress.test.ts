// Feature extraction and the evaluations report progress phases, and reporting changes no result.
import { beforeAll, describe, expect, it } from 'vitest';
import { tf, wmoe } from '../helpers/tf.js';
import { loadMnist } from '../../src/data/mnist.js';
import { head, type Dataset } from '../../src/data/dataset.js';
import { DistributedMoE } from '../../src/moe/model.js';
import { DEFAULT_TRAIN_CONFIG } from '../../src/train/config.js';
import { moeConfigOf } from '../../src/train/train.js';
import { extractFeatures, type FeatureSet } from '../../src/train/features.js';
import { evaluate } from '../../src/train/evaluate.js';
import { accuracyVsSnr, compareGates, standardConditions } from '../../src/train/compare.js';
import { analogLink } from '../../src/link/analog.js';
import { perfectLink } from '../../src/link/perfect.js';
import type { PhaseInfo, ProgressEvent } from '../../src/train/progress.js';

const cfg = { ...DEFAULT_TRAIN_CONFIG, inputShape: [32, 32, 1] as [number, number, number], classes: 10 };

/** A ProgressFn that records its events, and the phase events it got. */
function recorder() {
  const events: ProgressEvent[] = [];
  return { fn: (e: ProgressEvent) => events.push(e), phases: () => events as PhaseInfo[], events };
}

/** Checks one phase: starts at 0, counts up to `total` in steps of at most `step`, one label and unit. */
function expectPhase(events: PhaseInfo[], label: string, unit: string, total: number, expectedDone: number[]) {
  expect(events.every((e) => e.kind === 'phase' && e.label === label && e.unit === unit && e.total === total)).toBe(true);
  expect(events.map((e) => e.done)).toEqual(expectedDone);
}

describe('progress of feature extraction and evaluation', () => {
  let model: DistributedMoE;
  let images: Dataset;
  let features: FeatureSet;

  beforeAll(async () => {
    await wmoe();
    await tf.setBackend('wmoe');
    images = head((await loadMnist()).test, 300);
    model = new DistributedMoE(moeConfigOf(cfg), cfg.seed);
    features = extractFeatures(model, images);
  }, 60_000);

  it('extractFeatures reports images done per batch, and the features do not change', () => {
    const r = recorder();
    const out = extractFeatures(model, images, { batchSize: 128, progress: r.fn, label: 'features (test)' });
    expectPhase(r.phases(), 'features (test)', 'images', 300, [0, 128, 256, 300]);
    expect(out.features).toEqual(features.features);
    // The batch size alone, as before, still works.
    expect(extractFeatures(model, images, 100).features).toEqual(features.features);
  });

  it('evaluate reports images done per batch, and the result does not change', () => {
    const opts = { gate: 'channel-aware' as const, link: analogLink, snr: { kind: 'range' as const, min: -10, max: 20 }, seed: 5, batchSize: 100 };
    const r = recorder();
    const withProgress = evaluate(model, features, { ...opts, progress: r.fn });
    expectPhase(r.phases(), 'evaluate channel-aware gate, analog link', 'images', 300, [0, 100, 200, 300]);
    expect(withProgress).toEqual(evaluate(model, features, opts));
  });

  it('compareGates counts one evaluation per gate and SNR setting', () => {
    const K = cfg.experts;
    const conditions = [{ name: 'perfect', link: perfectLink, snr: [{ kind: 'perfect' as const }] }, ...standardConditions(analogLink, K, [-10, 20])];
    const total = 2 * (1 + 4 + K); // perfect, 3 equal, heterogeneous, K one-bad-link settings
    const r = recorder();
    const rows = compareGates(model, features, conditions, 1, r.fn, 'compare (analog)');
    expectPhase(r.phases(), 'compare (analog)', 'evaluations', total, Array.from({ length: total + 1 }, (_, i) => i));
    expect(rows).toEqual(compareGates(model, features, conditions, 1));
  });

  it('accuracyVsSnr counts one evaluation per gate and SNR setting', () => {
    const K = cfg.experts;
    const sweep = [0, 10];
    const total = 2 * sweep.length * (1 + K);
    const r = recorder();
    const curves = accuracyVsSnr(model, features, analogLink, sweep, 20, 1, r.fn);
    expectPhase(r.phases(), 'accuracy vs SNR', 'evaluations', total, Array.from({ length: total + 1 }, (_, i) => i));
    expect(curves).toEqual(accuracyVsSnr(model, features, analogLink, sweep, 20, 1));
  });
});
