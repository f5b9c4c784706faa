/**
 * wireless-moe: a distributed mixture-of-experts over noisy wireless links.
 *
 * - `init()` registers the WASM SIMD tfjs backend `wmoe`; `tf` is the tfjs-core it uses.
 * - `DistributedMoE`, `trainMoe`, `evaluate`, `compareGates`: the model, two-stage training
 *   and the naive vs channel-aware comparison.
 * - `predict`: inference with a trained MoE (batch norm folded, sparse experts, no tape).
 * - `perfectLink`, `analogLink`, `digitalLink`: the downlinks; `ChannelModel` realises a batch's
 *   fading and what the gate and receivers know of it (`awgnLinkBatch` for plain AWGN).
 * Node-only pieces (MNIST loader, checkpoints) are in `wireless-moe/node`; the channel and
 * LDPC library (no tfjs) in `wireless-moe/channel` and `wireless-moe/codes`.
 */
export { init, tf, BACKEND_NAME, type InitOptions } from './backend/init.js';
export { WmoeBackend } from './backend/backend.js';
export { DistributedMoE, type MoeOutput, type RouteOptions } from './moe/model.js';
export { GATE_KINDS, type GateKind, normaliseSnr } from './moe/gate.js';
export { topKMask, routeWeights, mixProbabilities, loadBalancingLoss, importanceLoss, nllLoss } from './moe/routing.js';
export {
  LINK_KINDS,
  createLink,
  perfectLink,
  analogLink,
  analogChannelUses,
  digitalLink,
  DigitalCodec,
  DEFAULT_DIGITAL,
  ChannelModel,
  awgnLinkBatch,
  channelModelSpecOf,
  type ChannelModelSpec,
  type ChannelSettings,
  type LinkBatch,
  type ChannelRealisation,
  type GateKnowledge,
  type ReceiverKnowledge,
  type Link,
  type LinkKind,
  type DigitalLink,
  type DigitalLinkOptions,
  type DigitalStats,
} from './link/index.js';
export { drawSnrs, parseSnrList, parseSnrRange, describeSnr, type SnrSpec } from './link/snr.js';
export {
  DEFAULT_TRAIN_CONFIG,
  PACKAGE_TRAIN_DEFAULTS,
  LR_SCHEDULES,
  KEEP_EPOCHS,
  validateTrainConfig,
  resolveTrainConfig,
  modelTrainDefaults,
  type TrainConfig,
  type ResolvedTrainConfig,
  type ModelTrainDefaults,
  type LrScheduleKind,
  type KeepEpoch,
} from './train/config.js';
export { validateMoeConfig, type MoeConfig } from './moe/config.js';
export { DATASET_NAMES, type DatasetName } from './data/names.js';
export { InputError } from './errors.js';
export { trainMoe, moeConfigOf, type TrainMetrics, type TrainOptions } from './train/train.js';
export { TrainingStopped } from './train/training_stopped.js';
export { encodeTrainState, decodeTrainState, dataSummary, TRAIN_STATE_FORMAT, type TrainState, type DataSummary } from './train/train_state.js';
export { keptEpochOf, type StageState, type StageRunOptions, type EpochRecord } from './train/stage_run.js';
export { learningRateAt, stageSchedule, type LrSchedule } from './train/lr_schedule.js';
export { trainStage1, stage1Step } from './train/stage1.js';
export { trainStage2 } from './train/stage2.js';
export { FusedAdam, adam, type AdamState } from './train/adam.js';
export { evaluate, expertSoloAccuracy, type EvalResult, type EvalOptions } from './train/evaluate.js';
export { compareGates, standardConditions, accuracyVsSnr, type Condition, type ComparisonRow, type SnrCurves } from './train/compare.js';
export { extractFeatures, type FeatureSet, type ExtractOptions } from './train/features.js';
export {
  predict,
  releasePredictState,
  type PredictOptions,
  type Prediction,
  type PredictResult,
  type PredictTiming,
} from './infer/predict.js';
export type { PredictInput } from './infer/image_source.js';
export { foldBatchNorm, type BatchNormParams, type FoldedConv } from './infer/fold_batch_norm.js';
export { convStrategyLog, lastConvStrategy, type ConvPass, type ConvStrategyRecord } from './kernels/conv/plan.js';
export type { ProgressFn, ProgressEvent, StepInfo, PhaseInfo } from './train/progress.js';
export { SeededRandom, type RandomState } from './random/seeded.js';
export { MODEL_NAMES, type ModelName, type Backbone, type ExpertStack } from './models/backbone.js';
export { modelSpec } from './models/registry.js';
export type { ModelSpec, ModelOptions, ModelParts } from './models/model_spec.js';
export type { Dataset, DatasetSplit } from './data/dataset.js';
export { head, subset } from './data/dataset.js';
export { imageValues, quantiseImages, UNIT_LEVELS } from './data/pixels.js';
export { splitValidation } from './data/split.js';
export { augmentBatch } from './data/augment.js';
export { channelStatistics, normaliseImages } from './data/normalise.js';
export { parseCheckpoint, CHECKPOINT_FORMAT, type CheckpointMeta, type LinkRecord } from './train/checkpoint_parse.js';
