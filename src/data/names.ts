/** The datasets `--dataset` accepts (nothing is downloaded). */
export const DATASET_NAMES = ['mnist', 'fashion-mnist', 'mnist-idx', 'cifar10', 'cifar100'] as const;
export type DatasetName = (typeof DATASET_NAMES)[number];

/** Datasets read from files the user supplies: `--data-dir` is required. */
export const DATASETS_NEEDING_DATA_DIR: readonly DatasetName[] = ['mnist-idx', 'cifar10', 'cifar100'];

/** Datasets that take `--data-dir` (optional for fashion-mnist, which defaults to Debian's copy). */
export const DATASETS_READING_DATA_DIR: readonly DatasetName[] = ['fashion-mnist', 'mnist-idx', 'cifar10', 'cifar100'];

/** Datasets with a second, coarser labelling (`--labels fine|coarse`). */
export const DATASETS_WITH_COARSE_LABELS: readonly DatasetName[] = ['cifar100'];

/** The label sets `--labels` accepts. */
export const LABEL_SETS = ['fine', 'coarse'] as const;
export type LabelSet = (typeof LABEL_SETS)[number];
