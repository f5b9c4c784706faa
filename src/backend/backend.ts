import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { TensorInfo, DataType, Rank, TensorBuffer, backend_util } from '@tensorflow/tfjs-core';
import { OutputPool } from './output_pool.js';
import type { WasmModule } from '../wasm/module.js';
import type { NnExports } from '../kernels/nn_exports.js';

/**
 * The `wmoe` backend. It is tfjs-backend-cpu's backend class, so tensors live in JS memory
 * exactly as on `cpu` and every cpu kernel runs unchanged on it; the hot kernels (see
 * `src/kernels/`) copy their operands into the `nn` WASM module, run SIMD code there and copy
 * the result back, into arrays recycled by an {@link OutputPool}.
 */
export class WmoeBackend extends MathBackendCPU {
  /** Output arrays of the WASM kernels, reused once nothing can see them any more. */
  readonly outputs = new OutputPool();

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

  // Every path by which values enter or leave the backend tells the output pool (see
  // output_pool.ts for why each one matters).
  // (makeTensorInfo stores its values through write.)
  override write(values: backend_util.BackendValues, shape: number[], dtype: DataType): object {
    this.outputs.attach(values);
    return super.write(values, shape, dtype);
  }

  override move(dataId: object, values: backend_util.BackendValues, shape: number[], dtype: DataType, refCount: number): void {
    this.outputs.attach(values);
    super.move(dataId, values, shape, dtype, refCount);
  }

  override readSync(dataId: object): backend_util.BackendValues {
    const values = super.readSync(dataId);
    this.outputs.expose(values);
    return values;
  }

  override async read(dataId: object): Promise<backend_util.BackendValues> {
    const values = await super.read(dataId);
    this.outputs.expose(values);
    return values;
  }

  override bufferSync<R extends Rank, D extends DataType>(t: TensorInfo): TensorBuffer<R, D> {
    this.outputs.expose(this.data.get(t.dataId)?.values);
    return super.bufferSync<R, D>(t);
  }

  override disposeData(dataId: object, force = false): boolean {
    // has() before get(): get() of an id this backend does not hold (a custom kernel's output,
    // engine.makeTensorFromDataId) asks the engine to move the data here, which reads it from
    // this same backend again: endless recursion. cpu's disposeData ignores such ids; so do we.
    const values = this.data.has(dataId) ? this.data.get(dataId)!.values : undefined;
    const result = super.disposeData(dataId, force);
    if (!this.data.has(dataId)) this.outputs.release(values);
    return result;
  }

  /** Peak bytes of WASM linear memory used by the kernels so far. */
  wasmPeakBytes(): number {
    return this.nn.arena.peakBytes;
  }
}
