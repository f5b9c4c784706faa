// Reading CIFAR-10 from its official binary files (6 × 10 000 records of 1 label byte + 3 072
// CHW pixel bytes, 184 MB) into 32x32x3 HWC pixel bytes (uint8, as datasets hold them; batches
// become float32 one at a time in training) and int32 labels: `loadCifar10` against numpy doing
// the same (np.fromfile, the CHW → HWC transpose into a contiguous uint8 array; Debian's
// python3-numpy run by /usr/bin/python3), in the same run, rounds alternating. Medians
// of wall time; the files are written once to a temp dir and read from the page cache by both.
// Target: loadCifar10 takes at most 2× numpy's time (a loader that made a function call per
// pixel would take ~10×). The numpy row is skipped with a note when numpy is missing.
//
//   npm run build && node bench/data-load.mjs [--rounds=5] [--out=FILE]
//
// Writes bench/results/data-load.json (or --out), with the machine's load at start and end.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { loadCifar10 } from '../dist/node.mjs';
import { machineLoad, median } from './lib/timing.mjs';
import { verdictOf } from './lib/verdict.mjs';

const { values } = parseArgs({ options: { rounds: { type: 'string' }, out: { type: 'string' } } });
const ROUNDS = Number(values.rounds ?? 5);
const loadStart = machineLoad();

const dir = mkdtempSync(join(tmpdir(), 'wmoe-cifar-bench-'));
const RECORDS = 10000;
const record = 3073;
let seed = 1;
for (const name of ['data_batch_1', 'data_batch_2', 'data_batch_3', 'data_batch_4', 'data_batch_5', 'test_batch']) {
  const bytes = new Uint8Array(RECORDS * record);
  for (let i = 0; i < bytes.length; i++) {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    bytes[i] = seed >>> 24;
  }
  for (let r = 0; r < RECORDS; r++) bytes[r * record] %= 10;
  writeFileSync(join(dir, `${name}.bin`), bytes);
}

// The numpy peer: prints the median ms of `rounds` loads (one process, like ours).
const PEER = `
import statistics, sys, time, numpy as np
d = sys.argv[1]
def load(names):
    raw = np.concatenate([np.fromfile(f"{d}/{n}.bin", dtype=np.uint8) for n in names]).reshape(-1, 3073)
    labels = raw[:, 0].astype(np.int32)
    images = np.ascontiguousarray(raw[:, 1:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1))
    return images, labels
times = []
for _ in range(int(sys.argv[2])):
    t0 = time.perf_counter()
    tr = load([f"data_batch_{i}" for i in range(1, 6)]); te = load(["test_batch"])
    times.append((time.perf_counter() - t0) * 1000)
    assert tr[0].shape == (50000, 32, 32, 3) and te[1].shape == (10000,)
print(statistics.median(times))
`;

// The peer's build, recorded with the figures.
const version = spawnSync('/usr/bin/python3', ['-c', 'import sys, numpy; print(numpy.__version__, sys.version.split()[0])'], { encoding: 'utf8' });
const [numpyVersion = null, pythonVersion = null] = version.status === 0 ? version.stdout.trim().split(' ') : [];

const ours = [];
const peer = [];
let note = null;
for (let r = 0; r < ROUNDS; r++) {
  const t0 = performance.now();
  const data = loadCifar10(dir);
  ours.push(performance.now() - t0);
  if (data.train.n !== 50000 || data.test.n !== 10000) throw new Error('loadCifar10 read the wrong number of records');
  if (note === null) {
    const p = spawnSync('/usr/bin/python3', ['-c', PEER, dir, '1'], { encoding: 'utf8' });
    if (p.status !== 0) note = `numpy peer skipped: ${(p.stderr || p.error?.message || 'failed').trim().split('\n').pop()}`;
    else peer.push(Number(p.stdout.trim()));
  }
}
rmSync(dir, { recursive: true, force: true });

const oursMs = median(ours);
const peerMs = peer.length ? median(peer) : null;
const ratio = peerMs === null ? null : oursMs / peerMs;
// The target as a check that readers recompute (bench/lib/verdict.mjs): numpy's time over ours ≥ 0.5.
const check = { target: "numpy's time / loadCifar10's >= 0.5 (at most 2x numpy's time)", value: ratio === null ? null : 1 / ratio, threshold: 0.5, ...(note ? { why: note } : {}) };
const { verdict } = verdictOf(check);
console.log(`loadCifar10, 60 000 records: ${oursMs.toFixed(0)} ms (median of ${ROUNDS})`);
if (peerMs !== null) {
  console.log(`numpy peer:                  ${peerMs.toFixed(0)} ms (median of ${peer.length})`);
  console.log(`${verdict}: loadCifar10 time <= 2x numpy's: ${ratio.toFixed(2)}x`);
} else console.log(note);

const outFile = values.out ?? new URL('./results/data-load.json', import.meta.url).pathname;
mkdirSync(dirname(outFile), { recursive: true });
writeFileSync(outFile, JSON.stringify({
  bench: 'CIFAR-10 binary files (60 000 records) to HWC uint8 pixels and int32 labels: loadCifar10 vs numpy',
  date: new Date().toISOString(),
  node: process.version,
  peer: { python: '/usr/bin/python3', pythonVersion, numpy: numpyVersion },
  load: { start: loadStart, end: machineLoad() },
  rounds: ROUNDS,
  oursMs, oursTimesMs: ours, numpyMs: peerMs, numpyTimesMs: peer, ratio, check: { ...check, verdict }, note,
}, null, 2) + '\n');
