import type { PhaseInfo, ProgressEvent, ProgressFn, StepInfo } from '../train/progress.js';

/** Where progress goes: a text stream (stderr by default, so that stdout stays machine-readable). */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  /** A TTY's width: live lines are cut to one column less, so that they never wrap (a wrapped line cannot be redrawn). */
  columns?: number;
}

export interface ProgressOptions {
  stream?: ProgressStream;
  /** The clock, in milliseconds (Date.now by default; tests inject a fake one). */
  now?: () => number;
  /** Not a TTY: least time between two progress lines within an epoch or phase, ms (default 5000). */
  intervalMs?: number;
  /** A TTY: least time between two redraws of the live line, ms (default 100; an epoch's first and last step always draw). */
  ttyIntervalMs?: number;
  /** Print nothing at all. */
  quiet?: boolean;
}

/** A duration as m:ss, or h:mm:ss from one hour on ('-' when not finite). */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '-';
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** Speed and time of a training stage at a step event. */
export interface StageTiming {
  /** Images per second over this epoch's steps so far in this process (NaN before any time has passed). */
  imagesPerSecond: number;
  /** Time since the stage started, ms. */
  elapsedMs: number;
  /** Time left in the stage at the stage's average pace so far (validation included), ms (NaN: unknown). */
  etaMs: number;
}

/** Clock readings (ms) for {@link stageTiming}. */
export interface StageClock {
  now: number;
  /** When the stage began (or, resumed, when this process took it up). */
  stageStart: number;
  /** The 1-based epoch the stage began with in this process (1 unless resumed). */
  firstEpoch?: number;
  /** Samples of `firstEpoch` done before this process took it up (0 unless resumed mid-epoch). */
  skipped?: number;
  epochStart: number;
  /** When the epoch's last step so far ended (default `now`; at an epoch's end, so that its validation does not count in images/s). */
  stepsEnd?: number;
}

/** The rate and ETA math of a step event. */
export function stageTiming(info: StepInfo, c: StageClock): StageTiming {
  const epochMs = (c.stepsEnd ?? c.now) - c.epochStart;
  const elapsedMs = c.now - c.stageStart;
  const firstEpoch = c.firstEpoch ?? 1;
  const skipped = c.skipped ?? 0;
  const done = (info.epoch - firstEpoch) * info.samplesPerEpoch + info.samples - skipped;
  const left = (info.epochs - info.epoch + 1) * info.samplesPerEpoch - info.samples;
  const epochDone = info.samples - (info.epoch === firstEpoch ? skipped : 0);
  return {
    imagesPerSecond: epochMs > 0 && epochDone > 0 ? (epochDone * 1000) / epochMs : NaN,
    elapsedMs,
    etaMs: left <= 0 ? 0 : done > 0 && elapsedMs > 0 ? (left * elapsedMs) / done : NaN,
  };
}

function bar(done: number, total: number, width = 20): string {
  const fill = total > 0 ? Math.min(width, Math.round((done / total) * width)) : width;
  return `[${'#'.repeat(fill)}${'.'.repeat(width - fill)}]`;
}

function rate(imagesPerSecond: number): string {
  if (!Number.isFinite(imagesPerSecond)) return '- img/s';
  return `${imagesPerSecond.toFixed(imagesPerSecond < 100 ? 1 : 0)} img/s`;
}

/**
 * How a line is laid out: 'bar' (a TTY), 'plain' (the same without the bar: a log), 'compact'
 * (a narrow TTY: no bar, fewer words).
 */
export type LineStyle = 'bar' | 'plain' | 'compact';

/** The text of a step or epoch line (no line ending). */
export function stepLine(info: StepInfo, t: StageTiming, style: LineStyle): string {
  const acc = Number.isNaN(info.accuracy) ? '-' : `${(info.accuracy * 100).toFixed(1)}%`;
  const head = `stage ${info.stage} epoch ${info.epoch}/${info.epochs}`;
  const eta = info.kind === 'epoch' && info.epoch === info.epochs ? 'stage done' : `ETA ${formatDuration(t.etaMs)}`;
  const loss = `loss ${info.loss.toFixed(4)}`;
  if (style === 'compact') {
    return `${head} ${info.step}/${info.steps} ${rate(t.imagesPerSecond)} ${formatDuration(t.elapsedMs)} ${eta} ${loss} val acc ${acc}`;
  }
  const where = style === 'bar' ? `${bar(info.step, info.steps)} ${info.step}/${info.steps}` : `step ${info.step}/${info.steps}`;
  return `${head} ${where}  ${rate(t.imagesPerSecond)}  elapsed ${formatDuration(t.elapsedMs)}  ${eta}  ${loss}  val acc ${acc}`;
}

/** The text of a phase line (no line ending). */
export function phaseLine(info: PhaseInfo, elapsedMs: number, style: LineStyle): string {
  if (info.done >= info.total) return `${info.label}: ${info.total} ${info.unit} in ${formatDuration(elapsedMs)}`;
  const eta = info.done > 0 ? formatDuration(((info.total - info.done) * elapsedMs) / info.done) : '-';
  if (style === 'compact') return `${info.label} ${info.done}/${info.total} ${formatDuration(elapsedMs)} ETA ${eta}`;
  const where = style === 'bar' ? `${bar(info.done, info.total)} ${info.done}/${info.total}` : `${info.done}/${info.total}`;
  return `${info.label} ${where} ${info.unit}  elapsed ${formatDuration(elapsedMs)}  ETA ${eta}`;
}

