/**
 * The IEEE 802.11n (HT) QC-LDPC codes: N ∈ {648, 1296, 1944} bits, R ∈ {1/2, 2/3, 3/4, 5/6}, Z = N/24.
 */
import { IEEE80211N_PROTOTYPES } from './data/ieee80211n.js';
import { expandQc, type QcPrototype } from './qc.js';
import type { ParityCheckMatrix } from './types.js';
import { InputError } from '../errors.js';

/** Codeword lengths (bits) of the 802.11n LDPC codes. */
export const WIFI_LENGTHS: readonly number[] = [648, 1296, 1944];
/** Code rates of the 802.11n LDPC codes, as written in the standard. */
export const WIFI_RATES: readonly string[] = ['1/2', '2/3', '3/4', '5/6'];

/** An expanded 802.11n code: H is (N(1−R)) x N, the first N·R columns are the information bits. */
export interface WifiCode {
  /** Codeword length in bits. */
  n: number;
  /** Information bits. */
  k: number;
  /** Rate as written in the standard, e.g. '5/6'. */
  rate: string;
  /** Lifting size Z = N/24. */
  Z: number;
  /** The prototype (24 block columns, shifts already in 0..Z−1 or −1). */
  proto: QcPrototype;
  /** Expanded parity-check matrix. */
  H: ParityCheckMatrix;
}

const cache = new Map<string, WifiCode>();

function rateKey(rate: string | number): string | undefined {
  if (typeof rate === 'string') return WIFI_RATES.includes(rate.trim()) ? rate.trim() : undefined;
  if (typeof rate === 'number') {
    for (const r of WIFI_RATES) {
      const [a, b] = r.split('/').map(Number);
      if (Math.abs(rate - a / b) < 1e-9) return r;
    }
  }
  return undefined;
}

/**
 * The 802.11n code of length `n` bits and rate `rate` ('1/2', '2/3', '3/4', '5/6', or the number).
 * Cached: repeated calls return the same object (treat it as read-only).
 * Throws a one-line error naming an unknown (n, rate) pair.
 */
export function wifiCode(n: number, rate: string | number): WifiCode {
  const r = rateKey(rate);
  const key = `${n}:${r}`;
  const data = r === undefined ? undefined : IEEE80211N_PROTOTYPES[key];
  if (!data) {
    throw new InputError(
      `wifiCode: no 802.11n code with N = ${n} and R = ${String(rate)} (N ∈ {${WIFI_LENGTHS.join(', ')}}, R ∈ {${WIFI_RATES.join(', ')}})`,
    );
  }
  let code = cache.get(key);
  if (!code) {
    const proto: QcPrototype = { rows: data.rows, cols: data.cols, z: data.z, shifts: Int32Array.from(data.shifts) };
    code = { n: data.n, k: data.n - data.rows * data.z, rate: data.rate, Z: data.z, proto, H: expandQc(proto) };
    cache.set(key, code);
  }
  return code;
}
