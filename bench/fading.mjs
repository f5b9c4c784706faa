// The flat-fading chain (iid Rayleigh gain per frame → modulate → y = h·x + n → equalise
// z = y·conj(ĥ)/|ĥ|² → LLRs) of wireless-moe/channel against numpy doing the same chain,
// vectorised, in the same run. wmoe = createFadingProcess (iid Rayleigh) gains + llrOverFlat (WASM);
// numpy (float32/complex64; both /usr/bin/python3 and the python3 on PATH, the faster per row is the peer) = complex normal gains per frame, np.repeat to
// symbols, modulation by table lookup, y = h·x + n, z = y·conj(ĥ)/|ĥ|², LLRs: QPSK closed form,
// 16/64-QAM log-sum-exp over each axis's levels (exact), max-log as a second row. Rows per
// modulation: exact with perfect ĥ = h; exact with a pilots-style estimate ĥ = h + e,
// e ~ CN(0, σe² = N0/P), P = 4, demapped with N̂0_eff = (N0 + σe²)/|ĥ|²; max-log with ĥ = h.
// Both sides allocate their outputs as they naturally do (wmoe writes into a reused LLR array,
// as its API is meant to be used; numpy returns new arrays). Single-threaded.
//
//   node bench/fading.mjs [--frames 1000] [--frame-bits 648] [--reps 5] [--rounds 4] [--python PATH] [--dist]
//
// Timing: rounds alternate the engine that goes first; each round runs `reps` calls per row
// after warm-ups, and the figure is the median of round medians, in Mbit/s (coded bits in, LLRs
// out). Before timing, both chains run a statistical check: the BER of hard decisions over
// 10 calls, numpy using the same gains h as wmoe, and the mean LLR in the sent bit's favour must
// agree within 4 standard errors of the per-frame difference, so the two do the same work. Target per row: wmoe ≥ 1.5 × numpy (bench/lib/verdict.mjs); the machine's
// load is recorded at start and end (bench/lib/timing.mjs). Writes bench/results/fading.json.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { loadChannel } from './lib/load-channel.mjs';
import { median, medianOfRounds, machineLoad, formatLoad } from './lib/timing.mjs';
import { judge } from './lib/verdict.mjs';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const FRAMES = opt('frames', 1000);
const FRAME_BITS = opt('frame-bits', 648);
const REPS = opt('reps', 5);
const ROUNDS = opt('rounds', 4);
const CHECK_CALLS = 10;
const CHECK_SEED = 777;
const PILOTS = 4;
const TARGET = 1.5;
/** numpy peers: Debian's /usr/bin/python3 and the python3 first on PATH (often a newer numpy); the faster is the peer. */
const PYTHONS = args.includes('--python') ? [args[args.indexOf('--python') + 1]] : ['/usr/bin/python3', 'python3'];
const NBITS = FRAMES * FRAME_BITS;

/** Modulations: kind code of llrOverFlat, bits per symbol, Es/N0 (dB) of the run. */
const MODS = [
  { name: 'QPSK', kind: 1, bps: 2, esn0Db: 10 },
  { name: '16-QAM', kind: 2, bps: 4, esn0Db: 16 },
  { name: '64-QAM', kind: 3, bps: 6, esn0Db: 22 },
];
const ROWS = MODS.flatMap((m) => [
  { ...m, exact: true, csi: 'perfect' },
  { ...m, exact: true, csi: `pilots:${PILOTS}` },
  { ...m, exact: false, csi: 'perfect' },
]);
const rowName = (r) => `${r.name} ${r.exact ? 'exact' : 'max-log'}, ĥ ${r.csi === 'perfect' ? '= h' : `from ${r.csi}`}`;

// ---- numpy ---------------------------------------------------------------------------------

