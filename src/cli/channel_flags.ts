// The channel flags of train / eval / demo (`ber` takes the fading ones and --rx-csi): the flag table
// and one parser turning their strings into a validated ChannelFlagSpec, with the cross-flag rules.
// Each value is parsed by its owner (fading spec.ts, geometry.ts, csi/gate_csi.ts, csi/rx_csi.ts,
// codes/mcs/table.ts); this file adds the `--mcs adaptive[…]` grammar and the rules between flags,
// and turns the flags into the channel-model texts a training config records (ChannelSettings).
import { parseCoherence, parseDoppler, parseFadingChannel, type FadingSpec } from '../channel/fading/spec.js';
import { parseGeometry, type GeometrySpec } from '../channel/fading/geometry.js';
import { formatGateCsi, parseGateCsi, type GateCsiSpec } from '../link/csi/gate_csi.js';
import { formatRxCsi, parseRxCsi, type RxCsiSpec } from '../link/csi/rx_csi.js';
import type { LinkKind } from '../link/link.js';
import { formatMcsPolicy, parseMcsPolicy, type McsPolicySpec } from '../link/adapt/mcs_policy_spec.js';

export { ADAPTIVE_MCS_DEFAULTS, formatMcsPolicy, parseMcsPolicy, type McsPolicySpec } from '../link/adapt/mcs_policy_spec.js';
import { CHANNEL_SETTING_KEYS, channelModelSpecOf, type ChannelSettings } from '../link/channel_settings.js';
import { InputError } from '../errors.js';

/** The channel flags (node:util parseArgs options). */
export const CHANNEL_FLAGS = {
  channel: { type: 'string' },
  coherence: { type: 'string' },
  doppler: { type: 'string' },
  geometry: { type: 'string' },
  csi: { type: 'string' },
  'rx-csi': { type: 'string' },
  mcs: { type: 'string' },
} as const;

/** The channel flags `wmoe ber` takes. */
export const BER_CHANNEL_FLAGS = ['channel', 'coherence', 'doppler', 'rx-csi'] as const;

/** Usage lines of the channel flags, for --help. */
export const CHANNEL_FLAGS_HELP: readonly string[] = [
  '--channel awgn|rayleigh|rician:K     fading of every expert link (K-factor in dB, or inf); default awgn',
  '--coherence N                        samples per fading block, integer ≥ 1; default 1',
  '--doppler f | ar1:f                  time correlation of blocks, 0 ≤ f ≤ 0.5 (Jakes, or AR(1) ρ = J0(2πf)); default: independent blocks',
  '--geometry D1,…,DK[:n=3][:shadow=σ][:ref=25@1]   mean SNRs S − 10n·log10(Dk/D0) + σ·N(0,1) dB; excludes --snr-db/--snr-range',
  '--csi perfect|pilots:P|stale:d|quantised:B|statistical   what the gate knows; default perfect (awgn: stale = statistical = perfect)',
  '--rx-csi perfect|pilots:P            what each receiver knows; default perfect',
  '--mcs TABLE:I | adaptive[:bler=0.1][:table=80211n:1944][:olla][:outage]   digital link only; replaces --code/--modulation',
];

/** The parsed channel flags. */
export interface ChannelFlagSpec {
  fading: FadingSpec;
  /** Mean SNRs from a geometry, or null (the SNR flags give them). */
  geometry: GeometrySpec | null;
  csi: GateCsiSpec;
  rxCsi: RxCsiSpec;
  /** null: no MCS (the digital link's --code/--modulation). */
  mcs: McsPolicySpec | null;
}

/** What the cross-flag rules need to know besides the flag values. */
export interface ChannelFlagContext {
  /** Number of experts K (geometry must give K distances). */
  experts?: number;
  /** The link kind in effect (--mcs needs a digital link). */
  link?: LinkKind;
}

/** Flag values as parseArgs gives them; other flags of the command may be present too. */
export type ChannelFlagValues = Partial<Record<keyof typeof CHANNEL_FLAGS, string>> & Record<string, unknown>;

/**
 * Parses and validates the channel flags of `v` (absent: awgn, coherence 1, no Doppler, no geometry,
 * csi perfect, rx-csi perfect, no MCS) and checks them against the other flags of `v` (--snr-db,
 * --snr-range, --code, --modulation) and `ctx`. One-line InputError naming the bad value.
 */
