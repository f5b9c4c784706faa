import { createLink, DEFAULT_DIGITAL, LINK_KINDS, mcsLink, type DigitalLinkOptions, type Link, type LinkKind } from '../link/index.js';
import { parseMcsPolicy } from './channel_flags.js';
import type { LinkRecord } from '../train/checkpoint.js';
import { InputError } from '../errors.js';
import { parseChoice, parseIntFlag } from './args.js';

/**
 * Flags that choose a downlink: `--link perfect|analog|digital` and the digital link's options
 * (`--bits` 1…16 and `--iterations` 1…1000, bounded in args.ts's INT_FLAG_MAX).
 */
export const LINK_FLAGS = {
  link: { type: 'string' },
  code: { type: 'string' },
  modulation: { type: 'string' },
  bits: { type: 'string' },
  decoder: { type: 'string' },
  iterations: { type: 'string' },
} as const;

/** The flags that only a digital link takes. */
export const DIGITAL_ONLY_FLAGS = ['code', 'modulation', 'bits', 'decoder', 'iterations'] as const;

type Flags = Partial<Record<keyof typeof LINK_FLAGS | 'mcs', string>>;

/** The digital defaults: 802.11n 648 R1/2, BPSK, 8 bits, layered NMS with 10 iterations. */
const DIGITAL_DEFAULTS: Required<Pick<DigitalLinkOptions, 'code' | 'modulation' | 'bits'>> & { decoder: { algorithm: 'nms' | 'oms' | 'spa'; iterations: number } } = {
  ...DEFAULT_DIGITAL,
  decoder: { algorithm: 'nms', iterations: 10 },
};

/**
 * The digital link options the flags give; each option not given comes from `base` (the
 * built-in defaults unless, say, a checkpoint's record). `code` may be fixed by the caller.
 */
export function digitalOptionsFromFlags(v: Flags, base: Omit<Extract<LinkRecord, { kind: 'digital' }>, 'kind'> = DIGITAL_DEFAULTS): DigitalLinkOptions {
  return {
    code: v.code ?? base.code,
    modulation: parseChoice('modulation', v.modulation, ['bpsk', 'qpsk', '16qam', '64qam'] as const, base.modulation),
    bits: parseIntFlag('bits', v.bits, base.bits, 1),
    decoder: {
      algorithm: parseChoice('decoder', v.decoder, ['nms', 'oms', 'spa'] as const, base.decoder.algorithm),
      iterations: parseIntFlag('iterations', v.iterations, base.decoder.iterations, 1),
    },
  };
}

/** The link the flags describe, and where its kind came from. */
export interface ChosenLink {
  link: Link;
  /** 'flag': --link; 'default': the caller's default (e.g. a checkpoint's stage-2 link). */
  source: 'flag' | 'default';
}

/**
 * Builds (and so validates) the link the flags describe. Without --link the link is
 * `fallback` (a kind, or a checkpoint's link record, described in errors as `fallbackNote`);
 * digital options not given come from the fallback when it is digital too, else from the
 * built-in defaults. A digital-only flag (or --mcs) on a non-digital link is an InputError.
 * With --mcs (or a recorded MCS policy, unless --code or --modulation is given) the digital link
 * takes its code and modulation from the MCS policy (mcsLink), with --bits and the decoder flags.
 */
export function chooseLink(v: Flags, fallback: LinkKind | LinkRecord, fallbackNote = 'the default'): ChosenLink {
  const record: LinkRecord = typeof fallback === 'string' ? ({ kind: fallback } as LinkRecord) : fallback;
  const kind = parseChoice('link', v.link, LINK_KINDS, record.kind);
  const digitalOnly = DIGITAL_ONLY_FLAGS.filter((k) => v[k] !== undefined);
  if (kind !== 'digital' && v.mcs !== undefined) {
    throw new InputError(`--mcs '${v.mcs}' needs --link digital (the link is ${kind}${v.link === undefined ? `, ${fallbackNote}` : ''})`);
  }
  if (kind !== 'digital' && digitalOnly.length > 0) {
    const why = v.link === undefined ? ` (without --link the link is ${kind}, ${fallbackNote})` : '';
    throw new InputError(`--${digitalOnly[0]} needs --link digital${why}`);
  }
  const base = record.kind === 'digital' ? record : DIGITAL_DEFAULTS;
  const source = v.link === undefined ? 'default' : 'flag';
  const codeFlag = (['code', 'modulation'] as const).find((f) => v[f] !== undefined);
  if (v.mcs !== undefined && codeFlag) throw new InputError(`--mcs '${v.mcs}' chooses the code and modulation: drop --${codeFlag} (or --mcs)`);
  const mcs = kind !== 'digital' ? undefined : (v.mcs ?? (record.kind === 'digital' && !codeFlag ? record.mcs : undefined));
  if (mcs !== undefined) {
    const { bits, decoder } = digitalOptionsFromFlags(v, base);
    return { link: mcsLink(parseMcsPolicy(mcs), { bits, decoder }), source };
  }
  return { link: createLink(kind, kind === 'digital' ? digitalOptionsFromFlags(v, base) : {}), source };
}

/** Builds (and so validates) the link the flags describe; `fallback` is the kind without --link. */
export function linkFromFlags(v: Flags, fallback: LinkKind): Link {
  return chooseLink(v, fallback).link;
}
