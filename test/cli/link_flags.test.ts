import { describe, expect, it } from 'vitest';
import { chooseLink, digitalOptionsFromFlags, linkFromFlags } from '../../src/cli/link_flags.js';
import type { DigitalLink } from '../../src/link/index.js';
import type { LinkRecord } from '../../src/train/checkpoint.js';
import { InputError } from '../../src/errors.js';
import { expectInputError } from '../helpers/errors.js';

const TRAINED: LinkRecord = { kind: 'digital', code: '80211n:648:3/4', modulation: 'qpsk', bits: 6, decoder: { algorithm: 'oms', iterations: 7 } };

describe('link flags', () => {
  it('without --link the fallback record is the link, each flag given overriding one option', () => {
    const { link, source } = chooseLink({}, TRAINED);
    expect(source).toBe('default');
    expect((link as DigitalLink).codec.options).toEqual({ code: '80211n:648:3/4', modulation: 'qpsk', bits: 6, decoder: { algorithm: 'oms', iterations: 7 } });
    const bits4 = chooseLink({ bits: '4' }, TRAINED).link as DigitalLink;
    expect(bits4.codec.options).toEqual({ code: '80211n:648:3/4', modulation: 'qpsk', bits: 4, decoder: { algorithm: 'oms', iterations: 7 } });
  });

  it('--link overrides the fallback kind; digital options then still default to a digital record', () => {
    expect(chooseLink({ link: 'analog' }, TRAINED)).toMatchObject({ link: { kind: 'analog' }, source: 'flag' });
    const d = chooseLink({ link: 'digital' }, { kind: 'analog' }).link as DigitalLink;
    expect(d.codec.options).toEqual({ code: '80211n:648:1/2', modulation: 'bpsk', bits: 8, decoder: { algorithm: 'nms', iterations: 10 } });
  });

  it('a digital-only flag on another link is an InputError saying where the link came from', () => {
    expectInputError(() => chooseLink({ decoder: 'spa' }, { kind: 'analog' }, "the checkpoint's stage-2 link"), "--decoder needs --link digital (without --link the link is analog, the checkpoint's stage-2 link)");
    expectInputError(() => linkFromFlags({ link: 'analog', bits: '4' }, 'analog'), '--bits needs --link digital');
  });

  it('digital options are bounded: bits 1…16, iterations 1…1000', () => {
    expectInputError(() => digitalOptionsFromFlags({ bits: '0' }), "--bits '0' must be an integer in [1, 16]");
    expectInputError(() => digitalOptionsFromFlags({ iterations: '1001' }), "--iterations '1001' must be an integer in [1, 1000]");
  });
});
