/**
 * wireless-moe: a distributed mixture-of-experts over noisy wireless links.
 *
 * - `init()` registers the WASM SIMD tfjs backend `wmoe`; `tf` is the tfjs-core it uses.
 */
export { init, tf, BACKEND_NAME, type InitOptions } from './backend/init.js';
export { WmoeBackend } from './backend/backend.js';
