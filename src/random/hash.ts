/**
 * Seeds: the range a user seed may take, and derivation of per-step seeds by hashing.
 *
 * A derived seed is MurmurHash3 (x86, 32-bit, seed 0) of the little-endian 32-bit words
 * [seed, ...parts], shifted right by one bit so that it lies in [0, 2^31): neighbouring steps
 * get unrelated seeds, and a derived seed is itself a valid user seed (so it fits every
 * generator: SeededRandom, the channel's Rng, tf.randomNormal). Multiplying a seed by a
 * constant instead, as `seed * 1_000_003 + step`, overflows 2^53 for large seeds and then
 * collides or exceeds what the generators accept. No tfjs, no imports.
 */

/** User seeds are integers in [0, SEED_LIMIT) = [0, 2^31). */
export const SEED_LIMIT = 2 ** 31;

/** True when `v` is a valid user seed: an integer in [0, 2^31). */
export function isSeed(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < SEED_LIMIT;
}

function mixWord(h: number, word: number): number {
  let k = Math.imul(word, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** MurmurHash3's 32-bit finaliser (fmix32): a bijection of 32-bit words with full avalanche. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * MurmurHash3 x86 32-bit of the bytes of `words` (each an unsigned 32-bit word, taken little-
 * endian, 4·words.length bytes), with hash seed `seed`. Returns an unsigned 32-bit integer.
 */
export function murmur3Words(words: ArrayLike<number>, seed = 0): number {
  let h = seed | 0;
  for (let i = 0; i < words.length; i++) h = mixWord(h, words[i] | 0);
  return fmix32(h ^ (words.length * 4));
}

/**
 * A seed in [0, 2^31) derived from `seed` and the integers `parts` (a purpose tag, an epoch, a
 * step index, ...), each an integer in [0, 2^32); throws a RangeError naming any other value.
 * Deterministic; different inputs give unrelated outputs (collisions as for a random 31-bit
 * value).
 */
export function deriveSeed(seed: number, ...parts: number[]): number {
  const words = [seed, ...parts];
  for (const w of words) {
    if (!Number.isInteger(w) || w < 0 || w >= 2 ** 32) {
      throw new RangeError(`deriveSeed: ${String(w)} is not an integer in [0, 2^32)`);
    }
  }
  return murmur3Words(words) >>> 1;
}

/**
 * The seed to hand to tfjs's seeded ops (tf.randomNormal, tf.randomUniform) for a package
 * seed in [0, 2^31): tfjs takes seed 0 (any falsy seed) as "unseeded" and draws from
 * Math.random, so a seed of 0 would silently make a run irreproducible. Maps s ↦ s + 1.
 */
export function tfjsSeed(seed: number): number {
  if (!isSeed(seed)) throw new RangeError(`tfjsSeed: ${String(seed)} is not an integer in [0, 2^31)`);
  return seed + 1;
}
