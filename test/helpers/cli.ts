// Runs the built CLI (dist/cli/wmoe.mjs, made by `npm run build`) in a child process.
import { spawnSync } from 'node:child_process';
import { expect } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CLI = new URL('../../dist/cli/wmoe.mjs', import.meta.url).pathname;

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], timeoutMs = 240_000): CliResult {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: timeoutMs });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A fresh empty temporary directory. */
export function tempDir(prefix = 'wmoe-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Flags for a tiny, fast training run. */
export const TINY_TRAIN = ['--train-samples', '192', '--test-samples', '96', '--epochs', '1', '--batch-size', '32'];

/** Exit code ≠ 0, exactly one line on stderr that mentions `needle`, nothing on stdout. */
export function expectOneLineError(r: CliResult, needle: string): void {
  expect(r.code).not.toBe(0);
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toContain(needle);
  expect(r.stdout).toBe('');
}
