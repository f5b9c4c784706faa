// The package as a dependency: `npm pack` it (from the built dist/; `npm test` builds first),
// `npm install` the tarball into a fresh project in a temporary directory, and use it there as an
// application would: from an ES module and from a CommonJS script, each running init(), an LDPC
// encode and decode, and a DistributedMoE forward pass; and type-check a TypeScript file against
// the installed package's declarations, with the project's pinned TypeScript and with the latest
// (the devDependency `typescript-latest`), with and without skipLibCheck. npm reads the packages
// from its cache when it can (--prefer-offline); the registry is only asked for what the cache lacks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TFJS_VERSION = JSON.parse(readFileSync(join(ROOT, 'node_modules/@tensorflow/tfjs-core/package.json'), 'utf8')).version as string;
const PKG = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };

/**
 * The consumer's program, as ESM or CJS: prints one JSON line. Everything it computes is seeded
 * or fixed, so both module formats must print the same bytes.
 */
function program(format: 'esm' | 'cjs'): string {
  const imports =
    format === 'esm'
      ? `import { init, tf, BACKEND_NAME, DistributedMoE, analogLink, awgnLinkBatch } from 'wireless-moe';
import { ldpcCode } from 'wireless-moe/codes';
import * as core from '@tensorflow/tfjs-core';`
      : `const { init, tf, BACKEND_NAME, DistributedMoE, analogLink, awgnLinkBatch } = require('wireless-moe');
const { ldpcCode } = require('wireless-moe/codes');
const core = require('@tensorflow/tfjs-core');`;
  return `${imports}
// Fixed pseudo-random numbers in [0, 1) (an LCG), so that nothing depends on the module format.
let s = 12345;
const next = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296);
(async () => {
  const backend = await init();
  const code = ldpcCode('80211n:648:1/2');
  const info = Uint8Array.from({ length: code.k }, () => (next() < 0.5 ? 1 : 0));
  const cw = code.encode(info);
  // LLRs of a clean channel (+4 for a 0, -4 for a 1), with 12 weak wrong-sign values.
  const llr = Float32Array.from(cw, (b) => (b ? -4 : 4));
  for (let i = 0; i < 12; i++) { const j = Math.floor(next() * code.n); llr[j] = cw[j] ? 1 : -1; }
  const dec = code.decode(llr);
  const model = new DistributedMoE({ model: 'lenet5', dataset: 'mnist', inputShape: [32, 32, 1], classes: 10, experts: 4, topK: 2, snrRange: [-10, 20] }, 7);
  const images = tf.tensor4d(Float32Array.from({ length: 2 * 32 * 32 }, next), [2, 32, 32, 1]);
  const out = model.route(model.features(images), {
    gate: 'channel-aware', link: analogLink, batch: awgnLinkBatch([20, 20, -10, 20, 0, 10, 20, 30], 2, 4, 5),
  });
  console.log(JSON.stringify({
    backend: tf.getBackend(),
    simd: backend.nn.simd,
    backendName: BACKEND_NAME,
    consumerTfBackend: core.getBackend(),
    code: { n: code.n, k: code.k, codewordBits: cw.length, flippedHardDecisions: Array.from(llr).filter((v, i) => (v < 0) !== (cw[i] === 1)).length,
            converged: dec.converged, infoErrors: info.reduce((a, b, i) => a + (b !== dec.bits[i] ? 1 : 0), 0) },
    probs: Array.from(out.probs.dataSync()),
    mask: Array.from(out.mask.dataSync()),
  }));
})().catch((e) => { console.error(e); process.exit(1); });
`;
}

