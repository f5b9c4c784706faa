// bench/lib/verdict.mjs and bench/lib/train-step-checks.mjs: the training-step bench's verdicts
// are computed from the measured rows, three-valued (met / missed / invalid, plus skipped), and
// an invalid measurement (a 2-thread row slower than its own 1-thread row, PyTorch on a BLAS
// that is not optimised, or a run whose SIMD limit moved during it) is never met.
import { describe, expect, it } from 'vitest';
// @ts-expect-error: plain ESM bench helper without type declarations
import { blasKind, judge, thresholdOf, verdictOf } from '../../bench/lib/verdict.mjs';
// @ts-expect-error: plain ESM bench helper without type declarations
import { torchComparisons, trainStepChecks } from '../../bench/lib/train-step-checks.mjs';

const OPENBLAS = ['/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3', '/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblasp-r0.3.21.so'];
const REFERENCE = '/usr/lib/x86_64-linux-gnu/blas/libblas.so.3.11.0';

type Row = { model: string; batch: number; peer: string; threads: number; msMedian: number; blas?: unknown };
const row = (peer: string, threads: number, msMedian: number, extra: Partial<Row> = {}): Row => ({ model: 'lenet5', batch: 64, peer, threads, msMedian, ...extra });
const torchRow = (threads: number, ms: number, blas: unknown = OPENBLAS) => row('pytorch-cpu', threads, ms, { blas });
const byTarget = (checks: { target: string }[], re: RegExp) => checks.find((c) => re.test(c.target)) as Record<string, unknown>;

describe('judge', () => {
  it('is met at or above the threshold, missed below, skipped without a value', () => {
    expect(judge(20, 20)).toEqual({ verdict: 'met' });
    expect(judge(19.99, 20)).toEqual({ verdict: 'missed' });
    expect(judge(null, 20, [], 'PyTorch not installed')).toEqual({ verdict: 'skipped', why: 'PyTorch not installed' });
  });

  it('is invalid, with the reasons, whatever the value', () => {
    expect(judge(1.87, 1, ['2 threads slower than 1', 'reference BLAS'])).toEqual({ verdict: 'invalid', why: '2 threads slower than 1; reference BLAS' });
  });
});

describe('stored checks', () => {
  it('take the threshold from the field, else from the target text', () => {
    expect(thresholdOf({ target: 'x >= 2', threshold: 30 })).toBe(30);
    expect(thresholdOf({ target: 'Conv2D n8 >= 0.8x wasm' })).toBe(0.8);
    expect(thresholdOf({ target: 'LeNet-5 step batch 64: wmoe >= PyTorch CPU at 2 threads' })).toBe(1);
    expect(() => thresholdOf({ target: 'fast enough' })).toThrow(/no threshold/);
  });

  it('are judged from value and threshold, never from a stored pass flag', () => {
    expect(verdictOf({ target: 'Conv2D >= 0.8x wasm', value: 0.5, pass: true }).verdict).toBe('missed');
    expect(verdictOf({ target: 'Conv2D >= 0.8x wasm', value: 0.9, pass: false }).verdict).toBe('met');
  });
});

describe('blasKind', () => {
  it('tells OpenBLAS, MKL and the reference BLAS apart from the mapped libraries', () => {
    expect(blasKind(OPENBLAS)).toBe('openblas');
    expect(blasKind(REFERENCE)).toBe('reference');
    expect(blasKind(['/opt/intel/mkl/lib/libmkl_rt.so'])).toBe('mkl');
    expect(blasKind([], true)).toBe('mkl'); // pip wheels link MKL statically
    expect(blasKind(null)).toBe('unknown');
  });
});

