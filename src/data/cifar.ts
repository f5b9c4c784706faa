import { join } from 'node:path';
import { InputError } from '../errors.js';
import type { Dataset, DatasetSplit } from './dataset.js';
import { isDirectory, isFile, readDataFile, requireDirectory } from './files.js';
import type { LabelSet } from './names.js';

/** CIFAR images are 32x32 RGB; a record's pixels are stored channel-major (CHW), 3072 bytes. */
const SIDE = 32;
const PLANE = SIDE * SIDE;
const PIXEL_BYTES = 3 * PLANE;

/** CIFAR-10 class names, by label (from the distribution's batches.meta.txt). */
export const CIFAR10_CLASS_NAMES = [
  'airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck',
];

/** CIFAR-100 fine class names, by label (the distribution's fine_label_names.txt). */
export const CIFAR100_FINE_CLASS_NAMES = [
  'apple', 'aquarium_fish', 'baby', 'bear', 'beaver', 'bed', 'bee', 'beetle', 'bicycle', 'bottle',
  'bowl', 'boy', 'bridge', 'bus', 'butterfly', 'camel', 'can', 'castle', 'caterpillar', 'cattle',
  'chair', 'chimpanzee', 'clock', 'cloud', 'cockroach', 'couch', 'crab', 'crocodile', 'cup', 'dinosaur',
  'dolphin', 'elephant', 'flatfish', 'forest', 'fox', 'girl', 'hamster', 'house', 'kangaroo', 'keyboard',
  'lamp', 'lawn_mower', 'leopard', 'lion', 'lizard', 'lobster', 'man', 'maple_tree', 'motorcycle', 'mountain',
  'mouse', 'mushroom', 'oak_tree', 'orange', 'orchid', 'otter', 'palm_tree', 'pear', 'pickup_truck', 'pine_tree',
  'plain', 'plate', 'poppy', 'porcupine', 'possum', 'rabbit', 'raccoon', 'ray', 'road', 'rocket',
  'rose', 'sea', 'seal', 'shark', 'shrew', 'skunk', 'skyscraper', 'snail', 'snake', 'spider',
  'squirrel', 'streetcar', 'sunflower', 'sweet_pepper', 'table', 'tank', 'telephone', 'television', 'tiger', 'tractor',
  'train', 'trout', 'tulip', 'turtle', 'wardrobe', 'whale', 'willow_tree', 'wolf', 'woman', 'worm',
];

/** CIFAR-100 coarse (superclass) names, by label (the distribution's coarse_label_names.txt). */
export const CIFAR100_COARSE_CLASS_NAMES = [
  'aquatic_mammals', 'fish', 'flowers', 'food_containers', 'fruit_and_vegetables',
  'household_electrical_devices', 'household_furniture', 'insects', 'large_carnivores',
  'large_man-made_outdoor_things', 'large_natural_outdoor_scenes', 'large_omnivores_and_herbivores',
  'medium_mammals', 'non-insect_invertebrates', 'people', 'reptiles', 'small_mammals', 'trees',
  'vehicles_1', 'vehicles_2',
];

export const CIFAR10_TRAIN_FILES = ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin'];
export const CIFAR10_TEST_FILE = 'test_batch.bin';
export const CIFAR100_TRAIN_FILE = 'train.bin';
export const CIFAR100_TEST_FILE = 'test.bin';
/** The folders the official binary archives unpack into. */
export const CIFAR10_FOLDER = 'cifar-10-batches-bin';
export const CIFAR100_FOLDER = 'cifar-100-binary';
export const CIFAR_URL = 'https://www.cs.toronto.edu/~kriz/cifar.html';