const TYPED = `import { init, tf, DistributedMoE, analogLink, awgnLinkBatch, type MoeConfig } from 'wireless-moe';
import { ldpcCode, type LdpcCode } from 'wireless-moe/codes';
import { loadMnist, loadCheckpoint } from 'wireless-moe/node';
const config: MoeConfig = { model: 'lenet5', dataset: 'mnist', inputShape: [32, 32, 1], classes: 10, experts: 4, topK: 2, snrRange: [-10, 20] };
export async function main(): Promise<number> {
  const simd: 'plain' | 'relaxed' | undefined = (await init({ simd: 'plain' })).nn.simd;
  const code: LdpcCode = ldpcCode('80211n:648:1/2');
  const model = new DistributedMoE(config, 1);
  const x: tf.Tensor4D = tf.zeros([1, 32, 32, 1]);
  const out = model.route(model.features(x), { gate: 'naive', link: analogLink, batch: awgnLinkBatch([1, 2, 3, 4], 1, 4, 1) });
  void loadMnist; void loadCheckpoint;
  return code.k + out.probs.shape[1] + (simd === 'plain' ? 0 : 1);
}
`;

const run = (cmd: string, args: string[], cwd: string) =>
  execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });

let dir: string;
let project: string;
/** What npm printed (warnings included) while installing the tarball. */
let installLog: string;

beforeAll(() => {
  if (!existsSync(join(ROOT, 'dist', 'index.mjs'))) throw new Error('dist/ is missing: run `npm run build` first (`npm test` does)');
  dir = mkdtempSync(join(tmpdir(), 'wmoe-consumer-'));
  // --ignore-scripts: pack the dist/ that is there (prepack would rebuild it).
  const packed = JSON.parse(run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], ROOT)) as { filename: string }[];
  const tarball = join(dir, packed[0].filename);
  project = join(dir, 'app');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'wmoe-consumer', version: '1.0.0', private: true }, null, 2));
  const install = spawnSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=warn', tarball, `@tensorflow/tfjs-core@${TFJS_VERSION}`], {
    cwd: project, encoding: 'utf8', timeout: 120_000,
  });
  if (install.status !== 0) throw new Error(`npm install failed:\n${install.stdout}${install.stderr}`);
  installLog = `${install.stdout}${install.stderr}`;
  writeFileSync(join(project, 'esm.mjs'), program('esm'));
  writeFileSync(join(project, 'cjs.cjs'), program('cjs'));
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** tsc's diagnostics (empty when it passes) for typed.ts with one compiler, with or without skipLibCheck. */
function typeCheck(tsc: string, skipLibCheck: boolean): string {
  writeFileSync(join(project, 'typed.ts'), TYPED);
  const args = ['--noEmit', '--strict', ...(skipLibCheck ? ['--skipLibCheck'] : []), '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', 'typed.ts'];
  try {
    run(process.execPath, [tsc, ...args], project);
    return '';
  } catch (e) {
    return `${(e as { stdout?: string }).stdout ?? ''}${(e as { stderr?: string }).stderr ?? ''}`;
  }
}
const compilers = [
  { name: 'pinned', dir: 'typescript' },
  { name: 'latest', dir: 'typescript-latest' },
].map((c) => ({ ...c, tsc: join(ROOT, 'node_modules', c.dir, 'bin/tsc'), version: JSON.parse(readFileSync(join(ROOT, 'node_modules', c.dir, 'package.json'), 'utf8')).version as string }));

