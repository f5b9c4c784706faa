// Parsing of the fading model: channel, coherence, Doppler; bad input as one-line InputErrors.
import { describe, expect, it } from 'vitest';
import { blockIndex, parseCoherence, parseDoppler, parseFadingChannel, validateFadingSpec, AWGN_FADING } from '../../../src/channel/fading/spec.js';
import { expectInputError } from '../../helpers/errors.js';

describe('fading spec parsing', () => {
  it('parses the channel kinds, K in dB (inf allowed, negative allowed)', () => {
    expect(parseFadingChannel('awgn')).toEqual({ kind: 'awgn' });
    expect(parseFadingChannel('rayleigh')).toEqual({ kind: 'rayleigh' });
    expect(parseFadingChannel('rician:10')).toEqual({ kind: 'rician', kFactorDb: 10 });
    expect(parseFadingChannel('rician:-3.5')).toEqual({ kind: 'rician', kFactorDb: -3.5 });
    expect(parseFadingChannel('rician:inf')).toEqual({ kind: 'rician', kFactorDb: Infinity });
  });

  it('rejects a K-factor that is not a number and unknown channels, naming the value', () => {
    expectInputError(() => parseFadingChannel('rician:abc'), "channel 'rician:abc': the Rician K-factor 'abc' is not a number (dB, or inf)");
    expectInputError(() => parseFadingChannel('rician:'), "channel 'rician:': the Rician K-factor '' is not a number (dB, or inf)");
    expectInputError(() => parseFadingChannel('rician:1e'), "channel 'rician:1e': the Rician K-factor '1e' is not a number (dB, or inf)");
    expectInputError(() => parseFadingChannel('nakagami'), "channel 'nakagami' is not one of awgn, rayleigh, rician:K (K in dB)");
  });

  it('parses coherence ≥ 1 and rejects a coherence below 1 or fractional', () => {
    expect(parseCoherence('1')).toBe(1);
    expect(parseCoherence('64')).toBe(64);
    expectInputError(() => parseCoherence('0'), "coherence '0' is not an integer ≥ 1");
    expectInputError(() => parseCoherence('-2'), "coherence '-2' is not an integer ≥ 1");
    expectInputError(() => parseCoherence('1.5'), "coherence '1.5' is not an integer ≥ 1");
    expectInputError(() => parseCoherence('x'), "coherence 'x' is not an integer ≥ 1");
  });

  it('parses Jakes and AR(1) Doppler in [0, 0.5] and rejects f outside it', () => {
    expect(parseDoppler('0.05')).toEqual({ model: 'jakes', f: 0.05 });
    expect(parseDoppler('0')).toEqual({ model: 'jakes', f: 0 });
    expect(parseDoppler('0.5')).toEqual({ model: 'jakes', f: 0.5 });
    expect(parseDoppler('ar1:0.15')).toEqual({ model: 'ar1', f: 0.15 });
    expectInputError(() => parseDoppler('0.6'), "doppler '0.6': f = '0.6' is not a number in [0, 0.5]");
    expectInputError(() => parseDoppler('-0.1'), "doppler '-0.1': f = '-0.1' is not a number in [0, 0.5]");
    expectInputError(() => parseDoppler('ar1:1'), "doppler 'ar1:1': f = '1' is not a number in [0, 0.5]");
    expectInputError(() => parseDoppler('fast'), "doppler 'fast': f = 'fast' is not a number in [0, 0.5]");
  });

  it('validates specs built in code and maps slots to blocks', () => {
    expect(validateFadingSpec(AWGN_FADING)).toBe(AWGN_FADING);
    expectInputError(() => validateFadingSpec({ ...AWGN_FADING, coherence: 0 }), 'coherence 0 is not an integer ≥ 1');
    expectInputError(
      () => validateFadingSpec({ ...AWGN_FADING, doppler: { model: 'jakes', f: 0.7 } }),
      'doppler f = 0.7 is not a number in [0, 0.5]',
    );
    expectInputError(
      () => validateFadingSpec({ ...AWGN_FADING, channel: { kind: 'rician', kFactorDb: NaN } }),
      'Rician K-factor NaN dB is not a number',
    );
    expect([0, 3, 4, 7, 8].map((s) => blockIndex(s, 4))).toEqual([0, 0, 1, 1, 2]);
  });
});