/** How the CIFAR loaders read a directory. */
export interface CifarOptions {
  /** CIFAR-100 only: 'fine' (100 classes, default) or 'coarse' (20 superclasses). */
  labels?: LabelSet;
  /**
   * Records each file must hold: `train` per training file (5 files for CIFAR-10, 1 for
   * CIFAR-100), `test` in the test file. Default: the official counts (CIFAR-10 10000/10000,
   * CIFAR-100 50000/10000). Other values are for hand-made subsets and tests.
   */
  recordsPerFile?: { train: number; test: number };
}

/** One record layout: label bytes before the pixels, and the range of each label byte. */
export interface RecordFormat {
  /** For each label byte: its name in messages ('' for CIFAR-10's only label) and class count. */
  labelBytes: { name: string; classes: number }[];
  /** Which label byte becomes the dataset's label. */
  use: number;
}

/**
 * Decodes one CIFAR binary file into `out` starting at sample `offset`: pixels CHW bytes →
 * HWC bytes, labels from byte `format.use`. Throws an InputError naming the file if it is
 * empty, if its size is not `expected` records or if a label is out of range.
 */
export function decodeFile(path: string, expected: number, format: RecordFormat, out: Dataset, offset: number): void {
  const bytes = readDataFile(path);
  const head = format.labelBytes.length;
  const rec = head + PIXEL_BYTES;
  if (bytes.length === 0) {
    throw new InputError(`${path} is empty (0 records); expected ${expected} records of ${rec} bytes`);
  }
  if (bytes.length !== expected * rec) {
    throw new InputError(`${path} has ${bytes.length} bytes; expected ${expected * rec} (${expected} records of ${rec} bytes)`);
  }
  for (let r = 0; r < expected; r++) {
    for (let b = 0; b < head; b++) {
      const v = bytes[r * rec + b];
      const { name, classes } = format.labelBytes[b];
      if (v >= classes) {
        throw new InputError(`${path} record ${r} has ${name ? name + ' ' : ''}label ${v}; expected < ${classes}`);
      }
    }
    out.labels[offset + r] = bytes[r * rec + format.use];
  }
  const pixels = out.pixels;
  for (let r = 0; r < expected; r++) {
    const src = r * rec + head;
    let o = (offset + r) * PIXEL_BYTES;
    for (let p = 0; p < PLANE; p++, o += 3) {
      pixels[o] = bytes[src + p];
      pixels[o + 1] = bytes[src + PLANE + p];
      pixels[o + 2] = bytes[src + 2 * PLANE + p];
    }
  }
}

/** A dataset of n zeroed 32x32x3 images (pixel bytes) and labels, to decode CIFAR files into. */
export function emptyDataset(n: number, classes: number, classNames: string[]): Dataset {
  return {
    pixels: new Uint8Array(n * PIXEL_BYTES),
    labels: new Int32Array(n),
    n,
    height: SIDE,
    width: SIDE,
    channels: 3,
    classes,
    classNames: classNames.slice(),
  };
}

/**
 * The folder holding `files`: `dataDir` itself when it holds any of them, else its official
 * subfolder `folder`. InputError when neither.
 */
function cifarDirectory(dataDir: string, files: string[], folder: string, what: string, archive: string): string {
  requireDirectory(dataDir, '--data-dir');
  if (files.some((f) => isFile(join(dataDir, f)))) return dataDir;
  const sub = join(dataDir, folder);
  if (isDirectory(sub)) return sub;
  throw new InputError(
    `--data-dir ${dataDir} holds neither the ${what} binary files (${files.join(', ')}) nor a ${folder} folder; ` +
      `download ${archive} from ${CIFAR_URL} and unpack it there`,
  );
}

function requireFiles(dir: string, files: string[], what: string): void {
  for (const f of files) {
    const path = join(dir, f);
    if (!isFile(path)) throw new InputError(`${path} is missing (${what} needs ${files.join(', ')})`);
  }
}

function checkCount(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 1) throw new InputError(`${name} must be an integer ≥ 1, got ${v}`);
}

