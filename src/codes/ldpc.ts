/**
 * `ldpcCode(spec)`: one object per LDPC code with its parity-check matrix, a systematic encoder and the
 * decoder, named by a short spec string:
 *  - `80211n:N:R`          IEEE 802.11n, N ∈ {648, 1296, 1944}, R ∈ {1/2, 2/3, 3/4, 5/6};
 *  - `5gnr:bgB:zZ`         3GPP NR base graph B ∈ {1, 2} lifted by Z, as transmitted: the first 2Z
 *                          systematic bits punctured, n = 66Z (BG1) or 50Z (BG2);
 *  - `5gnr:bgB:zZ:mother`  the unpunctured mother code, n = 68Z or 52Z;
 *  - `5gnr:bgB:zZ:eE`      rate-matched to E bits (circular buffer, rv = 0; see ratematch.ts);
 *  - `alist:PATH`          a MacKay alist file (Node only);
 *  - `alist-text:TEXT`     alist text in memory (same as `alistCode(TEXT)`).
 */
import { parseAlist } from './alist.js';
import { LdpcDecoder, type LdpcDecodeJob, type LdpcDecodeOptions } from './decoder.js';
import { Gf2SystematicEncoder } from './gf2encoder.js';
import { wifiCode, WIFI_LENGTHS, WIFI_RATES } from './ieee80211n.js';
import { nrCode } from './nr.js';
import { QcEncoder } from './qcencoder.js';
import { nrTransmittedPositions } from './ratematch.js';
import type { BatchDecodeResult, DecodeResult, ParityCheckMatrix } from './types.js';
import { InputError } from '../errors.js';

/** An LDPC code ready to encode and decode. Bits are 0/1 bytes; LLRs are log(P(0)/P(1)) (positive favours 0). */
export interface LdpcCode {
  /** The spec string the code was built from. */
  readonly spec: string;
  /** Transmitted bits per frame (the length of `encode`'s output and of `decode`'s LLR input). */
  readonly n: number;
  /** Information bits per frame. */
  readonly k: number;
  /** k / n. */
  readonly rate: number;
  /** Parity-check matrix of the (mother) code; H.n ≥ n when bits are punctured. */
  readonly H: ParityCheckMatrix;
  /** Columns of H (positions in the H.n-bit mother codeword) holding information bit j, length k. */
  readonly infoPositions: Int32Array;
  /** Column of H carried by transmitted bit i, length n (repeats allowed under rate matching). */
  readonly txPositions: Int32Array;
  /** Encodes k information bits into the n transmitted bits. */
  encode(info: Uint8Array): Uint8Array;
  /**
   * Encodes `frames` frames (frames × k bits, frame-major) into frames × n transmitted bits, written to
   * `out` when given (length frames × n; reusing it avoids allocating large arrays per call) and returned.
   */
  encodeBatch(info: Uint8Array, frames: number, out?: Uint8Array): Uint8Array;
  /** Encodes k information bits into the full H.n-bit mother codeword (H·c = 0). */
  encodeCodeword(info: Uint8Array): Uint8Array;
  /**
   * Maps frames × n transmitted LLRs to frames × H.n mother-code LLRs: punctured columns get 0,
   * repeated ones the sum. Throws a one-line error on a bad length or a NaN.
   */
  motherLlrs(llr: Float32Array, frames?: number): Float32Array;
  /** Decodes n channel LLRs; `bits` are the k information bits (hard decisions, also when not converged). */
  decode(llr: Float32Array, opts?: LdpcDecodeOptions): DecodeResult;
  /** Decodes frames × n channel LLRs; `bits` is frames × k. Frame f equals `decode` on it alone. */
  decodeBatch(llr: Float32Array, frames: number, opts?: LdpcDecodeOptions): BatchDecodeResult;
  /**
   * Same as `decodeBatch`, writing into caller-owned arrays (out.bits: at least frames × k bytes,
   * out.iterations and out.converged: at least `frames` entries) so that a simulation loop allocates
   * nothing per call; returns `out`. On any error nothing is written.
   */
  decodeBatchInto(llr: Float32Array, frames: number, out: BatchDecodeResult, opts?: LdpcDecodeOptions): BatchDecodeResult;
}

