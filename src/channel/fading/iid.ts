// Block-independent Rayleigh fading: h of every (expert, block) is CN(0,1), i.e. Re and Im
// i.i.d. N(0, ½), E|h|² = 1, drawn from keyed streams (keyed_normals.ts), random access.
import type { FadingProcess } from './process.js';
import { checkGainsArgs } from './gains_args.js';
import { FADING_TAGS } from './tags.js';
import { KeyedNormals } from './keyed_normals.js';

/** iid CN(0,1) block gains, keyed by deriveSeed(seed, FADING_TAGS.IID, expert, ⌊j/4096⌋). */
export class IidRayleigh implements FadingProcess {
  private readonly normals: KeyedNormals;

  constructor(readonly experts: number, seed: number) {
    this.normals = new KeyedNormals(experts, seed, FADING_TAGS.IID);
  }

  gains(expert: number, j0: number, count: number, out: Float32Array): void {
    checkGainsArgs(this, expert, j0, count, out);
    this.normals.fill(expert, j0, count, out);
  }
}
