/**
 * LDPC decoders over a parity-check matrix H, running in the `ldpc` WASM module:
 * - 'nms' / 'oms': layered (row by row, CSR order) normalised / offset min-sum in 8-bit fixed
 *   point, 16 frames per SIMD vector (one frame per i8 lane, saturating arithmetic; memory
 *   [variable][lane] and one message vector per edge). Default 10 iterations, factor 0.75 (applied
 *   as round(x·round(128·factor)/128)), offset 0.5. With early stop (the default) a frame leaves
 *   its lane at the first iteration whose hard decisions satisfy H, and the lane takes the next
 *   frame, so results never depend on batching: `decode` of one frame is bit-identical to that
 *   frame inside any `decodeBatch`. Full arithmetic in assembly/ldpc/minsum.ts. When H is
 *   quasi-cyclic (802.11n, NR; Z ≥ 16), small batches (every single `decode`; up to 8 frames on
 *   802.11n) run instead frame by frame on a row-parallel kernel, 16 rows of one frame per vector
 *   (assembly/ldpc/qclayered.ts), with the same schedule and arithmetic, hence the same bits.
 * - 'spa': flooding sum-product in float32 (tanh rule, clamped), 4 frames per f32x4 vector,
 *   default 50 iterations: the exact reference (assembly/ldpc/spa.ts).
 * Hard decision: bit 1 where the final a-posteriori LLR is < 0. Nothing here imports tfjs.
 * Per call the JS side copies the LLRs once into WASM memory (or has `fill` write them there, see
 * {@link LdpcDecodeJob}), scans them for NaN with SIMD, and reads the results back from WASM
 * memory; the edge tables stay resident across calls.
 */
import ldpcWasm from '../wasm/generated/ldpc.js';
import { loadWasmSync, type WasmModule } from '../wasm/module.js';
import type { WasmArena } from '../wasm/arena.js';
import { QC_FIX_I32, qcLayout, qcStateBytes, type QcLayout } from './decoder_qc.js';
import type { DecodeOptions, ParityCheckMatrix } from './types.js';

interface LdpcExports {
  minsumDecode(
    llr: number, frames: number, n: number, m: number, rowPtr: number, colOff: number,
    scale: number, maxIter: number, earlyStop: number, mode: number, param: number,
    L: number, R: number, S: number, Q: number, outBits: number, outN: number, outIter: number, outConv: number,
  ): void;
  spaDecode(
    llr: number, frames: number, n: number, m: number, rowPtr: number, colOff: number,
    maxIter: number, earlyStop: number,
    C: number, Lf: number, R: number, T: number, F: number, outBits: number, outN: number, outIter: number, outConv: number,
  ): void;
  firstNaN(ptr: number, count: number): number;
  qcLayeredDecode(
    llr: number, nb: number, mb: number, z: number, tab: number, fix: number, deg: number, entries: number,
    scale: number, maxIter: number, earlyStop: number, mode: number, param: number,
    P: number, R: number, outBits: number, outN: number, outIter: number, outConv: number,
  ): number;
}

let wasm: WasmModule<LdpcExports> | null = null;
function ldpcModule(): WasmModule<LdpcExports> {
  if (wasm === null) wasm = loadWasmSync<LdpcExports>('ldpc', ldpcWasm);
  return wasm;
}

/**
 * The ldpc module's linear memory is laid out as [static data | resident H tables | per-call
 * region]. Each decoder uploads its edge tables (rowPtr, colOff) once, into the resident region,
 * which every call re-reserves right after `arena.reset()`; the per-call region (LLRs, work
 * arrays, outputs) follows it. When the tables of all decoders seen would exceed RESIDENT_CAP
 * bytes, the region is emptied (a new generation) and decoders re-upload on their next call.
 */
const RESIDENT_CAP = 2 << 20;
let residentGen = 0;
let residentBytes = 0;

/** Frames per SIMD vector of the fixed-point min-sum kernel. */
export const MINSUM_LANES = 16;

/**
 * Default fixed-point scale of the min-sum decoders: an LLR x becomes the i8 value
 * round(x · 4) (quantum 0.25), saturated to ±127, i.e. ±31.75 in LLR units. A-posteriori values
 * saturate at the same bound; check-to-variable messages are capped at 47 quanta (11.75).
 */
export const DEFAULT_LLR_SCALE = 4;

