// FER of our LDPC sum-product decoder against IT++'s (the peer: LDPC_Code::bp_decode from Debian's
// libitpp-dev), same codes, same channel, same points, both measured in this run.
//
//   node bench/itpp.mjs [--frame-errors 100] [--seed 1] [--quick]
//
// Codes: IEEE 802.11n 648 and 1944, rate 1/2 (H written from src/codes as alist files into
// bench/peers/build/, which IT++ reads with LDPC_Parity(file, "alist")). Channel: BPSK over AWGN,
// LLR = 2y/σ² with σ² = 1/(2·R·Eb/N0). Decoders: flooding sum-product, at most 50 iterations, stop
// when H·c = 0 (ours: simulateBer with decoder 'spa', batches of 256 frames; IT++: bp_decode with
// its default LLR_calc_unit, one frame at a time). A frame error is any wrong information bit. Each
// point runs until --frame-errors frame errors (default 100) or a frame cap that keeps the bench
// under ~5 minutes on a quiet machine. The Eb/N0 points sit on each code's waterfall (FER ~1e-1 to
// ~5e-3), where 100 errors are affordable for the 0.1-0.3 Mb/s IT++ decoder.
// Agreement: the two 95 % Wilson intervals of the FER overlap, or the FER ratio ours/IT++ lies
// within [1/1.5, 1.5] (RATIO_TOLERANCE: the decoders differ in arithmetic — IT++ quantises LLRs and
// uses a table boxplus, ours float32 — so a small systematic offset is expected). Both tests are
// reported separately.
// Throughput: decoded information bits per second of decoder time, wall clock and process CPU time
// (CPU time stays meaningful when other jobs share the cores), single-threaded for both.
// Needs g++ and pkg-config; the harness bench/peers/itpp/ldpc_fer.cpp is compiled into
// bench/peers/build/. If IT++ is missing the bench says so and exits 1: it never reports numbers
// it did not measure. Writes bench/results/itpp.json.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, statSync, writeFileSync, renameSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return dflt;
  const v = Number(args[i + 1]);
  if (!Number.isSafeInteger(v) || v < 1) {
    console.error(`bench/itpp.mjs: --${name} '${args[i + 1]}' must be an integer >= 1`);
    process.exit(2);
  }
  return v;
};
const QUICK = args.includes('--quick');
const FRAME_ERRORS = opt('frame-errors', QUICK ? 15 : 100);
const SEED = opt('seed', 1);
const ITERATIONS = 50;
const RATIO_TOLERANCE = 1.5;
const CASES = [
  { spec: '80211n:648:1/2', file: '80211n_648_r12.alist', ebn0Db: [1.5, 2.0], maxFrames: QUICK ? 3000 : 25000 },
  { spec: '80211n:1944:1/2', file: '80211n_1944_r12.alist', ebn0Db: [1.0, 1.25], maxFrames: QUICK ? 1000 : 6000 },
];
const buildDir = join(root, 'bench', 'peers', 'build');
const source = join(root, 'bench', 'peers', 'itpp', 'ldpc_fer.cpp');
const binary = join(buildDir, 'ldpc_fer');

function fatal(msg) {
  console.error(`bench/itpp.mjs: ${msg}`);
  process.exit(1);
}

// --- the peer: IT++ must be installed; never fake its numbers ---
function itppFlags() {
  const dpkg = spawnSync('dpkg', ['-s', 'libitpp-dev'], { encoding: 'utf8' });
  const pc = spawnSync('pkg-config', ['--cflags', '--libs', 'itpp'], { encoding: 'utf8' });
  if (pc.status !== 0) {
    const why = dpkg.status === 0 ? 'pkg-config cannot find itpp' : 'libitpp-dev is not installed';
    fatal(`${why} (install it with: apt-get install -y libitpp-dev); no comparison was run`);
  }
  const version = dpkg.status === 0 ? /^Version:\s*(.+)$/m.exec(dpkg.stdout)?.[1] ?? '?' : spawnSync('pkg-config', ['--modversion', 'itpp'], { encoding: 'utf8' }).stdout.trim();
  return { flags: pc.stdout.trim().split(/\s+/).filter(Boolean), version };
}

