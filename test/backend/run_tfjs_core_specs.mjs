#!/usr/bin/env node
// Runs tfjs-core's own spec suite (`@tensorflow/tfjs-core/dist/tests.js`) with jasmine against
// one backend, the way tfjs-backend-cpu's run_tests.ts runs it against `cpu`: the backend is the
// only test env (`setTestEnvs`, data-sync like cpu), tfjs-core's chained ops and gradients are
// registered, jasmine 4.2 (tfjs 4.x's version) runs the specs in order; no spec is excluded.
//
//   node test/backend/run_tfjs_core_specs.mjs [--backend wmoe|cpu] [--threads N] [--filter TEXT] [--list FILE]
//
// --threads N loads wmoe with init({ threads: N }): the threaded module, whose kernel outputs
// stay in WASM memory (src/backend/resident_pool.ts).
// --filter runs only the specs whose full name contains TEXT; --list writes every spec's status
// and full name (backend name replaced by BACKEND, to diff runs) to FILE.
//
// tfjs-core's dist/*.js are ES modules with extensionless imports and some require() calls,
// which plain Node cannot load; esbuild bundles them (with src/backend/init.ts, so the backend
// under test is the current source) into one CommonJS file in a temp dir, resolving
// `@tensorflow/tfjs-core` to the same dist/ files the specs import relatively, so there is one
// tfjs-core instance. Prints one summary line `TFJS_CORE_SPECS {json}` at the end and exits 1
// on any failure (or when nothing ran).
import { build } from 'esbuild';
import { createRequire } from 'node:module';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;
const require = createRequire(import.meta.url);
const Jasmine = require('jasmine');

const argv = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : fallback;
};
const backendName = arg('--backend', 'wmoe');
const filter = arg('--filter', '');
const listFile = arg('--list', '');
const threads = Number(arg('--threads', '1'));
if (!Number.isInteger(threads) || threads < 1) {
  console.error(`run_tfjs_core_specs: --threads must be an integer >= 1, got ${arg('--threads')}`);
  process.exit(2);
}
if (backendName !== 'wmoe' && backendName !== 'cpu') {
  console.error(`run_tfjs_core_specs: --backend must be wmoe or cpu, got ${backendName}`);
  process.exit(2);
}

// The bundle entry. `require` (not import) for tests.js so that it loads after setTestEnvs.
const entry = `
import { init } from ${JSON.stringify(join(root, 'src/backend/init.ts'))};
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { setTestEnvs, setupTestFilters } from '@tensorflow/tfjs-core/dist/jasmine_util';
setTestEnvs([{ name: ${JSON.stringify(backendName)}, backendName: ${JSON.stringify(backendName)}, isDataSync: true }]);
export const ready = init({ setBackend: false, threads: ${threads} });
export { setupTestFilters };
require('@tensorflow/tfjs-core/dist/tests');
`;

// Inside the project, so that the bundle's require('jasmine-core') finds node_modules.
mkdirSync(join(root, 'node_modules', '.cache'), { recursive: true });
Error.stackTraceLimit = 20;
process.on('unhandledRejection', (e) => {
  throw e;
});
// Jasmine first: it installs describe/it/expect, which the bundle's specs call as they load.
const runner = new Jasmine();
runner.exitOnCompletion = false;
runner.loadConfig({ spec_files: [], random: false });

const dir = mkdtempSync(join(root, 'node_modules', '.cache', 'tfjs-core-specs-'));
const outfile = join(dir, 'specs.cjs');
const t0 = performance.now();
let specs;
let buildMs;
try {
  await build({
    stdin: { contents: entry, resolveDir: root, sourcefile: 'tfjs-core-specs-entry.js', loader: 'js' },
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    mainFields: ['module', 'main'],
    // tfjs-core's package.json marks only some files as having side effects; every *_test.js
    // registers its specs as a side effect and would otherwise be dropped from the bundle.
    ignoreAnnotations: true,
    // jasmine_util requires jasmine-core itself (tfjs 4.x is written for jasmine 4.2); it must
    // be the copy that the jasmine runner uses.
    external: ['jasmine-core', 'jasmine-core/*'],
    outfile,
    logLevel: 'error',
  });
  buildMs = performance.now() - t0;
  specs = require(outfile);
} finally {
  rmSync(dir, { recursive: true, force: true }); // loaded (or failed): the file is no longer needed
}
await specs.ready;
// No exclusions. tfjs-backend-cpu's runner (tfjs-backend-cpu/src/run_tests.ts) filters out
// 'computation in worker' (no such spec in tfjs-core 4.22's tests.js) and the 13 'fused conv2d
// ... basic/im2row in NCHW with <bias|PReLU>' specs; those 13 pass on wmoe (and on cpu), so
// they run here. --filter TEXT narrows the run (for debugging).
specs.setupTestFilters([], (name) => filter === '' || name.includes(filter));

const counts = { passed: 0, failed: 0, excluded: 0, pending: 0 };
const failures = [];
const listed = [];
const excludedNames = [];
let onBackend = 0;
runner.clearReporters();
runner.addReporter({
  specDone(r) {
    listed.push(`${r.status} ${r.fullName.replaceAll(` ${backendName} {}`, ' BACKEND {}')}`);
    if ((r.status === 'passed' || r.status === 'failed') && r.fullName.includes(` ${backendName} {`)) onBackend++;
    if (r.status === 'passed') counts.passed++;
    else if (r.status === 'failed') {
      counts.failed++;
      failures.push({ name: r.fullName, message: (r.failedExpectations[0]?.message ?? '').split('\n')[0].slice(0, 300) });
    } else if (r.status === 'excluded') {
      counts.excluded++;
      if (filter === '') excludedNames.push(r.fullName);
    } else counts.pending++;
  },
  suiteDone(r) {
    // An error in a beforeAll/afterAll fails the suite rather than a spec.
    if (r.status === 'failed') {
      counts.failed++;
      failures.push({ name: `suite: ${r.fullName}`, message: (r.failedExpectations[0]?.message ?? '').split('\n')[0].slice(0, 300) });
    }
  },
});
const t1 = performance.now();
const result = await runner.execute();
const runMs = performance.now() - t1;
if (listFile !== '') writeFileSync(listFile, `${listed.join('\n')}\n`);

for (const f of failures) console.log(`FAILED ${f.name}\n    ${f.message}`);
const summary = {
  backend: backendName,
  threads,
  ran: counts.passed + counts.failed,
  ...counts,
  onBackend,
  overall: result.overallStatus,
  buildMs: Math.round(buildMs),
  runMs: Math.round(runMs),
  failures: failures.map((f) => f.name),
  excludedNames,
};
console.log(`TFJS_CORE_SPECS ${JSON.stringify(summary)}`);
process.exit(counts.failed === 0 && counts.passed > 0 && result.overallStatus === 'passed' ? 0 : 1);
