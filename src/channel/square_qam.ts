// What Gray square M-QAM modems in the 3GPP TS 38.211 bit order share: the mapping of each axis
// from its interleaved bits (sign bit first), noise, and the fused AWGN → LLR kernel. Each
// constellation brings its own demapper (qam16.ts, qam64.ts).
import { addNoise } from './awgn.js';
import { llrOverAwgn, type FusedKind } from './llr_over_awgn.js';
import type { Modem, ModulationName } from './modem.js';
import { n0FromEsn0 } from './snr.js';
import { requireBits } from './validate.js';

/** What differs between the square QAM modems. */
export interface SquareQamSpec {
  name: Extract<ModulationName, '16qam' | '64qam'>;
  /** How errors name it ('16-QAM'). */
  label: string;
  /** Bits per symbol 2m (m bits per axis). */
  bitsPerSymbol: 4 | 6;
  /** Unit-energy scale d of the levels ±1, ±3, … (1/√10, 1/√42). */
  scale: number;
  /** The fused AWGN kernel's modem index. */
  kind: FusedKind;
  /** The constellation's LLR demapper: y interleaved I/Q, N0 per complex symbol. */
  demap(y: Float32Array, n0: number, exact: boolean): Float32Array;
}

/**
 * The level of one axis (times d) from its m bits at bits[b], bits[b + 2], …, bits[b + 2(m − 1)]
 * (the axes' bits interleave): (1 − 2·b0)·(2^(m−1) − (1 − 2·b2)·(2^(m−2) − … (2 − (1 − 2·b_{2(m−1)})))).
 */
function axisLevel(bits: Uint8Array, b: number, m: number): number {
  let v = 1;
  for (let j = m - 1; j >= 1; j--) v = 2 ** (m - j) - (1 - 2 * bits[b + 2 * j]) * v;
  return (1 - 2 * bits[b]) * v;
}

/** A Gray square-QAM modem (3GPP bit order), interleaved I/Q symbols, Es = 1. */
export function squareQamModem(spec: SquareQamSpec): Modem {
  const { bitsPerSymbol: bps, label, scale: D } = spec;
  const m = bps / 2;
  return {
    name: spec.name,
    bitsPerSymbol: bps,
    valuesPerSymbol: 2,
    modulate(bits: Uint8Array): Float32Array {
      requireBits('bits', bits);
      if (bits.length % bps !== 0) throw new Error(`wireless-moe/channel: ${label} needs a multiple of ${bps} bits, got ${bits.length}`);
      const nsym = bits.length / bps;
      const out = new Float32Array(2 * nsym);
      for (let k = 0; k < nsym; k++) {
        out[2 * k] = axisLevel(bits, bps * k, m) * D;
        out[2 * k + 1] = axisLevel(bits, bps * k + 1, m) * D;
      }
      return out;
    },
    demapExact: (y, n0) => spec.demap(y, n0, true),
    demapMaxLog: (y, n0) => spec.demap(y, n0, false),
    addNoise(symbols: Float32Array, esn0Db: number, noise) {
      if (symbols instanceof Float32Array && symbols.length % 2 !== 0) {
        throw new Error(`wireless-moe/channel: ${label} symbols must be interleaved (re, im) pairs, got odd length ${symbols.length}`);
      }
      return addNoise(symbols, Math.sqrt(n0FromEsn0(esn0Db) / 2), noise);
    },
    llrOverAwgn(bits, esn0Db, noise, out, opts) {
      return llrOverAwgn(spec.kind, bits, esn0Db, noise, out, opts);
    },
  };
}
