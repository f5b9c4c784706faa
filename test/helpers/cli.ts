// Runs the built CLI (dist/cli/wmoe.mjs, made by `npm run build`) in a child process.
import { spawn, spawnSync } from 'node:child_process';
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

/** Runs `wmoe ...args`; `nodeArgs` go to node before the script (e.g. `--import` a preload). */
export function runCli(args: string[], timeoutMs = 240_000, nodeArgs: string[] = []): CliResult {
  const r = spawnSync(process.execPath, [...nodeArgs, CLI, ...args], { encoding: 'utf8', timeout: timeoutMs });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A fresh empty temporary directory. */
export function tempDir(prefix = 'wmoe-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Flags for a tiny, fast training run. */
export const TINY_TRAIN = ['--train-samples', '192', '--test-samples', '96', '--epochs', '1', '--batch-size', '32'];

/**
 * Bad input: exit code 1, nothing on stdout, and exactly one line on stderr, `wmoe: ` followed
 * by the whole `message` (a string: that exact text; a RegExp: matched against the whole rest of
 * the line, anchored at both ends).
 */
export function expectOneLineError(r: CliResult, message: string | RegExp): void {
  expect(r.stdout).toBe('');
  expect(r.stderr.endsWith('\n'), r.stderr).toBe(true);
  const lines = r.stderr.slice(0, -1).split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  if (typeof message === 'string') expect(lines[0]).toBe(`wmoe: ${message}`);
  else expect(lines[0]).toMatch(new RegExp(`^wmoe: (?:${message.source})$`, message.flags));
  expect(r.code, r.stderr).toBe(1);
}

/**
 * Runs `wmoe ...args` in a child process and kills it with SIGKILL as soon as `when()` (polled
 * every 5 ms) returns a value other than undefined; resolves to that value. Rejects when the
 * process ends before that.
 */
export function runCliAndKill<T>(args: string[], when: () => T | undefined): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    let seen: T | undefined;
    const poll = setInterval(() => {
      seen = when();
      if (seen !== undefined) {
        clearInterval(poll);
        child.kill('SIGKILL');
      }
    }, 5);
    child.on('exit', (code, signal) => {
      clearInterval(poll);
      if (signal === 'SIGKILL' && seen !== undefined) resolve(seen);
      else reject(new Error(`the run ended before the kill (code ${code}, signal ${signal}): ${stderr}`));
    });
  });
}

/**
 * Runs `wmoe ...args` in a child process, calling `poll()` every 5 ms while it runs (e.g. to
 * create a file once the run reaches some point); resolves to its result when it exits.
 */
export function runCliPolling(args: string[], poll: () => void): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setInterval(poll, 5);
    child.on('close', (code) => {
      clearInterval(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
