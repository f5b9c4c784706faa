// Builds src/backend/generated/gradients.js: tfjs-core's own gradient definitions
// (dist/register_all_gradients.js and dist/gradients/*) re-targeted at the public
// '@tensorflow/tfjs-core' entry point.
//
// Why: tfjs-core's main entry registers no gradients, and its ESM files under dist/ use
// extensionless imports that plain Node ESM cannot resolve. Re-bundling them here with every
// tfjs-core import that is publicly exported (ops, kernel names, util, backend_util, ENGINE)
// rewritten to `import * as tf from '@tensorflow/tfjs-core'` makes the gradients register into
// the *user's* tfjs-core instance in Node ESM, CJS and browser bundles alike. Only the few
// internal op wrappers that tfjs-core does not export (e.g. conv2DBackpropFilter, thin
// ENGINE.runKernel calls) are carried along; the build lists them and fails if anything
// stateful (engine, registries, environment) would be copied.
import { build } from 'esbuild';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const tf = require('@tensorflow/tfjs-core');
const root = new URL('..', import.meta.url).pathname;
const coreDist = dirname(require.resolve('@tensorflow/tfjs-core/dist/register_all_gradients.js'));
const outDir = join(root, 'src', 'backend', 'generated');

/** Where a public name lives on the tfjs-core namespace, as a JS expression on `tf`. */
function publicPath(name) {
  if (name === 'ENGINE') return 'tf.engine()';
  // The chained-op files patch the prototype of the engine's Tensor class, which is tf.Tensor.
  if (name === 'getGlobalTensorClass') return '(() => tf.Tensor)';
  // tensor_util_env.convertToTensor is not public; the gradient code only ever passes Tensors
  // or plain arrays to the carried op wrappers, for which this is what it does.
  if (name === 'convertToTensor') {
    return '((x, argName, fn, dtype) => x instanceof tf.Tensor ? x : tf.tensor(x, undefined, dtype))';
  }
  if (name in tf) return `tf[${JSON.stringify(name)}]`;
  if (name in tf.backend_util) return `tf.backend_util[${JSON.stringify(name)}]`;
  if (name in tf.util) return `tf.util[${JSON.stringify(name)}]`;
  if (name in tf.tensor_util) return `tf.tensor_util[${JSON.stringify(name)}]`;
  return null;
}

/** Names a tfjs-core ESM file exports, read from its .d.ts. */
function exportsOf(file) {
  const dts = readFileSync(file.replace(/\.js$/, '.d.ts'), 'utf8');
  const names = new Set();
  for (const m of dts.matchAll(/export declare (?:const|function|class|let|var|enum|abstract class) (\w+)/g)) names.add(m[1]);
  for (const m of dts.matchAll(/export \* from '(\.[^']*)'/g)) {
    for (const n of exportsOf(join(dirname(file), m[1]) + '.js')) names.add(n);
  }
  for (const m of dts.matchAll(/export \{([^}]*)\}/g)) {
    for (const part of m[1].split(',')) {
      const n = part.trim().split(/\s+as\s+/).pop();
      if (n && !/^type\b/.test(n)) names.add(n);
    }
  }
  return [...names];
}

const carried = [];
const FORBIDDEN = /(^|\/)(engine|environment|global_util|kernel_registry|tensor|flags)\.js$/;
/** For each import site `importer|specifier`, the names it imports ('*' = namespace). */
const wanted = new Map();

function recordImports(importer, source) {
  for (const m of source.matchAll(/^import\s+(.+?)\s+from\s+'(\.[^']*)';/gm)) {
    const key = `${importer}|${m[2]}`;
    const set = wanted.get(key) ?? new Set();
    const clause = m[1].trim();
    if (clause.startsWith('* as')) set.add('*');
    else for (const part of clause.replace(/[{}]/g, '').split(',')) {
      const n = part.trim().split(/\s+as\s+/)[0];
      if (n) set.add(n);
    }
    wanted.set(key, set);
  }
}

const retarget = {
  name: 'retarget-tfjs-core',
  setup(b) {
    b.onLoad({ filter: /\.js$/ }, (args) => {
      const contents = readFileSync(args.path, 'utf8');
      if (args.path.startsWith(coreDist)) recordImports(args.path, contents);
      return { contents, loader: 'js' };
    });
    b.onResolve({ filter: /^\./ }, (args) => {
      if (!args.importer.startsWith(coreDist)) return undefined;
      const file = join(dirname(args.importer), args.path) + '.js';
      const rel = relative(coreDist, file);
      if (rel.startsWith('gradients/') || rel.startsWith('public/chained_ops/')) return { path: file };
      const want = wanted.get(`${args.importer}|${args.path}`) ?? new Set();
      if (want.has('*')) {
        // A namespace import (util, conv_util, ...): expose the public part of the module.
        const paths = exportsOf(file).map((n) => [n, publicPath(n)]).filter(([, p]) => p !== null);
        return { path: `${file}#public`, namespace: 'public', pluginData: paths };
      }
      const paths = [...want].map((n) => [n, publicPath(n)]);
      if (paths.every(([, p]) => p !== null)) {
        return { path: `${file}#${[...want].sort().join(',')}`, namespace: 'public', pluginData: paths };
      }
      if (FORBIDDEN.test(rel)) throw new Error(`gradients would copy stateful tfjs-core module ${rel}`);
      carried.push(rel);
      return { path: file };
    });
    b.onLoad({ filter: /.*/, namespace: 'public' }, (args) => ({
      contents:
        "import * as tf from '@tensorflow/tfjs-core';\n" +
        args.pluginData.map(([n, p]) => `export const ${n} = ${p};`).join('\n'),
      loader: 'js',
    }));
  },
};

mkdirSync(outDir, { recursive: true });
// gradients.js: every gradient; chained_ops.js: the tensor methods (x.reshape(), x.sum(), ...),
// which tfjs-core's main entry does not install either.
for (const [out, entry] of [
  ['gradients', 'register_all_gradients.js'],
  ['chained_ops', 'public/chained_ops/register_all_chained_ops.js'],
]) {
  await build({
    entryPoints: [join(coreDist, entry)],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    external: ['@tensorflow/tfjs-core'],
    outfile: join(outDir, `${out}.js`),
    plugins: [retarget],
    legalComments: 'none',
    banner: { js: '// Generated by scripts/build-gradients.mjs from @tensorflow/tfjs-core (Apache-2.0). Do not edit.' },
    logLevel: 'warning',
    logOverride: { 'import-is-undefined': 'error' },
  });
  writeFileSync(join(outDir, `${out}.d.ts`), 'export {};\n');
}
const wrappers = [...new Set(carried)];
console.log(`tfjs-core gradients and chained ops: carried ${wrappers.length} internal op wrappers: ${wrappers.join(', ')}`);
