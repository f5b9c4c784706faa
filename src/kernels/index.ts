import type { KernelConfig } from '@tensorflow/tfjs-core';
import { matMulKernels } from './matmul.js';
import { convKernels } from './conv2d.js';
import { poolKernels } from './pool.js';
import { softmaxKernels } from './softmax.js';
import { topKKernels } from './topk.js';
import { binaryKernels } from './binary.js';
import { unaryKernels } from './unary.js';
import { reduceKernels } from './reduce.js';
import { unpackKernels } from './unpack.js';
import { batchNormKernels } from './batch_norm.js';
import { geluKernels } from './gelu.js';
import { layerNormKernels } from './layer_norm.js';
import { attentionKernels } from './attention.js';
import { headsMatMulKernels } from './heads_matmul.js';
import { releasingOutputs } from './wasm_io.js';

/**
 * The kernels that backend `wmoe` runs in WASM. Every other kernel is inherited from
 * tfjs-backend-cpu (see src/backend/init.ts). Each gives back the outputs it took when it throws.
 */
export const wmoeKernels: KernelConfig[] = [
  ...matMulKernels,
  ...convKernels,
  ...poolKernels,
  ...softmaxKernels,
  ...topKKernels,
  ...binaryKernels,
  ...unaryKernels,
  ...reduceKernels,
  ...unpackKernels,
  ...batchNormKernels,
  ...geluKernels,
  ...layerNormKernels,
  ...attentionKernels,
  ...headsMatMulKernels,
].map(releasingOutputs);
