// wireless-moe/channel: the tfjs-free channel library — seeded RNG and Gaussian noise, AWGN,
// Gray modems with LLR demappers, SNR conversions, closed-form error rates, and the uniform
// quantiser. Hot loops run in the `channel` WASM module (assembly/channel/). For simulations,
// `modem.llrOverAwgn(bits, esn0Db, rng, out)` runs modulate → AWGN → demap as one allocation-free
// WASM pass into a reused array, bit-identical to the three separate calls.
//
// Conventions (details in each file): bits are Uint8Array 0/1 bytes; symbols have Es = 1 (BPSK
// real, QPSK/16-QAM interleaved I/Q); complex AWGN has N0/2 per real dimension and Es/N0 in dB,
// real `awgn` has σ² = 10^(−SNR/10) per sample; Eb/N0 ↔ Es/N0 via snr.ts; LLR = ln P(b=0|y)/P(b=1|y)
// (positive favours 0). Seeds are integers in [0, 2^53); the same seed gives bit-identical output.
export { Rng } from './rng.js';
export { addNoise, awgn, awgnComplex, type NoiseSource } from './awgn.js';
export type { Modem, ModulationName } from './modem.js';
export { bpsk } from './bpsk.js';
export { qpsk } from './qpsk.js';
export { qam16 } from './qam16.js';
export { qam64 } from './qam64.js';
export { getModem } from './modems.js';
export type { LlrOverAwgnOptions } from './llr_over_awgn.js';
export { llrOverFlat, type FlatFrames } from './flat.js';
export { ebn0ToEsn0, esn0ToEbn0, n0FromEsn0, dbToLinear, linearToDb } from './snr.js';
export { erfc, qfunc, berBpsk, berQpsk, ber16Qam, ber64Qam, berBpskRayleigh } from './theory.js';
export { besselJ0 } from './bessel.js';
export { quantize, dequantize, toBits, fromBits, quantizeInto, dequantizeInto, toBitsInto, fromBitsInto, type Quantized } from './quantize.js';
export { countBitErrors } from './bit_errors.js';
export { initChannelWasm } from './wasm.js';
export { parseFadingChannel, parseCoherence, parseDoppler, validateFadingSpec, blockIndex, AWGN_FADING, type FadingSpec, type FadingChannel, type DopplerSpec } from './fading/spec.js';
export { createFadingProcess, NoFading, FADING_TAGS, type FadingProcess } from './fading/process.js';
export { parseGeometry, validateGeometry, geometryMeanSnrDb, GEOMETRY_DEFAULTS, type GeometrySpec } from './fading/geometry.js';