/**
 * When H is quasi-cyclic, batches of up to max(4, ⌊QC_SHARE · edges / entries⌋) frames (at most
 * 15) run frame by frame on the row-parallel kernel instead of one 16-lane pass (bit-identical
 * results). A frame there costs `entries` vector steps per iteration against `edges` for a 16-lane
 * pass, each somewhat dearer: measured crossovers (10 fixed iterations) are about 8 frames on
 * 802.11n 648 R1/2, 10 on 1944 R1/2 and above 16 on NR BG1 Z = 384, later with early stop.
 */
const QC_SHARE = 0.6;
const QC_MIN_FRAMES = 4;

/** Input bytes handed to WASM per call (whole frames, at least 16): bounds the linear memory a huge batch needs. */
const CHUNK_BYTES = 4 << 20;

/** Per-call buffers of the QC kernel (byte addresses) and views of them over `buffer`. */
interface QcCall {
  buffer: ArrayBuffer;
  base: number;
  frames: number;
  outN: number;
  llr: number;
  R: number;
  bits: number;
  iter: number;
  conv: number;
  llrView: Float32Array;
  bitsView: Uint8Array;
  iterView: Int32Array;
  convView: Uint8Array;
}

/** {@link DecodeOptions} plus the fixed-point scale of the min-sum decoders. */
export interface LdpcDecodeOptions extends DecodeOptions {
  /**
   * 'nms'/'oms' only: quanta per LLR unit of the 8-bit fixed point (default 4, i.e. LLRs are
   * rounded to multiples of 0.25 and saturate at ±127/scale). Must be > 0.
   */
  llrScale?: number;
}

/** One decoded frame. */
export interface LdpcFrameResult {
  /** The n hard decisions (1 where the final a-posteriori LLR is negative), 0/1. */
  codeword: Uint8Array;
  /** Iterations run. */
  iterations: number;
  /** True when `codeword` satisfies every parity check (H·c = 0). */
  converged: boolean;
}

/** Many decoded frames, frame-major. */
export interface LdpcBatchResult {
  /** frames × n hard decisions, 0/1. */
  codewords: Uint8Array;
  /** Iterations run, per frame. */
  iterations: Int32Array;
  /** 1 where the frame's hard decisions satisfy H·c = 0, per frame. */
  converged: Uint8Array;
}

interface Resolved {
  algorithm: 'nms' | 'oms' | 'spa';
  iterations: number;
  earlyStop: boolean;
  mode: number;
  param: number;
  scale: number;
}

function resolveOptions(opts: LdpcDecodeOptions | undefined): Resolved {
  const o = opts ?? {};
  if (typeof o !== 'object') throw new Error(`LdpcDecoder: options must be an object, got ${String(o)}`);
  const algorithm = o.algorithm ?? 'nms';
  if (algorithm !== 'nms' && algorithm !== 'oms' && algorithm !== 'spa') {
    throw new Error(`LdpcDecoder: unknown algorithm '${String(algorithm)}' (expected 'nms', 'oms' or 'spa')`);
  }
  const iterations = o.iterations ?? (algorithm === 'spa' ? 50 : 10);
  if (!Number.isInteger(iterations) || iterations < 1) {
    throw new Error(`LdpcDecoder: iterations must be an integer >= 1, got ${String(iterations)}`);
  }
  const earlyStop = o.earlyStop ?? true;
  if (typeof earlyStop !== 'boolean') throw new Error(`LdpcDecoder: earlyStop must be a boolean, got ${String(earlyStop)}`);
  const scale = o.llrScale ?? DEFAULT_LLR_SCALE;
  if (typeof scale !== 'number' || !Number.isFinite(scale) || scale <= 0) {
    throw new Error(`LdpcDecoder: llrScale must be a finite number > 0, got ${String(scale)}`);
  }
  let mode = 0;
  let param = 0;
  if (algorithm === 'nms') {
    const factor = o.factor ?? 0.75;
    if (typeof factor !== 'number' || !(factor > 0 && factor <= 1)) {
      throw new Error(`LdpcDecoder: factor must be in (0, 1], got ${String(factor)}`);
    }
    // Applied per check as floor((x · round(factor·128) + 64) / 128): x·factor rounded to nearest.
    param = Math.max(1, Math.round(factor * 128));
  } else if (algorithm === 'oms') {
    const offset = o.offset ?? 0.5;
    if (typeof offset !== 'number' || !Number.isFinite(offset) || offset < 0) {
      throw new Error(`LdpcDecoder: offset must be a finite number >= 0, got ${String(offset)}`);
    }
    mode = 1;
    param = Math.min(127, Math.round(offset * scale));
  }
  return { algorithm, iterations, earlyStop, mode, param, scale };
}

