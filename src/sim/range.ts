// Text forms of SNR sweeps, as given on the command line (`--ebn0-db 0:0.5:4`, `--esn0-db 1.5,2,2.5`).
import { InputError } from '../errors.js';

/** Largest number of points a range may expand to. */
export const MAX_RANGE_POINTS = 10000;

function num(text: string, part: string, whole: string, name: string): number {
  const t = part.trim();
  const v = t === '' ? NaN : Number(t);
  if (!Number.isFinite(v)) throw new InputError(`${name} '${whole}': '${part}' is not a finite number`);
  return v;
}

/**
 * Parses an SNR sweep in dB: `start:step:stop` (inclusive of stop when it lies on the grid; step
 * may be negative for a falling sweep, never 0), a comma list `1.5,2,2.5`, or one number.
 * Grid points are start + i·step rounded to 12 significant digits (so 0:0.1:0.3 gives 0.3, not
 * 0.30000000000000004). Throws a one-line error naming `name` and the bad text; at most
 * {@link MAX_RANGE_POINTS} points.
 */
export function parseSnrRange(text: string, name = 'range'): number[] {
  if (typeof text !== 'string' || text.trim() === '') throw new InputError(`${name} '${String(text)}' is empty`);
  const colon = text.split(':');
  if (colon.length > 1) {
    if (colon.length !== 3) throw new InputError(`${name} '${text}' must be start:step:stop or a comma list`);
    const [start, step, stop] = colon.map((p) => num(p, p, text, name));
    if (step === 0) throw new InputError(`${name} '${text}': step must not be 0`);
    if ((stop - start) * step < 0) throw new InputError(`${name} '${text}': step ${step} does not lead from ${start} to ${stop}`);
    const count = Math.floor((stop - start) / step + 1e-9) + 1;
    if (count > MAX_RANGE_POINTS) throw new InputError(`${name} '${text}' has ${count} points (at most ${MAX_RANGE_POINTS})`);
    return Array.from({ length: count }, (_, i) => Number((start + i * step).toPrecision(12)));
  }
  const parts = text.split(',');
  if (parts.length > MAX_RANGE_POINTS) throw new InputError(`${name} '${text.slice(0, 40)}...' has more than ${MAX_RANGE_POINTS} points`);
  return parts.map((p) => num(p, p, text, name));
}
