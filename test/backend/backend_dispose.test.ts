import { describe, expect, it } from 'vitest';
import { tf, wmoe } from '../helpers/tf.js';

// tfjs-core lets a tensor carry a data id that its backend never stored (a custom kernel's
// output, engine.makeTensorFromDataId). Disposing it must be a no-op, as on cpu: looking the id
// up with DataStorage.get made the engine "move" the data back from this same backend, forever.
describe('backend wmoe: data ids it does not hold', () => {
  it('disposes a tensor made from an unknown data id without error, as cpu does', async () => {
    await wmoe();
    for (const name of ['cpu', 'wmoe']) {
      await tf.setBackend(name);
      const before = tf.memory().numTensors;
      const t = tf.engine().makeTensorFromDataId({}, [3], 'float32');
      expect(t.shape).toEqual([3]);
      expect(() => t.dispose(), name).not.toThrow();
      expect(tf.memory().numTensors, name).toBe(before);
    }
  });

  it('runs a custom kernel whose output data id the backend never stored, inside a scope', async () => {
    await wmoe();
    await tf.setBackend('wmoe');
    tf.registerKernel({
      kernelName: 'WmoeTestForeignOutput',
      backendName: 'wmoe',
      kernelFunc: () => ({ dtype: 'float32', shape: [2], dataId: {} }),
    });
    try {
      const x = tf.zeros([2]);
      // The output is disposed when the scope ends.
      expect(() => tf.tidy(() => {
        const y = tf.engine().runKernel('WmoeTestForeignOutput', { x }, {}) as tf.Tensor;
        expect(y.shape).toEqual([2]);
      })).not.toThrow();
      x.dispose();
    } finally {
      tf.unregisterKernel('WmoeTestForeignOutput', 'wmoe');
    }
  });
});
