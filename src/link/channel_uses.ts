import { fail } from '../errors.js';

/** Mean and 95th percentile of the channel uses per sample (see {@link ChannelUseTally.summary}). */
export interface ChannelUseSummary {
  /** Mean over samples of the channel uses summed over each sample's chosen experts. */
  mean: number;
  /** Nearest-rank 95th percentile of the same per-sample totals: the ⌈0.95·n⌉-th smallest. */
  p95: number;
  /** Samples tallied, n. */
  samples: number;
}

/**
 * Channel uses per sample, accumulated over batches: each sample's total is the sum of the
 * channel uses (complex symbols, pilots included, as the links count them) of the (sample,
 * expert) pairs it was routed to. The totals are kept in sample order, in float64 (exact for
 * the integer counts the links give, up to 2⁵³), so the summary does not depend on how the
 * samples were split into batches.
 */
export class ChannelUseTally {
  private totals = new Float64Array(1024);
  private count = 0;

  /**
   * Adds one batch. `uses`: [batch·experts] channel uses of each (sample, expert) pair, row-major
   * by sample; `mask`: [batch·experts], 1 where the sample chose that expert, 0 where not. Only
   * chosen pairs count, and their uses must be finite and ≥ 0; a sample with no chosen expert
   * (every link in outage) adds a total of 0.
   */
  add(uses: Float32Array, mask: Float32Array | Uint8Array, batch: number, experts: number): void {
    if (!Number.isInteger(batch) || batch < 0) fail(`channel-use tally: batch must be an integer ≥ 0, got ${batch}`);
    if (!Number.isInteger(experts) || experts < 1) fail(`channel-use tally: experts must be an integer ≥ 1, got ${experts}`);
    const size = batch * experts;
    if (uses.length !== size) fail(`channel-use tally: uses has ${uses.length} values, expected batch·experts = ${size}`);
    if (mask.length !== size) fail(`channel-use tally: mask has ${mask.length} values, expected batch·experts = ${size}`);
    const sums = new Float64Array(batch);
    for (let i = 0; i < size; i++) {
      const m = mask[i];
      if (m === 0) continue;
      if (m !== 1) fail(`channel-use tally: mask value ${m} at ${i} is neither 0 nor 1`);
      const u = uses[i];
      if (!(u >= 0) || !Number.isFinite(u)) fail(`channel-use tally: uses value ${u} at ${i} of a chosen pair is not a finite number ≥ 0`);
      sums[Math.floor(i / experts)] += u;
    }
    this.reserve(this.count + batch);
    this.totals.set(sums, this.count);
    this.count += batch;
  }

  /** Samples tallied so far. */
  get samples(): number {
    return this.count;
  }

  /**
   * The mean and the 95th percentile of the per-sample totals, in channel uses per sample. The
   * percentile is the nearest-rank one: the ⌈0.95·n⌉-th smallest of the n totals (so always one
   * of the totals; for n = 1 the total itself). With no samples, mean and p95 are NaN.
   */
  summary(): ChannelUseSummary {
    const n = this.count;
    if (n === 0) return { mean: NaN, p95: NaN, samples: 0 };
    const totals = this.totals.subarray(0, n);
    let sum = 0;
    for (let i = 0; i < n; i++) sum += totals[i];
    const sorted = totals.slice().sort();
    // ⌈95n/100⌉ in integers: 0.95·n in floating point can land just above an integer.
    const rank = Math.floor((95 * n + 99) / 100);
    return { mean: sum / n, p95: sorted[rank - 1], samples: n };
  }

  /** Grows the storage to hold at least `needed` totals (doubling). */
  private reserve(needed: number): void {
    if (needed <= this.totals.length) return;
    let size = this.totals.length;
    while (size < needed) size *= 2;
    const grown = new Float64Array(size);
    grown.set(this.totals.subarray(0, this.count));
    this.totals = grown;
  }
}
