// `wmoe demo --pareto`: the accuracy vs channel-uses sweep (src/train/pareto.ts) over analog, a fixed
// MCS and adaptive MCS, as a text table, an SVG plot, and the accuracy at equal mean channel uses.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { paretoSweep, DEFAULT_PARETO_LAMBDAS, type ParetoLink, type ParetoRow } from '../../train/pareto.js';
import type { ResolvedTrainConfig } from '../../train/config.js';
import type { FeatureSet } from '../../train/features.js';
import type { ProgressFn } from '../../train/progress.js';
import type { DistributedMoE } from '../../moe/model.js';
import type { GateKind } from '../../moe/gate.js';
import type { ChannelSettings } from '../../link/channel_settings.js';
import { analogLink, analogRepetitionLink, mcsLink } from '../../link/index.js';
import type { LdpcDecodeOptions } from '../../codes/decoder.js';
import { parseMcsPolicy } from '../channel_flags.js';
import { InputError } from '../../errors.js';
import { lineChart } from '../svg.js';
import { formatTable } from '../table.js';

/** The fixed MCS of the sweep's fixed digital link: 802.11n 1944, MCS 3 (16-QAM, rate 1/2). */
export const PARETO_FIXED_MCS = '80211n:1944:3';
/** The adaptive policy of the sweep's adaptive digital link (BLER target 0.1, inner loop only). */
export const PARETO_ADAPTIVE_MCS = 'adaptive:table=80211n:1944';
/** The reference link of the equal-uses comparison. */
export const PARETO_REFERENCE = 'analog';
/** The channel of `--pareto` when no channel flag is given: adaptivity needs fading to matter. */
export const PARETO_DEFAULT_CHANNEL: ChannelSettings = Object.freeze({ channel: 'rayleigh' });

/** Options of the sweep's digital links: quantiser bits per feature (default 8) and decoder. */
export interface ParetoDigitalOptions {
  bits?: number;
  decoder?: LdpcDecodeOptions;
}

/** Repetition factors of the demo's analog links (r = 1 is plain analog): analog operating points at more channel uses. */
export const PARETO_ANALOG_REPETITIONS: readonly number[] = Object.freeze([1, 4, 16]);

/**
 * The demo's links: analog, and analog sending each use r times (r of {@link PARETO_ANALOG_REPETITIONS},
 * labelled `analog ×r`); digital at {@link PARETO_FIXED_MCS}; adaptive digital ({@link PARETO_ADAPTIVE_MCS}).
 * The analog links and the fixed MCS cost the same on every expert, so λ cannot move them: they train
 * at λ = 0 only; the adaptive link takes the sweep's λ.
 */
export function defaultParetoLinks(digital: ParetoDigitalOptions = {}): ParetoLink[] {
  const options = { bits: digital.bits ?? 8, ...(digital.decoder ? { decoder: digital.decoder } : {}) };
  const once = [0] as const;
  return [
    ...PARETO_ANALOG_REPETITIONS.map((r) => ({
      label: r === 1 ? PARETO_REFERENCE : `${PARETO_REFERENCE} ×${r}`,
      make: () => (r === 1 ? analogLink : analogRepetitionLink(r)),
      lambdas: once,
    })),
    { label: `digital ${PARETO_FIXED_MCS}`, make: () => mcsLink(parseMcsPolicy(PARETO_FIXED_MCS), options), lambdas: once },
    { label: 'adaptive digital', make: () => mcsLink(parseMcsPolicy(PARETO_ADAPTIVE_MCS), options) },
  ];
}

/** Flags `demo --pareto` refuses: the sweep picks the links and λ itself. */
const PARETO_EXCLUDED = ['digital-codes', 'mcs', 'code', 'modulation', 'link', 'geometry', 'channel-use-weight'] as const;

