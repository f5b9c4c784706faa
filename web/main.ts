// The demo page's main thread: plain DOM, no framework. One test image at a time runs here (one
// sample through the backbone, the gate, the chosen links and the experts is a few
// milliseconds); accuracy sweeps and BER curves run in web/worker.ts with a progress bar.
// `globalThis.wmoeDemo` exposes the page's state to tests (test/web/demo.test.ts).
import { init, tf } from '../src/index.js';
import { hasWasmSimd } from '../src/wasm/simd.js';
import { imageValues } from '../src/data/pixels.js';
import { WIFI_LENGTHS, WIFI_RATES } from '../src/codes/ieee80211n.js';
import { parseSnrRange } from '../src/sim/range.js';
import { awgnLinkBatch } from '../src/link/channel_model.js';
import type { GateKind } from '../src/moe/gate.js';
import type { ModulationName } from '../src/channel/modem.js';
import type { BerResult } from '../src/sim/ber.js';
import { accuracyPlot, berPlot } from './plot.js';
import { describeSnrRange } from './range_hint.js';
import { describeLink, linkOf, loadAssets, simdOfPage, type Assets, type BerRequest, type FromWorker, type LinkChoice, type SweepRequest, type SweepResult } from './shared.js';

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const e = document.getElementById(id);
  if (!e) throw new Error(`the page has no #${id}`);
  return e as T;
};

/** LDPC codes the page offers: the twelve 802.11n codes and two 5G NR base graphs. */
const CODES = [...WIFI_LENGTHS.flatMap((n) => WIFI_RATES.map((r) => `80211n:${n}:${r}`)), '5gnr:bg2:z64', '5gnr:bg1:z64'];
const SNR_MIN = -15;
const SNR_MAX = 30;
const SNR_DEFAULT = 20;

/** What the page shows for the current image (also what tests read). */
export interface SampleState {
  sample: number;
  label: number;
  predicted: number;
  /** Mixture class probabilities. */
  probs: number[];
  gate: GateKind;
  link: string;
  snrDb: number[];
  /** Experts the gate picked (top-k), ascending. */
  chosen: number[];
  /** Renormalised routing weights [K] (0 outside the top-k). */
  weights: number[];
  /** softmax of the gate logits over all K experts. */
  scores: number[];
}

const demo = {
  ready: false,
  error: undefined as string | undefined,
  state: undefined as SampleState | undefined,
  lastSweep: undefined as SweepResult | undefined,
  lastBer: undefined as BerResult | undefined,
};
(globalThis as unknown as { wmoeDemo: typeof demo }).wmoeDemo = demo;

let assets: Assets;
let sample = 0;
const snr: number[] = [];

function gate(): GateKind {
  return $<HTMLInputElement>('gate-naive').checked ? 'naive' : 'channel-aware';
}

function linkChoice(): LinkChoice {
  return {
    kind: $<HTMLSelectElement>('link').value === 'digital' ? 'digital' : 'analog',
    code: $<HTMLSelectElement>('code').value,
    modulation: $<HTMLSelectElement>('modulation').value as ModulationName,
  };
}

function fillSelect(id: string, values: string[], selected: string): void {
  const s = $<HTMLSelectElement>(id);
  s.replaceChildren(...values.map((v) => new Option(v, v, v === selected, v === selected)));
}

const pct = (v: number) => `${(100 * v).toFixed(1)} %`;
const argmax = (a: ArrayLike<number>) => {
  let best = 0;
  for (let i = 1; i < a.length; i++) if (a[i] > a[best]) best = i;
  return best;
};

