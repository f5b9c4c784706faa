// A channel model as the texts of its flags (--channel, --coherence, --doppler, --csi, --rx-csi):
// JSON-safe, so a training config and a checkpoint record it as the user wrote it, and a resumed
// or evaluated run rebuilds the same ChannelModelSpec from it.
import { parseCoherence, parseDoppler, parseFadingChannel } from '../channel/fading/spec.js';
import { parseGateCsi } from './csi/gate_csi.js';
import { parseRxCsi } from './csi/rx_csi.js';
import { InputError } from '../errors.js';
import { ChannelModel, type ChannelModelSpec } from './channel_model.js';
import { deriveSeed } from '../random/hash.js';

/** The channel model's flag texts; each one absent takes its default (awgn, 1, independent blocks, perfect, perfect). */
export interface ChannelSettings {
  channel?: string;
  coherence?: string;
  doppler?: string;
  csi?: string;
  'rx-csi'?: string;
}

/** The keys of {@link ChannelSettings}. */
export const CHANNEL_SETTING_KEYS = ['channel', 'coherence', 'doppler', 'csi', 'rx-csi'] as const;

/** Purpose tag of a channel model's seed: deriveSeed(seed, CHANNEL_MODEL_TAG, 2) in stage 2, (…, 3) in evaluation. */
export const CHANNEL_MODEL_TAG = 0x43484d01;

/**
 * The ChannelModelSpec of `settings` (one-line InputError naming a bad value, or an unknown key:
 * a checkpoint's record is checked by the same function).
 */
export function channelModelSpecOf(settings: ChannelSettings = {}): ChannelModelSpec {
  if (settings === null || typeof settings !== 'object' || Array.isArray(settings)) throw new InputError(`channel settings must be an object, got ${JSON.stringify(settings)}`);
  for (const [key, value] of Object.entries(settings)) {
    if (!(CHANNEL_SETTING_KEYS as readonly string[]).includes(key)) throw new InputError(`unknown channel setting '${key}' (known: ${CHANNEL_SETTING_KEYS.join(', ')})`);
    if (value !== undefined && typeof value !== 'string') throw new InputError(`channel setting '${key}' must be a string, got ${JSON.stringify(value)}`);
  }
  const s = settings;
  return {
    fading: {
      channel: s.channel === undefined ? { kind: 'awgn' } : parseFadingChannel(s.channel),
      coherence: s.coherence === undefined ? 1 : parseCoherence(s.coherence),
      doppler: s.doppler === undefined ? null : parseDoppler(s.doppler),
    },
    csi: s.csi === undefined ? { kind: 'perfect' } : parseGateCsi(s.csi),
    rxCsi: s['rx-csi'] === undefined ? { kind: 'perfect' } : parseRxCsi(s['rx-csi']),
  };
}

/** True when `settings` give today's links: AWGN, perfect gate and receiver CSI (coherence and Doppler then change nothing). */
export function isAwgnPerfectSettings(settings: ChannelSettings = {}): boolean {
  const spec = channelModelSpecOf(settings);
  const k = spec.csi.kind;
  return spec.fading.channel.kind === 'awgn' && spec.rxCsi.kind === 'perfect' && (k === 'perfect' || k === 'stale' || k === 'statistical');
}

/**
 * The channel model of `settings` for K = `experts` links: `ChannelModel.awgn(K)` when absent, else
 * seeded deriveSeed(seed, CHANNEL_MODEL_TAG, purpose) (purpose 2: stage 2's training, 3: evaluation)
 * with `snrRange` (dB) for `csi: quantised:B`.
 */
export function channelModelFor(settings: ChannelSettings | undefined, experts: number, seed: number, purpose: 2 | 3, snrRange: readonly [number, number]): ChannelModel {
  if (settings === undefined) return ChannelModel.awgn(experts);
  return new ChannelModel(channelModelSpecOf(settings), experts, deriveSeed(seed, CHANNEL_MODEL_TAG, purpose), { snrRange });
}
