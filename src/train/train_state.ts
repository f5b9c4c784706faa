// A training run's state after a whole epoch, and its binary form (no file system here; see
// train_state_file.ts): what `wmoe train` saves every epoch and `--resume` continues from.
import { InputError } from '../errors.js';
import { fnv1a } from './checkpoint_parse.js';
import type { ResolvedTrainConfig } from './config.js';
import type { PreparedData } from './data_prep.js';
import type { AdamState } from './adam.js';
import type { RandomState } from '../random/seeded.js';
import type { Stage1Epoch } from './stage1.js';
import type { Stage2Epoch } from './stage2.js';
import type { StageState } from './stage_run.js';

/** The format of a state file (the JSON header's `format`). */
export const TRAIN_STATE_FORMAT = 'wireless-moe/train-state@1';
const MAGIC = 'WMOETS01';

/** What a run's data was: the three sets' sizes and the FNV-1a hash of the training labels in order. */
export interface DataSummary {
  train: number;
  validation: number;
  test: number;
  trainLabelsFnv1a: string;
}

/** The summary of prepared data (see {@link DataSummary}). */
export function dataSummary(d: Pick<PreparedData, 'train' | 'validation' | 'test'>): DataSummary {
  const labels = d.train.labels;
  return {
    train: d.train.n,
    validation: d.validation.n,
    test: d.test.n,
    trainLabelsFnv1a: fnv1a(new Uint8Array(labels.buffer, labels.byteOffset, labels.byteLength)),
  };
}

/**
 * A run after a whole epoch of stage `state.stage` (or inside one: `state.step`): with the same
 * data, training continues from it bit-identically (see trainMoe's `resume`).
 */
export interface TrainState {
  config: ResolvedTrainConfig;
  data: DataSummary;
  state: StageState<Stage1Epoch> | StageState<Stage2Epoch>;
  /** Stage 1's epochs (when the state is of stage 2). */
  stage1History?: Stage1Epoch[];
  /** Every parameter of the model (ParamStore.toFlat). */
  weights: Float32Array;
}

type Blob = { name: string; data: Float32Array | Int32Array };

/** The arrays of a state, in file order. */
function blobsOf(s: TrainState): Blob[] {
  const st = s.state;
  return [
    { name: 'weights', data: s.weights },
    ...(st.bestWeights ? [{ name: 'bestWeights', data: st.bestWeights }] : []),
    { name: 'order', data: st.order },
    ...st.optimizer.moments.flatMap((m) => [{ name: `m:${m.name}`, data: m.m }, { name: `v:${m.name}`, data: m.v }]),
  ];
}

/**
 * The bytes of a state file: `WMOETS01`, the header's length (uint32 LE), the JSON header (its
 * format, `meta`, the state's non-array parts, the arrays' names, types, lengths and FNV-1a
 * hash), zero padding to 4 bytes, then the arrays (little-endian).
 */