const NUMPY = String.raw`
import sys, time, json, statistics, numpy as np
cfg = json.loads(sys.argv[1])
F, FB, reps, P = cfg["frames"], cfg["frameBits"], cfg["reps"], cfg["pilots"]
f32 = np.float32
def gray_levels(m):
    """Levels (Es-normalised later) indexed by the m-bit Gray label of each axis."""
    L = 1 << m
    lv = np.empty(L)
    for i in range(L):
        lv[i ^ (i >> 1)] = 2 * i - (L - 1)
    return lv
def setup(bps):
    m = bps // 2
    lv = gray_levels(m)
    d = np.sqrt(1.5 / ((1 << bps) - 1)) if bps > 2 else np.sqrt(0.5)
    lv = lv * d
    idx = np.arange(1 << bps)
    table = (lv[idx >> m] + 1j * lv[idx & ((1 << m) - 1)]).astype(np.complex64)
    levels = lv.astype(f32)  # level of each label
    # bit k (MSB first) of each label: masks of the levels whose bit is 0 / 1
    masks = [((np.arange(1 << m) >> (m - 1 - k)) & 1) for k in range(m)]
    return m, d, table, levels, [(np.flatnonzero(b == 0), np.flatnonzero(b == 1)) for b in masks]
def axis_llrs(r, n0e, m, levels, masks, exact, out, col0, bps):
    # r, n0e: (N,) float32; writes the m LLRs of this axis into columns col0.. of out (N, bps)
    D = -np.square(r[:, None] - levels[None, :]) / n0e[:, None]
    for k, (i0, i1) in enumerate(masks):
        D0, D1 = D[:, i0], D[:, i1]
        if exact:
            a0 = D0.max(1); a1 = D1.max(1)
            out[:, col0 + k] = (a0 + np.log(np.exp(D0 - a0[:, None]).sum(1))) - (a1 + np.log(np.exp(D1 - a1[:, None]).sum(1)))
        else:
            out[:, col0 + k] = D0.max(1) - D1.max(1)
def chain(g, bits, bps, esn0, exact, pilots, setupv, hgiven=None):
    m, d, table, levels, masks = setupv
    S = FB // bps
    n0 = f32(10 ** (-esn0 / 10))
    h = hgiven if hgiven is not None else ((g.standard_normal(F, dtype=f32) + 1j * g.standard_normal(F, dtype=f32)) * f32(np.sqrt(0.5))).astype(np.complex64)
    if pilots:
        ev = f32(n0 / pilots)
        hh = (h + (g.standard_normal(F, dtype=f32) + 1j * g.standard_normal(F, dtype=f32)) * f32(np.sqrt(ev / 2))).astype(np.complex64)
    else:
        ev = f32(0); hh = h
    mag = (hh.real * hh.real + hh.imag * hh.imag).astype(f32)
    eq = (np.conj(hh) / mag).astype(np.complex64)
    b = bits.reshape(-1, bps)
    idx = b[:, 0].astype(np.intp)
    for k in range(1, bps):
        idx = (idx << 1) | b[:, k]
    x = table[idx]
    noise = (g.standard_normal(x.size, dtype=f32) + 1j * g.standard_normal(x.size, dtype=f32)) * f32(np.sqrt(n0 / 2))
    y = np.repeat(h, S) * x + noise
    z = y * np.repeat(eq, S)
    n0e = np.repeat(((n0 + ev) / mag).astype(f32), S)
    out = np.empty((x.size, bps), dtype=f32)
    if bps == 2:  # QPSK closed form: bit 0 on +
        c = f32(2 * np.sqrt(2)) / n0e
        out[:, 0] = -c * z.real; out[:, 1] = -c * z.imag
    else:
        axis_llrs(z.real.copy(), n0e, m, levels, masks, exact, out, 0, bps)
        axis_llrs(z.imag.copy(), n0e, m, levels, masks, exact, out, m, bps)
    return out.reshape(-1)
g = np.random.default_rng(cfg["seed"])
bits = g.integers(0, 2, F * FB, dtype=np.uint8)
res = {"version": np.__version__, "rows": []}
for row in cfg["rows"]:
    sv = setup(row["bps"])
    run = lambda hg=None: chain(g, bits, row["bps"], row["esn0Db"], row["exact"], row["pilots"], sv, hg)
    if cfg["mode"] == "check":
        hs = np.fromfile(cfg["gainsFile"], dtype=f32).reshape(cfg["calls"], F, 2)
        fb, fl = [], []
        sgn = (1 - 2 * bits.astype(f32)).reshape(F, FB)
        for c in range(cfg["calls"]):
            llr = run((hs[c, :, 0] + 1j * hs[c, :, 1]).astype(np.complex64))
            hard = llr < 0  # LLR = ln P(0)/P(1)
            err = (hard != bits.astype(bool)).reshape(F, FB).mean(1)
            fb.append(err)
            fl.append((llr.reshape(F, FB) * sgn).mean(1))
        res["rows"].append({"frameBer": np.concatenate(fb).tolist(), "frameLlr": np.concatenate(fl).astype(float).tolist()})
    else:
        for _ in range(2): run()
        ts = []
        for _ in range(reps):
            t = time.perf_counter(); run(); ts.append(time.perf_counter() - t)
        res["rows"].append({"times": ts})
print(json.dumps(res))
`;

