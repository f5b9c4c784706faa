// The README's measured figures are generated from the committed bench/results/*.json by
// scripts/readme-figures.mjs: a hand edit of a marked block, or a results file changed without
// `npm run figures`, fails here. Also checks what the results files must carry (the kernel
// bench's tfjs-backend-wasm peer labels) against tfjs-backend-wasm's own binary.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
// @ts-expect-error: plain ESM script without type declarations
import { BLOCK_NAMES, applyBlocks, formatTable as generatorTable, readBlocks, renderBlocks } from '../../scripts/readme-figures.mjs';
import { formatTable as cliTable } from '../../src/cli/table.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const results = (name: string) => JSON.parse(readFileSync(join(ROOT, 'bench', 'results', `${name}.json`), 'utf8'));

describe('README figures', () => {
  it('has every generated block exactly once, inside "Measured figures"', () => {
    const section = readme.indexOf('## Measured figures');
    expect(section).toBeGreaterThan(0);
    for (const name of BLOCK_NAMES) {
      const open = `<!-- figures:${name} -->`;
      expect(readme.split(open).length - 1, name).toBe(1);
      expect(readme.indexOf(open), name).toBeGreaterThan(section);
      expect(readme.split(`<!-- /figures:${name} -->`).length - 1, name).toBe(1);
    }
  });

  it('matches what scripts/readme-figures.mjs writes from bench/results/*.json (run npm run figures)', () => {
    const want = renderBlocks(ROOT) as Record<string, string>;
    const have = readBlocks(readme) as Record<string, string>;
    for (const name of BLOCK_NAMES) expect(have[name], `block ${name}`).toBe(want[name].trim());
    expect(applyBlocks(readme, want)).toBe(readme);
  });

  it('catches a hand edit and repairs it', () => {
    const blocks = readBlocks(readme) as Record<string, string>;
    const edited = readme.replace(blocks.ldpc, blocks.ldpc.replace(/(\d+)\.(\d)/, (_m: string, a: string, b: string) => `${Number(a) + 1}.${b}`));
    expect(edited).not.toBe(readme);
    const editedBlocks = readBlocks(edited) as Record<string, string>;
    expect(editedBlocks.ldpc).not.toBe((renderBlocks(ROOT) as Record<string, string>).ldpc);
    expect(applyBlocks(edited, renderBlocks(ROOT))).toBe(readme);
  });

  it('says which bench to run when a results file is missing, and fails on a README without markers', () => {
    const root = mkdtempSync(join(tmpdir(), 'wmoe-figures-'));
    mkdirSync(join(root, 'bench', 'results'), { recursive: true });
    writeFileSync(join(root, 'bench', 'results', 'train-step.json'), JSON.stringify(results('train-step')));
    const blocks = renderBlocks(root) as Record<string, string>;
    expect(blocks['main-job']).toContain('node bench/main-job.mjs');
    expect(blocks['train-step']).toContain(`${results('train-step').wmoeMsMedian.toFixed(1)} ms`);
    expect(() => applyBlocks('# no markers\n', blocks)).toThrow(/figures:main-job/);
  });

  it("formats tables like the CLI's formatTable (the main-job table is the one npm start prints)", () => {
    const header = ['condition', 'link', 'naive', 'channel-aware', 'gain'];
    const rows = [['perfect links', 'perfect', '97.60%', '97.60%', '+0.00'], ['one bad link', 'digital 80211n:648:1/2', '79.17%', '97.41%', '+18.24']];
    const cli = cliTable(header, rows, 2).trimEnd().split('\n').map((l) => l.trimEnd()).join('\n');
    expect(generatorTable(header, rows, 2)).toBe(cli);
  });
});

describe('main-job results', () => {
  it('carry the comparison npm start prints, with its config, test samples, seed, wall time and load', () => {
    const r = results('main-job');
    expect(r.rows.length).toBeGreaterThan(0);
    expect(r.rows[0]).toMatchObject({ condition: 'perfect links', link: 'perfect' });
    for (const row of r.rows) expect(row.gain).toBeCloseTo(row.channelAware - row.naive, 12);
    expect(r.seed).toBe(r.config.seed);
    expect(r.testSamples).toBeGreaterThan(0);
    expect(r.wallSeconds).toBeGreaterThan(0);
    expect(r.loadavg.before).toHaveLength(3);
    expect(r.demoArgs).toEqual([]);
  });
});

