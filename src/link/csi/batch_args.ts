// Argument checks and small numeric helpers shared by the gate and receiver CSI estimators.

/** Throws a RangeError unless h, meanSnrDb and the per-sample indices describe the same [n, K] batch; returns n. @internal */
export function checkBatch(
  who: string, experts: number, h: Float32Array, meanSnrDb: ArrayLike<number>, index: ArrayLike<number>, indexName: string,
): number {
  const n = index.length;
  if (h.length !== 2 * n * experts) throw new RangeError(`${who}: h has length ${h.length}, expected 2·${n}·${experts} = ${2 * n * experts}`);
  if (meanSnrDb.length !== n * experts) {
    throw new RangeError(`${who}: meanSnrDb has length ${meanSnrDb.length}, expected ${n}·${experts} = ${n * experts}`);
  }
  for (let b = 0; b < n; b++) {
    const j = index[b];
    if (!Number.isSafeInteger(j) || j < 0) throw new RangeError(`${who}: ${indexName} ${j} of sample ${b} is not an integer ≥ 0`);
  }
  for (let i = 0; i < meanSnrDb.length; i++) {
    if (Number.isNaN(meanSnrDb[i])) throw new RangeError(`${who}: mean SNR of pair ${i} is NaN`);
  }
  return n;
}

/** Linear noise variance N0 = 10^(−SNR̄/10) of a link with mean Es/N0 `meanSnrDb` (Es = 1); +∞ dB gives 0. @internal */
export function noiseVariance(meanSnrDb: number): number {
  return meanSnrDb === Infinity ? 0 : 10 ** (-meanSnrDb / 10);
}

/** |g|²·SNR̄ in dB from the power |g|² and SNR̄ in dB: +∞ if SNR̄ = +∞, −∞ if |g|² = 0 or SNR̄ = −∞, never NaN. @internal */
export function instantaneousSnrDb(power: number, meanSnrDb: number): number {
  if (meanSnrDb === Infinity) return Infinity;
  if (!(power > 0) || meanSnrDb === -Infinity) return -Infinity;
  return 10 * Math.log10(power) + meanSnrDb;
}
