// The `nn` WASM module: the hot kernels of the `wmoe` tfjs backend. Every function takes
// byte pointers into linear memory (allocated by src/wasm/module.ts's WasmArena) and float32,
// row-major NHWC tensors. One file per kernel family.
export { heapBase } from './memory';
export * from './gemm';
export * from './conv';
export * from './pool';
export * from './softmax';
export * from './topk';
export * from './elementwise';
export * from './reduce';
export * from './conv_single';
export * from './conv_winograd';
export * from './conv_winograd4';
export * from './adam';
export * from './batch_norm';
export * from './gelu';
export * from './layer_norm';
export * from './attention';
export * from './matrix_transpose';
export * from './heads_rows';