/** Throws a one-line InputError when `values` (demo's flags) has a flag that `--pareto` excludes. */
export function checkParetoFlags(values: Record<string, unknown>): void {
  const bad = PARETO_EXCLUDED.find((k) => values[k] !== undefined);
  if (bad === undefined) return;
  const why = bad === 'channel-use-weight' ? 'it sweeps λ itself' : bad === 'geometry' ? 'its mean SNRs come from --snr-range' : 'it sets its own links';
  throw new InputError(`--pareto takes no --${bad} (got '${String(values[bad])}'): ${why}`);
}

/** A point of a curve: mean channel uses per sample and accuracy. */
export interface UsesPoint {
  uses: number;
  accuracy: number;
}

/** The rows of one (link, gate) in sweep (λ) order, grouped in order of first appearance. */
export function paretoCurves(rows: readonly ParetoRow[]): { link: string; gate: GateKind; rows: ParetoRow[] }[] {
  const curves = new Map<string, { link: string; gate: GateKind; rows: ParetoRow[] }>();
  for (const r of rows) {
    const key = `${r.link}\u0000${r.gate}`;
    if (!curves.has(key)) curves.set(key, { link: r.link, gate: r.gate, rows: [] });
    curves.get(key)!.rows.push(r);
  }
  return [...curves.values()].map((c) => ({ ...c, rows: c.rows.slice().sort((a, b) => a.lambda - b.lambda) }));
}

/**
 * The Pareto front of `points`: those that no other point beats (fewer or equal mean uses and
 * higher or equal accuracy, one of them strictly), each once, by increasing uses (so with
 * increasing accuracy).
 */
export function paretoFront(points: readonly UsesPoint[]): UsesPoint[] {
  const sorted = points.slice().sort((a, b) => a.uses - b.uses || b.accuracy - a.accuracy);
  const front: UsesPoint[] = [];
  for (const p of sorted) if (front.length === 0 || p.accuracy > front[front.length - 1].accuracy) front.push({ uses: p.uses, accuracy: p.accuracy });
  return front;
}

/**
 * The accuracy of a front (see {@link paretoFront}) at mean uses x: linear interpolation between
 * the two front points around x (the accuracy of time sharing: running the cheaper setting on a
 * share θ of the samples and the costlier one on the rest makes mean uses and accuracy both the
 * θ-mix). null when x lies outside the front's uses: no extrapolation.
 */
export function accuracyAtUses(front: readonly UsesPoint[], x: number): number | null {
  if (front.length === 0 || x < front[0].uses || x > front[front.length - 1].uses) return null;
  for (let i = 0; i < front.length; i++) {
    const a = front[i];
    if (x === a.uses) return a.accuracy;
    const b = front[i + 1];
    if (x < b.uses) return a.accuracy + ((x - a.uses) / (b.uses - a.uses)) * (b.accuracy - a.accuracy);
  }
  return null; // not reached: x ≤ the last point's uses
}

/** One comparison at equal mean channel uses. */
export interface EqualUsesRow {
  gate: GateKind;
  /**
   * Whose operating point the comparison is made at: 'reference', a point of the reference family's
   * Pareto front (the other link interpolated there); 'link', a point of the other link's front (the
   * reference family interpolated there).
   */
  at: 'reference' | 'link';
  /** Mean channel uses per sample of that point. */
  uses: number;
  reference: string;
  /** The reference family's accuracy at `uses` with this gate (interpolated for at = 'link'; null outside its front). */
  referenceAccuracy: number | null;
  link: string;
  /** `link`'s accuracy with the same gate at `uses` (interpolated for at = 'reference'; null outside its front). */
  accuracy: number | null;
  /** The mean channel uses per sample [cheapest, costliest] of the front that was interpolated. */
  range: [number, number];
}

/**
 * Accuracy at equal mean channel uses: the reference family is every link labelled `reference` or
 * `reference ×r` (analog and its repetitions), whose points together make one Pareto front per
 * gate. For each gate, every other link's front with the same gate is interpolated at each point of
 * the family's front (at = 'reference'), and the family's front at each point of the other link's
 * front (at = 'link'); see {@link accuracyAtUses}. Empty when no row has the reference link.
 */
