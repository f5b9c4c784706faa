// How a long `wmoe train` / `wmoe demo` is stopped without losing work. Training runs in one
// synchronous loop, so a signal handler would never run before the run ends: a kill (Ctrl-C,
// SIGTERM) stops at once and loses what was trained since the last saved state. Instead the run
// is asked, after every stage-1 step and every epoch, whether to stop; when asked, it saves its
// state there and exits with EXIT_STOPPED. Two ways to ask:
//   - a file named STOP in the run directory (`touch DIR/STOP`), removed when the run obeys it;
//   - --stop-after-minutes M: once M minutes of this session have passed (a job's time limit).
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { parseNumberFlag } from './args.js';

/** The file whose presence in a run directory asks the run to save its state and stop. */
export const STOP_FILE = 'STOP';

/** Exit code of a run stopped as asked, its state saved: EX_TEMPFAIL of BSD's sysexits.h (continue it later). */
export const EXIT_STOPPED = 75;

/** Milliseconds between looks for the stop file (a step can take a few ms). */
const LOOK_EVERY_MS = 1000;

/**
 * A stopped run's report: why it stopped, where its state is, how to continue. The CLI prints
 * `wmoe: <message>` and exits with {@link EXIT_STOPPED}.
 */
export class RunStopped extends Error {
  override name = 'RunStopped';
}

/** `--stop-after-minutes M`: a number > 0, or undefined when absent. */
export function parseStopAfterMinutes(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const m = parseNumberFlag('stop-after-minutes', text, 0);
  if (!(m > 0)) throw new InputError(`--stop-after-minutes must be > 0, got ${text}`);
  return m;
}

/**
 * The stop request of a session training into `dir`: `requested()` is true once `dir`/STOP exists
 * (looked for at most once a second) or `afterMinutes` have passed since this call; `reason()`
 * says which. A STOP file already there was meant for an earlier session: it is removed (and
 * `onStale` told), as is the file the run obeys (`obeyed()`), so that --resume does not stop at once.
 */
export function stopRequest(dir: string, afterMinutes: number | undefined, onStale?: (path: string) => void) {
  const path = join(dir, STOP_FILE);
  if (existsSync(path)) {
    rmSync(path, { force: true });
    onStale?.(path);
  }
  const deadline = afterMinutes === undefined ? Infinity : Date.now() + afterMinutes * 60_000;
  let lookedAt = -Infinity;
  let fileSeen = false;
  return {
    requested(): boolean {
      const now = Date.now();
      if (now >= deadline) return true;
      if (!fileSeen && now - lookedAt >= LOOK_EVERY_MS) {
        lookedAt = now;
        fileSeen = existsSync(path);
      }
      return fileSeen;
    },
    /** Why the run stopped (after `requested()` said so). */
    reason(): string {
      return fileSeen ? `${path} asked it to` : `--stop-after-minutes ${afterMinutes} had passed`;
    },
    /** Removes the STOP file the run obeyed. */
    obeyed(): void {
      if (fileSeen) rmSync(path, { force: true });
    },
  };
}

/**
 * The stop request of a `wmoe` session in run directory `dir` (see {@link stopRequest}), telling
 * stderr (unless `quiet`) when it removed a STOP file left from before. `afterMinutes`: from
 * {@link parseStopAfterMinutes}.
 */
export function sessionStopRequest(dir: string, afterMinutes: number | undefined, quiet: boolean | undefined) {
  return stopRequest(dir, afterMinutes, (path) => {
    if (!quiet) process.stderr.write(`removed ${path}: it was there before this session started\n`);
  });
}
