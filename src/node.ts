/**
 * Node-only entry (`wireless-moe/node`): built-in datasets read from installed packages and
 * checkpoint files. Everything in the main entry is re-exported too.
 */
export * from './index.js';
export { loadDataset, loadMnist, loadCifar10, loadCifar100, loadFashionMnist } from './data/index.js';
export { loadCheckpoint, writeRunDirectory, finishRunDirectory } from './train/checkpoint.js';
export { predictCheckpoint } from './infer/predict_checkpoint.js';
export { readInputFile, type InputImages } from './infer/input_file.js';
export { writeTrainStateFile, readTrainStateFile, hasTrainState, TRAIN_STATE_FILE } from './train/train_state_file.js';
