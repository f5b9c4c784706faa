// BLER against Es/N0 over AWGN for every MCS of a table: the package's own PHY abstraction. Each MCS
// runs its code and modulation through simulateBer, one Es/N0 point at a time, so that its sweep can
// stop after the first error-free point.
import { mcsTable, type McsEntry, type McsTable } from '../codes/index.js';
import { deriveSeed } from '../random/hash.js';
import { fail } from '../errors.js';
import { simulateBer, type BerDecoder, type BerDemapper } from './ber.js';
import { PHY_TABLE_FORMAT, PHY_TABLE_VERSION, type PhyMcsCurve, type PhyTableData } from '../link/adapt/bler_table.js';

/** Purpose tag of an MCS point's seed: deriveSeed(seed mod 2^32, ⌊seed/2^32⌋, MCS_SWEEP_TAG, mcs, point). */
export const MCS_SWEEP_TAG = 0x4d435301;

/** Options of {@link simulateMcsTable}. */
export interface McsSweepOptions {
  /** MCS table name ('80211n:648', '80211n:1296', '80211n:1944', 'nr') or a table. */
  table: string | McsTable;
  /** MCS indices to simulate (default all, in order). Must be 0…M−1 for a storable table. */
  indices?: number[];
  /**
   * Es/N0 grid (dB): an explicit increasing list used for every MCS, or offsets from each MCS's
   * Shannon Es/N0 10·log10(2^(Qm·R) − 1), rounded to multiples of stepDb (default from −1 to +8 dB,
   * step 0.25 dB: the stored tables' grid).
   */
  grid?: number[] | { fromShannonDb: number; toShannonDb: number; stepDb: number };
  decoder?: BerDecoder;
  iterations?: number;
  nmsFactor?: number;
  demapper?: BerDemapper;
  earlyStop?: boolean;
  /** A point stops after this many frame errors (default 100). */
  maxFrameErrors?: number;
  /** … or after this many frames (default 100 000). */
  maxFrames?: number;
  batchFrames?: number;
  /** Stop an MCS's sweep after its first point without a frame error (default true). */
  stopAtZeroErrors?: boolean;
  /** Seed, an integer in [0, 2^53) (default 1). Same seed and options → identical JSON. */
  seed?: number;
}

/** Progress: called when a point of an MCS finishes. */
export interface McsSweepProgress {
  mcs: number;
  esn0Db: number;
  frames: number;
  frameErrors: number;
}

export const DEFAULT_MCS_GRID = { fromShannonDb: -1, toShannonDb: 8, stepDb: 0.25 } as const;

/** The Es/N0 grid (dB) of one MCS. */
export function mcsGrid(entry: McsEntry, grid: NonNullable<McsSweepOptions['grid']>): number[] {
  if (Array.isArray(grid)) return grid.slice();
  const shannon = 10 * Math.log10(2 ** (entry.bitsPerSymbol * entry.rate) - 1);
  const { fromShannonDb: a, toShannonDb: b, stepDb: s } = grid;
  const first = Math.round((shannon + a) / s);
  const last = Math.round((shannon + b) / s);
  const out: number[] = [];
  for (let i = first; i <= last; i++) out.push(Number((i * s).toFixed(6)));
  return out;
}

function checkGrid(grid: unknown): NonNullable<McsSweepOptions['grid']> {
  if (Array.isArray(grid)) {
    if (grid.length === 0) fail('simulateMcsTable: grid is an empty list');
    grid.forEach((x, i) => {
      if (typeof x !== 'number' || !Number.isFinite(x)) fail(`simulateMcsTable: grid contains ${String(x)}, not a finite number`);
      if (i > 0 && x <= grid[i - 1]) fail(`simulateMcsTable: grid is not increasing: ${x} dB after ${String(grid[i - 1])} dB`);
    });
    return grid as number[];
  }
  const g = grid as { fromShannonDb?: unknown; toShannonDb?: unknown; stepDb?: unknown };
  if (g === null || typeof g !== 'object' || ![g.fromShannonDb, g.toShannonDb, g.stepDb].every((v) => typeof v === 'number' && Number.isFinite(v))) {
    fail(`simulateMcsTable: grid must be a list of dB values or {fromShannonDb, toShannonDb, stepDb}, got ${JSON.stringify(grid)}`);
  }
  if (!((g.stepDb as number) > 0) || (g.toShannonDb as number) < (g.fromShannonDb as number)) {
    fail(`simulateMcsTable: grid needs stepDb > 0 and toShannonDb ≥ fromShannonDb, got ${JSON.stringify(grid)}`);
  }
  return g as { fromShannonDb: number; toShannonDb: number; stepDb: number };
}

