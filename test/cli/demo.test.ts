// The main job at reduced size: the claim the package exists for must show — channel-aware
// gating never below naive, equal under equal SNRs, and clearly better when links are uneven,
// for analog and digital links.
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempDir, TINY_TRAIN } from '../helpers/cli.js';

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
    const svg = readFileSync(join(out, 'accuracy-vs-snr.svg'), 'utf8');
    expect(svg).toMatch(/^<svg[\s\S]*<\/svg>\n$/);
    // Equal-SNR lines coincide by design: the plot says so, and the naive line is drawn on top.
    expect(svg).toContain('routes exactly like the naive gate');
    expect(svg.lastIndexOf('naive, all links at x')).toBeGreaterThan(svg.lastIndexOf('ch.-aware, all at x'));
    expect(existsSync(join(out, 'digital-80211n_648_1_2', 'weights.bin'))).toBe(true);
  }, 240_000); // ~25 s alone; much longer while other test files share the 2 cores

  it('the digital flags apply to every digital row; the analog rows keep a gate trained over the analog link', () => {
    const out = join(tempDir(), 'demo');
    const r = runCli([
      'demo', ...TINY_TRAIN, '--digital-codes', '80211n:648:3/4,80211n:1296:1/2',
      '--modulation', 'qpsk', '--bits', '6', '--decoder', 'oms', '--iterations', '5', '--out', out,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const options = { modulation: 'qpsk', bits: 6, decoder: { algorithm: 'oms', iterations: 5 } };
    const { rows, digitalLinks } = JSON.parse(readFileSync(join(out, 'comparison.json'), 'utf8'));
    expect(digitalLinks).toEqual([
      { kind: 'digital', code: '80211n:648:3/4', ...options },
      { kind: 'digital', code: '80211n:1296:1/2', ...options },
    ]);
    const links = [...new Set(rows.map((row: { link: string }) => row.link))];
    expect(links).toEqual(['perfect', 'analog', 'digital 80211n:648:3/4 qpsk 6-bit oms 5 it.', 'digital 80211n:1296:1/2 qpsk 6-bit oms 5 it.']);
    // Each checkpoint records the link its channel-aware gate was trained over.
    const meta = (dir: string) => JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')).meta;
    expect(meta(out).stage2Link).toEqual({ kind: 'analog' });
    expect(JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')).stage2.link).toBe('analog');
    expect(meta(join(out, 'digital-80211n_648_3_4')).stage2Link).toEqual({ kind: 'digital', code: '80211n:648:3/4', ...options });
    expect(meta(join(out, 'digital-80211n_1296_1_2')).stage2Link).toEqual({ kind: 'digital', code: '80211n:1296:1/2', ...options });
  }, 240_000);
});
