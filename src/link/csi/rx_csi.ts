// What each expert's receiver knows when it equalises (`--rx-csi`): the spec, its parser, and the
// estimator that gives ĥ and its error variance per transmission.
import { InputError } from '../../errors.js';
import { positiveInt } from './positive_int.js';

/** What a receiver knows: `perfect` (ĥ = h) or `pilots:P` (LS estimate from P pilots per transmission). */
export type RxCsiSpec = { kind: 'perfect' } | { kind: 'pilots'; pilots: number };

/** The receiver CSI kinds, as the flag names them. */
export const RX_CSI_KINDS = ['perfect', 'pilots:P'] as const;

/** Parses `perfect | pilots:P` (P an integer ≥ 1). */
export function parseRxCsi(text: string): RxCsiSpec {
  const t = text.trim();
  if (t === 'perfect') return { kind: t };
  const [kind, value, ...rest] = t.split(':');
  if (kind === 'pilots' && value !== undefined && rest.length === 0) {
    return { kind, pilots: positiveInt(value, text, 'P', 'pilots', 'rx-csi') };
  }
  throw new InputError(`rx-csi '${text}' is not one of ${RX_CSI_KINDS.join(', ')}`);
}

/** The flag text of a receiver CSI spec (inverse of parseRxCsi), e.g. `pilots:4`. */
export function formatRxCsi(spec: RxCsiSpec): string {
  const s = spec as { kind: unknown; pilots?: unknown };
  return s.kind === 'pilots' ? `pilots:${String(s.pilots)}` : String(s.kind);
}

/** Checks an RxCsiSpec built in code (not parsed); throws an InputError naming the bad value. */
export function validateRxCsi(spec: RxCsiSpec): RxCsiSpec {
  return parseRxCsi(formatRxCsi(spec));
}