function drawImage(): void {
  const { test } = assets;
  const { height: H, width: W, channels: C } = test;
  const canvas = $<HTMLCanvasElement>('image');
  canvas.width = W;
  canvas.height = H;
  const ctx = canvas.getContext('2d')!;
  const img = ctx.createImageData(W, H);
  const values = imageValues(test, sample, 1);
  for (let p = 0; p < H * W; p++) {
    for (let c = 0; c < 3; c++) img.data[4 * p + c] = Math.round(255 * values[p * C + (C === 3 ? c : 0)]);
    img.data[4 * p + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
  $('sample-index').textContent = `${sample + 1} / ${test.n}`;
  $('label').textContent = String(test.labels[sample]);
}

/** Builds the per-expert rows: a slider per link and cells the update fills. */
function buildExpertRows(K: number): void {
  const rows = Array.from({ length: K }, (_, k) => {
    const tr = document.createElement('tr');
    tr.dataset.expert = String(k);
    tr.innerHTML =
      `<td>expert ${k + 1}</td>` +
      `<td><input type="range" class="snr" data-expert="${k}" min="${SNR_MIN}" max="${SNR_MAX}" step="1" value="${snr[k]}" aria-label="SNR of expert ${k + 1}">` +
      ` <output class="snr-value">${snr[k]} dB</output></td>` +
      `<td><div class="bar-cell"><div class="bar score"></div></div><span class="score-value"></span></td>` +
      `<td><div class="bar-cell"><div class="bar weight"></div></div><span class="weight-value"></span></td>` +
      `<td class="expert-answer"></td>`;
    const input = tr.querySelector<HTMLInputElement>('input.snr')!;
    input.addEventListener('input', () => {
      snr[k] = Number(input.value);
      tr.querySelector('output')!.textContent = `${snr[k]} dB`;
      scheduleUpdate();
    });
    return tr;
  });
  $('experts').querySelector('tbody')!.replaceChildren(...rows);
}

/** Runs the current image through the model with the current gate, link and SNRs, and shows it. */
function update(): void {
  const { model, test } = assets;
  const K = model.config.experts;
  const g = gate();
  const choice = linkChoice();
  const out = tf.tidy(() => {
    const x = tf.tensor4d(imageValues(test, sample, 1), [1, test.height, test.width, test.channels]);
    const r = model.route(model.features(x), { gate: g, link: linkOf(choice), batch: awgnLinkBatch(snr, 1, K, sample + 1) });
    return [r.probs, tf.softmax(r.logits), r.mask, r.weights, r.expertProbs];
  });
  const [probs, scores, mask, weights, expertProbs] = out.map((t) => Array.from(t.dataSync()));
  tf.dispose(out);
  const classes = probs.length;
  const predicted = argmax(probs);
  const label = test.labels[sample];
  const chosen = mask.flatMap((m, k) => (m > 0 ? [k] : []));
  demo.state = { sample, label, predicted, probs, gate: g, link: describeLink(choice), snrDb: snr.slice(), chosen, weights, scores };

  const pred = $('prediction');
  pred.textContent = `${predicted} (${pct(probs[predicted])}) ${predicted === label ? '✓' : '✗'}`;
  pred.dataset.class = String(predicted);
  pred.className = predicted === label ? '' : 'error';
  const probCells = probs.flatMap((p, c) => {
    const name = document.createElement('span');
    name.textContent = String(c);
    const cell = document.createElement('div');
    cell.className = 'bar-cell';
    const bar = document.createElement('div');
    bar.className = 'bar';
    bar.style.width = `${100 * p}%`;
    cell.append(bar);
    const v = document.createElement('span');
    v.textContent = `${(100 * p).toFixed(1)} %`;
    return [name, cell, v];
  });
  $('class-probs').replaceChildren(...probCells);

  for (const tr of $('experts').querySelectorAll<HTMLTableRowElement>('tbody tr')) {
    const k = Number(tr.dataset.expert);
    const picked = mask[k] > 0;
    tr.dataset.chosen = picked ? '1' : '0';
    tr.querySelector<HTMLElement>('.bar.score')!.style.width = `${100 * scores[k]}%`;
    tr.querySelector('.score-value')!.textContent = ` ${pct(scores[k])}`;
    tr.querySelector<HTMLElement>('.bar.weight')!.style.width = `${100 * weights[k]}%`;
    tr.querySelector('.weight-value')!.textContent = picked ? ` ${pct(weights[k])}` : ' —';
    const own = expertProbs.slice(k * classes, (k + 1) * classes);
    const c = argmax(own);
    tr.querySelector('.expert-answer')!.textContent = picked ? `${c} (${pct(own[c])})` : 'not sent';
  }
}

let pending = false;
/** Updates once per animation frame at most, however fast a slider moves. */
function scheduleUpdate(): void {
  if (pending) return;
  pending = true;
  requestAnimationFrame(() => {
    pending = false;
    try {
      update();
    } catch (e) {
      showError(e);
    }
  });
}

function showError(e: unknown): void {
  const message = e instanceof Error ? e.message : String(e);
  demo.error = message;
  const s = $('status');
  s.textContent = `Error: ${message}`;
  s.className = 'error';
}

// ---- plots, drawn at the width of their box (and again when it changes) ----

/** Narrowest chart drawn; a narrower box scales it down (CSS max-width). */
const MIN_PLOT_WIDTH = 320;
const drawers = new Map<HTMLElement, { draw: (width: number) => string; width: number }>();
const resizes = new ResizeObserver((entries) => {
  for (const { target } of entries) {
    const d = drawers.get(target as HTMLElement);
    if (d && plotWidth(target as HTMLElement) !== d.width) drawPlot(target as HTMLElement, d.draw);
  }
});

function plotWidth(box: HTMLElement): number {
  return Math.max(MIN_PLOT_WIDTH, Math.floor(box.clientWidth));
}

/** Fills `box` with the chart `draw` makes at the box's width, and redraws it when that changes. */
function drawPlot(box: HTMLElement, draw: (width: number) => string): void {
  const width = plotWidth(box);
  box.innerHTML = draw(width);
  if (!drawers.has(box)) resizes.observe(box);
  drawers.set(box, { draw, width });
}

/** Shows under an SNR-range field what it will sweep (or why it cannot be read), as the user types. */
function rangeHint(inputId: string, hintId: string, name: string): void {
  const input = $<HTMLInputElement>(inputId);
  const show = () => {
    const h = describeSnrRange(input.value, name);
    const out = $(hintId);
    out.textContent = h.text;
    out.classList.toggle('error', !h.ok);
    input.setAttribute('aria-invalid', String(!h.ok));
  };
  input.addEventListener('input', show);
  show();
}

// ---- the worker: sweeps and BER curves ----

interface Job {
  onProgress(fraction: number, label: string): void;
  resolve(m: FromWorker): void;
  reject(e: Error): void;
}

let worker: Worker;
let workerReady: Promise<void>;
const jobs = new Map<number, Job>();
let nextId = 1;

function startWorker(): void {
  worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  let ready: () => void;
  let failed: (e: Error) => void;
  workerReady = new Promise<void>((res, rej) => ([ready, failed] = [res, rej]));
  workerReady.catch(() => {});
  worker.onmessage = (e: MessageEvent<FromWorker>) => {
    const m = e.data;
    if (m.type === 'ready') return ready();
    if (m.type === 'error' && m.id === undefined) return failed(new Error(`worker: ${m.message}`));
    const job = jobs.get(m.id!);
    if (!job) return;
    if (m.type === 'progress') return job.onProgress(m.fraction, m.label);
    jobs.delete(m.id!);
    if (m.type === 'error') job.reject(new Error(m.message));
    else job.resolve(m);
  };
  worker.onerror = (e) => {
    e.preventDefault();
    const err = new Error(`worker: ${e.message}`);
    failed(err);
    for (const job of jobs.values()) job.reject(err);
    jobs.clear();
  };
  worker.postMessage({ type: 'init', base: location.href, simd: simdOfPage(location.search) });
}

/** Sends a request to the worker and resolves with its answer; progress goes to `bar`/`label`. */
async function runJob<T extends FromWorker>(request: SweepRequest | BerRequest, bar: HTMLProgressElement, label: HTMLElement): Promise<T> {
  bar.value = 0;
  label.textContent = 'waiting for the worker…';
  await workerReady;
  return new Promise<T>((resolve, reject) => {
    jobs.set(request.id, {
      onProgress(fraction, text) {
        bar.value = fraction;
        label.textContent = `${Math.round(100 * fraction)} %: ${text}`;
      },
      resolve: (m) => resolve(m as T),
      reject,
    });
    worker.postMessage(request);
  });
}

function cancelJobs(): void {
  worker.terminate();
  const err = new Error('cancelled');
  for (const job of jobs.values()) job.reject(err);
  jobs.clear();
  startWorker();
}

async function runSweep(): Promise<void> {
  const button = $<HTMLButtonElement>('sweep-run');
  const label = $('sweep-label');
  const plot = $('sweep-plot');
  plot.dataset.state = 'running';
  button.disabled = true;
  try {
    const request: SweepRequest = {
      type: 'sweep',
      id: nextId++,
      link: linkChoice(),
      mode: $<HTMLSelectElement>('sweep-mode').value === 'equal' ? 'equal' : 'one-link',
      snrDb: parseSnrRange($<HTMLInputElement>('sweep-snr').value, 'x'),
      otherDb: Number($<HTMLInputElement>('sweep-other').value),
      samples: Math.max(1, Math.round(Number($<HTMLInputElement>('sweep-samples').value)) || 300),
      seed: 1,
    };
    const m = await runJob<Extract<FromWorker, { type: 'sweep' }>>(request, $<HTMLProgressElement>('sweep-progress'), label);
    demo.lastSweep = m.result;
    drawPlot(plot, (w) => accuracyPlot(m.result, w));
    label.textContent = `done in ${m.result.seconds.toFixed(1)} s (${m.result.evals.length} evaluations in the worker)`;
    plot.dataset.state = 'done';
  } catch (e) {
    label.textContent = `stopped: ${(e as Error).message}`;
    plot.dataset.state = 'error';
  } finally {
    button.disabled = false;
  }
}

async function runBer(): Promise<void> {
  const button = $<HTMLButtonElement>('ber-run');
  const label = $('ber-label');
  const plot = $('ber-plot');
  plot.dataset.state = 'running';
  button.disabled = true;
  try {
    const request: BerRequest = {
      type: 'ber',
      id: nextId++,
      code: $<HTMLSelectElement>('ber-code').value,
      modulation: $<HTMLSelectElement>('ber-modulation').value as ModulationName,
      ebn0Db: parseSnrRange($<HTMLInputElement>('ber-ebn0').value, 'Eb/N0'),
      maxFrameErrors: Math.max(1, Math.round(Number($<HTMLInputElement>('ber-errors').value)) || 50),
      maxFrames: Math.max(1, Math.round(Number($<HTMLInputElement>('ber-frames').value)) || 2000),
      seed: 1,
    };
    const m = await runJob<Extract<FromWorker, { type: 'ber' }>>(request, $<HTMLProgressElement>('ber-progress'), label);
    demo.lastBer = m.result;
    drawPlot(plot, (w) => berPlot(m.result, w));
    const frames = m.result.points.reduce((a, p) => a + p.frames, 0);
    label.textContent = `done in ${m.seconds.toFixed(1)} s (${frames} frames decoded in the worker)`;
    plot.dataset.state = 'done';
  } catch (e) {
    label.textContent = `stopped: ${(e as Error).message}`;
    plot.dataset.state = 'error';
  } finally {
    button.disabled = false;
  }
}

/** The sweep and BER forms: Run, Cancel, the range fields' live descriptions, the sweep mode. */
function wireForms(): void {
  $('sweep-form').addEventListener('submit', (e) => {
    e.preventDefault();
    void runSweep();
  });
  $('ber-form').addEventListener('submit', (e) => {
    e.preventDefault();
    void runBer();
  });
  $('cancel').addEventListener('click', cancelJobs);
  rangeHint('sweep-snr', 'sweep-snr-points', 'x');
  rangeHint('ber-ebn0', 'ber-ebn0-points', 'Eb/N0');
  const sweepMode = () => {
    // "the others at … dB" means nothing when every link is at x: hide it (and disable it).
    const equal = $<HTMLSelectElement>('sweep-mode').value === 'equal';
    $('sweep-other-box').classList.toggle('hidden', equal);
    $<HTMLInputElement>('sweep-other').disabled = equal;
  };
  $('sweep-mode').addEventListener('change', sweepMode);
  sweepMode();
}

// ---- start ----

async function main(): Promise<void> {
  if (!hasWasmSimd()) throw new Error('this browser has no WebAssembly SIMD, which the package needs');
  startWorker();
  await init({ simd: simdOfPage(location.search) });
  assets = await loadAssets(location.href);
  const { model, test, stage2Link } = assets;
  const K = model.config.experts;
  snr.push(...Array<number>(K).fill(SNR_DEFAULT));
  const digital = stage2Link?.kind === 'digital' ? stage2Link : undefined;
  fillSelect('code', CODES, digital?.code && CODES.includes(digital.code) ? digital.code : '80211n:648:1/2');
  fillSelect('ber-code', CODES, $<HTMLSelectElement>('code').value);
  if (digital) {
    $<HTMLSelectElement>('link').value = 'digital';
    $<HTMLSelectElement>('modulation').value = digital.modulation;
  }
  $('topk').textContent = String(model.config.topK);
  const showDigital = () => {
    for (const e of document.querySelectorAll<HTMLElement>('.digital-only')) e.classList.toggle('hidden', $<HTMLSelectElement>('link').value !== 'digital');
  };
  showDigital();
  buildExpertRows(K);
  drawImage();
  update();

  const step = (d: number) => {
    sample = (sample + d + test.n) % test.n;
    drawImage();
    scheduleUpdate();
  };
  $('prev').addEventListener('click', () => step(-1));
  $('next').addEventListener('click', () => step(1));
  document.addEventListener('keydown', (e) => {
    if (e.target instanceof HTMLInputElement || e.target instanceof HTMLSelectElement) return;
    if (e.key === 'ArrowLeft') step(-1);
    if (e.key === 'ArrowRight') step(1);
  });
  for (const id of ['gate-naive', 'gate-aware', 'code', 'modulation']) $(id).addEventListener('change', scheduleUpdate);
  $('link').addEventListener('change', () => {
    showDigital();
    scheduleUpdate();
  });
  $('code').addEventListener('change', () => ($<HTMLSelectElement>('ber-code').value = $<HTMLSelectElement>('code').value));
  $('reset-snr').addEventListener('click', () => {
    snr.fill(SNR_DEFAULT);
    for (const input of document.querySelectorAll<HTMLInputElement>('input.snr')) {
      input.value = String(SNR_DEFAULT);
      input.parentElement!.querySelector('output')!.textContent = `${SNR_DEFAULT} dB`;
    }
    scheduleUpdate();
  });
  wireForms();

  const trained = stage2Link ? `gate trained over ${stage2Link.kind === 'digital' ? `${stage2Link.code} ${stage2Link.modulation}` : stage2Link.kind}` : 'stage-2 link not recorded';
  $('status').textContent =
    `backend ${tf.getBackend()} (WASM SIMD) · ${model.config.model}, K = ${K} experts, top-${model.config.topK}, ` +
    `${trained} · ${test.n} test images · cross-origin isolated: ${globalThis.crossOriginIsolated ? 'yes' : 'no'}`;
  demo.ready = true;
}

main().catch(showError);
