import { describe, expect, it, beforeAll } from 'vitest';
import { existsSync, readFileSync, writeFileSync, readdirSync, truncateSync, cpSync, rmSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expectOneLineError, runCli, tempDir, TINY_TRAIN } from '../helpers/cli.js';

const WIFI_HELP = 'N ∈ {648, 1296, 1944}, R ∈ {1/2, 2/3, 3/4, 5/6}';

describe('wmoe bad input', () => {
  // [name, argv, the whole message after 'wmoe: ']
  const cases: [string, string[], string | RegExp][] = [
    ['k > K', ['train', '--experts', '2', '--top-k', '3'], '--top-k 3 exceeds --experts 2: each sample goes to k of the K experts'],
    ['K < 1', ['train', '--experts', '0'], "--experts '0' must be an integer in [1, 64]"],
    ['K too large', ['train', '--experts', '65'], "--experts '65' must be an integer in [1, 64]"],
    ['top-k too large', ['train', '--top-k', '100'], "--top-k '100' must be an integer in [1, 64]"],
    ['batch size too large', ['train', '--batch-size', '100000'], "--batch-size '100000' must be an integer in [1, 1024]"],
    ['epochs too many', ['train', '--epochs', '5000'], "--epochs '5000' must be an integer in [0, 1000]"],
    ['seed ≥ 2^31 (2^32 + 1 would alias seed 1)', ['train', '--seed', '4294967297'], "--seed '4294967297' must be an integer in [0, 2147483647]"],
    ['seed 2^31', ['train', '--seed', '2147483648'], "--seed '2147483648' must be an integer in [0, 2147483647]"],
    ['negative seed', ['train', '--seed', '-1'], "--seed '-1' must be an integer in [0, 2147483647]"],
    ['fractional seed', ['train', '--seed', '1.5'], "--seed '1.5' must be an integer in [0, 2147483647]"],
    ['unknown model', ['train', '--model', 'resnet99'], /unknown model 'resnet99' \(known: [a-z0-9, -]+\)/],
    ['unknown dataset', ['train', '--dataset', 'imagenet'], /unknown dataset 'imagenet' \(known: [a-z0-9, -]+\)/],
    ['backend not installed', ['train', '--backend', 'webgpu'], "backend 'webgpu' is not registered (npm install @tensorflow/tfjs-backend-webgpu next to @tensorflow/tfjs-core)"],
    ['unknown backend', ['train', '--backend', 'magic'], "backend 'magic' is not registered (known here: wmoe, cpu)"],
    ['model option that cannot work', ['train', '--model', 'vit', '--model-options', 'patch=5'], "model 'vit': patch 5 does not divide the 32x32 input"],
    ['width not divisible by heads', ['train', '--model', 'vit', '--model-options', 'width=100'], "model 'vit': width 100 is not divisible by heads 3"],
    ['unknown model option', ['train', '--model', 'resnet18', '--model-options', 'depth=3'], "model 'resnet18' has no option 'depth' (known: bottleneck, width)"],
    ['cifar10 without --data-dir', ['train', '--dataset', 'cifar10'], /.*cifar10.*--data-dir.*/],
    ['cifar10 --data-dir without the files', ['train', '--dataset', 'cifar10', '--data-dir', '/nonexistent-cifar'], /.*\/nonexistent-cifar.*/],
    ['bad SNR range', ['train', '--snr-range', '20:-10'], "SNR range '20:-10' needs MIN < MAX"],
    ['threads with another backend', ['train', '--backend', 'cpu', '--threads', '2'], "--threads 2 applies to backend wmoe only, not 'cpu'"],
    ['threads 0', ['train', '--threads', '0'], "--threads '0' must be an integer in [1, 64]"],
    ['a learning rate of 0', ['train', '--stage1-lr', '0'], 'stage-1 learning rate must be a positive number, got 0'],
    ['NaN SNR range', ['train', '--snr-range', 'NaN:3'], "SNR range 'NaN:3' is not MIN:MAX in dB"],
    ['unknown flag', ['train', '--frobnicate', '1'], "Unknown option '--frobnicate'"],
    ['flag without its value', ['eval', '--checkpoint', '/nonexistent', '--seed'], "Option '--seed <value>' argument missing"],
    ['unknown gate', ['eval', '--checkpoint', '/nonexistent', '--gate', 'magic'], "unknown gate 'magic' (known: naive, channel-aware)"],
    ['NaN SNR', ['eval', '--checkpoint', '/nonexistent', '--snr-db', '1,NaN,3,4'], "SNR 'NaN' in --snr-db '1,NaN,3,4' is not a finite number of dB"],
    ['unparsable SNR', ['eval', '--checkpoint', '/nonexistent', '--snr-db', '1,abc,3,4'], "SNR 'abc' in --snr-db '1,abc,3,4' is not a finite number of dB"],
    ['SNRs for a perfect link', ['eval', '--checkpoint', '/nonexistent', '--link', 'perfect', '--snr-db', '10'], '--snr-db does not apply to --link perfect (a perfect link has no SNR)'],
    ['SNR range for a perfect link', ['eval', '--checkpoint', '/nonexistent', '--link', 'perfect', '--snr-range', '0:10'], '--snr-range does not apply to --link perfect (a perfect link has no SNR)'],
    ['eval seed out of range', ['eval', '--checkpoint', '/nonexistent', '--seed', '99999999999'], "--seed '99999999999' must be an integer in [0, 2147483647]"],
    ['missing --checkpoint', ['eval'], '--checkpoint DIR is required'],
    ['missing checkpoint', ['eval', '--checkpoint', '/nonexistent/ckpt'], "checkpoint directory '/nonexistent/ckpt' does not exist"],
    ['unknown command', ['fly'], "unknown command 'fly' (known: demo, train, eval, bench, ber, info, predict)"],
    ['unknown benchmark', ['bench', 'speed'], "unknown benchmark 'speed' (known: coding)"],
    ['bench vector length too large', ['bench', 'coding', '--dim', '100000'], "--dim '100000' must be an integer in [1, 4096]"],
    ['bench too many vectors', ['bench', 'coding', '--vectors', '1000000'], "--vectors '1000000' must be an integer in [1, 256]"],
    ['bench seed out of range', ['bench', 'coding', '--seed', '2147483648'], "--seed '2147483648' must be an integer in [0, 2147483647]"],
    ['code rate the standard lacks', ['train', '--link', 'digital', '--code', '80211n:648:7/8'], `ldpcCode: no 802.11n code '80211n:648:7/8' (${WIFI_HELP})`],
    [
      'lifting size not in TS 38.212',
      ['train', '--link', 'digital', '--code', '5gnr:bg1:z17'],
      "ldpcCode('5gnr:bg1:z17'): nrCode: lifting size Z = 17 is not in TS 38.212 Table 5.3.2-1 (Z = a·2^j ≤ 384, a ∈ {2,3,5,7,9,11,13,15})",
    ],
    ['unreadable alist file', ['train', '--link', 'digital', '--code', 'alist:/nonexistent.alist'], /ldpcCode\('alist:\/nonexistent\.alist'\): cannot read '\/nonexistent\.alist': ENOENT: no such file or directory, open '\/nonexistent\.alist'/],
    ['quantiser bits out of range', ['train', '--link', 'digital', '--bits', '17'], "--bits '17' must be an integer in [1, 16]"],
    ['decoder iterations out of range', ['train', '--link', 'digital', '--iterations', '1001'], "--iterations '1001' must be an integer in [1, 1000]"],
    ['unknown modulation', ['train', '--link', 'digital', '--modulation', '256qam'], "unknown modulation '256qam' (known: bpsk, qpsk, 16qam, 64qam)"],
    ['digital flag without the digital link', ['train', '--code', '80211n:648:1/2'], '--code needs --link digital (without --link the link is analog, the default)'],
    [
      'demo with --link',
      ['demo', '--link', 'digital'],
      "demo takes no --link (got 'digital'): its analog rows use a gate trained over the analog link and its digital rows one trained over each --digital-codes link",
    ],
    ['demo with --code', ['demo', '--code', '80211n:648:3/4'], "demo takes no --code (got '80211n:648:3/4'): give its digital codes as --digital-codes SPEC,SPEC"],
    ['demo digital flag without digital rows', ['demo', '--digital-codes', 'none', '--bits', '6'], '--bits applies to the digital rows, and --digital-codes is none'],
    ['demo digital flag out of range', ['demo', '--bits', '0'], "--bits '0' must be an integer in [1, 16]"],
    ['ber frame budget too large', ['ber', '--max-frames', '2000000000'], "--max-frames '2000000000' must be an integer in [1, 1000000000]"],
    ['ber seed out of range', ['ber', '--seed', '4294967297'], "--seed '4294967297' must be an integer in [0, 2147483647]"],
  ];
  for (const [name, args, message] of cases) {
    it(`${name}: one-line error naming the value, no output written`, () => {
      const out = join(tempDir(), 'run');
      const r = runCli([...args, ...(args[0] === 'train' || args[0] === 'demo' ? ['--out', out] : [])]);
      expectOneLineError(r, message);
      expect(existsSync(out)).toBe(false);
    });
  }

  it('an internal error is reported as a crash: its stack, exit 70, not a one-line message', () => {
    // Fault injection from outside, with no hook in wmoe: a preload module makes fs.existsSync
    // throw a TypeError, as a bug in wmoe's own code would.
    const preload =
      'data:text/javascript,import fs from "node:fs"; import { syncBuiltinESMExports } from "node:module";' +
      ' fs.existsSync = () => { throw new TypeError("injected fault"); }; syncBuiltinESMExports();';
    const r = runCli(['eval', '--checkpoint', '/nonexistent'], 60_000, ['--import', preload]);
    expect(r.code).toBe(70);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe('wmoe: internal error: TypeError: injected fault');
    expect(lines.slice(1).some((l) => /^\s+at loadCheckpoint \(.*wmoe\.mjs:\d+:\d+\)$/.test(l)), r.stderr).toBe(true);
  });

  it('an --out inside a regular file fails before training, naming the path', () => {
    const file = join(tempDir(), 'file');
    writeFileSync(file, 'not a directory');
    const r = runCli(['train', ...TINY_TRAIN, '--out', join(file, 'run')]);
    expectOneLineError(r, `cannot write the run directory '${join(file, 'run')}': '${file}' is not a directory`);
    expect(r.stderr).not.toContain('stage 1');
  });

  describe('corrupt checkpoints', () => {
    let good: string;
    beforeAll(() => {
      good = join(tempDir(), 'ckpt');
      const r = runCli(['train', ...TINY_TRAIN, '--out', good]);
      expect(r.code, r.stderr).toBe(0);
    });

    /** A copy of the good checkpoint to damage. */
    function copy(): string {
      const dir = join(tempDir(), 'ckpt');
      cpSync(good, dir, { recursive: true });
      return dir;
    }

    it('leaves no temporary files next to the checkpoint', () => {
      expect(readdirSync(join(good, '..'))).toEqual(['ckpt']);
    });

    it('truncated weights.bin', () => {
      const dir = copy();
      truncateSync(join(dir, 'weights.bin'), 1000);
      expectOneLineError(runCli(['eval', '--checkpoint', dir, '--json']), /checkpoint '.*\/weights\.bin' has 1000 bytes but its config implies \d+ \(truncated\)/);
    });

    it('shapes that do not match the config', () => {
      const dir = copy();
      const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
      config.moe.experts = 3;
      writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
      expectOneLineError(
        runCli(['eval', '--checkpoint', dir, '--json']),
        new RegExp(`checkpoint '${dir}/config\\.json': parameter \\d+ is 'experts/dense1/kernel' \\[4,\\d+,\\d+\\] but the config implies 'experts/dense1/kernel' \\[3,\\d+,\\d+\\]`),
      );
    });

    it('parameter entries that are not objects', () => {
      const dir = copy();
      const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
      config.params[0] = null;
      writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
      expectOneLineError(runCli(['eval', '--checkpoint', dir, '--json']), new RegExp(`checkpoint '${dir}/config\\.json': parameter 0 is null but the config implies '.+' \\[[\\d,]+\\]`));
    });

    it('a config.json without the architecture', () => {
      const dir = copy();
      const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
      delete config.moe;
      writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
      expectOneLineError(runCli(['eval', '--checkpoint', dir, '--json']), `checkpoint '${dir}/config.json' has no architecture object 'moe'`);
    });

    it('a stage-2 link record with an unknown kind', () => {
      const dir = copy();
      const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
      config.meta.stage2Link = { kind: 'optical' };
      writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
      expectOneLineError(
        runCli(['eval', '--checkpoint', dir, '--json']),
        `checkpoint '${dir}/config.json': meta.stage2Link has unknown kind "optical" (known: perfect, analog, digital)`,
      );
    });

    it('flipped weight bytes', () => {
      const dir = copy();
      const bytes = readFileSync(join(dir, 'weights.bin'));
      bytes[100] ^= 0xff;
      writeFileSync(join(dir, 'weights.bin'), bytes);
      expectOneLineError(runCli(['eval', '--checkpoint', dir, '--json']), /checkpoint '.*\/weights\.bin' is corrupt: FNV-1a [0-9a-f]{8}, config\.json says [0-9a-f]{8}/);
    });

    it('a weights.bin that cannot be read (a directory) is an I/O error on that path, not a crash', () => {
      const dir = copy();
      rmSync(join(dir, 'weights.bin'));
      mkdirSync(join(dir, 'weights.bin'));
      expectOneLineError(
        runCli(['eval', '--checkpoint', dir, '--json']),
        `cannot read checkpoint file '${dir}/weights.bin': EISDIR: illegal operation on a directory, read`,
      );
    });

    it('SNR list of the wrong length for K', () => {
      expectOneLineError(runCli(['eval', '--checkpoint', good, '--snr-db', '1,2,3']), "--snr-db '1,2,3' gives 3 SNRs but the model has K = 4 experts");
    });

    it('a digital flag on a checkpoint whose gate was trained over the analog link', () => {
      expectOneLineError(
        runCli(['eval', '--checkpoint', good, '--bits', '6']),
        "--bits needs --link digital (without --link the link is analog, the checkpoint's stage-2 link)",
      );
    });
  });
});
