// The demo page's two plots, as SVG strings from the page's chart writer (web/chart.ts), drawn at
// the width the page gives them.
import type { BerResult } from '../src/sim/ber.js';
import { chartSvg, type ChartSeries } from './chart.js';
import { formatRate } from '../src/plot/axis_ticks.js';
import { BOUND_LEVEL, errorRateCurves, zeroErrorNote } from '../src/plot/error_bounds.js';
import { describeLink, type SweepResult } from './shared.js';

const BLUE = '#1f77b4';
const RED = '#d62728';
const DARK = '#333';

const dB = (v: number) => `${String(v).replace('-', '\u2212')} dB`;

/** Accuracy (%) against SNR (dB), naive against channel-aware gating, `width` px wide. */
export function accuracyPlot(r: SweepResult, width: number): string {
  const { request: q } = r;
  const K = r.evals[0]?.snrDb.length ?? 0;
  const pts = (acc: number[]) => q.snrDb.map((db, i) => [db, 100 * acc[i]] as [number, number]);
  const same = r.naive.every((v, i) => v === r.channelAware[i]);
  const notes: string[] = [];
  if (q.mode === 'one-link') {
    notes.push(`Each point: one link at x, the other ${K - 1} at ${dB(q.otherDb)}, averaged over which of the ${K} links is the odd one.`);
  }
  if (same && q.mode === 'equal') {
    notes.push(
      'Every link at the same SNR: the channel-aware gate then has no link to avoid and, by design, routes exactly as the naive gate does, so the two lines coincide (the naive one is drawn dashed on top).',
    );
  } else if (same) {
    notes.push('The two gates give the same accuracy at every x: the lines coincide (the naive one is drawn dashed on top).');
  }
  return chartSvg({
    width,
    title: `Accuracy vs SNR: ${describeLink(q.link)} link, ${r.samples} test images`,
    xLabel: q.mode === 'one-link' ? `SNR x of one link (dB), the others at ${dB(q.otherDb)}` : 'SNR x of every link (dB)',
    yLabel: 'accuracy (%)',
    yLimits: { lo: 0, hi: 100 },
    // The naive line last, dashed with open dots: on top, so that it shows where the lines coincide.
    series: [
      { name: 'channel-aware gate', points: pts(r.channelAware), color: RED },
      { name: 'naive gate', points: pts(r.naive), color: BLUE, dashed: true, hollow: true },
    ],
    notes,
  });
}

/**
 * BER and FER (log scale) against Eb/N0 (dB), `width` px wide. Points without a frame error
 * are drawn as upper bounds (see src/plot/error_bounds.ts), with a note saying so.
 */
export function berPlot(r: BerResult, width: number): string {
  const curves = errorRateCurves(r.points);
  const series: ChartSeries[] = [
    { name: 'BER', points: curves.ber, color: BLUE },
    { name: 'FER', points: curves.fer, color: RED, dashed: true },
  ].filter((s) => s.points.length > 0);
  const pct = Math.round(100 * BOUND_LEVEL);
  const note = zeroErrorNote(curves.bounds);
  return chartSvg({
    width,
    title: `${r.code} (n = ${r.n}, k = ${r.k}), ${r.modulation}, layered NMS ${r.iterations} it.`,
    xLabel: 'Eb/N0 (dB)',
    yLabel: 'error rate',
    logY: true,
    series,
    bounds: {
      name: `no frame error: ${pct} % upper bound`,
      color: DARK,
      points: curves.bounds.map((b) => [b.ebn0Db, b.bound]),
      labels: curves.bounds.map((b) => `< ${formatRate(b.bound)}`),
    },
    notes: note === undefined ? [] : [note],
  });
}