/** Streams whose live line is drawn without its line ending. */
const openLines = new WeakSet<ProgressStream>();

/**
 * Ends a live progress line left open on `stream` (a TTY), so that what follows (an error
 * message) starts on a line of its own; writes nothing otherwise.
 */
export function closeProgressLine(stream: ProgressStream = process.stderr): void {
  if (!openLines.has(stream)) return;
  openLines.delete(stream);
  stream.write('\n');
}

/**
 * Prints progress events. A stage starts at step 1 of epoch 1 or with an event of another stage
 * (a resumed stage: timed from there, its images/s and ETA counting only the samples this process
 * trained), an epoch at its step 1, and a phase at done = 0; each is
 * timed from the previous event (or the printer's creation). A phase inside an epoch (between
 * its steps and its end: validation) is transient: drawn live on a TTY, or a line every
 * `intervalMs`, but no line of its own when it ends.
 */
class ProgressPrinter {
  private readonly tty: boolean;
  private last: number;
  private lastLine: number;
  private stageStart = 0;
  private epochStart = 0;
  private phaseStart = 0;
  private phaseLabel = '';
  private stepEnd = 0;
  private stage = 0;
  private firstEpoch = 1;
  private skipped = 0;
  private inEpoch = false;

  constructor(
    private readonly stream: ProgressStream,
    private readonly now: () => number,
    private readonly intervalMs: number,
    private readonly ttyIntervalMs: number,
  ) {
    this.tty = stream.isTTY === true;
    this.last = now();
    this.lastLine = this.last;
  }

  report(e: ProgressEvent): void {
    const t = this.now();
    if (e.kind === 'phase') this.phase(e, t);
    else this.step(e, t);
    this.last = t;
  }

  private step(e: StepInfo, t: number): void {
    if (e.stage !== this.stage || (e.kind === 'step' && e.step === 1 && e.epoch === 1)) {
      this.stage = e.stage;
      this.stageStart = this.epochStart = this.stepEnd = this.last;
      this.firstEpoch = e.epoch;
      // Taken up mid-epoch (resumed): what came before this step's batch was another process's.
      this.skipped = e.kind === 'step' ? e.samples - e.batch : e.samples;
    } else if (e.kind === 'step' && e.step === 1) this.epochStart = this.last;
    const end = e.kind === 'epoch';
    this.inEpoch = !end;
    if (!end) this.stepEnd = t;
    const clock = { now: t, stageStart: this.stageStart, firstEpoch: this.firstEpoch, skipped: this.skipped, epochStart: this.epochStart, stepsEnd: this.stepEnd };
    const text = (style: LineStyle) => stepLine(e, stageTiming(e, clock), style);
    if (this.tty) {
      if (end || e.step === 1 || e.step === e.steps || t - this.lastLine >= this.ttyIntervalMs) this.live(text, end, t);
    } else if (end || t - this.lastLine >= this.intervalMs) this.line(text('plain'), t);
  }

  private phase(e: PhaseInfo, t: number): void {
    if (e.total === 0) return;
    if (e.done === 0 || e.label !== this.phaseLabel) {
      this.phaseStart = e.done === 0 ? t : this.last;
      this.phaseLabel = e.label;
      if (!this.tty) this.lastLine = t;
    }
    const end = e.done >= e.total;
    const keep = end && !this.inEpoch;
    const text = (style: LineStyle) => phaseLine(e, t - this.phaseStart, style);
    if (this.tty) {
      if (keep || e.done === 0 || t - this.lastLine >= this.ttyIntervalMs) this.live(text, keep, t);
    } else if (keep || (e.done > 0 && t - this.lastLine >= this.intervalMs)) this.line(text('plain'), t);
    if (end) this.phaseLabel = '';
  }

  /**
   * TTY: redraws the live line, in the first style that fits the terminal's width (less one
   * column), else compact and cut to it; `end` keeps it (new line).
   */
  private live(text: (style: LineStyle) => string, end: boolean, t: number): void {
    const width = this.stream.columns;
    const fits = (line: string) => width === undefined || width <= 1 || line.length < width;
    const line = [text('bar'), text('plain'), text('compact')].find(fits) ?? text('compact').slice(0, width! - 1);
    this.stream.write(`\r${line}\x1b[K${end ? '\n' : ''}`);
    if (end) openLines.delete(this.stream);
    else openLines.add(this.stream);
    this.lastLine = t;
  }

  private line(text: string, t: number): void {
    this.stream.write(`${text}\n`);
    this.lastLine = t;
  }
}

/**
 * The CLI's progress reporter (stderr). On a TTY: one live line with a bar, step/steps, images/s,
 * elapsed time and ETA of the stage, the epoch's mean loss so far and the last validation
 * accuracy, kept at each epoch's end. Otherwise: the same as plain lines, one every
 * `intervalMs` (5 s) and one at each epoch's end. Phases (feature extraction, evaluation) the
 * same way, with a line when each ends. `quiet`: prints nothing.
 */
export function progressBar(opts: ProgressOptions | ProgressStream = {}): ProgressFn {
  const o: ProgressOptions = 'write' in opts ? { stream: opts } : opts;
  if (o.quiet) return () => {};
  const printer = new ProgressPrinter(o.stream ?? process.stderr, o.now ?? Date.now, o.intervalMs ?? 5000, o.ttyIntervalMs ?? 100);
  return (e) => printer.report(e);
}
