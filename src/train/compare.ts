import type { DistributedMoE } from '../moe/model.js';
import type { Link } from '../link/link.js';
import type { SnrSpec } from '../link/snr.js';
import type { ChannelSettings } from '../link/channel_settings.js';
import type { FeatureSet } from './features.js';
import { evaluate } from './evaluate.js';
import type { ProgressFn } from './progress.js';

/** One row of the naive vs channel-aware comparison. */
export interface Condition {
  name: string;
  link: Link;
  /** One or more SNR settings; accuracy is averaged over them (e.g. each expert bad in turn). */
  snr: SnrSpec[];
  /** Fading and CSI of the links (flag texts); absent: AWGN with perfect CSI. */
  channel?: ChannelSettings;
}

/** Channel uses per sample (chosen experts' links, pilots included), averaged over a row's SNR settings. */
export interface RowChannelUses {
  mean: number;
  p95: number;
}

export interface ComparisonRow {
  condition: string;
  link: string;
  naive: number;
  channelAware: number;
  /** channelAware − naive, in accuracy points (0..1). */
  gain: number;
  naiveSelection: number[];
  channelAwareSelection: number[];
  /** Channel uses per sample of each gate: mean and 95th percentile, each averaged over the SNR settings. */
  channelUsesPerSample: { naive: RowChannelUses; channelAware: RowChannelUses };
}

/** The standard conditions of the main job for K experts over `link` (under `channel`, when given). */
export function standardConditions(link: Link, experts: number, range: [number, number], channel?: ChannelSettings): Condition[] {
  const bad = Array.from({ length: experts }, (_, i) => ({
    kind: 'fixed' as const,
    db: Array.from({ length: experts }, (_, k) => (k === i ? -10 : 20)),
  }));
  const conditions: Condition[] = [
    { name: 'equal 0 dB', link, snr: [{ kind: 'fixed', db: Array(experts).fill(0) }] },
    { name: 'equal 10 dB', link, snr: [{ kind: 'fixed', db: Array(experts).fill(10) }] },
    { name: 'equal 20 dB', link, snr: [{ kind: 'fixed', db: Array(experts).fill(20) }] },
    { name: `heterogeneous ${range[0]}…${range[1]} dB`, link, snr: [{ kind: 'range', min: range[0], max: range[1] }] },
    { name: 'one bad link (−10 dB, rest 20 dB)', link, snr: bad },
  ];
  return channel === undefined ? conditions : conditions.map((c) => ({ ...c, channel }));
}

/**
 * Counts evaluations for a progress phase: reports done = 0 now, and `tick()` after each one.
 */
function evaluationCounter(progress: ProgressFn | undefined, label: string, total: number): () => void {
  let done = 0;
  progress?.({ kind: 'phase', label, done, total, unit: 'evaluations' });
  return () => progress?.({ kind: 'phase', label, done: ++done, total, unit: 'evaluations' });
}

/**
 * Accuracy of both gates under each condition, on precomputed test features. `progress`
 * receives a phase (`label`, unit "evaluations": one per gate and SNR setting).
 */
export function compareGates(
  model: DistributedMoE,
  test: FeatureSet,
  conditions: Condition[],
  seed: number,
  progress?: ProgressFn,
  label = 'compare gates',
): ComparisonRow[] {
  const tick = evaluationCounter(progress, label, conditions.reduce((a, c) => a + 2 * c.snr.length, 0));
  return conditions.map((c) => {
    const run = (gate: 'naive' | 'channel-aware') => {
      const results = c.snr.map((snr, i) => {
        const r = evaluate(model, test, { gate, link: c.link, snr, seed: seed + i, ...(c.channel ? { channel: c.channel } : {}) });
        tick();
        return r;
      });
      const avg = (f: (r: (typeof results)[number]) => number) => results.reduce((a, r) => a + f(r), 0) / results.length;
      const acc = avg((r) => r.accuracy);
      const sel = results[0].selection.map((_, k) => avg((r) => r.selection[k]));
      return { acc, sel, uses: { mean: avg((r) => r.channelUses.mean), p95: avg((r) => r.channelUses.p95) } };
    };
    const naive = run('naive');
    const aware = run('channel-aware');
    return {
      condition: c.name,
      link: c.link.kind,
      naive: naive.acc,
      channelAware: aware.acc,
      gain: aware.acc - naive.acc,
      naiveSelection: naive.sel,
      channelAwareSelection: aware.sel,
      channelUsesPerSample: { naive: naive.uses, channelAware: aware.uses },
    };
  });
}

/** Accuracy-vs-SNR curves of both gates: (x dB, accuracy) points. */
export interface SnrCurves {
  /** Every link at x dB. */
  equal: { naive: [number, number][]; channelAware: [number, number][] };
  /** One link at x dB, the others at `otherDb` (averaged over which expert has the bad link). */
  oneLink: { naive: [number, number][]; channelAware: [number, number][] };
}

/**
 * Sweeps x over `snrDb` for both gates over `link` (see {@link SnrCurves}), under `channel` when
 * given (else AWGN with perfect CSI). `progress` receives a phase (unit "evaluations").
 */
export function accuracyVsSnr(
  model: DistributedMoE,
  test: FeatureSet,
  link: Link,
  snrDb: number[],
  otherDb: number,
  seed: number,
  progress?: ProgressFn,
  label = 'accuracy vs SNR',
  channel?: ChannelSettings,
): SnrCurves {
  const K = model.config.experts;
  const tick = evaluationCounter(progress, label, 2 * snrDb.length * (1 + K));
  const sweep = (gate: 'naive' | 'channel-aware', oneLink: boolean) =>
    snrDb.map((db) => {
      const settings = oneLink
        ? Array.from({ length: K }, (_, bad) => Array.from({ length: K }, (_, k) => (k === bad ? db : otherDb)))
        : [Array(K).fill(db)];
      const acc = settings.reduce((a, s) => {
        const r = evaluate(model, test, { gate, link, snr: { kind: 'fixed', db: s }, seed, ...(channel ? { channel } : {}) });
        tick();
        return a + r.accuracy;
      }, 0);
      return [db, acc / settings.length] as [number, number];
    });
  return {
    equal: { naive: sweep('naive', false), channelAware: sweep('channel-aware', false) },
    oneLink: { naive: sweep('naive', true), channelAware: sweep('channel-aware', true) },
  };
}
