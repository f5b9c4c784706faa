import type { KernelConfig } from '@tensorflow/tfjs-core';

/** Placeholder: the WASM kernels of this family are not written yet. */
export const convKernels: KernelConfig[] = [];
