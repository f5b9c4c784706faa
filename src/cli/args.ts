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
