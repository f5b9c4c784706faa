// Node: a run directory's training state file, written atomically after every epoch.
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { ioError, isSystemError } from './checkpoint.js';
import { decodeTrainState, type TrainState } from './train_state.js';

/** The state file's name in a run directory (present while the run is unfinished). */
export const TRAIN_STATE_FILE = 'resume-state.bin';

/**
 * Writes a state file's bytes (encodeTrainState) into run directory `dir` (created if needed)
 * atomically: to a temporary file, flushed to disk, then renamed over the previous state, so
 * that a process killed at any moment leaves the previous state or this one, whole.
 */
export function writeTrainStateFile(dir: string, bytes: Uint8Array): void {
  const path = join(dir, TRAIN_STATE_FILE);
  const tmp = join(dir, `.${TRAIN_STATE_FILE}.tmp-${process.pid}`);
  try {
    mkdirSync(dir, { recursive: true });
    const fd = openSync(tmp, 'w');
    try {
      for (let at = 0; at < bytes.byteLength; ) at += writeSync(fd, bytes, at, bytes.byteLength - at);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw isSystemError(e) ? ioError('write the training state', path, e) : e;
  }
}

/** True when run directory `dir` holds a training state (an unfinished run). */
export function hasTrainState(dir: string): boolean {
  return existsSync(join(dir, TRAIN_STATE_FILE));
}

/**
 * Reads run directory `dir`'s training state and the `meta` saved with it; a one-line
 * InputError when `dir` is missing, the run is finished (no state, a metrics.json), there is no
 * state, or it is truncated or corrupt.
 */
export function readTrainStateFile(dir: string): { state: TrainState; meta: Record<string, unknown> } {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new InputError(`run directory '${dir}' does not exist`);
  const path = join(dir, TRAIN_STATE_FILE);
  if (!existsSync(path)) {
    if (existsSync(join(dir, 'metrics.json'))) throw new InputError(`the run in '${dir}' is finished: nothing to resume (no ${TRAIN_STATE_FILE})`);
    throw new InputError(`'${dir}' holds no training state to resume (no ${TRAIN_STATE_FILE}: a run saves one after its first epoch)`);
  }
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw ioError('read the training state', path, e);
  }
  return decodeTrainState(bytes, path);
}