/** Type and length check of an LLR array (NaN values are found later, by a SIMD scan in WASM). */
function checkLlrs(llr: Float32Array, expected: number, what: string): void {
  if (!(llr instanceof Float32Array)) {
    throw new Error(`LdpcDecoder: ${what} must be a Float32Array, got ${Object.prototype.toString.call(llr)}`);
  }
  if (llr.length !== expected) {
    throw new Error(`LdpcDecoder: ${what} has length ${llr.length}, expected ${expected}`);
  }
}

/**
 * One decoding job for {@link LdpcDecoder.decodeJob}: where the n mother-code LLRs of each frame
 * come from and where the results go. Code wrappers use it to write punctured or rate-matched
 * LLRs straight into WASM memory and to keep only the information bits, with no intermediate arrays.
 */
export interface LdpcDecodeJob {
  /** Frames to decode (integer ≥ 1). */
  frames: number;
  /** Hard decisions kept per frame: those of columns 0..outN−1 (1 ≤ outN ≤ n). */
  outN: number;
  /**
   * Writes the LLRs of frames f0..f0+cf−1 into `dst` (cf × n float32, frame-major), a view of WASM
   * memory whose previous contents are arbitrary. May be called twice per frame for batches
   * larger than one chunk (once to validate, once to decode).
   */
  fill(dst: Float32Array, f0: number, cf: number): void;
  /** Throws the one-line error for a NaN written by `fill` at index `at` of the whole batch (frame-major, × n). */
  nan(at: number): never;
  /**
   * Receives the results of frames f0..f0+cf−1: `bits` (cf × outN), `iterations` and `converged`
   * (cf each) are views of WASM memory, valid only during the call. Neither `fill` nor `take` may
   * call into any LdpcDecoder (they share one WASM memory).
   */
  take(bits: Uint8Array, iterations: Int32Array, converged: Uint8Array, f0: number, cf: number): void;
}

/**
 * Decoder bound to one parity-check matrix. LLRs are log(P(bit=0)/P(bit=1)) per code bit
 * (positive favours 0). All calls are synchronous; the WASM module is compiled on first use, and
 * the edge tables stay resident in its memory across calls.
 */
export class LdpcDecoder {
  readonly n: number;
  readonly m: number;
  /** Number of ones in H (edges of the Tanner graph). */
  readonly edges: number;
  private readonly rowPtr: Int32Array;
  private readonly colIdx: Int32Array;
  private readonly colOff: Int32Array;
  private readonly maxDegree: number;
  /** Resident-table generation this decoder's tables were uploaded in (−1: never). */
  private gen = -1;
  private rowPtrAt = 0;
  private colOffAt = 0;
  private qcTabAt = 0;
  private qcDegAt = 0;
  private qcStateAt = 0;
  private qcFixAt = 0;
  /** The QC kernel's per-call buffers and their views, reused while the layout and memory stay the same. */
  private qcCall: QcCall | null = null;
  private readonly qc: QcLayout | null;
  /** Largest batch decoded frame by frame on the row-parallel kernel (0 when H is not QC). */
  private readonly qcMaxFrames: number;
  /**
   * Lifting size Z when H is quasi-cyclic with circulant-permutation blocks and Z ≥ 16 (then
   * small min-sum batches, e.g. every `decode`, run 16 rows of one frame at a time, bit-identical
   * to the 16-frame kernel); 0 otherwise.
   */
  readonly liftingSize: number;

