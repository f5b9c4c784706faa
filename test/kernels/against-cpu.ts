// Runs one wmoe kernel config and the tfjs-backend-cpu kernel of the same name on the same
// inputs held by the wmoe backend, and returns both outputs as plain arrays. Lets a kernel be
// checked whether or not src/kernels/index.ts registers it yet.
import type { DataType, KernelConfig, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { tf, wmoe } from '../helpers/tf.js';

export interface Operand { shape: number[]; values: Float32Array | Int32Array; dtype?: DataType }
export interface Output { shape: number[]; dtype: DataType; data: number[] }

export async function wmoeVsCpu(config: KernelConfig, inputs: Record<string, Operand>, attrs: NamedAttrMap = {}) {
  const backend = await wmoe();
  const infos: Record<string, TensorInfo> = {};
  for (const [k, v] of Object.entries(inputs)) infos[k] = backend.output(v.shape, v.values.slice(), v.dtype ?? 'float32');
  const read = (out: TensorInfo | TensorInfo[]): Output[] =>
    (Array.isArray(out) ? out : [out]).map((t) => ({
      shape: t.shape.slice(), dtype: t.dtype, data: Array.from(backend.readSync(t.dataId) as ArrayLike<number>),
    }));
  const cpu = tf.getKernel(config.kernelName, 'cpu')!;
  const got = read(config.kernelFunc({ inputs: infos, backend, attrs }));
  const ref = read(cpu.kernelFunc({ inputs: infos, backend, attrs }));
  return { got, ref };
}
