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
