import { describe, expect, it } from 'vitest';
import { closeProgressLine, formatDuration, progressBar, stageTiming } from '../../src/cli/progress.js';
import type { PhaseInfo, StepInfo } from '../../src/train/progress.js';

/** A stream that records what is written, and a clock the test moves by hand. */
function fakes(isTTY: boolean) {
  const writes: string[] = [];
  let t = 0;
  return {
    stream: { isTTY, write: (s: string) => writes.push(s) },
    now: () => t,
    at: (ms: number) => (t = ms),
    writes,
    text: () => writes.join(''),
  };
}

/** Step `step` of `steps` (batches of 10 samples) of epoch `epoch` of `epochs`. */
function step(epoch: number, step: number, over: Partial<StepInfo> = {}): StepInfo {
  const steps = 4;
  return { kind: 'step', stage: 1, epoch, epochs: 2, step, steps, samples: step * 10, batch: 10, samplesPerEpoch: steps * 10, loss: 0.5, accuracy: NaN, ...over };
}

function phase(done: number, total = 200, label = 'features (test)'): PhaseInfo {
  return { kind: 'phase', label, done, total, unit: 'images' };
}

describe('formatDuration', () => {
  it('writes m:ss, h:mm:ss from an hour, and - for unknown', () => {
    expect(formatDuration(0)).toBe('0:00');
    expect(formatDuration(61_000)).toBe('1:01');
    expect(formatDuration(59_600)).toBe('1:00');
    expect(formatDuration(3_725_000)).toBe('1:02:05');
    expect(formatDuration(NaN)).toBe('-');
    expect(formatDuration(Infinity)).toBe('-');
  });
});

describe('stageTiming', () => {
  it('images/s over the epoch so far; ETA of the stage at its average pace', () => {
    // Epoch 2 of 3, 1000 samples each: 500 done in this epoch, 5 s into it, 15 s into the stage.
    const info = { ...step(2, 1), epochs: 3, samples: 500, samplesPerEpoch: 1000 };
    const t = stageTiming(info, { now: 15_000, stageStart: 0, epochStart: 10_000 });
    expect(t.imagesPerSecond).toBe(100);
    expect(t.elapsedMs).toBe(15_000);
    // 1500 of 3000 samples in 15 s: 1500 left take 15 s more.
    expect(t.etaMs).toBe(15_000);
  });

  it('a resumed stage: ETA from the pace since it was taken up', () => {
    // Taken up at epoch 3 of 4 (1000 samples each) at t = 0: 500 done in 10 s, 1500 left.
    const info = { ...step(3, 1), epochs: 4, samples: 500, samplesPerEpoch: 1000 };
    const t = stageTiming(info, { now: 10_000, stageStart: 0, firstEpoch: 3, epochStart: 0 });
    expect(t.etaMs).toBe(30_000);
    expect(t.imagesPerSecond).toBe(50);
  });

  it('a stage resumed mid-epoch: images/s and ETA count only the samples trained since', () => {
    // Taken up at sample 600 of epoch 1 of 2 (1000 samples each): 200 more in 4 s, 1200 left.
    const info = { ...step(1, 1), samples: 800, samplesPerEpoch: 1000 };
    const t = stageTiming(info, { now: 4_000, stageStart: 0, firstEpoch: 1, skipped: 600, epochStart: 0 });
    expect(t.imagesPerSecond).toBe(50);
    expect(t.etaMs).toBe(24_000);
    // The next epoch's images/s is its own; the ETA still counts from the take-up.
    const next = stageTiming({ ...info, epoch: 2, samples: 500 }, { now: 18_000, stageStart: 0, firstEpoch: 1, skipped: 600, epochStart: 8_000 });
    expect(next.imagesPerSecond).toBe(50);
    expect(next.etaMs).toBe(10_000);
  });

  it('ETA is 0 at the end of the stage, and unknown before time passes', () => {
    expect(stageTiming({ ...step(2, 4), kind: 'epoch' }, { now: 9_000, stageStart: 0, epochStart: 5_000 }).etaMs).toBe(0);
    // At an epoch's end, images/s counts the time up to its last step.
    expect(stageTiming({ ...step(2, 4), kind: 'epoch' }, { now: 9_000, stageStart: 0, epochStart: 5_000, stepsEnd: 7_000 }).imagesPerSecond).toBe(20);
    const t = stageTiming(step(1, 1), { now: 0, stageStart: 0, epochStart: 0 });
    expect(t.etaMs).toBeNaN();
    expect(t.imagesPerSecond).toBeNaN();
  });
});