describe('kernel bench results', () => {
  const kernels = results('kernels');

  it('label every tfjs-backend-wasm row as XNNPACK or a reference loop', () => {
    for (const row of kernels.rows) {
      const label = `${row.op} ${row.shape}`;
      if (row.wasm === 'n/a') expect(row.peerKind, label).toBeNull();
      else expect(['xnnpack', 'reference'], label).toContain(row.peerKind);
      // Conv2DBackpropInput and transposed BatchMatMul are plain C++ loops in tfjs-backend-wasm.
      const reference = row.op === 'Conv2DBackpropInput' || /\^T/.test(row.op) || /\^T/.test(row.shape);
      if (row.op !== 'Conv2DBackpropFilter') expect(row.peerKind, label).toBe(reference ? 'reference' : 'xnnpack');
    }
  });

  it('time tfjs-backend-cpu over at least 3 calls wherever it ran', () => {
    for (const row of kernels.rows) {
      if (typeof row.cpu === 'number') expect(row.cpuReps, `${row.op} ${row.shape}`).toBeGreaterThanOrEqual(3);
    }
  });

  it("agree with tfjs-backend-wasm's binary: XNNPACK convolution and fully-connected ops, no deconvolution", () => {
    const require = createRequire(import.meta.url);
    const dir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm'));
    const binary = readFileSync(join(dir, 'tfjs-backend-wasm-simd.wasm')).toString('latin1');
    expect(require('@tensorflow/tfjs-backend-wasm/package.json').version).toBe(kernels.tfjsBackendWasmVersion);
    expect(binary).toContain('xnn_create_convolution2d_nhwc_f32'); // Conv2D: 'xnnpack'
    expect(binary).toContain('xnn_create_fully_connected_nc_f32'); // untransposed MatMul: 'xnnpack'
    expect(binary).not.toMatch(/deconvolution/i); // so Conv2DBackpropInput is no XNNPACK op: 'reference'
  });
});

