/**
 * The PHY abstraction the package measures itself: block error rate (BLER) against Es/N0 over AWGN
 * for every MCS of a table (`simulateMcsTable` in src/sim/mcs_sweep.ts, `wmoe ber --mcs-table`,
 * stored under src/link/adapt/data/). `loadPhyTable` validates such an object; a `PhyTable`
 * interpolates each curve (made non-increasing by a running minimum from low SNR up; log-linear in
 * BLER between grid points) and gives per-MCS SNR thresholds for a target BLER. Block fading per
 * codeword with perfect CSI maps to AWGN at the instantaneous SNR, so these curves apply there.
 */
import { InputError } from '../../errors.js';
import { wilsonInterval } from '../../sim/confidence.js';

/** One measured point of a BLER curve. */
export interface PhyPoint {
  /** Es/N0 in dB (energy per modulated symbol over N0). */
  esn0Db: number;
  frames: number;
  frameErrors: number;
  /** frameErrors / frames, in [0, 1]. */
  bler: number;
  /** 95 % Wilson interval of the BLER, [lo, hi]. */
  blerCi95: [number, number];
}

/** The measured curve of one MCS. */
export interface PhyMcsCurve {
  /** MCS index in its table (curves are stored in increasing index order). */
  index: number;
  modulation: string;
  /** Code rate k/n. */
  rate: number;
  /** LDPC code spec (`ldpcCode()`). */
  code: string;
  k: number;
  n: number;
  /** Points in strictly increasing Es/N0. */
  points: PhyPoint[];
}

/** Decoder and demapper settings of the measurement. */
export interface PhyDecoderSettings {
  decoder: string;
  iterations: number;
  nmsFactor: number | null;
  demapper: string;
  earlyStop: boolean;
}

/** A PHY-abstraction table: BLER vs Es/N0 per MCS, with everything needed to regenerate it. */
export interface PhyTableData {
  /** Format tag: 'wireless-moe/phy-table'. */
  format: string;
  /** Format version: 1. */
  version: number;
  /** MCS table name (an MCS spec: '80211n:1944', 'nr', …). */
  table: string;
  /** Always 'awgn'. */
  channel: string;
  decoder: PhyDecoderSettings;
  /** Master seed of the sweep. */
  seed: number;
  /**
   * How each MCS's Es/N0 grid was chosen: an explicit list, or offsets from its Shannon Es/N0
   * 10·log10(2^(bitsPerSymbol·rate) − 1), rounded to the step.
   */
  grid: { esn0Db: number[] } | { fromShannonDb: number; toShannonDb: number; stepDb: number };
  /** Stopping rules per point, and whether an MCS's sweep stopped after its first error-free point. */
  stopping: { maxFrameErrors: number; maxFrames: number; stopAtZeroErrors: boolean };
  mcs: PhyMcsCurve[];
  /** How to regenerate the table (e.g. the scripts/phy-tables.mjs command line); optional. */
  generatedBy?: string;
}

export const PHY_TABLE_FORMAT = 'wireless-moe/phy-table';
export const PHY_TABLE_VERSION = 1;

