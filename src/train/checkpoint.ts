import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { DistributedMoE } from '../moe/model.js';
import type { Link } from '../link/link.js';
import type { DigitalLink } from '../link/digital.js';
import { InputError } from '../errors.js';
import { formatMcsPolicy } from '../link/adapt/mcs_policy_spec.js';
import { CHECKPOINT_FORMAT, fnv1a, parseCheckpoint, type CheckpointFile, type CheckpointMeta, type LinkRecord } from './checkpoint_parse.js';

// The format and its parser live in checkpoint_parse.ts (no file system: browsers use it too);
// this file reads and writes checkpoint directories in Node.
export { CHECKPOINT_FORMAT, parseCheckpoint, parseLinkRecord, type CheckpointMeta, type LinkRecord } from './checkpoint_parse.js';

/**
 * The record of `link` (decoder defaults filled in: layered NMS, 10 iterations); a link with an
 * MCS policy also records it (`mcs`, the --mcs text), its code and modulation being its codec's
 * (the fixed MCS's, or an adaptive policy's lowest MCS's).
 */
export function linkRecordOf(link: Link): LinkRecord {
  if (link.kind !== 'digital') return { kind: link.kind };
  const digital = link as DigitalLink;
  const { code, modulation, bits, decoder } = digital.codec.options;
  const mcs = digital.mcs ? { mcs: formatMcsPolicy(digital.mcs.spec) } : {};
  return { kind: 'digital', code, modulation, bits, decoder: { algorithm: decoder?.algorithm ?? 'nms', iterations: decoder?.iterations ?? 10 }, ...mcs };
}

/** A one-line InputError for a failed read or write of `path` (an OS error: missing, unreadable, a directory, a full disk). */
export function ioError(action: string, path: string, e: unknown): InputError {
  return new InputError(`cannot ${action} '${path}': ${(e as Error).message.split('\n')[0]}`);
}

/** True for Node's system errors (ENOENT, EACCES, EISDIR, ENOSPC, ...), which carry a string `code` and a `syscall`. */
export function isSystemError(e: unknown): boolean {
  return e instanceof Error && typeof (e as { code?: unknown }).code === 'string' && typeof (e as { syscall?: unknown }).syscall === 'string';
}

/**
 * Writes `extra` files (name → text) and the checkpoint into `dir` atomically: everything goes
 * to a sibling temporary directory first, which replaces `dir` only when complete. An OS error
 * (say, `dir` in a read-only or missing-permission folder) is an InputError naming the path.
 */
export function writeRunDirectory(dir: string, model: DistributedMoE, meta: CheckpointMeta, extra: Record<string, string>): void {
  const target = resolve(dir);
  const tmp = join(dirname(target), `.${basename(target)}.tmp-${process.pid}`);
  try {
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
  } catch (e) {
    throw isSystemError(e) ? ioError('write the run directory', dir, e) : e;
  }
  try {
    const flat = model.params.toFlat();
    const bytes = new Uint8Array(flat.buffer, flat.byteOffset, flat.byteLength);
    const file: CheckpointFile = {
      format: CHECKPOINT_FORMAT,
      moe: model.config,
      params: model.params.specs.map(({ name, shape }) => ({ name, shape })),
      weightsBytes: bytes.byteLength,
      weightsFnv1a: fnv1a(bytes),
      meta,
    };
    writeFileSync(join(tmp, 'weights.bin'), bytes);
    writeFileSync(join(tmp, 'config.json'), JSON.stringify(file, null, 2) + '\n');
    for (const [name, text] of Object.entries(extra)) writeFileSync(join(tmp, name), text);
    rmSync(target, { recursive: true, force: true });
    renameSync(tmp, target);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw isSystemError(e) ? ioError('write the run directory', dir, e) : e;
  }
}

/**
 * Writes the run directory's final files into `dir`, which holds a training state file
 * (`stateFile`) from per-epoch checkpoints: each file is written to a temporary name and renamed
 * over its target (atomic), and the state file is removed last, so that a process killed at any
 * moment leaves either the state to resume from or the finished run. Without a state file in
 * `dir`, the same as {@link writeRunDirectory}.
 */
export function finishRunDirectory(dir: string, model: DistributedMoE, meta: CheckpointMeta, extra: Record<string, string>, stateFile: string): void {
  const target = resolve(dir);
  if (!existsSync(join(target, stateFile))) {
    writeRunDirectory(dir, model, meta, extra);
    return;
  }
  const tmp = join(target, `.final.tmp-${process.pid}`);
  try {
    writeRunDirectory(tmp, model, meta, extra);
    for (const name of readdirSync(tmp)) renameSync(join(tmp, name), join(target, name));
    rmSync(tmp, { recursive: true, force: true });
    rmSync(join(target, stateFile), { force: true });
    // Leftovers of processes killed while writing (their temporary files and directories).
    for (const name of readdirSync(target)) {
      if (name.startsWith('.final.tmp-') || name.startsWith(`.${stateFile}.tmp-`)) rmSync(join(target, name), { recursive: true, force: true });
    }
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw isSystemError(e) ? ioError('write the run directory', dir, e) : e;
  }
}

/**
 * Loads a checkpoint; throws a one-line InputError naming the problem when the directory is
 * missing, a file cannot be read, config.json is not JSON or is inconsistent (architecture,
 * parameter list, stage-2 link record), or weights.bin is truncated, corrupt or does not match
 * the shapes the config implies. `stage2Link` is the link the channel-aware gate was trained
 * over (undefined for checkpoints that do not record it).
 */
export function loadCheckpoint(dir: string): { model: DistributedMoE; meta: CheckpointMeta | undefined; stage2Link: LinkRecord | undefined } {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new InputError(`checkpoint directory '${dir}' does not exist`);
  const configPath = join(dir, 'config.json');
  const weightsPath = join(dir, 'weights.bin');
  if (!existsSync(configPath)) throw new InputError(`checkpoint '${dir}' has no config.json`);
  if (!existsSync(weightsPath)) throw new InputError(`checkpoint '${dir}' has no weights.bin`);
  let text: string;
  let bytes: Buffer;
  try {
    text = readFileSync(configPath, 'utf8');
  } catch (e) {
    throw ioError('read checkpoint file', configPath, e);
  }
  try {
    bytes = readFileSync(weightsPath);
  } catch (e) {
    throw ioError('read checkpoint file', weightsPath, e);
  }
  return parseCheckpoint(text, bytes, { config: configPath, weights: weightsPath });
}
