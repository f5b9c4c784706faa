import { describe, expect, it } from 'vitest';
import { augmentBatch } from '../../src/data/augment.js';
import { SeededRandom } from '../../src/random/seeded.js';
import { InputError } from '../../src/errors.js';

const [H, W, C] = [6, 5, 3];
const SIZE = H * W * C;

function randomImages(n: number, seed: number): Float32Array {
  const rng = new SeededRandom(seed);
  return Float32Array.from({ length: n * SIZE }, () => 0.01 + rng.next()); // never 0: zeros come from padding only
}

/** Reference: pad the image explicitly with zeros, crop at (dy, dx), then mirror if asked. */
function reference(img: Float32Array, pad: number, dy: number, dx: number, mirror: boolean): Float32Array {
  const ph = H + 2 * pad;
  const pw = W + 2 * pad;
  const padded = new Float32Array(ph * pw * C);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) for (let k = 0; k < C; k++) padded[((y + pad) * pw + x + pad) * C + k] = img[(y * W + x) * C + k];
  const out = new Float32Array(SIZE);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const cx = mirror ? W - 1 - x : x;
      for (let k = 0; k < C; k++) out[(y * W + x) * C + k] = padded[((y + dy) * pw + cx + dx) * C + k];
    }
  }
  return out;
}

/** Every (dy, dx, mirror) whose reference equals `got`. */
function explain(img: Float32Array, got: Float32Array, pad: number): string[] {
  const found: string[] = [];
  for (let dy = 0; dy <= 2 * pad; dy++) {
    for (let dx = 0; dx <= 2 * pad; dx++) {
      for (const m of [false, true]) {
        const ref = reference(img, pad, dy, dx, m);
        if (ref.every((v, i) => v === got[i])) found.push(`${dy},${dx},${m}`);
      }
    }
  }
  return found;
}

