/**
 * Synthetic PHY tables and MCS tables with known curves, for link-adaptation tests
 * (test/link/adapt/). Nothing here is measured: every BLER is given or follows a closed form.
 */
import { loadPhyTable, PHY_TABLE_FORMAT, PHY_TABLE_VERSION, type PhyTable, type PhyTableData } from '../../src/link/adapt/bler_table.js';
import type { McsEntry, McsTable } from '../../src/codes/mcs/table.js';

/** An MCS table `name` of `count` BPSK rate-1/2 entries 0…count−1 (only the count and name matter here). */
export function syntheticMcsTable(name: string, count: number): McsTable {
  const entries: McsEntry[] = Array.from({ length: count }, (_, index) => ({
    index, modulation: 'bpsk', bitsPerSymbol: 1, rateNum: 1, rateDen: 2, rate: 0.5, code: '80211n:648:1/2', k: 324, n: 648, spectralEfficiency: 0.5,
  }));
  return { name, description: `synthetic table of ${count} MCS`, entries, reserved: [] };
}

/** A PHY table named `table` from explicit curves: per MCS (index = position) its Es/N0 grid (dB) and BLERs. */
export function phyTableOf(table: string, curves: { esn0Db: number[]; bler: number[] }[]): PhyTable {
  const data: PhyTableData = {
    format: PHY_TABLE_FORMAT,
    version: PHY_TABLE_VERSION,
    table,
    channel: 'awgn',
    decoder: { decoder: 'nms', iterations: 10, nmsFactor: 0.75, demapper: 'exact', earlyStop: true },
    seed: 0,
    grid: { esn0Db: [] },
    stopping: { maxFrameErrors: 100, maxFrames: 1_000_000, stopAtZeroErrors: false },
    mcs: curves.map(({ esn0Db, bler }, index) => ({
      index, modulation: 'bpsk', rate: 0.5, code: '80211n:648:1/2', k: 324, n: 648,
      points: esn0Db.map((x, j) => ({ esn0Db: x, frames: 1_000_000, frameErrors: Math.round(bler[j] * 1_000_000), bler: bler[j], blerCi95: [0, 1] as [number, number] })),
    })),
  };
  return loadPhyTable(data, `synthetic '${table}'`);
}

/**
 * Closed-form waterfall: BLER_m(s) = min(1, 10^(−(s − a_m)/w)), i.e. 1 up to a_m dB, then one decade
 * per `w` dB. Its threshold at target t is a_m − w·log10(t).
 */
export function logLinearBler(a: number, w: number, snrDb: number): number {
  return Math.min(1, 10 ** (-(snrDb - a) / w));
}

/**
 * A PHY table of {@link logLinearBler} curves with starts `a` (dB) and slope `w` (dB per decade),
 * sampled from a_m to a_m + 8w by w: log-linear interpolation reproduces the closed form exactly
 * on [a_m, a_m + 8w] (below a_m both are 1).
 */
export function logLinearPhyTable(table: string, a: number[], w: number): PhyTable {
  return phyTableOf(table, a.map((am) => {
    const esn0Db = Array.from({ length: 9 }, (_, j) => am + j * w);
    return { esn0Db, bler: esn0Db.map((x) => logLinearBler(am, w, x)) };
  }));
}
