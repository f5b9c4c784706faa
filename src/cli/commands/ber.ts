import { existsSync, statSync, writeFileSync, renameSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import {
  simulateBer,
  parseSnrRange,
  berTableHeader,
  berTableRow,
  BER_DECODERS,
  BER_DEMAPPERS,
  BER_MODULATIONS,
  type BerOptions,
  type BerProgress,
  type BerResult,
} from '../../sim/index.js';
import { parseChoice, parseFlags, parseIntFlag, parseNumberFlag, parseSeedFlag } from '../args.js';
import { lineChart } from '../svg.js';
import { BOUND_LEVEL, errorRateCurves, zeroErrorNote } from '../../plot/error_bounds.js';
import { formatRate } from '../../plot/axis_ticks.js';
import { InputError } from '../../errors.js';
import { BER_CHANNEL_FLAGS, CHANNEL_FLAGS, parseChannelFlags } from '../channel_flags.js';
import { berMcsTable } from './ber_mcs_table.js';

const FLAGS = {
  code: { type: 'string' },
  modulation: { type: 'string' },
  decoder: { type: 'string' },
  iterations: { type: 'string' },
  'nms-factor': { type: 'string' },
  demapper: { type: 'string' },
  'ebn0-db': { type: 'string' },
  'esn0-db': { type: 'string' },
  'max-frame-errors': { type: 'string' },
  'max-frames': { type: 'string' },
  'batch-frames': { type: 'string' },
  seed: { type: 'string' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean' },
  plot: { type: 'string' },
  'mcs-table': { type: 'string' },
  ...(Object.fromEntries(BER_CHANNEL_FLAGS.map((f) => [f, CHANNEL_FLAGS[f]])) as Pick<typeof CHANNEL_FLAGS, (typeof BER_CHANNEL_FLAGS)[number]>),
} as const;

const DEFAULT_CODE = '80211n:648:1/2';
const DEFAULT_EBN0 = '0:0.5:3';

/** A live one-line progress report on a TTY (stderr); nothing otherwise, nor when `quiet`. */
function liveProgress(quiet: boolean, stream: NodeJS.WriteStream = process.stderr): (p: BerProgress) => void {
  if (quiet || stream.isTTY !== true) return () => {};
  let last = 0;
  return (p) => {
    if (p.done) {
      stream.write('\r\x1b[K');
      return;
    }
    const t = Date.now();
    if (t - last < 100) return;
    last = t;
    const ber = p.frames > 0 ? (p.bitErrors / (p.frames * p.settings.k)).toExponential(2) : '-';
    const fer = p.frames > 0 ? (p.frameErrors / p.frames).toExponential(2) : '-';
    stream.write(
      `\r[${p.point + 1}/${p.points}] Eb/N0 ${p.ebn0Db.toFixed(2)} dB: ${p.frames}/${p.settings.maxFrames} frames, ` +
        `${p.frameErrors}/${p.settings.maxFrameErrors} frame errors, BER ${ber}, FER ${fer}\x1b[K`,
    );
  };
}

/**
 * SVG of BER and FER against Eb/N0 (log y axis). Points without a frame error are drawn as
 * one-sided 95 % upper bounds, with a note saying so (src/plot/error_bounds.ts).
 */
function plotSvg(r: BerResult): string {
  const channel = r.channel === 'awgn' && r.rxCsi === 'perfect'
    ? 'AWGN'
    : `${r.channel}${r.coherence > 1 ? `, ${r.coherence} frames/block` : ''}${r.doppler === null ? '' : `, Doppler ${r.doppler}`}, rx CSI ${r.rxCsi}`;
  const title = r.code === 'none' ? `uncoded ${r.modulation}, ${channel}` : `${r.code}, ${r.modulation}, ${r.decoder} ${r.iterations} it., ${channel}`;
  const curves = errorRateCurves(r.points);
  const note = zeroErrorNote(curves.bounds);
  return lineChart({
    title,
    xLabel: 'Eb/N0 (dB)',
    yLabel: 'error rate',
    logY: true,
    series: [
      { name: 'BER', points: curves.ber },
      { name: 'FER', points: curves.fer, dashed: true },
    ].filter((s) => s.points.length > 0),
    bounds: {
      name: `no frame error: ${Math.round(100 * BOUND_LEVEL)} % upper bound`,
      points: curves.bounds.map((b) => [b.ebn0Db, b.bound]),
      labels: curves.bounds.map((b) => `< ${formatRate(b.bound)}`),
    },
    notes: note === undefined ? [] : [note],
  });
}

/**
 * `wmoe ber`: Monte-Carlo BER/FER of an LDPC code (or uncoded) with BPSK/QPSK/16-QAM/64-QAM over AWGN
 * or flat block fading (--channel rayleigh|rician:K, --coherence N codewords per block, --doppler,
 * --rx-csi perfect|pilots:P; the SNR points are then mean SNRs, and FER is the codeword error rate).
 * Prints an AFF3CT-style table row by row (or one JSON document with --json), a live progress
 * line on a TTY (stderr; none with --quiet), and with --plot FILE an SVG of BER and FER against Eb/N0.
 */
export async function berCommand(argv: string[]): Promise<void> {
  const { values: v } = parseFlags(argv, FLAGS);
  if (v['ebn0-db'] !== undefined && v['esn0-db'] !== undefined) throw new InputError('give either --ebn0-db or --esn0-db, not both');
  const opts: BerOptions = {
    code: v.code ?? DEFAULT_CODE,
    modulation: parseChoice('modulation', v.modulation, BER_MODULATIONS, 'bpsk'),
    decoder: parseChoice('decoder', v.decoder, BER_DECODERS, 'nms'),
    demapper: parseChoice('demapper', v.demapper, BER_DEMAPPERS, 'exact'),
    maxFrameErrors: parseIntFlag('max-frame-errors', v['max-frame-errors'], 100, 1),
    maxFrames: parseIntFlag('max-frames', v['max-frames'], 100000, 1),
    batchFrames: parseIntFlag('batch-frames', v['batch-frames'], 256, 1),
    seed: parseSeedFlag(v.seed, 1),
  };
  if (v.iterations !== undefined) opts.iterations = parseIntFlag('iterations', v.iterations, 0, 1);
  if (v['nms-factor'] !== undefined) {
    const f = parseNumberFlag('nms-factor', v['nms-factor'], 0.75);
    if (!(f > 0 && f <= 1)) throw new InputError(`--nms-factor '${v['nms-factor']}' must be in (0, 1]`);
    if (opts.decoder !== 'nms') throw new InputError(`--nms-factor '${v['nms-factor']}' applies only to --decoder nms, not '${opts.decoder}'`);
    opts.nmsFactor = f;
  }
  if (v['mcs-table'] !== undefined) {
    const { code: _c, modulation: _m, ...sweep } = opts;
    if (v['esn0-db'] !== undefined) (sweep as { esn0Db?: number[] }).esn0Db = parseSnrRange(v['esn0-db'], '--esn0-db');
    const tty = v.quiet !== true && process.stderr.isTTY === true;
    berMcsTable(v['mcs-table'], sweep, v, v.json === true, (p) => {
      if (tty) process.stderr.write(`\rMCS ${p.mcs} Es/N0 ${p.esn0Db} dB: ${p.frameErrors}/${p.frames} frame errors\x1b[K`);
    });
    if (tty) process.stderr.write('\r\x1b[K');
    return;
  }
  const { fading, rxCsi } = parseChannelFlags(v);
  opts.channel = fading.channel;
  opts.coherence = fading.coherence;
  opts.doppler = fading.doppler;
  opts.rxCsi = rxCsi;
  if (v['esn0-db'] !== undefined) opts.esn0Db = parseSnrRange(v['esn0-db'], '--esn0-db');
  else opts.ebn0Db = parseSnrRange(v['ebn0-db'] ?? DEFAULT_EBN0, '--ebn0-db');
  let plot: string | undefined;
  if (v.plot !== undefined) {
    plot = resolve(v.plot);
    const dir = dirname(plot);
    if (v.plot === '' || !existsSync(dir) || !statSync(dir).isDirectory()) throw new InputError(`--plot '${v.plot}': directory '${dir}' does not exist`);
    if (existsSync(plot) && statSync(plot).isDirectory()) throw new InputError(`--plot '${v.plot}' is a directory`);
  }

  const progress = liveProgress(v.quiet === true);
  const json = v.json === true;
  let headerDone = false;
  const result = simulateBer(opts, (p) => {
    progress(p);
    if (json || !p.done || !p.result) return;
    // Rows appear as points finish (the header once the first is done: options are valid by then).
    if (!headerDone) {
      process.stdout.write(berTableHeader(p.settings));
      headerDone = true;
    }
    process.stdout.write(berTableRow(p.result));
  });
  if (json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
  if (plot !== undefined) {
    const tmp = `${plot}.tmp-${process.pid}`;
    const svg = plotSvg(result);
    try {
      writeFileSync(tmp, svg);
      renameSync(tmp, plot);
    } catch (e) {
      throw new InputError(`cannot write --plot '${v.plot}': ${(e as Error).message.split('\n')[0]}`);
    }
  }
}
