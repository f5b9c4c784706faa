import { parseArgs, type ParseArgsConfig } from 'node:util';
import { InputError } from '../errors.js';
import { SEED_LIMIT } from '../random/hash.js';

/** Small parsers for CLI flag values; each throws an InputError naming the flag and the bad value. */

/**
 * Upper bounds of the integer flags, by flag name, for every command (the usage text states
 * them). They keep a typo from exhausting memory or running for days: --experts, --top-k and
 * --batch-size bound the tensors of a training step (K·batch·d floats per link), --dim,
 * --vectors and --bits the buffers of `bench coding` (vectors·dim·bits/rate coded bits, as
 * bytes and as float32 LLRs), --batch-frames those of `ber`; --max-frames, --max-frame-errors,
 * --iterations, --reps and the epochs bound run time. --seed is what every generator accepts
 * without aliasing: 0 ≤ seed < 2^31.
 */
export const INT_FLAG_MAX: Readonly<Record<string, number>> = {
  seed: SEED_LIMIT - 1,
  experts: 64,
  'top-k': 64,
  'batch-size': 1024,
  epochs: 1000,
  'stage1-epochs': 1000,
  'stage2-epochs': 1000,
  threads: 64,
  spin: 1_000_000_000,
  bits: 16,
  iterations: 1000,
  'max-frames': 1_000_000_000,
  'max-frame-errors': 1_000_000,
  'batch-frames': 4096,
  dim: 4096,
  vectors: 256,
  reps: 1000,
};

/**
 * An integer flag: `fallback` when absent, else an integer in [min, max] (max defaults to the
 * flag's entry in {@link INT_FLAG_MAX}, else unbounded).
 */
export function parseIntFlag(
  name: string,
  text: string | undefined,
  fallback: number,
  min = 0,
  max = INT_FLAG_MAX[name] ?? Number.MAX_SAFE_INTEGER,
): number {
  if (text === undefined) return fallback;
  const v = /^\s*-?\d+\s*$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(v) || v < min || v > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `in [${min}, ${max}]`;
    throw new InputError(`--${name} '${text}' must be an integer ${range}`);
  }
  return v;
}

/** `--seed`: an integer in [0, 2^31), `fallback` when absent. */
export function parseSeedFlag(text: string | undefined, fallback: number): number {
  return parseIntFlag('seed', text, fallback, 0, SEED_LIMIT - 1);
}

export function parseNumberFlag(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const v = text.trim() === '' ? NaN : Number(text);
  if (!Number.isFinite(v)) throw new InputError(`--${name} '${text}' is not a finite number`);
  return v;
}

export function parseChoice<T extends string>(name: string, text: string | undefined, choices: readonly T[], fallback: T): T {
  if (text === undefined) return fallback;
  if (!(choices as readonly string[]).includes(text)) {
    throw new InputError(`unknown ${name} '${text}' (known: ${choices.join(', ')})`);
  }
  return text as T;
}

/**
 * node:util parseArgs with string flags that may take values starting with '-'
 * (`--snr-range -10:20`, `--snr-db -10,20,20,20`): such pairs are joined into `--flag=value`
 * before parsing. An unknown flag, a positional argument or a missing value is an InputError.
 */
export function parseFlags<O extends NonNullable<ParseArgsConfig['options']>>(
  argv: string[],
  options: O,
): ReturnType<typeof parseArgs<{ args: string[]; options: O; strict: true; allowPositionals: false }>> {
  const joined: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i].startsWith('--') ? argv[i].slice(2) : '';
    if (name && options[name]?.type === 'string' && i + 1 < argv.length && !argv[i].includes('=')) {
      joined.push(`${argv[i]}=${argv[++i]}`);
    } else joined.push(argv[i]);
  }
  try {
    return parseArgs({ args: joined, options, strict: true, allowPositionals: false });
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) throw new InputError((e as Error).message.split('\n')[0]);
    throw e;
  }
}
