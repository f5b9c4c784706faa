// The checkpoint format and its parser, with no file system: a browser fetches config.json and
// weights.bin and calls parseCheckpoint; Node's loadCheckpoint (checkpoint.ts) reads the two
// files and calls it too, so both check exactly the same things with the same messages.
import { DistributedMoE } from '../moe/model.js';
import { validateMoeConfig, type MoeConfig } from '../moe/config.js';
import { LINK_KINDS, type LinkKind } from '../link/link.js';
import type { ModulationName } from '../channel/modem.js';
import { InputError } from '../errors.js';
import type { TrainConfig } from './config.js';
import { formatMcsPolicy, parseMcsPolicy } from '../link/adapt/mcs_policy_spec.js';

/**
 * A checkpoint directory holds `config.json` (architecture, parameter names and shapes, the
 * size and FNV-1a hash of the weights) and `weights.bin` (all parameters as little-endian
 * float32, in the order config.json lists them).
 */
export const CHECKPOINT_FORMAT = 'wireless-moe/checkpoint@1';

/** The JSON of a checkpoint's config.json. */
export interface CheckpointFile {
  format: string;
  moe: MoeConfig;
  params: { name: string; shape: number[] }[];
  weightsBytes: number;
  weightsFnv1a: string;
  /** Extra information: the training config, the stage-2 link, anything else. */
  meta?: CheckpointMeta;
}

/** Decoder algorithms a digital link record may name. */
const DECODERS = ['nms', 'oms', 'spa'] as const;
const MODULATIONS: readonly ModulationName[] = ['bpsk', 'qpsk', '16qam', '64qam'];
/** Largest decoder iteration count a record may hold (as `--iterations`). */
const MAX_ITERATIONS = 1000;

/**
 * The link a checkpoint's channel-aware gate was trained over in stage 2, as config.json
 * records it under `meta.stage2Link`: its kind and, for a digital link, the code spec, the
 * modulation, the quantiser bits per feature and the decoder (algorithm, iterations); a link with
 * link adaptation also records its MCS policy `mcs` (the `--mcs` text, canonical), which then
 * chooses the code and modulation (`code` and `modulation` are those of its lowest MCS).
 */
export type LinkRecord =
  | { kind: 'perfect' | 'analog' }
  | {
      kind: 'digital';
      code: string;
      modulation: ModulationName;
      bits: number;
      decoder: { algorithm: (typeof DECODERS)[number]; iterations: number };
      /** The MCS policy (formatMcsPolicy text) of a link with link adaptation; absent otherwise. */
      mcs?: string;
    };

/** What a checkpoint's config.json carries besides the architecture and the weights. */
export interface CheckpointMeta {
  /** The training config the checkpoint was trained with. */
  train?: TrainConfig;
  /** The link stage 2 trained the channel-aware gate over. */
  stage2Link?: LinkRecord;
  [key: string]: unknown;
}

/** A parsed checkpoint: the model (its parameters loaded), config.json's meta and stage-2 link. */
export interface ParsedCheckpoint {
  model: DistributedMoE;
  meta: CheckpointMeta | undefined;
  /** The link the channel-aware gate was trained over (undefined when not recorded). */
  stage2Link: LinkRecord | undefined;
}

/** How the two files are named in error messages (paths in Node, URLs in a browser). */
export interface CheckpointSource {
  config: string;
  weights: string;
}

/** 32-bit FNV-1a hash of `bytes`, as 8 lowercase hex digits. */
export function fnv1a(bytes: Uint8Array): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

/**
 * Reads and checks `meta.stage2Link` of a checkpoint's config.json (`where` names the file in
 * errors): undefined when absent (checkpoints written before links were recorded). A record
 * without `kind` but with a `code` is the older form of a digital record (the codec's options).
 */
export function parseLinkRecord(raw: unknown, where: string): LinkRecord | undefined {
  if (raw === undefined) return undefined;
  const bad = (what: string): never => {
    throw new InputError(`checkpoint '${where}': meta.stage2Link ${what}`);
  };
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return bad(`must be an object, got ${JSON.stringify(raw)}`);
  const r = raw as Record<string, unknown>;
  const kind = r.kind ?? (r.code !== undefined ? 'digital' : undefined);
  if (!(LINK_KINDS as readonly unknown[]).includes(kind)) return bad(`has unknown kind ${JSON.stringify(r.kind)} (known: ${LINK_KINDS.join(', ')})`);
  if (kind !== 'digital') return { kind: kind as Exclude<LinkKind, 'digital'> };
  const d = (r.decoder ?? {}) as Record<string, unknown>;
  const algorithm = d.algorithm ?? 'nms';
  const iterations = d.iterations ?? 10;
  if (typeof r.code !== 'string' || r.code === '') bad(`has code ${JSON.stringify(r.code)}, not a code spec`);
  if (!MODULATIONS.includes(r.modulation as ModulationName)) bad(`has unknown modulation ${JSON.stringify(r.modulation)}`);
  if (!Number.isInteger(r.bits) || (r.bits as number) < 1 || (r.bits as number) > 16) bad(`has bits ${JSON.stringify(r.bits)}, not an integer in [1, 16]`);
  if (typeof d !== 'object' || d === null) bad(`has decoder ${JSON.stringify(r.decoder)}, not an object`);
  if (!(DECODERS as readonly unknown[]).includes(algorithm)) bad(`has unknown decoder ${JSON.stringify(algorithm)}`);
  if (!Number.isInteger(iterations) || (iterations as number) < 1 || (iterations as number) > MAX_ITERATIONS) {
    bad(`has decoder iterations ${JSON.stringify(iterations)}, not an integer in [1, ${MAX_ITERATIONS}]`);
  }
  return {
    kind: 'digital',
    code: r.code as string,
    modulation: r.modulation as ModulationName,
    bits: r.bits as number,
    decoder: { algorithm: algorithm as (typeof DECODERS)[number], iterations: iterations as number },
    ...(r.mcs !== undefined ? { mcs: parseMcsRecord(r.mcs, bad) } : {}),
  };
}

