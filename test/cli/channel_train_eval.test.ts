// The channel flags through the CLI: stage 2 of `wmoe train` under fading and estimated CSI, recorded
// in the checkpoint; `wmoe eval` defaulting to the recorded channel, overriding it flag by flag, and
// reporting channel uses, gate-CSI pilot uses and the BLER; one-line errors with nothing written.
import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expectOneLineError, runCli, tempDir, TINY_TRAIN } from '../helpers/cli.js';
import { trainConfigFromFlags } from '../../src/cli/commands/train.js';
import { parseLinkRecord } from '../../src/train/checkpoint_parse.js';
import { expectInputError } from '../helpers/errors.js';

/** d of the default LeNet-5 backbone: 400 features, so one analog vector takes ⌈400/2⌉ = 200 uses. */
const D = 400;
const TOP_K = 2;
const EXPERTS = 4;

describe('wmoe train / eval under a fading channel with estimated CSI', () => {
  let ckpt: string;
  const evalJson = (...args: string[]) => {
    const r = runCli(['eval', '--checkpoint', ckpt, '--test-samples', '48', '--quiet', '--json', ...args]);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout);
  };
  beforeAll(() => {
    ckpt = join(tempDir(), 'ckpt');
    const r = runCli(['train', ...TINY_TRAIN, '--channel', 'rayleigh', '--csi', 'pilots:2', '--rx-csi', 'pilots:1', '--channel-use-weight', '0.1', '--quiet', '--out', ckpt]);
    expect(r.code, r.stderr).toBe(0);
  });

  it('the checkpoint and metrics.json record the channel stage 2 trained under, and λ', () => {
    const channel = { channel: 'rayleigh', csi: 'pilots:2', 'rx-csi': 'pilots:1' };
    const { meta } = JSON.parse(readFileSync(join(ckpt, 'config.json'), 'utf8'));
    expect(meta.train.channel).toEqual(channel);
    expect(meta.train.channelUseWeight).toBe(0.1);
    expect(meta.stage2Link).toEqual({ kind: 'analog' });
    const metrics = JSON.parse(readFileSync(join(ckpt, 'metrics.json'), 'utf8'));
    expect(metrics.config.channel).toEqual(channel);
    expect(metrics.config.channelUseWeight).toBe(0.1);
  });

  it('eval defaults to the recorded channel and reports channel uses (pilots included) and gate-CSI uses', () => {
    const report = evalJson();
    expect(report.channel).toEqual({
      channel: 'rayleigh', coherence: '1', doppler: null, csi: 'pilots:2', 'rx-csi': 'pilots:1',
      source: { channel: 'checkpoint', coherence: 'default', doppler: 'default', csi: 'checkpoint', 'rx-csi': 'checkpoint' },
    });
    // Analog: ⌈d/2⌉ data uses + 1 receiver pilot per chosen expert, top-k experts per sample.
    const perSample = TOP_K * (Math.ceil(D / 2) + 1);
    expect(report.channelUsesPerSample).toEqual({ mean: perSample, p95: perSample });
    // Gate CSI pilots:2 on every one of the K links, once per block of N = 1 sample.
    expect(report.csiUsesPerSample).toBe((EXPERTS * 2) / 1);
    expect(report.digital).toBeUndefined();
  });

  it('each channel flag overrides its recorded setting (a mismatched evaluation)', () => {
    const report = evalJson('--csi', 'statistical', '--coherence', '4');
    expect(report.channel).toMatchObject({ channel: 'rayleigh', coherence: '4', csi: 'statistical', 'rx-csi': 'pilots:1' });
    expect(report.channel.source).toEqual({ channel: 'checkpoint', coherence: 'flag', doppler: 'default', csi: 'flag', 'rx-csi': 'checkpoint' });
    expect(report.csiUsesPerSample).toBe(0); // the gate knows only the mean SNRs: no pilots
    const perfectRx = evalJson('--rx-csi', 'perfect', '--channel', 'awgn');
    expect(perfectRx.channel.source).toMatchObject({ channel: 'flag', 'rx-csi': 'flag', csi: 'checkpoint' });
    expect(perfectRx.channelUsesPerSample).toEqual({ mean: TOP_K * (D / 2), p95: TOP_K * (D / 2) });
    // Same flags, same seed: the same report.
    expect(evalJson('--csi', 'statistical', '--coherence', '4')).toEqual(report);
  });

  it('--geometry gives per-expert mean SNRs: S − 10·n·log10(Dk/D0)', () => {
    const report = evalJson('--geometry', '1,2,4,8:n=3:ref=25@1');
    const expected = [1, 2, 4, 8].map((d) => 25 - 30 * Math.log10(d));
    expect(report.channel.geometry).toBe('1,2,4,8:n=3:ref=25@1');
    report.channel.meanSnrDb.forEach((v: number, k: number) => expect(v).toBeCloseTo(expected[k], 10));
    expect(report.snr).toBe(`${report.channel.meanSnrDb.join(',')} dB`);
  });

  it('a digital eval reports the BLER over every codeword sent, and its channel uses', () => {
    const report = evalJson('--link', 'digital', '--code', '80211n:648:1/2', '--gate', 'naive', '--snr-db', '-6,20,20,20');
    const { digital } = report;
    expect(digital.bler.codewords).toBe(digital.frames);
    expect(digital.bler.codewordErrors).toBeGreaterThan(0); // −6 dB under Rayleigh fading
    expect(digital.bler.codewordErrors).toBeLessThanOrEqual(digital.frames);
    expect(digital.bler.value).toBe(digital.bler.codewordErrors / digital.bler.codewords);
    expect(digital.bler.interval[0]).toBeLessThan(digital.bler.value);
    expect(digital.bler.interval[1]).toBeGreaterThan(digital.bler.value);
    // 400 features · 8 bits = 3200 bits → ⌈3200/324⌉ = 10 codewords of 648 BPSK symbols, + 1 pilot.
    expect(digital.frames).toBe(48 * TOP_K * 10);
    const perSample = TOP_K * (10 * 648 + 1);
    expect(report.channelUsesPerSample).toEqual({ mean: perSample, p95: perSample });
    const line = runCli(['eval', '--checkpoint', ckpt, '--test-samples', '48', '--quiet', '--link', 'digital', '--gate', 'naive', '--snr-db', '-6,20,20,20']);
    expect(line.stdout).toContain(`channel uses per sample mean ${perSample}, p95 ${perSample}, BLER `);
    expect(line.stdout).toContain(`/${digital.frames} codewords)`);
  });

  // Every bad value of the list, from `wmoe train` (nothing written) and from `wmoe eval`.
  const bad: [string, string[], string][] = [
    ['coherence below 1', ['--coherence', '0'], "coherence '0' is not an integer ≥ 1"],
    ['Doppler outside [0, 0.5]', ['--doppler', '0.7'], "doppler '0.7': f = '0.7' is not a number in [0, 0.5]"],
    ['P < 1 pilots', ['--csi', 'pilots:0'], "csi 'pilots:0': P = '0' is not an integer ≥ 1 (pilots)"],
    ['K-factor not a number', ['--channel', 'rician:abc'], "channel 'rician:abc': the Rician K-factor 'abc' is not a number (dB, or inf)"],
    ['B outside 1…16', ['--csi', 'quantised:17'], "csi 'quantised:17': B = '17' is not an integer in 1…16 (bits)"],
    ['unknown MCS', ['--link', 'digital', '--mcs', 'wifi:7'], "unknown MCS spec 'wifi:7' (expected TABLE or TABLE:INDEX with TABLE one of 80211n:648, 80211n:1296, 80211n:1944, nr (or nr:table1))"],
    ['MCS index the table lacks', ['--link', 'digital', '--mcs', '80211n:1944:9'], "MCS spec '80211n:1944:9': MCS table '80211n:1944' has no index 9 (usable indices 0–7)"],
    ['BLER target outside (0, 1)', ['--link', 'digital', '--mcs', 'adaptive:bler=1.5'], "--mcs 'adaptive:bler=1.5': BLER target '1.5' is not a number in (0, 1)"],
    ['--mcs with an analog link', ['--link', 'analog', '--mcs', '80211n:1944:5'], "--mcs '80211n:1944:5' needs --link digital (the link is analog)"],
    ['--mcs with --code', ['--link', 'digital', '--code', '80211n:648:1/2', '--mcs', '80211n:1944:5'], "--mcs '80211n:1944:5' chooses the code and modulation: drop --code (or --mcs)"],
    ['--rx-csi other than perfect or pilots:P', ['--rx-csi', 'stale:1'], "rx-csi 'stale:1' is not one of perfect, pilots:P"],
  ];
  it.each(bad)('train: %s is a one-line error and nothing is written', (_, args, message) => {
    const out = join(tempDir(), 'run');
    expectOneLineError(runCli(['train', ...TINY_TRAIN, ...args, '--out', out]), message);
    expect(existsSync(out)).toBe(false);
  });
  it.each(bad)('eval: %s is a one-line error', (_, args, message) => {
    expectOneLineError(runCli(['eval', '--checkpoint', ckpt, '--test-samples', '8', ...args]), message);
  });

  it('train-only and eval-only rules: --geometry, --channel-use-weight, --mcs on an analog checkpoint, K distances', () => {
    const out = join(tempDir(), 'run');
    expectOneLineError(runCli(['train', ...TINY_TRAIN, '--geometry', '1,2,3,4', '--out', out]), "--geometry '1,2,3,4' gives the mean SNRs of an evaluation (wmoe eval, demo): stage 2 draws them from --snr-range");
    expectOneLineError(runCli(['train', ...TINY_TRAIN, '--channel-use-weight', '-1', '--out', out]), "--channel-use-weight '-1' is not a number ≥ 0");
    expectOneLineError(runCli(['train', ...TINY_TRAIN, '--channel-use-weight', 'x', '--out', out]), "--channel-use-weight 'x' is not a finite number");
    expectOneLineError(runCli(['train', ...TINY_TRAIN, '--mcs', '80211n:1944:5', '--out', out]), "--mcs '80211n:1944:5' needs --link digital (the link is analog)");
    expect(existsSync(out)).toBe(false);
    const ev = (...args: string[]) => runCli(['eval', '--checkpoint', ckpt, '--test-samples', '8', ...args]);
    expectOneLineError(ev('--mcs', '80211n:1944:5'), "--mcs '80211n:1944:5' needs --link digital (the link is analog, the checkpoint's stage-2 link)");
    expectOneLineError(ev('--geometry', '1,2,3'), "geometry '1,2,3' gives 3 distances for 4 experts");
    expectOneLineError(ev('--geometry', '1,2,3,4', '--snr-db', '10'), '--geometry gives the mean SNRs: drop --snr-db (or --geometry)');
    expectOneLineError(ev('--geometry', '1,2,3,4', '--link', 'perfect'), '--geometry does not apply to --link perfect (a perfect link has no SNR)');
  });
});

