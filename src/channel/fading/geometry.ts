// Mean SNRs from a deployment geometry (`--geometry D1,…,DK[:n=3][:shadow=σ][:ref=S@D0]`): expert k
// at distance Dk from the server has the log-distance path loss with log-normal shadowing
//   mean SNR_k (dB) = S − 10·n·log10(Dk/D0) + σ·N(0,1),
// n the path-loss exponent (default 3), σ the shadowing in dB (default 0), S the mean SNR at the
// reference distance D0 (default 25 dB at D0 = 1, in the unit of the Dk: distances 1…10 then span
// 25…−5 dB at n = 3). The shadowing is drawn once per expert per seed, from the keyed stream
// deriveSeed(seed, FADING_TAGS.SHADOW, expert), so it does not depend on K or on other draws.
// log10 is evaluated in f64 arithmetic alone (no Math.log10, whose last bits may differ between
// engines), so the same seed gives the same SNRs to the bit everywhere.
import { InputError } from '../../errors.js';
import { deriveSeed } from '../../random/hash.js';
import { Rng } from '../rng.js';
import { FADING_TAGS } from './tags.js';

/** A geometry: per-expert distances and the path-loss model that turns them into mean SNRs. */
export interface GeometrySpec {
  /** Distance of each expert from the server (> 0, same unit as refDistance), one per expert. */
  distances: number[];
  /** Path-loss exponent n (≥ 0; 2 free space, 3–4 urban). */
  pathLossExponent: number;
  /** Log-normal shadowing standard deviation σ in dB (≥ 0; 0 = none). */
  shadowingDb: number;
  /** Mean SNR S in dB at the reference distance. */
  refSnrDb: number;
  /** Reference distance D0 (> 0). */
  refDistance: number;
}

/** Defaults of the optional keys: n = 3, σ = 0 dB, S = 25 dB at D0 = 1. */
export const GEOMETRY_DEFAULTS = Object.freeze({ pathLossExponent: 3, shadowingDb: 0, refSnrDb: 25, refDistance: 1 });

const SYNTAX = 'expected D1,…,DK[:n=3][:shadow=σ][:ref=S@D0]';

/**
 * Parses `D1,…,DK[:n=N][:shadow=σ][:ref=S@D0]` (keys in any order, each at most once). With
 * `experts`, the number of distances must equal it. One-line InputError naming the bad value.
 */
export function parseGeometry(text: string, experts?: number): GeometrySpec {
  const [list, ...keys] = text.trim().split(':');
  const distances = list.split(',').map((d) => {
    const v = strictNumber(d.trim());
    if (!(v > 0 && v < Infinity)) throw new InputError(`geometry '${text}': distance '${d}' is not a positive number`);
    return v;
  });
  if (experts !== undefined && distances.length !== experts) {
    throw new InputError(`geometry '${text}' gives ${distances.length} distances for ${experts} experts`);
  }
  const spec: GeometrySpec = { distances, ...GEOMETRY_DEFAULTS };
  const seen = new Set<string>();
  for (const kv of keys) {
    const eq = kv.indexOf('=');
    const key = eq < 0 ? kv : kv.slice(0, eq);
    const value = eq < 0 ? '' : kv.slice(eq + 1).trim();
    if (seen.has(key)) throw new InputError(`geometry '${text}': key '${key}' given twice`);
    seen.add(key);
    if (key === 'n') spec.pathLossExponent = nonNegative(text, 'path-loss exponent n', value);
    else if (key === 'shadow') spec.shadowingDb = nonNegative(text, 'shadowing σ', value);
    else if (key === 'ref') parseRef(text, value, spec);
    else throw new InputError(`geometry '${text}': unknown key '${kv}' (${SYNTAX})`);
  }
  return spec;
}