describe('progressBar on a TTY', () => {
  it('redraws one live line per step with bar, images/s, elapsed, ETA, loss and accuracy; keeps it at the epoch end', () => {
    const f = fakes(true);
    const report = progressBar({ stream: f.stream, now: f.now, ttyIntervalMs: 0 });
    f.at(1_000);
    report(step(1, 1));
    // 10 of 80 samples of the stage in 1 s: 70 left take 7 s.
    expect(f.writes).toEqual([`\rstage 1 epoch 1/2 [#####...............] 1/4  10.0 img/s  elapsed 0:01  ETA 0:07  loss 0.5000  val acc -\x1b[K`]);
    f.at(2_000);
    report(step(1, 2, { loss: 0.25 }));
    expect(f.writes[1]).toMatch(/^\r.*\[##########\.{10}\] 2\/4 {2}10\.0 img\/s {2}elapsed 0:02 {2}ETA 0:06 {2}loss 0\.2500/);
    f.at(4_000);
    report(step(1, 4));
    f.at(5_000);
    report({ ...step(1, 4), kind: 'epoch', accuracy: 0.975 });
    const last = f.writes.at(-1)!;
    expect(last.endsWith('val acc 97.5%\x1b[K\n')).toBe(true);
    // images/s over the steps (40 in 4 s), not the validation after them; ETA: 40 of 80 in 5 s.
    expect(last).toContain('4/4  10.0 img/s  elapsed 0:05  ETA 0:05');
    expect(f.writes.slice(0, -1).every((w) => !w.includes('\n'))).toBe(true);
  });

  it('draws at most once per ttyIntervalMs, but always an epoch’s first and last step', () => {
    const f = fakes(true);
    const report = progressBar({ stream: f.stream, now: f.now, ttyIntervalMs: 100 });
    for (let s = 1; s <= 4; s++) {
      f.at(s * 10);
      report(step(1, s));
    }
    expect(f.writes.map((w) => w.match(/\] (\d)\/4/)![1])).toEqual(['1', '4']);
  });

  it('times each stage from its own start', () => {
    const f = fakes(true);
    const report = progressBar({ stream: f.stream, now: f.now, ttyIntervalMs: 0 });
    f.at(1_000);
    report({ ...step(2, 4), kind: 'epoch' });
    f.at(31_000);
    report(phase(200)); // stage 2 starts after this
    f.at(33_000);
    report(step(1, 1, { stage: 2 }));
    expect(f.writes.at(-1)).toContain('stage 2 epoch 1/2 [#####...............] 1/4  5.0 img/s  elapsed 0:02  ETA 0:14');
  });

  it('closeProgressLine ends a live line left open (before an error message), and only then', () => {
    const f = fakes(true);
    const report = progressBar({ stream: f.stream, now: f.now, ttyIntervalMs: 0 });
    closeProgressLine(f.stream);
    expect(f.writes).toEqual([]);
    report(step(1, 2));
    closeProgressLine(f.stream);
    expect(f.writes.at(-1)).toBe('\n');
    closeProgressLine(f.stream);
    report({ ...step(1, 4), kind: 'epoch' });
    const count = f.writes.length;
    closeProgressLine(f.stream);
    expect(f.writes).toHaveLength(count);
  });

  it('times a resumed stage from its first event, not from the clock’s zero', () => {
    const f = fakes(true);
    f.at(1_000_000);
    const report = progressBar({ stream: f.stream, now: f.now, ttyIntervalMs: 0 });
    f.at(1_002_000);
    report(step(2, 1)); // resumed at epoch 2 of 2: 10 of 40 samples in 2 s
    expect(f.writes.at(-1)).toContain('1/4  5.0 img/s  elapsed 0:02  ETA 0:06');
  });

  it('times a stage resumed mid-epoch by the samples this process trained', () => {
    const f = fakes(true);
    const report = progressBar({ stream: f.stream, now: f.now, ttyIntervalMs: 0 });
    f.at(2_000);
    report(step(1, 3)); // resumed after step 2 of epoch 1 of 2: step 3's 10 samples in 2 s, 50 left
    expect(f.writes.at(-1)).toContain('3/4  5.0 img/s  elapsed 0:02  ETA 0:10');
    f.at(4_000);
    report(step(1, 4));
    expect(f.writes.at(-1)).toContain('4/4  5.0 img/s  elapsed 0:04  ETA 0:08');
  });

  it('draws a phase inside an epoch (validation) live, and leaves no line of its own', () => {
    const f = fakes(true);
    const report = progressBar({ stream: f.stream, now: f.now, ttyIntervalMs: 0 });
    f.at(1_000);
    report(step(1, 4));
    report(phase(0, 200, 'validation'));
    report(phase(200, 200, 'validation'));
    report({ ...step(1, 4), kind: 'epoch', accuracy: 0.5 });
    const drawn = f.writes.filter((w) => w.includes('validation'));
    expect(drawn.length).toBeGreaterThan(0);
    expect(drawn.every((w) => w.startsWith('\r') && !w.includes('\n'))).toBe(true);
    expect(f.text().split('\n')).toHaveLength(2); // one kept line: the epoch's
    expect(f.writes.at(-1)).toMatch(/^\rstage 1 epoch 1\/2 .*val acc 50\.0%\x1b\[K\n$/);
  });

  it('fits live lines into the terminal’s width less one, so that they never wrap', () => {
    const width = (columns: number) => {
      const f = fakes(true);
      const report = progressBar({ stream: { ...f.stream, columns }, now: f.now, ttyIntervalMs: 0 });
      f.at(1_000);
      report(step(1, 1));
      report(phase(0));
      return f.writes;
    };
    const bar = '\rstage 1 epoch 1/2 [#####...............] 1/4  10.0 img/s  elapsed 0:01  ETA 0:07  loss 0.5000  val acc -\x1b[K';
    expect(width(bar.length - 3)[0]).toBe(bar); // the text is 4 characters shorter than what is written
    // Narrower: the bar goes, then words; then the compact line is cut.
    expect(width(bar.length - 4)[0]).toBe('\rstage 1 epoch 1/2 step 1/4  10.0 img/s  elapsed 0:01  ETA 0:07  loss 0.5000  val acc -\x1b[K');
    expect(width(80)).toEqual([
      '\rstage 1 epoch 1/2 1/4 10.0 img/s 0:01 ETA 0:07 loss 0.5000 val acc -\x1b[K',
      '\rfeatures (test) [....................] 0/200 images  elapsed 0:00  ETA -\x1b[K',
    ]);
    expect(width(20)).toEqual(['\rstage 1 epoch 1/2 1\x1b[K', '\rfeatures (test) 0/2\x1b[K']);
  });

  it('draws phases live and keeps their last line', () => {
    const f = fakes(true);
    const report = progressBar({ stream: f.stream, now: f.now, ttyIntervalMs: 0 });
    f.at(10_000);
    report(phase(0));
    f.at(12_000);
    report(phase(50));
    f.at(18_000);
    report(phase(200));
    expect(f.writes).toEqual([
      '\rfeatures (test) [....................] 0/200 images  elapsed 0:00  ETA -\x1b[K',
      '\rfeatures (test) [#####...............] 50/200 images  elapsed 0:02  ETA 0:06\x1b[K',
      '\rfeatures (test): 200 images in 0:08\x1b[K\n',
    ]);
  });
});

describe('progressBar on a non-terminal', () => {
  it('prints a plain line every intervalMs, not every step, and one at each epoch end', () => {
    const f = fakes(false);
    const report = progressBar({ stream: f.stream, now: f.now, intervalMs: 5_000 });
    const steps = 12;
    for (let s = 1; s <= steps; s++) {
      f.at(s * 1_000);
      report({ ...step(1, s), steps, samplesPerEpoch: steps * 10 });
    }
    f.at(13_000);
    report({ ...step(1, steps), steps, samplesPerEpoch: steps * 10, kind: 'epoch', accuracy: 0.5 });
    const lines = f.text().split('\n').slice(0, -1);
    expect(f.text().endsWith('\n')).toBe(true);
    expect(lines.map((l) => l.match(/step (\d+)\/12/)![1])).toEqual(['5', '10', '12']);
    expect(lines[0]).toBe('stage 1 epoch 1/2 step 5/12  10.0 img/s  elapsed 0:05  ETA 0:19  loss 0.5000  val acc -');
    expect(lines[2]).toContain('val acc 50.0%');
    expect(f.text()).not.toMatch(/[\r\x1b]/);
  });

  it('prints a phase’s progress every intervalMs and a line when it ends', () => {
    const f = fakes(false);
    const report = progressBar({ stream: f.stream, now: f.now, intervalMs: 5_000 });
    f.at(100_000);
    report(phase(0));
    f.at(103_000);
    report(phase(50));
    f.at(106_000);
    report(phase(100));
    f.at(108_000);
    report(phase(200));
    expect(f.text()).toBe('features (test) 100/200 images  elapsed 0:06  ETA 0:06\nfeatures (test): 200 images in 0:08\n');
  });

  it('prints no end line for a phase inside an epoch', () => {
    const f = fakes(false);
    const report = progressBar({ stream: f.stream, now: f.now, intervalMs: 5_000 });
    f.at(1_000);
    report(step(1, 4));
    report(phase(0, 200, 'validation'));
    f.at(2_000);
    report(phase(200, 200, 'validation'));
    report({ ...step(1, 4), kind: 'epoch', accuracy: 0.5 });
    expect(f.text()).not.toContain('validation');
    expect(f.text().split('\n')).toHaveLength(2);
  });

  it('stays silent for an empty phase', () => {
    const f = fakes(false);
    progressBar({ stream: f.stream, now: f.now })(phase(0, 0));
    expect(f.writes).toEqual([]);
  });
});

describe('progressBar with quiet', () => {
  it('prints nothing, on a TTY or not', () => {
    for (const isTTY of [true, false]) {
      const f = fakes(isTTY);
      const report = progressBar({ stream: f.stream, now: f.now, quiet: true, intervalMs: 0, ttyIntervalMs: 0 });
      f.at(60_000);
      report(step(1, 1));
      report({ ...step(1, 4), kind: 'epoch', accuracy: 0.9 });
      report(phase(0));
      report(phase(200));
      expect(f.writes).toEqual([]);
    }
  });
});
