// A one-pass reader for plain CSV files, the common case, with no engine to start: numbers parsed from the file's
// bytes straight into Float64Arrays, text coded from its bytes (a string made once per distinct value). It reads
// only what is plain: a header of simple names, every line one row of as many values as the header, no quotes, no
// blank lines, no empty cells, no whitespace around values, UTF-8 text, numbers in the strict reader's grammar.
// Anything else answers null, and the caller reads the file as before (DuckDB, then the strict reader), so that
// every message, and every table those readers make of a file that is not plain, stays as it was. On the files it
// reads it gives the same table as the DuckDB reader: the same columns, kinds, values (correctly rounded, as
// DuckDB's and JavaScript's parsers both are), codes in order of first appearance, and rows placed by line.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { DataFrame, FrameColumn } from '../../data/frame.js';
import { textKind } from './duckdb.js';
import { DEFAULT_NA_VALUES, MISSING, naTest } from '../../data/missing.js';
import { readHeader } from './header.js';

export interface PlainReadOptions {
  delimiter?: string;
  decimalComma?: boolean;
  textColumns?: readonly string[];
  /** Written values that mean "no value" (default DEFAULT_NA_VALUES): in a text column, they become missing. */
  naValues?: readonly string[];
}

/** The bytes read at a time; a line longer than this is not plain (the other readers say what they make of it). */
const CHUNK = 1 << 20;

const DELIMITERS = [',', ';', '\t', '|'];
const QUOTE = 0x22, CR = 0x0d, LF = 0x0a, ZERO = 0x30, NINE = 0x39, DOT = 0x2e, PLUS = 0x2b, MINUS = 0x2d, E = 0x65, E_UPPER = 0x45;

/**
 * Powers of ten that are exact doubles: a mantissa below 2^53 (exact, as every step of its sum is) times or over one
 * of them is one correctly rounded operation. A mantissa of 2^53 or more has been rounded on the way (2^53 + 1 sums
 * to 2^53) and goes to Number().
 */
const POW10 = Float64Array.from({ length: 23 }, (_, i) => 10 ** i);
const EXACT = 2 ** 53;

/**
 * A plain CSV file as a frame, or null where it is not plain (or cannot be opened): the caller then reads it the
 * usual way, which says what is wrong. `source` names it in the frame.
 */
export function readPlainCsv(path: string, source: string, options: PlainReadOptions = {}): DataFrame | null {
  if (options.decimalComma || (options.textColumns?.length ?? 0) > 0) return null;
  // The common delimiters only: one that is part of a number (a point, a digit, e) is left to the other readers.
  if (options.delimiter !== undefined && !DELIMITERS.includes(options.delimiter)) return null;
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return null;
  }
  try {
    if (!fstatSync(fd).isFile()) return null;
    const header = readHeader(path, options.delimiter);
    if (!header) return null;
    const names = header.names;
    // Names as DuckDB and the strict reader both take them: present, trimmed, distinct, printable.
    if (names.length < 2 || new Set(names).size !== names.length) return null;
    if (names.some((n) => n === '' || n !== n.trim() || /[\u0000-\u001f\u007f]/.test(n))) return null;
    const frame = readRows(fd, source, names, header.delimiter.charCodeAt(0));
    return frame && withMissing(frame, naTest(options.naValues ?? DEFAULT_NA_VALUES));
  } finally {
    closeSync(fd);
  }
}

/** A text column's missing-value words (NA, ?, …) as missing values, as the other readers read them. */
function withMissing(frame: DataFrame, na: (trimmed: string) => boolean): DataFrame {
  const columns = frame.columns.map((c): FrameColumn => {
    if (c.kind !== 'text' || !c.dictionary.some(na)) return c;
    const dictionary: string[] = [];
    const byCode = Uint32Array.from(c.dictionary, (v) => (na(v) ? MISSING : dictionary.push(v) - 1));
    return { name: c.name, kind: 'text', codes: c.codes.map((k) => byCode[k]), dictionary };
  });
  return { ...frame, columns };
}

