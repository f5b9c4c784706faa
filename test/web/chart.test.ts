import { describe, expect, it } from 'vitest';
import { ARROW_PX, chartSvg, type ChartSpec } from '../../web/chart.js';
import { linearX, linearY, logY, readChart } from '../helpers/svg_read.js';

const base: ChartSpec = {
  width: 800,
  title: 'a <b> & "c"',
  xLabel: 'x (dB)',
  yLabel: 'y',
  series: [
    { name: 'one', points: [[0, 10], [1, 20], [2, 30]], color: '#111' },
    { name: 'two', points: [[0, 30], [2, 10]], color: '#222', dashed: true, hollow: true },
  ],
};

describe('chartSvg', () => {
  it('draws every point where its value is, read against the labelled ticks, and inside the frame', () => {
    const d = readChart(chartSvg(base));
    expect(d.width).toBe(800);
    expect(d.series.map((s) => s.name)).toEqual(['one', 'two']);
    for (const [i, [x, y]] of base.series[0].points.entries()) {
      expect(d.series[0].points[i].x).toBeCloseTo(linearX(d.xTicks, x), 0);
      expect(d.series[0].points[i].y).toBeCloseTo(linearY(d.yTicks, y), 0);
    }
    for (const s of d.series) {
      for (const p of s.points) {
        expect(p.y).toBeGreaterThan(d.frame.top + 5);
        expect(p.y).toBeLessThan(d.frame.bottom - 5);
        expect(p.x).toBeGreaterThan(d.frame.left + 5);
        expect(p.x).toBeLessThan(d.frame.right - 5);
      }
    }
    expect(d.series[1].dashed).toBe(true);
  });

  it('escapes text', () => {
    const svg = chartSvg(base);
    expect(svg).toContain('a &lt;b&gt; &amp; &quot;c&quot;');
    expect(svg).not.toContain('<b>');
  });

  it('bound markers: at their value on a log axis, with their label, and room below for the arrow', () => {
    const spec: ChartSpec = {
      ...base,
      logY: true,
      series: [{ name: 'rate', points: [[0, 0.5], [1, 0.05]], color: '#111' }],
      bounds: { name: 'bound', color: '#333', points: [[2, 0.004]], labels: ['< 4·10⁻³'] },
    };
    const svg = chartSvg(spec);
    const d = readChart(svg);
    expect(d.bounds).toHaveLength(1);
    expect(d.bounds[0].y).toBeCloseTo(logY(d.yTicks, 0.004), 0);
    expect(d.bounds[0].x).toBeCloseTo(linearX(d.xTicks, 2), 0);
    expect(d.frame.bottom - d.bounds[0].y).toBeGreaterThan(ARROW_PX);
    // At the right edge the label goes to the left of the marker.
    expect(svg).toMatch(/<text class="bound-label" x="[\d.]+" y="[\d.]+" text-anchor="end" fill="#333">&lt; 4·10⁻³<\/text>/);
    expect(d.legend).toEqual(['rate', 'bound']);
  });

  it('legend items wrap into rows on a narrow chart, pushing the plot down', () => {
    const many: ChartSpec = {
      ...base,
      series: Array.from({ length: 6 }, (_, i) => ({ name: `a rather long series name ${i}`, points: [[0, i], [1, i + 1]] as [number, number][], color: '#000' })),
    };
    const wide = readChart(chartSvg({ ...many, width: 1600 }));
    const narrow = readChart(chartSvg({ ...many, width: 400 }));
    expect(narrow.legend).toHaveLength(6);
    expect(narrow.frame.top).toBeGreaterThan(wide.frame.top + 3 * 18);
  });

  it('notes are wrapped to the width, and the chart grows to hold them', () => {
    const note = 'word '.repeat(100).trim();
    const without = readChart(chartSvg({ ...base, width: 500 }));
    const d = readChart(chartSvg({ ...base, width: 500, notes: [note] }));
    expect(d.notes.join(' ')).toBe(note);
    expect(d.notes.length).toBeGreaterThan(3);
    for (const line of d.notes) expect(line.length * 0.56 * 12).toBeLessThanOrEqual(500 - 24);
    expect(d.height).toBeGreaterThan(without.height + d.notes.length * 15);
  });

  it('refuses a width under 200 px', () => {
    expect(() => chartSvg({ ...base, width: 150 })).toThrow(/width must be >= 200 px, got 150/);
  });
});
