// Page script built from the sources (src/index.ts, src/channel, src/sim), as an application
// bundling the package from source would. Exposes the checks on `globalThis.wmoeWeb`.
import { checksFor } from './checks.js';
import { srcApi } from './src_api.js';
import { hasWasmRelaxedSimd, hasWasmSimd } from '../../../src/wasm/simd.js';

const api = { ...checksFor(srcApi), hasWasmSimd, hasWasmRelaxedSimd, userAgent: () => navigator.userAgent };
export type WebApi = typeof api;

(globalThis as unknown as { wmoeWeb: WebApi }).wmoeWeb = api;