describe('wmoe train / eval with an MCS policy (--mcs)', () => {
  let ckpt: string;
  const evalJson = (...args: string[]) => {
    const r = runCli(['eval', '--checkpoint', ckpt, '--test-samples', '48', '--snr-db', '0,10,20,25', '--quiet', '--json', ...args]);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout);
  };
  beforeAll(() => {
    ckpt = join(tempDir(), 'ckpt');
    const r = runCli(['train', ...TINY_TRAIN, '--link', 'digital', '--mcs', 'adaptive:olla', '--channel', 'rayleigh', '--csi', 'pilots:4', '--quiet', '--out', ckpt]);
    expect(r.code, r.stderr).toBe(0);
  });

  it('the checkpoint records the MCS policy (canonical text) with the lowest MCS\'s code and modulation', () => {
    const { meta } = JSON.parse(readFileSync(join(ckpt, 'config.json'), 'utf8'));
    expect(meta.stage2Link).toEqual({
      kind: 'digital', code: '80211n:1944:1/2', modulation: 'bpsk', bits: 8, decoder: { algorithm: 'nms', iterations: 10 },
      mcs: 'adaptive:bler=0.1:table=80211n:1944:olla',
    });
    expect(meta.train.channel).toEqual({ channel: 'rayleigh', csi: 'pilots:4' });
  });

  it('eval uses the recorded policy and reports its choices, the BLER and the channel uses', () => {
    const report = evalJson();
    expect(report).toMatchObject({ link: 'digital', linkSource: 'checkpoint', csiUsesPerSample: (EXPERTS * 4) / 1 });
    const { digital } = report;
    expect(digital).toMatchObject({ code: null, modulation: null, rate: null, channelUsesPerVector: null, bits: 8 });
    expect(digital.mcs).toMatchObject({ table: '80211n:1944', policy: 'adaptive:bler=0.1:table=80211n:1944:olla', outages: 0, phyTableMatchesDecoder: true });
    const sum = (o: Record<string, number>) => Object.values(o).reduce((a, v) => a + v, 0);
    expect(sum(digital.mcs.histogram)).toBe(48 * EXPERTS); // the policy chooses for every (sample, expert) pair
    expect(sum(digital.mcs.vectorsPerMcs)).toBe(digital.vectors); // the chosen ones are sent
    expect(digital.vectors).toBe(48 * TOP_K);
    expect(digital.mcs.ollaOffsetsDb).toHaveLength(EXPERTS);
    expect(digital.bler.codewords).toBe(digital.frames);
    // Different SNRs pick different MCS, so the channel uses vary between samples.
    expect(report.channelUsesPerSample.p95).toBeGreaterThan(report.channelUsesPerSample.mean);
    expect(evalJson('--iterations', '5').digital.mcs.phyTableMatchesDecoder).toBe(false);
  });

  it('--mcs overrides the recorded policy; --code or --modulation replaces it with one code', () => {
    // 802.11n MCS 3: 16-QAM rate 1/2 on the 1944 code: 3200 bits → ⌈3200/972⌉ = 4 codewords of 1944/4 symbols.
    const fixed = evalJson('--mcs', '80211n:1944:3');
    expect(fixed).toMatchObject({ linkSource: 'checkpoint', digital: { code: '80211n:1944:1/2', modulation: '16qam', rate: 0.5, channelUsesPerVector: 1944, mcs: { policy: '80211n:1944:3', vectorsPerMcs: { 3: 48 * TOP_K } } } });
    expect(fixed.channelUsesPerSample).toEqual({ mean: TOP_K * 1944, p95: TOP_K * 1944 });
    const oneCode = evalJson('--modulation', 'qpsk');
    expect(oneCode.digital).toMatchObject({ code: '80211n:1944:1/2', modulation: 'qpsk' });
    expect(oneCode.digital.mcs).toBeUndefined();
  });

  it('a corrupt MCS record is a one-line error naming the value', () => {
    const record = { kind: 'digital', code: '80211n:1944:1/2', modulation: 'bpsk', bits: 8, decoder: { algorithm: 'nms', iterations: 10 } };
    expect(parseLinkRecord({ ...record, mcs: '80211n:1944:5' }, 'c.json')).toEqual({ ...record, mcs: '80211n:1944:5' });
    expectInputError(
      () => parseLinkRecord({ ...record, mcs: '80211n:1944:9' }, 'c.json'),
      `checkpoint 'c.json': meta.stage2Link has mcs "80211n:1944:9", not an MCS policy (MCS spec '80211n:1944:9': MCS table '80211n:1944' has no index 9 (usable indices 0–7))`,
    );
    expectInputError(() => parseLinkRecord({ ...record, mcs: 5 }, 'c.json'), `checkpoint 'c.json': meta.stage2Link has mcs 5, not an MCS policy text`);
  });

  it('demo --mcs: the digital rows use that MCS policy, trained and saved like a code', () => {
    const out = join(tempDir(), 'demo');
    expectOneLineError(runCli(['demo', ...TINY_TRAIN, '--mcs', '80211n:1944:4', '--digital-codes', '80211n:648:1/2', '--out', out]), "--mcs '80211n:1944:4' gives the digital rows: drop --digital-codes (or --mcs)");
    expectOneLineError(runCli(['demo', ...TINY_TRAIN, '--mcs', '80211n:1944:4', '--modulation', 'qpsk', '--out', out]), "--mcs '80211n:1944:4' chooses the code and modulation: drop --modulation (or --mcs)");
    expect(existsSync(out)).toBe(false);
    const r = runCli(['demo', ...TINY_TRAIN, '--mcs', '80211n:1944:4', '--quiet', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const { rows, digitalLinks } = JSON.parse(readFileSync(join(out, 'comparison.json'), 'utf8'));
    expect(digitalLinks).toEqual([{ kind: 'digital', code: '80211n:1944:3/4', modulation: '16qam', bits: 8, decoder: { algorithm: 'nms', iterations: 10 }, mcs: '80211n:1944:4' }]);
    expect([...new Set(rows.map((row: { link: string }) => row.link))]).toEqual(['perfect', 'analog', 'digital mcs 80211n:1944:4']);
    expect(JSON.parse(readFileSync(join(out, 'digital-80211n_1944_4', 'config.json'), 'utf8')).meta.stage2Link.mcs).toBe('80211n:1944:4');
  }, 240_000);
});

describe('wmoe demo under a fading channel', () => {
  it('passes the channel to stage 2 and every evaluation; comparison.json records it and each row\'s channel uses', () => {
    const out = join(tempDir(), 'demo');
    const r = runCli(['demo', ...TINY_TRAIN, '--digital-codes', '80211n:648:1/2', '--channel', 'rayleigh', '--rx-csi', 'pilots:1', '--geometry', '1,2,4,8', '--channel-use-weight', '0.05', '--quiet', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const { channel, rows } = JSON.parse(readFileSync(join(out, 'comparison.json'), 'utf8'));
    expect(channel).toMatchObject({ channel: 'rayleigh', coherence: '1', doppler: null, csi: 'perfect', 'rx-csi': 'pilots:1', geometry: '1,2,4,8', channelUseWeight: 0.05 });
    expect(channel.source).toEqual({ channel: 'flag', coherence: 'default', doppler: 'default', csi: 'default', 'rx-csi': 'flag' });
    channel.meanSnrDb.forEach((v: number, k: number) => expect(v).toBeCloseTo(25 - 30 * Math.log10([1, 2, 4, 8][k]), 10));
    // perfect; 5 standard conditions + the geometry one, for the analog link and the digital one.
    expect(rows).toHaveLength(1 + 6 + 6);
    expect(rows.filter((row: { condition: string }) => row.condition.startsWith('geometry 1,2,4,8 (25,16,6.9,-2.1 dB)'))).toHaveLength(2);
    const uses = { analog: TOP_K * (Math.ceil(D / 2) + 1), 'digital 80211n:648:1/2': TOP_K * (10 * 648 + 1), perfect: 0 } as Record<string, number>;
    for (const row of rows) {
      const u = uses[row.link];
      expect(row.channelUsesPerSample, `${row.link} ${row.condition}`).toEqual({ naive: { mean: u, p95: u }, channelAware: { mean: u, p95: u } });
    }
    const train = (dir: string) => JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')).meta.train;
    for (const dir of [out, join(out, 'digital-80211n_648_1_2')]) {
      expect(train(dir).channel).toEqual({ channel: 'rayleigh', 'rx-csi': 'pilots:1' });
      expect(train(dir).channelUseWeight).toBe(0.05);
    }
    expect(r.stdout).toContain('uses/sample');
  }, 240_000);
});

describe('runs without channel flags keep today\'s config', () => {
  it('no channel flag: the training config has no channel and no channel-use weight', () => {
    const { cfg } = trainConfigFromFlags({});
    expect('channel' in cfg).toBe(false);
    expect('channelUseWeight' in cfg).toBe(false);
    const given = trainConfigFromFlags({ doppler: '0.050', 'rx-csi': 'pilots:4', 'channel-use-weight': '0' }).cfg;
    // Only the flags given, in canonical form.
    expect(given.channel).toEqual({ doppler: '0.05', 'rx-csi': 'pilots:4' });
    expect(given.channelUseWeight).toBe(0);
  });
});
