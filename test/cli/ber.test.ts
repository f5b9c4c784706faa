// `wmoe ber` end to end through the built CLI (dist/cli/wmoe.mjs; `npm test` builds it first).
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expectOneLineError, runCli, tempDir } from '../helpers/cli.js';
import { zeroEventUpperBound } from '../../src/plot/error_bounds.js';
import { linearX, logY, readChart } from '../helpers/svg_read.js';

const SMALL = ['--code', '80211n:648:1/2', '--max-frames', '200', '--max-frame-errors', '20', '--seed', '5'];


describe('wmoe ber', () => {
  it('prints an AFF3CT-style table, one row per point, nothing on stderr off a TTY', () => {
    const r = runCli(['ber', ...SMALL, '--ebn0-db', '1:1:3']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toContain('80211n:648:1/2');
    expect(lines.some((l) => /Es\/N0 \|\s+Eb\/N0 \|\s+FRA \|\s+BE \|\s+FE \|\s+BER \|\s+FER \|\s+DEC_THR/.test(l))).toBe(true);
    const rows = lines.filter((l) => !l.startsWith('#'));
    expect(rows).toHaveLength(3);
    const cells = rows.map((l) => l.split('|').map((c) => c.trim()));
    expect(cells.map((c) => Number(c[1]))).toEqual([1, 2, 3]);
    expect(Number(cells[0][0])).toBeCloseTo(1 - 10 * Math.log10(2), 2); // Es/N0 = Eb/N0 + 10 log10(R)
    expect(Number(cells[0][4])).toBe(20); // stopped at 20 frame errors
    for (const c of cells) expect(Number(c[2])).toBeLessThanOrEqual(200);
    expect(Number(cells[2][5])).toBeLessThan(Number(cells[0][5])); // BER falls with SNR
  });

  it('--json: one document with the settings and the points; same seed → same counts', () => {
    const args = ['ber', ...SMALL, '--esn0-db', '-1,0', '--json'];
    const r = runCli(args);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ code: '80211n:648:1/2', n: 648, k: 324, rate: 0.5, modulation: 'bpsk', decoder: 'nms', iterations: 10, seed: 5 });
    expect(doc.points).toHaveLength(2);
    expect(doc.points[0].esn0Db).toBe(-1);
    expect(doc.points[0].ebn0Db).toBeCloseTo(-1 + 10 * Math.log10(2), 10);
    for (const p of doc.points) {
      for (const key of ['frames', 'bits', 'bitErrors', 'frameErrors', 'ber', 'fer', 'ferInterval', 'decoderMbps', 'meanIterations']) expect(p).toHaveProperty(key);
      expect(p.bits).toBe(p.frames * 324);
    }
    const again = JSON.parse(runCli(args).stdout);
    const counts = (d: typeof doc) => d.points.map((p: { frames: number; bitErrors: number; frameErrors: number }) => [p.frames, p.bitErrors, p.frameErrors]);
    expect(counts(again)).toEqual(counts(doc));
  });

  it('uncoded 16-QAM, and --plot writes an SVG of BER and FER', () => {
    const file = join(tempDir(), 'ber.svg');
    const r = runCli(['ber', '--code', 'none', '--modulation', '16qam', '--ebn0-db', '2,4,6', '--max-frames', '20', '--plot', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('code none');
    const svg = readFileSync(file, 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('>BER<');
    expect(svg).toContain('>FER<');
    expect(svg).toContain('Eb/N0 (dB)');
    expect(svg).not.toContain('NaN');
  });

  it('--plot: a point without frame errors is an upper-bound marker with a note, and nothing sits on the frame', () => {
    const file = join(tempDir(), 'ber.svg');
    const r = runCli(['ber', '--ebn0-db', '0:1:3', '--max-frame-errors', '20', '--max-frames', '400', '--seed', '1', '--json', '--plot', file]);
    expect(r.code, r.stderr).toBe(0);
    const { points } = JSON.parse(r.stdout);
    expect(points.map((p: { frameErrors: number }) => p.frameErrors > 0)).toEqual([true, true, true, false]);
    expect(points[3].frames).toBe(400);
    expect(points[0].fer).toBe(1);
    const d = readChart(readFileSync(file, 'utf8'));
    // The 3 dB point: a marker at the one-sided 95 % bound 1 − 0.05^(1/400), read against the axes.
    expect(d.bounds).toHaveLength(1);
    const [b] = d.bounds;
    expect(b.dataX).toBe(3);
    expect(b.dataY).toBe(zeroEventUpperBound(400));
    expect(b.y).toBeCloseTo(logY(d.yTicks, zeroEventUpperBound(400)), 0);
    expect(b.x).toBeCloseTo(linearX(d.xTicks, 3), 0);
    expect(d.xTicks.map((t) => t.label)).toContain('3');
    expect(d.notes.join(' ')).toContain('No frame error in 400 frames at 3 dB (< 7.46·10⁻³)');
    // Measured points where their values are; FER = 1 (0 dB) below the top border.
    const fer = d.series.find((s) => s.name === 'FER')!;
    const ber = d.series.find((s) => s.name === 'BER')!;
    expect(fer.points).toHaveLength(3);
    points.slice(0, 3).forEach((p: { fer: number; ber: number }, i: number) => {
      expect(fer.points[i].y).toBeCloseTo(logY(d.yTicks, p.fer), 0);
      expect(ber.points[i].y).toBeCloseTo(logY(d.yTicks, p.ber), 0);
    });
    for (const p of [...fer.points, ...ber.points, ...d.bounds]) {
      expect(p.y - d.frame.top).toBeGreaterThanOrEqual(8);
      expect(d.frame.bottom - p.y).toBeGreaterThanOrEqual(8);
      expect(p.x - d.frame.left).toBeGreaterThanOrEqual(8);
      expect(d.frame.right - p.x).toBeGreaterThanOrEqual(8);
    }
  });

  // Each case spawns a CLI process (~0.5 s of CPU); the option checks themselves are covered in test/sim.
  // [name, flags, the whole message after 'wmoe: ']
  const bad: [string, string[], string][] = [
    [
      'unknown code',
      ['--code', 'turbo:99'],
      "ldpcCode: unknown spec 'turbo:99' (expected '80211n:N:R', '5gnr:bg1|bg2:zZ[:mother|:eE]', 'alist:PATH' or 'alist-text:TEXT')",
    ],
    ['bad range text', ['--ebn0-db', '1:0:3'], "--ebn0-db '1:0:3': step must not be 0"],
    ['NaN in a list', ['--ebn0-db', '1,NaN'], "--ebn0-db '1,NaN': 'NaN' is not a finite number"],
    ['iterations < 1', ['--iterations', '0'], "--iterations '0' must be an integer in [1, 1000]"],
    ['iterations > 1000', ['--iterations', '1001'], "--iterations '1001' must be an integer in [1, 1000]"],
    ['batch of frames too large', ['--batch-frames', '5000'], "--batch-frames '5000' must be an integer in [1, 4096]"],
    ['nms factor with spa', ['--decoder', 'spa', '--nms-factor', '0.8'], "--nms-factor '0.8' applies only to --decoder nms, not 'spa'"],
    ['both SNR flags', ['--ebn0-db', '1', '--esn0-db', '1'], 'give either --ebn0-db or --esn0-db, not both'],
    ['unknown flag', ['--frobnicate', '1'], "Unknown option '--frobnicate'"],
    ['plot into a missing directory', ['--plot', '/nonexistent/dir/x.svg'], "--plot '/nonexistent/dir/x.svg': directory '/nonexistent/dir' does not exist"],
  ];
  for (const [name, args, message] of bad) {
    it(`bad input: ${name} → one-line error naming it, no output`, () => {
      expectOneLineError(runCli(['ber', '--max-frames', '10', ...args]), message);
    });
  }
});

describe('wmoe ber over fading (--channel, --coherence, --doppler, --rx-csi)', () => {
  const FADING = ['ber', '--code', '80211n:648:1/2', '--ebn0-db', '10', '--max-frames', '200', '--max-frame-errors', '200', '--seed', '9', '--json'];
  it('--json records the channel settings; fading FER ≫ AWGN FER at 10 dB; the counts do not depend on --batch-frames', () => {
    const flags = ['--channel', 'rayleigh', '--coherence', '2', '--doppler', 'ar1:0.1', '--rx-csi', 'pilots:2'];
    const r = runCli([...FADING, ...flags, '--batch-frames', '64']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ channel: 'rayleigh', coherence: 2, doppler: 'ar1:0.1', rxCsi: 'pilots:2', pilotUsesPerFrame: 2, channelUsesPerFrame: 650 });
    expect(doc.points[0].fer).toBeGreaterThan(0.05);
    const again = JSON.parse(runCli([...FADING, ...flags, '--batch-frames', '7']).stdout);
    expect(again.points[0].frameErrors).toBe(doc.points[0].frameErrors);
    expect(again.points[0].bitErrors).toBe(doc.points[0].bitErrors);
    const awgn = JSON.parse(runCli(FADING).stdout);
    expect(awgn).toMatchObject({ channel: 'awgn', coherence: 1, doppler: null, rxCsi: 'perfect', pilotUsesPerFrame: 0, channelUsesPerFrame: 648 });
    expect(awgn.points[0].frameErrors).toBe(0);
  });

  it('wmoe --help says what the channel flags of ber mean', () => {
    const usage = runCli(['--help']).stdout;
    const ber = usage.slice(usage.indexOf('\n  ber '), usage.indexOf('\n  bench '));
    for (const text of ['--channel awgn|rayleigh|rician:K', '--coherence 1', '--doppler f|ar1:f', '--rx-csi perfect|pilots:P', 'mean SNRs', 'K-factor in dB', 'codewords', 'J0(2πfτ)', 'pilots per codeword']) {
      expect(ber).toContain(text);
    }
  });

  it('the table header and the plot title name the channel', () => {
    const file = join(tempDir(), 'ber.svg');
    const r = runCli(['ber', '--code', 'none', '--channel', 'rician:6', '--doppler', '0.05', '--ebn0-db', '5,10', '--max-frames', '20', '--plot', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n')[0]).toContain('; channel rician:6, coherence 1, doppler 0.05, rx-csi perfect');
    expect(readFileSync(file, 'utf8')).toContain('uncoded bpsk, rician:6, Doppler 0.05, rx CSI perfect');
  });

  const bad: [string, string[], string][] = [
    ['unknown channel', ['--channel', 'nakagami'], "channel 'nakagami' is not one of awgn, rayleigh, rician:K (K in dB)"],
    ['K-factor not a number', ['--channel', 'rician:abc'], "channel 'rician:abc': the Rician K-factor 'abc' is not a number (dB, or inf)"],
    ['coherence below 1', ['--coherence', '0'], "coherence '0' is not an integer ≥ 1"],
    ['Doppler above 0.5', ['--doppler', '0.6'], "doppler '0.6': f = '0.6' is not a number in [0, 0.5]"],
    ['rx-csi other than perfect or pilots:P', ['--rx-csi', 'stale:1'], "rx-csi 'stale:1' is not one of perfect, pilots:P"],
    ['P < 1 pilots', ['--rx-csi', 'pilots:0'], "rx-csi 'pilots:0': P = '0' is not an integer ≥ 1 (pilots)"],
    ['a gate flag', ['--csi', 'perfect'], "Unknown option '--csi'"],
  ];
  for (const [name, args, message] of bad) {
    it(`bad input: ${name} → one-line error naming it, no output`, () => {
      expectOneLineError(runCli(['ber', '--max-frames', '10', ...args]), message);
    });
  }
});
