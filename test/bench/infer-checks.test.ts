// bench/lib/infer-checks.mjs: the inference bench's verdicts are computed from the measured rows
// and the run's load: met / missed from ratios against peers at equal threads and from LeNet-5's
// latency, invalid when the machine was busy or a compared row cannot be trusted, skipped when
// a peer was not measured.
import { describe, expect, it } from 'vitest';
// @ts-expect-error: plain ESM bench helper without type declarations
import { INFER_TARGETS, gflopsOf, inferChecks, loadProblems } from '../../bench/lib/infer-checks.mjs';
// @ts-expect-error: plain ESM bench helper without type declarations
import { thresholdOf, verdictOf } from '../../bench/lib/verdict.mjs';
// @ts-expect-error: plain ESM bench helper without type declarations
import { PLAIN_NETS, flopsPerImage } from '../../bench/lib/plain-nets.mjs';

const OPENBLAS = ['/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblasp-r0.3.21.so'];
const REFERENCE = ['/usr/lib/x86_64-linux-gnu/blas/libblas.so.3.11.0'];
type Row = { model: string; batch: number; peer: string; threads: number; msMedian: number; blas?: string[]; agreement?: unknown };
const row = (model: string, batch: number, peer: string, threads: number, msMedian: number, extra: Partial<Row> = {}): Row =>
  ({ model, batch, peer, threads, msMedian, ...(peer === 'pytorch-cpu' ? { blas: OPENBLAS } : {}), ...extra });
const snapshot = (load1: number) => ({ at: '', loadavg: [load1, 1, 1], uptimeSeconds: 1, cores: 2, cpuPressure: null });
const QUIET = { start: snapshot(1.2), end: snapshot(2.1) };
type Check = { target: string; verdict: string; value: number | null; why?: string; threshold: number };
const find = (checks: Check[], re: RegExp) => {
  const c = checks.filter((x) => re.test(x.target));
  expect(c).toHaveLength(1);
  return c[0]!;
};

/** Every peer at both thread counts: wmoe ResNet-18 b32 at 0.9x PyTorch and 2.5x onnxruntime-web; LeNet-5 0.2 / 0.3 ms. */
const healthy = (): Row[] => [
  row('resnet18', 32, 'wmoe', 1, 1000), row('resnet18', 32, 'wmoe', 2, 600),
  row('resnet18', 32, 'pytorch-cpu', 1, 900), row('resnet18', 32, 'pytorch-cpu', 2, 540),
  row('resnet18', 32, 'onnxruntime-web', 1, 2500), row('resnet18', 32, 'onnxruntime-web', 2, 1500),
  row('resnet18', 1, 'wmoe', 1, 40), row('resnet18', 1, 'wmoe', 2, 30),
  row('resnet18', 1, 'pytorch-cpu', 1, 20), row('resnet18', 1, 'pytorch-cpu', 2, 15),
  row('lenet5', 1, 'wmoe', 1, 0.2), row('lenet5', 1, 'wmoe', 2, 0.3),
];

