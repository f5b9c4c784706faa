// tfjs-core's own spec suite (@tensorflow/tfjs-core/dist/tests.js, ~4 200 specs) run with
// jasmine against backend `wmoe`, as tfjs-backend-cpu runs it against `cpu`
// (run_tfjs_core_specs.mjs; ~12 s on its own on 2 cores: ~2 s esbuild bundle, ~10 s of specs).
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const runner = fileURLToPath(new URL('./run_tfjs_core_specs.mjs', import.meta.url));

interface Summary {
  backend: string;
  threads: number;
  ran: number;
  passed: number;
  failed: number;
  excluded: number;
  pending: number;
  onBackend: number;
  overall: string;
  failures: string[];
  excludedNames: string[];
}

function runSpecs(args: string[]): Promise<{ code: number; summary: Summary | undefined; output: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [runner, ...args], { maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      const line = stdout.split('\n').find((l) => l.startsWith('TFJS_CORE_SPECS '));
      const summary = line === undefined ? undefined : (JSON.parse(line.slice('TFJS_CORE_SPECS '.length)) as Summary);
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      resolve({ code, summary, output: `${stdout.split('\n').filter((l) => l.startsWith('FAILED') || l.startsWith('    ')).join('\n')}\n${stderr.slice(-4000)}` });
    });
  });
}

describe("tfjs-core's spec suite on backend wmoe", () => {
  it('passes every spec, with none excluded', async () => {
    const { code, summary, output } = await runSpecs([]);
    expect(summary, output).toBeDefined();
    const s = summary!;
    expect(s.failures, output).toEqual([]);
    expect(s.failed).toBe(0);
    expect(s.overall).toBe('passed');
    expect(code).toBe(0);
    expect(s.backend).toBe('wmoe');
    // tfjs-core 4.22 has 4 225 specs that run on a data-sync backend; most of them inside
    // describeWithFlags suites named for the test env (the rest test tfjs-core's own utilities).
    expect(s.ran).toBeGreaterThan(4000);
    expect(s.onBackend).toBeGreaterThan(3500);
    expect(s.excluded).toBe(0);
    expect(s.excludedNames).toEqual([]);
  }, 240_000);

  it('passes every spec with threads: 2, where kernel outputs stay in WASM memory', async () => {
    const { code, summary, output } = await runSpecs(['--threads', '2']);
    expect(summary, output).toBeDefined();
    const s = summary!;
    expect(s.failures, output).toEqual([]);
    expect(s.threads).toBe(2);
    expect(s.failed).toBe(0);
    expect(s.overall).toBe('passed');
    expect(code).toBe(0);
    expect(s.ran).toBeGreaterThan(4000);
    expect(s.onBackend).toBeGreaterThan(3500);
    expect(s.excluded).toBe(0);
  }, 240_000);
});
