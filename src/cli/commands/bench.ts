import { DigitalCodec } from '../../link/digital_codec.js';
import { analogLink, analogChannelUses } from '../../link/analog.js';
import { awgnLinkBatch } from '../../link/channel_model.js';
import { Rng } from '../../channel/rng.js';
import { tf } from '../../backend/init.js';
import { loadedSimdBuild, useBackend } from '../backend.js';
import { WIFI_LENGTHS, WIFI_RATES } from '../../codes/ieee80211n.js';
import { parseChoice, parseFlags, parseIntFlag, parseNumberFlag } from '../args.js';
import { formatTable } from '../table.js';
import { InputError } from '../../errors.js';

const FLAGS = {
  dim: { type: 'string' },
  bits: { type: 'string' },
  modulation: { type: 'string' },
  codes: { type: 'string' },
  'esn0-db': { type: 'string' },
  vectors: { type: 'string' },
  reps: { type: 'string' },
  decoder: { type: 'string' },
  iterations: { type: 'string' },
  seed: { type: 'string' },
  json: { type: 'boolean' },
} as const;

/** Default codes: every 802.11n code and two 5G NR codes. */
const DEFAULT_CODES = [
  ...WIFI_LENGTHS.flatMap((n) => WIFI_RATES.map((r) => `80211n:${n}:${r}`)),
  '5gnr:bg2:z64',
  '5gnr:bg1:z64',
];