const itpp = itppFlags();
mkdirSync(buildDir, { recursive: true });
if (!existsSync(binary) || statSync(binary).mtimeMs < statSync(source).mtimeMs) {
  console.error('compiling the IT++ harness ...');
  try {
    execFileSync('g++', ['-O2', '-o', binary, source, ...itpp.flags], { stdio: ['ignore', 'inherit', 'inherit'] });
  } catch (e) {
    fatal(`g++ failed to build ${source}: ${e.message.split('\n')[0]}`);
  }
}

// --- ours: bundle src/ (sim + codes) with esbuild, as bench/ldpc.mjs does ---
async function loadLib() {
  const { build } = await import('esbuild');
  const out = join(mkdtempSync(join(tmpdir(), 'wmoe-bench-')), 'sim.mjs');
  await build({
    stdin: {
      contents: "export * from './src/sim/index.ts';\nexport { ldpcCode, toAlist } from './src/codes/index.ts';\n",
      resolveDir: root,
      loader: 'ts',
    },
    bundle: true, format: 'esm', platform: 'node', outfile: out, logLevel: 'warning',
  });
  return import(pathToFileURL(out).href);
}
const { simulateBer, wilsonInterval, ldpcCode, toAlist } = await loadLib();

function runItpp(alist, c) {
  const argv = [alist, String(ITERATIONS), String(SEED), String(FRAME_ERRORS), String(c.maxFrames), ...c.ebn0Db.map(String)];
  const r = spawnSync(binary, argv, { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) fatal(`the IT++ harness failed (exit ${r.status}): ${(r.stderr || r.error?.message || '').trim().split('\n').pop()}`);
  return r.stdout.trim().split('\n').map((l) => JSON.parse(l));
}

const fmt = (x, d = 3) => (x === null || x === undefined ? '-' : x.toExponential(d - 1));
const mbps = (frames, k, s) => (s > 0 ? (frames * k) / s / 1e6 : null);
const started = Date.now();
const rows = [];
for (const c of CASES) {
  const code = ldpcCode(c.spec);
  const alist = join(buildDir, c.file);
  writeFileSync(alist, toAlist(code.H));
  console.error(`${c.spec}: IT++ at Eb/N0 ${c.ebn0Db.join(', ')} dB ...`);
  const peer = runItpp(alist, c);
  console.error(`${c.spec}: ours ...`);
  const ours = simulateBer({
    code: c.spec, modulation: 'bpsk', decoder: 'spa', iterations: ITERATIONS, ebn0Db: c.ebn0Db,
    maxFrameErrors: FRAME_ERRORS, maxFrames: c.maxFrames, seed: SEED,
  });
  c.ebn0Db.forEach((ebn0Db, i) => {
    const p = peer[i];
    const o = ours.points[i];
    const pi = wilsonInterval(p.frameErrors, p.frames);
    const oi = o.ferInterval;
    const pf = p.frameErrors / p.frames;
    rows.push({
      code: c.spec, n: code.n, k: code.k, ebn0Db,
      ours: {
        frames: o.frames, frameErrors: o.frameErrors, bitErrors: o.bitErrors, fer: o.fer, ferCi95: [oi.lo, oi.hi], ber: o.ber,
        meanIterations: o.meanIterations, decoderMbps: o.decoderMbps, decoderCpuMbps: mbps(o.decodedFrames, code.k, o.decodeCpuSeconds),
      },
      itpp: {
        frames: p.frames, frameErrors: p.frameErrors, bitErrors: p.bitErrors, fer: pf, ferCi95: [pi.lo, pi.hi], ber: p.bitErrors / (p.frames * code.k),
        meanIterations: p.meanIterations, decoderMbps: mbps(p.frames, code.k, p.decodeSeconds), decoderCpuMbps: mbps(p.frames, code.k, p.decodeCpuSeconds),
      },
      ferRatio: pf > 0 ? o.fer / pf : null,
      intervalsOverlap: oi.lo <= pi.hi && pi.lo <= oi.hi,
      ratioWithinTolerance: pf > 0 && o.fer > 0 && o.fer / pf <= RATIO_TOLERANCE && pf / o.fer <= RATIO_TOLERANCE,
    });
    const row = rows[rows.length - 1];
    row.agree = row.intervalsOverlap || row.ratioWithinTolerance;
  });
}

const lines = [
  `IT++ ${itpp.version} LDPC_Code::bp_decode vs wireless-moe spa: BPSK/AWGN, ${ITERATIONS} iterations max (early stop), seed ${SEED}, up to ${FRAME_ERRORS} frame errors per point`,
  'code             Eb/N0 | ours FE/frames   FER [95% CI]                 | IT++ FE/frames   FER [95% CI]                 | ratio CIs∩ agree | ours Mb/s wall/cpu | IT++ Mb/s wall/cpu',
];
for (const r of rows) {
  const side = (s) => `${`${s.frameErrors}/${s.frames}`.padEnd(16)} ${fmt(s.fer)} [${fmt(s.ferCi95[0])}, ${fmt(s.ferCi95[1])}]`.padEnd(45);
  const thr = (s) => `${s.decoderMbps?.toFixed(3) ?? '-'} / ${s.decoderCpuMbps?.toFixed(3) ?? '-'}`.padEnd(18);
  lines.push(
    `${r.code.padEnd(16)} ${r.ebn0Db.toFixed(2).padStart(5)} | ${side(r.ours)}| ${side(r.itpp)}| ${(r.ferRatio?.toFixed(2) ?? '-').padStart(5)} ${(r.intervalsOverlap ? 'yes' : 'no').padStart(4)} ${(r.agree ? 'yes' : 'NO').padStart(5)} | ${thr(r.ours)} | ${thr(r.itpp)}`,
  );
}
const allAgree = rows.every((r) => r.agree);
lines.push(
  allAgree
    ? `FER agrees at every point (95% intervals overlap or ratio within ${RATIO_TOLERANCE}x).`
    : `FER DISAGREES at some point (95% intervals disjoint and ratio beyond ${RATIO_TOLERANCE}x).`,
);
const seconds = (Date.now() - started) / 1000;
lines.push(`bench time ${seconds.toFixed(0)} s`);
console.log(lines.join('\n'));

const result = {
  node: process.version,
  date: new Date().toISOString(),
  loadavg: loadavg(),
  peer: { name: 'IT++', package: 'libitpp-dev', version: itpp.version, decoder: 'LDPC_Code::bp_decode (default LLR_calc_unit)', harness: 'bench/peers/itpp/ldpc_fer.cpp' },
  workload: `802.11n R1/2 codes, BPSK over AWGN, random information bits, systematic encoding, LLR = 2y/sigma^2; flooding sum-product, at most ${ITERATIONS} iterations, early stop on H·c = 0; FER over information bits`,
  agreement: `agree = intervalsOverlap (the 95 % Wilson score intervals of the two FERs overlap) or ratioWithinTolerance (ferRatio = ours / IT++ within [1/${RATIO_TOLERANCE}, ${RATIO_TOLERANCE}])`,
  throughput: 'information Mb/s over decoder time only (decoderMbps: wall clock; decoderCpuMbps: process CPU time), single-threaded',
  ratioTolerance: RATIO_TOLERANCE,
  frameErrorTarget: FRAME_ERRORS,
  seed: SEED,
  quick: QUICK,
  seconds,
  allAgree,
  rows,
};
const outDir = join(root, 'bench', 'results');
mkdirSync(outDir, { recursive: true });
const outFile = join(outDir, 'itpp.json');
writeFileSync(`${outFile}.tmp`, JSON.stringify(result, null, 2) + '\n');
renameSync(`${outFile}.tmp`, outFile);
console.error(`wrote ${outFile}`);
