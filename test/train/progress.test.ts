// Training reports every step, each epoch's end and the feature extraction between the stages;
// reading the loss every step changes no result.
import { beforeAll, describe, expect, it } from 'vitest';
import { tf, wmoe } from '../helpers/tf.js';
import { loadMnist } from '../../src/data/mnist.js';
import { trainMoe } from '../../src/train/train.js';
import { DEFAULT_TRAIN_CONFIG, type TrainConfig } from '../../src/train/config.js';
import { analogLink } from '../../src/link/analog.js';
import type { DatasetSplit } from '../../src/data/dataset.js';
import type { PhaseInfo, ProgressEvent, StepInfo } from '../../src/train/progress.js';

const cfg: TrainConfig = {
  ...DEFAULT_TRAIN_CONFIG,
  inputShape: [32, 32, 1],
  classes: 10,
  trainSamples: 200,
  testSamples: 64,
  validationFraction: 0.1,
  stage1Epochs: 2,
  stage2Epochs: 1,
  batchSize: 32,
};

describe('training progress', () => {
  let data: DatasetSplit;
  beforeAll(async () => {
    await wmoe();
    await tf.setBackend('wmoe');
    data = await loadMnist();
  });

  it('reports each step with its samples, each epoch end, and gives the same model as without progress', () => {
    const events: ProgressEvent[] = [];
    const a = trainMoe(cfg, data, analogLink, (e) => events.push(e));
    const b = trainMoe(cfg, data, analogLink);
    expect(a.metrics).toEqual(b.metrics);
    expect(Array.from(a.model.params.toFlat())).toEqual(Array.from(b.model.params.toFlat()));
    a.model.dispose();
    b.model.dispose();

    const n = a.metrics.samples.train;
    const steps = Math.ceil(n / cfg.batchSize);
    const of = (stage: 1 | 2, kind: StepInfo['kind']) => events.filter((e): e is StepInfo => e.kind === kind && e.stage === stage);
    for (const [stage, epochs] of [[1, cfg.stage1Epochs], [2, cfg.stage2Epochs]] as const) {
      const stepEvents = of(stage, 'step');
      expect(stepEvents).toHaveLength(epochs * steps);
      stepEvents.forEach((e, i) => {
        expect(e.step).toBe((i % steps) + 1);
        expect(e.epoch).toBe(Math.floor(i / steps) + 1);
        expect(e.samples).toBe(Math.min(e.step * cfg.batchSize, n));
        expect(e.batch).toBe(e.samples - (e.step - 1) * cfg.batchSize);
        expect(e.samplesPerEpoch).toBe(n);
        expect(Number.isFinite(e.loss)).toBe(true);
      });
      // The last step's running mean is the epoch's loss; the epoch event carries it with the validation accuracy.
      const ends = of(stage, 'epoch');
      expect(ends.map((e) => e.batch)).toEqual(ends.map(() => stepEvents[steps - 1].batch));
      const history = stage === 1 ? a.metrics.stage1.epochs : a.metrics.stage2.epochs;
      expect(ends.map((e) => [e.epoch, e.loss, e.accuracy])).toEqual(history.map((h) => [h.epoch, h.loss, h.validationAccuracy]));
      expect(stepEvents.filter((e) => e.step === steps).map((e) => e.loss)).toEqual(history.map((h) => h.loss));
    }
    // Each epoch's validation, between its last step and its end; between the stages, the three
    // feature extractions; each phase from 0 to its set's size.
    const v = a.metrics.samples.validation;
    const ends = events.map((e) => (e.kind === 'phase' ? (e.done === e.total ? `${e.label} ${e.total}` : '') : `${e.kind} ${e.stage}.${e.epoch}.${e.step}`));
    const compact = ends.filter((x, i) => x !== '' && !(x.startsWith('step') && ends[i + 1]?.startsWith('step')));
    expect(compact).toEqual([
      `step 1.1.${steps}`, `validation features ${v}`, `validation ${v}`, `epoch 1.1.${steps}`,
      `step 1.2.${steps}`, `validation features ${v}`, `validation ${v}`, `epoch 1.2.${steps}`,
      `features (test) ${a.metrics.samples.test}`, `features (train) ${n}`, `features (validation) ${v}`,
      `step 2.1.${steps}`, `validation ${v}`, `epoch 2.1.${steps}`,
    ]);
    for (const p of events.filter((e): e is PhaseInfo => e.kind === 'phase')) expect(p.done).toBeLessThanOrEqual(p.total);
  }, 120_000);
});
