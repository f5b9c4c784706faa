// A kernel that throws after taking its output gives the output back, and disposes the values
// it wrote into the backend (releasingOutputs): with threads, where outputs are blocks of WASM
// memory, a forced out-of-memory error in the allocations that follow the take leaves the
// heap's bytes in use, and the backend's values, where they were.
import { beforeAll, describe, expect, test } from 'vitest';
import { init, tf } from '../../src/backend/init.js';
import type { WmoeBackend } from '../../src/backend/backend.js';
import { WasmMemoryError } from '../../src/errors.js';
import { failingAfterTake } from '../helpers/memory.js';
import { rand } from '../helpers/tf.js';

let backend: WmoeBackend;

beforeAll(async () => {
  backend = await init({ threads: 2 });
});

/** A resident tensor (a kernel's output) of the given shape, so that a kernel reads it without a copy. */
const resident = (shape: number[], seed: number) => tf.tidy(() => tf.relu(rand(shape, seed)));

describe('a kernel that throws after taking its output gives it back', () => {
  const cases: { name: string; inputs: () => tf.Tensor[]; run: (ts: tf.Tensor[]) => unknown }[] = [
    {
      // Strided input gradient: dx taken, then the packed filter and the col2im scratch.
      name: 'Conv2DBackpropInput (stride 2)',
      inputs: () => [resident([2, 4, 4, 16], 1), resident([3, 3, 8, 16], 2)],
      run: ([dy, filter]) => tf.engine().runKernel(tf.Conv2DBackpropInput, { dy: dy!, filter: filter! }, {
        strides: [2, 2], pad: 'same', dataFormat: 'NHWC', inputShape: [2, 8, 8, 8],
      }),
    },
    {
      // Fused matmul: the output taken, then the bias (a JS array) copied into the arena.
      name: '_FusedMatMul with a bias',
      inputs: () => [resident([16, 32], 3), resident([32, 24], 4), rand([24], 5)],
      run: ([a, b, bias]) => tf.fused.matMul({ a: a as tf.Tensor2D, b: b as tf.Tensor2D, bias: bias! }),
    },
    {
      // A bias of another shape: the GEMM's output becomes backend data, then the broadcast Add
      // (another kernel) fails copying the bias in; the intermediate output is disposed too.
      name: '_FusedMatMul with a broadcast [m, 1] bias',
      inputs: () => [resident([16, 32], 6), resident([32, 24], 7), rand([16, 1], 8)],
      run: ([a, b, bias]) => tf.fused.matMul({ a: a as tf.Tensor2D, b: b as tf.Tensor2D, bias: bias! }),
    },
  ];
  for (const { name, inputs, run } of cases) {
    test(name, () => {
      const ts = inputs();
      const heap = backend.nn.heap!;
      // Warm up: the arena's block grows to what the call needs, and a weight used twice gets its
      // packing cached (src/kernels/packed_b_cache.ts): neither belongs to the failing call.
      tf.dispose(run(ts) as tf.Tensor);
      tf.dispose(run(ts) as tf.Tensor);
      const before = { heap: heap.inUseBytes, data: backend.numDataIds() };
      const { error, takes } = failingAfterTake(backend, () => run(ts));
      expect(takes).toBeGreaterThanOrEqual(1);
      expect(error).toBeInstanceOf(WasmMemoryError);
      expect({ heap: heap.inUseBytes, data: backend.numDataIds() }).toEqual(before);
      // and the kernel still works
      tf.dispose(run(ts) as tf.Tensor);
      expect(heap.inUseBytes).toBe(before.heap);
      tf.dispose(ts);
    });
  }
});
