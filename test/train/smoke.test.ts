import { it, expect } from 'vitest';
import { wmoe, tf } from '../helpers/tf.js';
import { loadMnist } from '../../src/data/mnist.js';
import { trainMoe } from '../../src/train/train.js';
import { DEFAULT_TRAIN_CONFIG } from '../../src/train/config.js';
import { analogLink } from '../../src/link/analog.js';

it('trains a tiny MoE end to end', async () => {
  await wmoe();
  await tf.setBackend('wmoe');
  const data = await loadMnist();
  const t0 = Date.now();
  const { model, metrics } = trainMoe(
    { ...DEFAULT_TRAIN_CONFIG, inputShape: [32, 32, 1], classes: 10, trainSamples: 256, testSamples: 200, stage1Epochs: 1, stage2Epochs: 1 },
    data,
    analogLink,
    (i) => console.log(JSON.stringify(i)),
  );
  console.log(JSON.stringify(metrics, null, 1), Date.now() - t0, 'ms');
  expect(metrics.stage1.epochs.length).toBe(1);
  model.dispose();
});
