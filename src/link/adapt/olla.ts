/**
 * Outer-loop link adaptation (OLLA): one SNR offset Δ_k (dB) per expert link k, added to the gate's
 * SNR estimate by the inner loop (src/link/adapt/policy.ts). After each codeword of link k is
 * decoded, in time order: NACK (the codeword has an information-bit error) Δ_k −= s_down; ACK
 * Δ_k += s_up; then Δ_k is clipped to [−maxOffsetDb, +maxOffsetDb] (srsRAN `olla_cqi_inc`,
 * `olla_max_cqi_offset`; eOLLA, EURASIP JWCN 2016:20).
 *
 * Steady state: Δ stops drifting when its expected step is zero, p·s_down = (1 − p)·s_up for the
 * codeword error probability p, so the choice s_up = s_down·t/(1 − t) makes the achieved BLER the
 * target t, whatever bias the SNR estimate has (Δ settles near minus that bias). Exactly, without
 * clipping: after N codewords with E errors, Δ_N − Δ_0 = (N − E)·s_up − E·s_down, so
 * E/N = t − (Δ_N − Δ_0)·(1 − t)/(N·s_down): the achieved BLER is within 2·maxOffsetDb·(1 − t)/(N·s_down)
 * of t (0.0036 for N = 10 000 at the defaults and t = 0.1). s_down sets the speed against the ripple
 * of Δ. Nothing here imports tfjs.
 */
import { InputError } from '../../errors.js';

/** OLLA settings. */
export interface OllaOptions {
  /** BLER target t in (0, 1). */
  target: number;
  /** NACK step s_down in dB, > 0; default {@link OLLA_DEFAULTS}.stepDownDb (0.5). */
  stepDownDb?: number;
  /** Bound on |Δ| in dB, > 0; default {@link OLLA_DEFAULTS}.maxOffsetDb (10). */
  maxOffsetDb?: number;
}

/** Codewords' worth of steps one batch update makes at most (see Olla.updateBatch). */
export const OLLA_BATCH_WEIGHT = 10;

/** Default OLLA steps: s_down = 0.5 dB, |Δ| ≤ 10 dB. */
export const OLLA_DEFAULTS = Object.freeze({ stepDownDb: 0.5, maxOffsetDb: 10 });

/** OLLA state of `experts` links (all offsets start at 0 dB). */
export class Olla {
  readonly target: number;
  /** NACK step s_down (dB). */
  readonly stepDownDb: number;
  /** ACK step s_up = s_down·t/(1 − t) (dB). */
  readonly stepUpDb: number;
  readonly maxOffsetDb: number;
  private readonly delta: Float64Array;

  constructor(readonly experts: number, options: OllaOptions) {
    if (!Number.isSafeInteger(experts) || experts < 1) throw new InputError(`OLLA needs at least one link, got experts = ${String(experts)}`);
    const { target, stepDownDb = OLLA_DEFAULTS.stepDownDb, maxOffsetDb = OLLA_DEFAULTS.maxOffsetDb } = options;
    if (typeof target !== 'number' || !(target > 0 && target < 1)) throw new InputError(`OLLA BLER target ${String(target)} is outside (0, 1)`);
    if (typeof stepDownDb !== 'number' || !(stepDownDb > 0 && stepDownDb < Infinity)) throw new InputError(`OLLA step ${String(stepDownDb)} dB is not a positive number`);
    if (typeof maxOffsetDb !== 'number' || !(maxOffsetDb > 0 && maxOffsetDb < Infinity)) throw new InputError(`OLLA offset bound ${String(maxOffsetDb)} dB is not a positive number`);
    this.target = target;
    this.stepDownDb = stepDownDb;
    this.stepUpDb = (stepDownDb * target) / (1 - target);
    this.maxOffsetDb = maxOffsetDb;
    this.delta = new Float64Array(experts);
  }

  /** The offset Δ_k (dB) of link `expert`. */
  offsetDb(expert: number): number {
    return this.delta[this.check(expert)];
  }

  /** A copy of every offset Δ_0…Δ_{K−1} (dB). */
  offsetsDb(): Float64Array {
    return this.delta.slice();
  }

