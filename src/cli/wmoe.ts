import './relaxed_simd.js'; // first: turns on Node 20's relaxed SIMD before any WASM compiles
import { modelDefaultsUsage, trainCommand } from './commands/train.js';
import { evalCommand } from './commands/eval.js';
import { demoCommand } from './commands/demo.js';
import { describeFailure } from './report_error.js';
import { closeProgressLine } from './progress.js';
import { InputError } from '../errors.js';
import { INT_FLAG_MAX } from './args.js';
import { CHANNEL_FLAGS_HELP } from './channel_flags.js';
import { takeSimdFlag } from './backend.js';

/** The upper bounds of the integer flags, as the usage text lists them (lines of about 90 columns). */
function boundsText(): string {
  const items = Object.entries(INT_FLAG_MAX).map(([name, max]) => `--${name} ≤ ${max}`);
  const lines: string[] = [];
  let line = '';
  for (const item of items) {
    if (line && line.length + item.length + 2 > 88) {
      lines.push(line + ',');
      line = '';
    }
    line += (line ? ', ' : '') + item;
  }
  return [...lines, line].join('\n  ');
}

const USAGE = `usage: wmoe <command> [flags]

commands:
  demo    train the default LeNet-5 MoE on MNIST and compare naive vs channel-aware gating
          over analog and digital links (npm start); train's flags except --link and --code, plus
          --digital-codes SPEC,SPEC|none. The analog rows use a gate trained (stage 2) over the
          analog link, each digital code's rows one trained over that digital link; --modulation,
          --bits, --decoder and --iterations apply to every digital link. The channel flags and
          --channel-use-weight apply to stage 2 and every evaluation; --geometry adds a row at its
          mean SNRs; --mcs gives the digital rows (instead of --digital-codes).
          --pareto: instead, retrain stage 2 for each channel-use weight λ in 0, 0.01, 0.03, 0.1,
          0.3, 1 over adaptive digital (adaptive:table=80211n:1944), and once (λ = 0: their
          costs are equal on every expert) over analog, analog ×4 and ×16 (each use repeated)
          and digital 80211n:1944:3 (16-QAM 1/2); print test accuracy against mean channel uses
          per sample for the naive and the channel-aware gate, and the accuracy of each digital
          link at the channel uses of the analog points;
          write pareto.json and pareto.svg. Channel rayleigh unless a channel flag is given; mean
          SNRs from --snr-range; --bits/--decoder/--iterations apply; no --digital-codes, --mcs,
          --geometry or --channel-use-weight.
  demo --resume DIR [--threads auto|N --spin N --quiet --checkpoint-minutes M --stop-after-minutes M]
          continues a stopped demo with the flags it recorded (DIR/demo-flags.json): unfinished
          training goes on bit-identically (as train --resume); after training, the comparisons
          run from the saved checkpoint, but for the parts an earlier session finished (saved in
          DIR/demo-parts). A fresh demo refuses an --out holding an unfinished run.
  train   --model lenet5|resnet18|vit [--model-options NAME=V,...] --dataset mnist|fashion-mnist|
          mnist-idx|cifar10|cifar100 [--data-dir DIR --labels fine|coarse] --experts K --top-k k
          --epochs E --stage1-epochs E1 --stage2-epochs E2 --snr-range -10:20 --seed S
          --backend wmoe|cpu|<any registered tfjs backend> --threads auto|N --spin N --out DIR
          [--stage2-lr 3e-3 --batch-size 64 --train-samples N --test-samples N --validation 0.1
           --augment auto|none|crop|crop-flip --no-normalise --load-balance 1
           --stage2-load-balance 0.5 --stage2-importance 0.1 --keep-epoch best|last
           ${modelDefaultsUsage().join('\n           ')}]
          (the last five: the default, then each model whose default differs)
          [--link analog|digital --code 80211n:648:1/2 --modulation bpsk --bits 8 ...] (stage 2;
          the checkpoint records this link)
          [--channel ... --coherence N --doppler f --csi ... --rx-csi ... --mcs ... (see channel
           below) --channel-use-weight λ] (stage 2 trains under this channel, the checkpoint
           records it; λ ≥ 0, default 0: weight of the chosen experts' channel uses in the loss)
          Saves the training state into --out after every epoch (resume-state.bin, removed when
          the run ends), and inside a stage-1 epoch every --checkpoint-minutes M (default 20; 0:
          only after epochs); an --out holding an unfinished run is refused.
          To stop a run without losing work, create DIR/STOP (touch), or give
          --stop-after-minutes M: after the next step (stage 1) or epoch (stage 2) it saves its
          state there and exits with status 75 (a demo's comparisons: after the next part);
          --resume continues it. (A kill stops at once and loses the work since the last saved
          state.)
  train --resume DIR [--threads auto|N --spin N --quiet --checkpoint-minutes M --stop-after-minutes M]
          continues the unfinished run in DIR with the flags it recorded, bit-identical to a run
          that never stopped
  eval    --checkpoint DIR --gate naive|channel-aware --link perfect|analog|digital [--threads auto|N --spin N]
          [--code 80211n:648:1/2 --modulation bpsk|qpsk|16qam|64qam --bits 8 --decoder nms --iterations 10]
          (--snr-db a,b,c,d | --snr-range MIN:MAX) --seed S [--test-samples N] --json
          Without --link: the link the checkpoint's gate was trained over (and its digital
          options, unless given). --link perfect takes no --snr-db/--snr-range.
          [--channel ... --coherence --doppler --csi --rx-csi --mcs --geometry (see channel below)]
          default: the channel the checkpoint's stage 2 trained under; each flag given overrides
          its setting (a mismatched evaluation). --json adds channel (texts, source of each),
          channelUsesPerSample {mean, p95}, csiUsesPerSample, digital.bler, digital.mcs
  predict --checkpoint DIR (--input FILE | --dataset NAME [--data-dir DIR --test-samples N])
          [--batch-size 250 --gate naive|channel-aware --seed S --threads auto|N --json --quiet]
          runs the checkpoint's MoE for inference (batch norm folded into the convolutions, only
          the chosen experts run): per image the class, its probability and the chosen experts
          with their weights; the accuracy when the images have labels (--dataset, CIFAR files);
          the median latency per batch and images/s. FILE: an IDX images file (MNIST,
          Fashion-MNIST; gzipped or not) or a CIFAR-10/100 binary batch. Perfect links unless
          --link analog|digital (then eval's SNR, digital and channel flags; default SNRs: the
          checkpoint's range). --json: the same per image, all class probabilities, timing
  info    --model M [--model-options ...] --experts K [--top-k k --classes 10 --channels 1|3
          --bits 8 --json]: parameters of backbone, gates and each expert, the feature
          dimension d, and channel uses per sample per chosen expert for each link
  ber     --code SPEC|none --modulation bpsk|qpsk|16qam|64qam --decoder nms|oms|spa --iterations N
          --nms-factor F (--ebn0-db 0:0.5:4 | --esn0-db 1.5,2) --max-frame-errors 100
          --max-frames N --batch-frames 256 --seed S --json --plot FILE
          [--channel awgn|rayleigh|rician:K --coherence 1 --doppler f|ar1:f --rx-csi perfect|pilots:P]
          Fading: each codeword (uncoded: each frame) sees one complex gain h, E|h|² = 1, so the
          SNRs are mean SNRs; rician:K has its K-factor in dB (or inf); --coherence N codewords
          share one h (default 1); --doppler correlates successive blocks (f = fD·T per block in
          [0, 0.5]: Jakes, correlation J0(2πfτ); ar1:f: AR(1) with ρ = J0(2πf); default
          independent blocks); --rx-csi pilots:P: the receiver equalises with an LS estimate from P
          pilots per codeword (counted as channel uses), perfect (default): with the true h.
  ber     --mcs-table 80211n:648|80211n:1296|80211n:1944|nr [--esn0-db GRID --decoder ... --iterations N
          --max-frame-errors 100 --max-frames N --seed S --json]  the PHY abstraction: BLER against
          Es/N0 over AWGN for every MCS of the table (its own code and modulation); grid per MCS from
          its Shannon Es/N0 −1 … +8 dB by 0.25 dB unless --esn0-db; an MCS stops at its first point
          without a frame error. --json: the format of src/link/adapt/data/*.json (scripts/phy-tables.mjs)
  bench coding  [--codes SPEC,... --dim 400 --bits 8 --modulation bpsk --esn0-db 5 --vectors 64
          --reps 5 --json]  what a digital link costs per feature vector against the analog one

channel (train, eval, demo):
  ${CHANNEL_FLAGS_HELP.join('\n  ')}
  --channel-use-weight λ               train, demo: stage 2 only, ≥ 0; default 0
  --geometry                           eval and demo only (stage 2 draws its mean SNRs from --snr-range)

progress: train, demo, eval and predict report progress on stderr (on a terminal a live line; otherwise a
  line every 5 s and at each epoch's end), ber a live line on a terminal; --quiet prints none
  (errors still print, results stay on stdout).

--threads (train, eval, demo, predict): threads of backend wmoe, main thread included; auto (the default)
  is this machine's logical CPUs, and 1 with another backend. --spin: polls of an idle wmoe
  worker before it sleeps (default 200000); lower it (e.g. 2000) when other processes compete
  for the cores. Results are bit-identical at any thread count.

--simd auto|relaxed|plain (any command): which build of backend wmoe's WASM kernels runs. auto (the
  default) is the relaxed-SIMD build (fused multiply-adds, faster) where the engine has relaxed
  SIMD (this CLI turns it on in Node 20), else plain SIMD. Results are bit-identical run to run
  within one build on one machine; the two builds differ in the last bits. plain gives the same
  bits as the package in a browser with init({ simd: 'plain' }).

bounds of the integer flags (inclusive; the lower bounds are 0 or 1):
  ${boundsText()}

exit status: 0 on success; 1 for bad input (one line naming the value); 75 for a training run
  stopped as asked (STOP file or --stop-after-minutes), its state saved; 70 for an internal
  error (a bug: the message and its stack).
`;

const COMMANDS: Record<string, (argv: string[]) => Promise<unknown>> = {
  demo: demoCommand,
  train: trainCommand,
  eval: evalCommand,
  bench: (argv) => import('./commands/bench.js').then((m) => m.benchCommand(argv)),
  ber: (argv) => import('./commands/ber.js').then((m) => m.berCommand(argv)),
  info: (argv) => import('./commands/info.js').then((m) => m.infoCommand(argv)),
  predict: (argv) => import('./commands/predict.js').then((m) => m.predictCommand(argv)),
};

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = takeSimdFlag(argv);
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(USAGE);
    return;
  }
  const run = COMMANDS[command];
  if (!run) throw new InputError(`unknown command '${command}' (known: ${Object.keys(COMMANDS).join(', ')})`);
  await run(rest);
}

main(process.argv.slice(2)).catch((e: unknown) => {
  const { text, exitCode } = describeFailure(e);
  closeProgressLine();
  process.stderr.write(text);
  process.exit(exitCode);
});
