// How `wmoe` reports an error that ended a command: bad input as one line (exit 1), a run
// stopped as asked as one line (exit 75), anything else as the crash it is, with its stack (exit 70).
import { describe, expect, it } from 'vitest';
import { describeFailure, EXIT_INPUT, EXIT_INTERNAL } from '../../src/cli/report_error.js';
import { InputError } from '../../src/errors.js';
import { ldpcCode } from '../../src/codes/ldpc.js';
import { EXIT_STOPPED, RunStopped } from '../../src/cli/stop_request.js';

describe('describeFailure', () => {
  it('bad input: "wmoe: <message>" on one line, exit 1', () => {
    expect(describeFailure(new InputError("unknown model 'x' (known: lenet5)"))).toEqual({ text: "wmoe: unknown model 'x' (known: lenet5)\n", exitCode: 1 });
    expect(EXIT_INPUT).toBe(1);
  });

  it('a run stopped as asked: "wmoe: <message>" on one line, exit 75 (EX_TEMPFAIL: continue later)', () => {
    expect(describeFailure(new RunStopped('stopped as asked (x)'))).toEqual({ text: 'wmoe: stopped as asked (x)\n', exitCode: 75 });
    expect(EXIT_STOPPED).toBe(75);
  });

  it('an InputError with a line break still prints as one line', () => {
    expect(describeFailure(new InputError('first\n  second')).text).toBe('wmoe: first second\n');
  });

  it('a bug (TypeError) prints "internal error", the message and the stack, exit 70', () => {
    let caught: unknown;
    try {
      (null as unknown as { x: number }).x;
    } catch (e) {
      caught = e;
    }
    const { text, exitCode } = describeFailure(caught);
    expect(exitCode).toBe(EXIT_INTERNAL);
    expect(EXIT_INTERNAL).toBe(70);
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^wmoe: internal error: TypeError: Cannot read properties of null \(reading 'x'\)$/);
    expect(lines.length).toBeGreaterThan(1);
    expect(lines[1]).toMatch(/^\s+at .*report_error\.test\.ts:\d+:\d+/);
  });

  it('a plain Error from an API precondition is a crash too, not a validation message', () => {
    const code = ldpcCode('80211n:648:1/2');
    let caught: unknown;
    try {
      code.encode(new Uint8Array(3));
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(Error);
    expect(caught).not.toBeInstanceOf(InputError);
    const { text, exitCode } = describeFailure(caught);
    expect(exitCode).toBe(70);
    expect(text.startsWith("wmoe: internal error: Error: ldpcCode('80211n:648:1/2'): ")).toBe(true);
    expect(text).toMatch(/\n\s+at /);
  });

  it('a thrown non-Error value is a crash', () => {
    expect(describeFailure('boom')).toEqual({ text: 'wmoe: internal error: thrown value boom\n', exitCode: 70 });
  });
});
