// Lazily instantiated `channel` WASM module (assembly/channel/), shared by every function of
// wireless-moe/channel. It is small (a few KiB), so the first call compiles it synchronously;
// call initChannelWasm() first where synchronous compilation is unwelcome (a browser's main
// thread) or to load the bytes from elsewhere.
import channelWasm from '../wasm/generated/channel.js';
import { loadWasm, loadWasmSync, type WasmModule, type WasmSource } from '../wasm/module.js';

/** Exports of assembly/channel/index.ts. All pointers are byte addresses into `memory`. */
export interface ChannelExports {
  heapBase(): number;
  seedState(state: number, lo: number, hi: number): void;
  fillU32(state: number, out: number, steps: number): void;
  fillUniform(state: number, out: number, steps: number): void;
  fillBits(state: number, out: number, steps: number): void;
  fillGaussian(state: number, out: number, sig: number, blocks: number, sigma: number): void;
  firstNonFinite(x: number, n: number): number;
  firstNonBit(x: number, n: number): number;
  scale(x: number, out: number, n4: number, c: number): void;
  qam16Llr(y: number, out: number, nsym: number, invN0: number, exact: number): void;
  qam64Llr(y: number, out: number, nsym: number, invN0: number, exact: number): void;
  codesToBits(codes: number, n: number, bits: number, out: number): number;
  bitsToCodes(src: number, n: number, bits: number, codes: number): number;
  fusedScratchBytes(): number;
  llrAwgn(state: number, bits: number, out: number, z: number, zLeft: number, nbits: number, kind: number, sigma: number, c: number, exact: number): number;
  sosGains(params: number, m: number, t0: number, count: number, out: number): void;
  flatScratchBytes(): number;
  llrFlat(state: number, bits: number, out: number, z: number, zLeft: number, nbits: number, kind: number, par: number, off: number, spf: number, exact: number): number;
}

let instance: WasmModule<ChannelExports> | undefined;

/** The channel module, compiled synchronously on first use. */
export function channelModule(): WasmModule<ChannelExports> {
  if (!instance) instance = loadWasmSync<ChannelExports>('channel', channelWasm);
  return instance;
}

/**
 * Compiles the channel module asynchronously (optionally from other bytes or a URL) so that
 * later calls do not compile on the calling thread. Idempotent.
 */
export async function initChannelWasm(source?: WasmSource): Promise<void> {
  if (!instance) instance = await loadWasm<ChannelExports>('channel', source ?? channelWasm);
}

/** Floats processed per kernel call: 64 KiB buffers stay in L2 and bound the arena. */
export const CHUNK = 16384;

/**
 * Throws a one-line error naming `name[i]` at the first NaN or ±Infinity of `x`. Copies x
 * through the module's memory in chunks and scans it with the SIMD kernel; call it before any
 * compute kernel so that a bad input produces no output. Resets the arena.
 */
export function requireFiniteArray(name: string, x: Float32Array): void {
  const mod = channelModule();
  mod.arena.reset();
  const p = mod.arena.alloc(CHUNK * 4);
  for (let i = 0; i < x.length; i += CHUNK) {
    const k = Math.min(CHUNK, x.length - i);
    new Float32Array(mod.arena.memory.buffer, p, k).set(x.subarray(i, i + k));
    const bad = mod.exports.firstNonFinite(p, k);
    if (bad >= 0) throw new Error(`wireless-moe/channel: ${name}[${i + bad}] = ${x[i + bad]} is not finite`);
  }
}
