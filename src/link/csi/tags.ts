// Purpose tags of the keyed random streams of the CSI estimators (see src/random/hash.ts).

/** Purpose tags of the keyed streams deriveSeed(seed, TAG, expert, chunk) of the pilot noise. */
export const CSI_TAGS = Object.freeze({
  /** Gate pilot noise, one CN(0,1) per (expert, block): deriveSeed(seed, GATE_PILOT, expert, ⌊j/4096⌋). */
  GATE_PILOT: 0x43534901,
  /** Receiver pilot noise, one CN(0,1) per (expert, slot): deriveSeed(seed, RX_PILOT, expert, ⌊i/4096⌋). */
  RX_PILOT: 0x43534902,
});
