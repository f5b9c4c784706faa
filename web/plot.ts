// The demo page's two plots, as plain SVG strings from the package's own chart writer (the one
// behind `wmoe demo`'s accuracy-vs-snr.svg and `wmoe ber --plot`; it has no dependencies).
import { lineChart } from '../src/cli/svg.js';
import type { BerResult } from '../src/sim/ber.js';
import { describeLink, type SweepResult } from './shared.js';

const SIZE = { width: 640, height: 340 };

/** Accuracy (%) against SNR (dB), naive against channel-aware gating. */
export function accuracyPlot(r: SweepResult): string {
  const { request: q } = r;
  const x = q.mode === 'one-link' ? `SNR of one link (dB), others at ${q.otherDb} dB` : 'SNR of every link (dB)';
  const pts = (acc: number[]) => q.snrDb.map((db, i) => [db, 100 * acc[i]] as [number, number]);
  return lineChart({
    ...SIZE,
    title: `Accuracy vs SNR: ${describeLink(q.link)}, ${r.samples} test images`,
    xLabel: x,
    yLabel: 'accuracy (%)',
    series: [
      { name: 'naive gate', points: pts(r.naive), dashed: true },
      { name: 'channel-aware gate', points: pts(r.channelAware) },
    ],
  });
}

/** BER and FER (log scale) against Eb/N0 (dB). */
export function berPlot(r: BerResult): string {
  const pts = (key: 'ber' | 'fer') => r.points.map((p) => [p.ebn0Db, p[key]] as [number, number]);
  if (!r.points.some((p) => p.fer > 0)) {
    return `<svg xmlns="http://www.w3.org/2000/svg" width="${SIZE.width}" height="60"><text x="10" y="35" font-family="sans-serif">No frame errors at these points: nothing to draw on a log scale.</text></svg>`;
  }
  return lineChart({
    ...SIZE,
    title: `${r.code} (n = ${r.n}, k = ${r.k}), ${r.modulation}, layered NMS ${r.iterations} it.`,
    xLabel: 'Eb/N0 (dB)',
    yLabel: 'error rate',
    logY: true,
    series: [
      { name: 'BER', points: pts('ber') },
      { name: 'FER', points: pts('fer'), dashed: true },
    ],
  });
}
