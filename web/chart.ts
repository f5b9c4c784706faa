// The demo page's SVG line chart, drawn at the width the page gives it (the page redraws it when
// that width changes): title, a legend row above the plot, padded axes (linear or log y), series
// drawn in order (the last on top), upper-bound markers (a bar with an arrow pointing down), and
// notes under the axis. Plain strings, no dependencies.
import { paddedRange, type AxisRange } from '../src/plot/axis_range.js';
import { formatLinearTick, formatLogTick, linearTicks, logMinorTicks, logTicks, niceStep } from '../src/plot/axis_ticks.js';
import { ARROW_PX, boundMarkerSvg, roomForArrows } from '../src/plot/bound_marker.js';
import { textWidth, wrapText, CHAR_WIDTH_EM } from '../src/plot/wrap_text.js';

export { ARROW_PX };

/** One line of the chart: points (x, y) joined in order, each marked with a dot. */
export interface ChartSeries {
  name: string;
  points: [number, number][];
  color: string;
  dashed?: boolean;
  /** Open dots (so a series drawn on top of another leaves its dots visible). */
  hollow?: boolean;
}

/** Upper bounds (x, y): the true value lies below y (drawn as a bar with an arrow down). */
export interface ChartBounds {
  name: string;
  color: string;
  points: [number, number][];
  /** Text beside each marker (e.g. "< 7.46·10⁻³"), parallel to `points`. */
  labels?: string[];
}

export interface ChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  /** Drawn in this order: the last one on top. */
  series: ChartSeries[];
  bounds?: ChartBounds;
  logY?: boolean;
  /** Natural limits of y (linear axes), e.g. {lo: 0, hi: 100} for a percentage. */
  yLimits?: Partial<AxisRange>;
  /** Sentences printed under the x axis, wrapped to the width. */
  notes?: string[];
  /** Width in px (the height follows from it). */
  width: number;
}

/** Where things go, in px. */
export interface ChartLayout {
  width: number;
  height: number;
  /** The plot area (the frame). */
  plot: { left: number; top: number; right: number; bottom: number };
  x: AxisRange;
  y: AxisRange;
}

const FONT = 12;
const LEGEND_ROW = 22;
const NOTE_LINE = 16;
export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const fmt = (v: number) => v.toFixed(1);

/** The chart as a self-contained SVG string. */
export function chartSvg(spec: ChartSpec): string {
  if (!(spec.width >= 200)) throw new Error(`chartSvg: width must be >= 200 px, got ${spec.width}`);
  const legend = legendItems(spec);
  const rows = legendRows(legend, spec.width - 40);
  const notes = (spec.notes ?? []).map((n) => wrapText(n, Math.floor((spec.width - 24) / (CHAR_WIDTH_EM * FONT))));
  const layout = chartLayout(spec, rows.length, notes.reduce((s, n) => s + n.length, 0));
  const { width: W, height: H, plot } = layout;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, sans-serif" font-size="${FONT}" role="img" aria-label="${esc(spec.title)}">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="20" text-anchor="middle" font-size="15" font-weight="600">${esc(spec.title)}</text>`,
    ...axes(spec, layout),
    ...spec.series.flatMap((s) => seriesSvg(s, layout, spec.logY)),
    ...(spec.bounds ? boundsSvg(spec.bounds, layout, spec.logY) : []),
    ...legendSvg(rows, 20),
  ];
  let y = plot.bottom + 60;
  for (const lines of notes) {
    for (const line of lines) {
      out.push(`<text class="note" x="12" y="${y}" fill="#444">${esc(line)}</text>`);
      y += NOTE_LINE;
    }
  }
  out.push('</svg>');
  return out.join('\n') + '\n';
}

/** Sizes and axis ranges for `spec` with `legendRows` legend rows and `noteLines` note lines. */
export function chartLayout(spec: ChartSpec, legendRows: number, noteLines: number): ChartLayout {
  const W = Math.round(spec.width);
  const top = 32 + legendRows * LEGEND_ROW + 8;
  const ph = Math.round(Math.min(400, Math.max(220, 0.42 * W)));
  const plot = { left: 68, top, right: W - 20, bottom: top + ph };
  const height = plot.bottom + 44 + (noteLines ? 16 + noteLines * NOTE_LINE : 0) + 4;
  const xs = [...spec.series.flatMap((s) => s.points), ...(spec.bounds?.points ?? [])].map(([x]) => x);
  const x = paddedRange(xs, { fraction: 0.04, nice: false });
  const ys = [...spec.series.flatMap((s) => s.points), ...(spec.bounds?.points ?? [])].map(([, v]) => v);
  let y = paddedRange(ys, { log: spec.logY, limits: spec.yLimits });
  if (spec.logY && spec.bounds?.points.length) y = roomForArrows(y, Math.min(...spec.bounds.points.map(([, v]) => v)), ph);
  return { width: W, height, plot, x, y };
}

/** Pixel position of data x / y. */
export function toPx(layout: ChartLayout, logY = false) {
  const { plot, x, y } = layout;
  const fy = logY ? Math.log10 : (v: number) => v;
  return {
    px: (v: number) => plot.left + ((v - x.lo) / (x.hi - x.lo)) * (plot.right - plot.left),
    py: (v: number) => plot.bottom - ((fy(v) - fy(y.lo)) / (fy(y.hi) - fy(y.lo))) * (plot.bottom - plot.top),
  };
}

