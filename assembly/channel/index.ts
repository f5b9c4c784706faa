// The `channel` WASM module: seeded xoshiro128++ uniforms, Box–Muller Gaussian noise and the
// small vector kernels behind src/channel/ (AWGN, LLR demapping). Every function takes byte
// pointers into linear memory allocated by src/wasm/module.ts's WasmArena.
export { heapBase } from './memory';
export * from './xoshiro';
export * from './gaussian';
export * from './vector';
export * from './qam16';
