/**
 * Bad input from a user: an impossible config, a malformed file, an unknown name. Its message
 * is one line naming the bad value, and the CLI prints it as such. Any other error is a bug and
 * is reported as a crash, with its stack.
 */
export class InputError extends Error {
  override name = 'InputError';
}

/**
 * A WASM kernel needed more linear memory than the engine would give. `neededBytes`: the linear
 * memory the failing request needed in all (the end of the block it asked for); `haveBytes`:
 * the linear memory the engine had granted when it refused to grow (measured, not the declared
 * maximum, which the engine may never reach).
 */
export class WasmMemoryError extends Error {
  override name = 'WasmMemoryError';
  constructor(message: string, readonly neededBytes: number, readonly haveBytes: number) {
    super(message);
  }

  /** Bytes the failing request needed beyond what the engine granted. */
  get shortBytes(): number {
    return Math.max(0, this.neededBytes - this.haveBytes);
  }
}

/**
 * An estimate: the largest power of two ≤ batch that should fit where `batch` needed
 * `neededBytes` of linear memory and the engine granted `haveBytes` (memory taken to grow about
 * linearly with the batch), keeping 20 % headroom; ≥ 1. It can be too large: a training step
 * fails at its first request that does not fit, and the rest of the step would have needed
 * more; {@link batchSizeThatRuns} checks it.
 */
export function batchSizeThatFits(batch: number, neededBytes: number, haveBytes: number): number {
  const scaled = Math.floor((batch * 0.8 * haveBytes) / neededBytes);
  let fit = 1;
  while (fit * 2 <= Math.min(scaled, batch - 1)) fit *= 2;
  return fit;
}

/**
 * The batch size that `runs` (a training step at that batch size: true when it ran, false when
 * it ran out of WASM memory) was seen to run, starting from `estimate` and halving down to 1;
 * undefined when even 1 did not run.
 */
export function batchSizeThatRuns(estimate: number, runs: (batch: number) => boolean): number | undefined {
  for (let b = Math.max(1, Math.floor(estimate)); b >= 1; b = Math.floor(b / 2)) {
    if (runs(b)) return b;
  }
  return undefined;
}

/** Throws an InputError with `message` (one line naming the bad value): the validators' way to reject input. */
export function fail(message: string): never {
  throw new InputError(message);
}
