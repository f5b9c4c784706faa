// `wmoe predict --input FILE`: one file of images in a binary format the dataset loaders read, an
// IDX images file (MNIST, Fashion-MNIST; gzipped or not) or a CIFAR-10/100 binary batch. Node only.
import { statSync } from 'node:fs';
import { InputError } from '../errors.js';
import type { Dataset } from '../data/dataset.js';
import type { DatasetName, LabelSet } from '../data/names.js';
import { IDX_IMAGES_MAGIC, padIdxImages, parseIdx, readIdxBytes } from '../data/idx.js';
import {
  CIFAR100_COARSE_CLASS_NAMES,
  CIFAR100_FINE_CLASS_NAMES,
  CIFAR10_CLASS_NAMES,
  decodeFile,
  emptyDataset,
  type RecordFormat,
} from '../data/cifar.js';
import { FASHION_MNIST_CLASS_NAMES } from '../data/fashion_mnist.js';

/** Images read from a file, and whether the file carried their labels (CIFAR does, IDX images do not). */
export interface InputImages {
  images: Dataset;
  labelled: boolean;
  /** 'idx' or 'cifar10' / 'cifar100' (the record layout read). */
  format: 'idx' | 'cifar10' | 'cifar100';
}

/** Class names of a dataset's labels, when the package knows them. */
export function classNamesOf(dataset: DatasetName, labels: LabelSet = 'fine'): string[] | undefined {
  if (dataset === 'cifar10') return CIFAR10_CLASS_NAMES;
  if (dataset === 'cifar100') return labels === 'coarse' ? CIFAR100_COARSE_CLASS_NAMES : CIFAR100_FINE_CLASS_NAMES;
  if (dataset === 'fashion-mnist') return FASHION_MNIST_CLASS_NAMES;
  return undefined;
}

/**
 * Reads `path` for a model trained on `dataset` with `classes` classes: IDX images (magic
 * 0x00000803, 28x28, zero-padded to 32x32x1 as the loaders do; gzip data is unpacked), else CIFAR
 * records of 3073 bytes (label + CHW pixels; CIFAR-10) or, for a cifar100 model, 3074 (coarse and
 * fine labels; `labels` chooses, default fine), as 32x32x3 HWC. InputError naming the file when it
 * is missing, empty, truncated, a labels file, or has labels out of range.
 */
export function readInputFile(path: string, dataset: DatasetName, classes: number, labels: LabelSet = 'fine'): InputImages {
  const { bytes, label } = readIdxBytes(path);
  const names = classNamesOf(dataset, labels);
  if (bytes.length >= 4 && bytes[0] === 0 && bytes[1] === 0 && bytes[2] === 8) {
    const idx = parseIdx(bytes, label, IDX_IMAGES_MAGIC);
    const [n, rows, cols] = idx.dims;
    if (rows !== 28 || cols !== 28) throw new InputError(`${label} holds images of ${rows}x${cols}; expected 28x28`);
    if (n === 0) throw new InputError(`${label} holds 0 images`);
    const images: Dataset = { pixels: padIdxImages(idx.data, n), labels: new Int32Array(n), n, height: 32, width: 32, channels: 1, classes };
    if (names) images.classNames = names.slice();
    return { images, labelled: false, format: 'idx' };
  }
  const hundred = dataset === 'cifar100';
  const record = (hundred ? 2 : 1) + 3072;
  const size = statSync(path).size;
  if (size === 0 || size % record !== 0) {
    throw new InputError(
      `${path} is neither an IDX images file nor a ${hundred ? 'CIFAR-100' : 'CIFAR-10'} binary batch ` +
        `(${size} bytes is not a whole number of ${record}-byte records)`,
    );
  }
  const n = size / record;
  const format: RecordFormat = hundred
    ? { labelBytes: [{ name: 'coarse', classes: 20 }, { name: 'fine', classes: 100 }], use: labels === 'coarse' ? 0 : 1 }
    : { labelBytes: [{ name: '', classes: 10 }], use: 0 };
  const images = emptyDataset(n, classes, names ?? CIFAR10_CLASS_NAMES);
  if (!names) delete images.classNames;
  decodeFile(path, n, format, images, 0);
  return { images, labelled: dataset === 'cifar10' || hundred, format: hundred ? 'cifar100' : 'cifar10' };
}
