// The browser demo (web/, built by scripts/web.mjs as `npm run web` builds it) in a real headless
// Chromium. The test trains a small LeNet-5 MoE on MNIST, builds the page against it, serves it
// on localhost and drives the page as a user would: moves an SNR slider, flips the gate, runs an
// accuracy sweep and a BER point in the page's Web Worker. What the page computes must equal, bit
// for bit, what the package computes in Node from the same checkpoint, images and seeds. Needs
// the system Chromium (apt-get install -y chromium).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { findChromium, launchChromium, type Browser, type Tab } from './harness.js';
import { tf, wmoe } from '../helpers/tf.js';
import { tempDir } from '../helpers/cli.js';
import { loadMnist } from '../../src/data/mnist.js';
import { head, type Dataset } from '../../src/data/dataset.js';
import { imageValues } from '../../src/data/pixels.js';
import { trainMoe } from '../../src/train/train.js';
import { DEFAULT_TRAIN_CONFIG, type TrainConfig } from '../../src/train/config.js';
import { analogLink } from '../../src/link/analog.js';
import { awgnLinkBatch } from '../../src/link/channel_model.js';
import { writeRunDirectory, loadCheckpoint } from '../../src/train/checkpoint.js';
import { evaluate } from '../../src/train/evaluate.js';
import { extractFeatures } from '../../src/train/features.js';
import { simulateBer } from '../../src/sim/ber.js';
import type { DistributedMoE } from '../../src/moe/model.js';
import type { BerResult } from '../../src/sim/ber.js';
// @ts-expect-error: a plain .mjs script (its functions are documented there)
import { buildWebPage, serveDirectory } from '../../scripts/web.mjs';
import type { SampleState } from '../../web/main.js';
import type { SweepResult } from '../../web/shared.js';
import { zeroEventUpperBound } from '../../src/plot/error_bounds.js';
import { readChart } from '../helpers/svg_read.js';

/** Test images the page gets (the sweep uses the first SWEEP_SAMPLES of them). */
const PAGE_SAMPLES = 200;
const SWEEP_SAMPLES = 100;

const cfg: TrainConfig = {
  ...DEFAULT_TRAIN_CONFIG,
  inputShape: [32, 32, 1],
  classes: 10,
  trainSamples: 1024,
  testSamples: 128,
  stage1Epochs: 2,
  stage2Epochs: 5,
  batchSize: 32,
  // The slider test needs a gate that has learnt to avoid a bad link: the last stage-2 epoch,
  // not the best by validation accuracy (on 10 % of 1024 images, an early epoch can win).
  keepEpoch: 'last',
};

interface Demo {
  ready: boolean;
  error?: string;
  state?: SampleState;
  lastSweep?: SweepResult;
  lastBer?: BerResult;
}

let dir: string;
let browser: Browser | undefined;
let server: { url: string; close(): Promise<void> } | undefined;
let tab: Tab;
let test: Dataset;
/** The checkpoint as Node loads it (loadCheckpoint), for the reference computations. */
let nodeModel: DistributedMoE;

beforeAll(async () => {
  const launching = launchChromium(findChromium());
  launching.catch(() => {});
  await wmoe();
  await tf.setBackend('wmoe');
  dir = tempDir('wmoe-web-demo-');
  const data = await loadMnist();
  const { model } = trainMoe(cfg, data, analogLink);
  writeRunDirectory(join(dir, 'ckpt'), model, { train: cfg, stage2Link: { kind: 'analog' } }, {});
  model.dispose();
  nodeModel = loadCheckpoint(join(dir, 'ckpt')).model;
  test = head(data.test, PAGE_SAMPLES);
  await buildWebPage({ outDir: join(dir, 'web'), checkpointDir: join(dir, 'ckpt'), test });
  server = await serveDirectory(join(dir, 'web'), { port: 0 });
  browser = await launching;
  // The plain SIMD build, whose bits Node (this process: no relaxed SIMD) and Chromium share; see README, SIMD builds.
  tab = await browser.open(`${server.url}?simd=plain`, 'wmoeDemo');
  await tab.page.waitForFunction(() => (globalThis as unknown as { wmoeDemo: Demo }).wmoeDemo.ready || (globalThis as unknown as { wmoeDemo: Demo }).wmoeDemo.error, null, {
    timeout: 30_000,
  });
}, 90_000);