describe('a consumer project that npm-installs the packed tarball', () => {
  let esm: string;

  it('installs the package (its dist, not the sources) with its dependencies and one tfjs-core', () => {
    const installed = JSON.parse(readFileSync(join(project, 'node_modules/wireless-moe/package.json'), 'utf8'));
    expect(installed.version).toBe(PKG.version);
    expect(existsSync(join(project, 'node_modules/wireless-moe/dist/index.mjs'))).toBe(true);
    expect(existsSync(join(project, 'node_modules/wireless-moe/dist/index.cjs'))).toBe(true);
    expect(existsSync(join(project, 'node_modules/wireless-moe/src'))).toBe(false);
    expect(existsSync(join(project, 'node_modules/@tensorflow/tfjs-backend-cpu'))).toBe(true);
    // The peer dependency is the application's: no nested copy under the package.
    expect(existsSync(join(project, 'node_modules/wireless-moe/node_modules/@tensorflow/tfjs-core'))).toBe(false);
  });

  it('installs without npm warning about the package\'s install scripts (it has none to run)', () => {
    expect(installLog).not.toMatch(/wireless-moe@[^\n]*\((?:preinstall|install|postinstall|prepare)\b/);
    expect(installLog).not.toMatch(/install-scripts/);
  });

  it('ESM: init(), an LDPC encode/decode and a DistributedMoE forward pass work', () => {
    esm = run(process.execPath, ['esm.mjs'], project);
    const r = JSON.parse(esm);
    expect(r.backend).toBe('wmoe');
    expect(r.backendName).toBe('wmoe');
    // The backend went into the application's own tfjs-core.
    expect(r.consumerTfBackend).toBe('wmoe');
    expect(r.code).toMatchObject({ n: 648, k: 324, codewordBits: 648, converged: true, infoErrors: 0 });
    expect(r.code.flippedHardDecisions).toBeGreaterThan(0);
    expect(r.probs).toHaveLength(2 * 10);
    for (let b = 0; b < 2; b++) {
      const row = r.probs.slice(b * 10, (b + 1) * 10) as number[];
      expect(row.every((p) => p >= 0 && p <= 1)).toBe(true);
      expect(row.reduce((a, p) => a + p, 0)).toBeCloseTo(1, 5);
      expect((r.mask as number[]).slice(b * 4, (b + 1) * 4).reduce((a, m) => a + m, 0)).toBe(2);
    }
  });

  it('CJS: require() gives the same results as ESM, bit for bit', () => {
    const cjs = run(process.execPath, ['cjs.cjs'], project);
    expect(cjs).toBe(esm ?? run(process.execPath, ['esm.mjs'], project));
  });

  it('init() loads the plain SIMD build on a stock Node 20 and the relaxed one where relaxed SIMD is on; ESM = CJS bit for bit in each', () => {
    const plain = JSON.parse(esm ?? run(process.execPath, ['esm.mjs'], project));
    expect(plain.simd).toBe(Number(process.versions.node.split('.')[0]) >= 22 ? 'relaxed' : 'plain');
    const flag = '--experimental-wasm-relaxed-simd';
    const relaxedEsm = run(process.execPath, [flag, 'esm.mjs'], project);
    expect(JSON.parse(relaxedEsm).simd).toBe('relaxed');
    expect(run(process.execPath, [flag, 'cjs.cjs'], project)).toBe(relaxedEsm);
  });

  it('TypeScript: the latest compiler under test is the registry\'s 6+ line (declarations lint stricter there)', () => {
    expect(Number(compilers[1].version.split('.')[0])).toBeGreaterThanOrEqual(6);
  });

  it.each(compilers)('TypeScript $name ($version), skipLibCheck: a consumer file type-checks against the installed declarations (main, codes and node entries)', ({ tsc }) => {
    expect(typeCheck(tsc, true)).toBe('');
  });

  it.each(compilers)('TypeScript $name ($version), skipLibCheck false: no error in the package\'s declarations or the consumer file', ({ name, tsc }) => {
    const lines = typeCheck(tsc, false).split('\n').filter((l) => /error TS\d+/.test(l));
    const ours = lines.filter((l) => l.includes('wireless-moe') || l.startsWith('typed.ts'));
    expect(ours).toEqual([]);
    if (name === 'pinned') {
      expect(lines).toEqual([]);
    } else {
      // tfjs-core 4.22's own declarations fail the latest compiler's lib check (the README says to
      // set skipLibCheck): its hash_util.d.ts names the global `Long` of @types/long, which
      // TypeScript >= 6 no longer loads unless listed in `types`, and @webgpu/types, which it
      // references, declares what lib.dom.d.ts now declares. Nothing else may fail.
      const theirs = lines.filter((l) => !/^node_modules\/(?:@tensorflow\/tfjs-core|@webgpu\/types)\/|\/lib\.dom\.d\.ts\(/.test(l));
      expect(theirs).toEqual([]);
    }
  });
});
