// The conv kernels of backend `wmoe` live in ./conv/ (one strategy per file; conv/plan.ts picks
// among them by shape, conv/kernels.ts registers them). This module re-exports their public face.
export { convKernels } from './conv/kernels.js';
export { convStrategyLog, lastConvStrategy, planFilterGrad, planForward, planInputGrad } from './conv/plan.js';
export type { ConvPass, ConvStrategyRecord, FilterGradStrategy, ForwardStrategy, InputGradStrategy } from './conv/plan.js';
