// Conv2D, FusedConv2D, Conv2DBackpropInput and Conv2DBackpropFilter on backend `wmoe` (NHWC,
// filter [fh][fw][ci][co]): each checks the call, asks plan.ts for the strategy that suits the
// shape, notes its name (lastConvStrategy, convStrategyLog) and runs it. NCHW, dilations > 1,
// non-float32 inputs and a backprop dy larger than the conv's output (which cpu reads as its
// leading window) run tfjs-backend-cpu's kernels instead.
import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import type { WmoeBackend } from '../../backend/backend.js';
import { applyCpuActivation, biasVector, wasmActivationCode } from '../conv_support.js';
import { type KernelArgs as GemmKernelArgs, cpuKernel, wmoeKernel } from '../wasm_io.js';
import { singleChannelInputGradFits } from '../conv_single_channel.js';
import { type Conv2DInfo, type Pad, type Rounding, checkRank4, convInfoOf, wasmCovers } from './geometry.js';
import { noteConvStrategy, planFilterGrad, planForward, planInputGrad } from './plan.js';

/**
 * Forward convolution: out [n, oh, ow, co] (+ bias [co], then activation code 0–3 of
 * gemmBiasActivation). `filterKey` (the filter tensor's data id) lets the packed filter be reused.
 */
function convForward(
  backend: WmoeBackend, xv: Float32Array, wv: Float32Array, info: Conv2DInfo, bias?: Float32Array,
  act = 0, alpha = 0.2, filterKey?: object,
): Float32Array {
  const plan = planForward(info);
  noteConvStrategy('forward', plan.name);
  return plan.run({ backend, xv, wv, info, bias, act, alpha, filterKey });
}

function conv2d(args: GemmKernelArgs): TensorInfo {
  const backend = args.backend as WmoeBackend;
  const { x, filter } = args.inputs as { x: TensorInfo; filter: TensorInfo };
  const a = (args.attrs ?? {}) as { strides: number | number[]; pad: Pad; dataFormat?: string; dilations?: unknown; dimRoundingMode?: Rounding };
  if (!wasmCovers(a.dataFormat, a.dilations, x, filter)) return cpuKernel(tf.Conv2D, args) as TensorInfo;
  checkRank4('Conv2D', 'x', x);
  checkRank4('Conv2D', 'filter', filter);
  if (x.shape[3] !== filter.shape[2]) {
    throw new Error(`wireless-moe Conv2D: x has ${x.shape[3]} channels but filter [${filter.shape}] expects ${filter.shape[2]}`);
  }
  const info = convInfoOf(x.shape, filter.shape, a.strides, a.pad, a.dimRoundingMode);
  const out = convForward(backend, backend.f32(x), backend.f32(filter), info, undefined, 0, 0.2, filter.dataId);
  return backend.output(info.outShape, out);
}

function fusedConv2d(args: GemmKernelArgs): TensorInfo {
  const backend = args.backend as WmoeBackend;
  const { x, filter, bias, preluActivationWeights } = args.inputs as {
    x: TensorInfo; filter: TensorInfo; bias?: TensorInfo; preluActivationWeights?: TensorInfo;
  };
  const a = (args.attrs ?? {}) as {
    strides: number | number[]; pad: Pad; dataFormat?: string; dilations?: unknown; dimRoundingMode?: Rounding;
    activation?: string; leakyreluAlpha?: number;
  };
  if (!wasmCovers(a.dataFormat, a.dilations, x, filter)) return cpuKernel(tf.FusedConv2D, args) as TensorInfo;
  checkRank4('FusedConv2D', 'x', x);
  checkRank4('FusedConv2D', 'filter', filter);
  if (x.shape[3] !== filter.shape[2]) {
    throw new Error(`wireless-moe FusedConv2D: x has ${x.shape[3]} channels but filter [${filter.shape}] expects ${filter.shape[2]}`);
  }
  const info = convInfoOf(x.shape, filter.shape, a.strides, a.pad, a.dimRoundingMode);
  const co = info.outChannels;
  const biasVals = bias ? biasVector(backend, bias, co, 4) : undefined;
  const activation = a.activation ?? 'linear';
  const code = wasmActivationCode(activation);
  const wasmAct = code >= 0 && (bias === undefined || biasVals !== undefined) ? code : 0;
  const vals = convForward(backend, backend.f32(x), backend.f32(filter), info, biasVals, wasmAct, a.leakyreluAlpha ?? 0.2, filter.dataId);
  let out = backend.output(info.outShape, vals);
  if (bias !== undefined && biasVals === undefined) {
    const sum = wmoeKernel(tf.Add, { inputs: { a: out, b: bias }, backend }) as TensorInfo;
    backend.disposeIntermediateTensorInfo(out);
    out = sum;
  }
  if (activation !== 'linear' && wasmAct === 0) {
    out = applyCpuActivation(backend, out, activation, preluActivationWeights, a.leakyreluAlpha);
  }
  return out;
}

