import { InputError } from '../errors.js';
import { EXIT_STOPPED, RunStopped } from './stop_request.js';

/** Exit code for bad input (an {@link InputError}): the message names the bad value. */
export const EXIT_INPUT = 1;
/** Exit code for anything else, a bug: EX_SOFTWARE of BSD's sysexits.h. */
export const EXIT_INTERNAL = 70;

/**
 * What `wmoe` prints on stderr, and the exit code, for an error that ended a command: bad
 * input is one line, `wmoe: <message>`, exit 1; a run stopped as asked, its state saved (see
 * stop_request.ts), is one line too, exit 75; any other error is a crash and shows as one:
 * `wmoe: internal error: <stack>`, exit 70.
 */
export function describeFailure(e: unknown): { text: string; exitCode: number } {
  if (e instanceof RunStopped) return { text: `wmoe: ${e.message}\n`, exitCode: EXIT_STOPPED };
  if (e instanceof InputError) {
    return { text: `wmoe: ${e.message.replace(/\s*\n\s*/g, ' ')}\n`, exitCode: EXIT_INPUT };
  }
  const detail = e instanceof Error ? (e.stack ?? `${e.name}: ${e.message}`) : `thrown value ${String(e)}`;
  return { text: `wmoe: internal error: ${detail}\n`, exitCode: EXIT_INTERNAL };
}
