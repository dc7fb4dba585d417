// A CSV file's text as a table of text cells (data/columns.ts then types the columns): the header sniffed, and
// what can go wrong with a file before any column is interpreted — empty, binary, not UTF-8, header only,
// ragged rows — said in one line naming the line and column. Browser-safe: the command line's reader
// (node/readers/csv.ts) and the playground's upload both parse here, so a file gets the same messages in each.
// The tokenizer is csv-parse's synchronous parse, given by the caller (the core depends on no package): Node passes
// csv-parse/sync, a page csv-parse/browser/esm/sync (the same parser, with its own Buffer).
import { BackpropError, quoted } from '../core/errors.js';
import type { TextTable } from './columns.js';

export type Table = TextTable;

export interface TableOptions {
  /** The delimiter; by default the one of , ; tab | that the header line uses most. */
  delimiter?: string;
  /** Numbers are written with a decimal comma (1,5): such cells are read with a point. */
  decimalComma?: boolean;
}

/** csv-parse's synchronous parse (either build): text and its options in, records out. */
export type CsvTokenizer = (text: string, options: Record<string, unknown>) => unknown;

/** The one of , ; tab | that the header line holds most of (a comma where none is there). */
export function sniffDelimiter(text: string): string {
  const header = text.slice(0, Math.max(0, text.indexOf('\n')) || text.length);
  let best = ',', most = 0;
  for (const d of [',', ';', '\t', '|']) {
    const count = header.split(d).length - 1;
    if (count > most) {
      best = d;
      most = count;
    }
  }
  return best;
}

const DECIMAL_COMMA = /^[+-]?(\d+(?:,\d*)?|,\d+)([eE][+-]?\d+)?$/;
/** With a decimal comma, points between thousands: 1.525,79. */
const POINTED_THOUSANDS = /^[+-]?\d{1,3}(?:\.\d{3})+,\d+$/;

/** The line (1-based) that holds offset `at` of the bytes or text: one more than the line feeds before it. */
function lineAt(data: Uint8Array | string, at: number, linesBefore = 0): number {
  let line = linesBefore + 1;
  if (typeof data === 'string') {
    for (let i = data.indexOf('\n'); i >= 0 && i < at; i = data.indexOf('\n', i + 1)) line++;
  } else {
    for (let i = data.indexOf(10); i >= 0 && i < at; i = data.indexOf(10, i + 1)) line++;
  }
  return line;
}

/** A UTF-16 byte-order mark at the start of a file (FF FE or FE FF), as written, or null. */
export function utf16Mark(bytes: Uint8Array): string | null {
  return bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))
    ? `${bytes[0].toString(16).toUpperCase()} ${bytes[1].toString(16).toUpperCase()}` : null;
}

/** The message for a UTF-16 file, one for every reader. */
export function utf16Message(source: string, mark: string): string {
  return `${source}: UTF-16 text (it starts with the byte-order mark ${mark}); expected CSV saved as UTF-8`;
}

/** The message for a zero byte at `offset` on `line`, one for every reader: no CSV file holds one. */
export function zeroByteMessage(source: string, line: number, offset: number): string {
  return `${source}, line ${line}: not a text file (a zero byte at offset ${offset}); expected CSV with a header row`;
}

/** Where the first byte that breaks UTF-8 lies (an invalid lead or continuation byte, a sequence cut short, an overlong or surrogate form), or -1. */
export function firstNonUtf8(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    // The length of the sequence and the range its second byte must fall in (RFC 3629's table).
    let n: number, lo = 0x80, hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) n = 2;
    else if (b >= 0xe0 && b <= 0xef) {
      n = 3;
      if (b === 0xe0) lo = 0xa0;
      if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      n = 4;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f;
    } else return i;
    if (i + n > bytes.length || bytes[i + 1] < lo || bytes[i + 1] > hi) return i;
    for (let k = 2; k < n; k++) if ((bytes[i + k] & 0xc0) !== 0x80) return i;
    i += n;
  }
  return -1;
}

/**
 * A file's bytes as text, or the one-line reason they are not CSV text, placed by line and offset: UTF-16 (by its
 * byte-order mark), a zero byte, bytes that are not UTF-8.
 */
function decodeText(bytes: Uint8Array, source: string): string {
  const mark = utf16Mark(bytes);
  if (mark) throw new BackpropError(utf16Message(source, mark));
  const zero = bytes.indexOf(0);
  if (zero >= 0) throw new BackpropError(zeroByteMessage(source, lineAt(bytes, zero), zero));
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const at = firstNonUtf8(bytes);
    throw new BackpropError(`${source}, line ${lineAt(bytes, at)}: not valid UTF-8 (the byte ${bytes[at]?.toString(16).toUpperCase().padStart(2, '0')} at offset ${at}); expected CSV saved as UTF-8`);
  }
}

