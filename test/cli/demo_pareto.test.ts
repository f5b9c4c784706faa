// `wmoe demo --pareto`'s outputs (src/cli/commands/demo_pareto.ts): the text report, the SVG plot read
// back from its ticks, the Pareto front and the accuracy at equal mean channel uses against hand values,
// one small run of runParetoDemo writing pareto.json and pareto.svg, and `wmoe demo --pareto` end to end.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { accuracyAtUses, checkParetoFlags, equalUses, paretoFront, paretoReport, paretoSvg, runParetoDemo } from '../../src/cli/commands/demo_pareto.js';
import { DEFAULT_PARETO_LAMBDAS, type ParetoRow } from '../../src/train/pareto.js';
import { linearX, linearY, readChart } from '../helpers/svg_read.js';
import { expectOneLineError, runCli, tempDir, TINY_TRAIN } from '../helpers/cli.js';
import { tf, wmoe } from '../helpers/tf.js';
import { loadMnist } from '../../src/data/mnist.js';
import { head, subset } from '../../src/data/dataset.js';
import { DistributedMoE } from '../../src/moe/model.js';
import { DEFAULT_TRAIN_CONFIG, resolveTrainConfig } from '../../src/train/config.js';
import { moeConfigOf } from '../../src/train/train.js';
import { trainStage1 } from '../../src/train/stage1.js';
import { extractFeatures } from '../../src/train/features.js';

const row = (link: string, lambda: number, gate: ParetoRow['gate'], accuracy: number, mean: number, p95 = mean): ParetoRow => ({ link, lambda, gate, accuracy, channelUses: { mean, p95 } });

/** A synthetic sweep: analog one point per gate; adaptive moving left (and up, then down) as λ grows. */
const ROWS: ParetoRow[] = [
  ...[0, 0.1, 1].flatMap((l) => [row('analog', l, 'naive', 0.8, 400), row('analog', l, 'channel-aware', 0.85, 400)]),
  row('adaptive digital', 0, 'naive', 0.7, 900, 1600),
  row('adaptive digital', 0.1, 'naive', 0.7, 900, 1600),
  row('adaptive digital', 1, 'naive', 0.7, 900, 1600),
  row('adaptive digital', 0, 'channel-aware', 0.9, 1000, 1944),
  row('adaptive digital', 0.1, 'channel-aware', 0.88, 600, 1296),
  row('adaptive digital', 1, 'channel-aware', 0.8, 300, 648),
];

describe('Pareto front and accuracy at equal channel uses', () => {
  it('keeps the points no other beats, by increasing uses', () => {
    const front = paretoFront([
      { uses: 500, accuracy: 0.7 },
      { uses: 300, accuracy: 0.8 },
      { uses: 300, accuracy: 0.75 }, // same uses, lower: beaten
      { uses: 600, accuracy: 0.8 }, // more uses, same accuracy: beaten
      { uses: 900, accuracy: 0.9 },
    ]);
    expect(front).toEqual([{ uses: 300, accuracy: 0.8 }, { uses: 900, accuracy: 0.9 }]);
  });

  it('interpolates linearly inside the front and gives null outside', () => {
    const front = [{ uses: 300, accuracy: 0.8 }, { uses: 600, accuracy: 0.88 }, { uses: 1000, accuracy: 0.9 }];
    expect(accuracyAtUses(front, 400)).toBeCloseTo(0.8 + (100 / 300) * 0.08, 12); // 0.826667
    expect(accuracyAtUses(front, 600)).toBe(0.88);
    expect(accuracyAtUses(front, 1000)).toBe(0.9);
    expect(accuracyAtUses(front, 800)).toBeCloseTo(0.89, 12);
    expect(accuracyAtUses(front, 299)).toBeNull();
    expect(accuracyAtUses(front, 1001)).toBeNull();
    expect(accuracyAtUses([{ uses: 5, accuracy: 0.5 }], 5)).toBe(0.5);
  });

  it('compares each link with analog at analog\'s channel uses, gate by gate', () => {
    expect(equalUses(ROWS)).toEqual([
      // The naive adaptive curve is one point at 900 uses: 400 lies outside it, and 900 outside analog's.
      { gate: 'naive', at: 'reference', uses: 400, reference: 'analog', referenceAccuracy: 0.8, link: 'adaptive digital', accuracy: null, range: [900, 900] },
      { gate: 'naive', at: 'link', uses: 900, reference: 'analog', referenceAccuracy: null, link: 'adaptive digital', accuracy: 0.7, range: [400, 400] },
      // Channel-aware front 300 → 0.8, 600 → 0.88, 1000 → 0.9: at 400, 0.8 + 0.08/3.
      { gate: 'channel-aware', at: 'reference', uses: 400, reference: 'analog', referenceAccuracy: 0.85, link: 'adaptive digital', accuracy: expect.closeTo(0.8266667, 6), range: [300, 1000] },
      ...[[300, 0.8], [600, 0.88], [1000, 0.9]].map(([uses, accuracy]) => (
        { gate: 'channel-aware', at: 'link', uses, reference: 'analog', referenceAccuracy: null, link: 'adaptive digital', accuracy, range: [400, 400] })),
    ]);
    // With repetitions the analog family spans 400…1600 (×4: 0.9 at 1600): adaptive's 600 and 1000 fall inside.
    const family = equalUses([...ROWS, row('analog ×4', 0, 'channel-aware', 0.9, 1600)]).filter((e) => e.gate === 'channel-aware' && e.at === 'link');
    expect(family.map((e) => [e.uses, e.referenceAccuracy])).toEqual([[300, null], [600, expect.closeTo(0.85 + 0.05 * (200 / 1200), 9)], [1000, expect.closeTo(0.875, 9)]]);
    expect(equalUses(ROWS, 'no such link')).toEqual([]);
  });
});

