// A minimize that throws (in the forward pass, or out of WASM memory) leaves no tensors behind:
// FusedAdam disposes what tfjs saved for the backward pass (releaseGradientTape).
import { beforeAll, expect, test } from 'vitest';
import { init, tf } from '../../src/backend/init.js';
import type { WmoeBackend } from '../../src/backend/backend.js';
import { FusedAdam } from '../../src/train/adam.js';
import { WasmMemoryError } from '../../src/errors.js';
import { cappedBackend, removeCappedBackend } from '../helpers/memory.js';
import { rand } from '../helpers/tf.js';

let backend: WmoeBackend;

beforeAll(async () => {
  backend = await init({ threads: 2 });
});

/** Tensors alive, and values the backend holds (with threads, WASM memory's tensors among them). */
const counts = (b: WmoeBackend) => ({ tensors: tf.memory().numTensors, data: b.numDataIds() });

test('a forward pass that throws leaves the tensor count and the heap where they were', () => {
  const w = tf.variable(rand([32, 16], 1), true, 'tape-w');
  const x = rand([8, 32], 2);
  const opt = new FusedAdam(0.01);
  opt.minimize(() => tf.sum(tf.square(tf.matMul(x, w))) as tf.Scalar)?.dispose(); // the arena and Adam's moments exist
  const before = { ...counts(backend), heap: backend.nn.heap!.inUseBytes };
  expect(() =>
    opt.minimize(() => {
      const h = tf.relu(tf.matMul(x, w)); // matMul and relu save tensors for the backward pass
      tf.sum(h);
      throw new Error('boom');
    }),
  ).toThrow('boom');
  expect({ ...counts(backend), heap: backend.nn.heap!.inUseBytes }).toEqual(before);
  // and training goes on as usual
  opt.minimize(() => tf.sum(tf.square(tf.matMul(x, w))) as tf.Scalar)?.dispose();
  opt.dispose();
  tf.dispose([w, x]);
});

test('a step that runs out of WASM memory leaves no tensors behind', async () => {
  const capped = await cappedBackend('wmoe-tape', 96); // 6 MiB
  await tf.setBackend('wmoe-tape');
  try {
    const w = tf.variable(rand([3, 3, 8, 16], 3), true, 'tape-conv');
    const opt = new FusedAdam(0.01);
    const step = (batch: number) => {
      const x = rand([batch, 16, 16, 8], 4) as tf.Tensor4D;
      try {
        // In a tidy, as training steps run (it disposes the loss, which a throwing backward pass leaves).
        tf.tidy(() => opt.minimize(() => tf.mean(tf.square(tf.relu(tf.conv2d(x, w as tf.Variable<tf.Rank.R4>, 1, 'same')))) as tf.Scalar));
      } finally {
        x.dispose();
      }
    };
    step(2);
    const before = counts(capped);
    expect(() => step(64)).toThrow(WasmMemoryError); // in the backward pass
    expect(counts(capped)).toEqual(before);
    opt.dispose();
    w.dispose();
  } finally {
    await tf.setBackend('wmoe');
    removeCappedBackend('wmoe-tape');
  }
});
