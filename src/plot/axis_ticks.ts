// Axis ticks of the SVG charts (the demo page's web/chart.ts, the CLI's src/cli/svg.ts): "nice"
// steps (1, 2 or 5 times a power of ten) on a linear axis, powers of ten on a logarithmic one,
// and their labels. Values are in data units.

/** Typographic minus (U+2212), as charts print negative numbers. */
const MINUS = '\u2212';
const SUPERSCRIPT: Record<string, string> = { '-': '⁻', '0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹' };

/** Rounds away float noise (0.1 + 0.2 → 0.3), to 12 significant digits. */
const clean = (v: number) => Number(v.toPrecision(12));

/**
 * The smallest nice step (1, 2 or 5 times a power of ten) that divides `span` (> 0, data
 * units) into at most `count` intervals.
 */
export function niceStep(span: number, count = 6): number {
  if (!(span > 0) || !Number.isFinite(span)) throw new Error(`niceStep: span must be finite and > 0, got ${span}`);
  const raw = span / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  return clean([1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw * (1 - 1e-9))!);
}

/** Multiples of a nice step inside [lo, hi] (ends included), at most about `count` + 1 of them. */
export function linearTicks(lo: number, hi: number, count = 6): number[] {
  if (!(hi > lo)) throw new Error(`linearTicks: need lo < hi, got [${lo}, ${hi}]`);
  const step = niceStep(hi - lo, count);
  const out: number[] = [];
  for (let i = Math.ceil(lo / step - 1e-9); i * step <= hi + step * 1e-9; i++) out.push(clean(i * step));
  return out;
}

/**
 * Ticks of a log axis over [lo, hi] (0 < lo < hi): every power of ten inside it; when that gives
 * fewer than two, the 1-2-5 sequence inside it instead (a range narrower than a decade).
 */
export function logTicks(lo: number, hi: number): number[] {
  if (!(lo > 0 && hi > lo)) throw new Error(`logTicks: need 0 < lo < hi, got [${lo}, ${hi}]`);
  const inside = (v: number) => v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9);
  const e0 = Math.floor(Math.log10(lo));
  const e1 = Math.ceil(Math.log10(hi));
  const decades: number[] = [];
  for (let e = e0; e <= e1; e++) decades.push(clean(10 ** e));
  const major = decades.filter(inside);
  if (major.length >= 2) return major;
  return decades.flatMap((d) => [d, clean(2 * d), clean(5 * d)]).filter(inside);
}

/** Faint grid lines of a log axis: 2·10^e … 9·10^e inside [lo, hi], not on a tick of `ticks`. */
export function logMinorTicks(lo: number, hi: number, ticks: number[]): number[] {
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (let m = 2; m <= 9; m++) {
      const v = clean(m * 10 ** e);
      if (v >= lo && v <= hi && !ticks.includes(v)) out.push(v);
    }
  }
  return out;
}

/** Label of a linear tick: as many decimals as `step` needs, typographic minus ("−10", "0.25"). */
export function formatLinearTick(v: number, step: number): string {
  let decimals = 0;
  while (decimals < 12 && Math.abs(clean(step * 10 ** decimals) % 1) > 1e-9) decimals++;
  const text = (Math.abs(v) < step * 1e-9 ? 0 : v).toFixed(decimals);
  return text.startsWith('-') ? MINUS + text.slice(1) : text;
}

/** Label of a log tick: "10⁻³" for a power of ten, else "2·10⁻³"; `v` > 0. */
export function formatLogTick(v: number): string {
  const e = Math.floor(Math.log10(v) + 1e-9);
  const m = clean(v / 10 ** e);
  const power = `10${String(e).replace(/./g, (c) => SUPERSCRIPT[c])}`;
  return m === 1 ? power : `${m}·${power}`;
}

/** A number for a note: 3 significant digits, exponent form below 0.01 ("7.46·10⁻³"). */
export function formatRate(v: number): string {
  if (v === 0 || (Math.abs(v) >= 0.01 && Math.abs(v) < 1e4)) return String(Number(v.toPrecision(3))).replace('-', MINUS);
  const e = Math.floor(Math.log10(Math.abs(v)));
  const m = Number((v / 10 ** e).toPrecision(3));
  if (Math.abs(m) >= 10) return formatRate(Math.sign(v) * 10 ** (e + 1));
  return `${String(m).replace('-', MINUS)}·10${String(e).replace(/./g, (c) => SUPERSCRIPT[c])}`;
}