describe('paretoReport', () => {
  it('lists every row and the equal-uses comparison', () => {
    const text = paretoReport(ROWS);
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^link\s+gate\s+λ\s+accuracy\s+uses\/sample\s+p95$/);
    expect(lines.filter((l) => l.startsWith('adaptive digital'))).toHaveLength(6);
    expect(text).toMatch(/adaptive digital\s+channel-aware\s+1\s+80\.00%\s+300\s+648/);
    expect(text).toMatch(/Accuracy at equal mean channel uses per sample/);
    expect(text).toMatch(/channel-aware\s+adaptive digital\s+400\s+85\.00%\s+82\.67%/);
    expect(text).toMatch(/naive\s+adaptive digital\s+400\s+80\.00%\s+n\/a: 900 only/);
    // At adaptive's own points: its accuracy, and analog's (one point at 400 uses) outside.
    expect(text).toMatch(/channel-aware\s+adaptive digital\s+600\s+88\.00%\s+n\/a: 400 only/);
  });
});

describe('paretoSvg', () => {
  const svg = paretoSvg(ROWS);
  const chart = readChart(svg);

  it('has labelled axes, one series per (link, gate), naive dashed', () => {
    expect(svg).toContain('mean channel uses per sample');
    expect(svg).toContain('test accuracy');
    expect(chart.series.map((s) => [s.name, s.dashed])).toEqual([
      ['analog, naive', true],
      ['analog, channel-aware', false],
      ['adaptive digital, naive', true],
      ['adaptive digital, channel-aware', false],
    ]);
    expect(chart.legend).toHaveLength(4);
  });

  it('draws each curve\'s points at their data values, in λ order', () => {
    const aware = chart.series.find((s) => s.name === 'adaptive digital, channel-aware')!;
    const expected = [[1000, 0.9], [600, 0.88], [300, 0.8]]; // λ = 0, 0.1, 1
    expect(aware.points).toHaveLength(3);
    aware.points.forEach((p, i) => {
      expect(p.x).toBeCloseTo(linearX(chart.xTicks, expected[i][0]), 0);
      expect(p.y).toBeCloseTo(linearY(chart.yTicks, expected[i][1]), 0);
    });
    // The path joins them in the same order.
    const path = /data-name="adaptive digital, channel-aware">\s*<path d="([^"]+)"/.exec(svg)![1];
    const xs = [...path.matchAll(/[ML]([\d.]+),/g)].map((m) => Number(m[1]));
    expect(xs).toEqual(aware.points.map((p) => p.x));
  });
});

describe('demo --pareto flags', () => {
  it('refuses the flags that pick links or λ, one line naming the value', () => {
    expect(() => checkParetoFlags({ bits: '4', channel: 'rician:3', seed: '2' })).not.toThrow();
    expect(() => checkParetoFlags({ 'channel-use-weight': '0.1' })).toThrow(/^--pareto takes no --channel-use-weight \(got '0\.1'\): it sweeps λ itself$/);
    expect(() => checkParetoFlags({ mcs: 'adaptive' })).toThrow(/--pareto takes no --mcs \(got 'adaptive'\)/);
    expect(() => checkParetoFlags({ 'digital-codes': '80211n:648:1/2' })).toThrow(/--digital-codes/);
    expect(() => checkParetoFlags({ geometry: '1,2,3,4' })).toThrow(/--snr-range/);
  });
});

