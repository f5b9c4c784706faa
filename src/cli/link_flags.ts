import { createLink, DEFAULT_DIGITAL, LINK_KINDS, type Link } from '../link/index.js';
import { parseChoice, parseIntFlag } from './args.js';

/** Flags that choose a downlink: `--link perfect|analog|digital` and the digital link's options. */
export const LINK_FLAGS = {
  link: { type: 'string' },
  code: { type: 'string' },
  modulation: { type: 'string' },
  bits: { type: 'string' },
  decoder: { type: 'string' },
  iterations: { type: 'string' },
} as const;

type Flags = Partial<Record<keyof typeof LINK_FLAGS, string>>;

/** Builds (and so validates) the link the flags describe; `fallback` is the default kind. */
export function linkFromFlags(v: Flags, fallback: 'perfect' | 'analog' | 'digital'): Link {
  const kind = parseChoice('link', v.link, LINK_KINDS, fallback);
  const digitalOnly = (['code', 'modulation', 'bits', 'decoder', 'iterations'] as const).filter((k) => v[k] !== undefined);
  if (kind !== 'digital' && digitalOnly.length > 0) throw new Error(`--${digitalOnly[0]} needs --link digital`);
  return createLink(kind, {
    code: v.code ?? DEFAULT_DIGITAL.code,
    modulation: parseChoice('modulation', v.modulation, ['bpsk', 'qpsk', '16qam'] as const, DEFAULT_DIGITAL.modulation),
    bits: parseIntFlag('bits', v.bits, DEFAULT_DIGITAL.bits, 0),
    decoder: {
      algorithm: parseChoice('decoder', v.decoder, ['nms', 'oms', 'spa'] as const, 'nms'),
      iterations: parseIntFlag('iterations', v.iterations, 10, 1),
    },
  });
}
