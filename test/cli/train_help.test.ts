// The usage text's model-dependent defaults come from the registry.
import { describe, expect, it } from 'vitest';
import { modelDefaultsUsage } from '../../src/cli/commands/train.js';
import { modelSpec } from '../../src/models/registry.js';

describe('wmoe --help: defaults that depend on the model', () => {
  it('names every model whose stage-1 learning rate or expert-loss weight differs from the package default', () => {
    const lines = modelDefaultsUsage();
    const lr = lines.find((l) => l.startsWith('--stage1-lr '));
    const loss = lines.find((l) => l.startsWith('--expert-loss '));
    expect(lr).toBe(`--stage1-lr 2e-3 (resnet18 ${modelSpec('resnet18').stage1LearningRate!.toExponential()}, vit ${modelSpec('vit').stage1LearningRate!.toExponential()})`);
    // resnet18's registry entry sets 1 as well as the ViT's (the old text said "0.3 (vit 1)").
    expect(modelSpec('resnet18').stage1ExpertLoss).toBe(1);
    expect(loss).toBe('--expert-loss 0.3 (resnet18 1, vit 1)');
  });
});
