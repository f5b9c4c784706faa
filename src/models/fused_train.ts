// Convolution / matmul + bias + ReLU as ONE fused kernel while training. tfjs-core's
// tf.fused.conv2d and tf.fused.matMul fall back to three kernels (op, Add, Relu) whenever a
// gradient tape is active and the activation is not linear; these ops run the fused kernel in
// a customGrad forward (which the tape does not record) and back-propagate with exactly the
// kernels tfjs runs for the unfused composition relu(op(x, w) + bias): dy·step(y) (y > 0 iff the
// pre-activation is), the op's own input and weight gradients, and the bias gradient as dy·step(y)
// summed over the broadcast axes. So values and gradients are bit-identical to that composition.
import * as tf from '@tensorflow/tfjs-core';
import { InputError } from '../errors.js';

type Pad = 'valid' | 'same';

let fusedInTraining = true;

/**
 * Turns the fused training path on (the default) or off, and returns the previous setting. Off,
 * these ops call tf.fused.conv2d / tf.fused.matMul, which tfjs unfuses under a gradient tape: the
 * same values by three kernels, for A/B checks of speed and bit-identity.
 */
export function setFusedTraining(on: boolean): boolean {
  const was = fusedInTraining;
  fusedInTraining = on;
  return was;
}

/** dy·step(y): the ReLU's gradient read from its output y (y > 0 exactly where its input is). */
function reluBackprop(dy: tf.Tensor, y: tf.Tensor): tf.Tensor {
  return tf.mul(dy, tf.step(y));
}

/** The bias gradient: dyAct summed over the axes the bias was broadcast along, in the bias's shape. */
function biasGrad(bias: tf.Tensor, dyAct: tf.Tensor): tf.Tensor {
  const axes = tf.backend_util.getReductionAxes(bias.shape, dyAct.shape);
  return tf.reshape(axes.length > 0 ? tf.sum(dyAct, axes) : dyAct, bias.shape);
}

/**
 * relu(conv2d(x, filter, strides, pad) + bias), NHWC, as one FusedConv2D kernel, differentiable.
 * x [n, h, w, ci], filter [fh, fw, ci, co], bias [co] → [n, oh, ow, co]. With `inputGrad: false`
 * x is treated as data (a constant to the tape: no gradient is computed for it, as for a batch of
 * images; asking tf.grad for one throws), which saves the input-gradient convolution.
 */
export function conv2dBiasRelu(
  x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D, strides: number | [number, number], pad: Pad,
  { inputGrad = true }: { inputGrad?: boolean } = {},
): tf.Tensor4D {
  if (x.rank !== 4 || filter.rank !== 4) throw new InputError(`conv2dBiasRelu: x [${x.shape}] and filter [${filter.shape}] must be rank 4`);
  if (x.shape[3] !== filter.shape[2]) throw new InputError(`conv2dBiasRelu: x has ${x.shape[3]} channels but filter [${filter.shape}] expects ${filter.shape[2]}`);
  if (bias.rank !== 1 || bias.shape[0] !== filter.shape[3]) throw new InputError(`conv2dBiasRelu: bias [${bias.shape}] must be [${filter.shape[3]}]`);
  if (!fusedInTraining) return tf.fused.conv2d({ x, filter, bias, strides, pad, activation: 'relu' });
  const attrs = { strides, pad, dataFormat: 'NHWC', dilations: [1, 1], activation: 'relu' } as unknown as tf.NamedAttrMap;
  const forward = (xv: tf.Tensor4D, w: tf.Tensor4D, b: tf.Tensor1D, save: tf.GradSaveFunc) => {
    const y = tf.engine().runKernel(tf.FusedConv2D, { x: xv, filter: w, bias: b }, attrs) as tf.Tensor4D;
    save([xv, w, b, y]);
    const gradFunc = (dy: tf.Tensor4D, saved: tf.Tensor[]) => {
      const [sx, sw, sb, sy] = saved as [tf.Tensor4D, tf.Tensor4D, tf.Tensor1D, tf.Tensor4D];
      const dyAct = reluBackprop(dy, sy);
      const back = { strides, pad, dataFormat: 'NHWC' } as const;
      const dw = tf.engine().runKernel(tf.Conv2DBackpropFilter, { x: sx, dy: dyAct }, { ...back, filterShape: sw.shape }) as tf.Tensor;
      const grads = [dw, biasGrad(sb, dyAct)];
      if (inputGrad) grads.unshift(tf.engine().runKernel(tf.Conv2DBackpropInput, { dy: dyAct, filter: sw }, { ...back, inputShape: sx.shape }) as tf.Tensor);
      return grads;
    };
    return { value: y, gradFunc };
  };
  if (inputGrad) {
    const op = tf.customGrad((xv, w, b, save) => forward(xv as tf.Tensor4D, w as tf.Tensor4D, b as tf.Tensor1D, save as tf.GradSaveFunc));
    return op(x, filter, bias) as tf.Tensor4D;
  }
  const op = tf.customGrad((w, b, save) => forward(x, w as tf.Tensor4D, b as tf.Tensor1D, save as tf.GradSaveFunc));
  return op(filter, bias) as tf.Tensor4D;
}

/**
 * relu(matMul(a, b) + bias) as one _FusedMatMul kernel, differentiable: a [batch, m, k],
 * b [batch, k, n] (no transposes, equal batches), bias broadcastable to [batch, m, n]
 * (e.g. [n] or [batch, 1, n]) → [batch, m, n].
 */
export function matMulBiasRelu(a: tf.Tensor3D, b: tf.Tensor3D, bias: tf.Tensor): tf.Tensor3D {
  if (a.rank !== 3 || b.rank !== 3 || a.shape[0] !== b.shape[0] || a.shape[2] !== b.shape[1]) {
    throw new InputError(`matMulBiasRelu: a [${a.shape}] and b [${b.shape}] must be [batch, m, k] and [batch, k, n]`);
  }
  const outShape = [a.shape[0], a.shape[1], b.shape[2]];
  try {
    if (!tf.util.arraysEqual(tf.broadcast_util.assertAndGetBroadcastShape(outShape, bias.shape), outShape)) throw new Error();
  } catch {
    throw new InputError(`matMulBiasRelu: bias [${bias.shape}] does not broadcast to the output [${outShape}]`);
  }
  if (!fusedInTraining) return tf.fused.matMul({ a, b, bias, activation: 'relu' }) as tf.Tensor3D;
  const attrs = { transposeA: false, transposeB: false, activation: 'relu', leakyreluAlpha: 0.2 };
  const op = tf.customGrad((av, bv, biasv, save) => {
    const [x, w, c] = [av as tf.Tensor3D, bv as tf.Tensor3D, biasv as tf.Tensor];
    const y = tf.engine().runKernel(tf._FusedMatMul, { a: x, b: w, bias: c }, attrs) as tf.Tensor3D;
    (save as tf.GradSaveFunc)([x, w, c, y]);
    const gradFunc = (dy: tf.Tensor3D, saved: tf.Tensor[]) => {
      const [sa, sb, sbias, sy] = saved as [tf.Tensor3D, tf.Tensor3D, tf.Tensor, tf.Tensor3D];
      const dyAct = reluBackprop(dy, sy);
      return [tf.matMul(dyAct, sb, false, true), tf.matMul(sa, dyAct, true, false), biasGrad(sbias, dyAct)];
    };
    return { value: y, gradFunc };
  });
  return op(a, b, bias) as tf.Tensor3D;
}
