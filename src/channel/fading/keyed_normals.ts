// Random-access complex normals: block j of expert k is CN(0,1) from the stream
// deriveSeed(seed, tag, k, ⌊j/4096⌋), one stream per chunk of 4096 blocks, so a block's value
// does not depend on which blocks were asked for before. The last chunk of each expert is cached.
import { Rng } from '../rng.js';
import { deriveSeed } from '../../random/hash.js';

/** Blocks per keyed stream. */
export const CHUNK_BLOCKS = 4096;

/** CN(0,1) per (expert, block): Re, Im each N(0, ½), float32. */
export class KeyedNormals {
  private readonly chunkOf: Int32Array;
  private readonly cache: Float32Array[];

  constructor(experts: number, private readonly seed: number, private readonly tag: number) {
    this.chunkOf = new Int32Array(experts).fill(-1);
    this.cache = Array.from({ length: experts }, () => new Float32Array(2 * CHUNK_BLOCKS));
  }

  /** Writes blocks j0 … j0+count−1 of `expert` to out (re, im interleaved) from offset 2·at. */
  fill(expert: number, j0: number, count: number, out: Float32Array | Float64Array, at = 0): void {
    let i = 0;
    while (i < count) {
      const j = j0 + i;
      const chunk = Math.floor(j / CHUNK_BLOCKS);
      const data = this.chunk(expert, chunk);
      const from = j - chunk * CHUNK_BLOCKS;
      const k = Math.min(count - i, CHUNK_BLOCKS - from);
      const src = data.subarray(2 * from, 2 * (from + k));
      (out as Float32Array).set(src, 2 * (at + i));
      i += k;
    }
  }

  private chunk(expert: number, chunk: number): Float32Array {
    const data = this.cache[expert];
    if (this.chunkOf[expert] !== chunk) {
      new Rng(deriveSeed(this.seed, this.tag, expert, chunk)).fillNormal(data);
      for (let i = 0; i < data.length; i++) data[i] = data[i] * Math.SQRT1_2;
      this.chunkOf[expert] = chunk;
    }
    return data;
  }
}
