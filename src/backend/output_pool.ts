/**
 * Where the float32 outputs of the WASM kernels are put, and what the backend tells it as
 * values enter and leave tensors. Two kinds: {@link OutputPool} (JS arrays, recycled) and
 * ResidentPool (blocks of a shared WASM memory; src/backend/resident_pool.ts).
 */
export interface OutputStore {
  /** Values for a kernel output of `length` floats (contents arbitrary). */
  take(length: number): Float32Array;
  /** `values` become the data of a tensor; returns what the tensor must hold (a copy, when they may not be shared). */
  adopt<V>(values: V): V;
  /** `values` were handed to code outside the backend. */
  expose(values: unknown): void;
  /**
   * `values` (a tensor's data) are about to be handed out: a JS copy to hold instead when they
   * live in WASM memory (whose block is freed), else undefined.
   */
  evict(values: unknown): Float32Array | undefined;
  /** The tensor that held `values` is gone. */
  release(values: unknown): void;
  /** Byte address of `values` in the nn module's memory when they live there, else undefined. */
  pointerOf(values: unknown): number | undefined;
  /**
   * A kernel reads a tensor's JS float32 `values`: values for the tensor to hold instead (a
   * copy in the nn module's memory, which later kernels read in place), or undefined to keep them.
   */
  promote(values: Float32Array): Float32Array | undefined;
  /** A mark for {@link discardSince}: the outputs taken from now on are after it. */
  mark(): number;
  /**
   * Gives back every output taken since `mark` that has not become a tensor's values (a kernel
   * threw after taking it; see wasm_io.ts `releasingOutputsOnThrow`).
   */
  discardSince(mark: number): void;
}

/**
 * Recycles the Float32Arrays that the WASM kernels return, so that a training loop does not
 * pay for fresh memory (first-touch page faults) on every kernel call.
 *
 * An array may be reused only when no one else can still see it. It is tracked from the moment
 * a kernel takes it ({@link take}) and becomes the values of exactly one tensor
 * ({@link attach}); it is dropped from tracking for good as soon as it is
 *  - handed out to user code (readSync/read/bufferSync: `dataSync()` returns the array itself),
 *  - or attached to a second tensor, or viewed by one (a cpu kernel that returns the same
 *    array or a subarray of it, e.g. a simple slice).
 * When its one tensor's data is freed ({@link release}), the array goes back to the pool.
 */
export class OutputPool implements OutputStore {
  /** Arrays taken but not attached yet. */
  private readonly taken = new WeakSet<ArrayBuffer>();
  /** Arrays attached to exactly one tensor and never exposed. */
  private readonly owned = new WeakSet<ArrayBuffer>();
  private readonly free = new Map<number, Float32Array[]>();
  private freeBytes = 0;

  constructor(private readonly maxBytes = 64 * 2 ** 20) {}

  /** A Float32Array of `length` values (recycled when possible); contents are arbitrary. */
  take(length: number): Float32Array {
    const list = this.free.get(length);
    let a = list?.pop();
    if (a !== undefined) {
      this.freeBytes -= a.byteLength;
      if (list!.length === 0) this.free.delete(length);
    } else {
      a = new Float32Array(length);
    }
    this.taken.add(a.buffer as ArrayBuffer);
    return a;
  }

  /** `values` became the data of a tensor. */
  attach(values: unknown): void {
    const buffer = bufferOf(values);
    if (buffer === undefined) return;
    if (this.taken.has(buffer) && isWhole(values as Float32Array)) {
      this.taken.delete(buffer);
      this.owned.add(buffer);
    } else {
      // A second tensor (or a view) on a pooled array: it can never be recycled.
      this.taken.delete(buffer);
      this.owned.delete(buffer);
    }
  }

  adopt<V>(values: V): V {
    this.attach(values);
    return values;
  }

  /** JS arrays stay where they are. */
  evict(): undefined {
    return undefined;
  }

  pointerOf(): undefined {
    return undefined;
  }

  /** Every kernel copies its operands in: nothing to gain from moving them. */
  promote(): undefined {
    return undefined;
  }

  /** Taken arrays are plain JS arrays: one never attached is collected with its last reference. */
  mark(): number {
    return 0;
  }

  discardSince(): void {}

  /** `values` were handed to code outside the backend. */
  expose(values: unknown): void {
    const buffer = bufferOf(values);
    if (buffer === undefined) return;
    this.taken.delete(buffer);
    this.owned.delete(buffer);
  }

  /** The tensor that owned `values` is gone. */
  release(values: unknown): void {
    const buffer = bufferOf(values);
    if (buffer === undefined || !this.owned.has(buffer)) return;
    this.owned.delete(buffer);
    const a = values as Float32Array;
    if (this.freeBytes + a.byteLength > this.maxBytes) return;
    const list = this.free.get(a.length) ?? [];
    list.push(a);
    this.free.set(a.length, list);
    this.freeBytes += a.byteLength;
  }

  /** Bytes held for reuse. */
  get pooledBytes(): number {
    return this.freeBytes;
  }
}

function bufferOf(values: unknown): ArrayBuffer | undefined {
  return ArrayBuffer.isView(values) ? (values.buffer as ArrayBuffer) : undefined;
}

function isWhole(a: Float32Array): boolean {
  return a instanceof Float32Array && a.byteOffset === 0 && a.byteLength === a.buffer.byteLength;
}