/** Lines in a file: its newlines, and one more if the last line has none; `size`, its bytes. */
function countLines(fd: number, buffer: Buffer): { lines: number; size: number } {
  let lines = 0, last = LF, size = 0;
  for (;;) {
    const n = readSync(fd, buffer, 0, buffer.length, size);
    if (n === 0) break;
    for (let at = buffer.indexOf(LF, 0); at >= 0 && at < n; at = buffer.indexOf(LF, at + 1)) lines++;
    last = buffer[n - 1];
    size += n;
  }
  return { lines: last === LF ? lines : lines + 1, size };
}

function readRows(fd: number, source: string, names: string[], delimiter: number): DataFrame | null {
  const columns = names.length;
  const buffer = Buffer.allocUnsafe(CHUNK);
  const { lines, size } = countLines(fd, buffer);
  const capacity = lines - 1;
  // Every row holds a byte or more per value and a delimiter or line end after each: more lines than that allows
  // means blank lines or empty cells, which are not plain; so the columns never take more than 4 bytes per byte read.
  if (capacity < 1 || capacity > size / (2 * columns)) return null;

  let kinds: Uint8Array | null = null; // 1: numeric, 2: text; decided by the first row
  const values: (Float64Array | null)[] = new Array(columns).fill(null);
  const codes: (Uint32Array | null)[] = new Array(columns).fill(null);
  const coders: (ByteCoder | null)[] = new Array(columns).fill(null);

  let rows = 0;
  let filled = 0; // bytes of buffer holding data
  let position = 0; // file offset of the next read
  let first = true; // the header line is still to be skipped
  for (;;) {
    const n = readSync(fd, buffer, filled, buffer.length - filled, position);
    position += n;
    const end = filled + n;
    const atEnd = n === 0;
    let p = 0;
    for (;;) {
      let lineEnd = buffer.indexOf(LF, p);
      if (lineEnd < 0 || lineEnd >= end) {
        if (!atEnd || p >= end) break;
        lineEnd = end; // the last line, without a line end
      }
      let stop = lineEnd;
      if (stop > p && buffer[stop - 1] === CR) stop--;
      if (first) {
        first = false;
        p = lineEnd + 1;
        continue;
      }
      if (rows >= capacity) return null;
      if (kinds === null) {
        kinds = firstRowKinds(buffer, p, stop, delimiter, columns);
        if (kinds === null) return null;
        for (let j = 0; j < columns; j++) {
          if (kinds[j] === 1) values[j] = new Float64Array(capacity);
          else {
            codes[j] = new Uint32Array(capacity);
            coders[j] = new ByteCoder();
          }
        }
      }
      // One row: each value up to the next delimiter (the last up to the line's end).
      if (!readRow(buffer, p, stop, delimiter, kinds, values, codes, coders, rows)) return null;
      rows++;
      p = lineEnd + 1;
    }
    if (atEnd) break;
    // The partial line moves to the front; a line that fills the whole buffer is longer than plain.
    if (p === 0 && end === buffer.length) return null;
    buffer.copyWithin(0, p, end);
    filled = end - p;
  }
  if (rows !== capacity || kinds === null) return null;

  const frameColumns: FrameColumn[] = [];
  for (let j = 0; j < columns; j++) {
    if (kinds[j] === 1) {
      frameColumns.push({ name: names[j], kind: 'numeric', values: values[j]! });
      continue;
    }
    const dictionary = coders[j]!.strings();
    // Every value text as written (valid UTF-8, nothing to trim), and none a number: anything else is the other
    // readers' to word or to type.
    if (dictionary === null || textKind(dictionary) !== 'text') return null;
    frameColumns.push({ name: names[j], kind: 'text', codes: codes[j]!, dictionary });
  }
  return { source, rows, columns: frameColumns, where: (row) => `line ${row + 2}` };
}

/**
 * One line's values into row `row` of the columns; false where the line is not plain: too few or too many values,
 * an empty one, a number column's value that is no finite number, a text value with a quote or stray byte.
 */
