/**
 * Modulation and coding schemes (MCS) as data: an `McsEntry` names a modulation and an LDPC code spec
 * that `ldpcCode()` builds; an `McsTable` is an ordered list of them. Tables are chosen by an MCS spec
 * string `TABLE[:INDEX]`:
 *  - `80211n:648`, `80211n:1296`, `80211n:1944`  IEEE 802.11n MCS 0–7 on that LDPC codeword length;
 *  - `nr` (alias `nr:table1`)                       3GPP TS 38.214 Table 5.1.3.1-1 (MCS index table 1,
 *                                                   up to 64-QAM), rows 0–28 (29–31 are reserved);
 *  - `TABLE:INDEX` fixes one MCS of the table, e.g. `80211n:1944:5`, `nr:17`, `nr:table1:17`.
 * Bad specs raise a one-line InputError naming the bad value. Nothing here imports tfjs.
 */
import { IEEE80211N_MCS_LENGTHS, ieee80211nMcsTable } from './ieee80211n.js';
import { NR_MCS_TABLE1, NR_MCS_TABLE1_RESERVED } from './nr.js';
import { InputError } from '../../errors.js';

/** Modulations an MCS can name (the 3GPP/802.11 Gray mappings of src/channel). */
export type McsModulation = 'bpsk' | 'qpsk' | '16qam' | '64qam';

/** Bits per complex symbol of each MCS modulation. */
export const MCS_BITS_PER_SYMBOL: Readonly<Record<McsModulation, 1 | 2 | 4 | 6>> = {
  bpsk: 1,
  qpsk: 2,
  '16qam': 4,
  '64qam': 6,
};

/** One modulation and coding scheme. */
export interface McsEntry {
  /** MCS index within its table (0-based, as in the standard). */
  readonly index: number;
  readonly modulation: McsModulation;
  /** Coded bits per complex channel use (Qm): 1, 2, 4 or 6. */
  readonly bitsPerSymbol: 1 | 2 | 4 | 6;
  /** Target code rate numerator: 802.11n 1, 2, 3 or 5 (of 2, 3, 4, 6); NR R×1024. */
  readonly rateNum: number;
  /** Target code rate denominator: 802.11n 2, 3, 4 or 6; NR 1024. */
  readonly rateDen: number;
  /** Target code rate rateNum / rateDen. The code's actual k/n is at most this (equal for 802.11n). */
  readonly rate: number;
  /** LDPC code spec for `ldpcCode()`, e.g. '80211n:1944:3/4' or '5gnr:bg2:z104:e8876'. */
  readonly code: string;
  /** Information bits per codeword (the code's k). */
  readonly k: number;
  /** Transmitted bits per codeword (the code's n, or the rate-matched E); a multiple of bitsPerSymbol. */
  readonly n: number;
  /** Spectral efficiency bitsPerSymbol × rate in information bits per channel use (NR: the table's 4 decimals). */
  readonly spectralEfficiency: number;
}

/** An ordered MCS table: entries[i].index === i. */
export interface McsTable {
  /** Canonical table name, usable as an MCS spec: '80211n:648', '80211n:1296', '80211n:1944' or 'nr'. */
  readonly name: string;
  /** One line: the standard and the codes used. */
  readonly description: string;
  readonly entries: readonly McsEntry[];
  /** Indices the standard defines but reserves (no entry): NR 29–31; empty for 802.11n. */
  readonly reserved: readonly number[];
}

/** A parsed MCS spec: a table, and one of its entries when the spec fixes an index. */
export interface McsSpec {
  readonly table: McsTable;
  /** The fixed MCS index, or null for the whole table (adaptive choice). */
  readonly index: number | null;
}

/** Canonical names of every MCS table, for help text and errors. */
export const MCS_TABLE_NAMES: readonly string[] = [...IEEE80211N_MCS_LENGTHS.map((n) => `80211n:${n}`), 'nr'];

const EXPECTED = `expected TABLE or TABLE:INDEX with TABLE one of ${MCS_TABLE_NAMES.join(', ')} (or nr:table1)`;

/** The table named by `name` (canonical or alias), or undefined. */
function tableNamed(name: string): McsTable | undefined {
  if (name === 'nr' || name === 'nr:table1') return NR_MCS_TABLE1;
  const m = /^80211n:(\d+)$/.exec(name);
  if (m && IEEE80211N_MCS_LENGTHS.includes(Number(m[1]))) return ieee80211nMcsTable(Number(m[1]));
  return undefined;
}

/** The entry of `table` with MCS index `index`; one-line InputError when the table lacks it. */
export function mcsEntry(table: McsTable, index: number): McsEntry {
  const last = table.entries.length - 1;
  if (table.reserved.includes(index)) {
    throw new InputError(`MCS index ${index} is reserved in table '${table.name}' (usable indices 0–${last})`);
  }
  if (!Number.isInteger(index) || index < 0 || index > last) {
    throw new InputError(`MCS table '${table.name}' has no index ${index} (usable indices 0–${last})`);
  }
  return table.entries[index];
}

/**
 * Parses an MCS spec `TABLE[:INDEX]` (see the file note): `'80211n:1944'` → the whole table,
 * `'80211n:1944:5'` → index 5 of it, `'nr:17'` / `'nr:table1:17'` → NR row 17. One-line InputError
 * naming the spec for an unknown table, a malformed index or an index the table lacks.
 */
export function parseMcsSpec(spec: string): McsSpec {
  if (typeof spec !== 'string') throw new InputError(`MCS spec must be a string, got ${String(spec)}`);
  const text = spec.trim();
  const whole = tableNamed(text);
  if (whole) return { table: whole, index: null };
  const cut = text.lastIndexOf(':');
  const table = cut > 0 ? tableNamed(text.slice(0, cut)) : undefined;
  if (!table) throw new InputError(`unknown MCS spec '${spec}' (${EXPECTED})`);
  const indexText = text.slice(cut + 1);
  if (!/^\d+$/.test(indexText)) {
    throw new InputError(`bad MCS index '${indexText}' in '${spec}' (expected an integer 0–${table.entries.length - 1})`);
  }
  const index = Number(indexText);
  try {
    mcsEntry(table, index);
  } catch (e) {
    throw new InputError(`MCS spec '${spec}': ${(e as Error).message}`);
  }
  return { table, index };
}

/** The MCS table named by `name` (no index); one-line InputError otherwise. */
export function mcsTable(name: string): McsTable {
  const { table, index } = parseMcsSpec(name);
  if (index !== null) throw new InputError(`'${name}' names one MCS, not a table (drop ':${index}')`);
  return table;
}

/** The spec string of a parsed spec: the canonical table name, plus ':INDEX' when one is fixed. */
export function formatMcsSpec(spec: McsSpec): string {
  return spec.index === null ? spec.table.name : `${spec.table.name}:${spec.index}`;
}
