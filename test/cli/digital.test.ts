// The digital link through the CLI: eval over LDPC-coded links and the coding-cost benchmark.
import { describe, expect, it, beforeAll } from 'vitest';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { runCli, tempDir, TINY_TRAIN } from '../helpers/cli.js';

describe('wmoe with digital links', () => {
  let ckpt: string;
  beforeAll(() => {
    ckpt = join(tempDir(), 'ckpt');
    const r = runCli(['train', ...TINY_TRAIN, '--link', 'digital', '--code', '80211n:648:3/4', '--out', ckpt]);
    expect(r.code, r.stderr).toBe(0);
  });

  it('eval --link digital reports accuracy and what the link did, deterministically', () => {
    const args = ['eval', '--checkpoint', ckpt, '--gate', 'naive', '--link', 'digital', '--code', '80211n:648:1/2', '--modulation', 'qpsk', '--bits', '6', '--snr-db', '-6,20,20,20', '--test-samples', '48', '--seed', '2', '--json'];
    const a = runCli(args);
    expect(a.code, a.stderr).toBe(0);
    expect(runCli(args).stdout).toBe(a.stdout);
    const report = JSON.parse(a.stdout);
    expect(report).toMatchObject({
      link: 'digital',
      linkSource: 'flag',
      samples: 48,
      digital: { code: '80211n:648:1/2', modulation: 'qpsk', bits: 6, decoder: 'nms', iterations: 10, rate: 0.5 },
    });
    // d = 400 values · 6 bits = 2400 bits → 8 codewords of k = 324 → 8·648/2 QPSK symbols.
    expect(report.digital.channelUsesPerVector).toBe((8 * 648) / 2);
    // Only the chosen experts (top-2 of 4) receive anything.
    expect(report.digital.vectors).toBe(48 * 2);
    expect(report.digital.failedFrames).toBeGreaterThan(0); // the naive gate picks the −6 dB link too, whose frames fail
  });

  it('the checkpoint records the link its gate was trained over, and eval uses it without --link', () => {
    const config = JSON.parse(readFileSync(join(ckpt, 'config.json'), 'utf8'));
    expect(config.meta.stage2Link).toEqual({ kind: 'digital', code: '80211n:648:3/4', modulation: 'bpsk', bits: 8, decoder: { algorithm: 'nms', iterations: 10 } });
    const base = ['eval', '--checkpoint', ckpt, '--snr-db', '10', '--test-samples', '16', '--json'];
    const a = runCli(base);
    expect(a.code, a.stderr).toBe(0);
    const report = JSON.parse(a.stdout);
    expect(report).toMatchObject({ link: 'digital', linkSource: 'checkpoint', digital: { code: '80211n:648:3/4', modulation: 'bpsk', bits: 8, rate: 0.75 } });
    // Options given as flags override the checkpoint's one by one.
    const b = runCli([...base, '--bits', '4', '--decoder', 'oms']);
    expect(b.code, b.stderr).toBe(0);
    expect(JSON.parse(b.stdout)).toMatchObject({
      link: 'digital',
      linkSource: 'checkpoint',
      digital: { code: '80211n:648:3/4', modulation: 'bpsk', bits: 4, decoder: 'oms', iterations: 10 },
    });
    // --link still overrides the kind.
    const c = runCli([...base, '--link', 'analog']);
    expect(c.code, c.stderr).toBe(0);
    expect(JSON.parse(c.stdout)).toMatchObject({ link: 'analog', linkSource: 'flag' });
    expect(JSON.parse(c.stdout).digital).toBeUndefined();
  });

  it('bench coding compares channel uses and latency of digital links with the analog one', () => {
    const r = runCli(['bench', 'coding', '--codes', '80211n:648:1/2,5gnr:bg2:z16', '--vectors', '4', '--reps', '1', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const { rows } = JSON.parse(r.stdout);
    expect(rows.map((x: { link: string }) => x.link)).toEqual(['analog', '80211n:648:1/2 bpsk', '5gnr:bg2:z16 bpsk']);
    expect(rows[0].channelUses).toBe(200); // the analog link: ⌈400/2⌉ complex uses, two features per use
    expect(rows[1].channelUses).toBe(10 * 648);
    for (const row of rows.slice(1)) expect(row.totalUs).toBeGreaterThan(row.decodeUs);
  });
});
