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
  return new BackpropError(`${field ? field + ': ' : ''}unknown ${kind} ${shown(got)}; expected one of: ${valid.join(', ')}`, field);
}

/** Shows a bad value in a message: numbers as written (NaN, Infinity), strings quoted, the rest by JSON or type. */
export function shown(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (value === undefined) return 'nothing';
  try {
    const json = JSON.stringify(value);
    return json === undefined ? typeof value : json.length > 40 ? json.slice(0, 37) + '...' : json;
  } catch {
    return typeof value;
  }
}
