// Conv2DInfo helpers shared by the conv strategies of this folder: the geometry tuple the conv*
// WASM exports take, chunk sizes for the chunked GEMM paths, and the checks that decide whether
// the WASM kernels cover a call at all.
import * as tf from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { MR } from '../conv_support.js';

export type Conv2DInfo = tf.backend_util.Conv2DInfo;
export type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
export type Rounding = 'floor' | 'round' | 'ceil' | undefined;

/** Below this many input channels the forward pass reduces over filter rows of a padded copy instead of per-tap indirection. */
export const IM2COL_MAX_CHANNELS = 8;

/** Target bytes of one im2col / col2im chunk (rows are added up to at least MIN_CHUNK_ROWS). */
const CHUNK_BYTES = 1 << 20;
const MIN_CHUNK_ROWS = 96;

/**
 * Rows per chunk for K-long rows: about `bytes` of rows (at least minRows, at most m), evened
 * out so that the last chunk is not a small remainder (each chunk is a pass over the output).
 */
export function chunkRows(m: number, k: number, bytes = CHUNK_BYTES, minRows = MIN_CHUNK_ROWS): number {
  const target = Math.max(minRows, Math.floor(bytes / (4 * Math.max(k, 1))));
  const chunks = Math.max(1, Math.ceil(m / target));
  return Math.max(1, Math.min(m, Math.ceil(m / chunks / MR) * MR));
}

/** (n, h, w, ci, fh, fw, sh, sw, pt, pl, oh, ow) as the conv* exports take them. */
export function geometryArgs(c: Conv2DInfo): number[] {
  return [
    c.batchSize, c.inHeight, c.inWidth, c.inChannels, c.filterHeight, c.filterWidth, c.strideHeight,
    c.strideWidth, c.padInfo.top, c.padInfo.left, c.outHeight, c.outWidth,
  ];
}

/** True when the WASM kernels cover this call: NHWC, no dilation, float32 operands. */
export function wasmCovers(dataFormat: unknown, dilations: unknown, ...tensors: TensorInfo[]): boolean {
  if (dataFormat !== undefined && dataFormat !== 'NHWC') return false;
  if (dilations !== undefined) {
    const [dh, dw] = typeof dilations === 'number' ? [dilations, dilations] : (dilations as number[]);
    if (dh !== 1 || dw !== 1) return false;
  }
  return tensors.every((t) => t.dtype === 'float32');
}

/** The NHWC Conv2DInfo of x [n, h, w, ci] and filter [fh, fw, ci, co] (no dilation). */
export function convInfoOf(
  xShape: number[], filterShape: number[], strides: unknown, pad: Pad, rounding: Rounding,
): Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number], filterShape as [number, number, number, number],
    strides as [number, number] | number, 1, pad, rounding, false, 'channelsLast',
  );
}

/** Throws a one-line error unless `t` (a tensor or a shape) has rank 4. */
export function checkRank4(kernel: string, name: string, t: TensorInfo | number[]): void {
  const shape = Array.isArray(t) ? t : t.shape;
  if (shape.length !== 4) throw new Error(`wireless-moe ${kernel}: ${name} must be rank 4, got shape [${shape}]`);
}
