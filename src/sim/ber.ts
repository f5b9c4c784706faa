// Monte-Carlo bit/frame error rate simulation of a coded (or uncoded) link over AWGN or flat block
// fading: random information bits → LDPC encode → Gray modulation → complex AWGN at Es/N0 (times a
// gain h per frame under fading, equalised with the receiver's ĥ) → LLR demap → LDPC decode (in
// batches) → error count on the information bits, one SNR point at a time.
import { Rng, getModem, ebn0ToEsn0, esn0ToEbn0, countBitErrors, type ModulationName, type Modem } from '../channel/index.js';
import { ldpcCode, type LdpcCode, type LdpcDecodeOptions } from '../codes/index.js';
import { BitSource } from './bitsource.js';
import { fail } from '../errors.js';
import { wilsonInterval, type Interval } from './confidence.js';
import { resolveBerChannel, FlatPointChannel, type BerChannel, type BerChannelOptions, type BerChannelSettings } from './ber_channel.js';

/** Decoders of wireless-moe/codes: layered normalised / offset min-sum, flooding sum-product. */
export type BerDecoder = 'nms' | 'oms' | 'spa';
export const BER_DECODERS: readonly BerDecoder[] = ['nms', 'oms', 'spa'];
/** Soft demappers: exact log-sum-exp LLRs or their max-log approximation. */
export type BerDemapper = 'exact' | 'maxlog';
export const BER_DEMAPPERS: readonly BerDemapper[] = ['exact', 'maxlog'];
export const BER_MODULATIONS: readonly ModulationName[] = ['bpsk', 'qpsk', '16qam', '64qam'];

/**
 * What to simulate. Give exactly one of `ebn0Db` and `esn0Db`. The channel options (`channel`,
 * `coherence`, `doppler`, `rxCsi`) take the CLI flags' texts or the parsed specs.
 */
export interface BerOptions extends BerChannelOptions {
  /** An `ldpcCode` spec ('80211n:648:1/2', '5gnr:bg1:z384', 'alist:PATH', …), a built code, or 'none' for uncoded. */
  code: string | LdpcCode;
  /** 'bpsk' (default), 'qpsk', '16qam' or '64qam'. The code length n must be a multiple of its bits per symbol. */
  modulation?: ModulationName;
  /** LDPC decoder (default 'nms'); ignored when uncoded. */
  decoder?: BerDecoder;
  /** Maximum decoder iterations (default 10 for nms/oms, 50 for spa). Integer ≥ 1. */
  iterations?: number;
  /** Normalisation factor of 'nms', in (0, 1] (default 0.75). Only with decoder 'nms'. */
  nmsFactor?: number;
  /** Stop decoding a frame once H·c = 0 (default true). */
  earlyStop?: boolean;
  /** LLR demapper (default 'exact'). */
  demapper?: BerDemapper;
  /** SNR points as Eb/N0 in dB (energy per information bit). */
  ebn0Db?: number[];
  /** SNR points as Es/N0 in dB (energy per modulated symbol). */
  esn0Db?: number[];
  /** A point stops after this many frame errors (default 100). Integer ≥ 1. */
  maxFrameErrors?: number;
  /** … or after this many frames (default 100 000). Integer ≥ 1. */
  maxFrames?: number;
  /** Frames generated and decoded per batch (default 256). Results do not depend on it. */
  batchFrames?: number;
  /** Bits per frame when uncoded (default 1024, 1020 for 64-QAM; a multiple of the bits per symbol). */
  blockBits?: number;
  /** Seed, an integer in [0, 2^53) (default 1). Same seed and options → identical counts. */
  seed?: number;
  /**
   * 'awgn' (default), 'rayleigh' or 'rician:K' (K-factor in dB, or inf), or a FadingChannel. Under
   * fading each frame (a codeword; uncoded, a frame of blockBits) is sent through one complex gain
   * h, E|h|² = 1, so the SNR points are mean SNRs.
   */
  channel?: BerChannelOptions['channel'];
  /** Frames per fading block (default 1: block fading per codeword). Integer ≥ 1. */
  coherence?: number;
  /**
   * Time correlation of successive blocks: f (Jakes sum of sinusoids, autocorrelation J0(2πfτ)),
   * 'ar1:f' (first order, ρ = J0(2πf)), with f = f_D·T in [0, 0.5] and T a block; or a DopplerSpec.
   * Default (absent or null): blocks fade independently.
   */
  doppler?: BerChannelOptions['doppler'];
  /**
   * What the receiver knows: 'perfect' (default; ĥ = h) or 'pilots:P', an LS estimate from P
   * unit-energy pilots per frame (ĥ = h + CN(0, N0/P); LLRs with N0 + N0/P), or an RxCsiSpec.
   * Pilots count as channel uses (`channelUsesPerFrame`).
   */
  rxCsi?: BerChannelOptions['rxCsi'];
}

