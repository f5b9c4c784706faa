// The package in a real browser. Two page scripts (test/web/page/) are bundled with esbuild,
// served from localhost and run in headless Chromium: one built from src/, one from the published
// dist/*.mjs bundles. The same checks run here in Node (from src/) and the results must agree
// bit for bit: tfjs backend `wmoe` (conv2d forward, gradients of conv+relu+maxpool+sum), the
// seeded channel RNG, and a seeded LDPC BER run; a third page loads wmoe with 2 threads (a Web
// Worker over a shared memory, on a cross-origin isolated page). Needs the system Chromium
// (apt-get install -y chromium): without it every test fails saying so. Every side loads the
// plain SIMD build (init({ simd: 'plain' })), whose bits Node and browsers share; the
// relaxed-SIMD build's Node = Chromium check is browser_relaxed.relaxed.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bundlePage,
  findChromium,
  launchChromium,
  servePages,
  type Browser,
  type PageBundle,
  type PageName,
  type PageServer,
  type Tab,
} from './harness.js';
import { checksFor, floatsOf, type ConvOutputs, type ConvResult, type F32Bits, type RngResult } from './page/checks.js';
import { srcApi } from './page/src_api.js';
import type { WebApi } from './page/src_entry.js';
import { maxRelError } from '../helpers/tf.js';
import { threadOutputs, type ThreadsResult } from './page/threads_check.js';

let server: PageServer | undefined;
let browser: Browser | undefined;
/** Chromium and the server, started in beforeAll; a failure (e.g. no Chromium) fails every test. */
let started: Promise<void> | undefined;
/** Page bundles (built while Chromium launches) and the tabs running them, by page. */
const building: Partial<Record<PageName, Promise<PageBundle>>> = {};
const bundles: Partial<Record<PageName, PageBundle>> = {};
const opening: Partial<Record<PageName, Promise<Tab>>> = {};

/** The checks on the sources, in Node; each computed once and shared by both pages' tests. */
const node = checksFor(srcApi);
let nodeConv: Promise<ConvResult> | undefined;
let nodeRng: RngResult | undefined;
const RNG_SEED = 2024;

beforeAll(() => {
  started = (async () => {
    const executable = findChromium();
    for (const name of ['src', 'dist', 'threads'] as const) {
      building[name] = bundlePage(name);
      building[name]!.catch(() => {}); // reported by the tests of that page
    }
    server = await servePages();
    browser = await launchChromium(executable);
  })();
  started.catch(() => {}); // reported by every test, through openPage
});

afterAll(async () => {
  await started?.catch(() => {});
  await Promise.all(Object.values(opening).map((t) => t.catch(() => {})));
  try {
    await browser?.close();
  } finally {
    await server?.close();
  }
});

/** Page `name` bundled, served and open in its own tab (once); rejects with the setup error. */
function openPage(name: PageName): Promise<Tab> {
  opening[name] ??= (async () => {
    await started;
    const bundle = await building[name]!;
    bundles[name] = bundle;
    server!.add(name, bundle.js);
    return browser!.open(server!.url(name), 'wmoeWeb');
  })();
  return opening[name]!;
}

/** Calls `wmoeWeb[method](...args)` in page `name`; page errors go into the failure message. */
async function inBrowser<K extends keyof WebApi>(
  name: PageName,
  method: K,
  ...args: Parameters<WebApi[K]>
): Promise<Awaited<ReturnType<WebApi[K]>>> {
  const tab = await openPage(name);
  try {
    return (await tab.page.evaluate(
      ({ method, args }) =>
        (globalThis as unknown as { wmoeWeb: Record<string, (...a: unknown[]) => unknown> }).wmoeWeb[method](...args),
      { method, args: args as unknown[] },
    )) as Awaited<ReturnType<WebApi[K]>>;
  } catch (e) {
    const errors = tab.errors.length ? `\n${tab.errors.join('\n')}` : '';
    throw new Error(`in Chromium, page '${name}', ${method}: ${(e as Error).message.split('\n')[0]}${errors}`);
  }
}

/** Number of entries whose bit patterns differ (shapes must match). */
function bitMismatches(a: F32Bits, b: F32Bits): number {
  expect(a.shape).toEqual(b.shape);
  expect(a.bits.length).toBe(b.bits.length);
  let n = 0;
  for (let i = 0; i < a.bits.length; i++) if (a.bits[i] !== b.bits[i]) n++;
  return n;
}

const OUTPUTS = ['forward', 'dx', 'dw'] as const;

/** Checks one engine's conv result against tfjs-backend-cpu in the same engine. */
function expectCloseToCpu(r: ConvResult, simd = 'plain'): void {
  expect(r.backend).toBe('wmoe');
  expect(r.simd, 'the SIMD build init() loaded').toBe(simd);
  for (const key of OUTPUTS) expect(maxRelError(floatsOf(r[key].bits), floatsOf(r.cpu[key].bits)), key).toBeLessThan(1e-4);
  // Not vacuous: the loss has nonzero gradients with respect to both inputs.
  expect(floatsOf(r.dw.bits).some((v) => v !== 0)).toBe(true);
  expect(floatsOf(r.dx.bits).some((v) => v !== 0)).toBe(true);
}

