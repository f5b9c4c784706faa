// WASM module `ldpc`: LDPC decoders. Layered min-sum in i8x16 fixed point (16 frames per
// vector, see minsum.ts) and flooding sum-product in float32 (see spa.ts); a SIMD NaN scan of the
// input LLRs (validate.ts); single frames of quasi-cyclic codes run 16 rows at a time (qclayered.ts).
export { heapBase } from './memory';
export { minsumDecode } from './minsum';
export { spaDecode } from './spa';
export { firstNaN } from './validate';
export { qcLayeredDecode } from './qclayered';