/** Results at one SNR point. Counts are over the information bits of the counted frames. */
export interface BerPoint {
  /** Es/N0 in dB (per modulated symbol). */
  esn0Db: number;
  /** Eb/N0 in dB (per information bit): Es/N0 − 10·log10(rate · bitsPerSymbol). */
  ebn0Db: number;
  frames: number;
  /** Information bits simulated: frames · k. */
  bits: number;
  bitErrors: number;
  frameErrors: number;
  ber: number;
  fer: number;
  /** 95 % Wilson interval of the FER. */
  ferInterval: Interval;
  /** Mean decoder iterations over the counted frames (null when uncoded). */
  meanIterations: number | null;
  /** Frames the decoder reported converged (H·c = 0) but whose information bits were wrong. */
  undetectedFrameErrors: number;
  /** Time spent inside decodeBatch, in seconds (null when uncoded). */
  decodeSeconds: number | null;
  /** CPU seconds this process spent inside decodeBatch (Node's process.cpuUsage; null when unavailable or uncoded). */
  decodeCpuSeconds: number | null;
  /** Frames decoded, ≥ frames: the last batch may run past the stopping frame. */
  decodedFrames: number;
  /** Decoder throughput in information Mb/s: decodedFrames · k / decodeSeconds (null when uncoded). */
  decoderMbps: number | null;
  /** Wall-clock seconds for the whole point (bits, encoding, channel, demapping, decoding). */
  seconds: number;
}

/**
 * A finished simulation: its resolved settings and one entry per SNR point, in the given order.
 * The channel settings (`channel`, `coherence`, `doppler`, `rxCsi`, `pilotUsesPerFrame`) are
 * recorded as flag texts.
 */
export interface BerResult extends BerChannelSettings {
  /** The code spec, or 'none'. */
  code: string;
  /** Transmitted (coded) bits per frame. */
  n: number;
  /** Information bits per frame. */
  k: number;
  rate: number;
  modulation: ModulationName;
  bitsPerSymbol: number;
  /** null when uncoded. */
  decoder: BerDecoder | null;
  iterations: number | null;
  nmsFactor: number | null;
  demapper: BerDemapper;
  maxFrameErrors: number;
  maxFrames: number;
  batchFrames: number;
  seed: number;
  /** Channel uses per frame: n / bitsPerSymbol symbols plus the receiver's pilots. */
  channelUsesPerFrame: number;
  points: BerPoint[];
}

/** The resolved settings of a simulation: a {@link BerResult} without its points. */
export type BerSettings = Omit<BerResult, 'points'>;

/** Progress of a running simulation, reported after every batch and when a point finishes. */
export interface BerProgress {
  /** The simulation's resolved settings (as in the final result). */
  settings: BerSettings;
  /** Index of the current point and the number of points. */
  point: number;
  points: number;
  esn0Db: number;
  ebn0Db: number;
  frames: number;
  bitErrors: number;
  frameErrors: number;
  /** True once the point is finished (then `result` is its entry). */
  done: boolean;
  result?: BerPoint;
}

interface Plan {
  code: LdpcCode | null;
  codeName: string;
  n: number;
  k: number;
  modem: Modem;
  decodeOptions: LdpcDecodeOptions | null;
  result: BerSettings;
  channel: BerChannel;
  esn0: number[];
  ebn0: number[];
}

function intOption(name: string, v: unknown, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) {
    fail(`simulateBer: ${name} must be an integer in [${min}, ${max === Number.MAX_SAFE_INTEGER ? '2^53' : max}], got ${String(v)}`);
  }
  return v;
}

function choice<T extends string>(name: string, v: unknown, choices: readonly T[], fallback: T): T {
  if (v === undefined) return fallback;
  if (!(choices as readonly unknown[]).includes(v)) fail(`simulateBer: unknown ${name} '${String(v)}' (known: ${choices.join(', ')})`);
  return v as T;
}

function snrList(name: string, v: unknown): number[] {
  if (!Array.isArray(v) || v.length === 0) fail(`simulateBer: ${name} must be a non-empty array of dB values, got ${Array.isArray(v) ? '[]' : String(v)}`);
  for (const x of v) if (typeof x !== 'number' || !Number.isFinite(x)) fail(`simulateBer: ${name} contains ${String(x)}, not a finite number`);
  return v as number[];
}

