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

/**
 * Shows a bad value in a message: numbers as written (NaN, Infinity), strings quoted, lists and objects by the start
 * of their JSON (made no longer than shown, however large the value), one that holds itself as such.
 */
export function shown(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return printable(JSON.stringify(value.slice(0, 80)), 40);
  if (typeof value !== 'object' || value === null) return value === null ? 'null' : `a ${typeof value}`;
  const what = Array.isArray(value) ? `a list of ${value.length} item${value.length === 1 ? '' : 's'}` : 'an object';
  try {
    if (holdsItself(value)) return `${what} that holds itself (a repeated reference, which JSON cannot have)`;
    return printable(jsonStart(value, 40), 40);
  } catch {
    return what;
  }
}

/** Whether a value can be reached from itself, looking at no more than `budget` values (an answer of false may be a guess). */
function holdsItself(value: object, budget = 2000): boolean {
  const ancestors = new Set<object>();
  const visit = (v: object): boolean => {
    ancestors.add(v);
    const list = Array.isArray(v);
    const keys = list ? null : Object.keys(v).slice(0, budget);
    const count = list ? v.length : keys!.length;
    for (let i = 0; i < count; i++) {
      if (--budget < 0) return false;
      const child: unknown = list ? (v as unknown[])[i] : (v as Record<string, unknown>)[keys![i]];
      if (typeof child !== 'object' || child === null) continue;
      if (ancestors.has(child) || visit(child)) return true;
    }
    ancestors.delete(v);
    return false;
  };
  return visit(value);
}

/** The first `max` characters of a value's JSON (and a few more), written only that far. */
function jsonStart(value: unknown, max: number): string {
  let out = '';
  const write = (v: unknown): void => {
    if (out.length > max) return;
    if (typeof v === 'string') out += JSON.stringify(v.slice(0, max + 1));
    else if (typeof v === 'number') out += Number.isFinite(v) ? String(v) : 'null';
    else if (typeof v === 'boolean' || v === null) out += String(v);
    else if (Array.isArray(v)) {
      out += '[';
      for (let i = 0; i < v.length && out.length <= max; i++) {
        if (i > 0) out += ',';
        write(v[i] === undefined || typeof v[i] === 'function' ? null : v[i]);
      }
      out += ']';
    } else if (typeof v === 'object') {
      out += '{';
      let first = true;
      for (const key of Object.keys(v)) {
        if (out.length > max) break;
        const child = (v as Record<string, unknown>)[key];
        if (child === undefined || typeof child === 'function') continue;
        out += `${first ? '' : ','}${JSON.stringify(key.slice(0, max + 1))}:`;
        first = false;
        write(child);
      }
      out += '}';
    } else out += 'null';
  };
  write(value);
  return out;
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
  return cut(text.replace(CONTROL, escapeControl), max);
}

const escapeControl = (c: string): string => (c === '\n' ? '\\n' : c === '\t' ? '\\t' : c === '\r' ? '\\r' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
const cut = (safe: string, max: number): string => (safe.length > max ? safe.slice(0, max - 3) + '...' : safe);

/**
 * A name from a file, quoted and printable: "dense_1", "\u001b[2J". A quote or backslash in it is escaped in the same
 * pass, so the closing quote is the name's end (`"a\", \"b"` is one name) and a backslash read is one written.
 */
export function quoted(text: unknown, max = 80): string {
  return `"${cut(String(text).replace(QUOTED_ESCAPES, (c) => (c === '"' || c === '\\' ? `\\${c}` : escapeControl(c))), max)}"`;
}
const QUOTED_ESCAPES = new RegExp(`${CONTROL.source}|["\\\\]`, 'g');

/** A report's text with the control characters of names from a file shown as escapes, its line breaks kept. */
export function printableLines(text: string): string {
  return text.split('\n').map((line) => printable(line, Infinity)).join('\n');
}

/**
 * A count as messages write it, with a comma between thousands (12,345), as toLocaleString('en-US') writes it;
 * without Intl, whose first use costs about 35 ms (its locale data), a tenth of the command line's start.
 */
export function thousands(n: number): string {
  if (!Number.isSafeInteger(n)) return n.toLocaleString('en-US');
  const digits = String(Math.abs(n)).replace(/\B(?=(\d{3})+$)/g, ',');
  return n < 0 ? `-${digits}` : digits;
}
