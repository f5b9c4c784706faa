#!/usr/bin/env node
// `npm run web`: builds the browser demo (web/) and serves it on localhost.
//
//   npm run web [-- --checkpoint DIR] [--port 8080] [--host 127.0.0.1] [--samples 500] [--out build/web] [--no-serve]
//
// Without --checkpoint it uses runs/web/, training a small LeNet-5 MoE on MNIST there first when
// it holds no checkpoint (`wmoe train --train-samples 4000 --epochs 2`, about half a minute).
// It bundles web/main.ts and web/worker.ts with esbuild into --out, copies the checkpoint's
// config.json and weights.bin to OUT/checkpoint/, writes the first --samples MNIST test images
// to OUT/data/ (float32 images, int32 labels, manifest.json), and serves OUT with Node's http
// server. The responses carry COOP/COEP headers, so the page is cross-origin isolated.
//
// buildWebPage() and serveDirectory() are exported for test/web/demo.test.ts.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WEB = join(ROOT, 'web');
const DEFAULT_RUN = join(ROOT, 'runs', 'web');
/** Must match IMAGES_FORMAT in web/shared.ts. */
const IMAGES_FORMAT = 'wireless-moe/web-images@1';

/**
 * Builds the demo page into `outDir` (emptied first): the two bundles, index.html, style.css,
 * the checkpoint of `checkpointDir` and the images/labels of `test` (a Dataset; its images are
 * written as NHWC float32 values in [0, 1], its labels as int32). Returns the esbuild metafile
 * inputs of the two bundles.
 */
export async function buildWebPage({ outDir, checkpointDir, test, dataset = 'mnist', minify = false }) {
  const { imageValues } = await import(pathToFileURL(join(ROOT, 'dist', 'index.mjs')).href);
  for (const f of ['config.json', 'weights.bin']) {
    if (!existsSync(join(checkpointDir, f))) throw new Error(`checkpoint '${checkpointDir}' has no ${f}`);
  }
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(join(outDir, 'checkpoint'), { recursive: true });
  mkdirSync(join(outDir, 'data'), { recursive: true });
  const out = await build({
    entryPoints: { main: join(WEB, 'main.ts'), worker: join(WEB, 'worker.ts') },
    absWorkingDir: ROOT,
    outdir: outDir,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    sourcemap: true,
    minify,
    metafile: true,
    logLevel: 'warning',
  });
  for (const f of ['index.html', 'style.css']) copyFileSync(join(WEB, f), join(outDir, f));
  for (const f of ['config.json', 'weights.bin']) copyFileSync(join(checkpointDir, f), join(outDir, 'checkpoint', f));
  const bytes = (a) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  writeFileSync(join(outDir, 'data', 'images.f32'), bytes(imageValues(test, 0, test.n)));
  writeFileSync(join(outDir, 'data', 'labels.i32'), bytes(Int32Array.from(test.labels)));
  const { n, height, width, channels, classes } = test;
  writeFileSync(
    join(outDir, 'data', 'manifest.json'),
    JSON.stringify({ format: IMAGES_FORMAT, dataset, n, height, width, channels, classes }, null, 2) + '\n',
  );
  return Object.keys(out.metafile.inputs);
}

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
};

/**
 * Serves the files under `dir` on http://host:port/ (port 0: an ephemeral one), with COOP/COEP
 * headers (cross-origin isolation) and no caching. Resolves to { url, close() }.
 */
export async function serveDirectory(dir, { port = 8080, host = '127.0.0.1' } = {}) {
  const root = resolve(dir);
  const server = createServer((req, res) => {
    const headers = {
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-embedder-policy': 'require-corp',
      'cache-control': 'no-store',
    };
    let path;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    } catch {
      res.writeHead(400, headers).end('bad path');
      return;
    }
    if (path.endsWith('/')) path += 'index.html';
    const file = normalize(join(root, path));
    if ((file !== root && !file.startsWith(root + sep)) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { ...headers, 'content-type': 'text/plain' }).end(`not found: ${path}`);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, headers).end();
      return;
    }
    res.writeHead(200, { ...headers, 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    res.end(req.method === 'HEAD' ? undefined : readFileSync(file));
  });
  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => ok());
  });
  const { port: actual } = server.address();
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${actual}/`,
    close: () =>
      new Promise((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

function parseArgs(argv) {
  const opts = { checkpoint: undefined, port: 8080, host: '127.0.0.1', samples: 500, out: join(ROOT, 'build', 'web'), serve: true };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    if (flag === '--checkpoint') opts.checkpoint = resolve(value());
    else if (flag === '--out') opts.out = resolve(value());
    else if (flag === '--host') opts.host = value();
    else if (flag === '--no-serve') opts.serve = false;
    else if (flag === '--port' || flag === '--samples') {
      const text = value();
      const v = Number(text);
      const [lo, hi] = flag === '--port' ? [0, 65535] : [1, 2000];
      if (!Number.isInteger(v) || v < lo || v > hi) throw new Error(`${flag} '${text}' is not an integer in [${lo}, ${hi}]`);
      opts[flag.slice(2)] = v;
    } else if (flag === '--help' || flag === '-h') {
      console.log(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1, 12).map((l) => l.replace(/^\/\/ ?/, '')).join('\n'));
      process.exit(0);
    } else throw new Error(`unknown flag '${flag}' (see npm run web -- --help)`);
  }
  return opts;
}

function run(cmd, args) {
  console.log(`> ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (!existsSync(join(ROOT, 'dist', 'cli', 'wmoe.mjs')) || !existsSync(join(ROOT, 'dist', 'node.mjs'))) run('npm', ['run', 'build']);
  let checkpoint = opts.checkpoint;
  if (checkpoint === undefined) {
    checkpoint = DEFAULT_RUN;
    if (!existsSync(join(checkpoint, 'config.json'))) {
      console.log(`no checkpoint in ${checkpoint}: training a small one (LeNet-5 MoE, 4000 MNIST digits, 2 epochs per stage)`);
      run(process.execPath, [join(ROOT, 'dist', 'cli', 'wmoe.mjs'), 'train', '--out', checkpoint, '--train-samples', '4000', '--epochs', '2', '--seed', '1']);
    }
  } else if (!existsSync(join(checkpoint, 'config.json'))) {
    throw new Error(`--checkpoint '${checkpoint}' has no config.json`);
  }
  const moe = JSON.parse(readFileSync(join(checkpoint, 'config.json'), 'utf8')).moe ?? {};
  if (moe.dataset !== 'mnist') throw new Error(`the demo shows MNIST digits, but checkpoint '${checkpoint}' is for dataset '${moe.dataset}'`);
  const { loadMnist, head } = await import(pathToFileURL(join(ROOT, 'dist', 'node.mjs')).href);
  const { test } = await loadMnist();
  await buildWebPage({ outDir: opts.out, checkpointDir: checkpoint, test: head(test, opts.samples), minify: true });
  console.log(`built the demo into ${opts.out} (checkpoint ${checkpoint}, ${Math.min(opts.samples, test.n)} MNIST test images)`);
  if (!opts.serve) return;
  const server = await serveDirectory(opts.out, { port: opts.port, host: opts.host });
  console.log(`serving the demo at ${server.url}  (Ctrl-C stops)`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((e) => {
    console.error(`npm run web: ${e.message}`);
    process.exit(1);
  });
}
