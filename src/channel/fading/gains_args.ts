// Argument checks shared by the FadingProcess implementations.
import type { FadingProcess } from './process.js';

/** Throws a RangeError naming a bad argument of FadingProcess.gains. @internal */
export function checkGainsArgs(p: FadingProcess, expert: number, j0: number, count: number, out: Float32Array): void {
  if (!Number.isInteger(expert) || expert < 0 || expert >= p.experts) {
    throw new RangeError(`fading gains: expert ${expert} is not an integer in [0, ${p.experts})`);
  }
  if (!Number.isSafeInteger(j0) || j0 < 0) throw new RangeError(`fading gains: first block ${j0} is not an integer ≥ 0`);
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`fading gains: count ${count} is not an integer ≥ 0`);
  if (!(out instanceof Float32Array) || out.length < 2 * count) {
    throw new RangeError(`fading gains: out must be a Float32Array of length ≥ ${2 * count}`);
  }
}
