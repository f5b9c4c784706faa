import * as tf from '@tensorflow/tfjs-core';
import type { DistributedMoE } from '../moe/model.js';
import { GATE_KINDS, type GateKind } from '../moe/gate.js';
import type { Link } from '../link/link.js';
import { perfectLink } from '../link/perfect.js';
import { drawSnrs, type SnrSpec } from '../link/snr.js';
import type { ChannelSettings } from '../link/channel_settings.js';
import { evalChannelModel } from '../train/evaluate.js';
import { withBatchNormFolding } from '../models/batch_norm.js';
import { SeededRandom } from '../random/seeded.js';
import { deriveSeed } from '../random/hash.js';
import { InputError } from '../errors.js';
import { BatchNormFolder } from './fold_batch_norm.js';
import { imageSource, type PredictInput } from './image_source.js';
import { hostMixture, hostTopK, type HostRouting } from './host_routing.js';
import { routedExpertLogits } from '../moe/dispatch.js';
import type { LinkBatch } from '../link/link_batch.js';
import type { ProgressFn } from '../train/progress.js';
import { WmoeBackend } from '../backend/backend.js';
import { StackedDenseExperts } from '../models/dense_head.js';
import { denseRowsForward } from '../kernels/dense_rows.js';
import { routedDenseLogits, type DenseExpertLayers } from './routed_dense_experts.js';

/** How {@link predict} runs a model. */
export interface PredictOptions {
  /** The gate that routes: 'channel-aware' (default, as `wmoe eval`) or 'naive'. */
  gate?: GateKind;
  /** The downlink to the experts; default the perfect link (no noise, no channel uses). */
  link?: Link;
  /**
   * Mean SNRs (dB) of the links, per sample and expert; default: none for a perfect link, the
   * model's stage-2 SNR range otherwise (as `wmoe eval`). A perfect link takes none.
   */
  snr?: SnrSpec;
  /** Fading and CSI of the links (flag texts, as a checkpoint records them); default AWGN, perfect CSI. */
  channel?: ChannelSettings;
  /** Seed of the SNR draws, fading and link noise; default 1. */
  seed?: number;
  /** Images per forward pass; default 250 (`evaluate`'s, so the same seed gives its link batches). */
  batchSize?: number;
  /** Fold batch norm into the convolutions (default true); false runs it unfolded, for comparison. */
  foldBatchNorm?: boolean;
  /** Receives a phase event "predict" (unit "images") at the start and after each batch. */
  progress?: ProgressFn;
}

/** One image's prediction. */
export interface Prediction {
  /** The most probable class (index into the model's classes). */
  label: number;
  /** Mixture class probabilities [classes], summing to 1. */
  probabilities: Float32Array;
  /** The top-k chosen experts (0…K−1), by decreasing routing weight. */
  experts: number[];
  /** Their routing weights, same order, summing to 1. */
  weights: number[];
}

/** Wall time of the forward passes (tensor in to probabilities read back), in milliseconds. */
export interface PredictTiming {
  /** Time of each batch, ms. */
  batchMs: number[];
  /** Median of batchMs, ms. */
  medianBatchMs: number;
  /** Images per second over all batches. */
  imagesPerSecond: number;
}

/** What {@link predict} returns: one prediction per image, in input order, and the timing. */
export interface PredictResult {
  predictions: Prediction[];
  timing: PredictTiming;
}

/** What a model keeps between predictions: its folded batch norms and its input normalisation as tensors. */
interface Runtime {
  folder: BatchNormFolder;
  norm: { mean: tf.Tensor1D; std: tf.Tensor1D } | null;
}

const runtimes = new WeakMap<DistributedMoE, Runtime>();

/** The model's runtime, made on first use. */
function runtimeOf(model: DistributedMoE): Runtime {
  let r = runtimes.get(model);
  if (!r) {
    const n = model.config.inputNormalisation;
    const norm = n ? { mean: tf.keep(tf.tensor1d(n.mean)), std: tf.keep(tf.tensor1d(n.std)) } : null;
    runtimes.set(model, (r = { folder: new BatchNormFolder(), norm }));
  }
  return r;
}

/**
 * Frees what {@link predict} keeps for `model` between calls (folded weights, constant tensors).
 * Call before `model.dispose()` when the model was used for prediction.
 */
export function releasePredictState(model: DistributedMoE): void {
  const r = runtimes.get(model);
  if (!r) return;
  r.folder.dispose();
  if (r.norm) tf.dispose([r.norm.mean, r.norm.std]);
  runtimes.delete(model);
}

