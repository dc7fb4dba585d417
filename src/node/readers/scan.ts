// One pass over a CSV file's bytes (or a gzip file's content) before or beside DuckDB's read: its lines, and what
// DuckDB would read otherwise than the strict reader does — a zero byte or UTF-16 (DuckDB keeps or words them its own
// way), a line that ends in a delimiter (DuckDB drops the empty value after it), an underscore or "+-" (DuckDB reads
// 1_000 as 1000 and +-1 as -1). Where the scan finds one, the file is left to the strict reader, so that it gets the
// one answer it gets at any size. It also tells whether every line is one row (no quote, no blank line, no carriage
// return alone), where DuckDB's line numbers are the file's.
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { utf16Mark } from '../../data/csv.js';

const LF = 10, CR = 13, UNDERSCORE = 0x5f, PLUS = 0x2b, MINUS = 0x2d, QUOTE = 0x22, ZERO = 0x30, NINE = 0x39, DOT = 0x2e;

export class ByteScan {
  /** Bytes seen. */
  size = 0;
  /** Line feeds seen. */
  private feeds = 0;
  /** A zero byte was seen. */
  zero = false;
  /** The bytes start with a UTF-16 byte-order mark. */
  utf16 = false;
  /** A digit, an underscore and a digit, or "+-" before a digit or point, was seen: numbers need the grammar's check (DuckDB reads 1_000 and +-1). */
  lenientNumbers = false;
  /** A quote, a blank line (nothing but a carriage return, if that), a carriage return not before a line feed was seen. */
  private quote = false;
  private blank = false;
  private loneCr = false;
  /** lineLast[b] = 1 where some line's last byte (a carriage return before its line feed passed over) is b. */
  readonly lineLast = new Uint8Array(256);
  /** The last two bytes before the current chunk (-1: none). */
  private last = -1;
  private beforeLast = -1;

  feed(chunk: Uint8Array): void {
    const n = chunk.length;
    if (n === 0) return;
    if (this.size === 0 && utf16Mark(chunk)) this.utf16 = true;
    if (!this.zero && chunk.indexOf(0) >= 0) this.zero = true;
    if (!this.quote && chunk.indexOf(QUOTE) >= 0) this.quote = true;
    if (!this.loneCr) {
      for (let at = chunk.indexOf(CR); at >= 0 && !this.loneCr; at = chunk.indexOf(CR, at + 1)) this.loneCr = at + 1 < n && chunk[at + 1] !== LF;
      if (this.last === CR && chunk[0] !== LF) this.loneCr = true;
    }
    if (!this.lenientNumbers) this.lenientNumbers = this.lenientIn(chunk);
    // The byte before each line feed, or before the carriage return in front of it (from the chunk before, at its start).
    const before = (i: number): number => (i >= 0 ? chunk[i] : i === -1 ? this.last : this.beforeLast);
    for (let at = chunk.indexOf(LF); at >= 0; at = chunk.indexOf(LF, at + 1)) {
      this.feeds++;
      let b = before(at - 1);
      if (b === CR) b = before(at - 2);
      if (b >= 0 && b !== LF) this.lineLast[b] = 1;
      else this.blank = true;
    }
    this.beforeLast = n >= 2 ? chunk[n - 2] : this.last;
    this.last = chunk[n - 1];
    this.size += n;
  }

  /**
   * Whether the chunk holds what DuckDB's parse of a number takes and the grammar refuses: an underscore between
   * digits, "+-" before a digit or a point (a byte past the chunk's end counts as one, to be safe). Underscores in
   * words (north_east) are not.
   */
  private lenientIn(chunk: Uint8Array): boolean {
    const n = chunk.length;
    const digit = (i: number): boolean => {
      const c = i < 0 ? this.last : i >= n ? ZERO : chunk[i];
      return c >= ZERO && c <= NINE;
    };
    for (let at = chunk.indexOf(UNDERSCORE); at >= 0; at = chunk.indexOf(UNDERSCORE, at + 1)) if (digit(at - 1) && digit(at + 1)) return true;
    if (this.last === PLUS && chunk[0] === MINUS && (digit(1) || chunk[1] === DOT)) return true;
    const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, n);
    for (let at = bytes.indexOf('+-'); at >= 0; at = bytes.indexOf('+-', at + 1)) if (digit(at + 2) || chunk[at + 2] === DOT) return true;
    return false;
  }

  /** Lines in the bytes: their line feeds, and one more if the last line has none (its last byte counted then). */
  lines(): number {
    if (this.last === LF || this.size === 0) return this.feeds;
    const b = this.last === CR ? this.beforeLast : this.last;
    if (b >= 0 && b !== LF) this.lineLast[b] = 1;
    return this.feeds + 1;
  }

  /** Every line is one row, so that DuckDB's line numbers are the file's: no quote, blank line or carriage return alone. */
  linesAreRows(): boolean {
    return !this.quote && !this.blank && !this.loneCr && this.last !== CR;
  }

  /** Why DuckDB would read these bytes otherwise than the strict reader (with this delimiter), or null. */
  differs(delimiter: string | undefined): string | null {
    this.lines();
    if (this.utf16) return 'UTF-16';
    if (this.zero) return 'a zero byte';
    if (delimiter !== undefined && delimiter.length === 1 && this.lineLast[delimiter.charCodeAt(0)]) return 'a line ending in the delimiter';
    return null;
  }
}

/** Whether every line of each file read is one row (ByteScan.linesAreRows), by path, size and time of change. */
const rowsAreLines = new Map<string, { size: number; mtimeMs: number; answer: boolean }>();

/**
 * How a message places row `row` (from 0) of a file read in chunks: "line N" of the file, as the reader of a whole
 * file says, where every line after the header is one row (found by one scan of the file's bytes, made the first
 * time a message needs it); "row N" (from 1) where it is not so or cannot be told (gzip, Parquet, a glob, a pipe).
 */
export function rowPlace(path: string): (row: number) => string {
  let lines: boolean | undefined;
  return (row) => {
    lines ??= linesAreRows(path);
    return lines ? `line ${row + 2}` : `row ${row + 1}`;
  };
}

function linesAreRows(path: string): boolean {
  if (/[*?[]/.test(path) || /\.(gz|parquet)$/i.test(path)) return false;
  let fd: number | null = null;
  try {
    const stat = statSync(path);
    if (!stat.isFile()) return false;
    const known = rowsAreLines.get(path);
    if (known && known.size === stat.size && known.mtimeMs === stat.mtimeMs) return known.answer;
    fd = openSync(path, 'r');
    const scan = new ByteScan();
    const chunk = Buffer.allocUnsafe(1 << 20);
    for (let n; (n = readSync(fd, chunk, 0, chunk.length, null)) > 0;) scan.feed(chunk.subarray(0, n));
    const answer = scan.linesAreRows();
    rowsAreLines.set(path, { size: stat.size, mtimeMs: stat.mtimeMs, answer });
    return answer;
  } catch {
    return false;
  } finally {
    if (fd !== null) closeSync(fd);
  }
}
