/**
 * How a digital link picks its MCS per (sample, expert) pair: one fixed MCS, or adaptively (inner
 * loop) the highest MCS m whose threshold τ_m, the lowest Es/N0 where the stored BLER curve of m is
 * at most the target (PhyTable.threshold, with each point's upper 95 % bound), satisfies τ_m ≤ γ̂ + Δ_k: γ̂ the gate's estimated SNR (dB)
 * and Δ_k the outer-loop offset of expert k's link (src/link/adapt/olla.ts; 0 without `:olla`).
 * When no MCS qualifies: the lowest MCS (the link sends it and counts its errors), or −1 = outage
 * with `:outage` (the expert receives nothing). γ̂ = +∞ picks the highest MCS, −∞ none.
 * `phyTableFor` gives the stored PHY table of an MCS table (src/link/adapt/data/*.json, bundled:
 * no file system at run time). Nothing here imports tfjs.
 */
import { InputError } from '../../errors.js';
import { mcsEntry, mcsTable, type McsTable } from '../../codes/mcs/table.js';
import { formatMcsPolicy, type McsPolicySpec } from './mcs_policy_spec.js';
import { loadPhyTable, type PhyTable } from './bler_table.js';
import { Olla } from './olla.js';
import phy80211n648 from './data/80211n-648.json' with { type: 'json' };
import phy80211n1296 from './data/80211n-1296.json' with { type: 'json' };
import phy80211n1944 from './data/80211n-1944.json' with { type: 'json' };
import phyNr from './data/nr.json' with { type: 'json' };

/**
 * Confidence of the thresholds: τ_m is where the upper 95 % Wilson bound of MCS m's measured BLER
 * meets the target (PhyTable.threshold), so the table's own sampling error (100 frame errors per
 * point) does not push the achieved BLER above the target.
 */
export const THRESHOLD_CONFIDENCE = 0.95;

/** The stored PHY-table JSON of each MCS table, by canonical table name. */
const STORED: Readonly<Record<string, unknown>> = {
  '80211n:648': phy80211n648,
  '80211n:1296': phy80211n1296,
  '80211n:1944': phy80211n1944,
  nr: phyNr,
};
const loaded = new Map<string, PhyTable>();

/**
 * The stored PHY table (BLER vs Es/N0 over AWGN, measured by scripts/phy-tables.mjs) of an MCS table
 * or table name, validated once and cached. One-line InputError for a table without a stored one.
 */
export function phyTableFor(table: McsTable | string): PhyTable {
  const t = typeof table === 'string' ? mcsTable(table) : table;
  const cached = loaded.get(t.name);
  if (cached) return cached;
  const data = STORED[t.name];
  if (data === undefined) throw new InputError(`no stored PHY table for MCS table '${t.name}' (stored: ${Object.keys(STORED).join(', ')})`);
  const phy = loadPhyTable(data, `src/link/adapt/data/${t.name.replace(/:/g, '-')}.json`, t.entries.length);
  loaded.set(t.name, phy);
  return phy;
}

/** What a policy reports in JSON (`digital.mcs` of `wmoe eval --json`). */
export interface McsPolicySummary {
  /** MCS table name. */
  table: string;
  /** The `--mcs` text of the policy (formatMcsPolicy). */
  policy: string;
  /** Recorded (sample, expert) pairs per chosen MCS index (outages not included). */
  histogram: Record<string, number>;
  /** Recorded pairs, outages included. */
  pairs: number;
  /** Recorded pairs in outage. */
  outages: number;
  /** outages / pairs (0 with no pairs). */
  outageRate: number;
  /** OLLA offsets Δ_k (dB) per expert link now, or null without `:olla` (or before the first choice). */
  ollaOffsetsDb: number[] | null;
}

/** The MCS choice of a digital link (see the file note). */
export class McsPolicy {
  readonly table: McsTable;
  /** Adaptive only: τ_m (dB) per MCS index m at the BLER target; empty for a fixed MCS. */
  readonly thresholdsDb: Float64Array;
  private olla: Olla | null = null;
  private readonly counts: Float64Array;
  private outages = 0;

  /**
   * `spec` from parseMcsPolicy; `phy`, for an adaptive spec, the PHY table of `spec.table` (default:
   * the stored one, {@link phyTableFor}); `confidence`, that of the thresholds' upper bounds
   * (default {@link THRESHOLD_CONFIDENCE}; null: the curves' point estimates, for a table of exact
   * curves). One-line InputError when `phy` lacks an MCS of the table.
   */
  constructor(
    readonly spec: McsPolicySpec,
    phy: PhyTable | null = spec.kind === 'adaptive' ? phyTableFor(spec.table) : null,
    confidence: number | null = THRESHOLD_CONFIDENCE,
  ) {
    this.table = spec.table;
    this.counts = new Float64Array(spec.table.entries.length);
    if (spec.kind === 'fixed' || phy === null) {
      if (spec.kind === 'fixed') mcsEntry(spec.table, spec.index);
      else throw new InputError(`adaptive MCS on '${spec.table.name}' needs a PHY table`);
      this.thresholdsDb = new Float64Array(0);
      return;
    }
    const m = spec.table.entries.length;
    const idx = phy.indices;
    if (idx.length !== m || idx.some((v, i) => v !== i)) {
      throw new InputError(`PHY table '${phy.data.table}' has MCS ${idx.join(', ')}, MCS table '${spec.table.name}' needs 0–${m - 1}`);
    }
    this.thresholdsDb = Float64Array.from(phy.thresholds(spec.bler, confidence ?? undefined));
  }

