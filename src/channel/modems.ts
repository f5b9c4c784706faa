// Lookup of the modems by name.
import { bpsk } from './bpsk.js';
import type { Modem, ModulationName } from './modem.js';
import { qam16 } from './qam16.js';
import { qam64 } from './qam64.js';
import { qpsk } from './qpsk.js';
import { InputError } from '../errors.js';

const MODEMS: Record<ModulationName, Modem> = { bpsk, qpsk, '16qam': qam16, '64qam': qam64 };

/** The modem called `name` ('bpsk', 'qpsk', '16qam' or '64qam'). */
export function getModem(name: ModulationName): Modem {
  const m = Object.prototype.hasOwnProperty.call(MODEMS, name) ? MODEMS[name] : undefined;
  if (!m) throw new InputError(`wireless-moe/channel: unknown modulation '${String(name)}' (expected bpsk, qpsk, 16qam or 64qam)`);
  return m;
}