/** One row of the coding-overhead table. */
export interface CodingCostRow {
  link: string;
  rate: number;
  /**
   * Channel uses per vector, in the package's one convention (src/link/snr.ts): complex uses,
   * so ⌈d/2⌉ for the analog link (two real features per use) and one modulation symbol per
   * use for a digital link.
   */
  channelUses: number;
  encodeUs: number;
  decodeUs: number;
  /** Quantise + encode + modulate/noise/demap + decode + dequantise, per vector. */
  totalUs: number;
  vectorsPerSecond: number;
  /** Feature information bits (d·b) per second through the whole chain. */
  infoMbps: number;
  /** Share of a digital vector's link time spent in LDPC encoding and decoding. */
  codingShare: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/**
 * Median µs per vector of the model's analog link: `analogLink.transmit` on backend wmoe, on
 * `count` feature vectors [count, d] sent to one expert (AWGN at Es/N0 = esn0 dB; building the link batch is timed too), result read
 * back (dataSync), after 300 ms of warm-up; `reps` timed runs.
 */
function timeAnalogLink(vectors: Float32Array, count: number, d: number, esn0: number, reps: number, seed: number): number {
  const features = tf.tensor2d(vectors, [count, d]);
  const snrDb = new Float32Array(count).fill(esn0);
  const once = (s: number) => {
    const t = performance.now();
    const received = analogLink.transmit(features as tf.Tensor2D, awgnLinkBatch(snrDb, count, 1, s));
    received.dataSync();
    const dt = performance.now() - t;
    received.dispose();
    return dt;
  };
  for (const until = performance.now() + 300; performance.now() < until; ) once(seed);
  const times = Array.from({ length: reps }, (_, r) => (once(seed + r) * 1000) / count);
  tf.dispose([features, snrDb]);
  return median(times);
}

/**
 * `wmoe bench coding`: what a digital link costs against the analog one, for feature vectors
 * of the default MoE (d = 400 LeNet-5 features, 8-bit quantisation): channel uses per vector,
 * encode/decode/total latency per vector and throughput, per code. The analog row times the
 * model's own analog link (`analogLink.transmit` on tfjs tensors, backend wmoe); the digital
 * rows the digital links' codec. Medians over --reps runs of --vectors vectors each, at --esn0-db.
 */
export async function benchCommand(argv: string[]): Promise<void> {
  const [what, ...rest] = argv;
  if (what !== 'coding') throw new InputError(`unknown benchmark '${what ?? ''}' (known: coding)`);
  const { values: v } = parseFlags(rest, FLAGS);
  const d = parseIntFlag('dim', v.dim, 400, 1);
  const bits = parseIntFlag('bits', v.bits, 8, 1);
  const modulation = parseChoice('modulation', v.modulation, ['bpsk', 'qpsk', '16qam', '64qam'] as const, 'bpsk');
  const esn0 = parseNumberFlag('esn0-db', v['esn0-db'], 5);
  const count = parseIntFlag('vectors', v.vectors, 64, 1);
  const reps = parseIntFlag('reps', v.reps, 5, 1);
  const seed = parseIntFlag('seed', v.seed, 1, 0);
  const decoder = {
    algorithm: parseChoice('decoder', v.decoder, ['nms', 'oms', 'spa'] as const, 'nms'),
    iterations: parseIntFlag('iterations', v.iterations, 10, 1),
  };
  const codecs = (v.codes ? v.codes.split(',') : DEFAULT_CODES).map((code) => new DigitalCodec({ code, modulation, bits, decoder }));

  // Feature-like vectors: ReLU of Gaussians (the backbone's outputs are post-ReLU).
  const vectors = new Rng(seed).normal(count * d).map((x) => Math.max(0, x));
  const snrs = new Float32Array(count).fill(esn0);

  await useBackend('wmoe');
  const analogUs = timeAnalogLink(vectors, count, d, esn0, reps, seed + 1);
  const rows: CodingCostRow[] = [
    { link: 'analog', rate: 1, channelUses: analogChannelUses(d), encodeUs: 0, decodeUs: 0, totalUs: analogUs, vectorsPerSecond: 1e6 / analogUs, infoMbps: (d * 32) / analogUs, codingShare: 0 },
  ];
  for (const codec of codecs) {
    // Warm up for a fixed time, so that V8 has optimised the coding paths before timing.
    for (const until = performance.now() + 300; performance.now() < until; ) codec.transmit(vectors, d, snrs, seed);
    const runs = Array.from({ length: reps }, (_, r) => {
      const t = performance.now();
      const { stats } = codec.transmit(vectors, d, snrs, seed + r);
      return { stats, totalMs: performance.now() - t };
    });
    const per = (f: (x: (typeof runs)[number]) => number) => (median(runs.map(f)) * 1000) / count;
    const encodeUs = per((x) => x.stats.encodeMs);
    const decodeUs = per((x) => x.stats.decodeMs);
    const totalUs = per((x) => x.totalMs);
    rows.push({
      link: `${codec.options.code} ${modulation}`,
      rate: codec.code.rate,
      channelUses: codec.channelUses(d),
      encodeUs,
      decodeUs,
      totalUs,
      vectorsPerSecond: 1e6 / totalUs,
      infoMbps: (d * bits) / totalUs,
      codingShare: (encodeUs + decodeUs) / totalUs,
    });
  }
  const meta = {
    d, bits, modulation, esn0Db: esn0, vectors: count, reps, decoder, wasmSimd: loadedSimdBuild(),
    analog: 'analogLink.transmit on backend wmoe: features [vectors, d] to one expert, received values read back (dataSync)',
    note: 'analog info rate counts float32 features (32 bits each); channel uses are complex uses (src/link/snr.ts)',
  };
  if (v.json) {
    process.stdout.write(JSON.stringify({ ...meta, rows }, null, 2) + '\n');
    return;
  }
  const header = ['link', 'rate', 'ch. uses/vec', 'encode µs', 'decode µs', 'total µs', 'vectors/s', 'info Mb/s', 'coding %'];
  const body = rows.map((r) => [
    r.link,
    r.rate.toFixed(3),
    String(r.channelUses),
    r.encodeUs.toFixed(1),
    r.decodeUs.toFixed(1),
    r.totalUs.toFixed(1),
    r.vectorsPerSecond.toFixed(0),
    r.infoMbps.toFixed(2),
    (r.codingShare * 100).toFixed(1),
  ]);
  process.stdout.write(
    `Digital vs analog link cost per feature vector: d = ${d}, ${bits}-bit quantisation, ${modulation}, Es/N0 = ${esn0} dB, ` +
      `${decoder.algorithm} ${decoder.iterations} it. (medians of ${reps} × ${count} vectors)\n` +
      formatTable(header, body),
  );
}