afterAll(async () => {
  nodeModel?.dispose();
  try {
    await browser?.close();
  } finally {
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
});

const demo = (): Promise<Demo> => tab.page.evaluate(() => JSON.parse(JSON.stringify((globalThis as unknown as { wmoeDemo: Demo }).wmoeDemo)));

/** Waits until the page's state satisfies `pred` (the page updates once per animation frame). */
async function stateWhen(pred: string): Promise<SampleState> {
  await tab.page.waitForFunction(`(s => ${pred})(globalThis.wmoeDemo.state)`, null, { timeout: 10_000 });
  return (await demo()).state!;
}

/** What the main thread shows for test image `i`, computed by the package in Node. */
function nodeRoute(i: number, gate: SampleState['gate'], snrDb: number[]) {
  const K = snrDb.length;
  const out = tf.tidy(() => {
    const x = tf.tensor4d(imageValues(test, i, 1), [1, 32, 32, 1]);
    const r = nodeModel.route(nodeModel.features(x), { gate, link: analogLink, batch: awgnLinkBatch(snrDb, 1, K, i + 1) });
    return [r.probs, r.mask];
  });
  const [probs, mask] = out.map((t) => Array.from(t.dataSync()));
  tf.dispose(out);
  return { probs, chosen: mask.flatMap((m, k) => (m > 0 ? [k] : [])) };
}

describe('the browser demo (web/) in headless Chromium', () => {
  // Set by the slider test, used by the gate test.
  let moved = -1;
  let awareAtBadLink: SampleState;
  let atEqualSnr: SampleState;

  it('loads the checkpoint and the images on backend wmoe, cross-origin isolated, and shows a prediction', async () => {
    const d = await demo();
    expect(d.error).toBeUndefined();
    expect(d.ready).toBe(true);
    const status = await tab.page.textContent('#status');
    expect(status).toContain('backend wmoe');
    expect(status).toContain('cross-origin isolated: yes');
    expect(status).toContain(`${PAGE_SAMPLES} test images`);
    const s = d.state!;
    expect(s.sample).toBe(0);
    expect(s.label).toBe(test.labels[0]);
    expect(s.chosen).toHaveLength(cfg.topK);
    expect(await tab.page.locator('#experts tr[data-chosen="1"]').count()).toBe(cfg.topK);
    expect(Number(await tab.page.getAttribute('#prediction', 'data-class'))).toBe(s.predicted);
    // The same image through the checkpoint in Node: the same probabilities, bit for bit.
    expect(s.probs).toEqual(nodeRoute(0, 'channel-aware', s.snrDb).probs);
    atEqualSnr = s;
  });

  it('before any Run: the class probabilities have a heading and % signs; the sweep and BER panels say what Run will show; the range fields explain start:step:stop', async () => {
    const { page } = tab;
    expect(await page.textContent('#class-probs-heading')).toMatch(/class probabilities/);
    const values = await page.locator('#class-probs > span').allTextContents();
    // name, value for each of the 10 classes (the bar cells are divs).
    expect(values.filter((_, i) => i % 2 === 1)).toHaveLength(10);
    for (const v of values.filter((_, i) => i % 2 === 1)) expect(v).toMatch(/^\d+\.\d %$/);
    expect(await page.textContent('#sweep-plot .hint')).toMatch(/Run evaluates [\s\S]* naive gate [\s\S]* channel-aware gate[\s\S]* accuracy \(%\) against x/);
    expect(await page.textContent('#ber-plot .hint')).toMatch(/Run simulates [\s\S]* BER and FER on a log scale/);
    for (const id of ['#sweep-snr-syntax', '#ber-ebn0-syntax']) {
      expect(await page.isVisible(id)).toBe(true);
      expect(await page.textContent(id)).toContain('start:step:stop');
    }
    // What the typed range gives, as the user types; an unreadable range says why.
    expect(await page.textContent('#sweep-snr-points')).toBe('7 points: \u221210, \u22125, 0, 5, 10, …, 20 dB');
    await page.fill('#ber-ebn0', '0:0:3');
    expect(await page.textContent('#ber-ebn0-points')).toBe("Eb/N0 '0:0:3': step must not be 0");
    expect(await page.getAttribute('#ber-ebn0-points', 'class')).toContain('error');
    await page.fill('#ber-ebn0', '0:0.5:3');
    expect(await page.textContent('#ber-ebn0-points')).toBe('7 points: 0, 0.5, 1, 1.5, 2, …, 3 dB');
  });

  it('"the others at … dB" is hidden (and disabled) when every link is at x', async () => {
    const { page } = tab;
    expect(await page.isVisible('#sweep-other')).toBe(true);
    await page.selectOption('#sweep-mode', 'equal');
    expect(await page.isVisible('#sweep-other')).toBe(false);
    expect(await page.isDisabled('#sweep-other')).toBe(true);
    await page.selectOption('#sweep-mode', 'one-link');
    expect(await page.isVisible('#sweep-other')).toBe(true);
    expect(await page.isDisabled('#sweep-other')).toBe(false);
  });

  it('channel-aware gate: the SNR slider of its favourite expert down to −10 dB moves the routing elsewhere', async () => {
    const s0 = atEqualSnr;
    expect(s0.gate).toBe('channel-aware');
    expect(s0.snrDb.every((v) => v === 20)).toBe(true);
    moved = s0.weights.indexOf(Math.max(...s0.weights));
    expect(s0.chosen).toContain(moved);
    await tab.page.locator(`input.snr[data-expert="${moved}"]`).fill('-10');
    const s = await stateWhen(`s.snrDb[${moved}] === -10`);
    expect(s.chosen).not.toContain(moved);
    expect(s.weights[moved]).toBe(0);
    expect(s.scores[moved]).toBeLessThan(s0.scores[moved]);
    expect(await tab.page.getAttribute(`#experts tr[data-expert="${moved}"]`, 'data-chosen')).toBe('0');
    expect(s.probs).toEqual(nodeRoute(0, 'channel-aware', s.snrDb).probs);
    awareAtBadLink = s;
  });

  it('flipping the gate to naive routes to the bad link again (as at equal SNRs) and changes the prediction', async () => {
    expect(moved).toBeGreaterThanOrEqual(0);
    await tab.page.check('#gate-naive');
    const s = await stateWhen(`s.gate === 'naive'`);
    // The naive gate ignores the SNRs; at equal SNRs the channel-aware gate routes exactly like it.
    expect(s.chosen).toEqual(atEqualSnr.chosen);
    expect(s.chosen).toContain(moved);
    expect(s.probs).not.toEqual(awareAtBadLink.probs);
    const node = nodeRoute(0, 'naive', s.snrDb);
    expect(s.chosen).toEqual(node.chosen);
    expect(s.probs).toEqual(node.probs);
    await tab.page.check('#gate-aware');
    await stateWhen(`s.gate === 'channel-aware'`);
  });

  it('accuracy sweep in the worker: progress to 100 %, both curves, and every evaluation equal to Node bit for bit', async () => {
    const { page } = tab;
    await page.fill('#sweep-samples', String(SWEEP_SAMPLES));
    await page.selectOption('#sweep-mode', 'one-link');
    await page.fill('#sweep-other', '20');
    await page.fill('#sweep-snr', '-10,20');
    await page.click('#sweep-run');
    await page.waitForFunction(() => ['done', 'error'].includes(document.getElementById('sweep-plot')!.dataset.state!), null, { timeout: 30_000 });
    expect(await page.getAttribute('#sweep-plot', 'data-state'), (await page.textContent('#sweep-label')) ?? '').toBe('done');
    expect(await page.evaluate(() => (document.getElementById('sweep-progress') as HTMLProgressElement).value)).toBe(1);
    const svg = (await page.innerHTML('#sweep-plot'))!;
    expect(svg).toContain('<svg');
    expect(svg).toContain('naive gate');
    expect(svg).toContain('channel-aware gate');
    const r = (await demo()).lastSweep!;
    expect(r.samples).toBe(SWEEP_SAMPLES);
    expect(r.evals).toHaveLength(2 * 2 * cfg.experts);
    // Node: the same checkpoint, the same images, the package's evaluate with the same seed.
    const features = extractFeatures(nodeModel, head(test, SWEEP_SAMPLES));
    for (const e of r.evals) {
      const here = evaluate(nodeModel, features, { gate: e.gate, link: analogLink, snr: { kind: 'fixed', db: e.snrDb }, seed: 1 });
      expect({ accuracy: e.accuracy, selection: e.selection }, `${e.gate} at ${e.snrDb}`).toEqual({ accuracy: here.accuracy, selection: here.selection });
    }
    // At equal SNRs (x = 20 dB, the others at 20 dB) both gates route identically.
    expect(r.channelAware[1]).toBe(r.naive[1]);
    // With one link at −10 dB the channel-aware gate does at least as well as the naive one.
    expect(r.channelAware[0]).toBeGreaterThanOrEqual(r.naive[0]);
  });

  it('a long BER run shows progress while the page stays responsive, and Cancel stops it and restarts the worker', async () => {
    const { page } = tab;
    await page.selectOption('#ber-code', '80211n:1944:1/2');
    await page.fill('#ber-ebn0', '0:0.1:3');
    await page.fill('#ber-errors', '10000');
    await page.fill('#ber-frames', '100000');
    await page.click('#ber-run');
    await page.waitForFunction(() => (document.getElementById('ber-progress') as HTMLProgressElement).value > 0, null, { timeout: 20_000 });
    // The main thread is free while the worker decodes: stepping to the next image updates the state.
    await page.click('#next');
    expect((await stateWhen('s.sample === 1')).label).toBe(test.labels[1]);
    expect(await page.getAttribute('#ber-plot', 'data-state')).toBe('running');
    await page.click('#cancel');
    await page.waitForFunction(() => document.getElementById('ber-plot')!.dataset.state === 'error', null, { timeout: 10_000 });
    expect(await page.textContent('#ber-label')).toBe('stopped: cancelled');
    await page.click('#prev');
    await stateWhen('s.sample === 0');
  });

  it('BER point in the worker: 802.11n 648 R1/2, BPSK, 1.5 dB, 200 frames: the same counts as simulateBer in Node', async () => {
    const { page } = tab;
    await page.selectOption('#ber-code', '80211n:648:1/2');
    await page.selectOption('#ber-modulation', 'bpsk');
    await page.fill('#ber-ebn0', '1.5');
    await page.fill('#ber-errors', '1000');
    await page.fill('#ber-frames', '200');
    await page.click('#ber-run');
    await page.waitForFunction(() => ['done', 'error'].includes(document.getElementById('ber-plot')!.dataset.state!), null, { timeout: 30_000 });
    expect(await page.getAttribute('#ber-plot', 'data-state'), (await page.textContent('#ber-label')) ?? '').toBe('done');
    const web = (await demo()).lastBer!;
    const here = simulateBer({ code: '80211n:648:1/2', modulation: 'bpsk', decoder: 'nms', ebn0Db: [1.5], maxFrames: 200, maxFrameErrors: 1000, seed: 1 });
    const counts = (r: BerResult) =>
      r.points.map(({ frames, bits, bitErrors, frameErrors, undetectedFrameErrors, meanIterations }) => ({ frames, bits, bitErrors, frameErrors, undetectedFrameErrors, meanIterations }));
    expect(counts(web)).toEqual(counts(here));
    expect(here.points[0].frames).toBe(200);
    // Some but not all frames fail at this SNR, so equal counts mean something.
    expect(here.points[0].frameErrors).toBeGreaterThan(0);
    expect(here.points[0].frameErrors).toBeLessThan(200);
    expect(await page.innerHTML('#ber-plot')).toContain('<svg');
  });

  it('equal-SNR sweep: the lines coincide, the plot says why and draws the naive line dashed on top; the plot uses the width of the page and follows it', async () => {
    const { page } = tab;
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.fill('#sweep-samples', String(SWEEP_SAMPLES));
    await page.selectOption('#sweep-mode', 'equal');
    await page.fill('#sweep-snr', '-10,0,20');
    await page.click('#sweep-run');
    await page.waitForFunction(() => ['done', 'error'].includes(document.getElementById('sweep-plot')!.dataset.state!), null, { timeout: 30_000 });
    expect(await page.getAttribute('#sweep-plot', 'data-state'), (await page.textContent('#sweep-label')) ?? '').toBe('done');
    const r = (await demo()).lastSweep!;
    expect(r.naive).toEqual(r.channelAware);
    let d = readChart(await page.innerHTML('#sweep-plot'));
    expect(d.series.map((s) => [s.name, s.dashed])).toEqual([
      ['channel-aware gate', false],
      ['naive gate', true],
    ]);
    expect(d.notes.join(' ')).toMatch(/Every link at the same SNR: .* the two lines coincide \(the naive one is drawn dashed on top\)/);
    // Most of the 1280 px page: the SVG fills the plot box, and the plot area most of the SVG.
    const box = await page.locator('#sweep-plot').boundingBox();
    const svgBox = await page.locator('#sweep-plot svg').boundingBox();
    expect(box!.width).toBeGreaterThan(1000);
    expect(svgBox!.width).toBeGreaterThan(box!.width - 2);
    expect(d.frame.right - d.frame.left).toBeGreaterThan(0.9 * d.width);
    // A narrower window: the chart is drawn again at the new width.
    await page.setViewportSize({ width: 640, height: 900 });
    await page.waitForFunction(() => Number(document.querySelector('#sweep-plot svg')!.getAttribute('width')) < 640, null, { timeout: 5_000 });
    d = readChart(await page.innerHTML('#sweep-plot'));
    expect(d.width).toBeLessThan(640);
    expect(d.width).toBeGreaterThan(500);
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.selectOption('#sweep-mode', 'one-link');
  });

  it('BER curve with a point without frame errors (0:1:3, 20 frame errors, 400 frames): drawn as an upper bound with a note, the counts equal to Node', async () => {
    const { page } = tab;
    await page.selectOption('#ber-code', '80211n:648:1/2');
    await page.selectOption('#ber-modulation', 'bpsk');
    await page.fill('#ber-ebn0', '0:1:3');
    await page.fill('#ber-errors', '20');
    await page.fill('#ber-frames', '400');
    await page.click('#ber-run');
    await page.waitForFunction(() => ['done', 'error'].includes(document.getElementById('ber-plot')!.dataset.state!), null, { timeout: 30_000 });
    expect(await page.getAttribute('#ber-plot', 'data-state'), (await page.textContent('#ber-label')) ?? '').toBe('done');
    const web = (await demo()).lastBer!;
    const here = simulateBer({ code: '80211n:648:1/2', modulation: 'bpsk', decoder: 'nms', ebn0Db: [0, 1, 2, 3], maxFrames: 400, maxFrameErrors: 20, seed: 1 });
    expect(web.points.map((p) => [p.frames, p.frameErrors, p.bitErrors])).toEqual(here.points.map((p) => [p.frames, p.frameErrors, p.bitErrors]));
    const clean = here.points.filter((p) => p.frameErrors === 0);
    expect(clean.map((p) => p.ebn0Db)).toEqual([3]);
    const d = readChart(await page.innerHTML('#ber-plot'));
    expect(d.bounds.map((b) => [b.dataX, b.dataY])).toEqual([[3, zeroEventUpperBound(400)]]);
    expect(d.bounds[0].x).toBeLessThan(d.frame.right);
    expect(d.series.find((s) => s.name === 'FER')!.points).toHaveLength(3);
    expect(d.notes.join(' ')).toContain('No frame error in 400 frames at 3 dB');
    expect(d.legend).toContain('no frame error: 95 % upper bound');
  });

  it('logged no console errors or page errors', async () => {
    expect(tab.errors).toEqual([]);
    expect((await demo()).error).toBeUndefined();
  });
});