function numpy(python, mode, seed, gainsFile = null) {
  const cfg = {
    mode, seed, gainsFile, frames: FRAMES, frameBits: FRAME_BITS, reps: REPS, pilots: PILOTS, calls: CHECK_CALLS,
    rows: ROWS.map((r) => ({ bps: r.bps, esn0Db: r.esn0Db, exact: r.exact, pilots: r.csi === 'perfect' ? 0 : PILOTS })),
  };
  const r = spawnSync(python, ['-c', NUMPY, JSON.stringify(cfg)], { encoding: 'utf8', maxBuffer: 1 << 26, env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' } });
  if (r.status !== 0) throw new Error(`bench/fading.mjs: ${python}/numpy failed: ${r.stderr.trim().split('\n').pop()}`);
  return JSON.parse(r.stdout);
}

// ---- wmoe ----------------------------------------------------------------------------------

const ch = await loadChannel(args.includes('--dist'));
const spec = { channel: { kind: 'rayleigh' }, coherence: 1, doppler: null };
const bits = Uint8Array.from(new ch.Rng(9).normal(NBITS), (v) => (v < 0 ? 1 : 0)); // iid fair bits, like numpy's
const llr = new Float32Array(NBITS);

/** One wmoe chain per call: gains of the next FRAMES blocks, estimates, llrOverFlat. */
function wmoeChain(row, seed) {
  const fading = ch.createFadingProcess(spec, 1, seed);
  const rng = new ch.Rng(seed + 1);
  const n0v = 10 ** (-row.esn0Db / 10);
  const ev = row.csi === 'perfect' ? 0 : n0v / PILOTS;
  const h = new Float32Array(2 * FRAMES);
  const hHat = row.csi === 'perfect' ? h : new Float32Array(2 * FRAMES);
  const e = new Float32Array(2 * FRAMES);
  const frames = { frameBits: FRAME_BITS, h, hHat, n0: new Float64Array(FRAMES).fill(n0v), errVar: new Float64Array(FRAMES).fill(ev) };
  let j0 = 0;
  return () => {
    fading.gains(0, j0, FRAMES, h);
    j0 += FRAMES;
    if (ev > 0) {
      rng.fillNormal(e);
      const s = Math.sqrt(ev / 2);
      for (let i = 0; i < 2 * FRAMES; i++) hHat[i] = h[i] + s * e[i];
    }
    return ch.llrOverFlat(row.kind, bits, frames, rng, llr, { exact: row.exact });
  };
}

/**
 * Per frame over CHECK_CALLS calls (the gains of checkGains()): the BER of hard decisions and the
 * mean LLR in the sent bit's favour, LLR·(1 − 2b).
 */
function wmoeCheck(row) {
  const run = wmoeChain(row, CHECK_SEED);
  const fb = [], fl = [];
  for (let c = 0; c < CHECK_CALLS; c++) {
    const out = run();
    for (let f = 0; f < FRAMES; f++) {
      let err = 0, sum = 0;
      for (let i = f * FRAME_BITS; i < (f + 1) * FRAME_BITS; i++) {
        err += (out[i] < 0 ? 1 : 0) !== bits[i] ? 1 : 0;
        sum += bits[i] ? -out[i] : out[i];
      }
      fb.push(err / FRAME_BITS);
      fl.push(sum / FRAME_BITS);
    }
  }
  return { fb, fl };
}

/** The gains the check's wmoe calls use (blocks 0 … CHECK_CALLS·FRAMES−1 of seed CHECK_SEED), for numpy to share. */
function checkGains() {
  const h = new Float32Array(2 * CHECK_CALLS * FRAMES);
  ch.createFadingProcess(spec, 1, CHECK_SEED).gains(0, 0, CHECK_CALLS * FRAMES, h);
  return h;
}

const meanOf = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
/** Mean of xs and its standard error (frames are the independent units). */
function meanSe(xs) {
  const m = meanOf(xs);
  return { mean: m, se: Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1) / xs.length) };
}

