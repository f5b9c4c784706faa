import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Small parsers for CLI flag values; each throws a one-line error naming the bad value. */

export function parseIntFlag(name: string, text: string | undefined, fallback: number, min = 0): number {
  if (text === undefined) return fallback;
  const v = /^\s*-?\d+\s*$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(v) || v < min) throw new Error(`--${name} '${text}' must be an integer ≥ ${min}`);
  return v;
}

export function parseNumberFlag(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const v = text.trim() === '' ? NaN : Number(text);
  if (!Number.isFinite(v)) throw new Error(`--${name} '${text}' is not a finite number`);
  return v;
}

export function parseChoice<T extends string>(name: string, text: string | undefined, choices: readonly T[], fallback: T): T {
  if (text === undefined) return fallback;
  if (!(choices as readonly string[]).includes(text)) {
    throw new Error(`unknown ${name} '${text}' (known: ${choices.join(', ')})`);
  }
  return text as T;
}

/**
 * node:util parseArgs with string flags that may take values starting with '-'
 * (`--snr-range -10:20`, `--snr-db -10,20,20,20`): such pairs are joined into `--flag=value`
 * before parsing.
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
  return parseArgs({ args: joined, options, strict: true, allowPositionals: false });
}
