// Reads back what the page's SVG charts drew (test/web/chart.test.ts, plot.test.ts): the frame,
// the dots, the bound markers, the y tick labels and the notes, in px.

export interface Drawn {
  width: number;
  height: number;
  frame: { left: number; top: number; right: number; bottom: number };
  /** Dots by series name, in drawing order. */
  series: { name: string; dashed: boolean; points: { x: number; y: number }[] }[];
  /** Bound markers: data x and y, and the px of the bar (x centre, y). */
  bounds: { dataX: number; dataY: number; x: number; y: number }[];
  /** y tick labels and the px y of their grid line. */
  yTicks: { label: string; y: number }[];
  /** x tick labels and the px x of their grid line. */
  xTicks: { label: string; x: number }[];
  /** Note lines, in order. */
  notes: string[];
  legend: string[];
}

const num = (s: string, attr: string): number => {
  const m = new RegExp(`\\b${attr}="([^"]+)"`).exec(s);
  if (!m) throw new Error(`no ${attr} in ${s.slice(0, 80)}`);
  return Number(m[1]);
};
const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');

/** Parses an SVG string written by web/chart.ts. */
export function readChart(svg: string): Drawn {
  const root = /<svg [^>]*>/.exec(svg)![0];
  const frameTag = /<rect class="frame"[^>]*>/.exec(svg)![0];
  const left = num(frameTag, 'x');
  const top = num(frameTag, 'y');
  const frame = { left, top, right: left + num(frameTag, 'width'), bottom: top + num(frameTag, 'height') };
  const series = [...svg.matchAll(/<g class="series" data-name="([^"]*)">([\s\S]*?)<\/g>/g)].map((m) => ({
    name: unescape(m[1]),
    dashed: /stroke-dasharray/.test(m[2]),
    points: [...m[2].matchAll(/<circle class="point"[^>]*>/g)].map((c) => ({ x: num(c[0], 'cx'), y: num(c[0], 'cy') })),
  }));
  const bounds = [...svg.matchAll(/<g class="bound" data-x="([^"]+)" data-y="([^"]+)"><path d="M([\d.-]+),([\d.-]+) H([\d.-]+)/g)].map((m) => ({
    dataX: Number(m[1]),
    dataY: Number(m[2]),
    x: (Number(m[3]) + Number(m[5])) / 2,
    y: Number(m[4]),
  }));
  const yTicks = [...svg.matchAll(/<text x="[\d.]+" y="([\d.-]+)" text-anchor="end">([^<]*)<\/text>/g)].map((m) => ({ label: m[2], y: Number(m[1]) - 4 }));
  const xTicks = [...svg.matchAll(/<text x="([\d.-]+)" y="[\d.]+" text-anchor="middle">([^<]*)<\/text>/g)]
    .filter((m) => /^[\u2212\d.]+$/.test(m[2]))
    .map((m) => ({ label: m[2], x: Number(m[1]) }));
  const notes = [...svg.matchAll(/<text class="note"[^>]*>([^<]*)<\/text>/g)].map((m) => unescape(m[1]));
  const legend = [...svg.matchAll(/<g class="legend-item">[\s\S]*?<text[^>]*>([^<]*)<\/text><\/g>/g)].map((m) => unescape(m[1]));
  return { width: num(root, 'width'), height: num(root, 'height'), frame, series, bounds, yTicks, xTicks, notes, legend };
}

/** The px y of a data value v on the log axis, from two labelled decade ticks (independent of the chart's code). */
export function logY(ticks: Drawn['yTicks'], v: number): number {
  const decade = (label: string) => {
    const m = /^10([⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+)$/.exec(label);
    if (!m) return undefined;
    const digits = [...m[1]].map((c) => '⁻⁰¹²³⁴⁵⁶⁷⁸⁹'.indexOf(c)).map((i) => (i === 0 ? '-' : String(i - 1))).join('');
    return Number(digits);
  };
  const known = ticks.flatMap((t) => (decade(t.label) === undefined ? [] : [{ e: decade(t.label)!, y: t.y }]));
  if (known.length < 2) throw new Error(`fewer than two decade ticks among ${ticks.map((t) => t.label).join(' ')}`);
  const [a, b] = [known[0], known[known.length - 1]];
  return a.y + ((Math.log10(v) - a.e) / (b.e - a.e)) * (b.y - a.y);
}

/** The px y of a data value v on a linear axis, from two numeric tick labels. */
export function linearY(ticks: Drawn['yTicks'], v: number): number {
  const known = ticks.map((t) => ({ v: Number(t.label.replace('\u2212', '-')), y: t.y }));
  const [a, b] = [known[0], known[known.length - 1]];
  return a.y + ((v - a.v) / (b.v - a.v)) * (b.y - a.y);
}

/** The px x of a data value v, from two numeric x tick labels. */
export function linearX(ticks: Drawn['xTicks'], v: number): number {
  const known = ticks.map((t) => ({ v: Number(t.label.replace('\u2212', '-')), x: t.x }));
  const [a, b] = [known[0], known[known.length - 1]];
  return a.x + ((v - a.v) / (b.v - a.v)) * (b.x - a.x);
}
