// The stop request of a training session: a STOP file in the run directory, or a time limit.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseStopAfterMinutes, STOP_FILE, stopRequest } from '../../src/cli/stop_request.js';
import { InputError } from '../../src/errors.js';
import { tempDir } from '../helpers/cli.js';

describe('stopRequest', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('is not requested until DIR/STOP appears (looked for at most once a second), then names the file; obeyed() removes it', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const dir = tempDir();
    const stop = stopRequest(dir, undefined);
    expect(stop.requested()).toBe(false);
    writeFileSync(join(dir, STOP_FILE), '');
    expect(stop.requested()).toBe(false); // looked less than a second ago
    vi.advanceTimersByTime(1000);
    expect(stop.requested()).toBe(true);
    expect(stop.reason()).toBe(`${join(dir, STOP_FILE)} asked it to`);
    stop.obeyed();
    expect(existsSync(join(dir, STOP_FILE))).toBe(false);
  });

  it('removes a STOP file left from before the session and says so', () => {
    const dir = tempDir();
    writeFileSync(join(dir, STOP_FILE), '');
    const stale: string[] = [];
    const stop = stopRequest(dir, undefined, (path) => stale.push(path));
    expect(stale).toEqual([join(dir, STOP_FILE)]);
    expect(existsSync(join(dir, STOP_FILE))).toBe(false);
    expect(stop.requested()).toBe(false);
  });

  it('is requested once --stop-after-minutes have passed since it was made', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const stop = stopRequest(tempDir(), 2);
    vi.advanceTimersByTime(119_999);
    expect(stop.requested()).toBe(false);
    vi.advanceTimersByTime(1);
    expect(stop.requested()).toBe(true);
    expect(stop.reason()).toBe('--stop-after-minutes 2 had passed');
  });

  it('parses --stop-after-minutes: absent is no limit; 0, negatives and non-numbers are InputErrors naming the value', () => {
    expect(parseStopAfterMinutes(undefined)).toBeUndefined();
    expect(parseStopAfterMinutes('170')).toBe(170);
    expect(parseStopAfterMinutes('0.5')).toBe(0.5);
    expect(() => parseStopAfterMinutes('0')).toThrow(new InputError('--stop-after-minutes must be > 0, got 0'));
    expect(() => parseStopAfterMinutes('-3')).toThrow(new InputError('--stop-after-minutes must be > 0, got -3'));
    expect(() => parseStopAfterMinutes('soon')).toThrow(new InputError("--stop-after-minutes 'soon' is not a finite number"));
  });
});
