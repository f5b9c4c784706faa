// The main job at reduced size: the claim the package exists for must show — channel-aware
// gating never below naive, equal under equal SNRs, and clearly better when links are uneven,
// for analog and digital links.
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempDir } from '../helpers/cli.js';

describe('wmoe demo (reduced)', () => {
  it('channel-aware ≥ naive everywhere, better under heterogeneous SNRs and a bad link', () => {
    const out = join(tempDir(), 'demo');
    const r = runCli([
      'demo', '--train-samples', '2000', '--test-samples', '500', '--stage1-epochs', '2', '--stage2-epochs', '2',
      '--digital-codes', '80211n:648:1/2', '--out', out,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('channel-aware');
    const { rows, accuracyVsSnr } = JSON.parse(readFileSync(join(out, 'comparison.json'), 'utf8'));
    expect(rows).toHaveLength(1 + 5 + 5);
    for (const row of rows) {
      if (/perfect|equal/.test(row.condition)) expect(row.channelAware, row.condition).toBe(row.naive);
      else expect(row.gain, `${row.link} ${row.condition}`).toBeGreaterThan(0.01);
    }
    expect(accuracyVsSnr.oneLink.channelAware[0][1]).toBeGreaterThan(accuracyVsSnr.oneLink.naive[0][1]);
    expect(readFileSync(join(out, 'accuracy-vs-snr.svg'), 'utf8')).toMatch(/^<svg[\s\S]*<\/svg>\n$/);
    expect(existsSync(join(out, 'digital-80211n_648_1_2', 'weights.bin'))).toBe(true);
  });
});
