// The package in a real browser: the page (test/web/page/) is bundled with esbuild, served from
// localhost and run in headless Chromium; each check runs the same code in Node here and the
// results must agree: tfjs backend `wmoe` (conv2d forward, gradients of conv+relu+maxpool+sum),
// the seeded channel RNG, and a seeded LDPC BER run. Needs the system Chromium
// (apt-get install -y chromium); without it every test fails saying so.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundlePage, findChromium, launchChromium, servePage, type Browser, type PageBundle, type PageServer } from './harness.js';
import { berCheck, convCheck, floatsOf, rngCheck, type F32Bits } from './page/checks.js';
import type { WebApi } from './page/entry.js';
import { maxRelError } from '../helpers/tf.js';

let bundle: PageBundle | undefined;
let server: PageServer | undefined;
let browser: Browser | undefined;

/** Calls `wmoeWeb[name](...args)` in the page in Chromium; page errors go into the failure message. */
async function inBrowser<K extends keyof WebApi>(name: K, ...args: Parameters<WebApi[K]>): Promise<Awaited<ReturnType<WebApi[K]>>> {
  if (!browser) throw new Error('the browser did not start (see the beforeAll error)');
  const b = browser;
  try {
    return (await b.page.evaluate(
      ({ name, args }) => (globalThis as unknown as { wmoeWeb: Record<string, (...a: unknown[]) => unknown> }).wmoeWeb[name](...args),
      { name, args: args as unknown[] },
    )) as Awaited<ReturnType<WebApi[K]>>;
  } catch (e) {
    throw new Error(`in Chromium, ${name}: ${(e as Error).message.split('\n')[0]}${b.errors.length ? `\n${b.errors.join('\n')}` : ''}`);
  }
}

/** Count of entries whose bit patterns differ. */
function bitMismatches(a: F32Bits, b: F32Bits): number {
  expect(a.shape).toEqual(b.shape);
  expect(a.bits.length).toBe(b.bits.length);
  let n = 0;
  for (let i = 0; i < a.bits.length; i++) if (a.bits[i] !== b.bits[i]) n++;
  return n;
}

beforeAll(async () => {
  const executable = findChromium();
  bundle = await bundlePage();
  server = await servePage(bundle.js);
  browser = await launchChromium(executable);
  await browser.page.goto(server.url);
  try {
    await browser.page.waitForFunction(() => 'wmoeWeb' in globalThis, null, { timeout: 20_000 });
  } catch {
    throw new Error(`the page script did not load in Chromium:\n${browser.errors.join('\n') || '(no page errors)'}`);
  }
});

afterAll(async () => {
  try {
    await browser?.close();
  } finally {
    await server?.close();
  }
});

describe('wireless-moe in headless Chromium', () => {
  it('bundles a single @tensorflow/tfjs-core and loads it in Chromium with WASM SIMD', async () => {
    expect(bundle!.tfjsCoreRoots).toHaveLength(1);
    expect(await inBrowser('userAgent')).toMatch(/HeadlessChrome\//);
    expect(await inBrowser('hasWasmSimd')).toBe(true);
  });

  it('backend wmoe: conv2d forward and tf.grads of conv+relu+maxpool+sum agree with Node bit for bit', async () => {
    const web = await inBrowser('convCheck');
    const node = await convCheck();
    expect(web.backend).toBe('wmoe');
    expect(node.backend).toBe('wmoe');
    // Both engines agree with tfjs-backend-cpu, and with each other.
    expect(web.vsCpu).toBeLessThan(1e-4);
    expect(node.vsCpu).toBeLessThan(1e-4);
    for (const key of ['forward', 'dx', 'dw'] as const) {
      expect(maxRelError(floatsOf(web[key].bits), floatsOf(node[key].bits)), key).toBeLessThanOrEqual(1e-5);
      expect(bitMismatches(web[key], node[key]), `${key}: entries whose bits differ`).toBe(0);
    }
    // The check is not vacuous: the loss has nonzero gradients.
    expect(floatsOf(web.dw.bits).some((v) => v !== 0)).toBe(true);
  });

  it('channel Rng: the same seed gives bit-identical u32, uniform, Gaussian and AWGN samples', async () => {
    const web = await inBrowser('rngCheck', 2024);
    const node = rngCheck(2024);
    expect(web).toEqual(node);
    // And they are Gaussian-looking: mean ≈ 0, variance ≈ 1 over 1000 samples.
    const z = floatsOf(node.normal);
    const mean = z.reduce((s, v) => s + v, 0) / z.length;
    const variance = z.reduce((s, v) => s + (v - mean) ** 2, 0) / z.length;
    expect(Math.abs(mean)).toBeLessThan(0.15);
    expect(Math.abs(variance - 1)).toBeLessThan(0.15);
  });

  it('simulateBer: 802.11n 648 R1/2, BPSK, Eb/N0 1.5 dB, layered NMS, 200 frames gives the same counts', async () => {
    const web = await inBrowser('berCheck', 7, 200);
    const node = berCheck(7, 200);
    expect(web).toEqual(node);
    expect(node.frames).toBe(200);
    // Some but not all frames fail at this SNR, so equal counts mean something.
    expect(node.frameErrors).toBeGreaterThan(0);
    expect(node.frameErrors).toBeLessThan(200);
    expect(node.bitErrors).toBeGreaterThanOrEqual(node.frameErrors);
  });
});