describe('inferChecks', () => {
  it('judges the eight targets from the rows: ratios at equal threads, LeNet-5 latency', () => {
    const checks: Check[] = inferChecks(healthy(), QUIET, null);
    expect(checks).toHaveLength(8);
    const torch1 = find(checks, /batch 32 at 1 thread: wmoe >= 0.8x PyTorch/);
    expect(torch1.value).toBeCloseTo(0.9, 12);
    expect(torch1.verdict).toBe('met');
    expect(find(checks, /batch 32 at 2 threads: wmoe >= 0.8x PyTorch/).verdict).toBe('met');
    const web2 = find(checks, /batch 32 at 2 threads: wmoe >= 2x onnxruntime-web/);
    expect(web2.value).toBeCloseTo(2.5, 12);
    expect(web2.verdict).toBe('met');
    expect(find(checks, /ResNet-18 inference batch 1 at 1 thread/).verdict).toBe('missed'); // 40 ms vs 20
    const lenet1 = find(checks, /LeNet-5 inference batch 1 at 1 thread/);
    expect(lenet1.value).toBeCloseTo(5000, 9);
    expect(lenet1.verdict).toBe('met');
    // 0.3 ms at 2 threads misses 0.25 ms, and is not invalid for being slower than 1 thread
    expect(find(checks, /LeNet-5 inference batch 1 at 2 threads/).verdict).toBe('missed');
  });

  it('misses just past each threshold and meets at it', () => {
    const rows = healthy();
    rows.find((r) => r.peer === 'wmoe' && r.batch === 32 && r.threads === 1)!.msMedian = 900 / 0.8; // exactly 0.8x PyTorch
    rows.find((r) => r.model === 'lenet5' && r.threads === 1)!.msMedian = 0.25;
    let checks: Check[] = inferChecks(rows, QUIET, null);
    expect(find(checks, /batch 32 at 1 thread: wmoe >= 0.8x PyTorch/).verdict).toBe('met');
    expect(find(checks, /LeNet-5 inference batch 1 at 1 thread/).verdict).toBe('met');
    rows.find((r) => r.peer === 'wmoe' && r.batch === 32 && r.threads === 1)!.msMedian = 900 / 0.79;
    rows.find((r) => r.model === 'lenet5' && r.threads === 1)!.msMedian = 0.26;
    checks = inferChecks(rows, QUIET, null);
    expect(find(checks, /batch 32 at 1 thread: wmoe >= 0.8x PyTorch/).verdict).toBe('missed');
    expect(find(checks, /LeNet-5 inference batch 1 at 1 thread/).verdict).toBe('missed');
  });

  it('is invalid on a busy machine, whatever the values', () => {
    const checks: Check[] = inferChecks(healthy(), { start: snapshot(1), end: snapshot(3.4) }, null);
    expect(checks.every((c) => c.verdict === 'invalid')).toBe(true);
    expect(checks[0]!.why).toMatch(/1-minute load 3.40 at the end of the run, above 3/);
  });

  it('is invalid when a compared peer ran slower on 2 threads than on 1 (PyTorch collapsing under load)', () => {
    const rows = healthy();
    rows.find((r) => r.peer === 'pytorch-cpu' && r.batch === 32 && r.threads === 2)!.msMedian = 5000; // would flatter wmoe
    const checks: Check[] = inferChecks(rows, QUIET, null);
    const torch2 = find(checks, /batch 32 at 2 threads: wmoe >= 0.8x PyTorch/);
    expect(torch2.verdict).toBe('invalid');
    expect(torch2.why).toMatch(/2 threads .* slower than 1 thread/);
    expect(find(checks, /batch 32 at 1 thread: wmoe >= 0.8x PyTorch/).verdict).toBe('met');
  });

  it('is invalid against PyTorch on the reference BLAS, and against an ONNX Runtime that disagreed', () => {
    const rows = healthy().map((r) => (r.peer === 'pytorch-cpu' ? { ...r, blas: REFERENCE } : r));
    const web = rows.find((r) => r.peer === 'onnxruntime-web' && r.threads === 1)!;
    web.agreement = { agrees: false, maxAbsDiff: 0.5, limit: 1e-4 };
    const checks: Check[] = inferChecks(rows, QUIET, null);
    expect(find(checks, /batch 32 at 1 thread: wmoe >= 0.8x PyTorch/).why).toMatch(/reference BLAS/);
    expect(find(checks, /batch 32 at 1 thread: wmoe >= 2x onnxruntime-web/).why).toMatch(/disagreed with PyTorch/);
    expect(find(checks, /LeNet-5 inference batch 1 at 1 thread/).verdict).toBe('met'); // no peer involved
  });

  it('is skipped, with the reason, when a peer was not measured', () => {
    const rows = healthy().filter((r) => r.peer !== 'onnxruntime-web');
    const web1 = find(inferChecks(rows, QUIET, null), /batch 32 at 1 thread: wmoe >= 2x onnxruntime-web/);
    expect(web1.verdict).toBe('skipped');
    expect(web1.why).toMatch(/onnxruntime-web at 1 thread\(s\) not measured/);
  });

  it('stores checks whose verdicts recompute from value and target text alone', () => {
    for (const c of inferChecks(healthy(), QUIET, null) as Check[]) {
      expect(thresholdOf({ target: c.target })).toBe(c.threshold);
      expect(verdictOf({ target: c.target, value: c.value }).verdict).toBe(c.verdict);
    }
  });
});