/** Anything that writes the H.n-bit mother codeword of k information bits. */
interface MotherEncoder {
  encodeInto(info: Uint8Array, infoOff: number, out: Uint8Array, outOff: number): void;
}

/** Transmitted bits = mother bits skip..H.n−1 (NR puncturing), written directly by a QcEncoder. */
function suffixSkip(tx: Int32Array, hn: number, encoder: MotherEncoder, k: number): number {
  if (!(encoder instanceof QcEncoder) || tx.length === 0) return -1;
  const s = tx[0];
  if (s + tx.length !== hn || s > k) return -1;
  for (let i = 0; i < tx.length; i++) if (tx[i] !== s + i) return -1;
  return s;
}

function short(s: string): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > 60 ? `${one.slice(0, 57)}...` : one;
}

class Code implements LdpcCode {
  readonly n: number;
  readonly k: number;
  readonly rate: number;
  private readonly identity: boolean;
  private readonly skip: number;
  /** txPositions as runs of consecutive columns: transmitted [runAt[r], +runLen[r]) = H columns [runSrc[r], ...). */
  private readonly runAt: Int32Array;
  private readonly runSrc: Int32Array;
  private readonly runLen: Int32Array;
  private decoder: LdpcDecoder | null = null;
  private readonly scratch: Uint8Array;
  /** True when information bit j sits in column j (802.11n, NR): the decoder then returns only those k bits. */
  private readonly infoPrefix: boolean;
  /** True when no H column is transmitted twice (mother LLRs are copies, not sums). */
  private readonly injective: boolean;

  constructor(
    readonly spec: string,
    readonly H: ParityCheckMatrix,
    readonly infoPositions: Int32Array,
    readonly txPositions: Int32Array,
    private readonly encoder: MotherEncoder,
  ) {
    this.n = txPositions.length;
    this.k = infoPositions.length;
    this.rate = this.k / this.n;
    let identity = this.n === H.n;
    for (let i = 0; identity && i < this.n; i++) identity = txPositions[i] === i;
    this.identity = identity;
    this.skip = suffixSkip(txPositions, H.n, encoder, this.k);
    const at: number[] = [];
    const src: number[] = [];
    const len: number[] = [];
    for (let i = 0; i < this.n; i++) {
      const r = len.length - 1;
      if (r >= 0 && txPositions[i] === src[r] + len[r] && i === at[r] + len[r]) len[r]++;
      else {
        at.push(i);
        src.push(txPositions[i]);
        len.push(1);
      }
    }
    this.runAt = Int32Array.from(at);
    this.runSrc = Int32Array.from(src);
    this.runLen = Int32Array.from(len);
    this.scratch = new Uint8Array(H.n);
    let prefix = true;
    for (let j = 0; prefix && j < this.k; j++) prefix = infoPositions[j] === j;
    this.infoPrefix = prefix;
    const seen = new Uint8Array(H.n);
    let injective = true;
    for (let i = 0; injective && i < this.n; i++) {
      injective = seen[txPositions[i]] === 0;
      seen[txPositions[i]] = 1;
    }
    this.injective = injective;
  }

  private fail(msg: string): never {
    throw new Error(`ldpcCode('${short(this.spec)}'): ${msg}`);
  }

  private checkFrames(frames: number): void {
    if (!Number.isInteger(frames) || frames < 1) this.fail(`frames must be an integer >= 1, got ${String(frames)}`);
  }

