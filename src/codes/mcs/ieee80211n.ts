/**
 * IEEE 802.11n MCS 0–7 (one spatial stream) on the 802.11n LDPC codes of length 648, 1296 or 1944:
 * BPSK 1/2, QPSK 1/2, QPSK 3/4, 16-QAM 1/2, 16-QAM 3/4, 64-QAM 2/3, 64-QAM 3/4, 64-QAM 5/6
 * (the HT single-stream MCS of IEEE 802.11n; MCS 0–7 are the same in 802.11ac). Every codeword length is a
 * multiple of 1, 2, 4 and 6 coded bits per symbol, so a codeword fills whole symbols.
 * Only type imports from table.ts (table.ts imports this file).
 */
import type { McsEntry, McsModulation, McsTable } from './table.js';

/** Codeword lengths of the 802.11n LDPC codes that carry an MCS table. */
export const IEEE80211N_MCS_LENGTHS: readonly number[] = [648, 1296, 1944];

/** MCS 0–7: [modulation, bits per symbol, rate numerator, rate denominator]. */
const ROWS: readonly (readonly [McsModulation, 1 | 2 | 4 | 6, number, number])[] = [
  ['bpsk', 1, 1, 2],
  ['qpsk', 2, 1, 2],
  ['qpsk', 2, 3, 4],
  ['16qam', 4, 1, 2],
  ['16qam', 4, 3, 4],
  ['64qam', 6, 2, 3],
  ['64qam', 6, 3, 4],
  ['64qam', 6, 5, 6],
];

const cache = new Map<number, McsTable>();

/**
 * The 802.11n MCS table on codeword length `n` (648, 1296 or 1944): entry i uses the package's code
 * spec `80211n:n:R` (k = n·R information bits, n transmitted). Throws a one-line Error for another n
 * (callers validate names through parseMcsSpec).
 */
export function ieee80211nMcsTable(n: number): McsTable {
  if (!IEEE80211N_MCS_LENGTHS.includes(n)) {
    throw new Error(`ieee80211nMcsTable: no 802.11n code of length ${n} (expected ${IEEE80211N_MCS_LENGTHS.join(', ')})`);
  }
  let table = cache.get(n);
  if (table) return table;
  const entries: McsEntry[] = ROWS.map(([modulation, bitsPerSymbol, num, den], index) => ({
    index,
    modulation,
    bitsPerSymbol,
    rateNum: num,
    rateDen: den,
    rate: num / den,
    code: `80211n:${n}:${num}/${den}`,
    k: (n * num) / den,
    n,
    spectralEfficiency: (bitsPerSymbol * num) / den,
  }));
  table = {
    name: `80211n:${n}`,
    description: `IEEE 802.11n MCS 0–7 on the ${n}-bit LDPC codes`,
    entries,
    reserved: [],
  };
  cache.set(n, table);
  return table;
}