describe('loadProblems and gflopsOf', () => {
  it('flags a 1-minute load above 1.5 x the cores at either end', () => {
    expect(loadProblems(QUIET)).toEqual([]);
    expect(loadProblems({ start: snapshot(3.01), end: snapshot(1) })).toHaveLength(1);
    expect(loadProblems({ start: snapshot(3.01), end: snapshot(3.5) })).toHaveLength(2);
  });

  it("gives a forward's GFLOP/s from the plain networks' multiply-adds (ResNet-18: 1.111 GFLOP per image)", () => {
    expect(flopsPerImage('resnet18')).toBe(1_110_845_440);
    expect(gflopsOf('resnet18', 32, 1000)).toBeCloseTo(35.547, 3);
    expect(PLAIN_NETS.lenet5.macsPerImage).toBe(416_520);
    expect(INFER_TARGETS).toHaveLength(8);
  });
});

describe('busy machine, per row', () => {
  it("judges a row by the CPU other processes took while it ran, not by the run's load average", () => {
    const rows = healthy().map((r) => ({ ...r, othersCpuShare: 0.05 }));
    // a niced job kept the load average high: the rows' own figures say the cores were free
    let checks: Check[] = inferChecks(rows, { start: snapshot(3.5), end: snapshot(3.9) }, null);
    expect(checks.every((c) => c.verdict !== 'invalid')).toBe(true);
    rows.find((r) => r.peer === 'onnxruntime-web' && r.threads === 2)!.othersCpuShare = 0.15;
    checks = inferChecks(rows, QUIET, null);
    const web2 = find(checks, /batch 32 at 2 threads: wmoe >= 2x onnxruntime-web/);
    expect(web2.verdict).toBe('invalid');
    expect(web2.why).toMatch(/other processes took 15 % of the CPU of 2 cores, above 10 %/);
    expect(find(checks, /batch 32 at 2 threads: wmoe >= 0.8x PyTorch/).verdict).toBe('met');
  });

  it('lets other processes use the core a 1-thread row leaves free, and no more', () => {
    const rows = healthy().map((r) => ({ ...r, othersCpuShare: r.threads === 1 ? 0.6 : 0.1 }));
    expect(inferChecks(rows, QUIET, null).every((c: Check) => c.verdict !== 'invalid')).toBe(true);
    rows.find((r) => r.peer === 'pytorch-cpu' && r.batch === 32 && r.threads === 1)!.othersCpuShare = 0.61;
    const checks: Check[] = inferChecks(rows, QUIET, null);
    expect(find(checks, /batch 32 at 1 thread: wmoe >= 0.8x PyTorch/).why).toMatch(/took 61 % of the CPU of 2 cores, above 60 %/);
    expect(find(checks, /batch 32 at 1 thread: wmoe >= 2x onnxruntime-web/).verdict).toBe('met');
  });

  it('counts niced processes against a row on every core only', () => {
    const rows = healthy().map((r) => ({ ...r, othersCpuShare: 0, niceCpuShare: 0.3 }));
    const checks: Check[] = inferChecks(rows, QUIET, null);
    expect(find(checks, /batch 32 at 1 thread: wmoe >= 0.8x PyTorch/).verdict).toBe('met');
    const torch2 = find(checks, /batch 32 at 2 threads: wmoe >= 0.8x PyTorch/);
    expect(torch2.verdict).toBe('invalid');
    expect(torch2.why).toMatch(/took 30 % of the CPU of 2 cores \(30 % of it niced/);
  });
});
