/** The datasets `--dataset` accepts (nothing is downloaded). */
export const DATASET_NAMES = ['mnist'] as const;
export type DatasetName = (typeof DATASET_NAMES)[number];