/** Checks every option and resolves defaults, before any simulation work. */
function plan(o: BerOptions): Plan {
  if (o === null || typeof o !== 'object') fail(`simulateBer: options must be an object, got ${String(o)}`);
  const modulation = choice('modulation', o.modulation, BER_MODULATIONS, 'bpsk');
  const modem = getModem(modulation);
  const bps = modem.bitsPerSymbol;
  const demapper = choice('demapper', o.demapper, BER_DEMAPPERS, 'exact');
  let code: LdpcCode | null = null;
  let codeName = 'none';
  if (typeof o.code === 'string') {
    if (o.code !== 'none') {
      code = ldpcCode(o.code);
      codeName = o.code;
    }
  } else if (o.code !== null && typeof o.code === 'object' && typeof (o.code as LdpcCode).decodeBatch === 'function') {
    code = o.code;
    codeName = code.spec;
  } else fail(`simulateBer: code must be an ldpcCode spec, an LdpcCode or 'none', got ${String(o.code)}`);
  const blockBits = intOption('blockBits', o.blockBits, 1024 - (1024 % bps), 1, 1 << 24);
  const n = code ? code.n : blockBits;
  const k = code ? code.k : blockBits;
  if (n % bps !== 0) fail(`simulateBer: frame length n = ${n} bits is not a multiple of the ${bps} bits per symbol of ${modulation}`);
  const rate = k / n;

  let decoder: BerDecoder | null = null;
  let iterations: number | null = null;
  let nmsFactor: number | null = null;
  let decodeOptions: LdpcDecodeOptions | null = null;
  const algorithm = choice('decoder', o.decoder, BER_DECODERS, 'nms');
  const iters = intOption('iterations', o.iterations, algorithm === 'spa' ? 50 : 10, 1, 100000);
  if (o.nmsFactor !== undefined) {
    if (algorithm !== 'nms') fail(`simulateBer: nmsFactor applies only to decoder 'nms', not '${algorithm}'`);
    if (typeof o.nmsFactor !== 'number' || !(o.nmsFactor > 0 && o.nmsFactor <= 1)) fail(`simulateBer: nmsFactor must be in (0, 1], got ${String(o.nmsFactor)}`);
  }
  if (o.earlyStop !== undefined && typeof o.earlyStop !== 'boolean') fail(`simulateBer: earlyStop must be a boolean, got ${String(o.earlyStop)}`);
  if (code) {
    decoder = algorithm;
    iterations = iters;
    nmsFactor = algorithm === 'nms' ? o.nmsFactor ?? 0.75 : null;
    decodeOptions = { algorithm, iterations, earlyStop: o.earlyStop ?? true, ...(nmsFactor !== null ? { factor: nmsFactor } : {}) };
  }

  if ((o.ebn0Db === undefined) === (o.esn0Db === undefined)) fail('simulateBer: give exactly one of ebn0Db and esn0Db');
  let esn0: number[];
  let ebn0: number[];
  if (o.ebn0Db !== undefined) {
    ebn0 = snrList('ebn0Db', o.ebn0Db);
    esn0 = ebn0.map((e) => ebn0ToEsn0(e, bps, rate));
  } else {
    esn0 = snrList('esn0Db', o.esn0Db);
    ebn0 = esn0.map((e) => esn0ToEbn0(e, bps, rate));
  }
  const maxFrameErrors = intOption('maxFrameErrors', o.maxFrameErrors, 100, 1);
  const maxFrames = intOption('maxFrames', o.maxFrames, 100000, 1);
  const batchFrames = intOption('batchFrames', o.batchFrames, 256, 1, 1 << 20);
  if (batchFrames * n > 1 << 28) fail(`simulateBer: batchFrames · n = ${batchFrames} · ${n} bits is too large (at most 2^28)`);
  const seed = o.seed ?? 1;
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed) || seed < 0) fail(`simulateBer: seed must be an integer in [0, 2^53), got ${String(seed)}`);
  const channel = resolveBerChannel(o);
  return {
    code,
    codeName,
    n,
    k,
    modem,
    decodeOptions,
    channel,
    esn0,
    ebn0,
    result: {
      code: codeName, n, k, rate, modulation, bitsPerSymbol: bps, decoder, iterations, nmsFactor, demapper,
      maxFrameErrors, maxFrames, batchFrames, seed, ...channel.settings,
      channelUsesPerFrame: n / bps + channel.settings.pilotUsesPerFrame,
    },
  };
}