function wmoeTimes(row, seed) {
  const run = wmoeChain(row, seed);
  for (let w = 0; w < 3; w++) run();
  const ts = [];
  for (let r = 0; r < REPS; r++) {
    const t = performance.now();
    run();
    ts.push((performance.now() - t) / 1000);
  }
  return ts;
}

// ---- run -----------------------------------------------------------------------------------

const load = { start: machineLoad() };
console.log(`Flat-fading chain, ${FRAMES} frames × ${FRAME_BITS} bits = ${NBITS} bits per call; ${formatLoad(load.start)} at start`);

const npVersions = {};
const gainsFile = join(mkdtempSync(join(tmpdir(), 'wmoe-fading-')), 'gains.f32');
writeFileSync(gainsFile, checkGains());
const npCheck = numpy(PYTHONS[0], 'check', 4242, gainsFile);
npVersions[PYTHONS[0]] = npCheck.version;
const checks = ROWS.map((r, i) => {
  const { fb: wf, fl: wl } = wmoeCheck(r);
  const nf = npCheck.rows[i].frameBer, nl = npCheck.rows[i].frameLlr;
  const dl = meanSe(wl.map((x, f) => x - nl[f]));
  const zLlr = Math.abs(dl.mean) / dl.se;
  const w = { ber: meanOf(wf) }, n = { ber: meanOf(nf) };
  // paired by frame (same gains h): the difference's standard error holds the noise, not the fading
  const d = meanSe(wf.map((x, f) => x - nf[f]));
  const z = Math.abs(d.mean) / d.se;
  // QPSK with perfect CSI: Pb = ½(1 − √(γ̄/(1+γ̄))), γ̄ = Eb/N0 = Es/N0 / 2 (both maps are Gray per axis)
  const gb = 10 ** (r.esn0Db / 10) / 2;
  const theory = r.bps === 2 && r.csi === 'perfect' ? 0.5 * (1 - Math.sqrt(gb / (1 + gb))) : null;
  return { row: rowName(r), theoryBer: theory, wmoeBer: w.ber, numpyBer: n.ber, diff: d.mean, diffSe: d.se, z,
    wmoeMeanLlr: meanOf(wl), numpyMeanLlr: meanOf(nl), zLlr, agree: z < 4 && zLlr < 4 };
});
console.log(`Same work? ${CHECK_CALLS * FRAMES} frames, both chains on the same gains h; BER of hard decisions and mean LLR·(1−2b), wmoe vs numpy, z = |mean per-frame Δ|/se (agree: z < 4):`);
for (const c of checks) console.log(`  ${c.row.padEnd(34)} ${c.wmoeBer.toExponential(3)} vs ${c.numpyBer.toExponential(3)}  z = ${c.z.toFixed(2)}; mean LLR·(1−2b) ${c.wmoeMeanLlr.toFixed(2)} vs ${c.numpyMeanLlr.toFixed(2)}  z = ${c.zLlr.toFixed(2)} ${c.agree ? 'agree' : 'DISAGREE'}${c.theoryBer === null ? '' : ` (closed form ${c.theoryBer.toExponential(3)})`}`);

