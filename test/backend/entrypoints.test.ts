// The built package used the way users use it: plain Node ESM and CommonJS, with the user's own
// @tensorflow/tfjs-core. tf.grad must work (gradients registered into that instance) and so
// must chained tensor methods. Needs `npm run build` (npm test does it).
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../../', import.meta.url).pathname;

function run(file: string, source: string): string {
  const path = join(root, 'build', file);
  writeFileSync(path, source);
  const r = spawnSync(process.execPath, [path], { encoding: 'utf8', cwd: root });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.trim();
}

const body = `
  const core = TFCORE;
  await init();
  const g = tf.grad((x) => tf.sum(tf.square(x)))(tf.tensor([1, 2, 3]));
  const chained = tf.tensor([1, 2, 3]).square().sum().dataSync()[0];
  console.log(JSON.stringify({ backend: core.getBackend(), same: core === tf || core.engine() === tf.engine(), grad: Array.from(g.dataSync()), chained }));
`;

describe('package entry points', () => {
  it('plain Node ESM: import from dist/index.mjs', () => {
    const out = run('entry-esm.mjs', `import * as TFCORE from '@tensorflow/tfjs-core';\nimport { init, tf } from '../dist/index.mjs';\n(async () => {${body}})();`);
    expect(JSON.parse(out)).toEqual({ backend: 'wmoe', same: true, grad: [2, 4, 6], chained: 14 });
  });

  it('CommonJS: require dist/index.cjs', () => {
    const out = run('entry-cjs.cjs', `const TFCORE = require('@tensorflow/tfjs-core');\nconst { init, tf } = require('../dist/index.cjs');\n(async () => {${body}})();`);
    expect(JSON.parse(out)).toEqual({ backend: 'wmoe', same: true, grad: [2, 4, 6], chained: 14 });
  });
});

describe('Node-only entry', () => {
  it('ESM: dist/node.mjs shares the main entry\'s modules (one init state, one backend class)', () => {
    // Mixed imports are the usual way (init from the main entry, loaders from /node); two
    // copies of the backend would make FusedAdam miss that the backend is wmoe.
    const out = run('node-shared.mjs', `import * as main from '../dist/index.mjs';\nimport * as node from '../dist/node.mjs';\n` +
      `const backend = await main.init({ setBackend: false });\n` +
      `console.log(JSON.stringify([main.init === node.init, main.WmoeBackend === node.WmoeBackend, backend instanceof node.WmoeBackend, main.FusedAdam === node.FusedAdam]));`);
    expect(JSON.parse(out)).toEqual([true, true, true, true]);
  });


  it('loads MNIST from both dist/node.mjs and dist/node.cjs', () => {
    const esm = run('node-esm.mjs', `import { loadMnist } from '../dist/node.mjs';\nconst d = await loadMnist();\nconsole.log(d.train.n + d.test.n);`);
    const cjs = run('node-cjs.cjs', `const { loadMnist } = require('../dist/node.cjs');\nloadMnist().then((d) => console.log(d.train.n + d.test.n));`);
    expect([esm, cjs]).toEqual(['10000', '10000']);
  });
});
