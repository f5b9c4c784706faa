/**
 * 3GPP TS 38.212 §5.3.2 LDPC base graphs BG1 (46 x 68, 22 information block columns) and BG2
 * (42 x 52, 10 information block columns), lifted by any Z of Table 5.3.2-1.
 */
import { NR_BG1, NR_BG2, type NrBaseGraphData } from './data/nr_base_graphs.js';
import { expandQc, type QcPrototype } from './qc.js';
import type { ParityCheckMatrix } from './types.js';
import { InputError } from '../errors.js';

/** The set generators a of Table 5.3.2-1, indexed by iLS: Z = a·2^j ≤ 384. */
export const NR_SET_GENERATORS: readonly number[] = [2, 3, 5, 7, 9, 11, 13, 15];

/** Largest lifting size of Table 5.3.2-1. */
export const NR_MAX_LIFTING = 384;

/** Every lifting size Z of Table 5.3.2-1 (51 values), ascending. */
export const NR_LIFTING_SIZES: readonly number[] = (() => {
  const out: number[] = [];
  for (const a of NR_SET_GENERATORS) for (let z = a; z <= NR_MAX_LIFTING; z *= 2) out.push(z);
  return out.sort((x, y) => x - y);
})();

/** The set index iLS (0..7) of lifting size Z, or −1 when Z is not in Table 5.3.2-1. */
export function nrLiftingSet(z: number): number {
  if (!Number.isInteger(z) || z < 2 || z > NR_MAX_LIFTING) return -1;
  for (let i = 0; i < NR_SET_GENERATORS.length; i++) {
    const a = NR_SET_GENERATORS[i];
    const q = z / a;
    if (Number.isInteger(q) && (q & (q - 1)) === 0) return i;
  }
  return -1;
}

/** An expanded NR mother code (no puncturing, no rate matching). */
export interface NrCode {
  /** Base graph, 1 or 2. */
  bg: 1 | 2;
  /** Lifting size. */
  Z: number;
  /** Set index iLS of Z. */
  iLS: number;
  /** Information block columns: 22 (BG1) or 10 (BG2). */
  kb: number;
  /** Mother codeword length 68·Z (BG1) or 52·Z (BG2) bits. */
  n: number;
  /** Information bits kb·Z. */
  k: number;
  /** Prototype with shifts V[iLS] mod Z (−1 = zero block). */
  proto: QcPrototype;
  /** Expanded parity-check matrix, (46·Z or 42·Z) x n. */
  H: ParityCheckMatrix;
}

const cache = new Map<string, NrCode>();

/**
 * The NR LDPC mother code of base graph `bg` (1 or 2) lifted by `z` (a lifting size of
 * Table 5.3.2-1). Cached; treat the result as read-only. One-line error naming a bad bg or Z.
 */
export function nrCode(bg: number, z: number): NrCode {
  if (bg !== 1 && bg !== 2) throw new InputError(`nrCode: base graph ${bg} is not 1 or 2`);
  const iLS = nrLiftingSet(z);
  if (iLS < 0) {
    throw new InputError(`nrCode: lifting size Z = ${z} is not in TS 38.212 Table 5.3.2-1 (Z = a·2^j ≤ 384, a ∈ {2,3,5,7,9,11,13,15})`);
  }
  const key = `${bg}:${z}`;
  let code = cache.get(key);
  if (code) return code;
  const g: NrBaseGraphData = bg === 1 ? NR_BG1 : NR_BG2;
  const shifts = new Int32Array(g.rows * g.cols).fill(-1);
  for (let e = 0; e < g.count; e++) {
    const base = e * 10;
    shifts[g.entries[base] * g.cols + g.entries[base + 1]] = g.entries[base + 2 + iLS] % z;
  }
  const proto: QcPrototype = { rows: g.rows, cols: g.cols, z, shifts };
  const kb = g.cols - g.rows;
  code = { bg, Z: z, iLS, kb, n: g.cols * z, k: kb * z, proto, H: expandQc(proto) };
  cache.set(key, code);
  return code;
}
