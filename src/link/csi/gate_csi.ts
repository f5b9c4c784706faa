// What the server's gate knows about each expert link (`--csi`): the spec, its parser, and the
// estimator that turns the true block gains into the gate's estimated instantaneous SNR.
import { InputError } from '../../errors.js';
import { positiveInt, strictInt } from './positive_int.js';

/**
 * What the gate knows: `perfect` (the instantaneous h), `pilots:P` (LS estimate from P unit-energy
 * pilots, error variance N0/P), `stale:d` (h of d blocks earlier), `quantised:B` (the SNR in dB
 * clipped to the stage-2 SNR range and quantised uniformly in B bits), `statistical` (the mean SNR).
 */
export type GateCsiSpec =
  | { kind: 'perfect' }
  | { kind: 'pilots'; pilots: number }
  | { kind: 'stale'; delay: number }
  | { kind: 'quantised'; bits: number }
  | { kind: 'statistical' };

/** The gate CSI kinds, as the flag names them. */
export const GATE_CSI_KINDS = ['perfect', 'pilots:P', 'stale:d', 'quantised:B', 'statistical'] as const;

/** Largest B of `quantised:B`. */
export const MAX_QUANTISER_BITS = 16;

/** Parses `perfect | pilots:P | stale:d | quantised:B | statistical` (P, d integers ≥ 1; B in 1…16). */
export function parseGateCsi(text: string): GateCsiSpec {
  const t = text.trim();
  if (t === 'perfect' || t === 'statistical') return { kind: t };
  const [kind, value, ...rest] = t.split(':');
  if (value !== undefined && rest.length === 0) {
    if (kind === 'pilots') return { kind, pilots: positiveInt(value, text, 'P', 'pilots', 'csi') };
    if (kind === 'stale') return { kind, delay: positiveInt(value, text, 'd', 'blocks of delay', 'csi') };
    if (kind === 'quantised' || kind === 'quantized') {
      const bits = strictInt(value);
      if (!(bits >= 1 && bits <= MAX_QUANTISER_BITS)) {
        throw new InputError(`csi '${text}': B = '${value}' is not an integer in 1…${MAX_QUANTISER_BITS} (bits)`);
      }
      return { kind: 'quantised', bits };
    }
  }
  throw new InputError(`csi '${text}' is not one of ${GATE_CSI_KINDS.join(', ')}`);
}

/** The flag text of a gate CSI spec (inverse of parseGateCsi), e.g. `stale:1`. */
export function formatGateCsi(spec: GateCsiSpec): string {
  const s = spec as { kind: unknown; pilots?: unknown; delay?: unknown; bits?: unknown };
  if (s.kind === 'pilots') return `pilots:${String(s.pilots)}`;
  if (s.kind === 'stale') return `stale:${String(s.delay)}`;
  if (s.kind === 'quantised') return `quantised:${String(s.bits)}`;
  return String(s.kind);
}

/** Checks a GateCsiSpec built in code (not parsed); throws an InputError naming the bad value. */
export function validateGateCsi(spec: GateCsiSpec): GateCsiSpec {
  return parseGateCsi(formatGateCsi(spec));
}
