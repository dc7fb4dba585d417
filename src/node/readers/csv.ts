// Reads a CSV file with a header row into rows of text, checking what can go wrong with a file
// before any column is interpreted: missing, empty, binary, header only, ragged rows.
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { readableSize } from '../files.js';
import { sniffDelimiter } from './header.js';
import { parse } from 'csv-parse/sync';
import { BackpropError } from '../../core/errors.js';

export interface Table {
  /** The file name, or "stdin", for messages. */
  source: string;
  header: string[];
  rows: string[][];
  /** The line of the file each row ends on (1-based; the header is line 1). */
  lines: number[];
}

/** Larger inputs are refused: 1 GiB of CSV would not fit this tool's in-memory design anyway. */
const MAX_BYTES = 1024 * 1024 * 1024;
/**
 * Standard input, FIFOs and devices are read whole before parsing, so they get a smaller bound: an endless
 * stream fails there, in bounded memory. Larger data sets go in a file, which DuckDB reads in columns.
 */
const MAX_STREAM_BYTES = 128 * 1024 * 1024;

export interface TableOptions {
  /** The delimiter; by default the one of , ; tab | that the header line uses most. */
  delimiter?: string;
  /** Numbers are written with a decimal comma (1,5): such cells are read with a point. */
  decimalComma?: boolean;
}

export function readTableFile(path: string, options: TableOptions = {}): Table {
  if (path === '-') return parseTable(readBounded(0, 'stdin', false, MAX_STREAM_BYTES), 'stdin', options);
  const size = readableSize(path);
  if (size > MAX_BYTES) throw new BackpropError(`${path}: ${size} bytes is more than the ${MAX_BYTES}-byte limit for data files`);
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw new BackpropError(`${path}: cannot read the file (${(e as NodeJS.ErrnoException).code})`);
  }
  try {
    let bytes = readBounded(fd, path, /\.gz$/i.test(path), statSync(path).isFile() ? MAX_BYTES : MAX_STREAM_BYTES);
    if (/\.gz$/i.test(path)) {
      try {
        bytes = gunzipSync(bytes, { maxOutputLength: MAX_BYTES });
      } catch (e) {
        throw new BackpropError(`${path}: not a gzip-compressed file, or larger than ${MAX_BYTES} bytes uncompressed (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
      }
    }
    return parseTable(bytes, path, options);
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads to the end in chunks, so that a device, a FIFO or an endless stream fails at the size limit (or at
 * the first zero byte, which no CSV file has) instead of growing memory without bound.
 */
function readBounded(fd: number, source: string, binary: boolean, limit: number): Uint8Array {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const chunk = Buffer.allocUnsafe(1 << 20);
    let n: number;
    try {
      n = readSync(fd, chunk, 0, chunk.length, null);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') continue;
      if (code === 'EOF') break;
      throw new BackpropError(`${source}: cannot read the file (${code})`);
    }
    if (n === 0) break;
    const zero = binary ? -1 : chunk.subarray(0, n).indexOf(0);
    if (zero >= 0) throw new BackpropError(`${source}: not a text file (a zero byte at offset ${total + zero}); expected CSV with a header row`);
    total += n;
    if (total > limit) {
      throw new BackpropError(`${source}: more than ${limit / 1048576} MiB${limit < MAX_BYTES ? ' from a stream; is it endless? (put larger data in a file)' : ', the limit for CSV files read whole'}`);
    }
    chunks.push(chunk.subarray(0, n));
  }
  return Buffer.concat(chunks, total);
}

const DECIMAL_COMMA = /^[+-]?(\d+,?\d*|,\d+)([eE][+-]?\d+)?$/;

export function parseTable(bytes: Uint8Array, source: string, options: TableOptions = {}): Table {
  if (bytes.length === 0) throw new BackpropError(`${source}: the file is empty; expected CSV with a header row`);
  const zero = bytes.indexOf(0);
  if (zero >= 0) throw new BackpropError(`${source}: not a text file (a zero byte at offset ${zero}); expected CSV with a header row`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new BackpropError(`${source}: not a text file (not valid UTF-8); expected CSV with a header row`);
  }
  if (text.trim() === '') throw new BackpropError(`${source}: the file is empty; expected CSV with a header row`);

  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, {
      bom: true, info: true, relax_column_count: true, skip_empty_lines: true, trim: true, delimiter: options.delimiter ?? sniffDelimiter(text),
    }) as unknown as typeof records;
  } catch (e) {
    const err = e as Error & { lines?: number };
    throw new BackpropError(`${source}${err.lines ? `, line ${err.lines}` : ''}: not valid CSV (${err.message.replace(/^.*?: /, '')})`);
  }
  const header = records[0].record.map((name) => name.trim());
  header.forEach((name, j) => {
    if (name === '') throw new BackpropError(`${source}, line 1, column ${j + 1}: the header has an empty column name`);
    const first = header.indexOf(name);
    if (first !== j) throw new BackpropError(`${source}, line 1: the column name "${name}" appears twice (columns ${first + 1} and ${j + 1})`);
  });
  if (records.length === 1) throw new BackpropError(`${source}: has a header row but no data rows`);
  const rows: string[][] = [];
  const lines: number[] = [];
  for (let i = 1; i < records.length; i++) {
    const { record, info } = records[i];
    if (record.length !== header.length) {
      throw new BackpropError(`${source}, line ${info.lines}: expected ${header.length} values like the header, found ${record.length}`);
    }
    // Whitespace around a value, a quoted newline included, is not part of it: " 12 " and "0.5\n" are numbers.
    const cells = record.map((cell) => cell.trim());
    rows.push(options.decimalComma ? cells.map((c) => (DECIMAL_COMMA.test(c) ? c.replace(',', '.') : c)) : cells);
    lines.push(info.lines);
  }
  return { source, header, rows, lines };
}
