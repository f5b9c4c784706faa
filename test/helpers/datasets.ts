// Writers of small dataset files in the exact official binary formats (CIFAR-10/100 binary,
// IDX), for the loaders' tests, and small in-memory datasets.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Dataset } from '../../src/data/dataset.js';

/** CIFAR pixel bytes: 3072 = 3 planes (R, G, B) of 32x32, row-major (CHW). */
export const CIFAR_PIXELS = 3 * 32 * 32;

/** One CIFAR-10 record: its label and its 3072 CHW pixel bytes. */
export interface Cifar10Record {
  label: number;
  pixels: Uint8Array;
}

/** One CIFAR-100 record: coarse and fine labels and its 3072 CHW pixel bytes. */
export interface Cifar100Record {
  coarse: number;
  fine: number;
  pixels: Uint8Array;
}

/** 3072 CHW pixel bytes with value f(c, y, x) (taken mod 256). */
export function cifarPixels(f: (c: number, y: number, x: number) => number): Uint8Array {
  const p = new Uint8Array(CIFAR_PIXELS);
  for (let c = 0; c < 3; c++) for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) p[(c * 32 + y) * 32 + x] = f(c, y, x) & 255;
  return p;
}

/** The bytes of a CIFAR file: each record's label byte(s) then its pixels. */
export function cifarFileBytes(records: readonly (Cifar10Record | Cifar100Record)[]): Buffer {
  const head = records.length > 0 && 'fine' in records[0] ? 2 : 1;
  const rec = head + CIFAR_PIXELS;
  const buf = Buffer.alloc(records.length * rec);
  records.forEach((r, i) => {
    if ('fine' in r) {
      buf[i * rec] = r.coarse;
      buf[i * rec + 1] = r.fine;
    } else {
      buf[i * rec] = r.label;
    }
    buf.set(r.pixels, i * rec + head);
  });
  return buf;
}

/**
 * Writes CIFAR-10 binary files into `dir` (created if needed): `train` split in order into
 * data_batch_1.bin … data_batch_5.bin (its length must be a multiple of 5), `test` into
 * test_batch.bin. Returns `dir`.
 */
export function writeCifar10(dir: string, records: { train: Cifar10Record[]; test: Cifar10Record[] }): string {
  if (records.train.length % 5 !== 0) throw new Error('writeCifar10: train records must split evenly into 5 files');
  mkdirSync(dir, { recursive: true });
  const per = records.train.length / 5;
  for (let b = 0; b < 5; b++) {
    writeFileSync(join(dir, `data_batch_${b + 1}.bin`), cifarFileBytes(records.train.slice(b * per, (b + 1) * per)));
  }
  writeFileSync(join(dir, 'test_batch.bin'), cifarFileBytes(records.test));
  return dir;
}

/** Writes CIFAR-100 binary files train.bin and test.bin into `dir` (created if needed). Returns `dir`. */
export function writeCifar100(dir: string, records: { train: Cifar100Record[]; test: Cifar100Record[] }): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'train.bin'), cifarFileBytes(records.train));
  writeFileSync(join(dir, 'test.bin'), cifarFileBytes(records.test));
  return dir;
}

/**
 * The bytes of an IDX file of unsigned bytes: magic 0x00 0x00 0x08 ndims, each dimension as a
 * big-endian uint32, then `data`. `magic` overrides the magic number (for bad-file tests).
 */
export function idxBytes(dims: readonly number[], data: Uint8Array, magic = 0x0800 | dims.length): Buffer {
  const head = Buffer.alloc(4 + 4 * dims.length);
  head.writeUInt32BE(magic >>> 0, 0);
  dims.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([head, data]);
}

/** Writes an IDX file at `path` (gzipped when `gzip`); see `idxBytes`. Returns `path`. */
export function writeIdx(path: string, dims: readonly number[], data: Uint8Array, opts: { gzip?: boolean; magic?: number } = {}): string {
  const bytes = idxBytes(dims, data, opts.magic);
  writeFileSync(path, opts.gzip ? gzipSync(bytes) : bytes);
  return path;
}

/** One split of an MNIST-style dataset: n 28x28 images (n·784 bytes, row-major) and n labels. */
export interface IdxSplit {
  images: Uint8Array;
  labels: Uint8Array;
}

/**
 * Writes the four MNIST-style IDX files into `dir` (created if needed): train-images-idx3-ubyte,
 * train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, each with a `.gz`
 * suffix and gzipped when `gzip`. Returns `dir`.
 */
export function writeIdxDataset(dir: string, data: { train: IdxSplit; test: IdxSplit }, opts: { gzip?: boolean } = {}): string {
  mkdirSync(dir, { recursive: true });
  const gz = opts.gzip ? '.gz' : '';
  const put = (prefix: string, s: IdxSplit) => {
    writeIdx(join(dir, `${prefix}-images-idx3-ubyte${gz}`), [s.labels.length, 28, 28], s.images, opts);
    writeIdx(join(dir, `${prefix}-labels-idx1-ubyte${gz}`), [s.labels.length], s.labels, opts);
  };
  put('train', data.train);
  put('t10k', data.test);
  return dir;
}

/** n pseudo-random bytes (mulberry32 from `seed`), for image content. */
export function randomBytes(n: number, seed: number): Uint8Array {
  let a = seed >>> 0;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) & 255;
  }
  return out;
}

/**
 * An in-memory dataset of n images of `shape` [H, W, C] whose byte at flat position p of
 * image i is pixel(i, p) (mod 256), with labels label(i) (default i mod classes).
 */
export function byteDataset(
  n: number,
  shape: readonly [number, number, number],
  classes: number,
  pixel: (i: number, p: number) => number,
  label: (i: number) => number = (i) => i % classes,
): Dataset {
  const [height, width, channels] = shape;
  const size = height * width * channels;
  const pixels = new Uint8Array(n * size);
  for (let i = 0; i < n; i++) for (let p = 0; p < size; p++) pixels[i * size + p] = pixel(i, p) & 255;
  return { pixels, labels: Int32Array.from({ length: n }, (_, i) => label(i)), n, height, width, channels, classes };
}

/**
 * Throws unless `got` and `want` hold the same float32 bits (fast on millions of values, where
 * vitest's toEqual walks element by element), naming the first difference.
 */
export function expectSameFloats(got: Float32Array, want: Float32Array, what = 'values'): void {
  if (got.length !== want.length) throw new Error(`${what}: ${got.length} values, expected ${want.length}`);
  const a = new Uint32Array(got.buffer, got.byteOffset, got.length);
  const b = new Uint32Array(want.buffer, want.byteOffset, want.length);
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) throw new Error(`${what}: value ${i} is ${got[i]}, expected ${want[i]}`);
  }
}
