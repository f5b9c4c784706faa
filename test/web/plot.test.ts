// The demo page's plots, read back from their SVG: what the issue found missing must be drawn.
import { describe, expect, it } from 'vitest';
import { accuracyPlot, berPlot } from '../../web/plot.js';
import { zeroEventUpperBound } from '../../src/plot/error_bounds.js';
import { simulateBer } from '../../src/sim/ber.js';
import type { SweepRequest, SweepResult } from '../../web/shared.js';
import { linearX, linearY, logY, readChart } from '../helpers/svg_read.js';

// The run: Eb/N0 0:1:3, 20 frame errors, 400 frames; the page's default code, seed 1.
const ber = simulateBer({ code: '80211n:648:1/2', modulation: 'bpsk', decoder: 'nms', ebn0Db: [0, 1, 2, 3], maxFrameErrors: 20, maxFrames: 400, batchFrames: 64, seed: 1 });

function sweep(mode: SweepRequest['mode'], naive: number[], channelAware: number[]): SweepResult {
  const snrDb = [-10, -5, 0, 5, 10, 15, 20];
  const request: SweepRequest = { type: 'sweep', id: 1, link: { kind: 'analog', code: '', modulation: 'bpsk' }, mode, snrDb, otherDb: 20, samples: 100, seed: 1 };
  return { request, samples: 100, naive, channelAware, evals: [{ gate: 'naive', snrDb: [0, 0, 0, 0], accuracy: 0, selection: [] }], seconds: 1 };
}

/** Every dot at least `px` inside the frame. */
function expectInside(svg: string, px: number): void {
  const d = readChart(svg);
  for (const s of d.series) {
    for (const p of s.points) {
      expect(p.y - d.frame.top, `${s.name} dot y`).toBeGreaterThanOrEqual(px);
      expect(d.frame.bottom - p.y, `${s.name} dot y`).toBeGreaterThanOrEqual(px);
      expect(p.x - d.frame.left, `${s.name} dot x`).toBeGreaterThanOrEqual(px);
      expect(d.frame.right - p.x, `${s.name} dot x`).toBeGreaterThanOrEqual(px);
    }
  }
}

describe('berPlot', () => {
  it('the run of the issue has a point without frame errors (3 dB), and the others failed', () => {
    expect(ber.points.map((p) => p.frameErrors > 0)).toEqual([true, true, true, false]);
    expect(ber.points[3].frames).toBe(400);
  });

  it('draws the point without frame errors as an upper bound at 1 − 0.05^(1/400), with a note saying so', () => {
    const d = readChart(berPlot(ber, 900));
    expect(d.bounds).toHaveLength(1);
    const [b] = d.bounds;
    expect(b.dataX).toBe(3);
    expect(b.dataY).toBe(zeroEventUpperBound(400));
    // Where the marker is drawn, read against the labelled axes.
    expect(b.y).toBeCloseTo(logY(d.yTicks, zeroEventUpperBound(400)), 0);
    expect(b.x).toBeCloseTo(linearX(d.xTicks, 3), 0);
    // The x axis reaches 3 dB (it ended at 2 dB when the point was dropped).
    expect(d.xTicks.map((t) => Number(t.label))).toContain(3);
    expect(b.x).toBeLessThan(d.frame.right);
    const notes = d.notes.join(' ');
    expect(notes).toContain('No frame error in 400 frames at 3 dB (< 7.46·10⁻³)');
    expect(notes).toContain('one-sided 95 % upper bound');
    expect(notes).toMatch(/AFF3CT and Sionna print such points as 0/);
    expect(d.legend).toContain('no frame error: 95 % upper bound');
  });

  it('measured BER and FER sit where their values are, strictly inside the frame (FER = 1 is not on it)', () => {
    const svg = berPlot(ber, 900);
    const d = readChart(svg);
    const fer = d.series.find((s) => s.name === 'FER')!;
    const berLine = d.series.find((s) => s.name === 'BER')!;
    expect(fer.points).toHaveLength(3);
    expect(ber.points[0].fer).toBe(1);
    ber.points.slice(0, 3).forEach((p, i) => {
      expect(fer.points[i].y).toBeCloseTo(logY(d.yTicks, p.fer), 0);
      expect(berLine.points[i].y).toBeCloseTo(logY(d.yTicks, p.ber), 0);
    });
    expectInside(svg, 8);
    // The bound's arrow (18 px) stays inside too.
    expect(d.frame.bottom - d.bounds[0].y).toBeGreaterThan(18);
  });

  it('a run without any frame error is all bounds (nothing silently missing)', () => {
    const clean = simulateBer({ code: '80211n:648:1/2', modulation: 'bpsk', decoder: 'nms', ebn0Db: [5, 6], maxFrameErrors: 5, maxFrames: 64, seed: 1 });
    expect(clean.points.every((p) => p.frameErrors === 0)).toBe(true);
    const d = readChart(berPlot(clean, 700));
    expect(d.series).toEqual([]);
    expect(d.bounds.map((b) => b.dataX)).toEqual([5, 6]);
    expect(d.notes.join(' ')).toContain('No frame error in 64 frames at 5 dB');
  });
});

