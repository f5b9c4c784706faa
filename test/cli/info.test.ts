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

  it('the human-readable table has a row per part, non-trainable state included, and they add up to the total', () => {
    for (const [model, nonTrainable] of [['resnet18', 27072], ['lenet5', 0]] as const) {
      const r = runCli(['info', '--model', model, '--experts', '4']);
      expect(r.code, r.stderr).toBe(0);
      const table = r.stdout.split('\n\n')[1].split('\n').slice(2);
      const rows = table.map((line) => {
        const m = /^(.*\S)\s+([\d,]+)$/.exec(line);
        expect(m, line).not.toBeNull();
        return { part: m![1], count: Number(m![2].replace(/,/g, '')) };
      });
      const total = rows.pop()!;
      expect(total.part).toBe('total');
      expect(rows.find((x) => x.part.startsWith('non-trainable'))?.count).toBe(nonTrainable);
      expect(rows.reduce((a, x) => a + x.count, 0)).toBe(total.count);
      const json = JSON.parse(runCli(['info', '--model', model, '--experts', '4', '--json']).stdout);
      expect(total.count).toBe(json.params.total);
      expect(json.params.nonTrainable).toBe(nonTrainable);
      expect(json.params.trainable + nonTrainable).toBe(json.params.total);
    }
  });
});
