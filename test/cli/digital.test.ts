// The digital link through the CLI: eval over LDPC-coded links and the coding-cost benchmark.
import { describe, expect, it, beforeAll } from 'vitest';
import { join } from 'node:path';
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
    expect(report).toMatchObject({ link: 'digital', samples: 48, digital: { code: '80211n:648:1/2', modulation: 'qpsk', bits: 6, rate: 0.5 } });
    // d = 400 values · 6 bits = 2400 bits → 8 codewords of k = 324 → 8·648/2 QPSK symbols.
    expect(report.digital.channelUsesPerVector).toBe((8 * 648) / 2);
    // Only the chosen experts (top-2 of 4) receive anything.
    expect(report.digital.vectors).toBe(48 * 2);
    expect(report.digital.failedFrames).toBeGreaterThan(0); // the naive gate picks the −6 dB link too, whose frames fail
  });

  it('bench coding compares channel uses and latency of digital links with the analog one', () => {
    const r = runCli(['bench', 'coding', '--codes', '80211n:648:1/2,5gnr:bg2:z16', '--vectors', '4', '--reps', '1', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const { rows } = JSON.parse(r.stdout);
    expect(rows.map((x: { link: string }) => x.link)).toEqual(['analog', '80211n:648:1/2 bpsk', '5gnr:bg2:z16 bpsk']);
    expect(rows[0].channelUses).toBe(400);
    expect(rows[1].channelUses).toBe(10 * 648);
    for (const row of rows.slice(1)) expect(row.totalUs).toBeGreaterThan(row.decodeUs);
  });
});
