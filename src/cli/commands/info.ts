import { MODEL_NAMES } from '../../models/backbone.js';
import { DistributedMoE } from '../../moe/model.js';
import { analogChannelUses, DigitalCodec } from '../../link/index.js';
import { tf } from '../../backend/init.js';
import { parseChoice, parseFlags, parseIntFlag } from '../args.js';
import { parseModelOptions } from '../model_flags.js';
import { formatTable } from '../table.js';
import { simdBuildOfFlag } from '../backend.js';

const FLAGS = {
  model: { type: 'string' },
  'model-options': { type: 'string' },
  experts: { type: 'string' },
  'top-k': { type: 'string' },
  classes: { type: 'string' },
  channels: { type: 'string' },
  bits: { type: 'string' },
  json: { type: 'boolean' },
} as const;

/** The digital links `info` prices: 802.11n at both lengths and four rates, and 5G NR. */
const CODES = ['80211n:648:1/2', '80211n:648:3/4', '80211n:1944:1/2', '80211n:1944:5/6', '5gnr:bg1:z64'];

/**
 * `wmoe info --model M --experts K`: trainable parameter counts of the backbone, the gates and
 * the experts, the non-trainable state (batch-norm running statistics) as its own row, so that
 * the rows add up to the total, the feature dimension d sent to every chosen expert, and the complex channel uses
 * per sample per chosen expert for the analog link and each digital code (BPSK and QPSK), and
 * which SIMD build of backend wmoe's kernels this process would run (relaxed or plain, per --simd).
 */
export async function infoCommand(argv: string[]): Promise<void> {
  const { values: v } = parseFlags(argv, FLAGS);
  const model = parseChoice('model', v.model, MODEL_NAMES, 'lenet5');
  const experts = parseIntFlag('experts', v.experts, 4, 1);
  const topK = parseIntFlag('top-k', v['top-k'], Math.min(2, experts), 1);
  const classes = parseIntFlag('classes', v.classes, 10, 2, 1000);
  const channels = parseIntFlag('channels', v.channels, model === 'lenet5' ? 1 : 3, 1, 3);
  const bits = parseIntFlag('bits', v.bits, 8, 1);
  const modelOptions = parseModelOptions(v['model-options']);
  await tf.setBackend('cpu'); // only shapes and counts: no kernels run
  (tf.backend() as unknown as { firstUse: boolean }).firstUse = false; // no "install tfjs-node" banner
  const moe = new DistributedMoE(
    { model, dataset: 'mnist', inputShape: [32, 32, channels], classes, experts, topK, snrRange: [-10, 20], modelOptions },
    0,
  );
  const p = moe.params;
  const d = moe.backbone.featureDim;
  const params = {
    backbone: p.size('backbone/', true),
    naiveGate: p.size('gate/naive/', true),
    channelAwareGate: p.size('gate/channel/', true),
    perExpert: p.size('experts/', true) / experts,
    total: p.size(),
    trainable: p.size('', true),
    nonTrainable: p.size() - p.size('', true),
  };
  const links = [
    { link: 'analog', channelUses: analogChannelUses(d) },
    ...CODES.flatMap((code) =>
      (['bpsk', 'qpsk'] as const).map((modulation) => {
        const codec = new DigitalCodec({ code, modulation, bits });
        return { link: `digital ${code} ${modulation} ${bits}-bit`, channelUses: codec.channelUses(d) };
      }),
    ),
  ];
  moe.dispose();
  const wasmSimd = simdBuildOfFlag();
  const report = { model, modelOptions: modelOptions ?? {}, inputShape: [32, 32, channels], classes, experts, topK, featureDim: d, params, links, wasmSimd };
  if (v.json) {
    process.stdout.write(JSON.stringify(report, null, 2) + '\n');
    return;
  }
  const n = (x: number) => x.toLocaleString('en-US');
  process.stdout.write(
    `${model} MoE, 32x32x${channels} input, ${classes} classes, K = ${experts} experts, top-${topK}\n\n` +
      formatTable(
        ['part', 'parameters'],
        [
          ['backbone (server)', n(params.backbone)],
          ['naive gate', n(params.naiveGate)],
          ['channel-aware gate', n(params.channelAwareGate)],
          [`${experts} experts (${n(params.perExpert)} each)`, n(experts * params.perExpert)],
          ['non-trainable (batch-norm running statistics)', n(params.nonTrainable)],
          ['total', n(params.total)],
        ],
      ) +
      `\nd = ${n(d)} values sent to each chosen expert per sample; ` +
      `complex channel uses per sample per chosen expert (×${topK} experts per sample):\n\n` +
      formatTable(['link', 'channel uses'], links.map((l) => [l.link, n(l.channelUses)])) +
      `\nkernels: backend wmoe runs its ${wasmSimd === 'relaxed' ? 'relaxed-SIMD (fused multiply-add)' : 'plain SIMD'} WASM build in this process (--simd auto|relaxed|plain)\n`,
  );
}
