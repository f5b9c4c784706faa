// Direct kernels (conv_direct.ts in assembly/) for stride-1 convs with few channels (LeNet
// 1→6): 8 pixels × 6 output channels per tile on a channel-planar padded copy, no GEMM. Serves
// the forward pass and the input gradient (a forward conv of dy with the rotated filter).
import type { WmoeBackend } from '../../backend/backend.js';
import type { NnExports } from '../nn_exports.js';
import { outputF32, readPtr } from '../wasm_io.js';
import { IM2COL_MAX_CHANNELS } from './geometry.js';
import { type ForwardCall, type InputGradAt, forwardEpilogue } from './pass_io.js';
import { DIRECT_TILE_BYTES, runPerImage } from './per_image.js';

/** gemmBiasActivation's activation code of ReLU (0: none; 2 relu6 and 3 leaky run after the kernel). */
const ACT_RELU = 1;
/** Output-channel block of convDirectForward (its weights are packed in blocks of 6). */
const DIRECT_COB = 6;
/** Filter-column block of convDirectForward's padded rows. */
const DIRECT_KWB = 5;
/** Direct kernels run when at least this fraction of their padded pixel (and column) lanes is used. */
export const DIRECT_MIN_USE = 0.75;
/**
 * …and on at most this many output channels: from 16 on the GEMM ('gemm-filter-rows') won
 * every shape measured (3x3 'same' on 32x32, batch 1, relaxed build, 1 thread, load ~5, median
 * of 250 calls: 1→16 1.1×, 3→16 1.2×, 6→16 1.4×, 3→32 1.35×, 3→64 (ResNet's stem) 2.0×,
 * 6→64 1.8×; batch 8 3→64 1.5×), while direct wins at 1→6 (1.15–1.25×) and 1→12 (1.45×).
 */
export const DIRECT_MAX_OUT_CHANNELS = 12;

/** Planar padded image size (rows hp, row length wp) that the direct kernels of conv_direct.ts need. */
export function directPlane(oh: number, ow: number, fh: number, fw: number): { hp: number; wp: number } {
  return { hp: oh + fh - 1, wp: Math.ceil(ow / 8) * 8 + DIRECT_KWB * Math.ceil(fw / DIRECT_KWB) };
}

/**
 * True when a stride-1 conv with `cin` input and `cout` output channels producing rows of `ow`
 * pixels runs faster on convDirectForward (8 pixels × 6 channels per tile) than on the GEMM: few
 * output channels (≤ DIRECT_MAX_OUT_CHANNELS; the GEMM's 8 column lanes are the waste), and
 * rows long enough to fill 8-pixel tiles.
 */
export function directForwardFits(sh: number, sw: number, cin: number, cout: number, ow: number): boolean {
  if (sh !== 1 || sw !== 1 || ow === 0 || cout > DIRECT_MAX_OUT_CHANNELS) return false;
  if (cin >= IM2COL_MAX_CHANNELS && cout >= IM2COL_MAX_CHANNELS) return false;
  const pixelUse = ow / (Math.ceil(ow / 8) * 8);
  const channelUse = cout / (Math.ceil(cout / DIRECT_COB) * DIRECT_COB);
  return pixelUse >= DIRECT_MIN_USE && channelUse >= DIRECT_MIN_USE * Math.min(1, cout / 8) && cin * cout <= 512;
}

/**
 * Stride-1 conv by convDirectForward: out (n·oh·ow × cout, at pout) from the NHWC image at px
 * ([n][h][w][cin], already in the arena) with padding (pt, pl); `filterAt(kh, kw, c, o)` gives the
 * filter value of input channel c and output channel o at tap (kh, kw). Images split over the
 * backend's active threads (runPerImage). The kernel's epilogue adds the bias [cout] at `pbias`
 * (0: none) and applies ReLU if `relu`, as gemmBiasActivation would afterwards (same bits).
 */
