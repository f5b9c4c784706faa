/**
 * Bad input from a user: an impossible config, a malformed file, an unknown name. Its message
 * is one line naming the bad value, and the CLI prints it as such. Any other error is a bug and
 * is reported as a crash, with its stack.
 */
export class InputError extends Error {
  override name = 'InputError';
}

/**
 * A WASM kernel needed more linear memory than the engine would give: `neededBytes` at the
 * failing call, `haveBytes` the memory it had (at least what this engine grants).
 */
export class WasmMemoryError extends Error {
  override name = 'WasmMemoryError';
  constructor(message: string, readonly neededBytes: number, readonly haveBytes: number) {
    super(message);
  }
}

/**
 * The largest power of two ≤ batch that should fit where `batch` needed `neededBytes` of
 * `haveBytes` (a kernel's memory grows about linearly with the batch), keeping 20 % headroom; ≥ 1.
 */
export function batchSizeThatFits(batch: number, neededBytes: number, haveBytes: number): number {
  const scaled = Math.floor((batch * 0.8 * haveBytes) / neededBytes);
  let fit = 1;
  while (fit * 2 <= Math.min(scaled, batch - 1)) fit *= 2;
  return fit;
}

/** Throws an InputError with `message` (one line naming the bad value): the validators' way to reject input. */
export function fail(message: string): never {
  throw new InputError(message);
}
