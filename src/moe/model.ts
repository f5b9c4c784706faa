import * as tf from '@tensorflow/tfjs-core';
import { ParamStore } from '../models/params.js';
import type { Backbone, ExpertStack } from '../models/backbone.js';
import { modelSpec } from '../models/registry.js';
import { SeededRandom } from '../random/seeded.js';
import { validateMoeConfig, type MoeConfig } from './config.js';
import type { Link } from '../link/link.js';
import type { LinkBatch } from '../link/link_batch.js';
import { ChannelAwareGate, NaiveGate, normaliseSnr, type GateKind } from './gate.js';
import { mixProbabilities, routeWeights, topKMask } from './routing.js';
import { routedExpertLogits } from './dispatch.js';

/** What one forward pass of the distributed MoE produces. */
export interface MoeOutput {
  /** Mixture class probabilities [batch, classes]. */
  probs: tf.Tensor2D;
  /** Gate logits [batch, K]. */
  logits: tf.Tensor2D;
  /** Top-k selection mask [batch, K]. */
  mask: tf.Tensor2D;
  /** Renormalised routing weights [batch, K] (zero outside the top-k). */
  weights: tf.Tensor2D;
  /** Each expert's own class probabilities [K, batch, classes]. */
  expertProbs: tf.Tensor3D;
}

/** How a forward pass sends features to the experts and which gate routes them. */
export interface RouteOptions {
  gate: GateKind;
  link: Link;
  /**
   * The batch's links (a ChannelModel's `realise`, or `awgnLinkBatch` for AWGN at given SNRs):
   * the gate sees only `batch.gate.snrDb`, the link gets the channel and the receivers' view.
   * Links in outage (`batch.available` 0) are never chosen.
   */
  batch: LinkBatch;
  /** Gate noise [batch, K] for the naive gate's noisy top-k in training. */
  gateNoise?: tf.Tensor2D;
  /** Training mode of the experts (batch norm uses batch statistics). Default false. */
  training?: boolean;
  /**
   * Inference only: run each expert on the samples routed to it alone (see routedExpertLogits);
   * the mixture is unchanged, but `expertProbs` of unrouted pairs are uniform. Default false.
   */
  sparse?: boolean;
}

/**
 * The distributed mixture-of-experts: a backbone on the server, K experts behind their own
 * links, a naive and a channel-aware gate that pick the top-k experts per sample.
 */
export class DistributedMoE {
  readonly params: ParamStore;
  readonly backbone: Backbone;
  readonly experts: ExpertStack;
  readonly naiveGate: NaiveGate;
  readonly channelGate: ChannelAwareGate;

  constructor(readonly config: MoeConfig, seed: number) {
    validateMoeConfig(config);
    this.params = new ParamStore(new SeededRandom(seed));
    const spec = modelSpec(config.model);
    const options = spec.resolveOptions(config.modelOptions, config.inputShape);
    const parts = spec.build(this.params, { inputShape: config.inputShape, classes: config.classes, experts: config.experts, options });
    this.backbone = parts.backbone;
    this.experts = parts.experts;
    const d = this.backbone.featureDim;
    this.naiveGate = new NaiveGate(this.params, d, config.experts);
    this.channelGate = new ChannelAwareGate(this.params, d, config.experts);
  }

  /**
   * Images [batch, H, W, C] with pixels in [0, 1] → features [batch, d] on the server, after
   * the config's input normalisation. `training` puts batch norm in training mode.
   */
  features(images: tf.Tensor4D, training = false): tf.Tensor2D {
    const norm = this.config.inputNormalisation;
    if (!norm) return this.backbone.forward(images, training);
    return tf.tidy(() => this.backbone.forward(tf.div(tf.sub(images, norm.mean), norm.std) as tf.Tensor4D, training));
  }

  /** Gate logits [batch, K] for `gate` from clean features and the links' SNRs (dB). */
  gateLogits(gate: GateKind, features: tf.Tensor2D, snrDb: tf.Tensor2D, gateNoise?: tf.Tensor2D): tf.Tensor2D {
    if (gate === 'naive') return this.naiveGate.logits(features, gateNoise);
    return tf.tidy(() =>
      this.channelGate.logits(this.naiveGate.logits(features), features, normaliseSnr(snrDb, this.config.snrRange)),
    );
  }

  /**
   * Gate logits [batch, K] for `gate` from clean features and what the gate knows of a link
   * batch (its estimated SNRs); experts whose link is in outage get −1e9, so top-k skips them.
   */
  batchLogits(gate: GateKind, features: tf.Tensor2D, batch: LinkBatch, gateNoise?: tf.Tensor2D): tf.Tensor2D {
    const { batch: B, experts: K } = batch.channel;
    if (features.shape[0] !== B || K !== this.config.experts) {
      throw new RangeError(`link batch of ${B} samples × ${K} links does not match features of ${features.shape[0]} samples and ${this.config.experts} experts`);
    }
    return tf.tidy(() => {
      const logits = this.gateLogits(gate, features, tf.tensor2d(batch.gate.snrDb, [B, K]), gateNoise);
      if (!batch.available) return logits;
      return tf.where(tf.tensor2d(batch.available, [B, K], 'bool'), logits, tf.fill([B, K], -1e9)) as tf.Tensor2D;
    });
  }

  /** Routes features [batch, d] through the gate, the links and the experts (after the link's `prepare`). */
  route(features: tf.Tensor2D, opts: RouteOptions): MoeOutput {
    const batch = opts.link.prepare ? opts.link.prepare(opts.batch) : opts.batch;
    return tf.tidy(() => {
      const logits = this.batchLogits(opts.gate, features, batch, opts.gateNoise);
      const mask = topKMask(logits, this.config.topK);
      const weights = routeWeights(logits, mask);
      const received = opts.link.transmit(features, batch, mask);
      const expertLogits = opts.sparse && !opts.training
        ? routedExpertLogits(this.experts, received, mask)
        : this.experts.logits(received, opts.training);
      const expertProbs = tf.softmax(expertLogits) as tf.Tensor3D;
      const probs = mixProbabilities(expertProbs, weights);
      return { probs, logits, mask, weights, expertProbs };
    });
  }

  dispose(): void {
    this.params.dispose();
  }
}