  /**
   * Per (sample, expert) pair of `gateSnrDb` ([B·K] row-major, the gate's estimated Es/N0 in dB;
   * ±∞ allowed, NaN an InputError) the MCS index, or −1 for outage, into `out` (length B·K; new
   * when absent). `experts` is K; pair i belongs to expert i mod K. Uses the OLLA offsets as they
   * are now (feedback of this batch comes after). Does not record: see {@link record}.
   */
  choose(gateSnrDb: Float32Array, experts: number, out?: Int16Array): Int16Array {
    const n = gateSnrDb.length;
    if (!Number.isSafeInteger(experts) || experts < 1 || n % experts !== 0) {
      throw new InputError(`MCS choice: experts = ${String(experts)} does not divide ${n} gate SNRs`);
    }
    if (out !== undefined && out.length !== n) throw new InputError(`MCS choice: out has length ${out.length}, expected ${n}`);
    const res = out ?? new Int16Array(n);
    if (this.spec.kind === 'fixed') return res.fill(this.spec.index);
    const offsets = this.offsets(experts);
    const tau = this.thresholdsDb;
    const fallback = this.spec.outage ? -1 : 0;
    for (let i = 0; i < n; i++) {
      const g = gateSnrDb[i];
      if (Number.isNaN(g)) throw new InputError(`MCS choice: gate SNR of pair ${i} (sample ${Math.floor(i / experts)}, expert ${i % experts}) is NaN`);
      const x = g === Infinity ? Infinity : g + (offsets === null ? 0 : offsets[i % experts]);
      let m = tau.length - 1;
      while (m >= 0 && !(tau[m] <= x)) m--;
      res[i] = m >= 0 ? m : fallback;
    }
    return res;
  }

  /**
   * Outer-loop feedback after decoding one transmitted vector of link `expert`: `codewords`
   * codewords, `errors` of them with an information-bit error (a count, or one flag per codeword in
   * codeword order; see Olla.update). Call in time order, after the batch's {@link choose}; a no-op
   * without `:olla`.
   */
  feedback(expert: number, codewords: number, errors: number | ArrayLike<number | boolean>): void {
    if (this.spec.kind !== 'adaptive' || !this.spec.olla) return;
    if (this.olla === null) throw new InputError('MCS policy: OLLA feedback before the first choice');
    this.olla.update(expert, codewords, errors);
  }

  /**
   * Outer-loop feedback of one batch of link `expert`: `codewords` codewords sent at this batch's
   * choice, `errors` of them NACKed; one update by the batch's mean step (Olla.updateBatch). A no-op
   * without `:olla`.
   */
  feedbackBatch(expert: number, codewords: number, errors: number): void {
    if (this.spec.kind !== 'adaptive' || !this.spec.olla) return;
    if (this.olla === null) throw new InputError('MCS policy: OLLA feedback before the first choice');
    this.olla.updateBatch(expert, codewords, errors);
  }

  /** Adds the pairs of one choice (from {@link choose}, −1 = outage) to the summary's counts. */
  record(chosen: Int16Array): void {
    for (let i = 0; i < chosen.length; i++) {
      const m = chosen[i];
      if (m < 0) this.outages++;
      else this.counts[m]++;
    }
  }

  /** The policy and its recorded counts, for JSON. */
  summary(): McsPolicySummary {
    const histogram: Record<string, number> = {};
    let pairs = this.outages;
    this.counts.forEach((c, m) => {
      if (c > 0) histogram[String(m)] = c;
      pairs += c;
    });
    return {
      table: this.table.name,
      policy: formatMcsPolicy(this.spec),
      histogram,
      pairs,
      outages: this.outages,
      outageRate: pairs > 0 ? this.outages / pairs : 0,
      ollaOffsetsDb: this.olla === null ? null : Array.from(this.olla.offsetsDb()),
    };
  }

  /** The OLLA offsets Δ_k (dB) now, or null without `:olla` (or before the first choice). */
  ollaOffsets(): number[] | null {
    return this.olla === null ? null : Array.from(this.olla.offsetsDb());
  }

  /** Sets the OLLA offsets (dB, one per expert link, as {@link ollaOffsets} gave them); a no-op without `:olla`. */
  restoreOlla(offsetsDb: readonly number[]): void {
    if (this.spec.kind !== 'adaptive' || !this.spec.olla) return;
    this.olla = new Olla(offsetsDb.length, { target: this.spec.bler });
    this.olla.setOffsets(offsetsDb);
  }

  /** Clears the recorded counts (the OLLA offsets stay: they are link state, not statistics). */
  reset(): void {
    this.counts.fill(0);
    this.outages = 0;
  }

  /** The OLLA offsets for `experts` links (created at the first call), or null without `:olla`. */
  private offsets(experts: number): Float64Array | null {
    if (this.spec.kind !== 'adaptive' || !this.spec.olla) return null;
    if (this.olla === null) this.olla = new Olla(experts, { target: this.spec.bler });
    if (this.olla.experts !== experts) throw new InputError(`MCS policy: OLLA holds ${this.olla.experts} links, the choice has experts = ${experts}`);
    return this.olla.offsetsDb();
  }
}
