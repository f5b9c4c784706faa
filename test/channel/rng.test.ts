import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/channel/index.js';

const M64 = (1n << 64n) - 1n;

/** splitmix64 → 16 words, written from the published algorithm (BigInt), as the seeding truth. */
function referenceSeed(seed: number): number[] {
  let x = BigInt(seed);
  const words: number[] = [];
  for (let i = 0; i < 8; i++) {
    x = (x + 0x9e3779b97f4a7c15n) & M64;
    let z = x;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & M64;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & M64;
    z = z ^ (z >> 31n);
    words.push(Number(z & 0xffffffffn), Number(z >> 32n));
  }
  return words;
}

/** Scalar xoshiro128++ on one lane [s0, s1, s2, s3] (u32 in Numbers). */
function refNext(s: number[]): number {
  const rotl = (x: number, k: number) => ((x << k) | (x >>> (32 - k))) >>> 0;
  const result = (rotl((s[0] + s[3]) >>> 0, 7) + s[0]) >>> 0;
  const t = (s[1] << 9) >>> 0;
  s[2] = (s[2] ^ s[0]) >>> 0;
  s[3] = (s[3] ^ s[1]) >>> 0;
  s[1] = (s[1] ^ s[2]) >>> 0;
  s[0] = (s[0] ^ s[3]) >>> 0;
  s[2] = (s[2] ^ t) >>> 0;
  s[3] = rotl(s[3], 11);
  return result;
}

/** The lane-interleaved reference stream: output j = lane j mod 4 at step ⌊j/4⌋. */
function refStream(words: ArrayLike<number>, n: number): number[] {
  const lanes = [0, 1, 2, 3].map((l) => [words[l], words[4 + l], words[8 + l], words[12 + l]].map((w) => w >>> 0));
  const out: number[] = [];
  for (let j = 0; j < n; j++) out.push(refNext(lanes[j & 3]));
  return out;
}

describe('Rng (xoshiro128++ ×4, splitmix64 seeding)', () => {
  it('seeds with splitmix64', () => {
    for (const seed of [0, 1, 123456789, 2 ** 32, 2 ** 53 - 1]) {
      expect(Array.from(new Rng(seed).state)).toEqual(referenceSeed(seed));
    }
  });

  it('matches an independent xoshiro128++ test vector (state 1,2,3,4: output 102401 is 0x2c873cfa)', () => {
    // lane 0 holds (1, 2, 3, 4); its outputs are every fourth output of the stream
    const words = [1, 5, 6, 7, 2, 8, 9, 10, 3, 11, 12, 13, 4, 14, 15, 16];
    const scalar = Rng.fromState(words);
    let last = 0;
    for (let j = 0; j <= 4 * 102400; j++) last = scalar.nextU32();
    expect(last).toBe(0x2c873cfa);
    const simd = Rng.fromState(words).uniform(4 * 102400 + 1);
    expect(simd[4 * 102400]).toBe((0x2c873cfa >>> 8) * 2 ** -24);
  });

  it('nextU32 and SIMD uniform continue one lane-interleaved stream', () => {
    const r = new Rng(99);
    const ref = refStream(referenceSeed(99), 7 + 1001 + 5);
    const got: number[] = [];
    for (let i = 0; i < 7; i++) got.push(r.nextU32());
    const u = r.uniform(1001);
    for (let i = 0; i < 5; i++) got.push(r.nextU32());
    expect(got.slice(0, 7)).toEqual(ref.slice(0, 7));
    expect(Array.from(u)).toEqual(ref.slice(7, 1008).map((x) => (x >>> 8) * 2 ** -24));
    expect(got.slice(7)).toEqual(ref.slice(1008));
  });

  it('uniform values lie in [0, 1) with mean 1/2 and variance 1/12', () => {
    const n = 1 << 20;
    const u = new Rng(5).uniform(n);
    let s = 0, s2 = 0, lo = 1, hi = 0;
    for (const x of u) { s += x; s2 += x * x; lo = Math.min(lo, x); hi = Math.max(hi, x); }
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThan(1);
    expect(Math.abs(s / n - 0.5)).toBeLessThan(4 * Math.sqrt(1 / 12 / n));
    expect(Math.abs(s2 / n - s * s / n / n - 1 / 12)).toBeLessThan(4 * Math.sqrt(1 / 180 / n));
  });

  it('same seed → bit-identical normals; different seeds differ', () => {
    const a = new Rng(2024).normal(10007);
    const b = new Rng(2024).normal(10007);
    const c = new Rng(2025).normal(10007);
    expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
    let same = 0;
    for (let i = 0; i < a.length; i++) if (a[i] === c[i]) same++;
    expect(same).toBeLessThan(5);
  });

  it('normal draws split anywhere give the same stream', () => {
    const whole = new Rng(7).normal(20000 + 3 + 5);
    const r = new Rng(7);
    const parts = [r.normal(3), r.normal(5), r.fillNormal(new Float32Array(20000))];
    const joined = new Float32Array(whole.length);
    joined.set(parts[0], 0); joined.set(parts[1], 3); joined.set(parts[2], 8);
    expect(Buffer.from(joined.buffer).equals(Buffer.from(whole.buffer))).toBe(true);
  });

  it('fillBits: the stream outputs, 32 bits each, least significant first, from any lane', () => {
    // 140 000 bits: past the 16 KiB kernel chunk; the first draw leaves the lane cursor mid-step
    for (const [skip, n] of [[0, 140000], [1, 140000], [3, 1000], [2, 45]]) {
      const a = new Rng(5);
      const b = new Rng(5);
      for (let s = 0; s < skip; s++) a.nextU32(), b.nextU32();
      const bits = a.fillBits(new Uint8Array(n));
      for (let w = 0; w * 32 < n; w++) {
        const x = b.nextU32();
        for (let j = 0; j < 32 && w * 32 + j < n; j++) {
          if (bits[w * 32 + j] !== ((x >>> j) & 1)) throw new Error(`skip ${skip}: bit ${w * 32 + j} differs`);
        }
      }
      expect(a.nextU32()).toBe(b.nextU32()); // a partial last word is consumed whole
    }
    expect(() => new Rng(1).fillBits(new Float32Array(4) as unknown as Uint8Array)).toThrow(/out must be a Uint8Array/);
  });

  it('rejects bad seeds, counts and states with one-line errors', () => {
    for (const s of [-1, 1.5, NaN, Infinity, 2 ** 53, '3' as unknown as number]) {
      expect(() => new Rng(s)).toThrow(/^wireless-moe\/channel: seed must be an integer in \[0, 2\^53\), got [^\n]*$/);
    }
    expect(() => new Rng(1).normal(-1)).toThrow(/sample count .* got -1/);
    expect(() => new Rng(1).uniform(2.5)).toThrow(/got 2.5/);
    expect(() => Rng.fromState([1, 2, 3])).toThrow(/16 words, got 3/);
    expect(() => Rng.fromState(new Array(16).fill(0))).toThrow(/lane 0 is all zero/);
    expect(() => Rng.fromState([...new Array(15).fill(1), 2 ** 32])).toThrow(/word 15 must be an integer in \[0, 2\^32\), got 4294967296/);
  });
});
