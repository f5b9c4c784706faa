// The --csi and --rx-csi parsers: every accepted form, and a one-line InputError naming the bad value.
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.js';
import { parseGateCsi, formatGateCsi, validateGateCsi, type GateCsiSpec } from '../../../src/link/csi/gate_csi.js';
import { parseRxCsi, formatRxCsi, validateRxCsi, type RxCsiSpec } from '../../../src/link/csi/rx_csi.js';

function errorOf(f: () => unknown): InputError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    expect((e as Error).message).not.toContain('\n');
    return e as InputError;
  }
  throw new Error('no error thrown');
}

describe('parseGateCsi', () => {
  it.each<[string, GateCsiSpec]>([
    ['perfect', { kind: 'perfect' }],
    ['statistical', { kind: 'statistical' }],
    ['pilots:1', { kind: 'pilots', pilots: 1 }],
    ['pilots:4', { kind: 'pilots', pilots: 4 }],
    ['stale:3', { kind: 'stale', delay: 3 }],
    ['quantised:1', { kind: 'quantised', bits: 1 }],
    ['quantised:16', { kind: 'quantised', bits: 16 }],
    ['quantized:2', { kind: 'quantised', bits: 2 }],
    [' stale:1 ', { kind: 'stale', delay: 1 }],
  ])('%s', (text, spec) => {
    expect(parseGateCsi(text)).toEqual(spec);
    expect(parseGateCsi(formatGateCsi(spec))).toEqual(spec);
    expect(validateGateCsi(spec)).toEqual(spec);
  });

  it.each([
    ['pilots:0', "'0'"], ['pilots:-1', "'-1'"], ['pilots:1.5', "'1.5'"], ['pilots:', "''"], ['pilots:x', "'x'"],
    ['stale:0', "'0'"], ['stale:2.5', "'2.5'"],
    ['quantised:0', "'0'"], ['quantised:17', "'17'"], ['quantised:2.5', "'2.5'"],
  ])('%s names the bad value', (text, value) => {
    const e = errorOf(() => parseGateCsi(text));
    expect(e.message).toContain(value);
    expect(e.message).toContain(text);
  });

  it.each(['exact', 'pilots', 'stale', 'pilots:1:2', 'perfect:1', ''])('unknown kind %j', (text) => {
    const e = errorOf(() => parseGateCsi(text));
    expect(e.message).toContain(`'${text}'`);
    expect(e.message).toContain('statistical');
  });

  it('validates specs built in code', () => {
    expect(errorOf(() => validateGateCsi({ kind: 'pilots', pilots: 0 })).message).toContain("'0'");
    expect(errorOf(() => validateGateCsi({ kind: 'quantised', bits: 20 })).message).toContain("'20'");
    expect(errorOf(() => validateGateCsi({ kind: 'bogus' } as unknown as GateCsiSpec)).message).toContain('bogus');
  });
});

describe('parseRxCsi', () => {
  it.each<[string, RxCsiSpec]>([
    ['perfect', { kind: 'perfect' }],
    ['pilots:1', { kind: 'pilots', pilots: 1 }],
    ['pilots:8', { kind: 'pilots', pilots: 8 }],
  ])('%s', (text, spec) => {
    expect(parseRxCsi(text)).toEqual(spec);
    expect(parseRxCsi(formatRxCsi(spec))).toEqual(spec);
    expect(validateRxCsi(spec)).toEqual(spec);
  });

  it.each([['pilots:0', "'0'"], ['pilots:-2', "'-2'"], ['pilots:abc', "'abc'"]])('%s names the bad P', (text, value) => {
    const e = errorOf(() => parseRxCsi(text));
    expect(e.message).toContain(value);
    expect(e.message).toMatch(/^rx-csi/);
  });

  it.each(['stale:1', 'statistical', 'quantised:2', 'ideal', ''])('%j is not a receiver CSI', (text) => {
    const e = errorOf(() => parseRxCsi(text));
    expect(e.message).toContain(`'${text}'`);
    expect(e.message).toContain('perfect, pilots:P');
  });
});
