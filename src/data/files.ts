import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../errors.js';

/** Throws an InputError unless `dir` is an existing directory (`what` names it in the message). */
export function requireDirectory(dir: string, what: string): void {
  if (!existsSync(dir)) throw new InputError(`${what} ${dir} does not exist`);
  if (!statSync(dir).isDirectory()) throw new InputError(`${what} ${dir} is not a directory`);
}

/** True when `path` exists and is a regular file. */
export function isFile(path: string): boolean {
  return existsSync(path) && statSync(path).isFile();
}

/** True when `path` exists and is a directory. */
export function isDirectory(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}

/** The first of `names` that is a file in `dir`, as a path; undefined when none is. */
export function findFile(dir: string, names: readonly string[]): string | undefined {
  for (const name of names) {
    const path = join(dir, name);
    if (isFile(path)) return path;
  }
  return undefined;
}

/** The bytes of a dataset file; an InputError naming the file if it is missing or unreadable. */
export function readDataFile(path: string): Uint8Array {
  if (!existsSync(path)) throw new InputError(`${path} is missing`);
  try {
    const buf = readFileSync(path);
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (e) {
    throw new InputError(`cannot read ${path}: ${(e as Error).message}`);
  }
}
