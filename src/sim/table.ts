// Text rendering of BER simulation results, in the layout of AFF3CT's terminal report.
import type { BerPoint, BerResult, BerSettings } from './ber.js';

const COLUMNS: [string, string, (p: BerPoint) => string][] = [
  ['Es/N0', '(dB)', (p) => p.esn0Db.toFixed(2)],
  ['Eb/N0', '(dB)', (p) => p.ebn0Db.toFixed(2)],
  ['FRA', '', (p) => String(p.frames)],
  ['BE', '', (p) => String(p.bitErrors)],
  ['FE', '', (p) => String(p.frameErrors)],
  ['BER', '', (p) => sci(p.ber)],
  ['FER', '', (p) => sci(p.fer)],
  ['DEC_THR', '(Mb/s)', (p) => (p.decoderMbps === null ? '-' : p.decoderMbps.toFixed(3))],
  ['ET', '(s)', (p) => p.seconds.toFixed(2)],
];
const WIDTH = 10;

/** x in AFF3CT's scientific format with a two-digit exponent: 5.81e-02. */
function sci(x: number): string {
  const [m, e] = x.toExponential(2).split('e');
  const n = Number(e);
  return `${m}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`;
}

/** One header line of the settings (code, n, k, rate, modulation, decoder) as a `#` comment. */
export function describeBerSettings(r: BerSettings): string {
  const dec = r.decoder === null
    ? 'uncoded'
    : `decoder ${r.decoder}, ${r.iterations} iterations${r.nmsFactor !== null ? `, factor ${r.nmsFactor}` : ''}`;
  return `# code ${r.code} (n = ${r.n}, k = ${r.k}, R = ${r.rate.toFixed(4)}), ${r.modulation}, ${r.demapper} LLRs, ${dec}; ` +
    `stop at ${r.maxFrameErrors} frame errors or ${r.maxFrames} frames; seed ${r.seed}` +
    ((r.channel ?? 'awgn') === 'awgn' && (r.rxCsi ?? 'perfect') === 'perfect' ? '' : `; channel ${r.channel}, coherence ${r.coherence}, doppler ${r.doppler ?? 'none'}, rx-csi ${r.rxCsi}`);
}

/** The table's header lines (settings comment, rule, column names, units, rule), newline-terminated. */
export function berTableHeader(r: BerSettings): string {
  const rule = '# ' + COLUMNS.map(() => '-'.repeat(WIDTH)).join('|');
  const names = '# ' + COLUMNS.map(([name]) => name.padStart(WIDTH - 1) + ' ').join('|').trimEnd();
  const units = '# ' + COLUMNS.map(([, unit]) => unit.padStart(WIDTH - 1) + ' ').join('|').trimEnd();
  return [describeBerSettings(r), rule, names, units, rule].join('\n') + '\n';
}

/** One table row for a finished point, newline-terminated (columns as in {@link berTableHeader}). */
export function berTableRow(p: BerPoint): string {
  return ('  ' + COLUMNS.map(([, , cell]) => cell(p).padStart(WIDTH - 1) + ' ').join('|')).trimEnd() + '\n';
}

/**
 * The whole result as an AFF3CT-style table: Es/N0 and Eb/N0 (dB), frames (FRA), bit and frame
 * errors (BE, FE), BER, FER, decoder throughput in information Mb/s ('-' when uncoded) and the
 * point's elapsed seconds.
 */
export function formatBerTable(r: BerResult): string {
  return berTableHeader(r) + r.points.map(berTableRow).join('');
}
