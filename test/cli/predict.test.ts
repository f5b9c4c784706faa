// `wmoe predict` through the built CLI: per-image table and JSON on a tiny LeNet-5 checkpoint, the
// accuracy `wmoe eval` reports on the same samples, IDX files (plain and gzipped) giving what the
// dataset gives, and one-line errors with nothing on stdout.
import { beforeAll, describe, expect, it } from 'vitest';
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expectOneLineError, runCli, tempDir, TINY_TRAIN } from '../helpers/cli.js';
import { cifarFileBytes, cifarPixels, writeIdx, writeIdxDataset } from '../helpers/datasets.js';
import { loadMnist } from '../../src/data/mnist.js';

const N = 24;

/** The first n MNIST test images as 28x28 bytes (the loader pads them to 32x32 by 2 pixels). */
async function mnistBytes(n: number): Promise<Uint8Array> {
  const test = (await loadMnist()).test;
  const out = new Uint8Array(n * 784);
  for (let i = 0; i < n; i++) for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) out[i * 784 + y * 28 + x] = test.pixels[i * 1024 + (y + 2) * 32 + x + 2];
  return out;
}

describe('wmoe predict', () => {
  let dir: string;
  let ckpt: string;
  const predictJson = (...args: string[]) => {
    const r = runCli(['predict', '--checkpoint', ckpt, '--quiet', '--json', '--threads', '1', ...args]);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout);
  };
  beforeAll(() => {
    dir = tempDir();
    ckpt = join(dir, 'ckpt');
    const r = runCli(['train', ...TINY_TRAIN, '--threads', '1', '--quiet', '--out', ckpt]);
    expect(r.code, r.stderr).toBe(0);
  });

  it('prints one row per image (class, probability, experts with weights), then accuracy and timing', () => {
    const r = runCli(['predict', '--checkpoint', ckpt, '--dataset', 'mnist', '--test-samples', '5', '--batch-size', '2', '--quiet', '--threads', '1']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^index\s+class\s+probability\s+experts \(weight\)$/);
    expect(lines).toHaveLength(2 + 5 + 1);
    for (const [i, row] of lines.slice(2, 7).entries()) expect(row).toMatch(new RegExp(`^\\s*${i}\\s+\\d\\s+[01]\\.\\d{4}\\s+\\d \\(0\\.\\d{3}\\), \\d \\(0\\.\\d{3}\\)$`));
    expect(lines[7]).toMatch(/^accuracy \d+\.\d\d% \(5 samples\); latency per batch of 2 median \d+\.\d{3} ms, \d+\.\d images\/s$/);
  });

  it('--json: per image class, probabilities, top-k experts and weights; the accuracy wmoe eval reports', () => {
    const report = predictJson('--dataset', 'mnist', '--test-samples', String(N), '--batch-size', '10');
    const ev = runCli(['eval', '--checkpoint', ckpt, '--link', 'perfect', '--test-samples', String(N), '--quiet', '--json', '--threads', '1']);
    expect(ev.code, ev.stderr).toBe(0);
    expect(report.accuracy).toBe(JSON.parse(ev.stdout).accuracy);
    expect(report).toMatchObject({ checkpoint: ckpt, dataset: 'mnist', gate: 'channel-aware', link: 'perfect', snr: 'perfect', batchSize: 10, samples: N });
    expect(report.timing.batches).toBe(3);
    expect(report.timing.latencyMsMedian).toBeGreaterThan(0);
    expect(report.timing.imagesPerSecond).toBeGreaterThan(0);
    expect(report.predictions).toHaveLength(N);
    const right = report.predictions.filter((p: { class: number; label: number }) => p.class === p.label).length;
    expect(right / N).toBe(report.accuracy);
    for (const p of report.predictions) {
      expect(p.probabilities).toHaveLength(10);
      expect(p.probability).toBe(Math.max(...p.probabilities));
      expect(p.probabilities[p.class]).toBe(p.probability);
      expect(p.experts).toHaveLength(2);
      expect(p.weights[0] + p.weights[1]).toBeCloseTo(1, 6);
    }
  });

  it('--input: an IDX images file (plain or gzipped) gives the predictions of the same images as a dataset (mnist-idx); no labels, no accuracy', async () => {
    const bytes = await mnistBytes(6);
    const plain = writeIdx(join(dir, 'six-idx3-ubyte'), [6, 28, 28], bytes);
    const gz = writeIdx(join(dir, 'six-idx3-ubyte.gz'), [6, 28, 28], bytes, { gzip: true });
    const idxDir = writeIdxDataset(join(dir, 'idx'), { train: { images: bytes, labels: new Uint8Array(6) }, test: { images: bytes, labels: new Uint8Array(6) } });
    const want = predictJson('--dataset', 'mnist-idx', '--data-dir', idxDir).predictions;
    for (const file of [plain, gz]) {
      const report = predictJson('--input', file);
      expect(report).toMatchObject({ input: file, format: 'idx', accuracy: null, samples: 6 });
      report.predictions.forEach((p: Record<string, unknown>, i: number) => {
        const { label: _label, ...same } = want[i];
        expect(p).toEqual(same);
      });
    }
  });

  it('bad input: one line naming the value, nothing on stdout', () => {
    const base = ['predict', '--checkpoint'];
    const idx = writeIdx(join(dir, 'two-idx3-ubyte'), [2, 28, 28], new Uint8Array(2 * 784));
    const labels = writeIdx(join(dir, 'labels-idx1-ubyte'), [100], new Uint8Array(100));
    const cut = join(dir, 'cut-idx3-ubyte');
    writeFileSync(cut, new Uint8Array(16 + 700).fill(0).map((v, i) => (i === 2 ? 8 : i === 3 ? 3 : i === 7 ? 1 : i === 11 || i === 15 ? 28 : v)));
    const cifar = join(dir, 'one.bin');
    writeFileSync(cifar, cifarFileBytes([{ label: 3, pixels: cifarPixels((c, y, x) => c + y + x) }]));
    const missing = join(dir, 'nothing-here');
    expectOneLineError(runCli(['predict', '--dataset', 'mnist']), '--checkpoint DIR is required');
    expectOneLineError(runCli([...base, missing, '--dataset', 'mnist']), `checkpoint directory '${missing}' does not exist`);
    expectOneLineError(runCli([...base, ckpt]), 'give either --input FILE or --dataset NAME (one of them)');
    expectOneLineError(runCli([...base, ckpt, '--input', idx, '--dataset', 'mnist']), 'give either --input FILE or --dataset NAME (one of them)');
    expectOneLineError(runCli([...base, ckpt, '--input', idx, '--test-samples', '3']), '--test-samples applies to --dataset, not --input');
    expectOneLineError(runCli([...base, ckpt, '--dataset', 'mnist', '--batch-size', '0']), "--batch-size '0' must be an integer in [1, 1024]");
    expectOneLineError(runCli([...base, ckpt, '--dataset', 'mnist', '--batch-size', 'x']), "--batch-size 'x' must be an integer in [1, 1024]");
    expectOneLineError(runCli([...base, ckpt, '--dataset', 'imagenet']), "unknown dataset 'imagenet' (known: mnist, fashion-mnist, mnist-idx, cifar10, cifar100)");
    expectOneLineError(runCli([...base, ckpt, '--input', missing]), `${missing} is missing`);
    expectOneLineError(runCli([...base, ckpt, '--input', labels]), `${labels} has magic number 0x00000801; expected 0x00000803 (IDX unsigned-byte images, 3-D)`);
    expectOneLineError(runCli([...base, ckpt, '--input', cut]), `${cut} has 716 bytes; expected 800 (16-byte header + 1x28x28 bytes)`);
    expectOneLineError(runCli([...base, ckpt, '--input', cifar]), `--input ${cifar} holds 32x32x3 images but checkpoint '${ckpt}' takes 32x32x1`);
    expectOneLineError(runCli([...base, ckpt, '--dataset', 'mnist', '--snr-db', '5']), '--snr-db does not apply to the perfect link (the default without --link): give --link analog or digital');
    expectOneLineError(runCli([...base, ckpt, '--dataset', 'mnist', '--bits', '4']), '--bits needs --link digital (without --link the link is perfect, the default)');
    expectOneLineError(runCli([...base, ckpt, '--dataset', 'mnist', '--link', 'analog', '--snr-db', '1,2,3']), "--snr-db '1,2,3' gives 3 SNRs but the model has K = 4 experts");
    const truncated = join(dir, 'truncated');
    cpSync(ckpt, truncated, { recursive: true });
    writeFileSync(join(truncated, 'weights.bin'), new Uint8Array(1000));
    expectOneLineError(runCli([...base, truncated, '--dataset', 'mnist']), /checkpoint '.*\/weights\.bin' has 1000 bytes but its config implies \d+ \(truncated\)/);
  });

  it('--link analog at given SNRs: reported, and the predictions follow the seed', () => {
    const a = predictJson('--dataset', 'mnist', '--test-samples', '8', '--link', 'analog', '--snr-db', '-5', '--seed', '3');
    const b = predictJson('--dataset', 'mnist', '--test-samples', '8', '--link', 'analog', '--snr-db', '-5', '--seed', '3');
    expect(a).toMatchObject({ link: 'analog', snr: '-5 dB', seed: 3 });
    expect(b.predictions).toEqual(a.predictions);
  });
});
