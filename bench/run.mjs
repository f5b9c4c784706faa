// `npm run bench`: runs every benchmark in bench/ in turn (each writes bench/results/*.json),
// main-job.mjs (the whole `npm start`, about 2 minutes idle) included; then regenerate the
// README's figures from the results with `npm run figures`. Run `npm run build` first. Pass
// names to run a subset: node bench/run.mjs kernels train-step
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const here = new URL('.', import.meta.url).pathname;
const all = readdirSync(here).filter((f) => f.endsWith('.mjs') && !f.startsWith('.') && f !== 'run.mjs' && f !== 'profile-step.mjs').map((f) => f.slice(0, -4)).sort();
const chosen = process.argv.slice(2).length ? process.argv.slice(2) : all;
let failed = 0;
for (const name of chosen) {
  console.log(`\n=== bench/${name}.mjs ===`);
  const r = spawnSync(process.execPath, [`${here}${name}.mjs`], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
console.log(`\n${failed ? `${failed} benchmark(s) failed; ` : ''}now run \`npm run figures\` to rewrite the README's figures from bench/results/*.json`);
process.exit(failed ? 1 : 0);
