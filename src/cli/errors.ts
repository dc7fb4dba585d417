// The CLI's two kinds of failure: a bad command line (exit 2) and anything else the user can fix (exit 1).
import { BackpropError } from '../core/errors.js';

/** A bad option or argument: exit code 2. */
export class UsageError extends BackpropError {
  constructor(message: string, option?: string) {
    super(message, option);
    this.name = 'UsageError';
  }
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
