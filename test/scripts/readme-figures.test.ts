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