describe('verdicts in the README are recomputed from the stored values, never from a stored flag', () => {
  const OPENBLAS = ['/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3', '/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblasp-r0.3.21.so'];
  /** The blocks rendered from a temp root holding `name`.json = `result`. */
  const render = (name: string, result: unknown) => {
    const root = mkdtempSync(join(tmpdir(), 'wmoe-verdicts-'));
    mkdirSync(join(root, 'bench', 'results'), { recursive: true });
    writeFileSync(join(root, 'bench', 'results', `${name}.json`), JSON.stringify(result));
    return (renderBlocks(root) as Record<string, string>)[name].replace(/\s+/g, ' ');
  };
  type Row = { model: string; batch: number; peer: string; threads: number; msMedian: number; imagesPerSec: number; blas?: unknown };
  /** The committed train-step result with the PyTorch peer on OpenBLAS and LeNet-5 batch-64 times set. */
  const trainStep = (ms: { wmoe1: number; wmoe2: number; torch1: number; torch2: number }) => {
    const r = structuredClone(results('train-step'));
    r.pytorch.blas = OPENBLAS;
    const set: Record<string, number> = { 'wmoe 1': ms.wmoe1, 'wmoe 2': ms.wmoe2, 'pytorch-cpu 1': ms.torch1, 'pytorch-cpu 2': ms.torch2 };
    r.rows = r.rows.map((x: Row) => {
      const m = x.model === 'lenet5' && x.batch === 64 ? set[`${x.peer} ${x.threads}`] : undefined;
      return m === undefined ? x : { ...x, msMedian: m, imagesPerSec: (x.batch / m) * 1e3 };
    });
    return r;
  };

  it('says MISSED where the stored check says pass: true but the value is below the target', () => {
    const r = trainStep({ wmoe1: 40, wmoe2: 20, torch1: 20, torch2: 15 });
    r.checks = r.checks.map((c: object) => ({ ...c, pass: true }));
    const text = render('train-step', r);
    expect(text).toContain('wmoe >= PyTorch CPU at 1 thread: MISSED (0.50×)');
    expect(text).toContain('wmoe >= PyTorch CPU at 2 threads: MISSED (0.75×)');
  });

  it("says INVALID, not met, when both 2-thread rows ran slower than their 1-thread rows (the issue's 1.87×)", () => {
    const text = render('train-step', trainStep({ wmoe1: 13.9, wmoe2: 18.1, torch1: 30.2, torch2: 33.8 }));
    expect(text).not.toMatch(/LeNet-5 step batch 64: wmoe >= PyTorch CPU at 2 threads: met/);
    expect(text).toMatch(/wmoe >= PyTorch CPU at 2 threads: INVALID, not judged: wmoe LeNet-5 batch 64: 2 threads \(18\.1 ms\) slower than 1 thread/);
    expect(text).toContain('wmoe >= PyTorch CPU at 1 thread: met (2.17×)');
    // nor is the 2-thread ratio quoted in the table
    const table = text.split('```')[1];
    expect(table).toMatch(/LeNet-5 64 wmoe 1 .* 2\.17× /);
    expect(table).toMatch(/LeNet-5 64 wmoe 2 .* invalid slower than 1T/);
    expect(table).not.toContain('1.87×');
  });

  it('quotes no PyTorch figure on the reference BLAS as the peer', () => {
    const r = results('train-step');
    expect(r.pytorch.blasKind).toBe('openblas'); // the committed results: the peer
    // The same results as if PyTorch had loaded Debian's reference BLAS.
    const REFERENCE = ['/usr/lib/x86_64-linux-gnu/blas/libblas.so.3.11.0'];
    const onReference = {
      ...r,
      pytorch: { ...r.pytorch, blas: REFERENCE, blasKind: 'reference', optimised: false },
      rows: r.rows.map((x: { peer: string }) => (x.peer === 'pytorch-cpu' ? { ...x, blas: REFERENCE, blasKind: 'reference' } : x)),
    };
    const text = render('train-step', onReference);
    expect(text).toContain('These PyTorch figures are not the PyTorch peer');
    expect(text).toContain('apt-get install python3-torch libopenblas0-pthread');
    expect(text).not.toMatch(/PyTorch CPU at \d threads?: (met|MISSED)/);
    const table = text.split('```')[1];
    for (const line of table.split('\n').filter((l) => / wmoe /.test(l))) expect(line, line).not.toMatch(/×/);
    expect(table).toContain('pytorch, reference BLAS');
    // On OpenBLAS the same rows are the peer, and the ratios appear.
    const ok = render('train-step', r);
    expect(ok).not.toContain('not the PyTorch peer');
    const row = (peer: string) => r.rows.find((x: { model: string; batch: number; peer: string; threads: number }) => x.model === 'lenet5' && x.batch === 64 && x.peer === peer && x.threads === 1);
    const ratio = (row('pytorch-cpu').msMedian / row('wmoe').msMedian).toFixed(2);
    expect(ok).toMatch(new RegExp(`LeNet-5 +64 +wmoe +1 .* ${ratio.replace('.', '\\.')}×`));
  });

  it('judges the thread-scaling target from ms1/ms2, not the stored pass flag', () => {
    const r = structuredClone(results('threads'));
    r.resnetStep = { ...r.resnetStep, ms2: r.resnetStep.ms1 / 1.5, scaling: 1.5, pass: true };
    expect(render('threads', r)).toMatch(/1\.50× ≥ 1\.7×: MISSED/);
  });

  it('counts kernel targets from value and threshold, not the stored pass flag', () => {
    const r = structuredClone(results('kernels'));
    // checks[0] (Conv2D LeNet c1 >= 0.8x wasm) is met in the stored run; a value of 0.5 misses it, flag or not.
    expect(r.checks[0].value).toBeGreaterThanOrEqual(0.8);
    const metBefore = Number(/Targets: (\d+) of/.exec(render('kernels', r))![1]);
    r.checks[0] = { ...r.checks[0], value: 0.5, pass: true };
    const text = render('kernels', r);
    expect(text).toContain(`Targets: ${metBefore - 1} of ${r.checks.length} met`);
    expect(text).toMatch(/Missed: Conv2D n64 LeNet c1 5x5 1→6 32x32 \(0\.50\)/);
  });

  it('recomputes FER agreement with IT++ from the stored intervals, not the stored flags', () => {
    const r = structuredClone(results('itpp'));
    const x = r.rows[0];
    r.rows[0] = { ...x, ours: { ...x.ours, fer: 0.5, ferCi95: [0.45, 0.55] }, intervalsOverlap: true, ratioWithinTolerance: true, agree: true };
    r.allAgree = true;
    const text = render('itpp', r);
    expect(text).toContain('SOME POINT DISAGREES');
    expect(text).toMatch(/ NO /);
  });
});
