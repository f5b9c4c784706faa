// The CLI's SVG chart (src/cli/svg.ts), read back from its SVG against the labelled ticks: padded
// ranges (nothing on the frame), upper-bound markers where they belong, notes wrapped to the width.
import { describe, expect, it } from 'vitest';
import { lineChart, type ChartOptions } from '../../src/cli/svg.js';
import { ARROW_PX } from '../../src/plot/bound_marker.js';
import { linearX, linearY, logY, readChart } from '../helpers/svg_read.js';

const SNR = [-10, -5, 0, 5, 10, 15, 20];
const at = (acc: number[]) => SNR.map((db, i) => [db, acc[i]] as [number, number]);

/** `wmoe demo`'s accuracy-vs-snr.svg, with curves that reach 92.5 % (test accuracy as a fraction). */
const accuracy: ChartOptions = {
  title: 'lenet5 MoE on mnist, analog links: test accuracy vs SNR',
  xLabel: 'SNR x, Es/N0 (dB)',
  yLabel: 'test accuracy',
  yLimits: { lo: 0, hi: 1 },
  series: [
    { name: 'naive, one link at x', points: at([0.78, 0.845, 0.912, 0.925, 0.925, 0.925, 0.925]) },
    { name: 'channel-aware, one at x', points: at([0.925, 0.925, 0.925, 0.925, 0.925, 0.92, 0.925]) },
    { name: 'naive, all links at x', points: at([0.29, 0.55, 0.81, 0.89, 0.92, 0.925, 0.925]), dashed: true },
    { name: 'ch.-aware, all at x', points: at([0.29, 0.55, 0.81, 0.89, 0.92, 0.925, 0.925]), dashed: true },
  ],
};

/** The BER/FER chart of `wmoe ber --plot`: FER = 1 at 0 dB, no frame error at 3 dB (bound 7.46e-3). */
const errorRates: ChartOptions = {
  title: 'ber',
  xLabel: 'Eb/N0 (dB)',
  yLabel: 'error rate',
  logY: true,
  series: [
    { name: 'BER', points: [[0, 0.09], [1, 0.03], [2, 0.002]] },
    { name: 'FER', points: [[0, 1], [1, 0.6], [2, 0.05]], dashed: true },
  ],
  bounds: { name: 'no frame error: 95 % upper bound', points: [[3, 0.00746]], labels: ['< 7.46·10⁻³'] },
  notes: ['No frame error in 400 frames at 3 dB (< 7.46·10⁻³). '.repeat(4)],
};

/** Every dot and bound bar at least `px` inside the frame. */
function expectInside(svg: string, px: number): void {
  const d = readChart(svg);
  const all = [...d.series.flatMap((s) => s.points.map((p) => ({ ...p, what: s.name }))), ...d.bounds.map((b) => ({ ...b, what: 'bound' }))];
  expect(all.length).toBeGreaterThan(0);
  for (const p of all) {
    expect(p.y - d.frame.top, `${p.what} y`).toBeGreaterThanOrEqual(px);
    expect(d.frame.bottom - p.y, `${p.what} y`).toBeGreaterThanOrEqual(px);
    expect(p.x - d.frame.left, `${p.what} x`).toBeGreaterThanOrEqual(px);
    expect(d.frame.right - p.x, `${p.what} x`).toBeGreaterThanOrEqual(px);
  }
}

describe('lineChart (CLI)', () => {
  it('accuracy at 92.5 %: the line is below the top border, every dot inside the frame, where its value is', () => {
    const svg = lineChart(accuracy);
    const d = readChart(svg);
    expectInside(svg, 8);
    const aware = d.series.find((s) => s.name === 'channel-aware, one at x')!;
    expect(aware.points[0].y).toBeCloseTo(linearY(d.yTicks, 0.925), 0);
    expect(aware.points[0].x).toBeCloseTo(linearX(d.xTicks, -10), 0);
    // A tick above the data, none above 100 %.
    const top = Math.max(...d.yTicks.map((t) => Number(t.label)));
    expect(top).toBeGreaterThan(0.925);
    expect(top).toBeLessThanOrEqual(1);
    expect(d.series.map((s) => s.dashed)).toEqual([false, false, true, true]);
  });

  it('an accuracy of 100 % stays inside the frame too (the padding may pass the limit, the ticks do not)', () => {
    const svg = lineChart({ ...accuracy, series: [{ name: 'perfect', points: at([0.5, 0.9, 1, 1, 1, 1, 1]) }] });
    const d = readChart(svg);
    expectInside(svg, 8);
    expect(Math.max(...d.yTicks.map((t) => Number(t.label)))).toBe(1);
  });

  it('log axis: FER = 1 is inside the frame, and the values sit where the decade ticks say', () => {
    const svg = lineChart(errorRates);
    const d = readChart(svg);
    expectInside(svg, 8);
    const fer = d.series.find((s) => s.name === 'FER')!;
    expect(fer.points[0].y).toBeCloseTo(logY(d.yTicks, 1), 0);
    expect(fer.points[2].y).toBeCloseTo(logY(d.yTicks, 0.05), 0);
    expect(d.series.find((s) => s.name === 'BER')!.points[2].y).toBeCloseTo(logY(d.yTicks, 0.002), 0);
  });

  it('upper bounds: a marker at (3 dB, bound) with its label, its arrow inside the frame, the x axis reaching 3 dB', () => {
    const svg = lineChart(errorRates);
    const d = readChart(svg);
    expect(d.bounds).toHaveLength(1);
    const [b] = d.bounds;
    expect([b.dataX, b.dataY]).toEqual([3, 0.00746]);
    expect(b.y).toBeCloseTo(logY(d.yTicks, 0.00746), 0);
    expect(b.x).toBeCloseTo(linearX(d.xTicks, 3), 0);
    expect(d.xTicks.map((t) => t.label)).toContain('3');
    expect(d.frame.bottom - b.y).toBeGreaterThan(ARROW_PX);
    expect(svg).toContain('>&lt; 7.46·10⁻³</text>');
    // The legend names the marker (wrapped to the legend's width).
    expect(svg).toMatch(/<g class="legend-item"><path [^>]*>.*>no frame error: 95 %<\/text><text [^>]*>upper bound<\/text><\/g>/);
  });

  it('notes are wrapped under the axis, the chart growing to hold them; no line wider than the chart', () => {
    const plain = readChart(lineChart({ ...errorRates, notes: [] }));
    const d = readChart(lineChart(errorRates));
    expect(d.notes.length).toBeGreaterThan(1);
    expect(d.notes.join(' ')).toBe(errorRates.notes![0].trim());
    expect(d.height).toBe(plain.height + 4 + 16 * d.notes.length);
    for (const line of d.notes) expect(12 + line.length * 0.56 * 12).toBeLessThanOrEqual(d.width);
  });

  it('a chart of bounds alone (no frame error anywhere) still has its markers and axes', () => {
    const svg = lineChart({ ...errorRates, series: [], bounds: { name: 'bound', points: [[5, 0.0457], [6, 0.0457]] } });
    const d = readChart(svg);
    expect(d.bounds.map((b) => b.dataX)).toEqual([5, 6]);
    expectInside(svg, 8);
  });

  it('escapes text', () => {
    const svg = lineChart({ ...accuracy, title: 'a <b> & "c"' });
    expect(svg).toContain('a &lt;b&gt; &amp; &quot;c&quot;');
    expect(svg).not.toContain('<b>');
  });
});
