import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { InputError } from '../errors.js';
import type { Dataset, DatasetSplit } from './dataset.js';
import { findFile, readDataFile, requireDirectory } from './files.js';

/** IDX magic numbers (unsigned-byte data): 0x00 0x00 0x08 ndims. */
export const IDX_IMAGES_MAGIC = 0x00000803;
export const IDX_LABELS_MAGIC = 0x00000801;

/** The four files of an MNIST-style IDX dataset (each may also be gzipped, `.gz`). */
export const IDX_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

/** MNIST-style images are 28x28; the loaders zero-pad them to 32x32 (2 pixels each side). */
const SIDE = 28;
const PADDED = 32;

const hex = (v: number) => '0x' + (v >>> 0).toString(16).padStart(8, '0');

/**
 * The bytes of an IDX file, gunzipped when they are gzip data (magic 1f 8b, whatever the
 * file's name), and how to name them in messages (`path`, or `path (gunzipped)`). InputError
 * naming the file if it is missing, unreadable or corrupt gzip.
 */
export function readIdxBytes(path: string): { bytes: Uint8Array; label: string } {
  const raw = readDataFile(path);
  if (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b) {
    try {
      const buf = gunzipSync(raw);
      return { bytes: new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), label: `${path} (gunzipped)` };
    } catch (e) {
      throw new InputError(`${path} is not valid gzip data: ${(e as Error).message}`);
    }
  }
  return { bytes: raw, label: path };
}

/** A parsed IDX file of unsigned bytes: its dimensions and its data (row-major). */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

/**
 * Parses IDX bytes (`path` names them in messages): checks the magic number is
 * `magic` (0x00000803 for 3-D images, 0x00000801 for 1-D labels; unsigned-byte data only) and
 * that the length is exactly the header (4 + 4·ndims bytes) plus the product of the dimensions.
 */
export function parseIdx(bytes: Uint8Array, path: string, magic: number): IdxArray {
  const ndims = magic & 0xff;
  const header = 4 + 4 * ndims;
  const kind = ndims === 1 ? 'labels' : 'images';
  if (bytes.length < header) {
    throw new InputError(`${path} has ${bytes.length} bytes; too short for an IDX ${kind} header (${header} bytes)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const got = view.getUint32(0, false);
  if (got !== magic) {
    throw new InputError(`${path} has magic number ${hex(got)}; expected ${hex(magic)} (IDX unsigned-byte ${kind}, ${ndims}-D)`);
  }
  const dims: number[] = [];
  for (let d = 0; d < ndims; d++) dims.push(view.getUint32(4 + 4 * d, false));
  const size = dims.reduce((a, b) => a * b, 1);
  if (bytes.length !== header + size) {
    throw new InputError(
      `${path} has ${bytes.length} bytes; expected ${header + size} ` +
        `(${header}-byte header + ${dims.join('x')} bytes)`,
    );
  }
  return { dims, data: bytes.subarray(header) };
}

/** Where an IDX file is in `dir`: NAME, NAME.gz, or the NAME with '.idx' spelling, maybe gzipped. */
function idxPath(dir: string, stem: string): string {
  const dotted = stem.replace('-idx', '.idx');
  const path = findFile(dir, [stem, `${stem}.gz`, dotted, `${dotted}.gz`]);
  if (path === undefined) throw new InputError(`${join(dir, stem)} is missing (gzipped or not)`);
  return path;
}

/** n 28x28 images (bytes, row-major) zero-padded by 2 pixels on every side: n 32x32 images. */
export function padIdxImages(src: Uint8Array, n: number): Uint8Array {
  const pixels = new Uint8Array(n * PADDED * PADDED);
  const pad = (PADDED - SIDE) / 2;
  for (let s = 0; s < n; s++) {
    for (let y = 0; y < SIDE; y++) {
      const from = (s * SIDE + y) * SIDE;
      pixels.set(src.subarray(from, from + SIDE), (s * PADDED + y + pad) * PADDED + pad);
    }
  }
  return pixels;
}

/**
 * Reads an images file and its labels file into a dataset of 32x32x1 images (pixel bytes):
 * each 28x28 image zero-padded by 2 pixels on every side. Checks magic numbers, 28x28 images,
 * at least one image, equal counts and labels < `classes`; InputError naming the file otherwise.
 */
export function readIdxPair(imagesPath: string, labelsPath: string, classes: number, classNames?: string[]): Dataset {
  const imagesFile = readIdxBytes(imagesPath);
  const labelsFile = readIdxBytes(labelsPath);
  const images = parseIdx(imagesFile.bytes, imagesFile.label, IDX_IMAGES_MAGIC);
  const labels = parseIdx(labelsFile.bytes, labelsFile.label, IDX_LABELS_MAGIC);
  const [n, rows, cols] = images.dims;
  if (rows !== SIDE || cols !== SIDE) {
    throw new InputError(`${imagesPath} holds images of ${rows}x${cols}; expected ${SIDE}x${SIDE}`);
  }
  if (n === 0) throw new InputError(`${imagesPath} holds 0 images; a dataset split needs at least one`);
  if (labels.dims[0] !== n) {
    throw new InputError(`${labelsPath} holds ${labels.dims[0]} labels but ${imagesPath} holds ${n} images`);
  }
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = labels.data[i];
    if (v >= classes) throw new InputError(`${labelsPath} label ${i} is ${v}; expected < ${classes}`);
    out[i] = v;
  }
  const ds: Dataset = { pixels: padIdxImages(images.data, n), labels: out, n, height: PADDED, width: PADDED, channels: 1, classes };
  if (classNames) ds.classNames = classNames.slice();
  return ds;
}

/**
 * An MNIST-style dataset from a directory of IDX files (train-images-idx3-ubyte,
 * train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, each optionally
 * gzipped): 32x32x1 images (pixel bytes), in file order. Node only. InputError naming the file
 * for a missing, corrupt or empty file.
 */
export function loadIdxDirectory(name: string, dir: string, classes: number, classNames?: string[]): DatasetSplit {
  requireDirectory(dir, '--data-dir');
  const train = readIdxPair(idxPath(dir, IDX_FILES.trainImages), idxPath(dir, IDX_FILES.trainLabels), classes, classNames);
  const test = readIdxPair(idxPath(dir, IDX_FILES.testImages), idxPath(dir, IDX_FILES.testLabels), classes, classNames);
  return { name, train, test };
}
