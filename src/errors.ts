/**
 * Bad input from a user: an impossible config, a malformed file, an unknown name. Its message
 * is one line naming the bad value, and the CLI prints it as such. Any other error is a bug and
 * is reported as a crash, with its stack.
 */
export class InputError extends Error {
  override name = 'InputError';
}
