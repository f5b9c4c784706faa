// Encoder throughput of the LDPC codes (information Mb/s, medians), and the structured QC encoder against
// the general GF(2) Gaussian-elimination encoder on the same code (ratio measured in the same run).
//
//   node bench/encode.mjs [--reps 7] [--mbits 4]
//
// The library is bundled from src/codes/index.ts with esbuild into a temporary file (no build step needed,
// and the figures are for the current source).
// Each measurement encodes frames (via encodeBatch, input validation included, into a reused output array;
// `freshOutput` repeats it letting encodeBatch allocate) until about `mbits` information megabits are done,
// `reps` times; the median time gives the throughput.
// Writes bench/results/encode.json.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { median } from './lib/timing.mjs';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const REPS = opt('reps', 7);
const MBITS = opt('mbits', 4);

/** Bundles src/codes (plus the embedded 10GBASE-T alist text) with esbuild and imports it. */
async function loadCodes() {
  const { build } = await import('esbuild');
  const out = join(mkdtempSync(join(tmpdir(), 'wmoe-bench-')), 'codes.mjs');
  await build({
    stdin: {
      contents:
        "export * from './src/codes/index.ts';\n" +
        "export { ALIST_10GBPS_ETHERNET_1723_2048 } from './src/codes/data/alist/10GBPS-ETHERNET_1723_2048.ts';\n",
      resolveDir: root,
      loader: 'ts',
    },
    bundle: true,
    format: 'esm',
    platform: 'node',
    outfile: out,
    logLevel: 'warning',
  });
  const mod = await import(pathToFileURL(out).href);
  rmSync(dirname(out), { recursive: true, force: true });
  return mod;
}

const codes = await loadCodes();
const { ldpcCode, alistCode, wifiCode, Gf2SystematicEncoder, QcEncoder } = codes;

function randomBits(count, seed) {
  let x = seed >>> 0 || 1;
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    out[i] = x & 1;
  }
  return out;
}

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e3;
};

/**
 * Median information Mb/s of encodeFrames(info, frames) over REPS runs of ~MBITS Mbit each, by wall clock
 * and by process CPU time (the machine is shared, so CPU time is the steadier figure).
 */
function throughput(k, encodeFrames) {
  const frames = Math.max(1, Math.round((MBITS * 1e6) / k));
  const info = randomBits(frames * k, 12345);
  encodeFrames(info.subarray(0, Math.min(frames, 8) * k), Math.min(frames, 8)); // warm-up
  const wall = [];
  const cpu = [];
  for (let r = 0; r < REPS; r++) {
    const c0 = cpuMs();
    const t0 = performance.now();
    encodeFrames(info, frames);
    wall.push(performance.now() - t0);
    cpu.push(cpuMs() - c0);
  }
  const w = median(wall);
  const c = median(cpu);
  return {
    frames,
    medianWallMs: +w.toFixed(3),
    medianCpuMs: +c.toFixed(3),
    infoMbps: +((frames * k) / (w * 1e3)).toFixed(1),
    infoMbpsCpu: +((frames * k) / (c * 1e3)).toFixed(1),
  };
}

const results = { node: process.version, reps: REPS, mbitsPerRep: MBITS, codes: [], peers: [] };

const alistText = codes.ALIST_10GBPS_ETHERNET_1723_2048;
const specs = [
  ['80211n:1944:1/2', () => ldpcCode('80211n:1944:1/2'), 'QcEncoder (dual diagonal)'],
  ['5gnr:bg1:z384', () => ldpcCode('5gnr:bg1:z384'), 'QcEncoder (double-diagonal core), first 2Z punctured'],
  ['5gnr:bg1:z384:mother', () => ldpcCode('5gnr:bg1:z384:mother'), 'QcEncoder, unpunctured'],
  ['alist 10GBASE-T (2048, 1723)', () => alistCode(alistText, 'alist:10GBPS-ETHERNET_1723_2048'), 'Gf2SystematicEncoder (rank 325)'],
];
for (const [name, make, encoder] of specs) {
  const t0 = performance.now();
  const code = make();
  const setupMs = performance.now() - t0;
  let out = null;
  const r = throughput(code.k, (info, frames) => {
    if (out === null || out.length !== frames * code.n) out = new Uint8Array(frames * code.n);
    code.encodeBatch(info, frames, out);
  });
  const fresh = throughput(code.k, (info, frames) => code.encodeBatch(info, frames));
  results.codes.push({ code: name, n: code.n, k: code.k, encoder, setupMs: +setupMs.toFixed(1), ...r, freshOutput: fresh });
  console.log(`${name.padEnd(30)} n=${String(code.n).padStart(5)} k=${String(code.k).padStart(5)}  ${String(r.infoMbps).padStart(7)} info Mb/s wall, ${String(r.infoMbpsCpu).padStart(7)} by CPU time; fresh output array: ${fresh.infoMbpsCpu} (setup ${setupMs.toFixed(1)} ms, ${encoder})`);
}

// Peer: the same QC code through the general Gaussian-elimination encoder (same H, same information
// positions, so identical codewords), measured in this run.
const { nrCode } = codes;
const peerCodes = [
  ['80211n:1944:1/2', () => { const w = wifiCode(1944, '1/2'); return [w, 24 - w.proto.rows, w.proto.rows]; }],
  ['80211n:1944:5/6', () => { const w = wifiCode(1944, '5/6'); return [w, 24 - w.proto.rows, w.proto.rows]; }],
  ['5gnr:bg1:z16:mother', () => { const c = nrCode(1, 16); return [c, c.kb, 4]; }],
];
for (const [name, make] of peerCodes) {
  const [c, kb, core] = make();
  const qc = new QcEncoder(c.proto, kb, core);
  const ge = new Gf2SystematicEncoder(c.H);
  const run = (enc) => (info, frames) => {
    const out = new Uint8Array(c.n);
    for (let f = 0; f < frames; f++) enc.encodeInto(info, f * c.k, out, 0);
  };
  const a = throughput(c.k, run(qc));
  const b = throughput(c.k, run(ge));
  const speedup = +(a.medianCpuMs > 0 ? b.medianCpuMs / a.medianCpuMs : b.medianWallMs / a.medianWallMs).toFixed(2);
  results.peers.push({ code: name, qc: a, gaussian: b, speedupCpu: speedup, speedupWall: +(b.medianWallMs / a.medianWallMs).toFixed(2) });
  console.log(`${name}: QcEncoder ${a.infoMbpsCpu} vs Gf2SystematicEncoder ${b.infoMbpsCpu} info Mb/s (CPU time): ${speedup}x`);
}

mkdirSync(join(root, 'bench', 'results'), { recursive: true });
writeFileSync(join(root, 'bench', 'results', 'encode.json'), JSON.stringify({ ...results, date: new Date().toISOString(), loadavg: loadavg() }, null, 2) + '\n');
console.log('wrote bench/results/encode.json');
