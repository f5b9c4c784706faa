// Purpose tags of the keyed random streams of the fading processes (see src/random/hash.ts).

/** Purpose tags of the keyed streams deriveSeed(seed, TAG, expert, …) of the fading processes. */
export const FADING_TAGS = Object.freeze({
  /** iid CN(0,1) blocks: deriveSeed(seed, IID, expert, chunk). */
  IID: 0x46414901,
  /** Jakes SoS parameters θ, φ, φ′: deriveSeed(seed, JAKES, expert). */
  JAKES: 0x46414902,
  /** AR(1) innovations (chunked as IID): deriveSeed(seed, AR1, expert, chunk). */
  AR1: 0x46414903,
  /** Rician LOS phase φ0: deriveSeed(seed, LOS, expert). */
  LOS: 0x46414904,
  /** Log-normal shadowing of a geometry's mean SNR: deriveSeed(seed, SHADOW, expert). */
  SHADOW: 0x46414905,
});