export function equalUses(rows: readonly ParetoRow[], reference = PARETO_REFERENCE): EqualUsesRow[] {
  const inFamily = (link: string) => link === reference || link.startsWith(`${reference} ×`);
  const toPoints = (rs: readonly ParetoRow[]) => rs.map((r) => ({ uses: r.channelUses.mean, accuracy: r.accuracy }));
  const curves = paretoCurves(rows).map((c) => ({ ...c, front: paretoFront(toPoints(c.rows)) }));
  const span = (front: readonly UsesPoint[]): [number, number] => [front[0].uses, front[front.length - 1].uses];
  const out: EqualUsesRow[] = [];
  for (const gate of [...new Set(curves.map((c) => c.gate))]) {
    const familyRows = rows.filter((r) => r.gate === gate && inFamily(r.link));
    if (familyRows.length === 0) continue;
    const family = paretoFront(toPoints(familyRows));
    const others = curves.filter((x) => !inFamily(x.link) && x.gate === gate);
    for (const p of family) {
      for (const c of others) {
        out.push({ gate, at: 'reference', uses: p.uses, reference, referenceAccuracy: p.accuracy, link: c.link, accuracy: accuracyAtUses(c.front, p.uses), range: span(c.front) });
      }
    }
    for (const c of others) {
      for (const p of c.front) {
        out.push({ gate, at: 'link', uses: p.uses, reference, referenceAccuracy: accuracyAtUses(family, p.uses), link: c.link, accuracy: p.accuracy, range: span(family) });
      }
    }
  }
  return out;
}

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
const uses = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(1));

/**
 * The sweep as text: one line per (link, gate, λ) with accuracy and channel uses per sample
 * (mean, p95), then the accuracy at equal mean channel uses against `reference` and its
 * repetitions, at their operating points and at each other link's (see {@link equalUses}); a
 * comparison outside the interpolated front's uses shows that front's range instead.
 */
export function paretoReport(rows: readonly ParetoRow[], reference = PARETO_REFERENCE): string {
  const ordered = paretoCurves(rows).flatMap((c) => c.rows);
  let text = formatTable(
    ['link', 'gate', 'λ', 'accuracy', 'uses/sample', 'p95'],
    ordered.map((r) => [r.link, r.gate, String(r.lambda), pct(r.accuracy), uses(r.channelUses.mean), uses(r.channelUses.p95)]),
    3,
  );
  const equal = equalUses(rows, reference);
  if (equal.length === 0) return text;
  const outside = (e: EqualUsesRow) => {
    const [lo, hi] = e.range;
    return `n/a: ${uses(lo)}${hi > lo ? `…${uses(hi)}` : ''} only`;
  };
  const cell = (x: number | null, e: EqualUsesRow) => (x !== null ? pct(x) : outside(e));
  text += `\nAccuracy at equal mean channel uses per sample: at the operating points of ${reference} and its repetitions (${reference} ×r), each other link interpolated linearly along its Pareto front over λ (time sharing; no extrapolation)\n\n`;
  text += formatTable(
    ['gate', 'link', 'uses/sample', reference, 'link accuracy'],
    equal.filter((e) => e.at === 'reference').map((e) => [e.gate, e.link, uses(e.uses), cell(e.referenceAccuracy, e), cell(e.accuracy, e)]),
    2,
  );
  text += `\nAnd at each other link's operating points, ${reference} (with repetitions) interpolated along its front\n\n`;
  text += formatTable(
    ['gate', 'link', 'uses/sample', 'link accuracy', reference],
    equal.filter((e) => e.at === 'link').map((e) => [e.gate, e.link, uses(e.uses), cell(e.accuracy, e), cell(e.referenceAccuracy, e)]),
    2,
  );
  return text;
}

