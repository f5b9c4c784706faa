// What an SNR-range field of the page (`start:step:stop` or a comma list) will sweep, in words,
// shown next to the field as the user types.
import { parseSnrRange } from '../src/sim/range.js';

/** Values listed before the rest is elided. */
const SHOWN = 6;

export interface RangeHint {
  /** The text parses; `values` are the points it gives. */
  ok: boolean;
  values: number[];
  /** "7 points: −10, −5, 0, 5, 10, 15, 20 dB", or the parse error. */
  text: string;
}

const dB = (v: number) => String(v).replace('-', '\u2212');

/**
 * Reads `text` as the sweep would (the package's parseSnrRange, errors naming `name`) and
 * describes the result: the number of points and the first ones (the last one after "…" when
 * there are more than six).
 */
export function describeSnrRange(text: string, name: string): RangeHint {
  let values: number[];
  try {
    values = parseSnrRange(text, name);
  } catch (e) {
    return { ok: false, values: [], text: (e as Error).message };
  }
  const list = values.length <= SHOWN ? values.map(dB) : [...values.slice(0, SHOWN - 1).map(dB), '…', dB(values[values.length - 1])];
  return { ok: true, values, text: `${values.length} point${values.length === 1 ? '' : 's'}: ${list.join(', ')} dB` };
}