/**
 * How lines end, as every reader here reads them: at a line feed, a carriage return before it being part of the line
 * end, wherever the first line ends in either (so a header written with CRLF and rows appended with LF are lines);
 * at a carriage return where the first line ends in one alone (an old Mac file).
 */
function lineEnds(text: string): { byCr: boolean; recordDelimiter?: string[] } {
  const lf = text.indexOf('\n'), cr = text.indexOf('\r');
  if (lf < 0 ? cr >= 0 : cr >= 0 && cr < lf - 1) return { byCr: true };
  // A file whose every line feed has a carriage return before it is CRLF throughout: the tokenizer finds that itself,
  // and quicker than told two line ends.
  if (cr === lf - 1 && lf >= 0) {
    let lone = false;
    for (let i = text.indexOf('\n', lf + 1); i >= 0 && !lone; i = text.indexOf('\n', i + 1)) lone = text.charCodeAt(i - 1) !== 13;
    if (lone) return { byCr: false, recordDelimiter: ['\r\n', '\n'] };
  }
  return { byCr: false };
}

/**
 * The line a tokenizer position lies on, counted by line feeds: csv-parse counts every carriage return as a line of
 * its own (a CRLF line end as two lines in a file that starts with LF ones, a CRLF in a quoted value as two), so
 * where the text holds one, lines are counted here, from the UTF-8 byte offsets it reports. Positions come in order.
 */
class LineCounter {
  private at = 0;
  private line = 1;

  constructor(private readonly utf8: Uint8Array | null) {}

  /** The line of the byte before `end` (a record's last, its line end included), or `fallback` where lines are the tokenizer's. */
  lineBefore(end: number, fallback: number): number {
    const b = this.utf8;
    if (b === null) return fallback;
    if (end - 1 < this.at) {
      this.at = 0;
      this.line = 1;
    }
    for (let i = b.indexOf(10, this.at); i >= 0 && i < end - 1; i = b.indexOf(10, i + 1)) this.line++;
    this.at = Math.max(this.at, end - 1);
    return this.line;
  }
}

/** The line of the quote that opens a value never closed (quotes toggle; a doubled quote toggles twice). */
function unclosedQuoteLine(text: string, byCr: boolean): number {
  let open = -1;
  for (let i = text.indexOf('"'), inside = false; i >= 0; i = text.indexOf('"', i + 1)) {
    inside = !inside;
    if (inside) open = i;
  }
  const end = byCr ? '\r' : '\n';
  let line = 1;
  for (let i = text.indexOf(end); i >= 0 && i < open; i = text.indexOf(end, i + 1)) line++;
  return line;
}

interface TokenizedRecord {
  record: string[];
  info: { lines: number; bytes: number };
}

/**
 * Each record's line where no value is quoted, so that every line is one record or blank (the tokenizer skips
 * those, as lines of whitespace alone): the lines that are not blank, in order. Null where their count is not
 * `records` (the tokenizer's info, which costs it three times its time, is asked then).
 */
function unquotedLines(text: string, byCr: boolean, records: number): number[] | null {
  const lines: number[] = [];
  const end = byCr ? '\r' : '\n';
  for (let start = 0, line = 1; start <= text.length; line++) {
    let stop = text.indexOf(end, start);
    if (stop < 0) stop = text.length;
    for (let i = start; i < stop; i++) {
      if (!WHITESPACE.test(text[i])) {
        lines.push(line);
        break;
      }
    }
    start = stop + 1;
  }
  return lines.length === records ? lines : null;
}

const WHITESPACE = /\s/;

