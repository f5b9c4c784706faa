/**
 * wireless-moe/codes: the standalone channel-coding library (no tfjs). LDPC codes (IEEE 802.11n, 3GPP NR
 * BG1/BG2, any alist file), their encoders, NR rate matching and the WASM SIMD decoders.
 */
export type { ParityCheckMatrix, DecodeOptions, DecodeResult, BatchDecodeResult } from './types.js';
export { ldpcCode, loadLdpcCode, alistCode, type LdpcCode } from './ldpc.js';
export { parseAlist, toAlist } from './alist.js';
export { expandQc, type QcPrototype } from './qc.js';
export { wifiCode, WIFI_LENGTHS, WIFI_RATES, type WifiCode } from './ieee80211n.js';
export { nrCode, nrLiftingSet, NR_LIFTING_SIZES, NR_SET_GENERATORS, NR_MAX_LIFTING, type NrCode } from './nr.js';
export { QcEncoder } from './qcencoder.js';
export { Gf2SystematicEncoder } from './gf2encoder.js';
export { nrRateMatch, nrRateRecover, nrTransmittedPositions, nrCircularBufferLength } from './ratematch.js';
export {
  LdpcDecoder,
  MINSUM_LANES,
  DEFAULT_LLR_SCALE,
  type LdpcDecodeOptions,
  type LdpcFrameResult,
  type LdpcBatchResult,
} from './decoder.js';
export { BitPacker } from './bitpack.js';
export * from './mcs/index.js';
