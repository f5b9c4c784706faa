/**
 * 3GPP TS 38.214 Table 5.1.3.1-1 (MCS index table 1 for PDSCH, up to 64-QAM) on this package's NR
 * LDPC codes. Rows 0–28 are data; 29–31 are reserved (they only re-signal a modulation for
 * retransmissions) and have no entry.
 *
 * Package convention (the standard derives K from a transport block size with CRC and filler bits,
 * which this package does not model): one code block of about 1 000 information bits.
 *  - Base graph by TS 38.212 §7.2.2 (`nrBaseGraph`) with payload A = K ≤ 3824, so BG2 exactly when
 *    R ≤ 0.67 (R×1024 ≤ 686): rows 0–22 (R×1024 ≤ 679) use BG2 lifted by Z = 104 (K = 10·104 = 1040),
 *    rows 23–28 (R×1024 ≥ 719) use BG1 lifted by Z = 48 (K = 22·48 = 1056).
 *  - Rate-matched length E = the smallest multiple of Qm with K/E ≤ R, i.e. E = Qm·⌈K·1024/(R×1024·Qm)⌉
 *    (`nrRateMatchedLength`), so the code rate K/E is at most R and within one symbol of it.
 *  - Code spec `5gnr:bgB:zZ:eE` (circular-buffer rate matching, rv 0, first 2Z bits punctured; rows
 *    with E > N_cb repeat the buffer). See src/codes/ratematch.ts.
 * Only type imports from table.ts (table.ts imports this file).
 */
import type { McsEntry, McsModulation, McsTable } from './table.js';

/** Table 5.1.3.1-1 rows 0–28: [Qm, R×1024, spectral efficiency as printed (4 decimals)]. */
export const NR_MCS_TABLE1_ROWS: readonly (readonly [2 | 4 | 6, number, number])[] = [
  [2, 120, 0.2344], [2, 157, 0.3066], [2, 193, 0.377], [2, 251, 0.4902], [2, 308, 0.6016],
  [2, 379, 0.7402], [2, 449, 0.877], [2, 526, 1.0273], [2, 602, 1.1758], [2, 679, 1.3262],
  [4, 340, 1.3281], [4, 378, 1.4766], [4, 434, 1.6953], [4, 490, 1.9141], [4, 553, 2.1602],
  [4, 616, 2.4063], [4, 658, 2.5703],
  [6, 438, 2.5664], [6, 466, 2.7305], [6, 517, 3.0293], [6, 567, 3.3223], [6, 616, 3.6094],
  [6, 666, 3.9023], [6, 719, 4.2129], [6, 772, 4.5234], [6, 822, 4.8164], [6, 873, 5.1152],
  [6, 910, 5.332], [6, 948, 5.5547],
];

/** Reserved MCS indices of Table 5.1.3.1-1. */
export const NR_MCS_TABLE1_RESERVED: readonly number[] = [29, 30, 31];

/** Package convention: lifting size per base graph (BG1: K = 22·48 = 1056; BG2: K = 10·104 = 1040). */
export const NR_MCS_LIFTING: Readonly<Record<1 | 2, number>> = { 1: 48, 2: 104 };

/**
 * LDPC base graph of TS 38.212 §7.2.2 (DL-SCH; §6.2.2 UL-SCH is the same) for a payload of A bits at
 * target code rate R (a fraction in (0, 1]): BG2 if A ≤ 292, or A ≤ 3824 and R ≤ 0.67, or R ≤ 0.25;
 * otherwise BG1. Throws a one-line Error for a non-positive A or R outside (0, 1].
 */
export function nrBaseGraph(payloadBits: number, rate: number): 1 | 2 {
  if (!Number.isInteger(payloadBits) || payloadBits < 1) throw new Error(`nrBaseGraph: payload A = ${payloadBits} must be a positive integer`);
  if (!(rate > 0 && rate <= 1)) throw new Error(`nrBaseGraph: code rate R = ${rate} must be in (0, 1]`);
  if (payloadBits <= 292 || (payloadBits <= 3824 && rate <= 0.67) || rate <= 0.25) return 2;
  return 1;
}

/** Smallest multiple E of qm with k/E ≤ r1024/1024: E = qm·⌈k·1024/(r1024·qm)⌉ (exact integer arithmetic). */
export function nrRateMatchedLength(k: number, qm: number, r1024: number): number {
  // Integers far below 2^53: the quotient is never rounded onto an integer, so ceil is exact.
  return qm * Math.ceil((k * 1024) / (r1024 * qm));
}

const MODULATION: Readonly<Record<2 | 4 | 6, McsModulation>> = { 2: 'qpsk', 4: '16qam', 6: '64qam' };

function row(index: number, qm: 2 | 4 | 6, r1024: number, se: number): McsEntry {
  const rate = r1024 / 1024;
  // Both conventional K (1040, 1056) lie in (292, 3824], so the base graph depends on R alone.
  const bg = nrBaseGraph(10 * NR_MCS_LIFTING[2], rate);
  const z = NR_MCS_LIFTING[bg];
  const k = (bg === 1 ? 22 : 10) * z;
  if (nrBaseGraph(k, rate) !== bg) throw new Error(`NR MCS ${index}: K = ${k} changes the base graph`);
  const e = nrRateMatchedLength(k, qm, r1024);
  return {
    index,
    modulation: MODULATION[qm],
    bitsPerSymbol: qm,
    rateNum: r1024,
    rateDen: 1024,
    rate,
    code: `5gnr:bg${bg}:z${z}:e${e}`,
    k,
    n: e,
    spectralEfficiency: se,
  };
}

/** TS 38.214 MCS index table 1 (spec 'nr'), rows 0–28 on the package's NR codes (see the file note). */
export const NR_MCS_TABLE1: McsTable = {
  name: 'nr',
  description: '3GPP TS 38.214 Table 5.1.3.1-1 (MCS index table 1, up to 64-QAM) on NR LDPC codes, K ≈ 1 000',
  entries: NR_MCS_TABLE1_ROWS.map(([qm, r1024, se], i) => row(i, qm, r1024, se)),
  reserved: NR_MCS_TABLE1_RESERVED,
};
