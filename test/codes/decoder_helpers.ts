/**
 * Fixtures for the decoder tests: seeded BPSK/AWGN LLRs and an independent scalar model of the
 * fixed-point layered min-sum arithmetic documented in assembly/ldpc/minsum.ts.
 */
import type { ParityCheckMatrix } from '../../src/codes/types.js';

/** Seeded standard normal samples (mulberry32 + Box–Muller). */
export function gaussian(count: number, seed: number): Float64Array {
  let a = seed >>> 0;
  const u = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  const out = new Float64Array(count);
  for (let i = 0; i < count; i += 2) {
    const r = Math.sqrt(-2 * Math.log(u()));
    const th = 2 * Math.PI * u();
    out[i] = r * Math.cos(th);
    if (i + 1 < count) out[i + 1] = r * Math.sin(th);
  }
  return out;
}

/**
 * Channel LLRs of BPSK (bit b sent as 1 − 2b) over AWGN at `ebn0Db` (Eb/N0 in dB) for a code of
 * rate `rate`: σ² = 1/(2·R·Eb/N0), LLR = 2y/σ². `bits` is frames × n (all zero when omitted).
 */
export function bpskLlrs(n: number, frames: number, rate: number, ebn0Db: number, seed: number, bits?: Uint8Array): Float32Array {
  const s2 = 1 / (2 * rate * 10 ** (ebn0Db / 10));
  const s = Math.sqrt(s2);
  const z = gaussian(n * frames, seed);
  const out = new Float32Array(n * frames);
  for (let i = 0; i < out.length; i++) {
    const x = bits && bits[i] ? -1 : 1;
    out[i] = (2 * (x + s * z[i])) / s2;
  }
  return out;
}

const sat = (x: number) => Math.max(-128, Math.min(127, x));

/** Round half to even (f32.nearest). */
function nearestEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x - Math.trunc(x)) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Scalar model of the i8 layered min-sum decoder for one frame: returns hard decisions,
 * iterations and convergence. `mode` 'nms' uses factor, 'oms' offset, as the kernel does.
 */
export function fixedPointMinSum(
  h: ParityCheckMatrix, llr: Float32Array, o: { mode: 'nms' | 'oms'; iterations: number; earlyStop: boolean; factor?: number; offset?: number; scale?: number },
): { codeword: Uint8Array; iterations: number; converged: boolean } {
  const scale = o.scale ?? 4;
  const fq = Math.round((o.factor ?? 0.75) * 128);
  const oq = Math.min(127, Math.round((o.offset ?? 0.5) * scale));
  const { m, rowPtr, colIdx } = h;
  const L = Int32Array.from(llr, (x) => Math.max(-127, Math.min(127, nearestEven(Math.fround(x * scale)))));
  const R = new Int32Array(colIdx.length);
  const t: number[] = [];
  const syndromeOk = () => {
    for (let r = 0; r < m; r++) {
      let p = 0;
      for (let e = rowPtr[r]; e < rowPtr[r + 1]; e++) p ^= L[colIdx[e]] < 0 ? 1 : 0;
      if (p) return false;
    }
    return true;
  };
  let it = 0;
  let ok = false;
  while (it < o.iterations) {
    it++;
    for (let r = 0; r < m; r++) {
      const a = rowPtr[r];
      const b = rowPtr[r + 1];
      let m1 = 127;
      let m2 = 127;
      let neg = 0;
      for (let e = a; e < b; e++) {
        const v = sat(L[colIdx[e]] - R[e]);
        t[e - a] = v;
        const mag = Math.abs(v);
        if (mag < m1) {
          m2 = m1;
          m1 = mag;
        } else if (mag < m2) m2 = mag;
        if (v < 0) neg ^= 1;
      }
      const g = (x: number) => (o.mode === 'nms' ? Math.floor((x * fq + 64) / 128) : Math.max(0, x - oq));
      const g1 = Math.min(47, g(m1));
      const g2 = Math.min(47, g(m2));
      for (let e = a; e < b; e++) {
        const v = t[e - a];
        const mag = Math.abs(v) === m1 ? g2 : g1;
        const msg = (neg ^ (v < 0 ? 1 : 0)) === 1 ? -mag : mag;
        R[e] = msg;
        L[colIdx[e]] = sat(v + msg);
      }
    }
    if (o.earlyStop && syndromeOk()) {
      ok = true;
      break;
    }
  }
  if (!o.earlyStop) ok = syndromeOk();
  return { codeword: Uint8Array.from(L, (x) => (x < 0 ? 1 : 0)), iterations: it, converged: ok };
}
