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
/** Ctrl-C (SIGINT) or SIGTERM ended the run: 128 + 2, as the shell reports a command killed by SIGINT. */
export const EXIT_INTERRUPTED = 130;
/** Standard output was a pipe that closed: 128 + 13 (SIGPIPE), what cat's status reads in the same spot. */
export const EXIT_PIPE = 141;
