// The fading model of a link, as the user names it: the channel (`awgn`, `rayleigh`, `rician:K`
// with K in dB), the coherence N (samples per block) and the time correlation across blocks
// (`--doppler f`: Jakes sum of sinusoids; `ar1:f`: Gauss–Markov with ρ = J0(2πf); absent: blocks
// fade independently). Parsing only; the processes live in process.ts.
import { InputError } from '../../errors.js';

/** The channel kind. `rician` carries its K-factor in dB (`Infinity` allowed: AWGN up to a phase). */
export type FadingChannel = { kind: 'awgn' } | { kind: 'rayleigh' } | { kind: 'rician'; kFactorDb: number };

/** Time correlation across blocks: Jakes/Clarke SoS or first-order AR, f = f_D·T in [0, 0.5]. */
export interface DopplerSpec {
  model: 'jakes' | 'ar1';
  /** Doppler frequency normalised by the block duration, 0 ≤ f ≤ 0.5. */
  f: number;
}

/** A link's fading model: channel, coherence (samples per block, integer ≥ 1), Doppler (null = iid blocks). */
export interface FadingSpec {
  channel: FadingChannel;
  coherence: number;
  doppler: DopplerSpec | null;
}

/** The default: AWGN, one block per sample, no Doppler. */
export const AWGN_FADING: FadingSpec = Object.freeze({
  channel: Object.freeze({ kind: 'awgn' }) as FadingChannel,
  coherence: 1,
  doppler: null,
}) as FadingSpec;

/** Parses `awgn`, `rayleigh` or `rician:K` (K in dB: a finite number or `inf`). */
export function parseFadingChannel(text: string): FadingChannel {
  const t = text.trim();
  if (t === 'awgn' || t === 'rayleigh') return { kind: t };
  if (t.startsWith('rician:')) {
    const k = t.slice('rician:'.length).trim();
    const kFactorDb = /^\+?inf(inity)?$/i.test(k) ? Infinity : strictNumber(k);
    if (Number.isNaN(kFactorDb)) {
      throw new InputError(`channel '${text}': the Rician K-factor '${k}' is not a number (dB, or inf)`);
    }
    return { kind: 'rician', kFactorDb };
  }
  throw new InputError(`channel '${text}' is not one of awgn, rayleigh, rician:K (K in dB)`);
}

/** Parses a coherence (samples per block): an integer ≥ 1. */
export function parseCoherence(text: string): number {
  const n = strictNumber(text.trim());
  if (!Number.isInteger(n) || n < 1) throw new InputError(`coherence '${text}' is not an integer ≥ 1`);
  return n;
}

/** Parses `f` (Jakes SoS) or `ar1:f` (Gauss–Markov), with 0 ≤ f ≤ 0.5. */
export function parseDoppler(text: string): DopplerSpec {
  const t = text.trim();
  const model = t.startsWith('ar1:') ? 'ar1' : 'jakes';
  const fText = model === 'ar1' ? t.slice(4).trim() : t;
  const f = strictNumber(fText);
  if (!(f >= 0 && f <= 0.5)) throw new InputError(`doppler '${text}': f = '${fText}' is not a number in [0, 0.5]`);
  return { model, f };
}

/** Checks a FadingSpec built in code (not parsed); throws an InputError naming the bad field. */
export function validateFadingSpec(spec: FadingSpec): FadingSpec {
  const c = spec.channel;
  if (c.kind === 'rician' && Number.isNaN(c.kFactorDb)) throw new InputError(`Rician K-factor ${c.kFactorDb} dB is not a number`);
  if (c.kind !== 'awgn' && c.kind !== 'rayleigh' && c.kind !== 'rician') {
    throw new InputError(`channel kind '${String((c as { kind: unknown }).kind)}' is not one of awgn, rayleigh, rician`);
  }
  if (!Number.isInteger(spec.coherence) || spec.coherence < 1) throw new InputError(`coherence ${spec.coherence} is not an integer ≥ 1`);
  const d = spec.doppler;
  if (d) {
    if (d.model !== 'jakes' && d.model !== 'ar1') throw new InputError(`doppler model '${String(d.model)}' is not jakes or ar1`);
    if (!(d.f >= 0 && d.f <= 0.5)) throw new InputError(`doppler f = ${d.f} is not a number in [0, 0.5]`);
  }
  return spec;
}

/** Block index j = ⌊slot/N⌋ of a slot (time index of a (sample, expert) transmission). */
export function blockIndex(slot: number, coherence: number): number {
  return Math.floor(slot / coherence);
}

/** A decimal number, or NaN for anything else (empty, hex, trailing text). */
function strictNumber(s: string): number {
  return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s) ? Number(s) : NaN;
}
