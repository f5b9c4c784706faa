import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { TensorInfo, DataType } from '@tensorflow/tfjs-core';
import type { WasmModule } from '../wasm/module.js';
import type { NnExports } from '../kernels/nn_exports.js';

/**
 * The `wmoe` backend. It is tfjs-backend-cpu's backend class, so tensors live in JS memory
 * exactly as on `cpu` and every cpu kernel runs unchanged on it; the hot kernels (see
 * `src/kernels/`) copy their operands into the `nn` WASM module, run SIMD code there and copy
 * the result back.
 */
export class WmoeBackend extends MathBackendCPU {
  constructor(readonly nn: WasmModule<NnExports>) {
    super();
    // tfjs-backend-cpu prints "install tfjs-node" on its first write in Node; not our advice.
    (this as unknown as { firstUse: boolean }).firstUse = false;
  }

  /** The float32 values of a tensor held by this backend (no copy). */
  f32(t: TensorInfo): Float32Array {
    const values = this.data.get(t.dataId).values;
    if (values instanceof Float32Array) return values;
    return Float32Array.from(this.readSync(t.dataId) as ArrayLike<number>);
  }

  /** Wraps `values` (owned from now on by the backend) as a new tensor. */
  output(shape: number[], values: Float32Array | Int32Array, dtype: DataType = 'float32'): TensorInfo {
    return this.makeTensorInfo(shape, dtype, values);
  }

  /** Peak bytes of WASM linear memory used by the kernels so far. */
  wasmPeakBytes(): number {
    return this.nn.arena.peakBytes;
  }
}