describe('trainStepChecks', () => {
  const healthy = [
    row('wmoe', 1, 14), row('wmoe', 2, 10), torchRow(1, 30), torchRow(2, 20), row('tfjs-backend-cpu', 1, 3400),
  ];

  it('judges the targets from the rows', () => {
    const checks = trainStepChecks(healthy, null);
    expect(byTarget(checks, /20x tfjs-backend-cpu/)).toMatchObject({ verdict: 'met', threshold: 20 });
    expect(byTarget(checks, /20x tfjs-backend-cpu/).value).toBeCloseTo(3400 / 14, 12);
    expect(byTarget(checks, /PyTorch CPU at 1 thread$/)).toMatchObject({ verdict: 'met', value: 30 / 14 });
    expect(byTarget(checks, /PyTorch CPU at 2 threads/)).toMatchObject({ verdict: 'met', value: 2 });
    const slow = healthy.map((r) => (r.peer === 'wmoe' && r.threads === 1 ? { ...r, msMedian: 60 } : r));
    expect(byTarget(trainStepChecks(slow, null), /PyTorch CPU at 1 thread$/)).toMatchObject({ verdict: 'missed', value: 0.5 });
  });

  it('is invalid, never met, when both 2-thread rows ran slower than their own 1-thread rows (the issue\'s 1.87x)', () => {
    const rows = [row('wmoe', 1, 13.9), row('wmoe', 2, 18.1), torchRow(1, 30.2), torchRow(2, 33.8), row('tfjs-backend-cpu', 1, 3400)];
    const c = byTarget(trainStepChecks(rows, null), /PyTorch CPU at 2 threads/);
    expect(c.verdict).toBe('invalid');
    expect(c.value).toBeCloseTo(33.8 / 18.1, 12); // 1.87: stored, but not judged
    expect(c.why).toMatch(/wmoe LeNet-5 batch 64: 2 threads \(18\.1 ms\) slower than 1 thread \(13\.9 ms\)/);
    expect(c.why).toMatch(/pytorch-cpu LeNet-5 batch 64: 2 threads/);
    // the 1-thread verdict compares no contended row
    expect(byTarget(trainStepChecks(rows, null), /PyTorch CPU at 1 thread$/).verdict).toBe('met');
  });

  it('is invalid against PyTorch on the reference BLAS, and gives no comparison with it', () => {
    const rows = healthy.map((r) => (r.peer === 'pytorch-cpu' ? { ...r, blas: REFERENCE } : r));
    const checks = trainStepChecks(rows, null);
    for (const re of [/at 1 thread$/, /at 2 threads/]) {
      expect(byTarget(checks, re).verdict).toBe('invalid');
      expect(byTarget(checks, re).why).toMatch(/reference BLAS/);
    }
    expect(byTarget(checks, /20x tfjs-backend-cpu/).verdict).toBe('met');
    expect(torchComparisons(rows, null)).toEqual([]);
    expect(torchComparisons(healthy, null).map((c: { threads: number }) => c.threads)).toEqual([1, 2]);
  });

  it('marks a comparison with a contended row as not quotable', () => {
    const rows = healthy.map((r) => (r.peer === 'pytorch-cpu' && r.threads === 2 ? { ...r, msMedian: 300 } : r));
    const [one, two] = torchComparisons(rows, null);
    expect(one.problems).toEqual([]);
    expect(two.ratio).toBe(30);
    expect(two.problems.join()).toMatch(/pytorch-cpu LeNet-5 batch 64: 2 threads \(300\.0 ms\) slower than 1 thread/);
  });

  it('takes the BLAS from the result record when rows lack it (results stored before rows had it)', () => {
    const rows = healthy.map((r) => (r.peer === 'pytorch-cpu' ? { ...r, blas: undefined } : r));
    expect(byTarget(trainStepChecks(rows, { blas: REFERENCE }), /at 1 thread$/).verdict).toBe('invalid');
    expect(byTarget(trainStepChecks(rows, { blas: OPENBLAS }), /at 1 thread$/).verdict).toBe('met');
  });

  /** A SIMD-limit record (bench/lib/simd-limit.mjs) with these GFLOP/s. */
  const limit = (plain: number, relaxed: number) => ({ plain: { gflops: plain }, relaxed: { gflops: relaxed } });

  it('is invalid, every target and comparison, when the SIMD limit moved more than 15 % during the run', () => {
    const drifted = { start: limit(31.4, 47.0), end: limit(40.1, 47.6) };
    const measured = trainStepChecks(healthy, null, drifted).filter((c: { value: number | null }) => c.value !== null);
    expect(measured.length).toBe(3); // LeNet-5 against tfjs-backend-cpu, PyTorch at 1 and at 2 threads
    for (const c of measured) {
      expect(c.verdict).toBe('invalid');
      expect(c.why).toMatch(/plain WASM SIMD limit was 31\.4 GFLOP\/s at the start of the run and 40\.1 at its end/);
    }
    for (const c of torchComparisons(healthy, null, drifted)) expect(c.problems.join()).toMatch(/speed changed during the run/);
    // within 15 % (the stored run: 40.2 → 39.7 plain, 47.6 → 47.6 relaxed), or not measured: judged as before
    expect(byTarget(trainStepChecks(healthy, null, { start: limit(40.2, 47.6), end: limit(39.7, 47.6) }), /at 1 thread$/).verdict).toBe('met');
    expect(byTarget(trainStepChecks(healthy, null, { start: undefined, end: limit(40, 48) }), /at 1 thread$/).verdict).toBe('met');
  });

  it('is invalid when the SIMD limit moved between models, though the start and the end agree', () => {
    const start = limit(40.2, 47.6);
    const end = limit(39.7, 47.6);
    const dipped = { start, during: [{ after: 'lenet5', ...limit(40.0, 47.5) }, { after: 'resnet18', ...limit(39.9, 38.0) }], end };
    const c = byTarget(trainStepChecks(healthy, null, dipped), /at 1 thread$/);
    expect(c.verdict).toBe('invalid');
    expect(c.why).toMatch(/relaxed WASM SIMD limit was 47\.6 GFLOP\/s at the start of the run and 38\.0 after the ResNet-18 rows/);
    expect(c.why).not.toMatch(/plain/);
    const steady = { start, during: [{ after: 'lenet5', ...limit(40.0, 47.5) }, { after: 'resnet18', ...limit(39.9, 46.0) }], end };
    expect(byTarget(trainStepChecks(healthy, null, steady), /at 1 thread$/).verdict).toBe('met');
  });

  it('skips a target whose rows were not measured', () => {
    const rows = healthy.filter((r) => r.peer !== 'pytorch-cpu');
    expect(byTarget(trainStepChecks(rows, null), /at 2 threads/)).toMatchObject({ verdict: 'skipped', value: null });
  });
});