function readRow(b: Buffer, p: number, stop: number, delimiter: number, kinds: Uint8Array, values: (Float64Array | null)[],
  codes: (Uint32Array | null)[], coders: (ByteCoder | null)[], row: number): boolean {
  const last = kinds.length - 1;
  let at = p;
  for (let j = 0; j <= last; j++) {
    if (kinds[j] === 1) {
      const v = scanNumber(b, at, stop, delimiter);
      if (v !== v) return false;
      values[j]![row] = v;
    } else {
      const code = coders[j]!.scan(b, at, stop, delimiter);
      if (code < 0) return false;
      codes[j]![row] = code;
    }
    const end = scanEnd;
    // After each value but the last a delimiter, after the last the line's end.
    if (j < last ? end === stop : end !== stop) return false;
    at = end + 1;
  }
  return true;
}

/** Where the value scanNumber or ByteCoder.scan read ends (a small integer, so that setting it allocates nothing). */
let scanEnd = 0;

/**
 * Reads a number from b at i, up to the next delimiter or `stop` (where it ends goes to scanEnd): answers it, or NaN
 * where the value is empty, breaks the strict reader's grammar ([+-]?(\d+(?:\.\d*)?|\.\d+)([eE][+-]?\d+)?) or is not
 * finite. Exactly what Number() gives: a mantissa below 2^53 and a power of ten up to 22 make one correctly rounded
 * division or multiplication; other numbers go through Number().
 */
function scanNumber(b: Uint8Array, i: number, stop: number, delimiter: number): number {
  const start = i;
  let negative = false;
  let c = i < stop ? b[i] : delimiter;
  if (c === PLUS || c === MINUS) {
    negative = c === MINUS;
    c = ++i < stop ? b[i] : delimiter;
  }
  let mantissa = 0, scale = 0, digits = 0;
  while (c >= ZERO && c <= NINE) {
    mantissa = mantissa * 10 + (c - ZERO);
    digits++;
    c = ++i < stop ? b[i] : delimiter;
  }
  if (c === DOT) {
    c = ++i < stop ? b[i] : delimiter;
    while (c >= ZERO && c <= NINE) {
      mantissa = mantissa * 10 + (c - ZERO);
      digits++;
      scale--;
      c = ++i < stop ? b[i] : delimiter;
    }
  }
  if (digits === 0) return NaN;
  if (c === E || c === E_UPPER) {
    c = ++i < stop ? b[i] : delimiter;
    let negativeExponent = false;
    if (c === PLUS || c === MINUS) {
      negativeExponent = c === MINUS;
      c = ++i < stop ? b[i] : delimiter;
    }
    let exponent = 0, exponentDigits = 0;
    while (c >= ZERO && c <= NINE) {
      if (exponent < 100000) exponent = exponent * 10 + (c - ZERO);
      exponentDigits++;
      c = ++i < stop ? b[i] : delimiter;
    }
    if (exponentDigits === 0) return NaN;
    scale += negativeExponent ? -exponent : exponent;
  }
  if (c !== delimiter || (i < stop && b[i] !== delimiter)) return NaN;
  scanEnd = i;
  if (mantissa < EXACT && scale >= -22 && scale <= 22) {
    const value = scale < 0 ? mantissa / POW10[-scale] : mantissa * POW10[scale];
    return negative ? -value : value;
  }
  // Long mantissas and large exponents: JavaScript's own parse of the text (ASCII, by the grammar just checked).
  const value = Number(Buffer.from(b.buffer, b.byteOffset + start, i - start).toString('latin1'));
  return Number.isFinite(value) ? value : NaN;
}

/** Each column's kind from the first row's values: numeric where the value is a finite number, else text. */
function firstRowKinds(buffer: Buffer, p: number, stop: number, delimiter: number, columns: number): Uint8Array | null {
  const kinds = new Uint8Array(columns);
  let at = p;
  for (let j = 0; j < columns; j++) {
    let cellEnd = at;
    while (cellEnd < stop && buffer[cellEnd] !== delimiter) cellEnd++;
    if (cellEnd === at) return null;
    const v = scanNumber(buffer, at, cellEnd, delimiter);
    kinds[j] = v === v ? 1 : 2;
    at = cellEnd + 1;
  }
  return kinds;
}