/**
 * Whether dy of a backprop kernel has the convolution's output shape [n, oh, ow, co] (true: the
 * WASM kernels run). A dy larger in some dims answers false: tfjs-backend-cpu reads its leading
 * [n, oh, ow, co] window through dy's own strides, and tfjs-core lets conv2dTranspose pass such a
 * dy (an outputShape inconsistent with x), so the caller runs the cpu kernel for the same result.
 * A dy smaller in any dim is an error (cpu would read past its end): a one-line error naming it.
 */
function dyMatches(kernel: string, dy: TensorInfo, info: Conv2DInfo): boolean {
  if (tf.util.arraysEqual(dy.shape, info.outShape)) return true;
  if (dy.shape.every((d, i) => d >= (info.outShape[i] as number))) return false;
  throw new Error(`wireless-moe ${kernel}: dy has shape [${dy.shape}], expected [${info.outShape}]`);
}

function conv2dBackpropInput(args: GemmKernelArgs): TensorInfo {
  const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
  const a = (args.attrs ?? {}) as { strides: number | number[]; pad: Pad; dataFormat?: string; dimRoundingMode?: Rounding; inputShape: number[] };
  if (!wasmCovers(a.dataFormat, undefined, dy, filter)) return cpuKernel(tf.Conv2DBackpropInput, args) as TensorInfo;
  checkRank4('Conv2DBackpropInput', 'dy', dy);
  checkRank4('Conv2DBackpropInput', 'filter', filter);
  checkRank4('Conv2DBackpropInput', 'inputShape', a.inputShape);
  const info = convInfoOf(a.inputShape, filter.shape, a.strides, a.pad, a.dimRoundingMode);
  if (!dyMatches('Conv2DBackpropInput', dy, info)) return cpuKernel(tf.Conv2DBackpropInput, args) as TensorInfo;
  const plan = planInputGrad(info, singleChannelInputGradFits(args));
  noteConvStrategy('inputGrad', plan.name);
  return plan.run(args, info);
}

function conv2dBackpropFilter(args: GemmKernelArgs): TensorInfo {
  const backend = args.backend as WmoeBackend;
  const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  const a = (args.attrs ?? {}) as { strides: number | number[]; pad: Pad; dataFormat?: string; dimRoundingMode?: Rounding; filterShape: number[] };
  if (!wasmCovers(a.dataFormat, undefined, x, dy)) return cpuKernel(tf.Conv2DBackpropFilter, args) as TensorInfo;
  checkRank4('Conv2DBackpropFilter', 'x', x);
  checkRank4('Conv2DBackpropFilter', 'dy', dy);
  checkRank4('Conv2DBackpropFilter', 'filterShape', a.filterShape);
  const info = convInfoOf(x.shape, a.filterShape, a.strides, a.pad, a.dimRoundingMode);
  if (!dyMatches('Conv2DBackpropFilter', dy, info)) return cpuKernel(tf.Conv2DBackpropFilter, args) as TensorInfo;
  const plan = planFilterGrad(info);
  noteConvStrategy('filterGrad', plan.name);
  const dw = plan.run(backend, backend.f32(x), backend.f32(dy), info);
  return backend.output(a.filterShape.slice(), dw);
}

const kf = (f: (args: GemmKernelArgs) => TensorInfo) => f as unknown as KernelConfig['kernelFunc'];

/** Conv2D, FusedConv2D, Conv2DBackpropInput and Conv2DBackpropFilter for backend `wmoe`. */
export const convKernels: KernelConfig[] = [
  { kernelName: tf.Conv2D, backendName: 'wmoe', kernelFunc: kf(conv2d) },
  { kernelName: tf.FusedConv2D, backendName: 'wmoe', kernelFunc: kf(fusedConv2d) },
  { kernelName: tf.Conv2DBackpropInput, backendName: 'wmoe', kernelFunc: kf(conv2dBackpropInput) },
  { kernelName: tf.Conv2DBackpropFilter, backendName: 'wmoe', kernelFunc: kf(conv2dBackpropFilter) },
];