function bad(source: string, what: string): never {
  throw new InputError(`PHY table ${source}: ${what}`);
}
const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const count = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** Checks one MCS curve (position i); one-line InputError naming the bad value. */
function checkCurve(c: unknown, pos: number, prevIndex: number, source: string): number {
  if (!isObj(c)) bad(source, `mcs[${pos}] is not an object`);
  const m = c as Record<string, unknown>;
  if (!count(m.index) || (m.index as number) <= prevIndex) bad(source, `mcs[${pos}] has index ${String(m.index)}, not an MCS index above ${prevIndex}`);
  const i = m.index as number;
  if (typeof m.modulation !== 'string' || typeof m.code !== 'string') bad(source, `MCS ${i} lacks its modulation or code`);
  if (!finite(m.rate) || !(m.rate > 0 && m.rate <= 1)) bad(source, `MCS ${i} has rate ${String(m.rate)}, not in (0, 1]`);
  if (!Array.isArray(m.points) || m.points.length === 0) bad(source, `MCS ${i} has no points`);
  let prev = -Infinity;
  (m.points as unknown[]).forEach((p, j) => {
    if (!isObj(p)) bad(source, `MCS ${i} point ${j} is not an object`);
    const q = p as Record<string, unknown>;
    if (!finite(q.esn0Db)) bad(source, `MCS ${i} point ${j} has esn0Db ${String(q.esn0Db)}, not a finite number`);
    if ((q.esn0Db as number) <= prev) bad(source, `MCS ${i} grid is not increasing: ${String(q.esn0Db)} dB after ${prev} dB`);
    prev = q.esn0Db as number;
    if (!finite(q.bler) || (q.bler as number) < 0 || (q.bler as number) > 1) bad(source, `MCS ${i} at ${prev} dB has bler ${String(q.bler)}, outside [0, 1]`);
    if (!count(q.frames) || !count(q.frameErrors) || (q.frameErrors as number) > (q.frames as number)) {
      bad(source, `MCS ${i} at ${prev} dB has frames ${String(q.frames)} / frameErrors ${String(q.frameErrors)}, not counts with errors ≤ frames`);
    }
  });
  return i;
}

/**
 * Validates `data` (a parsed PHY-table JSON) and returns it as a {@link PhyTable}. `source` names it
 * in errors (a path or 'input'). `expectedEntries`, when given, is the MCS count M of the table: then
 * every index 0…M−1 must be present. One-line InputError for: wrong format tag, no MCS, an MCS
 * missing or out of order, a grid that is not
 * strictly increasing, a BLER outside [0, 1], bad counts.
 */
export function loadPhyTable(data: unknown, source = 'input', expectedEntries?: number): PhyTable {
  if (!isObj(data)) bad(source, 'is not a JSON object');
  const d = data as Record<string, unknown>;
  if (d.format !== PHY_TABLE_FORMAT) bad(source, `has format ${JSON.stringify(d.format)}, expected '${PHY_TABLE_FORMAT}'`);
  if (d.version !== PHY_TABLE_VERSION) bad(source, `has version ${String(d.version)}, expected ${PHY_TABLE_VERSION}`);
  if (typeof d.table !== 'string') bad(source, `has table ${String(d.table)}, not an MCS table name`);
  if (!Array.isArray(d.mcs) || d.mcs.length === 0) bad(source, 'has no MCS curves (mcs is empty or missing)');
  let prev = -1;
  const indices = (d.mcs as unknown[]).map((c, pos) => (prev = checkCurve(c, pos, prev, source)));
  if (expectedEntries !== undefined) {
    const missing = Array.from({ length: expectedEntries }, (_, i) => i).filter((i) => !indices.includes(i));
    if (missing.length > 0) bad(source, `lacks MCS ${missing.join(', ')} of table '${String(d.table)}' (${expectedEntries} MCS)`);
    if (indices.length > expectedEntries) bad(source, `has MCS ${indices[indices.length - 1]}, table '${String(d.table)}' has ${expectedEntries} MCS`);
  }
  return new PhyTable(data as unknown as PhyTableData);
}

/** Parses PHY-table JSON text and validates it ({@link loadPhyTable}). */
export function parsePhyTable(text: string, source = 'input', expectedEntries?: number): PhyTable {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    bad(source, `is not valid JSON (${(e as Error).message.split('\n')[0]})`);
  }
  return loadPhyTable(data, source, expectedEntries);
}

/** Log-linear interpolation of BLER between (x0, b0) and (x1, b1) at x; linear when one end is 0. */
function interp(x0: number, b0: number, x1: number, b1: number, x: number): number {
  const t = (x - x0) / (x1 - x0);
  if (b0 > 0 && b1 > 0) return Math.exp(Math.log(b0) + t * (Math.log(b1) - Math.log(b0)));
  return b0 + t * (b1 - b0);
}