  /** Validates H (CSR, strictly ascending columns per row) and prepares the edge tables. */
  constructor(h: ParityCheckMatrix) {
    if (h === null || typeof h !== 'object') throw new Error(`LdpcDecoder: H must be a ParityCheckMatrix, got ${String(h)}`);
    const { n, m, rowPtr, colIdx } = h;
    if (!Number.isInteger(n) || n < 1) throw new Error(`LdpcDecoder: H.n must be an integer >= 1, got ${String(n)}`);
    if (!Number.isInteger(m) || m < 1) throw new Error(`LdpcDecoder: H.m must be an integer >= 1, got ${String(m)}`);
    if (!(rowPtr instanceof Int32Array) || rowPtr.length !== m + 1) {
      throw new Error(`LdpcDecoder: H.rowPtr must be an Int32Array of length m+1 = ${m + 1}`);
    }
    if (!(colIdx instanceof Int32Array)) throw new Error('LdpcDecoder: H.colIdx must be an Int32Array');
    if (rowPtr[0] !== 0 || rowPtr[m] !== colIdx.length) {
      throw new Error(`LdpcDecoder: H.rowPtr must start at 0 and end at colIdx.length = ${colIdx.length}, got ${rowPtr[0]}..${rowPtr[m]}`);
    }
    let maxDegree = 0;
    for (let r = 0; r < m; r++) {
      const a = rowPtr[r];
      const b = rowPtr[r + 1];
      if (b < a) throw new Error(`LdpcDecoder: H.rowPtr decreases at row ${r} (${a} > ${b})`);
      maxDegree = Math.max(maxDegree, b - a);
      for (let e = a; e < b; e++) {
        const c = colIdx[e];
        if (!(c >= 0 && c < n)) throw new Error(`LdpcDecoder: H.colIdx[${e}] = ${c} is outside 0..${n - 1}`);
        if (e > a && c <= colIdx[e - 1]) {
          throw new Error(`LdpcDecoder: H row ${r} columns are not strictly ascending at colIdx[${e}] = ${c}`);
        }
      }
    }
    this.n = n;
    this.m = m;
    this.edges = colIdx.length;
    this.rowPtr = rowPtr.slice();
    this.colIdx = colIdx.slice();
    this.colOff = new Int32Array(colIdx.length);
    for (let e = 0; e < colIdx.length; e++) this.colOff[e] = colIdx[e] * MINSUM_LANES;
    this.maxDegree = Math.max(1, maxDegree);
    this.qc = qcLayout(n, m, this.rowPtr, this.colIdx);
    this.liftingSize = this.qc ? this.qc.z : 0;
    const share = this.qc ? Math.floor((QC_SHARE * this.edges) / this.qc.entries) : 0;
    this.qcMaxFrames = this.qc ? Math.min(MINSUM_LANES - 1, Math.max(QC_MIN_FRAMES, share)) : 0;
  }

  /**
   * Decodes one frame of n channel LLRs. Returns the n hard decisions (also when the decoder
   * did not converge), the iterations run and whether H·c = 0 holds for them.
   */
  decode(llr: Float32Array, opts?: LdpcDecodeOptions): LdpcFrameResult {
    const o = resolveOptions(opts);
    checkLlrs(llr, this.n, 'llr');
    const r = this.runArrays(llr, 1, o);
    return { codeword: r.codewords, iterations: r.iterations[0], converged: r.converged[0] === 1 };
  }

  /**
   * Decodes `frames` frames given frame-major (frames × n LLRs). Frame f's results are
   * bit-identical to `decode` on that frame alone.
   */
  decodeBatch(llr: Float32Array, frames: number, opts?: LdpcDecodeOptions): LdpcBatchResult {
    const o = resolveOptions(opts);
    if (!Number.isInteger(frames) || frames < 1) {
      throw new Error(`LdpcDecoder: frames must be an integer >= 1, got ${String(frames)}`);
    }
    checkLlrs(llr, frames * this.n, 'llr');
    return this.runArrays(llr, frames, o);
  }

  /**
   * Same as {@link decodeBatch}, writing into caller-owned arrays (codewords: frames × n,
   * iterations and converged: frames entries or more), so that a simulation loop allocates
   * nothing per call. Returns `out`.
   */
  decodeBatchInto(llr: Float32Array, frames: number, out: LdpcBatchResult, opts?: LdpcDecodeOptions): LdpcBatchResult {
    const o = resolveOptions(opts);
    if (!Number.isInteger(frames) || frames < 1) {
      throw new Error(`LdpcDecoder: frames must be an integer >= 1, got ${String(frames)}`);
    }
    if (out === null || typeof out !== 'object') throw new Error(`LdpcDecoder: out must be an object, got ${String(out)}`);
    if (!(out.codewords instanceof Uint8Array) || out.codewords.length < frames * this.n) {
      throw new Error(`LdpcDecoder: out.codewords must be a Uint8Array of at least frames·n = ${frames * this.n} bytes`);
    }
    if (!(out.iterations instanceof Int32Array) || out.iterations.length < frames) {
      throw new Error(`LdpcDecoder: out.iterations must be an Int32Array of at least ${frames} entries`);
    }
    if (!(out.converged instanceof Uint8Array) || out.converged.length < frames) {
      throw new Error(`LdpcDecoder: out.converged must be a Uint8Array of at least ${frames} entries`);
    }
    checkLlrs(llr, frames * this.n, 'llr');
    return this.runArrays(llr, frames, o, out);
  }

