// Test harness for running the package in a real browser: bundles test/web/page/entry.ts with
// esbuild (tfjs-core resolved from node_modules), serves it from a localhost HTTP server on an
// ephemeral port, and drives the system Chromium headless through playwright-core. Nothing is
// downloaded: the browser must already be installed (apt-get install -y chromium).
import { build } from 'esbuild';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { accessSync, constants, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Page scripts: built from the sources, or from the published dist/*.mjs bundles. */
export const PAGE_ENTRIES = {
  src: fileURLToPath(new URL('./page/src_entry.ts', import.meta.url)),
  dist: fileURLToPath(new URL('./page/dist_entry.ts', import.meta.url)),
  threads: fileURLToPath(new URL('./page/threads_entry.ts', import.meta.url)),
} as const;
export type PageName = keyof typeof PAGE_ENTRIES;

export interface PageBundle {
  /** The ES module source of the page script. */
  js: string;
  /** Distinct package roots of @tensorflow/tfjs-core whose files went into the bundle. */
  tfjsCoreRoots: string[];
  /** Bundle inputs (paths relative to the repository root). */
  inputs: string[];
}

/** Bundles a page script for browsers with esbuild, as an application using the package would. */
export async function bundlePage(name: PageName): Promise<PageBundle> {
  if (name === 'dist' && !existsSync(join(ROOT, 'dist', 'index.mjs'))) {
    throw new Error('dist/index.mjs is missing: run `npm run build` first (`npm test` does)');
  }
  const out = await build({
    entryPoints: [PAGE_ENTRIES[name]],
    absWorkingDir: ROOT,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
    // No `external`: a browser bundle of the package must not need any node: module.
  });
  const inputs = Object.keys(out.metafile.inputs);
  const roots = new Set<string>();
  for (const input of inputs) {
    const m = /^(.*node_modules\/@tensorflow\/tfjs-core)\//.exec(input);
    if (m) roots.add(m[1]);
  }
  return { js: out.outputFiles[0].text, tfjsCoreRoots: [...roots], inputs };
}

export interface PageServer {
  /** URL of the page that runs script `name` (added with `add`). */
  url(name: PageName): string;
  /** Serves `js` as the script of page `name`. */
  add(name: PageName, js: string): void;
  close(): Promise<void>;
}

const html = (name: string) =>
  `<!doctype html><meta charset="utf-8"><title>wmoe ${name}</title><script type="module" src="/${name}.mjs"></script>\n`;

/**
 * Cross-origin isolation (COOP + COEP) on every response, as a site that wants WASM threads
 * (SharedArrayBuffer) must send them.
 */
const ISOLATION = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };

/** An HTTP server on 127.0.0.1 at an ephemeral port: page /NAME/ loads its script /NAME.mjs. */
export async function servePages(): Promise<PageServer> {
  const scripts = new Map<string, string>();
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const page = /^\/(\w+)\/$/.exec(path);
    const script = /^\/(\w+)\.mjs$/.exec(path);
    if (page && scripts.has(page[1])) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', ...ISOLATION }).end(html(page[1]));
    } else if (script && scripts.has(script[1])) {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', ...ISOLATION }).end(scripts.get(script[1]));
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: ${path}`);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: (name) => `http://127.0.0.1:${port}/${name}/`,
    add: (name, js) => void scripts.set(name, js),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const INSTALL_HINT =
  'test/web needs a real Chromium: install it with `apt-get install -y chromium` (Debian/Ubuntu), ' +
  'or point CHROMIUM_PATH at a Chromium/Chrome executable';

/** Path of the system Chromium: $CHROMIUM_PATH, else `chromium` or `chromium-browser` on PATH. Throws how to install it. */
export function findChromium(): string {
  const executable = (p: string) => {
    try {
      accessSync(p, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) {
    if (executable(fromEnv)) return fromEnv;
    throw new Error(`CHROMIUM_PATH=${fromEnv} is not an executable file; ${INSTALL_HINT}`);
  }
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    for (const name of ['chromium', 'chromium-browser']) {
      if (dir && executable(join(dir, name))) return join(dir, name);
    }
  }
  throw new Error(`Chromium not found on PATH; ${INSTALL_HINT}`);
}

/** Flags for a quiet headless run on a machine without network access. */
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Browser {
  /** Opens `url` in a new tab and waits until `globalThis[global]` exists (the page script ran). */
  open(url: string, global: string): Promise<Tab>;
  close(): Promise<void>;
}

export interface Tab {
  page: Page;
  /** Uncaught page errors and console errors, in order. */
  errors: string[];
}

/** Starts headless Chromium at `executablePath` with a fresh, empty profile directory. */
export async function launchChromium(executablePath: string): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'wmoe-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, { executablePath, headless: true, args: ARGS, timeout: 30_000 });
  } catch (e) {
    rmSync(profile, { recursive: true, force: true });
    throw new Error(`launching ${executablePath} failed: ${(e as Error).message.split('\n')[0]}`);
  }
  return {
    async open(url, global) {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(`console.error: ${m.text()}`);
      });
      await page.goto(url);
      try {
        await page.waitForFunction((g) => g in globalThis, global, { timeout: 20_000 });
      } catch {
        throw new Error(`the page script of ${url} did not run in Chromium:\n${errors.join('\n') || '(no page errors)'}`);
      }
      return { page, errors };
    },
    async close() {
      try {
        await context.close();
      } finally {
        rmSync(profile, { recursive: true, force: true });
      }
    },
  };
}
