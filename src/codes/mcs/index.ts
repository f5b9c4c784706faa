/** MCS tables (802.11n, 3GPP NR table 1) and the `TABLE[:INDEX]` spec parser; re-exported by src/codes/index.ts. */
export {
  parseMcsSpec,
  mcsTable,
  mcsEntry,
  formatMcsSpec,
  MCS_TABLE_NAMES,
  MCS_BITS_PER_SYMBOL,
  type McsEntry,
  type McsTable,
  type McsSpec,
  type McsModulation,
} from './table.js';
export { ieee80211nMcsTable, IEEE80211N_MCS_LENGTHS } from './ieee80211n.js';
export {
  NR_MCS_TABLE1,
  NR_MCS_TABLE1_ROWS,
  NR_MCS_TABLE1_RESERVED,
  NR_MCS_LIFTING,
  nrBaseGraph,
  nrRateMatchedLength,
} from './nr.js';
