// Input gradient by row scatter (convScatterInputGrad of conv_scatter.ts in assembly/): each dx
// row segment += dy pixel · W row, for few input channels whose fw·ci filter-row floats fill
// 8-float passes (LeNet 6→16), any stride and padding.
import { IM2COL_MAX_CHANNELS, type Conv2DInfo } from './geometry.js';
import type { InputGradAt } from './pass_io.js';
import { SCATTER_SCRATCH_BYTES, runPerImage } from './per_image.js';

/** Floats per column pass of convScatterInputGrad (its filter rows are padded to a multiple). */
const SCATTER_PASS = 8;
/** convScatterInputGrad runs when at least this fraction of its padded filter-row floats is used. */
const SCATTER_MIN_USE = 0.8;

/**
 * True when convScatterInputGrad covers an input gradient well: the fw·ci dx floats of a filter
 * row fill its 8-float column passes (few input channels; LeNet's 5x5x6 = 30 of 32) and there
 * are enough output channels to amortise the read-modify-write of dx.
 */
export function scatterFits(c: Conv2DInfo): boolean {
  const k = c.filterWidth * c.inChannels;
  if (k === 0 || c.inChannels >= IM2COL_MAX_CHANNELS || c.outChannels < 8 || c.outHeight * c.outWidth === 0) return false;
  return k / (Math.ceil(k / SCATTER_PASS) * SCATTER_PASS) >= SCATTER_MIN_USE;
}

/**
 * Input-gradient strategy 'scatter': dx (at pdx, [n][h][w][ci]) by convScatterInputGrad from dy
 * (at pdy) and the filter W [fh][fw][ci][co]: every multiply is a real filter tap, any stride and
 * padding. Writes straight into dx when no tap lands in padding, else into a scratch cropped afterwards.
 * Images split over the backend's active threads (runPerImage).
 */
export function inputGradScatter({ backend, ex, arena, info: c, pdy, wv, pdx }: InputGradAt): void {
  const { inChannels: ci, outChannels: co, filterHeight: fh, filterWidth: fw, batchSize: n } = c;
  const { inHeight: h, inWidth: w, outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw } = c;
  const { top: pt, left: pl } = c.padInfo;
  const k = fw * ci;
  const kp = Math.ceil(k / SCATTER_PASS) * SCATTER_PASS;
  const hq = Math.max(pt + h, (oh - 1) * sh + fh);
  const wq = Math.max(pl + w, (ow - 1) * sw + fw);
  const direct = pt === 0 && pl === 0 && hq === h && wq === w;
  const pvk = arena.alloc(fh * co * kp * 4);
  const pdxq = direct ? pdx : arena.alloc(n * hq * wq * ci * 4);
  // V [kh][q][o][jj] = W[kh][kw][c][o] with kw·ci + c = 8q + jj (zero past fw·ci).
  const vk = arena.f32(pvk, fh * co * kp);
  vk.fill(0);
  for (let kh = 0; kh < fh; kh++) {
    for (let j = 0; j < k; j++) {
      const q = Math.floor(j / SCATTER_PASS);
      const src = (kh * k + j) * co;
      const dst = (kh * kp + q * SCATTER_PASS) * co + (j - q * SCATTER_PASS);
      for (let o = 0; o < co; o++) vk[dst + o * SCATTER_PASS] = wv[src + o];
    }
  }
  runPerImage(backend, 'convScatterInputGrad', {
    args: [pdy, n, oh, ow, co, pvk, fh, fw, ci, sh, sw, pdxq, hq, wq, 0], countIndex: 1,
    imageBytes: [oh * ow * co * 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, hq * wq * ci * 4, 0, 0, 0],
    scratchIndex: 14, scratchBytes: SCATTER_SCRATCH_BYTES, macs: n * oh * ow * co * fh * kp,
  });
  if (!direct) ex.convScatterCrop(pdxq, n, hq, wq, ci, pt, pl, h, w, pdx);
}
