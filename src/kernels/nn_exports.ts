/**
 * The functions that the `nn` WASM module (assembly/nn/) exports. Pointers are byte offsets
 * into its linear memory; all tensors are float32, row-major (NHWC for images).
 */
export interface NnExports {
  heapBase(): number;
  [name: string]: unknown;
}
