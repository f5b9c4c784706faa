// WASM module `ldpc`: LDPC decoders. Layered min-sum in i8x16 fixed point (16 frames per
// vector, see minsum.ts) and flooding sum-product in float32 (see spa.ts).
export { heapBase } from './memory';
export { minsumDecode } from './minsum';
export { spaDecode } from './spa';