  /**
   * Runs a {@link LdpcDecodeJob}: the general form of decodeBatch for code wrappers. Options are
   * checked first; every frame's LLRs are checked for NaN (job.nan throws) before any result is
   * handed to job.take, so a bad batch produces no output. Results equal decodeBatch's, frame by frame.
   */
  decodeJob(job: LdpcDecodeJob, opts?: LdpcDecodeOptions): void {
    const o = resolveOptions(opts);
    const { frames, outN } = job;
    if (!Number.isInteger(frames) || frames < 1) {
      throw new Error(`LdpcDecoder: frames must be an integer >= 1, got ${String(frames)}`);
    }
    if (!Number.isInteger(outN) || outN < 1 || outN > this.n) {
      throw new Error(`LdpcDecoder: job.outN must be an integer in 1..${this.n}, got ${String(outN)}`);
    }
    this.run(job, o);
  }

  private runArrays(llr: Float32Array, frames: number, o: Resolved, out?: LdpcBatchResult): LdpcBatchResult {
    const n = this.n;
    const codewords = out ? out.codewords : new Uint8Array(frames * n);
    const iterations = out ? out.iterations : new Int32Array(frames);
    const converged = out ? out.converged : new Uint8Array(frames);
    this.run({
      frames,
      outN: n,
      fill: (dst, f0, cf) => dst.set(llr.subarray(f0 * n, (f0 + cf) * n)),
      nan: (at) => {
        throw new Error(`LdpcDecoder: llr[${at}] is NaN`);
      },
      take: (bits, its, conv, f0) => {
        codewords.set(bits, f0 * n);
        iterations.set(its, f0);
        converged.set(conv, f0);
      },
    }, o);
    return out ?? { codewords, iterations, converged };
  }

  /** Resets the arena and re-reserves the resident region, uploading this decoder's tables if needed. */
  private placeTables(arena: WasmArena): void {
    arena.reset();
    if (this.gen === residentGen) {
      arena.alloc(residentBytes);
      return;
    }
    const qc = this.qc;
    const qcBytes = qc ? qc.tab.byteLength + qc.fix.byteLength + qc.deg.byteLength + qcStateBytes(qc.nb, qc.z) + 64 : 0;
    const bytes = this.rowPtr.byteLength + this.colOff.byteLength + qcBytes + 256;
    if (residentBytes + bytes > RESIDENT_CAP) {
      residentGen++;
      residentBytes = 0;
    }
    arena.alloc(residentBytes);
    this.rowPtrAt = arena.put(this.rowPtr);
    this.colOffAt = arena.put(this.colOff);
    if (qc) {
      // The kernel's state P stays with the tables, whose addresses are absolute (rebased on P).
      const P = arena.alloc(qcStateBytes(qc.nb, qc.z));
      this.qcStateAt = P;
      this.qcTabAt = arena.put(qc.tab.map((a) => a + P));
      this.qcFixAt = arena.put(qc.fix.map((a, i) => (i % QC_FIX_I32 === 0 ? a + P : a)));
      this.qcDegAt = arena.put(qc.deg);
    }
    residentBytes = arena.alloc(0) - arena.base;
    this.gen = residentGen;
  }

