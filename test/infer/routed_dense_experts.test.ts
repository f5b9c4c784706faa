// routedDenseLogits (src/infer/routed_dense_experts.ts): LeNet-5's stacked dense experts run on the
// host side on their routed rows give, for every routed (sample, expert) pair, the bits of the
// tensor path (routedExpertLogits: dense at batch 1, sparse gathers at batch 40).
import { beforeAll, expect, it } from 'vitest';
import { randomValues, tf, wmoe } from '../helpers/tf.js';
import type { WmoeBackend } from '../../src/backend/backend.js';
import { DistributedMoE } from '../../src/moe/model.js';
import { StackedDenseExperts } from '../../src/models/dense_head.js';
import { routedExpertLogits } from '../../src/moe/dispatch.js';
import { hostTopK } from '../../src/infer/host_routing.js';
import { routedDenseLogits } from '../../src/infer/routed_dense_experts.js';

let backend: WmoeBackend;

beforeAll(async () => {
  backend = await wmoe();
  await tf.setBackend('wmoe');
});

it('the routed pairs get the bits of routedExpertLogits; unrouted pairs stay 0 (batch 1 and 40, each expert its own rows)', () => {
  const K = 4;
  const moe = new DistributedMoE({ model: 'lenet5', dataset: 'mnist', inputShape: [32, 32, 1], classes: 10, experts: K, topK: 2, snrRange: [-10, 20] }, 5);
  expect(moe.experts).toBeInstanceOf(StackedDenseExperts);
  const layers = (moe.experts as StackedDenseExperts).denseLayers;
  const d = 400;
  for (const B of [1, 40]) {
    const routing = hostTopK(randomValues(B * K, B), B, K, 2);
    const rv = randomValues(K * B * d, 100 + B);
    const want = tf.tidy(() => routedExpertLogits(moe.experts, tf.tensor3d(rv, [K, B, d]), tf.tensor2d(routing.mask, [B, K])).dataSync() as Float32Array);
    // Twice: packing on the fly, then from the packed-B cache.
    for (let call = 0; call < 2; call++) {
      const got = routedDenseLogits(backend, layers, (k, b) => rv.subarray((k * B + b) * d, (k * B + b + 1) * d), routing, B, K, 10);
      for (let b = 0; b < B; b++) {
        for (let k = 0; k < K; k++) {
          const at = (k * B + b) * 10;
          const pair = [got, want].map((v) => Buffer.from(v.slice(at, at + 10).buffer));
          if (routing.mask[b * K + k] !== 0) expect(pair[0].equals(pair[1]), `batch ${B} sample ${b} expert ${k}`).toBe(true);
          else expect([...got.subarray(at, at + 10)]).toEqual(new Array(10).fill(0));
        }
      }
    }
  }
  moe.dispose();
});
