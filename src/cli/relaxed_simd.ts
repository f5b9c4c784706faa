// Imported first by the CLI entry (src/cli/wmoe.ts), before any WebAssembly compiles: Node 20
// validates WebAssembly relaxed SIMD only with --experimental-wasm-relaxed-simd (Node ≥ 22 has it
// on), so the CLI process turns that V8 flag on itself, and init() then loads the relaxed-SIMD
// build of the nn kernels unless --simd plain. V8 reads the flag whenever it validates a module,
// so setting it at run time works (checked on Node 20.20, also for worker threads).
import { setFlagsFromString } from 'node:v8';
import { hasWasmRelaxedSimd } from '../wasm/simd.js';

/** Turns on V8's relaxed-SIMD flag if this engine does not validate relaxed SIMD yet; returns whether it now does. */
export function enableRelaxedSimd(): boolean {
  if (hasWasmRelaxedSimd()) return true;
  try {
    setFlagsFromString('--experimental-wasm-relaxed-simd');
  } catch {
    // not a V8 that knows the flag: the plain build is loaded
  }
  return hasWasmRelaxedSimd();
}

enableRelaxedSimd();