function axes(spec: ChartSpec, layout: ChartLayout): string[] {
  const { plot, x, y } = layout;
  const { px, py } = toPx(layout, spec.logY);
  const out: string[] = [];
  const xCount = Math.max(4, Math.min(10, Math.floor((plot.right - plot.left) / 90)));
  const xStep = niceStep(x.hi - x.lo, xCount);
  for (const t of linearTicks(x.lo, x.hi, xCount)) {
    out.push(`<line x1="${fmt(px(t))}" y1="${plot.top}" x2="${fmt(px(t))}" y2="${plot.bottom}" stroke="#e4e4e4"/>`);
    out.push(`<text x="${fmt(px(t))}" y="${plot.bottom + 17}" text-anchor="middle">${formatLinearTick(t, xStep)}</text>`);
  }
  const yCount = Math.max(4, Math.min(8, Math.floor((plot.bottom - plot.top) / 45)));
  const yTicks = spec.logY ? logTicks(y.lo, y.hi) : linearTicks(y.lo, y.hi, yCount);
  if (spec.logY) {
    for (const t of logMinorTicks(y.lo, y.hi, yTicks)) out.push(`<line x1="${plot.left}" y1="${fmt(py(t))}" x2="${plot.right}" y2="${fmt(py(t))}" stroke="#f3f3f3"/>`);
  }
  const yStep = spec.logY ? 1 : niceStep(y.hi - y.lo, yCount);
  for (const t of yTicks) {
    out.push(`<line x1="${plot.left}" y1="${fmt(py(t))}" x2="${plot.right}" y2="${fmt(py(t))}" stroke="#e4e4e4"/>`);
    const label = spec.logY ? formatLogTick(t) : formatLinearTick(t, yStep);
    out.push(`<text x="${plot.left - 6}" y="${fmt(py(t) + 4)}" text-anchor="end">${label}</text>`);
  }
  out.push(`<rect class="frame" x="${plot.left}" y="${plot.top}" width="${plot.right - plot.left}" height="${plot.bottom - plot.top}" fill="none" stroke="#333"/>`);
  out.push(`<text x="${(plot.left + plot.right) / 2}" y="${plot.bottom + 38}" text-anchor="middle">${esc(spec.xLabel)}</text>`);
  out.push(`<text transform="translate(16 ${(plot.top + plot.bottom) / 2}) rotate(-90)" text-anchor="middle">${esc(spec.yLabel)}</text>`);
  return out;
}

function seriesSvg(s: ChartSeries, layout: ChartLayout, logY?: boolean): string[] {
  const { px, py } = toPx(layout, logY);
  const dash = s.dashed ? ' stroke-dasharray="7 5"' : '';
  const out = [`<g class="series" data-name="${esc(s.name)}">`];
  if (s.points.length > 1) {
    const d = s.points.map(([x, y], j) => `${j ? 'L' : 'M'}${fmt(px(x))},${fmt(py(y))}`).join(' ');
    out.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"${dash}/>`);
  }
  for (const [x, y] of s.points) {
    const fill = s.hollow ? `fill="none" stroke="${s.color}" stroke-width="1.5"` : `fill="${s.color}"`;
    out.push(`<circle class="point" cx="${fmt(px(x))}" cy="${fmt(py(y))}" r="${s.hollow ? 4 : 3.5}" ${fill}/>`);
  }
  out.push('</g>');
  return out;
}

function boundsSvg(b: ChartBounds, layout: ChartLayout, logY?: boolean): string[] {
  const { px, py } = toPx(layout, logY);
  return b.points.map(([x, y], i) => {
    const [cx, cy] = [px(x), py(y)];
    const text = b.labels?.[i];
    // The label goes right of the marker, or left of it near the right edge of the frame.
    const right = !text || cx + 14 + textWidth(text, FONT) < layout.plot.right - 4;
    const label = text
      ? `<text class="bound-label" x="${fmt(right ? cx + 12 : cx - 12)}" y="${fmt(cy + 12)}"${right ? '' : ' text-anchor="end"'} fill="${b.color}">${esc(text)}</text>`
      : '';
    return `<g class="bound" data-x="${x}" data-y="${y}">${boundMarkerSvg(cx, cy, b.color)}${label}</g>`;
  });
}

interface LegendItem {
  name: string;
  svg: (x: number, y: number) => string;
  width: number;
}

function legendItems(spec: ChartSpec): LegendItem[] {
  const items: LegendItem[] = spec.series.map((s) => ({
    name: s.name,
    width: 34 + textWidth(s.name, FONT) + 22,
    svg: (x, y) =>
      `<line x1="${x}" y1="${y}" x2="${x + 26}" y2="${y}" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="7 5"' : ''}/>` +
      `<circle cx="${x + 13}" cy="${y}" r="${s.hollow ? 4 : 3.5}" ${s.hollow ? `fill="white" stroke="${s.color}" stroke-width="1.5"` : `fill="${s.color}"`}/>`,
  }));
  if (spec.bounds?.points.length) {
    const b = spec.bounds;
    items.push({ name: b.name, width: 34 + textWidth(b.name, FONT) + 22, svg: (x, y) => boundMarkerSvg(x + 13, y - 9, b.color) });
  }
  return items;
}

/** Legend items placed left to right, starting a new row when `maxWidth` px is used. */
function legendRows(items: LegendItem[], maxWidth: number): LegendItem[][] {
  const rows: LegendItem[][] = [];
  let used = Infinity;
  for (const item of items) {
    if (used + item.width > maxWidth) {
      rows.push([]);
      used = 0;
    }
    rows[rows.length - 1].push(item);
    used += item.width;
  }
  return rows;
}

function legendSvg(rows: LegendItem[][], left: number): string[] {
  return rows.flatMap((row, r) => {
    let x = left;
    const y = 40 + r * LEGEND_ROW;
    return row.map((item) => {
      const g = `<g class="legend-item">${item.svg(x, y)}<text x="${x + 34}" y="${y + 4}">${esc(item.name)}</text></g>`;
      x += item.width;
      return g;
    });
  });
}
