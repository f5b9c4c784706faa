// Where each conv pass's operands live in the nn module's arena: the call a forward strategy
// runs, and the byte addresses an input- or filter-gradient strategy reads and writes, with the
// set-up (arena reset, operands copied in, output allocated) that every strategy of a pass shares.
import type { WmoeBackend } from '../../backend/backend.js';
import type { NnExports } from '../nn_exports.js';
import type { WasmArena } from '../../wasm/arena.js';
import { outputF32, readPtr } from '../wasm_io.js';
import type { Conv2DInfo } from './geometry.js';

/**
 * A forward convolution call: x [n, h, w, ci] and filter [fh, fw, ci, co] values, optional bias
 * [co] and activation code 0–3 of gemmBiasActivation (alpha for leaky relu); `filterKey` (the
 * filter tensor's data id) lets the packed filter be reused.
 */
export interface ForwardCall {
  backend: WmoeBackend;
  xv: Float32Array;
  wv: Float32Array;
  info: Conv2DInfo;
  bias: Float32Array | undefined;
  act: number;
  alpha: number;
  filterKey: object | undefined;
}

/** Adds the bias and applies the activation of `call` to out (m × co at pout) in place, then returns out's values. */
export function forwardEpilogue(
  call: ForwardCall, ex: NnExports, out: { ptr: number; values(): Float32Array }, pbias: number,
): Float32Array {
  const { info, act, alpha } = call;
  const co = info.outChannels;
  const m = info.batchSize * info.outHeight * info.outWidth;
  if (pbias !== 0 || act !== 0) ex.gemmBiasActivation(out.ptr, m, co, co, pbias, act, alpha);
  return out.values();
}

/** Where an input-gradient strategy reads dy and W and writes dx (byte addresses; W's values as wv). */
export interface InputGradAt {
  backend: WmoeBackend;
  ex: NnExports;
  arena: WasmArena;
  info: Conv2DInfo;
  pdy: number;
  pw: number;
  wv: Float32Array;
  pdx: number;
}

/**
 * Input gradient dx [n, h, w, ci] from dy [n, oh, ow, co] and filter [fh, fw, ci, co] by
 * `body`, after copying dy and W into the arena and allocating dx there.
 */
export function inputGradIn(
  backend: WmoeBackend, dyv: Float32Array, wv: Float32Array, info: Conv2DInfo, body: (at: InputGradAt) => void,
): Float32Array {
  const arena = backend.nn.arena;
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci } = info;
  arena.reset();
  const pdy = readPtr(backend, dyv);
  const pw = readPtr(backend, wv);
  const dx = outputF32(backend, n * h * w * ci);
  body({ backend, ex: backend.nn.exports as NnExports, arena, info, pdy, pw, wv, pdx: dx.ptr });
  return dx.values();
}

/** Where a filter-gradient strategy reads x and dy and writes dW (byte addresses in the nn module's memory). */
export interface FilterGradAt {
  backend: WmoeBackend;
  ex: NnExports;
  arena: WasmArena;
  info: Conv2DInfo;
  px: number;
  pdy: number;
  pdw: number;
}

/**
 * Filter gradient dW [fh, fw, ci, co] from x [n, h, w, ci] and dy [n, oh, ow, co] by `body`,
 * after copying x and dy into the arena and allocating dW there.
 */
export function filterGradIn(
  backend: WmoeBackend, xv: Float32Array, dyv: Float32Array, info: Conv2DInfo, body: (at: FilterGradAt) => void,
): Float32Array {
  const arena = backend.nn.arena;
  const k = info.filterHeight * info.filterWidth * info.inChannels;
  arena.reset();
  const px = readPtr(backend, xv);
  const pdy = readPtr(backend, dyv);
  const dw = outputF32(backend, k * info.outChannels);
  body({ backend, ex: backend.nn.exports as NnExports, arena, info, px, pdy, pdw: dw.ptr });
  return dw.values();
}
