import { describe, expect, it } from 'vitest';
import { tf, wmoe, rand } from '../helpers/tf.js';
import { convInfoOf, type Pad } from '../../src/kernels/conv/geometry.js';
import { convStrategyLog, lastConvStrategy, planFilterGrad, planForward, planInputGrad } from '../../src/kernels/conv2d.js';

const info = (x: number[], f: number[], stride: number, pad: Pad) => convInfoOf(x, f, stride, pad, undefined);

// Expectations read off the rules (not off a run):
//   LeNet 1→6 (28x28, 5x5 valid): stride 1, ow 24 fills 8-pixel tiles, 6 channels fill the
//     direct kernel's 6-channel block, 1·6 ≤ 512 → forward 'direct'; dx has co = 6 < 8 (no
//     scatter) and the rotated conv (1 output channel, rows of 28) fits the direct kernel →
//     'direct-rotated' ('single-channel' when the call passes singleChannelInputGradFits); dW:
//     co 6/8 < 0.8 of a panel (no row GEMM), ow 24 and fw 5 (4 of 5 columns in blocks of 4 = 0.8)
//     → 'direct'.
//   LeNet 6→16 (14x14, 5x5 valid): ow 10 of 16 lanes < 0.75 → not direct; ci < 8 → forward
//     'gemm-filter-rows'; fw·ci = 30 of 32 floats → dx 'scatter'; no padding, 16 of 16 panel
//     columns → dW 'row-gemm'.
//   ResNet 3x3 64→64 (batch 8, 32x32, same): 3x3 stride 1, 64 ≥ 32 channels both ways, 8·8·8
//     4x4 tiles ≥ 4 (≥ 8 for dW) → forward, dx and dW 'winograd4'. With 16 channels: forward
//     'gemm-indirect', dx 'gemm-rotated', but dW (≥ 8 channels, 8·16·16 2x2 tiles ≥ 32) 'winograd'.
//     512 → 512 at batch 1 on 4x4 (one 4x4 tile < 4): forward 'winograd' (≥ 4 2x2 tiles with
//     ≥ 256 channels each way), dx 'gemm-rotated' (that rule is the forward pass's) and (16
//     pixels < 512 filters) dW 'gemm-few-pixels'; 128 → 128 there (< 256 channels) and 512 → 512
//     on 2x2 (1 tile < 4): forward 'gemm-indirect'; at batch 4 (4 tiles of 4x4) 'winograd4'.
//   ResNet 1x1 64→128 shortcut, stride 2: forward 'gemm-indirect'; stride 2 → dx 'gemm-col2im';
//     1x1 without padding → dW 'gemm-1x1'.
//   ResNet 3x3 512→512 at 4x4, batch 1: 16 pixels < 512 filters → dW 'gemm-few-pixels'.
describe('conv planner', () => {
  it('names the strategy for LeNet-5 first layer (1 → 6 channels)', () => {
    const c = info([1, 28, 28, 1], [5, 5, 1, 6], 1, 'valid');
    expect(planForward(c).name).toBe('direct');
    expect(planInputGrad(c).name).toBe('direct-rotated');
    expect(planInputGrad(c, true).name).toBe('single-channel');
    expect(planFilterGrad(c).name).toBe('direct');
  });

  it('runs the direct kernel on at most 12 output channels (ResNet stem 3 → 64: GEMM)', () => {
    // Stride 1, rows of 32 fill 8-pixel tiles, ci·co ≤ 512 each: only the output channel count decides.
    expect(planForward(info([1, 32, 32, 1], [3, 3, 1, 12], 1, 'same')).name).toBe('direct');
    expect(planForward(info([1, 32, 32, 3], [3, 3, 3, 16], 1, 'same')).name).toBe('gemm-filter-rows');
    expect(planForward(info([1, 32, 32, 3], [3, 3, 3, 64], 1, 'same')).name).toBe('gemm-filter-rows');
    // The input gradient's conv of the stem has 64 inputs and 3 outputs: still direct.
    expect(planInputGrad(info([1, 32, 32, 3], [3, 3, 3, 64], 1, 'same')).name).toBe('direct-rotated');
  });

  it('names the strategy for LeNet-5 second layer (6 → 16 channels)', () => {
    const c = info([1, 14, 14, 6], [5, 5, 6, 16], 1, 'valid');
    expect(planForward(c).name).toBe('gemm-filter-rows');
    expect(planInputGrad(c).name).toBe('scatter');
    expect(planFilterGrad(c).name).toBe('row-gemm');
  });

  it('names the strategy for a ResNet 3x3 64 → 64 layer', () => {
    const c = info([8, 32, 32, 64], [3, 3, 64, 64], 1, 'same');
    expect(planForward(c).name).toBe('winograd4');
    expect(planInputGrad(c).name).toBe('winograd4');
    expect(planFilterGrad(c).name).toBe('winograd4');
    expect(planFilterGrad(info([8, 32, 32, 16], [3, 3, 16, 16], 1, 'same')).name).toBe('winograd');
    expect(planFilterGrad(info([8, 32, 32, 64], [3, 3, 64, 4], 1, 'same')).name).toBe('gemm-many-pixels');
    for (const few of [info([8, 32, 32, 16], [3, 3, 16, 16], 1, 'same'), info([1, 4, 4, 512], [3, 3, 512, 512], 1, 'same')]) {
      expect(planInputGrad(few).name).toBe('gemm-rotated');
    }
    expect(planForward(info([8, 32, 32, 16], [3, 3, 16, 16], 1, 'same')).name).toBe('gemm-indirect');
    expect(planForward(info([1, 4, 4, 512], [3, 3, 512, 512], 1, 'same')).name).toBe('winograd');
    expect(planForward(info([1, 4, 4, 128], [3, 3, 128, 128], 1, 'same')).name).toBe('gemm-indirect');
    expect(planForward(info([1, 2, 2, 512], [3, 3, 512, 512], 1, 'same')).name).toBe('gemm-indirect');
    // 32 → 16 channels: the input gradient's conv has 16 input channels, too.
    const narrow = info([8, 32, 32, 32], [3, 3, 32, 16], 1, 'same');
    expect(planForward(narrow).name).toBe('gemm-indirect');
    expect(planInputGrad(narrow).name).toBe('gemm-rotated');
    expect(planForward(info([4, 4, 4, 512], [3, 3, 512, 512], 1, 'same')).name).toBe('winograd4');
    expect(planForward(info([3, 4, 4, 512], [3, 3, 512, 512], 1, 'same')).name).toBe('winograd');
  });

  it('names the strategy for a 1x1 stride-2 shortcut and a deep few-pixel layer', () => {
    const c = info([8, 32, 32, 64], [1, 1, 64, 128], 2, 'same');
    expect(planForward(c).name).toBe('gemm-indirect');
    expect(planInputGrad(c).name).toBe('gemm-col2im');
    expect(planFilterGrad(c).name).toBe('gemm-1x1');
    expect(planFilterGrad(info([1, 4, 4, 512], [3, 3, 512, 512], 1, 'same')).name).toBe('gemm-few-pixels');
    expect(planFilterGrad(info([0, 4, 4, 8], [3, 3, 8, 8], 1, 'same')).name).toBe('empty');
  });

  it('records the strategy each conv call ran', async () => {
    await wmoe();
    await tf.setBackend('wmoe');
    convStrategyLog(true);
    const x = rand([1, 14, 14, 6], 1);
    const w = rand([5, 5, 6, 16], 2);
    const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'valid')));
    tf.dispose(grads([x, w]));
    const log = convStrategyLog(false);
    expect(log[0]).toEqual({ pass: 'forward', strategy: 'gemm-filter-rows' });
    expect(log.slice(1).map((r) => `${r.pass}:${r.strategy}`).sort()).toEqual(['filterGrad:row-gemm', 'inputGrad:scatter']);
    expect(lastConvStrategy('inputGrad')).toBe('scatter');
    expect(convStrategyLog(false)).toEqual([]);
    tf.dispose([x, w]);
  });
});