/** The sweep as an SVG plot: accuracy against mean channel uses per sample, a line per (link, gate) in λ order (naive dashed). */
export function paretoSvg(rows: readonly ParetoRow[], title = 'Test accuracy vs channel uses per sample'): string {
  const curves = paretoCurves(rows);
  const lambdas = [...new Set(rows.map((r) => r.lambda))].sort((a, b) => a - b);
  return lineChart({
    title,
    xLabel: 'mean channel uses per sample (complex symbols, pilots included)',
    yLabel: 'test accuracy',
    yLimits: { lo: 0, hi: 1 },
    series: curves.map((c) => ({
      name: `${c.link}, ${c.gate}`,
      points: c.rows.map((r) => [r.channelUses.mean, r.accuracy] as [number, number]),
      dashed: c.gate === 'naive',
    })),
    notes: [
      `Each line joins the channel-use weights λ = ${lambdas.join(', ')} in order (stage 2 retrained per λ).`,
      'The naive gate (dashed) does not depend on λ: one point per link. Analog links and a fixed MCS cost the same on every expert, so λ cannot move them; adaptive MCS costs less on strong links.',
    ],
  });
}

/** What {@link runParetoDemo} needs from the demo's training. */
export interface ParetoDemoInput {
  model: DistributedMoE;
  features: { train: FeatureSet; validation: FeatureSet; test: FeatureSet };
  cfg: ResolvedTrainConfig;
  /** Directory of pareto.json and pareto.svg. */
  out: string;
  /** Channel flags given (null or undefined: {@link PARETO_DEFAULT_CHANNEL}). */
  channel?: ChannelSettings | null;
  /** Quantiser bits and decoder of the digital links (default 8 bits, the codec's decoder). */
  digital?: ParetoDigitalOptions;
  lambdas?: readonly number[];
  progress?: ProgressFn;
}

/**
 * `wmoe demo --pareto` after training: sweeps λ over the default links (see
 * {@link defaultParetoLinks}) with mean SNRs drawn from cfg.snrRange per sample and expert,
 * prints the report to stdout, writes pareto.json (settings, rows, equal-uses rows) and
 * pareto.svg into `out`. Returns the rows.
 */
export function runParetoDemo(input: ParetoDemoInput): ParetoRow[] {
  const { model, features, cfg, out } = input;
  const channel = input.channel ?? PARETO_DEFAULT_CHANNEL;
  const lambdas = input.lambdas ?? DEFAULT_PARETO_LAMBDAS;
  const [min, max] = cfg.snrRange;
  const rows = paretoSweep(model, features, cfg, { links: defaultParetoLinks(input.digital), lambdas, snr: { kind: 'range', min, max }, channel, seed: cfg.seed, progress: input.progress });
  const heading = `${cfg.model} MoE on ${cfg.dataset} (K = ${cfg.experts}, top-${cfg.topK}, ${features.test.n} test samples, seed ${cfg.seed}), channel ${JSON.stringify(channel)}, mean SNRs ${min}…${max} dB`;
  process.stdout.write(`\nAccuracy vs channel uses, ${heading}\n\n${paretoReport(rows)}`);
  const settings = { channel, snrRange: [min, max], lambdas, fixedMcs: PARETO_FIXED_MCS, adaptiveMcs: PARETO_ADAPTIVE_MCS, bits: input.digital?.bits ?? 8, ...(input.digital?.decoder ? { decoder: input.digital.decoder } : {}), seed: cfg.seed };
  writeFileSync(join(out, 'pareto.json'), JSON.stringify({ settings, rows, equalUses: equalUses(rows) }, null, 2) + '\n');
  writeFileSync(join(out, 'pareto.svg'), paretoSvg(rows, `${cfg.model} MoE on ${cfg.dataset}: test accuracy vs channel uses per sample`));
  process.stdout.write(`\nwrote ${join(out, 'pareto.json')} and ${join(out, 'pareto.svg')}\n`);
  return rows;
}