export function encodeTrainState(s: TrainState, meta: Record<string, unknown> = {}): Uint8Array {
  const blobs = blobsOf(s);
  const body = new Uint8Array(blobs.reduce((a, b) => a + b.data.byteLength, 0));
  let at = 0;
  for (const b of blobs) {
    body.set(new Uint8Array(b.data.buffer, b.data.byteOffset, b.data.byteLength), at);
    at += b.data.byteLength;
  }
  const { weights: _w, state, ...rest } = s;
  const { bestWeights: _b, order: _o, optimizer, ...stageRest } = state;
  const header = {
    format: TRAIN_STATE_FORMAT,
    meta,
    ...rest,
    state: { ...stageRest, optimizer: { ...optimizer, moments: optimizer.moments.map((m) => m.name) } },
    blobs: blobs.map((b) => ({ name: b.name, type: b.data instanceof Int32Array ? 'i32' : 'f32', length: b.data.length })),
    bodyBytes: body.byteLength,
    bodyFnv1a: fnv1a(body),
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const start = 12 + json.byteLength + ((4 - (json.byteLength % 4)) % 4);
  const out = new Uint8Array(start + body.byteLength);
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(8, json.byteLength, true);
  out.set(json, 12);
  out.set(body, start);
  return out;
}

/** NaN went into JSON as null: back to NaN. */
const num = (v: unknown) => (typeof v === 'number' ? v : NaN);

/**
 * Reads a state file's bytes (`where` names it in errors): the state and its `meta`. A file that
 * is truncated, corrupt or not a state file is a one-line InputError.
 */
export function decodeTrainState(bytes: Uint8Array, where: string): { state: TrainState; meta: Record<string, unknown> } {
  const bad = (why: string): never => {
    throw new InputError(`resume state '${where}' ${why}`);
  };
  if (bytes.byteLength < 12 || new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC) bad('is not a wmoe training state');
  const length = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(8, true);
  if (12 + length > bytes.byteLength) bad(`is truncated (a ${length}-byte header in ${bytes.byteLength} bytes)`);
  let h: Record<string, any>;
  try {
    h = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(12, 12 + length)));
  } catch (e) {
    return bad(`has a corrupt header: ${(e as Error).message.split('\n')[0]}`);
  }
  if (h?.format !== TRAIN_STATE_FORMAT) bad(`has format ${JSON.stringify(h?.format)}, expected '${TRAIN_STATE_FORMAT}'`);
  const start = 12 + length + ((4 - (length % 4)) % 4);
  const body = bytes.subarray(start);
  if (body.byteLength !== h.bodyBytes) bad(`is truncated: ${body.byteLength} bytes of arrays, its header says ${h.bodyBytes}`);
  if (fnv1a(body) !== h.bodyFnv1a) bad(`is corrupt: FNV-1a of its arrays ${fnv1a(body)}, its header says ${h.bodyFnv1a}`);
  // An aligned copy of the arrays (the bytes may sit at any offset of a larger buffer).
  const aligned = new Uint8Array(body.byteLength);
  aligned.set(body);
  const arrays = new Map<string, Float32Array | Int32Array>();
  let at = 0;
  for (const b of h.blobs ?? []) {
    const n = b.length * 4;
    if (at + n > aligned.byteLength) bad('lists more array data than it holds');
    arrays.set(b.name, b.type === 'i32' ? new Int32Array(aligned.buffer, at, b.length) : new Float32Array(aligned.buffer, at, b.length));
    at += n;
  }
  const get = <T extends Float32Array | Int32Array>(name: string): T => (arrays.get(name) as T | undefined) ?? bad(`has no array '${name}'`);
  const st = h.state;
  if (!st || (st.stage !== 1 && st.stage !== 2) || !Number.isInteger(st.epochs) || !Array.isArray(st.history) || !st.optimizer || !st.random) {
    bad('has an incomplete stage state');
  }
  const history = st.history.map((e: Record<string, unknown>) => ({ ...e, loss: num(e.loss), validationAccuracy: num(e.validationAccuracy) }));
  const optimizer: AdamState = {
    iterations: st.optimizer.iterations,
    accBeta1: st.optimizer.accBeta1,
    accBeta2: st.optimizer.accBeta2,
    moments: (st.optimizer.moments as string[]).map((name) => ({ name, m: get<Float32Array>(`m:${name}`), v: get<Float32Array>(`v:${name}`) })),
  };
  const state: TrainState = {
    config: h.config,
    data: h.data,
    ...(h.stage1History ? { stage1History: h.stage1History.map((e: Record<string, unknown>) => ({ ...e, loss: num(e.loss), validationAccuracy: num(e.validationAccuracy) })) } : {}),
    weights: get<Float32Array>('weights'),
    state: {
      stage: st.stage,
      epochs: st.epochs,
      history,
      bestEpoch: st.bestEpoch,
      ...(arrays.has('bestWeights') ? { bestWeights: get<Float32Array>('bestWeights') } : {}),
      optimizer,
      random: st.random as Record<string, RandomState>,
      order: get<Int32Array>('order'),
      ...(Array.isArray(st.linkState) ? { linkState: (st.linkState as unknown[]).map(num) } : {}),
      ...(Number.isInteger(st.step) && st.step > 0 ? { step: st.step as number, lossSum: num(st.lossSum) } : {}),
    },
  };
  return { state, meta: h.meta ?? {} };
}
