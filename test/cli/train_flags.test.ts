// The schedule, weight-decay and keep-epoch flags pass through to the config; absent, the model's defaults apply.
import { describe, expect, it } from 'vitest';
import { trainConfigFromFlags, modelDefaultsUsage } from '../../src/cli/commands/train.js';
import { expectInputError } from '../helpers/errors.js';

describe('wmoe train: learning-rate schedule, weight decay, keep-epoch', () => {
  it('pass through as given', () => {
    const { cfg } = trainConfigFromFlags({ 'lr-schedule': 'cosine', 'warmup-epochs': '0.5', 'weight-decay': '0.1', 'keep-epoch': 'last' });
    expect(cfg).toMatchObject({ lrSchedule: 'cosine', warmupEpochs: 0.5, weightDecay: 0.1, keepEpoch: 'last' });
  });

  it("default to the model's registry entry and keep the best epoch", () => {
    expect(trainConfigFromFlags({}).cfg).toMatchObject({ lrSchedule: 'constant', warmupEpochs: 0, weightDecay: 0, keepEpoch: 'best' });
    expect(trainConfigFromFlags({ model: 'resnet18' }).cfg).toMatchObject({ lrSchedule: 'cosine', warmupEpochs: 0, weightDecay: 0 });
    expect(trainConfigFromFlags({ model: 'vit' }).cfg).toMatchObject({ lrSchedule: 'cosine', warmupEpochs: 1, weightDecay: 0.05 });
    expect(trainConfigFromFlags({ model: 'vit', 'lr-schedule': 'constant', 'weight-decay': '0' }).cfg).toMatchObject({ lrSchedule: 'constant', weightDecay: 0 });
    expect(modelDefaultsUsage()).toContain('--lr-schedule constant (resnet18 cosine, vit cosine)');
    expect(modelDefaultsUsage()).toContain('--weight-decay 0 (vit 0.05)');
  });

  it('reject bad values with one-line errors naming them', () => {
    expectInputError(() => trainConfigFromFlags({ 'lr-schedule': 'step' }), "unknown lr-schedule 'step' (known: cosine, constant)");
    expectInputError(() => trainConfigFromFlags({ 'weight-decay': '-1' }), 'weight decay must be a number ≥ 0, got -1');
    expectInputError(() => trainConfigFromFlags({ 'warmup-epochs': 'x' }), "--warmup-epochs 'x' is not a finite number");
    expectInputError(() => trainConfigFromFlags({ 'keep-epoch': 'first' }), "unknown keep-epoch 'first' (known: best, last)");
  });
});
