// `wmoe ber --mcs-table` end to end through the built CLI (dist/cli/wmoe.mjs; `npm test` builds it first).
import { describe, expect, it } from 'vitest';
import { expectOneLineError, runCli } from '../helpers/cli.js';
import { loadPhyTable } from '../../src/link/adapt/bler_table.js';
import { mcsTable } from '../../src/codes/index.js';

const TINY = ['ber', '--mcs-table', '80211n:648', '--esn0-db', '-2:4:22', '--max-frame-errors', '5', '--max-frames', '20', '--seed', '3'];

describe('wmoe ber --mcs-table', () => {
  it('--json: a loadable PHY table with every MCS, its settings and seed; same seed → same JSON', () => {
    const r = runCli([...TINY, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ table: '80211n:648', channel: 'awgn', seed: 3, grid: { esn0Db: [-2, 2, 6, 10, 14, 18, 22] } });
    expect(doc.stopping).toEqual({ maxFrameErrors: 5, maxFrames: 20, stopAtZeroErrors: true });
    const t = loadPhyTable(doc, 'stdout', mcsTable('80211n:648').entries.length);
    expect(t.indices).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(doc.mcs.map((c: { code: string }) => c.code)).toEqual(mcsTable('80211n:648').entries.map((e) => e.code));
    expect(runCli([...TINY, '--json']).stdout).toBe(r.stdout);
  });

  it('prints a text table, one row per point', () => {
    const r = runCli(TINY);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^# PHY table 80211n:648 over AWGN: nms 10 iterations/);
    const rows = lines.filter((l) => !l.startsWith('#')).map((l) => l.split('|').map((c) => c.trim()));
    expect(new Set(rows.map((c) => c[0]))).toEqual(new Set(['0', '1', '2', '3', '4', '5', '6', '7']));
    expect(rows[0].slice(0, 4)).toEqual(['0', 'bpsk', '0.5000', '-2.00']);
  });

  const errors: [string[], RegExp][] = [
    [['--mcs-table', 'wifi'], /unknown MCS spec 'wifi' .*/],
    [['--mcs-table', '80211n:648:3'], /'80211n:648:3' names one MCS, not a table .*/],
    [['--mcs-table', '80211n:648', '--code', '80211n:648:1/2'], /--mcs-table '80211n:648' takes no --code .*/],
    [['--mcs-table', '80211n:648', '--channel', 'rayleigh'], /.* takes no --channel .*/],
    [['--mcs-table', '80211n:648', '--ebn0-db', '1'], /.* takes no --ebn0-db .*/],
  ];
  for (const [args, message] of errors) {
    it(`one-line error: ${args.join(' ')}`, () => {
      const r = runCli(['ber', ...args]);
      expectOneLineError(r, message);
      expect(r.stdout).toBe('');
    });
  }
});
