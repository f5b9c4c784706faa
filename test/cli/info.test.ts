import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

describe('wmoe info', () => {
  it('LeNet-5: d = 400, 200 analog channel uses, 6 480 BPSK uses over 648 R1/2 at 8 bits', () => {
    const r = runCli(['info', '--model', 'lenet5', '--experts', '4', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const info = JSON.parse(r.stdout);
    expect(info.featureDim).toBe(400);
    // conv1 5·5·1·6+6, conv2 5·5·6·16+16; each expert 400·120+120 + 120·84+84 + 84·10+10.
    expect(info.params.backbone).toBe(156 + 2416);
    expect(info.params.perExpert).toBe(48120 + 10164 + 850);
    expect(info.links.find((l: { link: string }) => l.link === 'analog').channelUses).toBe(200);
    expect(info.links.find((l: { link: string }) => l.link === 'digital 80211n:648:1/2 bpsk 8-bit').channelUses).toBe(6480);
  });

  it('ResNet-18 and ViT report the split each model documents (d = 2048 and 1040)', () => {
    const resnet = JSON.parse(runCli(['info', '--model', 'resnet18', '--json']).stdout);
    expect([resnet.featureDim, resnet.params.backbone, resnet.params.perExpert]).toEqual([2048, 2783360, 8407562]);
    const vit = JSON.parse(runCli(['info', '--model', 'vit', '--json']).stdout);
    expect([vit.featureDim, vit.params.backbone, vit.params.perExpert]).toEqual([1040, 1510672, 302602]);
  });
});