describe('augmentBatch', () => {
  it('outputs, per image, exactly one padded crop (mirrored or not), covering every offset and both flips', () => {
    const n = 300;
    const pad = 2;
    const images = randomImages(n, 1);
    const copy = images.slice();
    const out = augmentBatch(images, [n, H, W, C], new SeededRandom(5), { pad });
    expect(out.length).toBe(n * SIZE);
    expect(images).toEqual(copy);
    const seen = new Set<string>();
    for (let i = 0; i < n; i++) {
      const matches = explain(images.subarray(i * SIZE, (i + 1) * SIZE), out.subarray(i * SIZE, (i + 1) * SIZE), pad);
      expect(matches).toHaveLength(1);
      seen.add(matches[0]);
    }
    expect(seen.size).toBe(5 * 5 * 2);
  });

  it('lets zeros enter exactly where the shift uncovers padding', () => {
    const n = 50;
    const pad = 4;
    const ones = new Float32Array(n * SIZE).fill(1);
    const out = augmentBatch(ones, [n, H, W, C], new SeededRandom(9), { pad });
    const zeroCounts = new Set<number>();
    for (let i = 0; i < n; i++) {
      const img = out.subarray(i * SIZE, (i + 1) * SIZE);
      const rows = new Set<number>();
      const cols = new Set<number>();
      for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if (img[(y * W + x) * C] === 1) (rows.add(y), cols.add(x));
      // The surviving pixels form a rectangle of kept rows x kept columns; everything else is 0.
      for (let y = 0; y < H; y++) {
        for (let x = 0; x < W; x++) {
          for (let k = 0; k < C; k++) expect(img[(y * W + x) * C + k]).toBe(rows.has(y) && cols.has(x) ? 1 : 0);
        }
      }
      const r = [...rows];
      const c = [...cols];
      if (r.length) expect(Math.max(...r) - Math.min(...r) + 1).toBe(r.length); // contiguous
      if (c.length) expect(Math.max(...c) - Math.min(...c) + 1).toBe(c.length);
      zeroCounts.add(H * W - rows.size * cols.size);
    }
    expect(zeroCounts.has(0)).toBe(true);
    expect(zeroCounts.size).toBeGreaterThan(5);
  });

  it('never mirrors with flip off, and keeps the same crops as with flip on', () => {
    const n = 100;
    const pad = 1;
    const images = randomImages(n, 2);
    const on = augmentBatch(images, [n, H, W, C], new SeededRandom(3), { pad });
    const off = augmentBatch(images, [n, H, W, C], new SeededRandom(3), { pad, flip: false });
    let mirrored = 0;
    for (let i = 0; i < n; i++) {
      const img = images.subarray(i * SIZE, (i + 1) * SIZE);
      const [mOff] = explain(img, off.subarray(i * SIZE, (i + 1) * SIZE), pad);
      const [mOn] = explain(img, on.subarray(i * SIZE, (i + 1) * SIZE), pad);
      expect(mOff.endsWith('false')).toBe(true);
      expect(mOn.split(',').slice(0, 2)).toEqual(mOff.split(',').slice(0, 2));
      if (mOn.endsWith('true')) mirrored++;
    }
    expect(mirrored).toBeGreaterThan(30);
    expect(mirrored).toBeLessThan(70);
  });

  it('mirrors a single bright pixel to column W−1−x with pad 0, and is the identity without flip', () => {
    const img = new Float32Array(SIZE);
    img[(2 * W + 1) * C + 2] = 1; // (y 2, x 1, channel 2)
    const n = 40;
    const batch = new Float32Array(n * SIZE);
    for (let i = 0; i < n; i++) batch.set(img, i * SIZE);
    const out = augmentBatch(batch, [n, H, W, C], new SeededRandom(4), { pad: 0 });
    const where = new Set<number>();
    for (let i = 0; i < n; i++) where.add(out.subarray(i * SIZE, (i + 1) * SIZE).indexOf(1));
    expect([...where].sort((a, b) => a - b)).toEqual([(2 * W + 1) * C + 2, (2 * W + (W - 1 - 1)) * C + 2]);
    expect(augmentBatch(batch, [n, H, W, C], new SeededRandom(4), { pad: 0, flip: false })).toEqual(batch);
  });

  it('is bit-identical for the same seed, different for another, and draws three numbers per image', () => {
    const n = 20;
    const images = randomImages(n, 6);
    const a = augmentBatch(images, [n, H, W, C], new SeededRandom(11));
    expect(augmentBatch(images, [n, H, W, C], new SeededRandom(11))).toEqual(a);
    expect(augmentBatch(images, [n, H, W, C], new SeededRandom(12))).not.toEqual(a);
    const rng = new SeededRandom(11);
    augmentBatch(images, [n, H, W, C], rng);
    const after = rng.next();
    const ref = new SeededRandom(11);
    for (let i = 0; i < 3 * n; i++) ref.next();
    expect(after).toBe(ref.next());
  });

  it('writes into `out` (clearing what was there) and rejects bad shapes, pads and overlaps', () => {
    const n = 4;
    const images = randomImages(n, 7);
    const out = new Float32Array(n * SIZE).fill(9);
    const got = augmentBatch(images, [n, H, W, C], new SeededRandom(1), { out });
    expect(got).toBe(out);
    expect(out).toEqual(augmentBatch(images, [n, H, W, C], new SeededRandom(1)));
    expect(() => augmentBatch(images, [n + 1, H, W, C], new SeededRandom(1))).toThrow(
      new InputError(`augment: ${n * SIZE} values do not make [${n + 1}, ${H}, ${W}, ${C}] (${(n + 1) * SIZE} values)`),
    );
    expect(() => augmentBatch(images, [n, H, W, C], new SeededRandom(1), { pad: -1 })).toThrow('augment: pad must be an integer ≥ 0, got -1');
    expect(() => augmentBatch(images, [n, H, W, C], new SeededRandom(1), { out: images })).toThrow('augment: out must not overlap images');
  });
});
