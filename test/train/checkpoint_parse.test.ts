// parseCheckpoint: the file-system-free checkpoint parser that browsers use (the demo page
// fetches config.json and weights.bin) and that Node's loadCheckpoint delegates to.
import { describe, expect, it, beforeAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { tf, wmoe } from '../helpers/tf.js';
import { tempDir } from '../helpers/cli.js';
import { expectInputError } from '../helpers/errors.js';
import { InputError } from '../../src/errors.js';
import { DistributedMoE } from '../../src/moe/model.js';
import { writeRunDirectory, loadCheckpoint } from '../../src/train/checkpoint.js';
import { fnv1a, parseCheckpoint } from '../../src/train/checkpoint_parse.js';
import type { MoeConfig } from '../../src/moe/config.js';

const MOE: MoeConfig = { model: 'lenet5', dataset: 'mnist', inputShape: [32, 32, 1], classes: 10, experts: 2, topK: 1, snrRange: [-10, 20] };
const SOURCE = { config: 'ckpt/config.json', weights: 'ckpt/weights.bin' };

/** `f` throws an InputError whose one-line message matches `pattern`. */
function expectInputErrorMatching(f: () => unknown, pattern: RegExp): void {
  let caught: unknown;
  try {
    f();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(InputError);
  expect((caught as Error).message).toMatch(pattern);
  expect((caught as Error).message).not.toContain('\n');
}

let text: string;
let bytes: Uint8Array;
let flat: Float32Array;

beforeAll(async () => {
  await wmoe();
  await tf.setBackend('wmoe');
  const model = new DistributedMoE(MOE, 5);
  const dir = join(tempDir(), 'ckpt');
  writeRunDirectory(dir, model, { stage2Link: { kind: 'analog' }, note: 'x' }, {});
  flat = model.params.toFlat().slice();
  model.dispose();
  text = readFileSync(join(dir, 'config.json'), 'utf8');
  bytes = new Uint8Array(readFileSync(join(dir, 'weights.bin')));
});

describe('parseCheckpoint', () => {
  it('rebuilds the written model from the two files’ contents, as loadCheckpoint does', () => {
    const { model, meta, stage2Link } = parseCheckpoint(text, bytes, SOURCE);
    expect(model.config).toEqual(MOE);
    expect(model.params.toFlat()).toEqual(flat);
    expect(meta).toEqual({ stage2Link: { kind: 'analog' }, note: 'x' });
    expect(stage2Link).toEqual({ kind: 'analog' });
    model.dispose();
  });

  it('reads weights at any offset of a larger buffer (a fetched ArrayBuffer slice, a Node Buffer)', () => {
    const padded = new Uint8Array(bytes.length + 3);
    padded.set(bytes, 3);
    const { model } = parseCheckpoint(text, padded.subarray(3), SOURCE);
    expect(model.params.toFlat()).toEqual(flat);
    model.dispose();
  });

  it('hashes with 32-bit FNV-1a (reference values of the empty string and "a")', () => {
    expect(fnv1a(new Uint8Array(0))).toBe('811c9dc5');
    expect(fnv1a(new TextEncoder().encode('a'))).toBe('e40c292c');
    expect(fnv1a(new TextEncoder().encode('foobar'))).toBe('bf9cf968');
  });

  it('names the given sources in one-line InputErrors', () => {
    const file = JSON.parse(text);
    const edit = (patch: object) => JSON.stringify({ ...file, ...patch });
    expectInputErrorMatching(() => parseCheckpoint('{', bytes, SOURCE), /^checkpoint 'ckpt\/config.json' is not valid JSON: .*/);
    expectInputError(() => parseCheckpoint('[]', bytes, SOURCE), "checkpoint 'ckpt/config.json' is not a JSON object");
    expectInputError(
      () => parseCheckpoint(edit({ format: 'x@2' }), bytes, SOURCE),
      "checkpoint 'ckpt/config.json' has format 'x@2', expected 'wireless-moe/checkpoint@1'",
    );
    const need = bytes.length;
    expectInputError(
      () => parseCheckpoint(text, bytes.subarray(0, need - 4), SOURCE),
      `checkpoint 'ckpt/weights.bin' has ${need - 4} bytes but its config implies ${need} (truncated)`,
    );
    const corrupt = bytes.slice();
    corrupt[17] ^= 1;
    expectInputError(
      () => parseCheckpoint(text, corrupt, SOURCE),
      `checkpoint 'ckpt/weights.bin' is corrupt: FNV-1a ${fnv1a(corrupt)}, config.json says ${file.weightsFnv1a}`,
    );
    const params = file.params.slice();
    params[0] = { ...params[0], shape: [1, 2] };
    expectInputErrorMatching(() => parseCheckpoint(edit({ params }), bytes, SOURCE), /^checkpoint 'ckpt\/config.json': parameter 0 is '.*' \[1,2\] but the config implies .*/);
  });

  it('gives loadCheckpoint the same model (it delegates)', () => {
    const dir = join(tempDir(), 'ckpt');
    const model = new DistributedMoE(MOE, 5);
    writeRunDirectory(dir, model, {}, {});
    model.dispose();
    const loaded = loadCheckpoint(dir).model;
    expect(loaded.params.toFlat()).toEqual(flat);
    loaded.dispose();
  });

  it('bundles for browsers with no node: module', async () => {
    const out = await build({
      entryPoints: [fileURLToPath(new URL('../../src/train/checkpoint_parse.ts', import.meta.url))],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(out.metafile.inputs);
    expect(inputs.some((p) => p.endsWith('src/train/checkpoint_parse.ts'))).toBe(true);
    expect(inputs.filter((p) => p.startsWith('node:') || p.endsWith('src/train/checkpoint.ts'))).toEqual([]);
  });
});
