// After a training run runs out of WASM memory, the batch size that the CLI's error names
// (trainWithin with stage1StepFits) really trains, on a backend whose memory is capped at 16 MiB.
import { beforeAll, expect, test } from 'vitest';
import { init, tf } from '../../src/backend/init.js';
import { DEFAULT_TRAIN_CONFIG, type TrainConfig } from '../../src/train/config.js';
import { runStage1Step, stage1StepFits } from '../../src/train/step_fits.js';
import { trainWithin } from '../../src/cli/commands/train.js';
import { InputError, WasmMemoryError, batchSizeThatFits } from '../../src/errors.js';
import { cappedBackend, removeCappedBackend } from '../helpers/memory.js';

const cfg = { ...DEFAULT_TRAIN_CONFIG, batchSize: 256, inputShape: [28, 28, 1], classes: 10 } as TrainConfig;
const PAGES = 256; // 16 MiB; a LeNet-5 MoE step needs ~43 MiB at batch 256

/** Runs `f` on a fresh backend capped at PAGES. */
async function onCappedBackend<T>(f: () => T): Promise<T> {
  await cappedBackend('wmoe-capped', PAGES);
  await tf.setBackend('wmoe-capped');
  try {
    return f();
  } finally {
    await tf.setBackend('cpu');
    removeCappedBackend('wmoe-capped');
  }
}

beforeAll(async () => {
  await init({ threads: 2, setBackend: false });
});

test('the batch size named after running out of WASM memory trains', async () => {
  let message = '';
  let estimate = 0;
  await onCappedBackend(() => {
    try {
      trainWithin(cfg, () => runStage1Step(cfg, cfg.batchSize), (b) => stage1StepFits(cfg, b));
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      message = (e as Error).message;
    }
  });
  // The figure-only estimate, for comparison (a step fails at its first request that does not fit),
  // on a fresh backend too: after the probes above the memory has another history, and the first
  // request that fails at batch 256 (so the estimate) can be another one.
  await onCappedBackend(() => {
    try {
      runStage1Step(cfg, cfg.batchSize);
    } catch (e) {
      expect(e).toBeInstanceOf(WasmMemoryError);
      const { neededBytes, haveBytes } = e as WasmMemoryError;
      expect(haveBytes).toBeLessThanOrEqual(PAGES * 65536); // what the engine granted, measured
      estimate = batchSizeThatFits(cfg.batchSize, neededBytes, haveBytes);
    }
  });
  const named = Number(/--batch-size (\d+) fits$/.exec(message)?.[1]);
  expect(message).toMatch(/^out of WASM memory at --batch-size 256 \(lenet5\): a kernel needed \d+ MiB, the engine gives \d+ MiB; --batch-size \d+ fits$/);
  expect(named).toBeGreaterThanOrEqual(1);
  expect(named).toBeLessThanOrEqual(estimate);
  // On a fresh backend of the same memory, training steps at that batch size run.
  await onCappedBackend(() => {
    for (let i = 0; i < 2; i++) runStage1Step(cfg, named);
  });
}, 60_000);