/** Chromium's and Node's outputs agree to 1e-5 relative, and bit for bit. */
function expectSameBits(web: ConvOutputs, nodeOut: ConvOutputs, hint = ''): void {
  for (const key of OUTPUTS) {
    expect(maxRelError(floatsOf(web[key].bits), floatsOf(nodeOut[key].bits)), `${key}${hint}`).toBeLessThanOrEqual(1e-5);
    expect(bitMismatches(web[key], nodeOut[key]), `${key}: entries whose bits differ${hint}`).toBe(0);
  }
}

describe('wireless-moe from src/ in headless Chromium', () => {
  it('bundles a single @tensorflow/tfjs-core and runs in Chromium with WASM SIMD', async () => {
    await openPage('src');
    expect(bundles.src!.tfjsCoreRoots).toHaveLength(1);
    expect(await inBrowser('src', 'userAgent')).toMatch(/HeadlessChrome\//);
    expect(await inBrowser('src', 'hasWasmSimd')).toBe(true);
  });

  it('backend wmoe: conv2d forward and tf.grads of conv+relu+maxpool+sum agree with Node bit for bit', async () => {
    const web = await inBrowser('src', 'convCheck');
    const here = await (nodeConv ??= node.convCheck());
    expectCloseToCpu(web);
    expectCloseToCpu(here);
    expectSameBits(web, here);
    expectSameBits(web.cpu, here.cpu);
  });

  it('channel Rng: the same seed gives bit-identical u32, uniform, Gaussian and AWGN samples', async () => {
    const web = await inBrowser('src', 'rngCheck', RNG_SEED);
    nodeRng ??= node.rngCheck(RNG_SEED);
    expect(web).toEqual(nodeRng);
    // And they are Gaussian-looking: mean ≈ 0, variance ≈ 1 over 1000 samples.
    const z = floatsOf(nodeRng.normal);
    const mean = z.reduce((s, v) => s + v, 0) / z.length;
    const variance = z.reduce((s, v) => s + (v - mean) ** 2, 0) / z.length;
    expect(Math.abs(mean)).toBeLessThan(0.15);
    expect(Math.abs(variance - 1)).toBeLessThan(0.15);
  });

  it('simulateBer: 802.11n 648 R1/2, BPSK, Eb/N0 1.5 dB, layered NMS, 200 frames: same counts', async () => {
    const web = await inBrowser('src', 'berCheck', 7, 200);
    const here = node.berCheck(7, 200);
    expect(web).toEqual(here);
    expect(here.frames).toBe(200);
    // Some but not all frames fail at this SNR, so equal counts mean something.
    expect(here.frameErrors).toBeGreaterThan(0);
    expect(here.frameErrors).toBeLessThan(200);
    expect(here.bitErrors).toBeGreaterThanOrEqual(here.frameErrors);
  });
});

describe('wireless-moe from the published dist/*.mjs in headless Chromium', () => {
  const STALE = ' (if src/ changed since the last build, run `npm run build`)';

  it('bundles dist/index.mjs and dist/channel.mjs, not src/, with a single @tensorflow/tfjs-core', async () => {
    await openPage('dist');
    const { inputs, tfjsCoreRoots } = bundles.dist!;
    expect(inputs).toContain('dist/index.mjs');
    expect(inputs).toContain('dist/channel.mjs');
    expect(inputs.filter((p) => p.startsWith('src/'))).toEqual([]);
    expect(tfjsCoreRoots).toHaveLength(1);
  });

  it('backend wmoe and the channel Rng give the same bits as the sources in Node', async () => {
    const web = await inBrowser('dist', 'convCheck');
    expectCloseToCpu(web);
    expectSameBits(web, await (nodeConv ??= node.convCheck()), STALE);
    nodeRng ??= node.rngCheck(RNG_SEED);
    expect(await inBrowser('dist', 'rngCheck', RNG_SEED), `Rng${STALE}`).toEqual(nodeRng);
  });
});

describe('WASM threads in headless Chromium', () => {
  it('init({ threads: 2 }) on a cross-origin isolated page: a Web Worker takes part; conv and its gradients equal 1 thread and Node bit for bit', async () => {
    const tab = await openPage('threads');
    let r: ThreadsResult;
    try {
      r = (await tab.page.evaluate(() =>
        (globalThis as unknown as { wmoeWeb: { threadsCheck(): Promise<ThreadsResult> } }).wmoeWeb.threadsCheck(),
      )) as ThreadsResult;
    } catch (e) {
      throw new Error(`in Chromium, page 'threads': ${(e as Error).message.split('\n')[0]}${tab.errors.length ? `\n${tab.errors.join('\n')}` : ''}`);
    }
    expect(r.crossOriginIsolated).toBe(true);
    expect(r.threadsUnavailable).toBeUndefined();
    expect(r.threads).toBe(2);
    expect(r.simd).toBe('plain');
    expect(r.workerChunks).toBeGreaterThan(0);
    await srcApi.init({ simd: 'plain' });
    await srcApi.tf.setBackend('wmoe');
    const here = threadOutputs(srcApi.tf);
    for (const key of OUTPUTS) {
      expect(bitMismatches(r.two[key], r.one[key]), `${key}: 2 threads vs 1 in Chromium`).toBe(0);
      expect(bitMismatches(r.two[key], here[key]), `${key}: Chromium (2 threads) vs Node`).toBe(0);
    }
    // Not vacuous: nonzero gradients.
    expect(floatsOf(r.two.dw.bits).some((v) => v !== 0)).toBe(true);
  });
});
