// Channel flags: defaults, parsing into the owners' specs, the `--mcs adaptive[…]` grammar, the
// cross-flag rules of design §2.6, every bad-input message, and format → parse round trips.
import { describe, expect, it } from 'vitest';
import {
  CHANNEL_FLAGS,
  formatChannelFlags,
  formatMcsPolicy,
  parseChannelFlags,
  parseMcsPolicy,
  type ChannelFlagValues,
} from '../../src/cli/channel_flags.js';
import { GEOMETRY_DEFAULTS } from '../../src/channel/fading/geometry.js';
import { parseMcsSpec } from '../../src/codes/mcs/table.js';
import { expectInputError } from '../helpers/errors.js';

const table = (name: string) => parseMcsSpec(name).table;

describe('channel flags', () => {
  it('defaults: awgn, coherence 1, no Doppler, no geometry, csi perfect, rx-csi perfect, no MCS', () => {
    expect(parseChannelFlags({})).toEqual({
      fading: { channel: { kind: 'awgn' }, coherence: 1, doppler: null },
      geometry: null,
      csi: { kind: 'perfect' },
      rxCsi: { kind: 'perfect' },
      mcs: null,
    });
    expect(Object.keys(CHANNEL_FLAGS).sort()).toEqual(['channel', 'coherence', 'csi', 'doppler', 'geometry', 'mcs', 'rx-csi']);
  });

  it('parses each flag with its owner and ignores the command’s other flags', () => {
    const v: ChannelFlagValues = { channel: 'rician:6', coherence: '8', doppler: 'ar1:0.05', geometry: '1,3,10:shadow=4', csi: 'stale:2', 'rx-csi': 'pilots:4', mcs: 'nr:17', epochs: '3', seed: '1' };
    expect(parseChannelFlags(v, { experts: 3, link: 'digital' })).toEqual({
      fading: { channel: { kind: 'rician', kFactorDb: 6 }, coherence: 8, doppler: { model: 'ar1', f: 0.05 } },
      geometry: { distances: [1, 3, 10], ...GEOMETRY_DEFAULTS, shadowingDb: 4 },
      csi: { kind: 'stale', delay: 2 },
      rxCsi: { kind: 'pilots', pilots: 4 },
      mcs: { kind: 'fixed', table: table('nr'), index: 17 },
    });
    expect(parseChannelFlags({ doppler: '0.15', csi: 'quantised:2' }).fading.doppler).toEqual({ model: 'jakes', f: 0.15 });
  });

  it('--mcs adaptive: defaults bler 0.1 on 802.11n 1944; keys in any order; table names containing ":"', () => {
    expect(parseMcsPolicy('adaptive')).toEqual({ kind: 'adaptive', table: table('80211n:1944'), bler: 0.1, olla: false, outage: false });
    expect(parseMcsPolicy('adaptive:olla:table=80211n:648:bler=0.01:outage')).toEqual({ kind: 'adaptive', table: table('80211n:648'), bler: 0.01, olla: true, outage: true });
    expect(parseMcsPolicy('adaptive:table=nr:table1:olla')).toEqual({ kind: 'adaptive', table: table('nr'), bler: 0.1, olla: true, outage: false });
    expect(parseMcsPolicy('adaptive:table=nr')).toMatchObject({ table: { name: 'nr' } });
    expect(parseMcsPolicy('80211n:1944:5')).toEqual({ kind: 'fixed', table: table('80211n:1944'), index: 5 });
  });

  it('round trips: format → parse gives the spec back, and canonical flag text comes back unchanged', () => {
    const cases: ChannelFlagValues[] = [
      {},
      { channel: 'rayleigh', coherence: '4', doppler: '0.05', csi: 'pilots:1', 'rx-csi': 'pilots:4' },
      { channel: 'rician:inf', csi: 'statistical', geometry: '1,2.5:n=2:shadow=0:ref=-3@0.5', mcs: 'adaptive:bler=0.05:table=nr:olla:outage' },
      { channel: 'rician:-3.5', doppler: 'ar1:0.5', csi: 'quantised:16', geometry: '7,8,9,10:n=3.7:shadow=8:ref=25@1', mcs: '80211n:648:0' },
      { mcs: 'adaptive:bler=0.1:table=80211n:1296' },
    ];
    for (const v of cases) {
      const spec = parseChannelFlags(v, { link: 'digital' });
      const flags = formatChannelFlags(spec);
      expect(parseChannelFlags(flags, { link: 'digital' })).toEqual(spec);
      for (const [k, text] of Object.entries(v)) expect(flags[k as keyof typeof flags]).toBe(text);
    }
    expect(formatMcsPolicy(parseMcsPolicy('adaptive:outage'))).toBe('adaptive:bler=0.1:table=80211n:1944:outage');
  });
});