/** The canonical MCS policy text of a record's `mcs` (a one-line error through `bad` otherwise). */
function parseMcsRecord(raw: unknown, bad: (what: string) => never): string {
  if (typeof raw !== 'string') return bad(`has mcs ${JSON.stringify(raw)}, not an MCS policy text`);
  try {
    return formatMcsPolicy(parseMcsPolicy(raw));
  } catch (e) {
    return bad(`has mcs ${JSON.stringify(raw)}, not an MCS policy (${e instanceof InputError ? e.message : String(e)})`);
  }
}

/**
 * Builds the model of a checkpoint from the text of its config.json and the bytes of its
 * weights.bin (little-endian float32). Throws a one-line InputError naming the problem when the
 * text is not JSON or not a checkpoint of this format, the architecture, parameter list or
 * stage-2 link record is inconsistent, or the weights are truncated, too long, or fail the
 * FNV-1a check. `source` names the files in the messages. Works in browsers and Node (no I/O).
 */
export function parseCheckpoint(
  configText: string,
  weights: Uint8Array,
  source: CheckpointSource = { config: 'config.json', weights: 'weights.bin' },
): ParsedCheckpoint {
  const configPath = source.config;
  const weightsPath = source.weights;
  let file: CheckpointFile;
  try {
    file = JSON.parse(configText);
  } catch (e) {
    throw new InputError(`checkpoint '${configPath}' is not valid JSON: ${(e as Error).message}`);
  }
  if (file === null || typeof file !== 'object' || Array.isArray(file)) {
    throw new InputError(`checkpoint '${configPath}' is not a JSON object`);
  }
  if (file.format !== CHECKPOINT_FORMAT) {
    throw new InputError(`checkpoint '${configPath}' has format '${file.format}', expected '${CHECKPOINT_FORMAT}'`);
  }
  if (file.moe === null || typeof file.moe !== 'object' || Array.isArray(file.moe)) {
    throw new InputError(`checkpoint '${configPath}' has no architecture object 'moe'`);
  }
  if (file.meta !== undefined && (file.meta === null || typeof file.meta !== 'object' || Array.isArray(file.meta))) {
    throw new InputError(`checkpoint '${configPath}': meta must be an object, got ${JSON.stringify(file.meta)}`);
  }
  validateMoeConfig(file.moe);
  const stage2Link = parseLinkRecord(file.meta?.stage2Link, configPath);
  const model = new DistributedMoE(file.moe, 0);
  try {
    const specs = model.params.specs;
    if (!Array.isArray(file.params) || file.params.length !== specs.length) {
      throw new InputError(`checkpoint '${configPath}' lists ${file.params?.length} parameters but its config implies ${specs.length}`);
    }
    specs.forEach((s, i) => {
      const p = file.params[i] as { name?: unknown; shape?: unknown } | null;
      const shape = p !== null && typeof p === 'object' && Array.isArray(p.shape) ? p.shape : undefined;
      if (p === null || typeof p !== 'object' || p.name !== s.name || shape?.join('x') !== s.shape.join('x')) {
        const got = p !== null && typeof p === 'object' ? `'${String(p.name)}' [${String(shape ?? p.shape)}]` : JSON.stringify(p);
        throw new InputError(`checkpoint '${configPath}': parameter ${i} is ${got} but the config implies '${s.name}' [${s.shape}]`);
      }
    });
    const need = model.params.size() * 4;
    if (weights.byteLength !== need || file.weightsBytes !== need) {
      throw new InputError(
        `checkpoint '${weightsPath}' has ${weights.byteLength} bytes but its config implies ${need}` +
          (weights.byteLength < need ? ' (truncated)' : ''),
      );
    }
    const hash = fnv1a(weights);
    if (hash !== file.weightsFnv1a) {
      throw new InputError(`checkpoint '${weightsPath}' is corrupt: FNV-1a ${hash}, config.json says ${file.weightsFnv1a}`);
    }
    // Copy into a fresh, aligned buffer (the bytes may sit at any offset of a larger buffer);
    // float32 little-endian is the layout of every engine this runs on.
    const aligned = new Uint8Array(need);
    aligned.set(weights);
    model.params.fromFlat(new Float32Array(aligned.buffer));
  } catch (e) {
    model.dispose();
    throw e;
  }
  return { model, meta: file.meta, stage2Link };
}
