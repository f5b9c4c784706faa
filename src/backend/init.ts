import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import './generated/gradients.js';
import './generated/chained_ops.js';
import nnWasm from '../wasm/generated/nn.js';
import { loadWasm, type WasmSource } from '../wasm/module.js';
import type { NnExports } from '../kernels/nn_exports.js';
import { wmoeKernels } from '../kernels/index.js';
import { WmoeBackend } from './backend.js';

/** Name under which the WASM SIMD backend is registered with tfjs-core. */
export const BACKEND_NAME = 'wmoe';

export interface InitOptions {
  /** Bytes or URL of nn.wasm; defaults to the copy inlined in the package. */
  wasm?: WasmSource;
  /** Make `wmoe` the current backend (default true). */
  setBackend?: boolean;
}

let loaded: Promise<WmoeBackend> | undefined;

/**
 * Loads the `nn` WASM module and registers backend `wmoe` into the application's
 * `@tensorflow/tfjs-core`: every kernel of tfjs-backend-cpu, with the hot ones replaced by
 * WASM SIMD kernels. Then makes it current (unless `setBackend: false`). Idempotent.
 * Throws if the engine lacks WebAssembly SIMD.
 */
export async function init(options: InitOptions = {}): Promise<WmoeBackend> {
  loaded ??= (async () => {
    const nn = await loadWasm<NnExports>('nn', options.wasm ?? nnWasm);
    const backend = new WmoeBackend(nn);
    const ours = new Set(wmoeKernels.map((k) => k.kernelName));
    for (const k of tf.getKernelsForBackend('cpu')) {
      if (!ours.has(k.kernelName)) tf.registerKernel({ ...k, backendName: BACKEND_NAME });
    }
    for (const k of wmoeKernels) tf.registerKernel({ ...k, backendName: BACKEND_NAME });
    tf.registerBackend(BACKEND_NAME, () => backend, 1);
    return backend;
  })();
  const backend = await loaded;
  if (options.setBackend !== false) await tf.setBackend(BACKEND_NAME);
  return backend;
}

/** The tfjs-core instance that backend `wmoe` registered into. */
export { tf };
