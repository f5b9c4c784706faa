// What the demo page's main thread and its Web Worker share: the files the page loads (a
// checkpoint and a test-image subset, written next to the bundle by scripts/web.mjs), the link
// the user chose, and the messages between the two threads.
import { parseCheckpoint, type ParsedCheckpoint } from '../src/train/checkpoint_parse.js';
import { createLink, type Link } from '../src/link/index.js';
import type { ModulationName } from '../src/channel/modem.js';
import type { Dataset } from '../src/data/dataset.js';
import { quantiseImages } from '../src/data/pixels.js';
import type { BerResult } from '../src/sim/ber.js';

/** Format tag of data/manifest.json. */
export const IMAGES_FORMAT = 'wireless-moe/web-images@1';

/**
 * data/manifest.json: the test images are `n` NHWC float32 images [n, height, width, channels]
 * in [0, 1] (little-endian, in data/images.f32) and their labels (int32, data/labels.i32).
 */
export interface ImagesManifest {
  format: string;
  dataset: string;
  n: number;
  height: number;
  width: number;
  channels: number;
  classes: number;
}

/** Paths of the page's data files, relative to the page. */
export const ASSET_PATHS = {
  config: 'checkpoint/config.json',
  weights: 'checkpoint/weights.bin',
  manifest: 'data/manifest.json',
  images: 'data/images.f32',
  labels: 'data/labels.i32',
} as const;

/** The link chosen in the page: analog, or digital with an LDPC code and a modulation (8-bit features). */
export interface LinkChoice {
  kind: 'analog' | 'digital';
  /** LDPC code spec, e.g. '80211n:648:1/2' (digital only). */
  code: string;
  modulation: ModulationName;
}

/** A short label of a link choice: "analog" or "80211n:648:1/2 bpsk". */
export function describeLink(c: LinkChoice): string {
  return c.kind === 'analog' ? 'analog' : `${c.code} ${c.modulation}`;
}

const links = new Map<string, Link>();

/** The package's link for a choice (digital links are cached: building one builds its code). */
export function linkOf(c: LinkChoice): Link {
  const key = describeLink(c);
  let link = links.get(key);
  if (!link) {
    link = c.kind === 'analog' ? createLink('analog') : createLink('digital', { code: c.code, modulation: c.modulation, bits: 8 });
    links.set(key, link);
  }
  return link;
}

async function fetchOk(url: URL): Promise<Response> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`cannot load ${url.pathname}: HTTP ${res.status}`);
  return res;
}

/** The checkpoint and the test images, fetched relative to `base` (the page's URL). */
export interface Assets extends ParsedCheckpoint {
  test: Dataset;
}

/** Fetches and checks the checkpoint and the test images (the model lives on the current tfjs backend). */
export async function loadAssets(base: string): Promise<Assets> {
  const url = (p: string) => new URL(p, base);
  const [configText, weights, manifest, images, labels] = await Promise.all([
    fetchOk(url(ASSET_PATHS.config)).then((r) => r.text()),
    fetchOk(url(ASSET_PATHS.weights)).then((r) => r.arrayBuffer()),
    fetchOk(url(ASSET_PATHS.manifest)).then((r) => r.json() as Promise<ImagesManifest>),
    fetchOk(url(ASSET_PATHS.images)).then((r) => r.arrayBuffer()),
    fetchOk(url(ASSET_PATHS.labels)).then((r) => r.arrayBuffer()),
  ]);
  if (manifest.format !== IMAGES_FORMAT) throw new Error(`${ASSET_PATHS.manifest} has format '${manifest.format}', expected '${IMAGES_FORMAT}'`);
  const size = manifest.height * manifest.width * manifest.channels;
  if (images.byteLength !== manifest.n * size * 4 || labels.byteLength !== manifest.n * 4) {
    throw new Error(`${ASSET_PATHS.images} or ${ASSET_PATHS.labels} does not hold the ${manifest.n} images the manifest lists`);
  }
  const parsed = parseCheckpoint(configText, new Uint8Array(weights), { config: ASSET_PATHS.config, weights: ASSET_PATHS.weights });
  const shape = parsed.model.config.inputShape;
  if (shape.join('x') !== [manifest.height, manifest.width, manifest.channels].join('x')) {
    parsed.model.dispose();
    throw new Error(`the checkpoint takes ${shape.join('x')} images but the test images are ${manifest.height}x${manifest.width}x${manifest.channels}`);
  }
  const test: Dataset = {
    ...quantiseImages(new Float32Array(images), ASSET_PATHS.images),
    labels: new Int32Array(labels),
    n: manifest.n,
    height: manifest.height,
    width: manifest.width,
    channels: manifest.channels,
    classes: manifest.classes,
  };
  return { ...parsed, test };
}

/** Accuracy against SNR for both gates, swept over one link or all links. */
export interface SweepRequest {
  type: 'sweep';
  id: number;
  link: LinkChoice;
  /**
   * 'one-link': one link at x dB, the others at `otherDb`, averaged over which link is the odd
   * one; 'equal': every link at x dB.
   */
  mode: 'one-link' | 'equal';
  snrDb: number[];
  otherDb: number;
  /** The first `samples` test images. */
  samples: number;
  seed: number;
}

/** One `evaluate` run of a sweep. */
export interface SweepEval {
  gate: 'naive' | 'channel-aware';
  /** Per-expert SNR in dB. */
  snrDb: number[];
  accuracy: number;
  selection: number[];
}

export interface SweepResult {
  request: SweepRequest;
  /** Test images evaluated (request.samples, at most all the page has). */
  samples: number;
  /** Mean accuracy at each x of request.snrDb. */
  naive: number[];
  channelAware: number[];
  evals: SweepEval[];
  seconds: number;
}

/** A BER/FER curve of an LDPC code, computed with the package's simulateBer. */
export interface BerRequest {
  type: 'ber';
  id: number;
  code: string;
  modulation: ModulationName;
  ebn0Db: number[];
  maxFrameErrors: number;
  maxFrames: number;
  seed: number;
}

/** The page's `?simd=auto|relaxed|plain` (init's InitOptions.simd; default auto: relaxed where the browser has it). */
export function simdOfPage(search: string): 'auto' | 'relaxed' | 'plain' {
  const v = new URLSearchParams(search).get('simd');
  return v === 'plain' || v === 'relaxed' ? v : 'auto';
}

export type ToWorker = { type: 'init'; base: string; simd: 'auto' | 'relaxed' | 'plain' } | SweepRequest | BerRequest;

export type FromWorker =
  | { type: 'ready'; backend: string; samples: number }
  | { type: 'progress'; id: number; fraction: number; label: string }
  | { type: 'sweep'; id: number; result: SweepResult }
  | { type: 'ber'; id: number; result: BerResult; seconds: number }
  | { type: 'error'; id?: number; message: string };