/**
 * The most slots a look-up may try. The table is at most half full, so honest values find theirs within a few; a
 * file whose values were made to share a chain of slots (easy to craft for FNV-1a, whose low bits depend on nothing
 * else) would make every look-up walk all of them: rows × values steps, hours for a million of each. Past the limit
 * the file is not plain, and the other readers take it.
 */
const MAX_PROBES = 64;

/**
 * Codes for one text column, from the values' bytes: an open-addressing table on the bytes themselves, so a string
 * is made once per distinct value (at the end), never per row. A quote, carriage return or zero byte in a value
 * answers -1 (not plain).
 */
class ByteCoder {
  private pool = new Uint8Array(1024);
  private poolUsed = 0;
  private starts: number[] = [];
  private lengths: number[] = [];
  private slots = new Int32Array(64).fill(-1);
  private hashes: number[] = [];

  /** Reads a value from b at start, up to the next delimiter or `stop` (where it ends goes to scanEnd): answers its code, or -1. */
  scan(b: Uint8Array, start: number, stop: number, delimiter: number): number {
    let h = 0x811c9dc5;
    let end = start;
    for (; end < stop; end++) {
      const c = b[end];
      if (c === delimiter) break;
      if (c === QUOTE || c === CR || c === 0) return -1;
      h = Math.imul(h ^ c, 0x01000193);
    }
    if (end === start) return -1;
    scanEnd = end;
    return this.code(b, start, end, h);
  }

  /** The value's code (a new one for a value not seen), or -1 after MAX_PROBES slots: see MAX_PROBES. */
  private code(b: Uint8Array, start: number, end: number, h: number): number {
    const length = end - start;
    let mask = this.slots.length - 1;
    for (let s = h & mask, probes = 0; ; s = (s + 1) & mask) {
      const k = this.slots[s];
      if (k < 0) break;
      if (this.hashes[k] === h && this.lengths[k] === length && this.same(k, b, start, length)) return k;
      if (++probes > MAX_PROBES) return -1;
    }
    // A new value.
    const k = this.starts.length;
    if (this.poolUsed + length > this.pool.length) {
      const pool = new Uint8Array(Math.max(2 * this.pool.length, this.poolUsed + length));
      pool.set(this.pool.subarray(0, this.poolUsed));
      this.pool = pool;
    }
    this.pool.set(b.subarray(start, end), this.poolUsed);
    this.starts.push(this.poolUsed);
    this.lengths.push(length);
    this.hashes.push(h);
    this.poolUsed += length;
    if (2 * (k + 1) > this.slots.length) {
      this.slots = new Int32Array(2 * this.slots.length).fill(-1);
      mask = this.slots.length - 1;
      for (let j = 0; j < k; j++) this.place(j, mask);
    }
    this.place(k, mask);
    return k;
  }

  private place(k: number, mask: number): void {
    let s = this.hashes[k] & mask;
    while (this.slots[s] >= 0) s = (s + 1) & mask;
    this.slots[s] = k;
  }

  private same(k: number, b: Uint8Array, start: number, length: number): boolean {
    const pool = this.pool, at = this.starts[k];
    for (let i = 0; i < length; i++) if (pool[at + i] !== b[start + i]) return false;
    return true;
  }

  /** The values by code, or null where one is not UTF-8 text as written (bytes that are not UTF-8, or blank around it). */
  strings(): string[] | null {
    const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
    const out: string[] = [];
    for (let k = 0; k < this.starts.length; k++) {
      let s: string;
      try {
        s = decoder.decode(this.pool.subarray(this.starts[k], this.starts[k] + this.lengths[k]));
      } catch {
        return null;
      }
      if (s === '' || s !== s.trim()) return null;
      out.push(s);
    }
    return out;
  }
}