/** Parses a CSV file's bytes (or text) with a header row; `source` names it in messages. */
export function parseTable(bytes: Uint8Array | string, source: string, options: TableOptions, tokenize: CsvTokenizer): Table {
  if (bytes.length === 0) throw new BackpropError(`${source}: the file is empty; expected CSV with a header row`);
  let text: string;
  if (typeof bytes === 'string') {
    const zero = bytes.indexOf('\0');
    if (zero >= 0) throw new BackpropError(zeroByteMessage(source, lineAt(bytes, zero), zero));
    text = bytes;
  } else text = decodeText(bytes, source);
  // Whitespace at the end is no value (the tokenizer trims values and skips blank lines), and would cost it a step a
  // character: a header padded with megabytes of spaces took seconds.
  text = text.trimEnd();
  if (text === '') throw new BackpropError(`${source}: the file is empty; expected CSV with a header row`);

  const ends = lineEnds(text);
  // Lines counted from the UTF-8 bytes the tokenizer counts (the text's, a byte-order mark left out as it leaves it).
  const counter = new LineCounter(!ends.byCr && text.includes('\r') ? new TextEncoder().encode(text.replace(/^\ufeff/, '')) : null);
  const settings = {
    bom: true, info: true, skip_empty_lines: true, trim: true, delimiter: options.delimiter ?? sniffDelimiter(text), record_delimiter: ends.recordDelimiter,
  };
  // Each name's first column, found by a map: a header of 250,000 names searched itself name by name for minutes.
  const checkHeader = (names: string[]): string[] => {
    const header = names.map((name) => name.trim());
    const firstOf = new Map<string, number>();
    header.forEach((name, j) => {
      if (name === '') {
        // pandas' to_csv and R's write.csv write the row index first, under no name.
        throw new BackpropError(`${source}, line 1, column ${j + 1}: the header has an empty column name${j === 0 ? '; a row index written by pandas (to_csv) or R (write.csv)? write the file without it (index=False, row.names = FALSE), or name the column' : '; name it'}`);
      }
      const first = firstOf.get(name);
      if (first !== undefined) throw new BackpropError(`${source}, line 1: the column name "${name}" appears twice (columns ${first + 1} and ${j + 1})`);
      firstOf.set(name, j);
    });
    return header;
  };
  const parse = (more: Record<string, unknown>): TokenizedRecord[] => {
    try {
      return tokenize(text, { ...settings, ...more }) as TokenizedRecord[];
    } catch (e) {
      const err = e as Error & { code?: string; lines?: number; bytes?: number; record?: string[] };
      // A row of more or fewer values than the header: the tokenizer stops at the first (told to relax, it made an
      // error object for each such row, minutes for a file whose header alone has one value too many).
      if (err.code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH' && err.record) {
        // The header's faults are named first.
        const header = checkHeader((parse({ to: 1, relax_column_count: true, info: false }) as unknown as string[][])[0]);
        const line = counter.lineBefore(err.bytes ?? 0, err.lines ?? 0);
        // A first line of one value starting with # is most likely a comment above the header.
        const comment = header.length === 1 && header[0].trimStart().startsWith('#') ? `; line 1, the header, is ${quoted(header[0], 40)}: if it is a comment, remove it` : '';
        throw new BackpropError(`${source}, line ${line}: expected ${header.length} values like the header, found ${err.record.length}${comment}`);
      }
      if (err.code === 'CSV_QUOTE_NOT_CLOSED') throw new BackpropError(`${source}, line ${unclosedQuoteLine(text, ends.byCr)}: a quoted value is never closed (an unterminated quote)`);
      // Elsewhere the tokenizer stops inside a line: its position is on that line.
      const line = err.lines ? counter.lineBefore((err.bytes ?? 0) + 1, err.lines) : 0;
      throw new BackpropError(`${source}${line ? `, line ${line}` : ''}: not valid CSV (${err.message.replace(/^.*?: /, '').replace(/ (at|on) line \d+/, '')})`);
    }
  };
  // Without a quote, a record is a line: its line is found here, quicker than by the tokenizer's info.
  let records: TokenizedRecord[] | string[][] = text.includes('"') ? [] : parse({ info: false }) as unknown as string[][];
  let recordLines = records.length > 0 ? unquotedLines(text, ends.byCr, records.length) : null;
  if (recordLines === null) {
    records = parse({});
    recordLines = records.map(({ info }) => counter.lineBefore(info.bytes, info.lines));
  }
  const first = records[0];
  const header = checkHeader(Array.isArray(first) ? first : first.record);
  if (records.length === 1) throw new BackpropError(`${source}: has a header row but no data rows`);
  const rows: string[][] = [];
  for (let i = 1; i < records.length; i++) {
    const r = records[i];
    const record = Array.isArray(r) ? r : r.record;
    // Whitespace around a value, a quoted newline included, is not part of it: " 12 " and "0.5\n" are numbers.
    const cells = record.map((cell) => cell.trim());
    rows.push(options.decimalComma ? cells.map((c) => (DECIMAL_COMMA.test(c) ? c.replace(',', '.') : POINTED_THOUSANDS.test(c) ? c.replaceAll('.', '').replace(',', '.') : c)) : cells);
  }
  return { source, header, rows, lines: recordLines.slice(1) };
}
