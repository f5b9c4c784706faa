// One batch of transmissions over the expert links, as three separate things: what the channel
// did (ChannelRealisation), what the server's gate knows (GateKnowledge) and what each expert's
// receiver knows when it equalises (ReceiverKnowledge). The gate never sees the true gains.
//
// Shapes: B samples, K experts; per-pair arrays are row-major [B·K] (pair i = b·K + k); complex
// arrays interleave re, im ([B·K·2], pair i at 2i, 2i + 1). SNRs are Es/N0 in dB per complex
// channel use (Es = 1, src/link/snr.ts); N0 = 10^(−SNR̄/10) linear.

/** What nature did to a batch: mean SNRs, true gains, block and slot indices, the data-noise seed. */
export interface ChannelRealisation {
  /** Samples B. */
  readonly batch: number;
  /** Experts (links) K. */
  readonly experts: number;
  /** Mean SNR SNR̄ of each link, dB [B·K]; +∞ = perfect link. */
  readonly meanSnrDb: Float32Array;
  /** True complex gain h, interleaved re/im [B·K·2], E|h|² = 1 (awgn: exactly 1 + 0j). */
  readonly h: Float32Array;
  /** False when every h is exactly 1 + 0j (an AWGN channel). */
  readonly faded: boolean;
  /** Slot (time) index of sample 0; sample b is at slot slot0 + b. */
  readonly slot0: number;
  /** Fading block index j = ⌊(slot0 + b)/N⌋ of each sample [B] (N = coherence). */
  readonly block: Int32Array;
  /** Seed of this batch's data noise (the seed links take today), an integer in [0, 2^31). */
  readonly noiseSeed: number;
}

/** What the server's gate knows: only an SNR per link, never a gain. */
export interface GateKnowledge {
  /** The gate's estimated instantaneous SNR |ĥ|²·SNR̄, dB [B·K] (+∞ perfect link; −∞ if ĥ = 0). */
  readonly snrDb: Float32Array;
}

/** What each expert's receiver knows about its own channel when it equalises. */
export interface ReceiverKnowledge {
  /** Channel estimate ĥ, interleaved re/im [B·K·2] (= h for perfect CSI). */
  readonly hHat: Float32Array;
  /** Error variance σe² of ĥ, linear [B·K] (0 for perfect CSI, N0/P for pilots:P). */
  readonly errVar: Float32Array;
  /** Channel uses per transmission spent on receiver pilots (P for pilots:P, 0 for perfect). */
  readonly pilotUses: number;
  /** True for perfect receiver CSI (ĥ = h, σe² = 0). */
  readonly perfect: boolean;
}

/** A batch of B samples over K expert links: the channel, the gate's view and the receivers' view. */
export interface LinkBatch {
  readonly channel: ChannelRealisation;
  readonly gate: GateKnowledge;
  readonly rx: ReceiverKnowledge;
  /** Per pair [B·K]: 0 = link in outage (adaptive MCS with :outage), 1 = usable. Absent: all usable. */
  readonly available?: Uint8Array;
}
