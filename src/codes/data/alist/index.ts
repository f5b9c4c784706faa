/**
 * The five alist codes shipped for tests and examples (copied verbatim from ../shared/codes/alist/).
 * Not re-exported from the codes index, so bundles that do not import them stay small.
 */
import { ALIST_10GBPS_ETHERNET_1723_2048 } from './10GBPS-ETHERNET_1723_2048.js';
import { ALIST_CCSDS_64_128 } from './CCSDS_64_128.js';
import { ALIST_MACKAY_504_1008 } from './MACKAY_504_1008.js';
import { ALIST_WIFI_540_648 } from './WIFI_540_648.js';
import { ALIST_WIMAX_288_576 } from './WIMAX_288_576.js';

/** Alist text keyed by file name without extension (e.g. `WIFI_540_648`). */
export const ALIST_TEXTS: Readonly<Record<string, string>> = {
  '10GBPS-ETHERNET_1723_2048': ALIST_10GBPS_ETHERNET_1723_2048,
  'CCSDS_64_128': ALIST_CCSDS_64_128,
  'MACKAY_504_1008': ALIST_MACKAY_504_1008,
  'WIFI_540_648': ALIST_WIFI_540_648,
  'WIMAX_288_576': ALIST_WIMAX_288_576,
};

export { ALIST_10GBPS_ETHERNET_1723_2048, ALIST_CCSDS_64_128, ALIST_MACKAY_504_1008, ALIST_WIFI_540_648, ALIST_WIMAX_288_576 };