  private checkInfo(info: Uint8Array, expected: number): void {
    if (!(info instanceof Uint8Array)) this.fail(`info must be a Uint8Array of bits, got ${Object.prototype.toString.call(info)}`);
    if (info.length !== expected) this.fail(`info has length ${info.length}, expected ${expected}`);
    for (let i = 0; i < info.length; i++) if (info[i] > 1) this.fail(`info[${i}] = ${info[i]} is not a bit (0 or 1)`);
  }

  private encodeFrames(info: Uint8Array, frames: number, out: Uint8Array): Uint8Array {
    const { n, k } = this;
    if (this.identity) {
      for (let f = 0; f < frames; f++) this.encoder.encodeInto(info, f * k, out, f * n);
      return out;
    }
    if (this.skip >= 0) {
      const enc = this.encoder as QcEncoder;
      for (let f = 0; f < frames; f++) enc.encodeInto(info, f * k, out, f * n, this.skip);
      return out;
    }
    const { scratch, runAt, runSrc, runLen } = this;
    const runs = runAt.length;
    for (let f = 0; f < frames; f++) {
      this.encoder.encodeInto(info, f * k, scratch, 0);
      const o = f * n;
      for (let r = 0; r < runs; r++) out.set(scratch.subarray(runSrc[r], runSrc[r] + runLen[r]), o + runAt[r]);
    }
    return out;
  }

  encode(info: Uint8Array): Uint8Array {
    this.checkInfo(info, this.k);
    return this.encodeFrames(info, 1, new Uint8Array(this.n));
  }

  encodeBatch(info: Uint8Array, frames: number, out?: Uint8Array): Uint8Array {
    this.checkFrames(frames);
    this.checkInfo(info, frames * this.k);
    if (out === undefined) return this.encodeFrames(info, frames, new Uint8Array(frames * this.n));
    if (!(out instanceof Uint8Array) || out.length !== frames * this.n) {
      this.fail(`out must be a Uint8Array of length frames·n = ${frames * this.n}, got length ${(out as { length?: number })?.length}`);
    }
    if (out.buffer === info.buffer) this.fail('out must not share memory with info');
    return this.encodeFrames(info, frames, out);
  }

  encodeCodeword(info: Uint8Array): Uint8Array {
    this.checkInfo(info, this.k);
    const out = new Uint8Array(this.H.n);
    this.encoder.encodeInto(info, 0, out, 0);
    return out;
  }

  motherLlrs(llr: Float32Array, frames = 1): Float32Array {
    this.checkFrames(frames);
    if (!(llr instanceof Float32Array)) this.fail(`llr must be a Float32Array, got ${Object.prototype.toString.call(llr)}`);
    const { n } = this;
    if (llr.length !== frames * n) {
      this.fail(`llr has length ${llr.length}, expected ${frames === 1 ? `n = ${n}` : `frames·n = ${frames}·${n} = ${frames * n}`}`);
    }
    for (let i = 0; i < llr.length; i++) if (llr[i] !== llr[i]) this.fail(`llr[${i}] is NaN`);
    if (this.identity) return llr;
    const N = this.H.n;
    const out = new Float32Array(frames * N);
    const tx = this.txPositions;
    for (let f = 0; f < frames; f++) {
      const o = f * N;
      const ib = f * n;
      for (let i = 0; i < n; i++) out[o + tx[i]] += llr[ib + i];
    }
    return out;
  }

  private getDecoder(): LdpcDecoder {
    if (this.decoder === null) this.decoder = new LdpcDecoder(this.H);
    return this.decoder;
  }

  private checkLlrs(llr: Float32Array, frames: number): void {
    if (!(llr instanceof Float32Array)) this.fail(`llr must be a Float32Array, got ${Object.prototype.toString.call(llr)}`);
    const { n } = this;
    if (llr.length !== frames * n) {
      this.fail(`llr has length ${llr.length}, expected ${frames === 1 ? `n = ${n}` : `frames·n = ${frames}·${n} = ${frames * n}`}`);
    }
  }

