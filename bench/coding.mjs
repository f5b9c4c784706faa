// What a digital link costs against the analog one: runs the built CLI's
// `wmoe bench coding --vectors 128 --json` (the model's analog link on backend wmoe against the
// LDPC-coded digital links, per LeNet-5 feature vector) and writes its rows, with the command,
// date and load average, to bench/results/coding.json, from which the README's coding-overhead
// table is generated (scripts/readme-figures.mjs).
//
//   npm run build && node bench/coding.mjs [extra flags for wmoe bench coding]
//
// A run with extra flags writes its JSON to the system's temporary directory instead.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const extra = process.argv.slice(2);
const args = ['bench', 'coding', '--vectors', '128', ...extra];
const loadBefore = loadavg();
const r = spawnSync(process.execPath, [join(root, 'dist', 'cli', 'wmoe.mjs'), ...args, '--json'], {
  cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'],
});
if (r.status !== 0) {
  console.error(`bench/coding.mjs: wmoe bench coding exited with ${r.status ?? r.signal}`);
  process.exit(1);
}
const report = JSON.parse(r.stdout);
const result = {
  bench: 'coding overhead: digital vs analog link per feature vector',
  date: new Date().toISOString(),
  node: process.version,
  command: `wmoe ${args.join(' ')}`,
  loadavg: { before: loadBefore, after: loadavg() },
  ...report,
};
const file = extra.length ? join(tmpdir(), 'wmoe-coding.partial.json') : join(root, 'bench', 'results', 'coding.json');
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
for (const row of report.rows) {
  console.log(`${row.link.padEnd(22)} ${String(row.channelUses).padStart(6)} uses  ${row.totalUs.toFixed(1).padStart(7)} µs/vector  coding ${(100 * row.codingShare).toFixed(1)} %`);
}
console.log(`wrote ${file}`);