/** Checks a GeometrySpec built in code (not parsed); throws an InputError naming the bad field. */
export function validateGeometry(spec: GeometrySpec, experts?: number): GeometrySpec {
  spec.distances.forEach((d, k) => {
    if (!(d > 0 && d < Infinity)) throw new InputError(`geometry distance D${k + 1} = ${d} is not a positive number`);
  });
  if (experts !== undefined && spec.distances.length !== experts) {
    throw new InputError(`geometry gives ${spec.distances.length} distances for ${experts} experts`);
  }
  if (!(spec.pathLossExponent >= 0 && spec.pathLossExponent < Infinity)) throw new InputError(`geometry path-loss exponent n = ${spec.pathLossExponent} is not a number ≥ 0`);
  if (!(spec.shadowingDb >= 0 && spec.shadowingDb < Infinity)) throw new InputError(`geometry shadowing σ = ${spec.shadowingDb} dB is not a number ≥ 0`);
  if (!Number.isFinite(spec.refSnrDb)) throw new InputError(`geometry reference SNR ${spec.refSnrDb} dB is not a number`);
  if (!(spec.refDistance > 0 && spec.refDistance < Infinity)) throw new InputError(`geometry reference distance ${spec.refDistance} is not a positive number`);
  return spec;
}

/**
 * Mean SNR in dB of each expert's link [K]: S − 10·n·log10(Dk/D0) + σ·zk, zk ~ N(0,1) from
 * deriveSeed(seed, FADING_TAGS.SHADOW, k) (not drawn when σ = 0). Same seed ⇒ same bits.
 */
export function geometryMeanSnrDb(spec: GeometrySpec, seed: number): Float64Array {
  validateGeometry(spec);
  const out = new Float64Array(spec.distances.length);
  for (let k = 0; k < out.length; k++) {
    let snr = spec.refSnrDb - 10 * spec.pathLossExponent * log10Exact(spec.distances[k] / spec.refDistance);
    if (spec.shadowingDb > 0) snr += spec.shadowingDb * shadowNormal(seed, k);
    out[k] = snr;
  }
  return out;
}

/** The standard normal shadowing draw of expert k under `seed`. */
export function shadowNormal(seed: number, expert: number): number {
  return new Rng(deriveSeed(seed, FADING_TAGS.SHADOW, expert)).normal(1)[0];
}

const LN2 = 0.6931471805599453;
const LN10 = 2.302585092994046;
const SQRT2 = 1.4142135623730951;
const view = new DataView(new ArrayBuffer(8));

/**
 * log10(x) for finite x > 0 in f64 operations only (deterministic on every engine): x = m·2^e with
 * m ∈ [√½, √2), ln m = 2·atanh(s), s = (m−1)/(m+1), |s| ≤ 0.172, series to s^29 (error < 1e-16).
 */
export function log10Exact(x: number): number {
  if (!(x > 0 && x < Infinity)) return x === 0 ? -Infinity : x === Infinity ? Infinity : NaN;
  view.setFloat64(0, x);
  let e = ((view.getUint32(0) >>> 20) & 0x7ff) - 1023;
  if (e === -1023) return log10Exact(x * 2 ** 64) - 64 * (LN2 / LN10); // subnormal
  view.setUint32(0, (view.getUint32(0) & 0x800fffff) | (1023 << 20));
  let m = view.getFloat64(0);
  if (m >= SQRT2) {
    m /= 2;
    e += 1;
  }
  const s = (m - 1) / (m + 1);
  const z = s * s;
  let p = 1 / 29;
  for (let j = 27; j >= 1; j -= 2) p = p * z + 1 / j;
  return (e * LN2 + 2 * s * p) / LN10;
}

function parseRef(text: string, value: string, spec: GeometrySpec): void {
  const at = value.indexOf('@');
  const s = strictNumber(at < 0 ? value : value.slice(0, at).trim());
  if (at < 0 || !Number.isFinite(s)) throw new InputError(`geometry '${text}': ref '${value}' is not S@D0 (S in dB, D0 > 0)`);
  const d0 = strictNumber(value.slice(at + 1).trim());
  if (!(d0 > 0 && d0 < Infinity)) throw new InputError(`geometry '${text}': reference distance '${value.slice(at + 1)}' is not a positive number`);
  spec.refSnrDb = s;
  spec.refDistance = d0;
}

function nonNegative(text: string, what: string, value: string): number {
  const v = strictNumber(value);
  if (!(v >= 0)) throw new InputError(`geometry '${text}': ${what} '${value}' is not a number ≥ 0`);
  return v;
}

/** A decimal number, or NaN for anything else (empty, hex, trailing text). */
function strictNumber(s: string): number {
  return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s) ? Number(s) : NaN;
}
