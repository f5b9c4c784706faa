// matMul's transposed-A copy (src/kernels/matmul.ts, assembly/nn/matrix_transpose.ts) split over
// 2 threads by source rows: the same bits as 1 thread, and like tfjs-backend-cpu.
import { beforeAll, expect, it } from 'vitest';
import type { WmoeBackend } from '../../src/backend/backend.js';
import { maxRelError, rand, runOn, tf, wmoeWithThreads } from '../helpers/tf.js';

let backend: WmoeBackend;

beforeAll(async () => {
  backend = await wmoeWithThreads(2);
});

it('a transposed A of 1001 rows × 77 (chunks of rows with tails) on 2 threads equals 1 thread bit for bit and cpu', async () => {
  const f = () => tf.matMul(rand([2, 1001, 77], 1), rand([2, 1001, 40], 2), true, false);
  const pool = backend.nn.pool!;
  pool.active = 2;
  const before = pool.splitJobs;
  const [two] = await runOn('wmoe', f);
  expect(pool.splitJobs - before).toBeGreaterThan(0);
  pool.active = 1;
  const [one] = await runOn('wmoe', f);
  pool.active = 2;
  expect(Buffer.from(two.data.buffer).equals(Buffer.from(one.data.buffer))).toBe(true);
  const [cpu] = await runOn('cpu', f);
  expect(maxRelError(two.data, cpu.data)).toBeLessThan(2e-4);
  await tf.setBackend('wmoe');
});