  /**
   * Feedback of one transmission on link `expert`, in codeword order. `errors` is either one flag per
   * codeword (truthy = NACK), applied one codeword at a time, or the number of failed codewords
   * among `codewords` (all sent with one MCS), applied as the net step acks·s_up − errors·s_down
   * and then clipped (the same as codeword order unless the bound is reached inside the transmission).
   */
  update(expert: number, codewords: number, errors: number | ArrayLike<number | boolean>): void {
    const k = this.check(expert);
    if (!Number.isSafeInteger(codewords) || codewords < 0) throw new InputError(`OLLA feedback: codewords = ${String(codewords)} is not a count`);
    const bound = this.maxOffsetDb;
    const clip = (x: number): number => Math.min(bound, Math.max(-bound, x));
    if (typeof errors === 'number') {
      if (!Number.isSafeInteger(errors) || errors < 0 || errors > codewords) {
        throw new InputError(`OLLA feedback: ${String(errors)} codeword errors is not a count ≤ codewords = ${codewords}`);
      }
      this.delta[k] = clip(this.delta[k] + (codewords - errors) * this.stepUpDb - errors * this.stepDownDb);
      return;
    }
    if (errors.length !== codewords) throw new InputError(`OLLA feedback: ${errors.length} codeword flags for ${codewords} codewords`);
    let d = this.delta[k];
    for (let i = 0; i < codewords; i++) d = clip(errors[i] ? d - this.stepDownDb : d + this.stepUpDb);
    this.delta[k] = d;
  }

  /** ACK of one codeword on link `expert`. */
  /**
   * One update for a batch of `codewords` codewords of link `expert` sent at the same offset, `errors`
   * of them NACKed: Δ moves by min(codewords, BATCH_WEIGHT) times the mean step of those ACK/NACKs,
   * ((codewords − errors)·s_up − errors·s_down)/codewords, then is clipped: as if up to 10 codewords
   * had been fed back in the batch's proportions. The steady state is the same as codeword by codeword
   * (BLER = target). For simulations that send a whole batch before any feedback returns: one step per
   * codeword after the batch would swing Δ by hundreds of codewords' worth (bang-bang), one mean step
   * per batch would take hundreds of batches to converge.
   */
  updateBatch(expert: number, codewords: number, errors: number): void {
    const k = this.check(expert);
    if (!Number.isSafeInteger(codewords) || codewords < 0) throw new InputError(`OLLA feedback: codewords = ${String(codewords)} is not a count`);
    if (!Number.isSafeInteger(errors) || errors < 0 || errors > codewords) {
      throw new InputError(`OLLA feedback: ${String(errors)} codeword errors is not a count ≤ codewords = ${codewords}`);
    }
    if (codewords === 0) return;
    const step = (Math.min(codewords, OLLA_BATCH_WEIGHT) * ((codewords - errors) * this.stepUpDb - errors * this.stepDownDb)) / codewords;
    this.delta[k] = Math.min(this.maxOffsetDb, Math.max(-this.maxOffsetDb, this.delta[k] + step));
  }

  ack(expert: number): void {
    this.update(expert, 1, 0);
  }

  /** NACK of one codeword on link `expert`. */
  nack(expert: number): void {
    this.update(expert, 1, 1);
  }

  /** Every offset back to 0 dB. */
  /** Sets every offset (dB, one per link, each finite and within ±maxOffsetDb): a saved state restored. */
  setOffsets(offsetsDb: readonly number[]): void {
    if (offsetsDb.length !== this.experts) throw new InputError(`OLLA: ${offsetsDb.length} offsets for ${this.experts} links`);
    offsetsDb.forEach((d, k) => {
      if (!(Math.abs(d) <= this.maxOffsetDb)) throw new InputError(`OLLA: offset ${d} dB of link ${k} is not a number within ±${this.maxOffsetDb} dB`);
    });
    this.delta.set(offsetsDb);
  }

  reset(): void {
    this.delta.fill(0);
  }

  private check(expert: number): number {
    if (!Number.isInteger(expert) || expert < 0 || expert >= this.experts) {
      throw new InputError(`OLLA: expert ${String(expert)} is not a link index in 0…${this.experts - 1}`);
    }
    return expert;
  }
}
