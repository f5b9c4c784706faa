import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { DistributedMoE } from '../moe/model.js';
import { validateMoeConfig, type MoeConfig } from '../moe/config.js';

/**
 * A checkpoint directory holds `config.json` (architecture, parameter names and shapes, the
 * size and FNV-1a hash of the weights) and `weights.bin` (all parameters as little-endian
 * float32, in the order config.json lists them). Node only.
 */
export const CHECKPOINT_FORMAT = 'wireless-moe/checkpoint@1';

interface CheckpointFile {
  format: string;
  moe: MoeConfig;
  params: { name: string; shape: number[] }[];
  weightsBytes: number;
  weightsFnv1a: string;
  /** Free-form extra information (e.g. the training config). */
  meta?: unknown;
}

function fnv1a(bytes: Uint8Array): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

/**
 * Writes `extra` files (name → text) and the checkpoint into `dir` atomically: everything goes
 * to a sibling temporary directory first, which replaces `dir` only when complete.
 */
export function writeRunDirectory(dir: string, model: DistributedMoE, meta: unknown, extra: Record<string, string>): void {
  const target = resolve(dir);
  const tmp = join(dirname(target), `.${basename(target)}.tmp-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
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
    throw e;
  }
}

/**
 * Loads a checkpoint; throws a one-line error naming the problem when the directory is
 * missing, config.json is unreadable or inconsistent, or weights.bin is truncated, corrupt or
 * does not match the shapes the config implies.
 */
export function loadCheckpoint(dir: string): { model: DistributedMoE; meta: unknown } {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`checkpoint directory '${dir}' does not exist`);
  const configPath = join(dir, 'config.json');
  const weightsPath = join(dir, 'weights.bin');
  if (!existsSync(configPath)) throw new Error(`checkpoint '${dir}' has no config.json`);
  if (!existsSync(weightsPath)) throw new Error(`checkpoint '${dir}' has no weights.bin`);
  let file: CheckpointFile;
  try {
    file = JSON.parse(readFileSync(configPath, 'utf8'));
  } catch (e) {
    throw new Error(`checkpoint '${configPath}' is not valid JSON: ${(e as Error).message}`);
  }
  if (file.format !== CHECKPOINT_FORMAT) {
    throw new Error(`checkpoint '${configPath}' has format '${file.format}', expected '${CHECKPOINT_FORMAT}'`);
  }
  validateMoeConfig(file.moe);
  const model = new DistributedMoE(file.moe, 0);
  try {
    const specs = model.params.specs;
    if (!Array.isArray(file.params) || file.params.length !== specs.length) {
      throw new Error(`checkpoint '${configPath}' lists ${file.params?.length} parameters but its config implies ${specs.length}`);
    }
    specs.forEach((s, i) => {
      const p = file.params[i];
      if (p.name !== s.name || p.shape.join('x') !== s.shape.join('x')) {
        throw new Error(
          `checkpoint '${configPath}': parameter ${i} is '${p.name}' [${p.shape}] but the config implies '${s.name}' [${s.shape}]`,
        );
      }
    });
    const bytes = readFileSync(weightsPath);
    const need = model.params.size() * 4;
    if (bytes.byteLength !== need || file.weightsBytes !== need) {
      throw new Error(
        `checkpoint '${weightsPath}' has ${bytes.byteLength} bytes but its config implies ${need}` +
          (bytes.byteLength < need ? ' (truncated)' : ''),
      );
    }
    const hash = fnv1a(bytes);
    if (hash !== file.weightsFnv1a) {
      throw new Error(`checkpoint '${weightsPath}' is corrupt: FNV-1a ${hash}, config.json says ${file.weightsFnv1a}`);
    }
    const aligned = new Uint8Array(need);
    aligned.set(bytes);
    model.params.fromFlat(new Float32Array(aligned.buffer));
  } catch (e) {
    model.dispose();
    throw e;
  }
  return { model, meta: file.meta };
}
