// Integer parsing shared by the CSI flag parsers.
import { InputError } from '../../errors.js';

/** A decimal integer (optional '+', no exponent, safe), or NaN. @internal */
export function strictInt(s: string): number {
  const t = s.trim();
  return /^\+?\d+$/.test(t) && Number.isSafeInteger(Number(t)) ? Number(t) : NaN;
}

/**
 * `value` as an integer ≥ 1, or a one-line InputError: "<flag> '<text>': <name> = '<value>' is not
 * an integer ≥ 1 (<what>)". @internal
 */
export function positiveInt(value: string, text: string, name: string, what: string, flag: string): number {
  const n = strictInt(value);
  if (!(n >= 1)) throw new InputError(`${flag} '${text}': ${name} = '${value}' is not an integer ≥ 1 (${what})`);
  return n;
}