/**
 * Simulates every MCS (or `indices`) of a table over AWGN with perfect receiver CSI: per MCS, its
 * LDPC code and modulation through {@link simulateBer} at each Es/N0 of its grid, each point seeded
 * deriveSeed(seed mod 2^32, ⌊seed/2^32⌋, MCS_SWEEP_TAG, mcs, point) and stopping at maxFrameErrors
 * frame errors or maxFrames frames; with stopAtZeroErrors the MCS's sweep ends after its first
 * error-free point. Returns the PHY-abstraction object (src/link/adapt/bler_table.ts); the same
 * options give the same object. One-line InputError for bad options, before any simulation.
 */
export function simulateMcsTable(o: McsSweepOptions, onProgress?: (p: McsSweepProgress) => void): PhyTableData {
  if (o === null || typeof o !== 'object') fail(`simulateMcsTable: options must be an object, got ${String(o)}`);
  const table = typeof o.table === 'string' ? mcsTable(o.table) : o.table;
  if (table === null || typeof table !== 'object' || !Array.isArray(table.entries)) fail(`simulateMcsTable: table must be an MCS table name or table, got ${String(o.table)}`);
  const indices = o.indices ?? table.entries.map((e) => e.index);
  for (const i of indices) {
    if (!Number.isInteger(i) || i < 0 || i >= table.entries.length) fail(`simulateMcsTable: MCS index ${String(i)} is not in table '${table.name}'`);
  }
  const grid = checkGrid(o.grid ?? DEFAULT_MCS_GRID);
  const seed = o.seed ?? 1;
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed) || seed < 0) fail(`simulateMcsTable: seed must be an integer in [0, 2^53), got ${String(seed)}`);
  const stopAtZeroErrors = o.stopAtZeroErrors ?? true;
  const base = {
    decoder: o.decoder, iterations: o.iterations, nmsFactor: o.nmsFactor, demapper: o.demapper, earlyStop: o.earlyStop,
    maxFrameErrors: o.maxFrameErrors, maxFrames: o.maxFrames, batchFrames: o.batchFrames,
  };
  // Validates every decoder/stopping option on the first MCS (one frame), before the long run.
  const probe = simulateBer({ ...base, code: table.entries[indices[0] ?? 0].code, modulation: table.entries[indices[0] ?? 0].modulation, esn0Db: [0], maxFrames: 1 });
  const mcs: PhyMcsCurve[] = indices.map((m) => {
    const e = table.entries[m];
    const points: PhyMcsCurve['points'] = [];
    for (const [pi, esn0Db] of mcsGrid(e, grid).entries()) {
      const pointSeed = deriveSeed(seed % 2 ** 32, Math.floor(seed / 2 ** 32), MCS_SWEEP_TAG, m, pi);
      const r = simulateBer({ ...base, code: e.code, modulation: e.modulation, esn0Db: [esn0Db], seed: pointSeed }).points[0];
      points.push({ esn0Db, frames: r.frames, frameErrors: r.frameErrors, bler: r.fer, blerCi95: [r.ferInterval.lo, r.ferInterval.hi] });
      onProgress?.({ mcs: m, esn0Db, frames: r.frames, frameErrors: r.frameErrors });
      if (stopAtZeroErrors && r.frameErrors === 0) break;
    }
    return { index: m, modulation: e.modulation, rate: e.k / e.n, code: e.code, k: e.k, n: e.n, points };
  });
  return {
    format: PHY_TABLE_FORMAT,
    version: PHY_TABLE_VERSION,
    table: table.name,
    channel: 'awgn',
    decoder: { decoder: probe.decoder!, iterations: probe.iterations!, nmsFactor: probe.nmsFactor, demapper: probe.demapper, earlyStop: o.earlyStop ?? true },
    seed,
    grid: Array.isArray(grid) ? { esn0Db: grid.slice() } : { ...grid },
    stopping: { maxFrameErrors: probe.maxFrameErrors, maxFrames: o.maxFrames ?? 100000, stopAtZeroErrors },
    mcs,
  };
}
