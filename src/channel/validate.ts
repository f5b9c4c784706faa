// Argument checks shared by the channel API. Each throws a one-line Error naming the bad value
// before any WASM call runs.

/** Throws unless `x` is a finite number. */
export function requireFinite(name: string, x: unknown): number {
  if (typeof x !== 'number' || !Number.isFinite(x)) {
    throw new Error(`wireless-moe/channel: ${name} must be a finite number, got ${String(x)}`);
  }
  return x;
}

/** Throws unless `x` is a finite number > 0. */
export function requirePositive(name: string, x: unknown): number {
  requireFinite(name, x);
  if ((x as number) <= 0) throw new Error(`wireless-moe/channel: ${name} must be > 0, got ${String(x)}`);
  return x as number;
}

/** Throws unless `seed` is an integer in [0, 2^53). */
export function requireSeed(seed: unknown): number {
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed) || seed < 0) {
    throw new Error(`wireless-moe/channel: seed must be an integer in [0, 2^53), got ${String(seed)}`);
  }
  return seed;
}

/** Throws unless `x` is a Float32Array. */
export function requireF32(name: string, x: unknown): Float32Array {
  if (!(x instanceof Float32Array)) {
    const what = x === null ? 'null' : typeof x === 'object' ? (x as object).constructor?.name ?? 'object' : typeof x;
    throw new Error(`wireless-moe/channel: ${name} must be a Float32Array, got ${what}`);
  }
  return x;
}

/** Throws unless `x` is a Uint8Array (values are checked by {@link requireBits} or the caller's loop). */
export function requireBitArray(name: string, x: unknown): Uint8Array {
  if (!(x instanceof Uint8Array)) {
    const what = x === null ? 'null' : typeof x === 'object' ? (x as object).constructor?.name ?? 'object' : typeof x;
    throw new Error(`wireless-moe/channel: ${name} must be a Uint8Array of 0/1 bits, got ${what}`);
  }
  return x;
}

/** The error for a byte that is not 0 or 1 at `name[i]`. */
export function notABit(name: string, i: number, value: number): never {
  throw new Error(`wireless-moe/channel: ${name}[${i}] = ${value} is not a bit (0 or 1)`);
}

/** Throws unless `x` is a Uint8Array of 0/1 values (one bit per byte). */
export function requireBits(name: string, x: unknown): Uint8Array {
  requireBitArray(name, x);
  const b = x as Uint8Array;
  for (let i = 0; i < b.length; i++) if (b[i] > 1) notABit(name, i, b[i]);
  return b;
}
