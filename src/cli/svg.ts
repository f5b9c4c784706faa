// The CLI's SVG line chart (`wmoe ber --plot`, `wmoe demo`'s accuracy-vs-snr.svg): a fixed-size
// chart with the legend at the right, padded axes (linear or log y) so that no line or marker
// runs along the frame, series, upper-bound markers (a bar with an arrow pointing down) and notes
// under the axis. Plain strings, no dependencies: ranges, ticks, markers and line breaking come
// from src/plot/, which the demo page's chart (web/chart.ts) uses too.
import { paddedRange, type AxisRange } from '../plot/axis_range.js';
import { formatLinearTick, formatLogTick, linearTicks, logMinorTicks, logTicks, niceStep } from '../plot/axis_ticks.js';
import { boundMarkerSvg, roomForArrows } from '../plot/bound_marker.js';
import { CHAR_WIDTH_EM, textWidth, wrapText } from '../plot/wrap_text.js';

/** One line of a chart: points (x, y) in data units, joined in order, each marked with a dot. */
export interface Series {
  name: string;
  points: [number, number][];
  dashed?: boolean;
}

/** Upper bounds (x, y) in data units: the true value lies below y (a bar with an arrow down). */
export interface Bounds {
  name: string;
  points: [number, number][];
  /** Text beside each marker (e.g. "< 7.46·10⁻³"), parallel to `points`. */
  labels?: string[];
}

export interface ChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  bounds?: Bounds;
  /** Logarithmic y axis (for BER/FER); non-positive values of `series` are dropped. */
  logY?: boolean;
  /** Natural limits of y on a linear axis (e.g. {lo: 0, hi: 1} for an accuracy), see paddedRange. */
  yLimits?: Partial<AxisRange>;
  /** Sentences printed under the x axis, wrapped to the width. */
  notes?: string[];
  /** Width in px (default 720). */
  width?: number;
  /** Height in px without the notes (default 420); each note line adds 16 px. */
  height?: number;
}

/** Where things go: the frame in px and the axis ranges in data units. */
interface Layout {
  width: number;
  height: number;
  plot: { left: number; top: number; right: number; bottom: number };
  x: AxisRange;
  y: AxisRange;
  logY: boolean;
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];
const BOUND_COLOR = '#333';
const FONT = 12;
const NOTE_LINE = 16;
const LEGEND_LINE = 16;
const MARGIN = { l: 70, r: 200, t: 40, b: 55 };