/** A 53-bit seed from two draws of `r`. */
function drawSeed(r: Rng): number {
  return (r.nextU32() >>> 11) * 4294967296 + r.nextU32();
}

const now = (): number => performance.now();

/** This process's CPU time in seconds (user + system), where Node's process.cpuUsage exists. */
const cpuNow: (() => number) | null = (() => {
  const proc = (globalThis as { process?: { cpuUsage?: () => { user: number; system: number } } }).process;
  const usage = proc?.cpuUsage;
  if (typeof usage !== 'function') return null;
  return () => {
    const u = usage.call(proc);
    return (u.user + u.system) / 1e6;
  };
})();

/**
 * Runs the Monte-Carlo simulation described by `options` (see {@link BerOptions}) and returns the
 * counts per SNR point. Each point draws its frames from two streams (information bits, noise)
 * seeded from `seed` and the point's index (under fading, also its gains and pilot noise, keyed by
 * frame index: frame i lies in block ⌊i/coherence⌋), and stops at `maxFrameErrors` frame errors or
 * `maxFrames` frames, counting frame by frame: the counts depend only on the options and seed, not
 * on `batchFrames` or on timing. Eb/N0 counts information bits: Es/N0 = Eb/N0 + 10·log10(R · bits
 * per symbol). Synchronous; `onProgress` is called after every batch. Throws a one-line error for
 * bad options before simulating anything.
 */
export function simulateBer(options: BerOptions, onProgress?: (p: BerProgress) => void): BerResult {
  const p = plan(options);
  if (onProgress !== undefined && typeof onProgress !== 'function') fail(`simulateBer: onProgress must be a function, got ${typeof onProgress}`);
  const master = new Rng(p.result.seed);
  const seeds = p.esn0.map(() => [drawSeed(master), drawSeed(master)]);
  const buffers = batchBuffers(p);
  // Warm-up: compile the decoder's WASM module and let the JIT see decodeBatch before anything is
  // timed (noiseless all-zero frames, which converge at once).
  if (p.code) {
    const warm = Math.min(buffers.capacity, 64);
    p.code.decodeBatch(new Float32Array(warm * p.n).fill(8), warm, p.decodeOptions!);
  }
  const points = p.esn0.map((_, pi) => simulatePoint(p, pi, seeds[pi][0], seeds[pi][1], buffers, onProgress));
  return { ...p.result, points };
}

/** One batch's buffers, reused for every batch: fresh multi-megabyte arrays cost page faults on every batch. */
interface BatchBuffers {
  /** Frames they hold: min(batchFrames, maxFrames). */
  capacity: number;
  info: Uint8Array;
  /** Codewords (coded runs only). */
  coded: Uint8Array | null;
  llr: Float32Array;
  /** Hard decisions of an uncoded run. */
  decided: Uint8Array | null;
  /** Where the decoder writes its results (decodeBatchInto; coded runs only). */
  decoded: { bits: Uint8Array; iterations: Int32Array; converged: Uint8Array } | null;
}

function batchBuffers(p: Plan): BatchBuffers {
  const { n, k, code } = p;
  const capacity = Math.min(p.result.batchFrames, p.result.maxFrames);
  return {
    capacity,
    info: new Uint8Array(capacity * k),
    coded: code ? new Uint8Array(capacity * n) : null,
    llr: new Float32Array(capacity * n),
    decided: code ? null : new Uint8Array(capacity * k),
    decoded: code ? { bits: new Uint8Array(capacity * k), iterations: new Int32Array(capacity), converged: new Uint8Array(capacity) } : null,
  };
}

/** Running counts of one SNR point. */
interface Tally {
  frames: number;
  bitErrors: number;
  frameErrors: number;
  undetected: number;
  iterSum: number;
  decodeMs: number;
  decodeCpu: number;
  decodedFrames: number;
}