/** Checks the options and fills in the defaults; InputError naming a bad value. */
function resolveOptions(model: DistributedMoE, o: PredictOptions) {
  const gate = o.gate ?? 'channel-aware';
  if (!(GATE_KINDS as readonly string[]).includes(gate)) throw new InputError(`unknown gate '${gate}' (known: ${GATE_KINDS.join(', ')})`);
  const batchSize = o.batchSize ?? 250;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new InputError(`batch size must be an integer ≥ 1, got ${batchSize}`);
  const seed = o.seed ?? 1;
  if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32) throw new InputError(`seed must be an integer in [0, 2^32), got ${seed}`);
  const link = o.link ?? perfectLink;
  if (link.kind === 'perfect' && o.snr && o.snr.kind !== 'perfect') throw new InputError('a perfect link takes no SNR');
  const [lo, hi] = model.config.snrRange;
  const snr: SnrSpec = link.kind === 'perfect' ? { kind: 'perfect' } : (o.snr ?? { kind: 'range', min: lo, max: hi });
  return { gate, batchSize, seed, link, snr, fold: o.foldBatchNorm ?? true };
}

/** Options with their defaults filled in. */
type Resolved = ReturnType<typeof resolveOptions>;

/**
 * Runs a trained MoE on images: backbone (batch norm folded into the convolutions, cached per
 * model and refolded if its weights change), gate, link and only the chosen experts (sparse
 * dispatch; on backend wmoe, LeNet-5's gate and dense experts run without tensor ops, see
 * hostHeads), in eval mode without gradient bookkeeping. `images` are [n, H, W, C] pixel values in
 * [0, 1] with [H, W, C] the model's input shape (see {@link PredictInput}). Sample i sits at time
 * slot i of the links, so with the same seed and batch size the routing and predictions are those
 * `evaluate` makes on the same images, up to float rounding (the folded convolutions, and routing
 * weights and mixture computed in float64: differences of about 1e-6 in a probability, which move
 * an argmax only on a near-tie). InputError for mismatched images or bad options.
 */
export function predict(model: DistributedMoE, images: PredictInput, options: PredictOptions = {}): PredictResult {
  const o = resolveOptions(model, options);
  const source = imageSource(images, model.config.inputShape);
  const runtime = runtimeOf(model);
  const K = model.config.experts;
  const rng = new SeededRandom(o.seed);
  const channel = evalChannelModel(model, options.channel, o.seed);
  const predictions: Prediction[] = [];
  const batchMs: number[] = [];
  const phase = (done: number) => options.progress?.({ kind: 'phase', label: 'predict', done, total: source.n, unit: 'images' });
  phase(0);
  for (let start = 0, b = 0; start < source.n; start += o.batchSize, b++) {
    const count = Math.min(o.batchSize, source.n - start);
    const batch = channel.realise(drawSnrs(o.snr, count, K, rng), count, start, deriveSeed(o.seed, 3, b));
    o.link.channelUses(model.backbone.featureDim, batch); // as evaluate does: an adaptive link's outer loop learns from it
    const t0 = performance.now();
    const { probs, routing } = forwardBatch(model, () => source.batch(start, count), batch, o, runtime);
    batchMs.push(performance.now() - t0);
    for (let i = 0; i < count; i++) predictions.push(predictionOf(probs, routing, i, model.config.classes, K));
    phase(start + count);
  }
  const total = batchMs.reduce((a, v) => a + v, 0);
  return { predictions, timing: { batchMs, medianBatchMs: median(batchMs), imagesPerSecond: total > 0 ? (source.n * 1000) / total : Infinity } };
}

/**
 * One batch through the backbone (batch norm folded unless o.fold is false), the gate, the link
 * and only the chosen experts (routedExpertLogits, or hostHeads for stacked dense experts on
 * wmoe): mixture probabilities [count·classes] and the routing. The [count, K] routing and the
 * mixture are computed on the host (host_routing.ts).
 */
function forwardBatch(model: DistributedMoE, images: () => tf.Tensor4D, linkBatch: LinkBatch, o: Resolved, rt: Runtime): { probs: Float32Array; routing: HostRouting } {
  const { experts: K, topK, classes } = model.config;
  const batch = o.link.prepare ? o.link.prepare(linkBatch) : linkBatch;
  const B = batch.channel.batch;
  let out: { probs: Float32Array; routing: HostRouting } | undefined;
  const run = () => {
    const x = images();
    const features = model.backbone.forward(rt.norm ? tf.div(tf.sub(x, rt.norm.mean), rt.norm.std) : x, false);
    const host = hostDenseExperts(model);
    if (host !== undefined) {
      out = hostHeads(model, host, features, batch, o);
      return;
    }
    const routing = hostTopK(gateLogits(model, o.gate, features, batch).dataSync(), B, K, topK);
    const mask = tf.tensor2d(routing.mask, [B, K]);
    const expertLogits = routedExpertLogits(model.experts, o.link.transmit(features, batch, mask), mask);
    out = { probs: hostMixture(expertLogits.dataSync(), routing, B, K, classes), routing };
  };
  tf.tidy(() => (o.fold ? withBatchNormFolding(rt.folder, run) : run()));
  return out!;
}