const fmt = (v: number) => v.toFixed(1);

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A self-contained SVG line chart, as a string. Throws when no point can be drawn. */
export function lineChart(opts: ChartOptions): string {
  const series = opts.series.map((s) => ({ ...s, points: s.points.filter(([, y]) => !opts.logY || y > 0) }));
  const notes = (opts.notes ?? []).map((n) => wrapText(n, Math.floor(((opts.width ?? 720) - 24) / (CHAR_WIDTH_EM * FONT))));
  const layout = chartLayout({ ...opts, series }, notes.reduce((s, n) => s + n.length, 0));
  const { width: W, height: H, plot } = layout;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="${FONT}">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="15">${esc(opts.title)}</text>`,
    ...axes(opts, layout),
    ...series.flatMap((s, i) => seriesSvg(s, COLORS[i % COLORS.length], layout)),
    ...(opts.bounds ? boundsSvg(opts.bounds, layout) : []),
    ...legendSvg(series, opts.bounds, layout),
  ];
  let y = plot.bottom + MARGIN.b + 8;
  for (const line of notes.flat()) {
    out.push(`<text class="note" x="12" y="${y}" fill="#444">${esc(line)}</text>`);
    y += NOTE_LINE;
  }
  out.push('</svg>');
  return out.join('\n') + '\n';
}

/** The frame and the padded axis ranges of `opts` (its series already filtered for log y). */
function chartLayout(opts: ChartOptions, noteLines: number): Layout {
  const width = opts.width ?? 720;
  const base = opts.height ?? 420;
  const plot = { left: MARGIN.l, top: MARGIN.t, right: width - MARGIN.r, bottom: base - MARGIN.b };
  const bounds = opts.bounds?.points ?? [];
  const points = [...opts.series.flatMap((s) => s.points), ...bounds];
  const x = paddedRange(points.map(([v]) => v), { fraction: 0.04, nice: false });
  let y = paddedRange(points.map(([, v]) => v), { log: opts.logY, limits: opts.yLimits });
  if (opts.logY && bounds.length) y = roomForArrows(y, Math.min(...bounds.map(([, v]) => v)), plot.bottom - plot.top);
  const height = base + (noteLines ? 4 + noteLines * NOTE_LINE : 0);
  return { width, height, plot, x, y, logY: opts.logY === true };
}

/** Pixel position of data x / y. */
function toPx({ plot, x, y, logY }: Layout) {
  const fy = logY ? Math.log10 : (v: number) => v;
  return {
    px: (v: number) => plot.left + ((v - x.lo) / (x.hi - x.lo)) * (plot.right - plot.left),
    py: (v: number) => plot.bottom - ((fy(v) - fy(y.lo)) / (fy(y.hi) - fy(y.lo))) * (plot.bottom - plot.top),
  };
}

function axes(opts: ChartOptions, layout: Layout): string[] {
  const { plot, x, y, logY } = layout;
  const { px, py } = toPx(layout);
  const out: string[] = [];
  const xStep = niceStep(x.hi - x.lo);
  for (const t of linearTicks(x.lo, x.hi)) {
    out.push(`<line x1="${fmt(px(t))}" y1="${plot.top}" x2="${fmt(px(t))}" y2="${plot.bottom}" stroke="#ddd"/>`);
    out.push(`<text x="${fmt(px(t))}" y="${plot.bottom + 16}" text-anchor="middle">${formatLinearTick(t, xStep)}</text>`);
  }
  const yTicks = logY ? logTicks(y.lo, y.hi) : linearTicks(y.lo, y.hi);
  if (logY) {
    for (const t of logMinorTicks(y.lo, y.hi, yTicks)) out.push(`<line x1="${plot.left}" y1="${fmt(py(t))}" x2="${plot.right}" y2="${fmt(py(t))}" stroke="#f1f1f1"/>`);
  }
  const yStep = logY ? 1 : niceStep(y.hi - y.lo);
  for (const t of yTicks) {
    out.push(`<line x1="${plot.left}" y1="${fmt(py(t))}" x2="${plot.right}" y2="${fmt(py(t))}" stroke="#ddd"/>`);
    out.push(`<text x="${plot.left - 6}" y="${fmt(py(t) + 4)}" text-anchor="end">${logY ? formatLogTick(t) : formatLinearTick(t, yStep)}</text>`);
  }
  out.push(`<rect class="frame" x="${plot.left}" y="${plot.top}" width="${plot.right - plot.left}" height="${plot.bottom - plot.top}" fill="none" stroke="#333"/>`);
  out.push(`<text x="${(plot.left + plot.right) / 2}" y="${plot.bottom + 41}" text-anchor="middle">${esc(opts.xLabel)}</text>`);
  out.push(`<text transform="translate(18 ${(plot.top + plot.bottom) / 2}) rotate(-90)" text-anchor="middle">${esc(opts.yLabel)}</text>`);
  return out;
}

function seriesSvg(s: Series, color: string, layout: Layout): string[] {
  const { px, py } = toPx(layout);
  const out = [`<g class="series" data-name="${esc(s.name)}">`];
  if (s.points.length > 1) {
    const d = s.points.map(([x, y], j) => `${j ? 'L' : 'M'}${fmt(px(x))},${fmt(py(y))}`).join(' ');
    out.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
  }
  for (const [x, y] of s.points) out.push(`<circle class="point" cx="${fmt(px(x))}" cy="${fmt(py(y))}" r="3" fill="${color}"/>`);
  out.push('</g>');
  return out;
}

function boundsSvg(b: Bounds, layout: Layout): string[] {
  const { px, py } = toPx(layout);
  return b.points.map(([x, y], i) => {
    const [cx, cy] = [px(x), py(y)];
    const text = b.labels?.[i];
    // The label goes right of the marker, or left of it near the right edge of the frame.
    const right = !text || cx + 14 + textWidth(text, FONT) < layout.plot.right - 4;
    const label = text
      ? `<text class="bound-label" x="${fmt(right ? cx + 12 : cx - 12)}" y="${fmt(cy + 12)}"${right ? '' : ' text-anchor="end"'} fill="${BOUND_COLOR}">${esc(text)}</text>`
      : '';
    return `<g class="bound" data-x="${x}" data-y="${y}">${boundMarkerSvg(cx, cy, BOUND_COLOR)}${label}</g>`;
  });
}

/** The legend, right of the frame: one item per series (and one for the bounds, if any), names wrapped. */
function legendSvg(series: Series[], bounds: Bounds | undefined, layout: Layout): string[] {
  const x = layout.plot.right + 10;
  const maxChars = Math.floor((layout.width - x - 28 - 4) / (CHAR_WIDTH_EM * FONT));
  const items = series.map((s, i) => {
    const color = COLORS[i % COLORS.length];
    return { name: s.name, symbol: (y: number) => `<line x1="${x}" y1="${y}" x2="${x + 24}" y2="${y}" stroke="${color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>` };
  });
  if (bounds?.points.length) items.push({ name: bounds.name, symbol: (y: number) => boundMarkerSvg(x + 12, y - 8, BOUND_COLOR) });
  let y = layout.plot.top + 10;
  return items.map((item) => {
    const lines = wrapText(item.name, Math.max(1, maxChars));
    const text = lines.map((line, j) => `<text x="${x + 28}" y="${y + 4 + j * LEGEND_LINE}">${esc(line)}</text>`).join('');
    const g = `<g class="legend-item">${item.symbol(y)}${text}</g>`;
    y += Math.max(1, lines.length) * LEGEND_LINE + 6;
    return g;
  });
}