describe('accuracyPlot', () => {
  it('a line at 92.5 % is below the top border, and ranges are padded', () => {
    const svg = accuracyPlot(sweep('one-link', [0.78, 0.845, 0.912, 0.925, 0.925, 0.925, 0.925], [0.925, 0.925, 0.925, 0.925, 0.925, 0.92, 0.925]), 1000);
    const d = readChart(svg);
    expectInside(svg, 8);
    const aware = d.series.find((s) => s.name === 'channel-aware gate')!;
    expect(aware.points[0].y).toBeCloseTo(linearY(d.yTicks, 92.5), 0);
    expect(d.notes.join(' ')).toContain('one link at x, the other 3 at 20 dB');
  });

  it('equal SNRs: the lines coincide by design; the note says so and the naive line is drawn dashed on top', () => {
    const acc = [0.29, 0.55, 0.81, 0.89, 0.92, 0.93, 0.94];
    const d = readChart(accuracyPlot(sweep('equal', acc, acc.slice()), 1000));
    expect(d.series.map((s) => s.name)).toEqual(['channel-aware gate', 'naive gate']);
    expect(d.series[1].dashed).toBe(true);
    expect(d.series[0].dashed).toBe(false);
    expect(d.series[1].points).toEqual(d.series[0].points);
    expect(d.notes.join(' ')).toMatch(/Every link at the same SNR: .*routes exactly as the naive gate does, so the two lines coincide \(the naive one is drawn dashed on top\)/);
  });

  it('no coincidence note when the lines differ', () => {
    const d = readChart(accuracyPlot(sweep('equal', [0.3, 0.5, 0.8, 0.9, 0.9, 0.9, 0.9], [0.31, 0.5, 0.8, 0.9, 0.9, 0.9, 0.9]), 800));
    expect(d.notes.join(' ')).not.toMatch(/coincide/);
  });

  it('uses the width it is given: the plot area is most of a 1200 px chart, and scales with it', () => {
    const r = sweep('equal', [0.3, 0.5, 0.8, 0.9, 0.9, 0.9, 0.9], [0.3, 0.5, 0.8, 0.9, 0.9, 0.9, 0.9]);
    const wide = readChart(accuracyPlot(r, 1200));
    const narrow = readChart(accuracyPlot(r, 400));
    expect(wide.width).toBe(1200);
    expect(narrow.width).toBe(400);
    expect(wide.frame.right - wide.frame.left).toBeGreaterThan(0.9 * 1200);
    expect(narrow.frame.right - narrow.frame.left).toBeGreaterThan(0.7 * 400);
    // Notes wrap to the narrower width: more lines, none wider than it.
    expect(narrow.notes.length).toBeGreaterThan(wide.notes.length);
  });
});