describe('runParetoDemo', () => {
  it('writes pareto.json and pareto.svg from a tiny model and prints the report', async () => {
    await wmoe();
    await tf.setBackend('wmoe');
    const cfg = resolveTrainConfig({ ...DEFAULT_TRAIN_CONFIG, inputShape: [32, 32, 1], classes: 10, stage1Epochs: 1, stage2Epochs: 1, batchSize: 64 });
    const data = await loadMnist();
    const model = new DistributedMoE(moeConfigOf(cfg), cfg.seed);
    trainStage1(model, head(data.train, 256), head(data.test, 64), cfg);
    const features = {
      train: extractFeatures(model, head(data.train, 192)),
      validation: extractFeatures(model, subset(data.test, Array.from({ length: 32 }, (_, i) => 128 + i))),
      test: extractFeatures(model, head(data.test, 128)),
    };
    const out = mkdtempSync(join(tmpdir(), 'wmoe-pareto-'));
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      const rows = runParetoDemo({ model, features, cfg, out, lambdas: [0, 1] });
      const printed = write.mock.calls.map((c) => String(c[0])).join('');
      // Analog ×1, ×4, ×16 and the fixed MCS train at λ = 0 only (uniform costs); adaptive at each λ.
      expect(rows).toHaveLength(4 * 2 + 2 * 2);
      const json = JSON.parse(readFileSync(join(out, 'pareto.json'), 'utf8'));
      expect(json.settings.channel).toEqual({ channel: 'rayleigh' }); // the default without channel flags
      expect(json.rows).toEqual(rows);
      expect(json.equalUses).toEqual(equalUses(rows));
      expect(printed).toContain(paretoReport(rows));
      const chart = readChart(readFileSync(join(out, 'pareto.svg'), 'utf8'));
      expect(chart.series.map((s) => s.name)).toEqual(['analog', 'analog ×4', 'analog ×16', 'digital 80211n:1944:3', 'adaptive digital'].flatMap((l) => [`${l}, naive`, `${l}, channel-aware`]));
    } finally {
      write.mockRestore();
      rmSync(out, { recursive: true, force: true });
      model.dispose();
    }
  }, 120_000);
});

describe('wmoe demo --pareto (built CLI)', () => {
  it('sweeps every λ over the adaptive link (λ = 0 over the others) and writes the table, pareto.json and pareto.svg', () => {
    const out = join(tempDir(), 'pareto');
    const r = runCli(['demo', '--pareto', ...TINY_TRAIN, '--quiet', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const { settings, rows, equalUses: equal } = JSON.parse(readFileSync(join(out, 'pareto.json'), 'utf8'));
    expect(settings.channel).toEqual({ channel: 'rayleigh' });
    expect(settings.lambdas).toEqual(DEFAULT_PARETO_LAMBDAS);
    expect(rows).toHaveLength(4 * 2 + DEFAULT_PARETO_LAMBDAS.length * 2);
    expect(equal).toEqual(equalUses(rows));
    expect(r.stdout).toContain(paretoReport(rows));
    expect(readChart(readFileSync(join(out, 'pareto.svg'), 'utf8')).series).toHaveLength(10);
    expect(existsSync(join(out, 'comparison.json'))).toBe(false); // the sweep replaces the comparison
  }, 480_000);

  it('a channel flag replaces the default Rayleigh channel', () => {
    const out = join(tempDir(), 'pareto');
    const r = runCli(['demo', '--pareto', ...TINY_TRAIN, '--train-samples', '96', '--test-samples', '32', '--channel', 'rician:6', '--quiet', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(out, 'pareto.json'), 'utf8')).settings.channel).toEqual({ channel: 'rician:6' });
  }, 480_000);

  it('bad input: one line naming the flag, nothing written', () => {
    const out = join(tempDir(), 'pareto');
    expectOneLineError(runCli(['demo', '--pareto', '--channel-use-weight', '0.1', '--out', out]), "--pareto takes no --channel-use-weight (got '0.1'): it sweeps λ itself");
    expectOneLineError(runCli(['demo', '--pareto', '--mcs', 'adaptive', '--out', out]), "--pareto takes no --mcs (got 'adaptive'): it sets its own links");
    expect(existsSync(out)).toBe(false);
  });

  it('--help describes --pareto', () => {
    const help = runCli(['--help']).stdout.replace(/\s+/g, ' ');
    expect(help).toContain(`--pareto: instead, retrain stage 2 for each channel-use weight λ in ${DEFAULT_PARETO_LAMBDAS.join(', ')}`);
    expect(help).toContain('Channel rayleigh unless a channel flag is given');
  });
});
