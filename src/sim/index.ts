/**
 * wireless-moe/sim: Monte-Carlo BER/FER simulation of LDPC-coded (or uncoded) Gray-modulated links
 * over AWGN or flat block fading, built on wireless-moe/channel and wireless-moe/codes (no tfjs). `simulateBer` runs a
 * sweep; `parseSnrRange` reads '0:0.5:4' or '1.5,2' sweeps; `wilsonInterval` gives confidence
 * intervals of error rates; `formatBerTable` renders an AFF3CT-style report.
 */
export {
  simulateBer,
  BER_DECODERS,
  BER_DEMAPPERS,
  BER_MODULATIONS,
  type BerOptions,
  type BerResult,
  type BerPoint,
  type BerProgress,
  type BerSettings,
  type BerDecoder,
  type BerDemapper,
} from './ber.js';
export { BER_LINK_TAG, type BerChannelOptions, type BerChannelSettings } from './ber_channel.js';
export { parseSnrRange, MAX_RANGE_POINTS } from './range.js';
export { BitSource } from './bitsource.js';
export { wilsonInterval, normalQuantile, type Interval } from './confidence.js';
export { formatBerTable, berTableHeader, berTableRow, describeBerSettings } from './table.js';
export { simulateMcsTable, mcsGrid, MCS_SWEEP_TAG, DEFAULT_MCS_GRID, type McsSweepOptions, type McsSweepProgress } from './mcs_sweep.js';
export { loadPhyTable, parsePhyTable, PhyTable, type PhyTableData } from '../link/adapt/bler_table.js';
