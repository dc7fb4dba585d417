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
    return json === undefined ? typeof value : printable(json, 40);
  } catch {
    return typeof value;
  }
}

/** Edit distance between two short names (insertions, deletions, substitutions), for "did you mean". */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

/** The known name a mistyped one most likely meant (learning_rate → learningRate, epoch → epochs), if any is close. */
export function closestName(got: string, known: readonly string[]): string | undefined {
  const plain = (s: string): string => s.toLowerCase().replace(/[-_\s]/g, '');
  let best: string | undefined;
  let bestScore = Infinity;
  for (const name of known) {
    const score = plain(name) === plain(got) ? 0 : distance(plain(got), plain(name));
    if (score < bestScore) {
      best = name;
      bestScore = score;
    }
  }
  return best !== undefined && bestScore <= Math.max(1, Math.floor(plain(got).length / 3)) ? best : undefined;
}

/**
 * Checks an options argument: undefined (all defaults) or a plain object whose keys are all known; a misspelled
 * key is an error with a suggestion, never silently ignored. Returns the object (or {} for undefined).
 */
export function checkOptions<T extends object>(value: T | undefined, known: readonly string[], argument: string): T {
  if (value === undefined) return {} as T;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new BackpropError(`${argument}: expected an object of options (or nothing), got ${value === null ? 'null' : Array.isArray(value) ? 'a list' : shown(value)}`, argument);
  }
  for (const key of Object.keys(value)) {
    if (known.includes(key)) continue;
    const guess = closestName(key, known);
    throw new BackpropError(`${argument}: unknown option "${key}"${guess ? `; did you mean "${guess}"?` : ''} (known: ${known.join(', ')})`, `${argument}.${key}`);
  }
  return value;
}

/** Control characters (C0, DEL, C1) and the bidirectional overrides that could rewrite a terminal line. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Text from a file (a name, a value) made safe to print: control characters shown as escapes (\u001b, \n), so an
 * ANSI sequence in an operator name cannot clear the user's terminal, and cut to `max` characters.
 */
export function printable(text: string, max = 80): string {
  const safe = text.replace(CONTROL, (c) => (c === '\n' ? '\\n' : c === '\t' ? '\\t' : c === '\r' ? '\\r' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
  return safe.length > max ? safe.slice(0, max - 3) + '...' : safe;
}

/** A name from a file, quoted and printable: "dense_1", "\u001b[2J". */
export function quoted(text: unknown, max = 80): string {
  return `"${printable(String(text), max)}"`;
}

/** A report's text with the control characters of names from a file shown as escapes, its line breaks kept. */
export function printableLines(text: string): string {
  return text.split('\n').map((line) => printable(line, Infinity)).join('\n');
}