  /** Writes the mother-code LLRs of frames f0..f0+cf−1 (cf × H.n) into dst, straight from the transmitted ones. */
  private fillMother(llr: Float32Array, dst: Float32Array, f0: number, cf: number): void {
    const { n } = this;
    const N = this.H.n;
    if (this.identity) {
      dst.set(llr.subarray(f0 * n, (f0 + cf) * n));
      return;
    }
    if (this.skip >= 0) {
      const s = this.skip;
      for (let f = 0; f < cf; f++) {
        const o = f * N;
        dst.fill(0, o, o + s);
        dst.set(llr.subarray((f0 + f) * n, (f0 + f + 1) * n), o + s);
      }
      return;
    }
    dst.fill(0);
    if (this.injective) {
      const { runAt, runSrc, runLen } = this;
      for (let f = 0; f < cf; f++) {
        const o = f * N;
        const ib = (f0 + f) * n;
        for (let r = 0; r < runAt.length; r++) dst.set(llr.subarray(ib + runAt[r], ib + runAt[r] + runLen[r]), o + runSrc[r]);
      }
      return;
    }
    const tx = this.txPositions;
    for (let f = 0; f < cf; f++) {
      const o = f * N;
      const ib = (f0 + f) * n;
      for (let i = 0; i < n; i++) dst[o + tx[i]] += llr[ib + i];
    }
  }

  /** The one-line error for a NaN the decoder found at mother-LLR index `at`: names the transmitted LLR. */
  private nanError(llr: Float32Array, at: number): never {
    for (let i = 0; i < llr.length; i++) if (llr[i] !== llr[i]) this.fail(`llr[${i}] is NaN`);
    const N = this.H.n;
    this.fail(`LLRs of frame ${Math.floor(at / N)} repeated at H column ${at % N} sum to NaN (+Infinity and -Infinity)`);
  }

  /**
   * Decodes frames × n transmitted LLRs into frames × k information bits (in `bits` from offset 0),
   * writing mother-code LLRs straight into the decoder's WASM memory and, for codes whose
   * information bits lead the codeword, taking back only those k bits per frame.
   */
  private decodeInto(llr: Float32Array, frames: number, opts: LdpcDecodeOptions | undefined, bits: Uint8Array,
    iterations: Int32Array, converged: Uint8Array): void {
    const { k, infoPositions } = this;
    const prefix = this.infoPrefix;
    const N = this.H.n;
    const job: LdpcDecodeJob = {
      frames,
      outN: prefix ? k : N,
      fill: (dst, f0, cf) => this.fillMother(llr, dst, f0, cf),
      nan: (at) => this.nanError(llr, at),
      take: (b, its, conv, f0, cf) => {
        if (prefix) bits.set(b, f0 * k);
        else {
          for (let f = 0; f < cf; f++) {
            const o = f * N;
            const ob = (f0 + f) * k;
            for (let j = 0; j < k; j++) bits[ob + j] = b[o + infoPositions[j]];
          }
        }
        iterations.set(its, f0);
        converged.set(conv, f0);
      },
    };
    this.getDecoder().decodeJob(job, opts);
  }

  decode(llr: Float32Array, opts?: LdpcDecodeOptions): DecodeResult {
    this.checkLlrs(llr, 1);
    const bits = new Uint8Array(this.k);
    const iterations = new Int32Array(1);
    const converged = new Uint8Array(1);
    this.decodeInto(llr, 1, opts, bits, iterations, converged);
    return { bits, iterations: iterations[0], converged: converged[0] === 1 };
  }

  decodeBatch(llr: Float32Array, frames: number, opts?: LdpcDecodeOptions): BatchDecodeResult {
    this.checkFrames(frames);
    this.checkLlrs(llr, frames);
    const bits = new Uint8Array(frames * this.k);
    const iterations = new Int32Array(frames);
    const converged = new Uint8Array(frames);
    this.decodeInto(llr, frames, opts, bits, iterations, converged);
    return { bits, iterations, converged };
  }