describe('channel flags: one-line errors naming the bad value (design §2.6)', () => {
  const cases: [ChannelFlagValues, string, { experts?: number; link?: 'perfect' | 'analog' | 'digital' }?][] = [
    [{ coherence: '0' }, "coherence '0' is not an integer ≥ 1"],
    [{ coherence: '2.5' }, "coherence '2.5' is not an integer ≥ 1"],
    [{ doppler: '0.6' }, "doppler '0.6': f = '0.6' is not a number in [0, 0.5]"],
    [{ doppler: 'ar1:-0.1' }, "doppler 'ar1:-0.1': f = '-0.1' is not a number in [0, 0.5]"],
    [{ csi: 'pilots:0' }, "csi 'pilots:0': P = '0' is not an integer ≥ 1 (pilots)"],
    [{ 'rx-csi': 'pilots:0' }, "rx-csi 'pilots:0': P = '0' is not an integer ≥ 1 (pilots)"],
    [{ 'rx-csi': 'pilots:1.5' }, "rx-csi 'pilots:1.5': P = '1.5' is not an integer ≥ 1 (pilots)"],
    [{ channel: 'rician:abc' }, "channel 'rician:abc': the Rician K-factor 'abc' is not a number (dB, or inf)"],
    [{ channel: 'nakagami' }, "channel 'nakagami' is not one of awgn, rayleigh, rician:K (K in dB)"],
    [{ csi: 'quantised:17' }, "csi 'quantised:17': B = '17' is not an integer in 1…16 (bits)"],
    [{ csi: 'quantised:0' }, "csi 'quantised:0': B = '0' is not an integer in 1…16 (bits)"],
    [{ csi: 'oracle' }, "csi 'oracle' is not one of perfect, pilots:P, stale:d, quantised:B, statistical"],
    [{ 'rx-csi': 'stale:1' }, "rx-csi 'stale:1' is not one of perfect, pilots:P"],
    [{ 'rx-csi': 'statistical' }, "rx-csi 'statistical' is not one of perfect, pilots:P"],
    [{ mcs: 'wifi:7' }, "unknown MCS spec 'wifi:7' (expected TABLE or TABLE:INDEX with TABLE one of 80211n:648, 80211n:1296, 80211n:1944, nr (or nr:table1))"],
    [{ mcs: '80211n:1944:9' }, "MCS spec '80211n:1944:9': MCS table '80211n:1944' has no index 9 (usable indices 0–7)"],
    [{ mcs: 'nr:29' }, "MCS spec 'nr:29': MCS index 29 is reserved in table 'nr' (usable indices 0–28)"],
    [{ mcs: '80211n:1944' }, "--mcs '80211n:1944' names a whole table: give 80211n:1944:I (one MCS) or adaptive:table=80211n:1944"],
    [{ mcs: 'adaptive:bler=0' }, "--mcs 'adaptive:bler=0': BLER target '0' is not a number in (0, 1)"],
    [{ mcs: 'adaptive:bler=1' }, "--mcs 'adaptive:bler=1': BLER target '1' is not a number in (0, 1)"],
    [{ mcs: 'adaptive:bler=abc' }, "--mcs 'adaptive:bler=abc': BLER target 'abc' is not a number in (0, 1)"],
    [{ mcs: 'adaptive:table=wifi' }, "--mcs 'adaptive:table=wifi': unknown MCS spec 'wifi' (expected TABLE or TABLE:INDEX with TABLE one of 80211n:648, 80211n:1296, 80211n:1944, nr (or nr:table1))"],
    [{ mcs: 'adaptive:table=nr:5' }, "--mcs 'adaptive:table=nr:5': table 'nr:5' names one MCS, not a table (drop ':5')"],
    [{ mcs: 'adaptive:fast' }, "--mcs 'adaptive:fast': unknown key 'fast' (expected adaptive[:bler=0.1][:table=80211n:1944|80211n:648|80211n:1296|nr][:olla][:outage])"],
    [{ mcs: 'adaptive:olla:olla' }, "--mcs 'adaptive:olla:olla': key 'olla' given twice"],
    [{ mcs: 'nr:5' }, "--mcs 'nr:5' needs --link digital (the link is analog)", { link: 'analog' }],
    [{ mcs: 'adaptive' }, "--mcs 'adaptive' needs --link digital (the link is perfect)", { link: 'perfect' }],
    [{ mcs: 'nr:5', code: '80211n:648:1/2' }, "--mcs 'nr:5' chooses the code and modulation: drop --code (or --mcs)", { link: 'digital' }],
    [{ mcs: 'adaptive', modulation: 'qpsk' }, "--mcs 'adaptive' chooses the code and modulation: drop --modulation (or --mcs)"],
    [{ geometry: '1,2,3' }, "geometry '1,2,3' gives 3 distances for 4 experts", { experts: 4 }],
    [{ geometry: '1,0,3' }, "geometry '1,0,3': distance '0' is not a positive number"],
    [{ geometry: '1,2:k=3' }, "geometry '1,2:k=3': unknown key 'k=3' (expected D1,…,DK[:n=3][:shadow=σ][:ref=S@D0])"],
    [{ geometry: '1,2', 'snr-db': '0,10' }, '--geometry gives the mean SNRs: drop --snr-db (or --geometry)'],
    [{ geometry: '1,2', 'snr-range': '-10:20' }, '--geometry gives the mean SNRs: drop --snr-range (or --geometry)'],
  ];
  it.each(cases)('%j', (v, message, ctx) => {
    expectInputError(() => parseChannelFlags(v, ctx), message);
    expect(message).not.toContain('\n');
  });

  it('accepts --mcs on a digital link and --geometry with exactly K distances', () => {
    expect(parseChannelFlags({ mcs: 'nr:5', geometry: '1,2,3,4' }, { link: 'digital', experts: 4 }).mcs).toMatchObject({ kind: 'fixed', index: 5 });
  });
});