/** A validated PHY table with monotone BLER curves (see the file note). */
export class PhyTable {
  /** Per MCS index: the grid (dB) and the running-minimum BLER on it. */
  private readonly curves = new Map<number, { x: number[]; b: number[] }>();
  /** The same with each point's upper Wilson bound at each confidence level asked for (see {@link threshold}). */
  private readonly upper = new Map<string, { x: number[]; b: number[] }>();

  constructor(readonly data: PhyTableData) {
    for (const c of data.mcs) {
      let min = 1;
      this.curves.set(c.index, { x: c.points.map((p) => p.esn0Db), b: c.points.map((p) => (min = Math.min(min, p.bler))) });
    }
  }

  /** The MCS indices with a curve, increasing. */
  get indices(): number[] {
    return this.data.mcs.map((c) => c.index);
  }

  private curve(m: number, confidence?: number): { x: number[]; b: number[] } {
    const c = this.curves.get(m);
    if (c === undefined) throw new InputError(`MCS index ${String(m)} is not in PHY table '${this.data.table}' (indices ${this.indices.join(', ')})`);
    if (confidence === undefined) return c;
    const key = `${m}@${confidence}`;
    let u = this.upper.get(key);
    if (u === undefined) {
      let min = 1;
      const points = this.data.mcs.find((e) => e.index === m)!.points;
      u = { x: c.x, b: points.map((p) => (min = Math.min(min, wilsonInterval(p.frameErrors, p.frames, confidence).hi))) };
      this.upper.set(key, u);
    }
    return u;
  }

  /**
   * BLER of MCS `m` at Es/N0 `snrDb` (dB): the monotone curve, log-linear between grid points
   * (linear towards a zero BLER). Below the grid: 1 (unmeasured, assumed failing); above: the
   * last point's value. With `confidence`: the curve of the points' upper Wilson bounds (see
   * {@link threshold}).
   */
  blerAt(m: number, snrDb: number, confidence?: number): number {
    const { x, b } = this.curve(m, confidence);
    if (snrDb < x[0]) return 1;
    if (snrDb >= x[x.length - 1]) return b[b.length - 1];
    let i = 0;
    while (x[i + 1] <= snrDb) i++;
    return interp(x[i], b[i], x[i + 1], b[i + 1], snrDb);
  }

  /**
   * The lowest Es/N0 (dB) where MCS `m`'s monotone curve is ≤ `targetBler` (target in (0, 1)):
   * the grid's first point if it already meets it, +Infinity if no measured point does. With
   * `confidence` (in (0, 1), e.g. 0.95) the curve of each point's upper Wilson bound at that level
   * is used instead of its estimate: a threshold conservative by the table's own statistical
   * uncertainty (100 frame errors per point give about ±20 % on a BLER).
   */
  threshold(m: number, targetBler: number, confidence?: number): number {
    if (typeof targetBler !== 'number' || !(targetBler > 0 && targetBler < 1)) {
      throw new InputError(`BLER target ${String(targetBler)} is outside (0, 1)`);
    }
    if (confidence !== undefined && !(confidence > 0 && confidence < 1)) throw new InputError(`confidence ${String(confidence)} is outside (0, 1)`);
    const { x, b } = this.curve(m, confidence);
    const i = b.findIndex((v) => v <= targetBler);
    if (i < 0) return Infinity;
    if (i === 0) return x[0];
    const [x0, b0, x1, b1] = [x[i - 1], b[i - 1], x[i], b[i]];
    const t = b1 > 0 ? Math.log(targetBler / b0) / Math.log(b1 / b0) : (b0 - targetBler) / b0;
    return x0 + t * (x1 - x0);
  }

  /** {@link threshold} of every MCS of {@link indices}, in that order. */
  thresholds(targetBler: number, confidence?: number): number[] {
    return this.indices.map((m) => this.threshold(m, targetBler, confidence));
  }
}