export function directForwardAt(
  backend: WmoeBackend, px: number, n: number, h: number, w: number, cin: number, pt: number, pl: number,
  fh: number, fw: number, oh: number, ow: number, cout: number, filterAt: (kh: number, kw: number, c: number, o: number) => number,
  pout: number, pbias = 0, relu = false,
): void {
  const ex = backend.nn.exports as NnExports;
  const arena = backend.nn.arena;
  const { hp, wp } = directPlane(oh, ow, fh, fw);
  const blocks = Math.ceil(cout / DIRECT_COB);
  const pxp = arena.alloc(n * cin * hp * wp * 4);
  const pwk = arena.alloc(blocks * fh * cin * fw * DIRECT_COB * 4);
  const wk = arena.f32(pwk, blocks * fh * cin * fw * DIRECT_COB);
  // Weights as [block][kh][c][kw][6], zero past cout.
  let i = 0;
  for (let b = 0; b < blocks; b++) {
    for (let kh = 0; kh < fh; kh++) {
      for (let c = 0; c < cin; c++) {
        for (let kw = 0; kw < fw; kw++) {
          for (let j = 0; j < DIRECT_COB; j++) {
            const o = b * DIRECT_COB + j;
            wk[i++] = o < cout ? filterAt(kh, kw, c, o) : 0;
          }
        }
      }
    }
  }
  const planeBytes = cin * hp * wp * 4;
  runPerImage(backend, 'convPlanarPad', {
    args: [px, n, h, w, cin, pt, pl, cin, hp, wp, pxp], countIndex: 1, imageBytes: [h * w * cin * 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, planeBytes],
    scratchIndex: -1, scratchBytes: 0, macs: n * oh * ow * cout * fh * fw * cin,
  });
  runPerImage(backend, 'convDirectForward', {
    args: [pxp, n, cin, hp, wp, fh, fw, oh, ow, pwk, cout, pout, Math.max(0, pt), Math.min(hp, pt + h), 0, pbias, relu ? 1 : 0],
    countIndex: 1, imageBytes: [planeBytes, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, oh * ow * cout * 4, 0, 0, 0, 0, 0],
    scratchIndex: 14, scratchBytes: DIRECT_TILE_BYTES, macs: n * oh * ow * cout * fh * fw * cin,
  });
}

/**
 * Forward strategy 'direct': out [n, oh, ow, co] by convDirectForward (the filter is never copied
 * in whole), with the bias and a ReLU applied by the kernel (other activations afterwards).
 */
export function forwardDirect(call: ForwardCall): Float32Array {
  const { backend, xv, wv, info, bias, act } = call;
  const ex = backend.nn.exports as NnExports;
  const co = info.outChannels;
  const m = info.batchSize * info.outHeight * info.outWidth;
  backend.nn.arena.reset();
  const px = readPtr(backend, xv);
  const out = outputF32(backend, m * co);
  const pbias = bias ? readPtr(backend, bias) : 0;
  const fused = act <= ACT_RELU;
  const { inChannels: ci, filterHeight: fh, filterWidth: fw } = info;
  directForwardAt(
    backend, px, info.batchSize, info.inHeight, info.inWidth, ci, info.padInfo.top, info.padInfo.left, fh, fw,
    info.outHeight, info.outWidth, co, (kh, kw, c, o) => wv[((kh * fw + kw) * ci + c) * co + o], out.ptr,
    fused ? pbias : 0, fused && act === ACT_RELU,
  );
  return fused ? out.values() : forwardEpilogue(call, ex, out, pbias);
}

/** Input-gradient strategy 'direct-rotated' (stride 1): dx = conv(dy, W rotated by 180°, ci/co swapped) by the direct kernel. */
export function inputGradDirect({ backend, info, pdy, wv, pdx }: InputGradAt): void {
  const { inChannels: ci, outChannels: co, filterHeight: fh, filterWidth: fw, batchSize: n } = info;
  const { inHeight: h, inWidth: w, outHeight: oh, outWidth: ow } = info;
  const { top: pt, left: pl } = info.padInfo;
  // Few input channels = few outputs here.
  directForwardAt(
    backend, pdy, n, oh, ow, co, fh - 1 - pt, fw - 1 - pl, fh, fw, h, w, ci,
    (kh, kw, c, o) => wv[(((fh - 1 - kh) * fw + (fw - 1 - kw)) * ci + o) * co + c], pdx,
  );
}
