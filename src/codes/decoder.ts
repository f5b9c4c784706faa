/**
 * LDPC decoders over a parity-check matrix H, running in the `ldpc` WASM module:
 * - 'nms' / 'oms': layered (row by row, CSR order) normalised / offset min-sum in 8-bit fixed
 *   point, 16 frames per SIMD vector (one frame per i8 lane, saturating arithmetic; memory
 *   [variable][lane] and one message vector per edge). Default 10 iterations, factor 0.75 (applied
 *   as round(x·round(128·factor)/128)), offset 0.5. With early stop (the default) a frame leaves
 *   its lane at the first iteration whose hard decisions satisfy H, and the lane takes the next
 *   frame, so results never depend on batching: `decode` of one frame is bit-identical to that
 *   frame inside any `decodeBatch`. Full arithmetic in assembly/ldpc/minsum.ts.
 * - 'spa': flooding sum-product in float32 (tanh rule, clamped), 4 frames per f32x4 vector,
 *   default 50 iterations: the exact reference (assembly/ldpc/spa.ts).
 * Hard decision: bit 1 where the final a-posteriori LLR is < 0. Nothing here imports tfjs.
 */
import ldpcWasm from '../wasm/generated/ldpc.js';
import { loadWasmSync, type WasmModule } from '../wasm/module.js';
import type { DecodeOptions, ParityCheckMatrix } from './types.js';

interface LdpcExports {
  minsumDecode(
    llr: number, frames: number, n: number, m: number, rowPtr: number, colOff: number,
    scale: number, maxIter: number, earlyStop: number, mode: number, param: number,
    L: number, R: number, S: number, Q: number, outBits: number, outIter: number, outConv: number,
  ): void;
  spaDecode(
    llr: number, frames: number, n: number, m: number, rowPtr: number, colOff: number,
    maxIter: number, earlyStop: number,
    C: number, Lf: number, R: number, T: number, F: number, outBits: number, outIter: number, outConv: number,
  ): void;
}

let wasm: WasmModule<LdpcExports> | null = null;
function ldpcModule(): WasmModule<LdpcExports> {
  if (wasm === null) wasm = loadWasmSync<LdpcExports>('ldpc', ldpcWasm);
  return wasm;
}

/** Frames per SIMD vector of the fixed-point min-sum kernel. */
export const MINSUM_LANES = 16;

/**
 * Default fixed-point scale of the min-sum decoders: an LLR x becomes the i8 value
 * round(x · 4) (quantum 0.25), saturated to ±127, i.e. ±31.75 in LLR units. A-posteriori values
 * saturate at the same bound; check-to-variable messages are capped at 47 quanta (11.75).
 */
export const DEFAULT_LLR_SCALE = 4;

/** Input bytes handed to WASM per call (whole frames, at least 16): bounds the linear memory a huge batch needs. */
const CHUNK_BYTES = 4 << 20;

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

function checkLlrs(llr: Float32Array, expected: number, what: string): void {
  if (!(llr instanceof Float32Array)) {
    throw new Error(`LdpcDecoder: ${what} must be a Float32Array, got ${Object.prototype.toString.call(llr)}`);
  }
  if (llr.length !== expected) {
    throw new Error(`LdpcDecoder: ${what} has length ${llr.length}, expected ${expected}`);
  }
  // Fast scan: x − x is NaN only for NaN and ±Infinity; locate the culprit only then.
  let acc = 0;
  for (let i = 0; i < llr.length; i++) {
    const x = llr[i];
    acc += x - x;
  }
  if (acc !== acc) {
    for (let i = 0; i < llr.length; i++) {
      if (llr[i] !== llr[i]) throw new Error(`LdpcDecoder: ${what}[${i}] is NaN`);
    }
  }
}

/**
 * Decoder bound to one parity-check matrix. LLRs are log(P(bit=0)/P(bit=1)) per code bit
 * (positive favours 0). All calls are synchronous; the WASM module is compiled on first use.
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
  }

  /**
   * Decodes one frame of n channel LLRs. Returns the n hard decisions (also when the decoder
   * did not converge), the iterations run and whether H·c = 0 holds for them.
   */
  decode(llr: Float32Array, opts?: LdpcDecodeOptions): LdpcFrameResult {
    const o = resolveOptions(opts);
    checkLlrs(llr, this.n, 'llr');
    const r = this.run(llr, 1, o);
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
    return this.run(llr, frames, o);
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
    this.run(llr, frames, o, out);
    return out;
  }

  private run(llr: Float32Array, frames: number, o: Resolved, out?: LdpcBatchResult): LdpcBatchResult {
    const { exports: ex, arena } = ldpcModule();
    const n = this.n;
    const codewords = out ? out.codewords : new Uint8Array(frames * n);
    const iterations = out ? out.iterations : new Int32Array(frames);
    const converged = out ? out.converged : new Uint8Array(frames);
    const chunk = Math.max(MINSUM_LANES, Math.floor(CHUNK_BYTES / (4 * n) / MINSUM_LANES) * MINSUM_LANES);
    for (let f0 = 0; f0 < frames; f0 += chunk) {
      const cf = Math.min(chunk, frames - f0);
      arena.reset();
      const llrPtr = arena.put(llr.subarray(f0 * n, (f0 + cf) * n));
      const rowPtr = arena.put(this.rowPtr);
      const outBits = arena.alloc(cf * n);
      const outIter = arena.alloc(cf * 4);
      const outConv = arena.alloc(cf);
      if (o.algorithm === 'spa') {
        const colOff = arena.put(this.colOff);
        const C = arena.alloc(n * 16);
        const Lf = arena.alloc(n * 16);
        const R = arena.alloc(this.edges * 16);
        const T = arena.alloc(this.maxDegree * 16);
        const F = arena.alloc(this.maxDegree * 16);
        ex.spaDecode(llrPtr, cf, n, this.m, rowPtr, colOff, o.iterations, o.earlyStop ? 1 : 0,
          C, Lf, R, T, F, outBits, outIter, outConv);
      } else {
        const colOff = arena.put(this.colOff);
        const L = arena.alloc(n * MINSUM_LANES);
        const R = arena.alloc(this.edges * MINSUM_LANES);
        const S = arena.alloc((n + 16) * 2);
        const Q = arena.alloc(1024);
        ex.minsumDecode(llrPtr, cf, n, this.m, rowPtr, colOff, o.scale, o.iterations, o.earlyStop ? 1 : 0,
          o.mode, o.param, L, R, S, Q, outBits, outIter, outConv);
      }
      codewords.set(arena.u8(outBits, cf * n), f0 * n);
      iterations.set(arena.i32(outIter, cf), f0);
      converged.set(arena.u8(outConv, cf), f0);
    }
    return { codewords, iterations, converged };
  }
}
