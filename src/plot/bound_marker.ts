// The marker of an upper bound on a chart (a value known only to lie below y): a short bar at y
// with an arrow hanging down from it, and the room a log axis must leave below it.
import type { AxisRange } from './axis_range.js';

/** Length of the marker's arrow below its bar, in px. */
export const ARROW_PX = 22;

const fmt = (v: number) => v.toFixed(1);

/**
 * SVG of an upper-bound marker whose bar is centred at (cx, cy) px: a 16 px bar and an arrow
 * pointing down, ARROW_PX long, in `color`. Two <path> elements, the bar's first.
 */
export function boundMarkerSvg(cx: number, cy: number, color: string): string {
  const tip = cy + ARROW_PX;
  return (
    `<path d="M${fmt(cx - 8)},${fmt(cy)} H${fmt(cx + 8)} M${fmt(cx)},${fmt(cy)} V${fmt(tip - 6)}" stroke="${color}" stroke-width="2.5" fill="none"/>` +
    `<path d="M${fmt(cx - 5.5)},${fmt(tip - 8)} L${fmt(cx + 5.5)},${fmt(tip - 8)} L${fmt(cx)},${fmt(tip)} Z" fill="${color}"/>`
  );
}

/**
 * A log axis range (data units, 0 < lo < hi) whose bottom is lowered, if needed, so that a
 * marker at `lowest` (the smallest bound, data units) keeps its arrow (ARROW_PX + 6 px) inside a
 * plot `plotPx` px tall. The top is kept.
 */
export function roomForArrows(y: AxisRange, lowest: number, plotPx: number): AxisRange {
  const a = (ARROW_PX + 6) / plotPx;
  const [lo, hi, b] = [Math.log10(y.lo), Math.log10(y.hi), Math.log10(lowest)];
  if ((b - lo) / (hi - lo) >= a) return y;
  return { lo: 10 ** ((b - a * hi) / (1 - a)), hi: y.hi };
}
