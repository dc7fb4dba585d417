// One error type for a user's mistakes, so callers (the CLI, the playground) can tell them apart
// from bugs and show the message alone, without a stack trace.

export class BackpropError extends Error {
  /** The option, field or argument at fault, e.g. "layers[1].activation". */
  readonly field: string | undefined;

  constructor(message: string, field?: string) {
    super(message);
    this.name = 'BackpropError';
    this.field = field;
  }
}

/** "Unknown activation "sigmod"; expected one of: a, b, c." */
export function unknownName(kind: string, got: unknown, valid: readonly string[], field?: string): BackpropError {
  const shown = typeof got === 'string' ? `"${got}"` : String(got);
  return new BackpropError(`${field ? field + ': ' : ''}unknown ${kind} ${shown}; expected one of: ${valid.join(', ')}`, field);
}
