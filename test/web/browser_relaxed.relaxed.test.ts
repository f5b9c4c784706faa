// The relaxed-SIMD build of the nn module in headless Chromium and in Node, bit for bit: the
// conv check of browser.test.ts (conv2d forward and the gradients of conv+relu+maxpool+sum) with
// init({ simd: 'relaxed' }) on both sides. Node 20 needs --experimental-wasm-relaxed-simd, so this
// file runs in vitest project 'relaxed-simd' (vitest.config.ts); Chromium has relaxed SIMD
// unflagged. Fused multiply-adds round the same way wherever the CPU fuses them, so the bits agree
// on one machine. Needs the system Chromium, as browser.test.ts does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundlePage, findChromium, launchChromium, servePages, type Browser, type PageServer, type Tab } from './harness.js';
import { checksFor, floatsOf, type ConvOutputs, type ConvResult } from './page/checks.js';
import { srcApi } from './page/src_api.js';
import type { WebApi } from './page/src_entry.js';
import { maxRelError } from '../helpers/tf.js';

let server: PageServer | undefined;
let browser: Browser | undefined;
let tab: Promise<Tab> | undefined;

beforeAll(() => {
  tab = (async () => {
    const executable = findChromium();
    const bundle = bundlePage('src');
    server = await servePages();
    browser = await launchChromium(executable);
    server.add('src', (await bundle).js);
    return browser.open(server.url('src'), 'wmoeWeb');
  })();
  tab.catch(() => {}); // reported by every test
});

afterAll(async () => {
  await tab?.catch(() => {});
  try {
    await browser?.close();
  } finally {
    await server?.close();
  }
});

/** Calls `wmoeWeb[method](...args)` in the source page; page errors go into the failure message. */
async function inBrowser<K extends keyof WebApi>(method: K, ...args: Parameters<WebApi[K]>): Promise<Awaited<ReturnType<WebApi[K]>>> {
  const t = await tab!;
  try {
    return (await t.page.evaluate(
      ({ method, args }) => (globalThis as unknown as { wmoeWeb: Record<string, (...a: unknown[]) => unknown> }).wmoeWeb[method](...args),
      { method, args: args as unknown[] },
    )) as Awaited<ReturnType<WebApi[K]>>;
  } catch (e) {
    throw new Error(`in Chromium, ${method}: ${(e as Error).message.split('\n')[0]}${t.errors.length ? `\n${t.errors.join('\n')}` : ''}`);
  }
}

const OUTPUTS = ['forward', 'dx', 'dw'] as const;

/** Entries whose bit patterns differ. */
function bitMismatches(a: ConvOutputs[keyof ConvOutputs], b: ConvOutputs[keyof ConvOutputs]): number {
  expect(a.shape).toEqual(b.shape);
  return a.bits.reduce((n, bits, i) => n + (bits !== b.bits[i] ? 1 : 0), 0);
}

describe('the relaxed-SIMD build in headless Chromium and in Node', () => {
  it('Chromium validates relaxed SIMD unflagged; this Node does with the flag', async () => {
    expect(await inBrowser('hasWasmRelaxedSimd')).toBe(true);
    const { hasWasmRelaxedSimd } = await import('../../src/wasm/simd.js');
    expect(hasWasmRelaxedSimd()).toBe(true);
  });

  it("init({ simd: 'relaxed' }): conv2d forward and tf.grads of conv+relu+maxpool+sum agree bit for bit", async () => {
    const web: ConvResult = await inBrowser('convCheck', 'relaxed');
    const here = await checksFor(srcApi).convCheck('relaxed');
    for (const r of [web, here]) {
      expect(r.backend).toBe('wmoe');
      expect(r.simd, 'the SIMD build init() loaded').toBe('relaxed');
      for (const key of OUTPUTS) expect(maxRelError(floatsOf(r[key].bits), floatsOf(r.cpu[key].bits)), key).toBeLessThan(1e-4);
    }
    expect(floatsOf(here.dw.bits).some((v) => v !== 0)).toBe(true);
    for (const key of OUTPUTS) expect(bitMismatches(web[key], here[key]), `${key}: entries whose bits differ, Chromium vs Node`).toBe(0);
  });
});