export function parseChannelFlags(v: ChannelFlagValues, ctx: ChannelFlagContext = {}): ChannelFlagSpec {
  const fading: FadingSpec = {
    channel: v.channel === undefined ? { kind: 'awgn' } : parseFadingChannel(v.channel),
    coherence: v.coherence === undefined ? 1 : parseCoherence(v.coherence),
    doppler: v.doppler === undefined ? null : parseDoppler(v.doppler),
  };
  let geometry: GeometrySpec | null = null;
  if (v.geometry !== undefined) {
    const snrFlag = (['snr-db', 'snr-range'] as const).find((f) => v[f] !== undefined);
    if (snrFlag) throw new InputError(`--geometry gives the mean SNRs: drop --${snrFlag} (or --geometry)`);
    geometry = parseGeometry(v.geometry, ctx.experts);
  }
  const csi = v.csi === undefined ? ({ kind: 'perfect' } as const) : parseGateCsi(v.csi);
  const rxCsi = v['rx-csi'] === undefined ? ({ kind: 'perfect' } as const) : parseRxCsi(v['rx-csi']);
  let mcs: McsPolicySpec | null = null;
  if (v.mcs !== undefined) {
    if (ctx.link !== undefined && ctx.link !== 'digital') throw new InputError(`--mcs '${v.mcs}' needs --link digital (the link is ${ctx.link})`);
    const codeFlag = (['code', 'modulation'] as const).find((f) => v[f] !== undefined);
    if (codeFlag) throw new InputError(`--mcs '${v.mcs}' chooses the code and modulation: drop --${codeFlag} (or --mcs)`);
    mcs = parseMcsPolicy(v.mcs);
  }
  return { fading, geometry, csi, rxCsi, mcs };
}

/** The flag text of a geometry (inverse of parseGeometry). */
export function formatGeometry(g: GeometrySpec): string {
  return `${g.distances.join(',')}:n=${g.pathLossExponent}:shadow=${g.shadowingDb}:ref=${g.refSnrDb}@${g.refDistance}`;
}

/** The flag values that give `spec` back through parseChannelFlags (every flag spelled out). */
export function formatChannelFlags(spec: ChannelFlagSpec): Partial<Record<keyof typeof CHANNEL_FLAGS, string>> {
  const c = spec.fading.channel;
  const d = spec.fading.doppler;
  const out: Partial<Record<keyof typeof CHANNEL_FLAGS, string>> = {
    channel: c.kind === 'rician' ? `rician:${c.kFactorDb === Infinity ? 'inf' : c.kFactorDb}` : c.kind,
    coherence: String(spec.fading.coherence),
    csi: formatGateCsi(spec.csi),
    'rx-csi': formatRxCsi(spec.rxCsi),
  };
  if (d) out.doppler = d.model === 'ar1' ? `ar1:${d.f}` : String(d.f);
  if (spec.geometry) out.geometry = formatGeometry(spec.geometry);
  if (spec.mcs) out.mcs = formatMcsPolicy(spec.mcs);
  return out;
}

/**
 * The channel-model texts (--channel, --coherence, --doppler, --csi, --rx-csi) of the flags given
 * in `v`, each in its canonical form (formatChannelFlags of the parsed `spec`); undefined when none
 * of them is given, so that a run without channel flags keeps a config without `channel`.
 */
export function channelSettingsOf(v: ChannelFlagValues, spec: ChannelFlagSpec): ChannelSettings | undefined {
  const texts = formatChannelFlags(spec);
  const given = CHANNEL_SETTING_KEYS.filter((k) => v[k] !== undefined);
  if (given.length === 0) return undefined;
  return Object.fromEntries(given.map((k) => [k, texts[k]])) as ChannelSettings;
}

/** Where a channel setting of an evaluation came from. */
export type ChannelSettingSource = 'flag' | 'checkpoint' | 'default';

/** The channel model of an evaluation: recorded settings with the flags given over them. */
export interface EffectiveChannel {
  /** What to evaluate under (undefined: nothing recorded, no flag: AWGN with perfect CSI, as before). */
  settings: ChannelSettings | undefined;
  /** Each setting's text (doppler null: independent blocks) and its source. */
  report: Record<(typeof CHANNEL_SETTING_KEYS)[number], string | null> & { source: Record<(typeof CHANNEL_SETTING_KEYS)[number], ChannelSettingSource> };
}

/** The text of each setting left at its default (doppler null: independent blocks). */
const SETTING_DEFAULTS: Record<(typeof CHANNEL_SETTING_KEYS)[number], string | null> = { channel: 'awgn', coherence: '1', doppler: null, csi: 'perfect', 'rx-csi': 'perfect' };

/**
 * The channel an evaluation runs under: each setting from its flag when given (canonical text),
 * else from `recorded` (a checkpoint's training config), else the default. `where` names the
 * recorded settings in the one-line error for a bad record.
 */
export function effectiveChannel(v: ChannelFlagValues, spec: ChannelFlagSpec, recorded: unknown, where: string): EffectiveChannel {
  if (recorded !== undefined) {
    try {
      channelModelSpecOf(recorded as ChannelSettings);
    } catch (e) {
      throw new InputError(`${where}: ${(e as Error).message}`);
    }
  }
  const rec = (recorded ?? {}) as ChannelSettings;
  const flags = channelSettingsOf(v, spec) ?? {};
  const settings: ChannelSettings = { ...rec, ...flags };
  const texts = {} as Record<(typeof CHANNEL_SETTING_KEYS)[number], string | null>;
  const source = {} as EffectiveChannel['report']['source'];
  for (const k of CHANNEL_SETTING_KEYS) {
    texts[k] = settings[k] ?? SETTING_DEFAULTS[k];
    source[k] = flags[k] !== undefined ? 'flag' : rec[k] !== undefined ? 'checkpoint' : 'default';
  }
  return { settings: Object.keys(settings).length > 0 ? settings : undefined, report: { ...texts, source } };
}
