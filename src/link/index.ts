import { LINK_KINDS, type Link, type LinkKind } from './link.js';
import { InputError } from '../errors.js';
import { perfectLink } from './perfect.js';
import { analogLink, analogChannelUses, analogRepetitionLink } from './analog.js';
import { digitalLink, mcsLink, MCS_NOISE_TAG, type DigitalLink } from './digital.js';
import { DigitalCodec, type DigitalLinkOptions, type DigitalStats } from './digital_codec.js';

export { LINK_KINDS, type Link, type LinkKind };
export { analogChannelUses, analogRepetitionLink };
export { perfectLink, analogLink, digitalLink, mcsLink, MCS_NOISE_TAG, DigitalCodec, type DigitalLink, type DigitalLinkOptions, type DigitalStats };
export type { FlatVectorGains, DigitalTransmitResult } from './digital_codec.js';
export { parseGateCsi, formatGateCsi, validateGateCsi, GATE_CSI_KINDS, GateCsiEstimator, quantiseDb, type GateCsiSpec, type GateCsiOptions } from './csi/gate_csi.js';
export { parseRxCsi, formatRxCsi, validateRxCsi, RX_CSI_KINDS, RxCsiEstimator, type RxCsiSpec, type RxCsiEstimate } from './csi/rx_csi.js';
export { CSI_TAGS } from './csi/tags.js';
export { ChannelModel, awgnLinkBatch, type ChannelModelSpec, type ChannelModelOptions } from './channel_model.js';
export { channelModelSpecOf, isAwgnPerfectSettings, CHANNEL_SETTING_KEYS, CHANNEL_MODEL_TAG, type ChannelSettings } from './channel_settings.js';
export type { ChannelRealisation, GateKnowledge, ReceiverKnowledge, LinkBatch } from './link_batch.js';
export { loadPhyTable, parsePhyTable, PhyTable, PHY_TABLE_FORMAT, PHY_TABLE_VERSION, type PhyTableData, type PhyMcsCurve, type PhyPoint, type PhyDecoderSettings } from './adapt/bler_table.js';
export { McsPolicy, phyTableFor, type McsPolicySummary } from './adapt/policy.js';
export { Olla, OLLA_DEFAULTS, type OllaOptions } from './adapt/olla.js';

/** The digital link's defaults: 802.11n 648 R1/2, BPSK, 8-bit features, layered NMS. */
export const DEFAULT_DIGITAL: DigitalLinkOptions = { code: '80211n:648:1/2', modulation: 'bpsk', bits: 8 };

/** The link of a given kind (one-line error for an unknown kind or bad digital options). */
export function createLink(kind: string, digital: Partial<DigitalLinkOptions> = {}): Link {
  if (kind === 'perfect') return perfectLink;
  if (kind === 'analog') return analogLink;
  if (kind === 'digital') return digitalLink({ ...DEFAULT_DIGITAL, ...digital });
  throw new InputError(`unknown link '${kind}' (known: ${LINK_KINDS.join(', ')})`);
}
export { parseMcsPolicy, formatMcsPolicy, ADAPTIVE_MCS_DEFAULTS, type McsPolicySpec } from './adapt/mcs_policy_spec.js';
