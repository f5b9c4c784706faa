// The package's one SNR convention, for every link (analog and digital) and every figure:
//   a link's SNR is Es/N0 in dB per *complex* channel use, with unit average symbol energy
//   Es = 1, and the noise is complex AWGN of variance N0 = 10^(−SNR/10) per complex use, i.e.
//   N0/2 per real dimension. A channel use carries two real dimensions.
// - Analog link: two real features per complex use (⌈d/2⌉ uses per vector), scaled to Es = 1.
// - Digital link: one modulation symbol per complex use (n / log2 M uses per codeword; BPSK
//   uses only the real dimension, so its one bit per use sees 2·Es/N0 per real dimension).
// So at the same "x dB" both links put the same noise variance N0/2 on every real dimension
// they send; test/link/snr_convention.test.ts checks it.
import { SeededRandom } from '../random/seeded.js';
import { InputError } from '../errors.js';

/**
 * How per-expert link SNRs (Es/N0 in dB) are chosen for a batch of samples:
 * - `fixed`: expert k always at db[k];
 * - `range`: every sample and expert independently uniform in [min, max];
 * - `perfect`: no noise (SNR = +∞).
 */
export type SnrSpec =
  | { kind: 'fixed'; db: number[] }
  | { kind: 'range'; min: number; max: number }
  | { kind: 'perfect' };

/** Parses `--snr-db a,b,c,d` (one value per expert, or one value for all). */
export function parseSnrList(text: string, experts: number): SnrSpec {
  const parts = text.split(',').map((s) => s.trim());
  const db = parts.map((p) => {
    const v = p === '' ? NaN : Number(p);
    if (!Number.isFinite(v)) throw new InputError(`SNR '${p}' in --snr-db '${text}' is not a finite number of dB`);
    return v;
  });
  if (db.length === 1) return { kind: 'fixed', db: Array(experts).fill(db[0]) };
  if (db.length !== experts) {
    throw new InputError(`--snr-db '${text}' gives ${db.length} SNRs but the model has K = ${experts} experts`);
  }
  return { kind: 'fixed', db };
}

/** Parses `MIN:MAX` in dB (e.g. `-10:20`). */
export function parseSnrRange(text: string): [number, number] {
  const m = /^\s*(-?[\d.]+(?:e-?\d+)?)\s*:\s*(-?[\d.]+(?:e-?\d+)?)\s*$/i.exec(text);
  const lo = m ? Number(m[1]) : NaN;
  const hi = m ? Number(m[2]) : NaN;
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) throw new InputError(`SNR range '${text}' is not MIN:MAX in dB`);
  if (!(lo < hi)) throw new InputError(`SNR range '${text}' needs MIN < MAX`);
  return [lo, hi];
}

/** Per-sample, per-expert SNRs [count, K] in dB, drawn as `spec` says. */
export function drawSnrs(spec: SnrSpec, count: number, experts: number, rng: SeededRandom): Float32Array {
  const out = new Float32Array(count * experts);
  for (let i = 0; i < count; i++) {
    for (let k = 0; k < experts; k++) {
      out[i * experts + k] =
        spec.kind === 'perfect' ? Infinity : spec.kind === 'fixed' ? spec.db[k] : rng.uniform(spec.min, spec.max);
    }
  }
  return out;
}

/** A short label for tables: "perfect", "10 dB", "-10:20 dB", "-10,20,20,20 dB". */
export function describeSnr(spec: SnrSpec): string {
  if (spec.kind === 'perfect') return 'perfect';
  if (spec.kind === 'range') return `${spec.min}:${spec.max} dB`;
  return spec.db.every((v) => v === spec.db[0]) ? `${spec.db[0]} dB` : `${spec.db.join(',')} dB`;
}