/** Simulates SNR point `pi` with its two seeds (information bits, noise) until its frame-error or frame budget is spent. */
function simulatePoint(
  p: Plan, pi: number, bitSeed: number, noiseSeed: number, buf: BatchBuffers, onProgress: ((p: BerProgress) => void) | undefined,
): BerPoint {
  const { code, n, k, modem, result } = p;
  const { maxFrameErrors, maxFrames, batchFrames } = result;
  const esn0Db = p.esn0[pi];
  const ebn0Db = p.ebn0[pi];
  const bitSource = new BitSource(bitSeed);
  const noiseRng = new Rng(noiseSeed);
  const channelOpts = { exact: result.demapper === 'exact' };
  const flat = p.channel.awgn ? null : new FlatPointChannel(p.channel, result.modulation, n, esn0Db, result.seed, pi, channelOpts.exact);
  const t0 = now();
  const t: Tally = { frames: 0, bitErrors: 0, frameErrors: 0, undetected: 0, iterSum: 0, decodeMs: 0, decodeCpu: 0, decodedFrames: 0 };
  const progress = (done: boolean, point?: BerPoint): void => onProgress?.({
    settings: result, point: pi, points: p.esn0.length, esn0Db, ebn0Db,
    frames: t.frames, bitErrors: t.bitErrors, frameErrors: t.frameErrors, done, ...(point ? { result: point } : {}),
  });
  while (t.frames < maxFrames && t.frameErrors < maxFrameErrors) {
    const B = Math.min(batchFrames, maxFrames - t.frames);
    const info = bitSource.fill(buf.info.subarray(0, B * k));
    const tx = code ? code.encodeBatch(info, B, buf.coded!.subarray(0, B * n)) : info;
    const llr = buf.llr.subarray(0, B * n);
    // Modulation, channel and demapping in one allocation-free pass into the LLR buffer; the noise
    // stream continues across batches and the gains are keyed by frame index, so counts do not
    // depend on batchFrames. AWGN with perfect receiver CSI: the original fused AWGN pass.
    if (flat) flat.transmit(tx, t.frames, B, noiseRng, llr);
    else modem.llrOverAwgn(tx, esn0Db, noiseRng, llr, channelOpts);
    countErrors(p, decideBatch(p, buf, llr, B, t), info, B, t);
    progress(false);
  }
  const point = pointResult(p, esn0Db, ebn0Db, t, (now() - t0) / 1000);
  progress(true, point);
  return point;
}

/** A batch's decided information bits, with the decoder's iterations and convergence flags per frame (null uncoded). */
interface Decisions {
  bits: Uint8Array;
  iterations: Int32Array | null;
  converged: Uint8Array | null;
}

/** Decodes a batch of B frames' LLRs (or hard-decides them, uncoded), adding the decoder's time to `t`. */
function decideBatch(p: Plan, buf: BatchBuffers, llr: Float32Array, B: number, t: Tally): Decisions {
  if (!p.code) {
    const bits = buf.decided!.subarray(0, B * p.k);
    for (let i = 0; i < bits.length; i++) bits[i] = llr[i] < 0 ? 1 : 0;
    return { bits, iterations: null, converged: null };
  }
  const cd = cpuNow?.() ?? 0;
  const td = now();
  const r = p.code.decodeBatchInto(llr, B, buf.decoded!, p.decodeOptions!);
  t.decodeMs += now() - td;
  t.decodeCpu += (cpuNow?.() ?? 0) - cd;
  t.decodedFrames += B;
  return { bits: r.bits, iterations: r.iterations, converged: r.converged };
}

/** Counts a batch's errors frame by frame into `t`, stopping at the point's frame-error budget. */
function countErrors(p: Plan, d: Decisions, info: Uint8Array, B: number, t: Tally): void {
  const { k, result } = p;
  for (let f = 0; f < B && t.frameErrors < result.maxFrameErrors; f++) {
    const e = countBitErrors(d.bits, info, f * k, k);
    t.frames++;
    t.bitErrors += e;
    if (e > 0) {
      t.frameErrors++;
      if (d.converged && d.converged[f]) t.undetected++;
    }
    if (d.iterations) t.iterSum += d.iterations[f];
  }
}

/** A point's entry in the result, from its counts and its wall time in seconds. */
function pointResult(p: Plan, esn0Db: number, ebn0Db: number, t: Tally, seconds: number): BerPoint {
  const { code, k } = p;
  const bits = t.frames * k;
  const decodeSeconds = code ? t.decodeMs / 1000 : null;
  return {
    esn0Db,
    ebn0Db,
    frames: t.frames,
    bits,
    bitErrors: t.bitErrors,
    frameErrors: t.frameErrors,
    ber: t.bitErrors / bits,
    fer: t.frameErrors / t.frames,
    ferInterval: wilsonInterval(t.frameErrors, t.frames),
    meanIterations: code ? t.iterSum / t.frames : null,
    undetectedFrameErrors: t.undetected,
    decodeSeconds,
    decodeCpuSeconds: code && cpuNow ? t.decodeCpu : null,
    decodedFrames: t.decodedFrames,
    decoderMbps: decodeSeconds !== null && decodeSeconds > 0 ? (t.decodedFrames * k) / decodeSeconds / 1e6 : null,
    seconds,
  };
}
