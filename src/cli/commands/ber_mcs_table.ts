// `wmoe ber --mcs-table TABLE`: the PHY abstraction (BLER vs Es/N0 over AWGN for every MCS of a table).
import { simulateMcsTable, type McsSweepOptions, type McsSweepProgress } from '../../sim/index.js';
import type { PhyTableData } from '../../link/adapt/bler_table.js';
import { InputError } from '../../errors.js';

/** Flags of `wmoe ber` that `--mcs-table` replaces or that concern other channels. */
const EXCLUDED = ['code', 'modulation', 'ebn0-db', 'plot', 'channel', 'coherence', 'doppler', 'rx-csi'] as const;

/** Text report: a settings line, then one row per point: MCS, modulation, rate, Es/N0, frames, errors, BLER, its 95 % interval. */
export function formatPhyTable(t: PhyTableData): string {
  const d = t.decoder;
  const grid = 'esn0Db' in t.grid ? t.grid.esn0Db.join(',') + ' dB' : `Shannon ${t.grid.fromShannonDb}…+${t.grid.toShannonDb} dB by ${t.grid.stepDb}`;
  const lines = [
    `# PHY table ${t.table} over AWGN: ${d.decoder} ${d.iterations} iterations, ${d.demapper} LLRs; grid ${grid}; ` +
      `stop at ${t.stopping.maxFrameErrors} frame errors or ${t.stopping.maxFrames} frames${t.stopping.stopAtZeroErrors ? ', MCS done at its first error-free point' : ''}; seed ${t.seed}`,
    '# MCS | modulation |   rate | Es/N0 (dB) |      FRA |    FE |     BLER | BLER 95 % interval',
  ];
  for (const c of t.mcs) {
    for (const p of c.points) {
      lines.push(
        `${String(c.index).padStart(5)} | ${c.modulation.padStart(10)} | ${c.rate.toFixed(4)} | ${p.esn0Db.toFixed(2).padStart(10)} | ` +
          `${String(p.frames).padStart(8)} | ${String(p.frameErrors).padStart(5)} | ${p.bler.toExponential(2).padStart(8)} | ` +
          `[${p.blerCi95[0].toExponential(2)}, ${p.blerCi95[1].toExponential(2)}]`,
      );
    }
  }
  return lines.join('\n') + '\n';
}

/**
 * Runs the sweep of `--mcs-table` with the decoder and stopping options already parsed by `wmoe ber`
 * (`opts`; `esn0Db`, when given, is the common grid) and prints the table or, with `json`, the
 * PHY-table JSON. `flags` are the raw flag values, checked for flags the sweep does not take.
 */
export function berMcsTable(
  table: string,
  opts: Omit<McsSweepOptions, 'table' | 'grid'> & { esn0Db?: number[] },
  flags: Record<string, unknown>,
  json: boolean,
  progress: (p: McsSweepProgress) => void,
): void {
  for (const f of EXCLUDED) {
    if (flags[f] !== undefined) throw new InputError(`--mcs-table '${table}' takes no --${f} (it sweeps each MCS's own code and modulation over AWGN)`);
  }
  const { esn0Db, ...rest } = opts;
  const result = simulateMcsTable({ ...rest, table, ...(esn0Db !== undefined ? { grid: esn0Db } : {}) }, progress);
  process.stdout.write(json ? JSON.stringify(result, null, 2) + '\n' : formatPhyTable(result));
}
