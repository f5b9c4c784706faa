// Assertions on the errors a call throws.
import { expect } from 'vitest';
import { InputError } from '../../src/errors.js';

/** `f` throws an InputError (bad user input, not a crash) whose message is exactly `message`. */
export function expectInputError(f: () => unknown, message: string): void {
  let caught: unknown;
  try {
    f();
  } catch (e) {
    caught = e;
  }
  expect(caught, `expected an InputError '${message}'`).toBeInstanceOf(InputError);
  expect((caught as Error).message).toBe(message);
}