  decodeBatchInto(llr: Float32Array, frames: number, out: BatchDecodeResult, opts?: LdpcDecodeOptions): BatchDecodeResult {
    this.checkFrames(frames);
    this.checkLlrs(llr, frames);
    if (out === null || typeof out !== 'object') this.fail(`out must be an object, got ${String(out)}`);
    if (!(out.bits instanceof Uint8Array) || out.bits.length < frames * this.k) {
      this.fail(`out.bits must be a Uint8Array of at least frames·k = ${frames * this.k} bytes`);
    }
    if (!(out.iterations instanceof Int32Array) || out.iterations.length < frames) {
      this.fail(`out.iterations must be an Int32Array of at least ${frames} entries`);
    }
    if (!(out.converged instanceof Uint8Array) || out.converged.length < frames) {
      this.fail(`out.converged must be a Uint8Array of at least ${frames} entries`);
    }
    this.decodeInto(llr, frames, opts, out.bits, out.iterations, out.converged);
    return out;
  }
}

function range(start: number, count: number): Int32Array {
  const a = new Int32Array(count);
  for (let i = 0; i < count; i++) a[i] = start + i;
  return a;
}

const cache = new Map<string, LdpcCode>();

/** Largest rate-matched length E accepted in a spec (bits). */
const MAX_E = 1 << 26;

/** A user-facing error (InputError) from building a code, prefixed with the spec; anything else is rethrown as is. */
function userError(e: unknown, spec: string): unknown {
  return e instanceof InputError ? new InputError(`ldpcCode('${short(spec)}'): ${e.message}`) : e;
}

const SPEC_HELP = "expected '80211n:N:R', '5gnr:bg1|bg2:zZ[:mother|:eE]', 'alist:PATH' or 'alist-text:TEXT'";

function wifiFromSpec(spec: string, parts: string[]): LdpcCode {
  const n = Number(parts[1]);
  const r = parts[2];
  if (parts.length !== 3 || !WIFI_LENGTHS.includes(n) || !WIFI_RATES.includes(r)) {
    throw new InputError(
      `ldpcCode: no 802.11n code '${short(spec)}' (N ∈ {${WIFI_LENGTHS.join(', ')}}, R ∈ {${WIFI_RATES.join(', ')}})`,
    );
  }
  const w = wifiCode(n, r);
  const kb = w.proto.cols - w.proto.rows;
  return new Code(spec, w.H, range(0, w.k), range(0, w.n), new QcEncoder(w.proto, kb, w.proto.rows));
}

function nrFromSpec(spec: string, parts: string[]): LdpcCode {
  const bgm = /^bg([12])$/.exec(parts[1] ?? '');
  const zm = /^z(\d+)$/.exec(parts[2] ?? '');
  if (!bgm || !zm || parts.length > 4) {
    throw new InputError(`ldpcCode: bad 5G NR spec '${short(spec)}' (expected '5gnr:bg1|bg2:zZ' with optional ':mother' or ':eE')`);
  }
  const z = Number(zm[1]);
  let code;
  try {
    code = nrCode(Number(bgm[1]), z);
  } catch (e) {
    throw userError(e, spec);
  }
  const { proto, kb, H, k } = code;
  const encoder = new QcEncoder(proto, kb, 4);
  const info = range(0, k);
  const cols = proto.cols;
  const variant = parts[3];
  if (variant === undefined) return new Code(spec, H, info, range(2 * z, (cols - 2) * z), encoder);
  if (variant === 'mother') return new Code(spec, H, info, range(0, cols * z), encoder);
  const em = /^e(\d+)$/.exec(variant);
  const e = em ? Number(em[1]) : NaN;
  if (!em || !(e >= 1) || e > MAX_E) {
    throw new InputError(`ldpcCode: bad 5G NR variant '${variant}' in '${short(spec)}' (expected ':mother' or ':eE' with 1 <= E <= ${MAX_E} bits)`);
  }
  return new Code(spec, H, info, nrTransmittedPositions(cols, z, e), encoder);
}

