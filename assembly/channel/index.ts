// The `channel` WASM module: seeded xoshiro128++ uniforms, Box–Muller Gaussian noise and the
// small kernels behind src/channel/ (AWGN, LLR demapping, the fused modulate → AWGN → LLR
// channel, bit packing). Every function takes byte pointers into linear memory allocated by
// src/wasm/module.ts's WasmArena.
export { heapBase } from './memory';
export * from './xoshiro';
export * from './gaussian';
export * from './vector';
export * from './qam16';
export * from './qam64';
export * from './fused';
export * from './bits';
export * from './fading';
export * from './flat';
