/**
 * WebAssembly SIMD feature detection. The bytes are the smallest valid module whose one
 * function returns a v128 (`i8x16.splat`), the same probe wasm-feature-detect uses.
 */
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253,
  15, 253, 98, 11,
]);

/** True when this JS engine validates WebAssembly modules that use 128-bit SIMD. */
export function hasWasmSimd(): boolean {
  try {
    return typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}

/**
 * Relaxed-SIMD probe: the smallest module whose one function returns
 * `f32x4.relaxed_madd(i8x16.splat 0, i8x16.splat 0, i8x16.splat 0)`, the instruction the
 * relaxed build of the nn module is made of (assembly/nn/madd.ts).
 */
const RELAXED_SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 19, 1, 17, 0, 65, 0, 253,
  15, 65, 0, 253, 15, 65, 0, 253, 15, 253, 133, 2, 11,
]);

/**
 * True when this JS engine validates WebAssembly modules that use relaxed SIMD
 * (`f32x4.relaxed_madd`): Chrome ≥ 114, Node ≥ 22, Node 20 run with
 * `--experimental-wasm-relaxed-simd`.
 */
export function hasWasmRelaxedSimd(): boolean {
  try {
    return typeof WebAssembly === 'object' && WebAssembly.validate(RELAXED_SIMD_PROBE);
  } catch {
    return false;
  }
}
