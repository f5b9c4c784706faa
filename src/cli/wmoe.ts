import { trainCommand } from './commands/train.js';
import { evalCommand } from './commands/eval.js';
import { demoCommand } from './commands/demo.js';

const USAGE = `usage: wmoe <command> [flags]

commands:
  demo    train the default LeNet-5 MoE on MNIST and compare naive vs channel-aware gating
          over analog and digital links (npm start); train's flags, plus
          --digital-codes SPEC,SPEC|none
  train   --model lenet5 --dataset mnist --experts K --top-k k --epochs E --stage1-epochs E1
          --stage2-epochs E2 --snr-range -10:20 --seed S --backend wmoe|cpu --out DIR
          [--batch-size 64 --train-samples N --test-samples N --load-balance 1 --expert-loss 0.3
           --stage2-load-balance 0.5 --stage2-importance 0.1]
          [--link analog|digital --code 80211n:648:1/2 --modulation bpsk --bits 8 ...] (stage 2)
  eval    --checkpoint DIR --gate naive|channel-aware --link perfect|analog|digital
          [--code 80211n:648:1/2 --modulation bpsk|qpsk|16qam --bits 8 --decoder nms --iterations 10]
          (--snr-db a,b,c,d | --snr-range MIN:MAX) --seed S [--test-samples N] --json
  ber     --code SPEC|none --modulation bpsk|qpsk|16qam --decoder nms|oms|spa --iterations N
          --nms-factor F (--ebn0-db 0:0.5:4 | --esn0-db 1.5,2) --max-frame-errors 100
          --max-frames N --seed S --json --plot FILE
  bench coding  [--codes SPEC,... --dim 400 --bits 8 --modulation bpsk --esn0-db 5 --json]
          what a digital link costs per feature vector against the analog one
`;

const COMMANDS: Record<string, (argv: string[]) => Promise<unknown>> = {
  demo: demoCommand,
  train: trainCommand,
  eval: evalCommand,
  bench: (argv) => import('./commands/bench.js').then((m) => m.benchCommand(argv)),
  ber: (argv) => import('./commands/ber.js').then((m) => m.berCommand(argv)),
};

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(USAGE);
    return;
  }
  const run = COMMANDS[command];
  if (!run) throw new Error(`unknown command '${command}' (known: ${Object.keys(COMMANDS).join(', ')})`);
  await run(rest);
}

main(process.argv.slice(2)).catch((e: unknown) => {
  const message = e instanceof Error ? e.message : String(e);
  process.stderr.write(`wmoe: ${message.split('\n')[0]}\n`);
  process.exit(1);
});
