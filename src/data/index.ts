import type { DatasetSplit } from './dataset.js';
import { loadMnist } from './mnist.js';
import { DATASET_NAMES, type DatasetName } from './names.js';

export type { Dataset, DatasetSplit } from './dataset.js';
export { loadMnist };

/** Loads a built-in dataset by name (Node only; nothing is downloaded). */
export async function loadDataset(name: DatasetName | string): Promise<DatasetSplit> {
  if (name === 'mnist') return loadMnist();
  throw new Error(`unknown dataset '${name}' (known: ${DATASET_NAMES.join(', ')})`);
}
