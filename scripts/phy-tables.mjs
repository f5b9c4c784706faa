#!/usr/bin/env node
// Regenerates the stored PHY-abstraction tables src/link/adapt/data/<table>.json: BLER against Es/N0
// over AWGN for every MCS of each table, measured by the package's own simulator (simulateMcsTable
// from dist/sim.mjs: run `npm run build:ts` first). With the defaults all four tables take about
// 8 minutes on one core (measured 2026-12-07 on a busy machine: 80211n 648/1296/1944 in about a
// minute each, nr in 6 minutes).
//
//   node scripts/phy-tables.mjs [--tables 80211n:648,80211n:1296,80211n:1944,nr] [--out DIR]
//        [--seed 18] [--max-frame-errors 100] [--max-frames 20000] [--grid=-1:8:0.25]
//
// Defaults (those of the stored tables): seed 18; the digital link's decoder (layered NMS, factor
// 0.75, 10 iterations, early stop, exact LLRs); per MCS the Es/N0 grid from its Shannon Es/N0
// 10·log10(2^(Qm·R) − 1) − 1 dB to + 8 dB by 0.25 dB; each point stops at 100 frame errors or 20 000
// frames, and an MCS's sweep ends at its first point without a frame error. Each MCS point's seed is
// deriveSeed(seed, MCS_SWEEP_TAG, mcs, point), so the same options give byte-identical files.
// The file for table T is T with ':' replaced by '-': 80211n-1944.json, nr.json.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const ROOT = new URL('..', import.meta.url).pathname;
const { simulateMcsTable, loadPhyTable } = await import(join(ROOT, 'dist/sim.mjs'));
const { mcsTable } = await import(join(ROOT, 'dist/codes.mjs'));

const { values: v } = parseArgs({
  options: {
    tables: { type: 'string', default: '80211n:648,80211n:1296,80211n:1944,nr' },
    out: { type: 'string', default: join(ROOT, 'src/link/adapt/data') },
    seed: { type: 'string', default: '18' },
    'max-frame-errors': { type: 'string', default: '100' },
    'max-frames': { type: 'string', default: '20000' },
    grid: { type: 'string', default: '-1:8:0.25' },
    quiet: { type: 'boolean', default: false },
  },
});

function int(name) {
  const x = Number(v[name]);
  if (!Number.isSafeInteger(x) || x < 0) throw new Error(`--${name} '${v[name]}' must be an integer ≥ 0`);
  return x;
}
const [fromShannonDb, toShannonDb, stepDb] = v.grid.split(':').map(Number);
if (![fromShannonDb, toShannonDb, stepDb].every(Number.isFinite)) throw new Error(`--grid '${v.grid}' must be FROM:TO:STEP (dB from each MCS's Shannon Es/N0)`);
const options = {
  seed: int('seed'),
  maxFrameErrors: int('max-frame-errors'),
  maxFrames: int('max-frames'),
  grid: { fromShannonDb, toShannonDb, stepDb },
};
const tables = v.tables.split(',');
for (const t of tables) mcsTable(t); // every name checked before any simulation
mkdirSync(v.out, { recursive: true });

for (const t of tables) {
  const t0 = Date.now();
  const result = simulateMcsTable({ ...options, table: t }, (p) => {
    if (!v.quiet) process.stderr.write(`${t} MCS ${p.mcs} Es/N0 ${p.esn0Db} dB: ${p.frameErrors}/${p.frames}\n`);
  });
  result.generatedBy =
    `node scripts/phy-tables.mjs --tables ${t} --seed ${options.seed} --max-frame-errors ${options.maxFrameErrors} ` +
    `--max-frames ${options.maxFrames} --grid=${v.grid}`;
  loadPhyTable(result, t, mcsTable(t).entries.length); // validate before writing
  const file = join(v.out, `${t.replaceAll(':', '-')}.json`);
  writeFileSync(`${file}.tmp`, JSON.stringify(result, null, 1) + '\n');
  renameSync(`${file}.tmp`, file);
  if (!v.quiet) process.stderr.write(`${file}: ${result.mcs.length} MCS in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
}