/**
 * The code of an alist text (MacKay format), with a systematic encoder from GF(2) Gaussian elimination:
 * k = n − rank(H) (rank-deficient H is fine); `infoPositions` are the non-pivot columns (pivots are taken
 * from the last column backwards, so standard codes keep their information bits first).
 * One-line error for malformed text or when H leaves no information bits.
 */
export function alistCode(text: string, spec = 'alist-text'): LdpcCode {
  let h: ParityCheckMatrix;
  let enc: Gf2SystematicEncoder;
  try {
    h = parseAlist(text);
    enc = new Gf2SystematicEncoder(h);
  } catch (e) {
    throw userError(e, spec);
  }
  return new Code(spec, h, enc.infoPositions, range(0, h.n), enc);
}

interface FsLike {
  readFileSync(path: string, enc: 'utf8'): string;
}

function readText(fs: FsLike, spec: string, path: string): string {
  try {
    return fs.readFileSync(path, 'utf8');
  } catch (e) {
    throw new InputError(`ldpcCode('${short(spec)}'): cannot read '${path}': ${(e as Error).message.split('\n')[0]}`);
  }
}

function syncFs(spec: string): FsLike {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const fs = proc?.getBuiltinModule?.('node:fs') as FsLike | undefined;
  if (!fs) {
    throw new InputError(`ldpcCode('${short(spec)}'): 'alist:' specs need Node's fs synchronously; use await loadLdpcCode(spec) or alistCode(text)`);
  }
  return fs;
}

function build(spec: string, fs?: FsLike): LdpcCode {
  if (typeof spec !== 'string') throw new Error(`ldpcCode: spec must be a string, got ${typeof spec}`);
  if (spec.startsWith('alist-text:')) return alistCode(spec.slice('alist-text:'.length), spec);
  if (spec.startsWith('alist:')) {
    const path = spec.slice('alist:'.length);
    if (path === '') throw new InputError(`ldpcCode: 'alist:' needs a file path`);
    return alistCode(readText(fs ?? syncFs(spec), spec, path), spec);
  }
  const parts = spec.split(':');
  if (parts[0] === '80211n') return wifiFromSpec(spec, parts);
  if (parts[0] === '5gnr') return nrFromSpec(spec, parts);
  throw new InputError(`ldpcCode: unknown spec '${short(spec)}' (${SPEC_HELP})`);
}

/**
 * Builds (or returns the cached) LDPC code named by `spec` (see the file header). `alist:PATH` reads the file
 * with Node's fs, reached without a static import (process.getBuiltinModule), so bundles for browsers never
 * need fs; files are re-read on every call. Throws a one-line error naming an unknown or bad spec.
 */
export function ldpcCode(spec: string): LdpcCode {
  if (typeof spec === 'string' && spec.startsWith('alist:')) return build(spec);
  let code = cache.get(spec);
  if (!code) {
    code = build(spec);
    cache.set(spec, code);
  }
  return code;
}

/**
 * Async variant of {@link ldpcCode}: for `alist:PATH` it loads node:fs with a dynamic import (works on any
 * Node version and keeps fs out of browser bundles); other specs resolve to `ldpcCode(spec)`.
 */
export async function loadLdpcCode(spec: string): Promise<LdpcCode> {
  if (typeof spec === 'string' && spec.startsWith('alist:')) {
    // A non-literal specifier: bundlers leave it alone, so browser bundles never try to resolve fs.
    const fsModule = 'node:fs';
    const fs = (await import(/* @vite-ignore */ fsModule)) as unknown as FsLike;
    return build(spec, fs);
  }
  return ldpcCode(spec);
}
