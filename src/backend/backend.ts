import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { TensorInfo, DataType, Rank, TensorBuffer, backend_util } from '@tensorflow/tfjs-core';
import { OutputPool, type OutputStore } from './output_pool.js';
import { ResidentPool } from './resident_pool.js';
import type { WasmModule } from '../wasm/module.js';
import type { NnExports } from '../kernels/nn_exports.js';
import { forgetFilterForms } from '../kernels/conv/packed_filter_cache.js';

/**
 * The `wmoe` backend. It is tfjs-backend-cpu's backend class, so tensors hold typed arrays
 * exactly as on `cpu` and every cpu kernel runs unchanged on it; the hot kernels (see
 * `src/kernels/`) run SIMD code in the `nn` WASM module. With the one-thread module they copy
 * their operands in and their results out, into JS arrays recycled by an {@link OutputPool}.
 * With the threaded module (shared memory), a kernel's output stays in WASM memory as the
 * tensor's values (a {@link ResidentPool}), and the next kernel reads it there without a copy.
 */
export class WmoeBackend extends MathBackendCPU {
  /** Where the WASM kernels' outputs go, and what tracks their lifetime. */
  readonly outputs: OutputStore;

  /** `outputs`: the output store (default: a ResidentPool when the module has a heap, else an OutputPool). */
  constructor(readonly nn: WasmModule<NnExports>, outputs?: OutputStore) {
    super();
    this.outputs = outputs ?? (nn.heap ? new ResidentPool(nn.heap) : new OutputPool());
    // tfjs-backend-cpu prints "install tfjs-node" on its first write in Node; not our advice.
    (this as unknown as { firstUse: boolean }).firstUse = false;
  }

  /**
   * The float32 values of a tensor held by this backend, for a kernel to read (no copy). JS
   * values read again and again move into WASM memory once, where later kernels read them in
   * place (see OutputStore.promote): the tensor holds the moved values from then on.
   */
  f32(t: TensorInfo): Float32Array {
    const data = this.data.get(t.dataId);
    const values = data.values;
    if (!(values instanceof Float32Array)) return Float32Array.from(this.readSync(t.dataId) as ArrayLike<number>);
    const moved = this.outputs.promote(values);
    if (moved === undefined) return values;
    data.values = moved;
    return moved;
  }

  /** Wraps `values` (owned from now on by the backend) as a new tensor. */
  output(shape: number[], values: Float32Array | Int32Array, dtype: DataType = 'float32'): TensorInfo {
    return this.makeTensorInfo(shape, dtype, values);
  }

  // Every path by which values enter or leave the backend tells the output store (see
  // output_pool.ts and resident_pool.ts for why each one matters).
  // (makeTensorInfo stores its values through write.)
  override write(values: backend_util.BackendValues, shape: number[], dtype: DataType): object {
    const dataId = super.write(this.outputs.adopt(values), shape, dtype);
    if (this.writeDepth > 0) this.written[this.writtenCount++] = dataId;
    return dataId;
  }

  /**
   * Data ids written while {@link disposingWritesOnThrow} runs (nested calls share it): the
   * first `writtenCount` entries (the array is reused, not cleared, between kernel calls).
   */
  private readonly written: object[] = [];
  private writtenCount = 0;
  private writeDepth = 0;

  /**
   * Runs `body(arg)` (a kernel); when it throws, every value it wrote into the backend (intermediate
   * results such as a GEMM's output before its bias is added: data no tensor will ever own) is
   * disposed before the error propagates. Nests: an inner call disposes only its own writes, and
   * an outer one that throws also those of inner calls that returned.
   */
  disposingWritesOnThrow<T, A = undefined>(body: (arg: A) => T, arg?: A): T {
    const mark = this.writtenCount;
    this.writeDepth++;
    try {
      return body(arg as A);
    } catch (e) {
      const ids = this.written.slice(mark, this.writtenCount);
      this.writtenCount = mark;
      for (const dataId of ids) this.disposeData(dataId, true);
      throw e;
    } finally {
      if (--this.writeDepth === 0) this.writtenCount = 0;
    }
  }

  override move(dataId: object, values: backend_util.BackendValues, shape: number[], dtype: DataType, refCount: number): void {
    super.move(dataId, this.outputs.adopt(values), shape, dtype, refCount);
  }

  override readSync(dataId: object): backend_util.BackendValues {
    this.settle(dataId);
    const values = super.readSync(dataId);
    this.outputs.expose(values);
    return values;
  }

  override async read(dataId: object): Promise<backend_util.BackendValues> {
    this.settle(dataId);
    const values = await super.read(dataId);
    this.outputs.expose(values);
    return values;
  }

  override bufferSync<R extends Rank, D extends DataType>(t: TensorInfo): TensorBuffer<R, D> {
    this.settle(t.dataId);
    this.outputs.expose(this.data.get(t.dataId)?.values);
    return super.bufferSync<R, D>(t);
  }

  /** Moves a tensor's values out of WASM memory (into a JS copy) before they are handed out. */
  private settle(dataId: object): void {
    if (!this.data.has(dataId)) return;
    const data = this.data.get(dataId)!;
    const copy = this.outputs.evict(data.values);
    if (copy !== undefined) data.values = copy;
  }

  override disposeData(dataId: object, force = false): boolean {
    // has() before get(): get() of an id this backend does not hold (a custom kernel's output,
    // engine.makeTensorFromDataId) asks the engine to move the data here, which reads it from
    // this same backend again: endless recursion. cpu's disposeData ignores such ids; so do we.
    const values = this.data.has(dataId) ? this.data.get(dataId)!.values : undefined;
    const result = super.disposeData(dataId, force);
    if (!this.data.has(dataId)) {
      this.outputs.release(values);
      forgetFilterForms(dataId);
    }
    return result;
  }

  /**
   * Bytes of the nn module's whole WASM linear memory: its high-water mark, since linear memory
   * never shrinks. With one thread that is the largest kernel call's scratch (plus the module's
   * static data). With threads (resident tensors) it is everything that memory held at its
   * fullest: the kernels' scratch and also the tensors that live there (activations, gradients,
   * variables) and Adam's moments, so it grows with the model and the batch size, and it is
   * not comparable with the one-thread figure.
   */
  wasmPeakBytes(): number {
    return this.nn.arena.peakBytes;
  }
}
