import { LINK_KINDS, type Link, type LinkKind } from './link.js';
import { perfectLink } from './perfect.js';
import { analogLink } from './analog.js';

export { LINK_KINDS, type Link, type LinkKind };
export { perfectLink, analogLink };

/** The link of a given kind (one-line error for an unknown or unavailable kind). */
export function createLink(kind: string): Link {
  if (kind === 'perfect') return perfectLink;
  if (kind === 'analog') return analogLink;
  if (kind === 'digital') throw new Error(`link 'digital' is not available yet (known: perfect, analog)`);
  throw new Error(`unknown link '${kind}' (known: ${LINK_KINDS.join(', ')})`);
}
