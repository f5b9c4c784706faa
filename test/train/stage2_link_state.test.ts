// A stage 2 over a link with state across batches (adaptive MCS with :olla) resumes exactly: the
// link's OLLA offsets are saved with each epoch's state (through the state file's encoding) and
// restored, so a run stopped after epoch 1 and resumed ends where an uninterrupted run ends.
import { beforeAll, describe, expect, it } from 'vitest';
import { tinyMoe } from '../helpers/tiny_moe.js';
import type { DistributedMoE } from '../../src/moe/model.js';
import { DEFAULT_TRAIN_CONFIG, resolveTrainConfig, type TrainConfig } from '../../src/train/config.js';
import { trainStage2, type Stage2Epoch } from '../../src/train/stage2.js';
import type { FeatureSet } from '../../src/train/features.js';
import { mcsLink } from '../../src/link/digital.js';
import { parseMcsPolicy } from '../../src/link/adapt/mcs_policy_spec.js';
import { encodeTrainState, decodeTrainState, type TrainState } from '../../src/train/train_state.js';
import type { StageState } from '../../src/train/stage_run.js';

const cfg: TrainConfig = {
  ...DEFAULT_TRAIN_CONFIG, inputShape: [32, 32, 1], classes: 10, stage1Epochs: 1, stage2Epochs: 2, batchSize: 64,
  channel: { channel: 'rayleigh', csi: 'pilots:1' },
};
const olla = () => mcsLink(parseMcsPolicy('adaptive:bler=0.1:table=80211n:648:olla'), { bits: 4 });

describe('stage 2 over a link with state resumes exactly', () => {
  let model: DistributedMoE;
  let stage1: Float32Array;
  let train: FeatureSet;
  let validation: FeatureSet;

  beforeAll(async () => {
    const tiny = await tinyMoe(cfg, { trainN: 256, testN: 64 });
    ({ model, stage1 } = tiny);
    ({ train, validation } = tiny.features);
  }, 120_000);

  it('saves the OLLA offsets with each epoch, and a resumed run ends with the same offsets and weights', () => {
    model.params.fromFlat(stage1);
    const states: { state: StageState<Stage2Epoch>; weights: Float32Array }[] = [];
    const full = olla();
    trainStage2(model, train, validation, full, cfg, undefined, { onEpoch: (state) => states.push({ state, weights: model.params.toFlat() }) });
    const want = { weights: Array.from(model.params.toFlat()), offsets: full.saveState!() };
    expect(want.offsets).not.toBeNull();
    expect(states[0].state.linkState).toEqual(expect.any(Array));
    expect(states[0].state.linkState).not.toEqual([0, 0, 0, 0]); // the loop moved during epoch 1

    // Through the state file's bytes, as `wmoe train --resume` reads it.
    const saved: TrainState = { config: resolveTrainConfig(cfg), data: { train: 256, validation: 64, test: 64, trainLabelsFnv1a: '0' }, weights: states[0].weights, state: states[0].state };
    const { state } = decodeTrainState(encodeTrainState(saved), 'memory');
    expect(state.state.linkState).toEqual(states[0].state.linkState);

    model.params.fromFlat(state.weights);
    const resumed = olla();
    trainStage2(model, train, validation, resumed, cfg, undefined, { resume: state.state as StageState<Stage2Epoch> });
    expect(resumed.saveState!()).toEqual(want.offsets);
    expect(Array.from(model.params.toFlat())).toEqual(want.weights);

    // Without the saved offsets (a fresh loop at 0 dB) the resumed run would differ.
    model.params.fromFlat(state.weights);
    const { linkState: _dropped, ...withoutLink } = state.state;
    const fresh = olla();
    trainStage2(model, train, validation, fresh, cfg, undefined, { resume: withoutLink as StageState<Stage2Epoch> });
    expect(fresh.saveState!()).not.toEqual(want.offsets);
  }, 120_000);
});