const wRounds = ROWS.map(() => []);
const nRounds = PYTHONS.map(() => ROWS.map(() => []));
for (let round = 0; round < ROUNDS; round++) {
  const wmoeFirst = round % 2 === 0;
  const doW = () => ROWS.forEach((r, i) => wRounds[i].push(wmoeTimes(r, 100 + round)));
  const doN = () => PYTHONS.forEach((py, p) => {
    const res = numpy(py, 'time', 100 + round);
    npVersions[py] = res.version;
    res.rows.forEach((x, i) => nRounds[p][i].push(x.times));
  });
  if (wmoeFirst) { doW(); doN(); } else { doN(); doW(); }
}
load.end = machineLoad();

const rows = ROWS.map((r, i) => {
  const wmoe = NBITS / medianOfRounds(wRounds[i]) / 1e6;
  const peers = PYTHONS.map((py, p) => ({ python: py, numpy: npVersions[py], mbitsPerS: NBITS / medianOfRounds(nRounds[p][i]) / 1e6, roundMediansS: nRounds[p][i].map(median) }));
  const np = Math.max(...peers.map((q) => q.mbitsPerS));
  const check = checks[i];
  const invalid = check.agree ? [] : [`BER/LLR check failed (z = ${check.z.toFixed(2)}, ${check.zLlr.toFixed(2)}): the chains do not do the same work`];
  return {
    row: rowName(r), modulation: r.name, exact: r.exact, csi: r.csi, esn0Db: r.esn0Db,
    wmoeMBitsPerS: wmoe, numpyMBitsPerS: np, ratio: wmoe / np,
    target: `wmoe >= ${TARGET}x numpy`, threshold: TARGET, value: wmoe / np, invalid,
    ...judge(wmoe / np, TARGET, invalid),
    wmoeRoundMediansS: wRounds[i].map(median), numpyPeers: peers,
  };
});
console.log(`Throughput, Mbit/s (median of ${ROUNDS} round medians of ${REPS} calls); ${formatLoad(load.end)} at end`);
for (const r of rows) console.log(`  ${r.row.padEnd(34)} wmoe ${r.wmoeMBitsPerS.toFixed(1).padStart(7)}   numpy ${r.numpyMBitsPerS.toFixed(1).padStart(7)}   ${r.ratio.toFixed(2)}× (≥ ${TARGET}×: ${r.verdict})`);
const perModulation = Object.fromEntries(MODS.map((m) => {
  const mine = rows.filter((r) => r.modulation === m.name);
  const worst = mine.reduce((a, b) => (a.ratio <= b.ratio ? a : b));
  const invalid = mine.flatMap((r) => r.invalid);
  return [m.name, { worstRow: worst.row, value: worst.ratio, threshold: TARGET, invalid, ...judge(worst.ratio, TARGET, invalid) }];
}));
for (const [name, v] of Object.entries(perModulation)) console.log(`  ${name}: worst row ${v.value.toFixed(2)}× — ${v.verdict}`);

mkdirSync(join(root, 'bench', 'results'), { recursive: true });
writeFileSync(join(root, 'bench', 'results', 'fading.json'), JSON.stringify({
  bench: 'fading',
  date: new Date().toISOString(),
  load,
  machine: { cpu: cpus()[0]?.model, cores: cpus().length, node: process.version, numpy: npVersions },
  frames: FRAMES, frameBits: FRAME_BITS, bitsPerCall: NBITS, reps: REPS, rounds: ROUNDS, pilots: PILOTS,
  unit: 'Mbit/s (coded bits in, LLRs out; median of round medians)',
  berCheck: { calls: CHECK_CALLS, frames: CHECK_CALLS * FRAMES, rows: checks },
  rows, perModulation,
}, null, 2) + '\n');