/**
 * CIFAR-10 from the official binary distribution (cifar-10-binary.tar.gz): `dataDir` holds
 * data_batch_1.bin … data_batch_5.bin and test_batch.bin, or is their parent with the
 * cifar-10-batches-bin folder. Each record is 1 label byte + 3072 pixel bytes (CHW). Returns
 * 32x32x3 HWC images, pixel bytes (train 50000, test 10000 with the official files), 10 classes,
 * in file order. Node only. InputError naming the file for a missing, truncated or corrupt file.
 */
export function loadCifar10(dataDir: string, options: CifarOptions = {}): DatasetSplit {
  if (options.labels !== undefined && options.labels !== 'fine') {
    throw new InputError(`--labels ${options.labels}: cifar10 has only one label set`);
  }
  const { train: perTrain, test: perTest } = options.recordsPerFile ?? { train: 10000, test: 10000 };
  checkCount('records per training file', perTrain);
  checkCount('records in the test file', perTest);
  const files = [...CIFAR10_TRAIN_FILES, CIFAR10_TEST_FILE];
  const dir = cifarDirectory(dataDir, files, CIFAR10_FOLDER, 'CIFAR-10', 'cifar-10-binary.tar.gz');
  requireFiles(dir, files, 'CIFAR-10');
  const format: RecordFormat = { labelBytes: [{ name: '', classes: 10 }], use: 0 };
  const train = emptyDataset(CIFAR10_TRAIN_FILES.length * perTrain, 10, CIFAR10_CLASS_NAMES);
  CIFAR10_TRAIN_FILES.forEach((f, i) => decodeFile(join(dir, f), perTrain, format, train, i * perTrain));
  const test = emptyDataset(perTest, 10, CIFAR10_CLASS_NAMES);
  decodeFile(join(dir, CIFAR10_TEST_FILE), perTest, format, test, 0);
  return { name: 'cifar10', train, test };
}

/**
 * CIFAR-100 from the official binary distribution (cifar-100-binary.tar.gz): `dataDir` holds
 * train.bin and test.bin, or is their parent with the cifar-100-binary folder. Each record is
 * a coarse label byte, a fine label byte and 3072 pixel bytes (CHW). Returns 32x32x3 HWC
 * images, pixel bytes (train 50000, test 10000 with the official files) labelled with the fine
 * (100 classes, default) or coarse (20) labels, in file order. Node only. InputError naming
 * the file for a missing, truncated or corrupt file.
 */
export function loadCifar100(dataDir: string, options: CifarOptions = {}): DatasetSplit {
  const labels = options.labels ?? 'fine';
  if (labels !== 'fine' && labels !== 'coarse') {
    throw new InputError(`unknown label set '${labels}' (known: fine, coarse)`);
  }
  const { train: perTrain, test: perTest } = options.recordsPerFile ?? { train: 50000, test: 10000 };
  checkCount('records in the training file', perTrain);
  checkCount('records in the test file', perTest);
  const files = [CIFAR100_TRAIN_FILE, CIFAR100_TEST_FILE];
  const dir = cifarDirectory(dataDir, files, CIFAR100_FOLDER, 'CIFAR-100', 'cifar-100-binary.tar.gz');
  requireFiles(dir, files, 'CIFAR-100');
  const coarse = labels === 'coarse';
  const format: RecordFormat = {
    labelBytes: [
      { name: 'coarse', classes: 20 },
      { name: 'fine', classes: 100 },
    ],
    use: coarse ? 0 : 1,
  };
  const classes = coarse ? 20 : 100;
  const names = coarse ? CIFAR100_COARSE_CLASS_NAMES : CIFAR100_FINE_CLASS_NAMES;
  const train = emptyDataset(perTrain, classes, names);
  decodeFile(join(dir, CIFAR100_TRAIN_FILE), perTrain, format, train, 0);
  const test = emptyDataset(perTest, classes, names);
  decodeFile(join(dir, CIFAR100_TEST_FILE), perTest, format, test, 0);
  return { name: 'cifar100', train, test };
}