  private run(job: LdpcDecodeJob, o: Resolved): void {
    const { exports: ex, arena } = ldpcModule();
    const { n, m } = this;
    const { frames, outN } = job;
    if (this.qc !== null && o.algorithm !== 'spa' && frames <= this.qcMaxFrames) {
      this.runQc(job, o, ex, arena, this.qc);
      return;
    }
    const chunk = Math.max(MINSUM_LANES, Math.floor(CHUNK_BYTES / (4 * n) / MINSUM_LANES) * MINSUM_LANES);
    const single = frames <= chunk;
    if (!single) {
      // Validate every chunk before decoding any: a NaN anywhere leaves no partial output.
      for (let f0 = 0; f0 < frames; f0 += chunk) {
        const cf = Math.min(chunk, frames - f0);
        this.placeTables(arena);
        const llrPtr = arena.alloc(cf * n * 4);
        job.fill(arena.f32(llrPtr, cf * n), f0, cf);
        const bad = ex.firstNaN(llrPtr, cf * n);
        if (bad >= 0) job.nan(f0 * n + bad);
      }
    }
    for (let f0 = 0; f0 < frames; f0 += chunk) {
      const cf = Math.min(chunk, frames - f0);
      this.placeTables(arena);
      const llrPtr = arena.alloc(cf * n * 4);
      const outBits = arena.alloc(cf * outN);
      const outIter = arena.alloc(cf * 4);
      const outConv = arena.alloc(cf);
      if (o.algorithm === 'spa') {
        const C = arena.alloc(n * 16);
        const Lf = arena.alloc(n * 16);
        const R = arena.alloc(this.edges * 16);
        const T = arena.alloc(this.maxDegree * 16);
        const F = arena.alloc(this.maxDegree * 16);
        this.load(job, arena, ex, llrPtr, f0, cf, single);
        ex.spaDecode(llrPtr, cf, n, m, this.rowPtrAt, this.colOffAt, o.iterations, o.earlyStop ? 1 : 0,
          C, Lf, R, T, F, outBits, outN, outIter, outConv);
      } else {
        const L = arena.alloc(n * MINSUM_LANES);
        const R = arena.alloc(this.edges * MINSUM_LANES);
        const S = arena.alloc((n + 16) * 2);
        const Q = arena.alloc(1024 + this.maxDegree * 16);
        this.load(job, arena, ex, llrPtr, f0, cf, single);
        ex.minsumDecode(llrPtr, cf, n, m, this.rowPtrAt, this.colOffAt, o.scale, o.iterations, o.earlyStop ? 1 : 0,
          o.mode, o.param, L, R, S, Q, outBits, outN, outIter, outConv);
      }
      job.take(arena.u8(outBits, cf * outN), arena.i32(outIter, cf), arena.u8(outConv, cf), f0, cf);
    }
  }

  /**
   * Up to qcMaxFrames frames, one by one, on the row-parallel kernel. The per-call buffers sit
   * right after the resident region; their addresses and views are kept from the previous call
   * when nothing moved (same resident layout, frame count and memory buffer), so a `decode`
   * creates no typed-array views.
   */
  private runQc(job: LdpcDecodeJob, o: Resolved, ex: LdpcExports, arena: WasmArena, qc: QcLayout): void {
    const n = this.n;
    const { frames, outN } = job;
    this.placeTables(arena);
    const base = arena.alloc(0);
    let c = this.qcCall;
    if (c === null || c.base !== base || c.frames !== frames || c.outN !== outN || c.buffer !== arena.memory.buffer) {
      const llr = arena.alloc(frames * n * 4);
      const R = arena.alloc(qc.entries * 16);
      const bits = arena.alloc(frames * outN);
      const iter = arena.alloc(frames * 4);
      const conv = arena.alloc(frames);
      c = {
        buffer: arena.memory.buffer, base, frames, outN, llr, R, bits, iter, conv,
        llrView: arena.f32(llr, frames * n), bitsView: arena.u8(bits, frames * outN),
        iterView: arena.i32(iter, frames), convView: arena.u8(conv, frames),
      };
      this.qcCall = c;
    }
    job.fill(c.llrView, 0, frames);
    for (let f = 0; f < frames; f++) {
      const at = c.llr + f * n * 4;
      const nan = ex.qcLayeredDecode(at, qc.nb, qc.mb, qc.z, this.qcTabAt, this.qcFixAt, this.qcDegAt, qc.entries,
        o.scale, o.iterations, o.earlyStop ? 1 : 0, o.mode, o.param,
        this.qcStateAt, c.R, c.bits + f * outN, outN, c.iter + 4 * f, c.conv + f);
      // The kernel checks its frame for NaN while quantising; nothing reaches the caller before `take`.
      if (nan !== 0) job.nan(f * n + ex.firstNaN(at, n));
    }
    job.take(c.bitsView, c.iterView, c.convView, 0, frames);
  }

  /** Fills the chunk's LLRs (all allocations done, so the view stays valid); scans them when not validated before. */
  private load(job: LdpcDecodeJob, arena: WasmArena, ex: LdpcExports, llrPtr: number, f0: number, cf: number, scan: boolean): void {
    const count = cf * this.n;
    job.fill(arena.f32(llrPtr, count), f0, cf);
    if (scan) {
      const bad = ex.firstNaN(llrPtr, count);
      if (bad >= 0) job.nan(f0 * this.n + bad);
    }
  }
}