/** The wmoe backend and the model's stacked dense experts when both are there (host-side heads), else undefined. */
function hostDenseExperts(model: DistributedMoE): { backend: WmoeBackend; layers: DenseExpertLayers } | undefined {
  const backend = tf.backend();
  if (!(backend instanceof WmoeBackend) || !(model.experts instanceof StackedDenseExperts)) return undefined;
  return { backend, layers: model.experts.denseLayers };
}

/**
 * The gate, the link and the routed dense experts of one batch on the host side: the features
 * read back once, then the naive gate (when it routes as the gate asked, see gateLogits) and each
 * expert's routed rows run straight through the WASM GEMM (routedDenseLogits), no tensor ops. A
 * perfect link hands every expert the features themselves; another link's transmit runs as a
 * tensor op. The bits of the tensor path.
 */
function hostHeads(
  model: DistributedMoE, host: { backend: WmoeBackend; layers: DenseExpertLayers }, features: tf.Tensor2D, batch: LinkBatch, o: Resolved,
): { probs: Float32Array; routing: HostRouting } {
  const { experts: K, topK, classes } = model.config;
  const [B, d] = features.shape;
  const fv = features.dataSync() as Float32Array;
  const logits = naiveRoutes(o.gate, batch)
    ? denseRowsForward(host.backend, fv, B, [{ w: model.naiveGate.w, b: model.naiveGate.b, relu: false }], 0)
    : model.batchLogits(o.gate, features, batch).dataSync();
  const routing = hostTopK(logits, B, K, topK);
  let row = (_k: number, b: number) => fv.subarray(b * d, (b + 1) * d);
  if (o.link.kind !== 'perfect') {
    const received = o.link.transmit(features, batch, tf.tensor2d(routing.mask, [B, K])).dataSync() as Float32Array;
    row = (k, b) => received.subarray((k * B + b) * d, (k * B + b + 1) * d);
  }
  const expertLogits = routedDenseLogits(host.backend, host.layers, row, routing, B, K, classes);
  return { probs: hostMixture(expertLogits, routing, B, K, classes), routing };
}

/**
 * True when the naive gate's logits route as `gate` does: the naive gate itself, or the
 * channel-aware gate when no link is in outage and every sample's K links have one SNR (always on
 * the perfect link): it then adds the same number to each of a sample's logits (its SNR terms are
 * equal across experts, see ChannelAwareGate), which changes neither the top-k nor the softmax weights.
 */
function naiveRoutes(gate: GateKind, batch: LinkBatch): boolean {
  return !batch.available && (gate === 'naive' || equalSnrs(batch));
}

/**
 * Gate logits [B, K]: the naive gate's alone where it routes as `gate` does (naiveRoutes).
 */
function gateLogits(model: DistributedMoE, gate: GateKind, features: tf.Tensor2D, batch: LinkBatch): tf.Tensor2D {
  if (naiveRoutes(gate, batch)) {
    // NaiveGate.logits without noise (features·W + b) as one fused kernel instead of two.
    return tf.fused.matMul({ a: features, b: model.naiveGate.w as tf.Tensor2D, bias: model.naiveGate.b }) as tf.Tensor2D;
  }
  return model.batchLogits(gate, features, batch);
}

/** True when, for every sample, the gate sees one SNR on all K links. */
function equalSnrs(batch: LinkBatch): boolean {
  const { batch: B, experts: K } = batch.channel;
  const snr = batch.gate.snrDb;
  for (let b = 0; b < B; b++) for (let k = 1; k < K; k++) if (snr[b * K + k] !== snr[b * K]) return false;
  return true;
}

/** Sample i's prediction from a batch's probabilities [batch·classes] and routing [batch·K]. */
function predictionOf(probs: Float32Array, routing: HostRouting, i: number, classes: number, K: number): Prediction {
  const { mask, weights } = routing;
  const probabilities = probs.slice(i * classes, (i + 1) * classes);
  let label = 0;
  for (let c = 1; c < classes; c++) if (probabilities[c] > probabilities[label]) label = c;
  const experts: number[] = [];
  for (let k = 0; k < K; k++) if (mask[i * K + k] !== 0) experts.push(k);
  experts.sort((a, b) => weights[i * K + b] - weights[i * K + a] || a - b);
  return { label, probabilities, experts, weights: experts.map((k) => weights[i * K + k]) };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
