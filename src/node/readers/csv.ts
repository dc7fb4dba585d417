// Reads a CSV file with a header row into rows of text, checking what can go wrong with a file
// before any column is interpreted: missing, empty, binary, header only, ragged rows.
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { readableSize } from '../files.js';
import { describeGzipError } from './gzip.js';
import { parse } from 'csv-parse/sync';
import { BackpropError } from '../../core/errors.js';
import { parseTable as parseTableText, utf16Mark, utf16Message, zeroByteMessage, type CsvTokenizer, type Table, type TableOptions } from '../../data/csv.js';

export type { Table, TableOptions };

/** Larger inputs are refused: 1 GiB of CSV would not fit this tool's in-memory design anyway. */
const MAX_BYTES = 1024 * 1024 * 1024;
/**
 * Standard input, FIFOs and devices are read whole before parsing, so they get a smaller bound: an endless
 * stream fails there, in bounded memory. Larger data sets go in a file, which DuckDB reads in columns.
 */
const MAX_STREAM_BYTES = 128 * 1024 * 1024;

/** A file as a table (standard input is readStandardInput's, which does not block the thread). */
export function readTableFile(path: string, options: TableOptions = {}): Table {
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
        // Too large is said as such; anything else as the gzip check words it (a file cut short was "not a gzip file").
        const code = (e as NodeJS.ErrnoException).code;
        throw new BackpropError(`${path}: ${code === 'ERR_BUFFER_TOO_LARGE' ? `larger than ${MAX_BYTES} bytes uncompressed, the limit for data files read whole` : describeGzipError(e as NodeJS.ErrnoException)}`);
      }
    }
    return parseTable(bytes, path, options);
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads to the end in chunks, so that a device, a FIFO or an endless stream fails at the size limit (or at
 * the first zero byte, which no CSV file has, or a UTF-16 byte-order mark) instead of growing memory without bound.
 * The messages are the parser's (data/csv.ts), so a file is refused in the same words however it is read.
 */
function readBounded(fd: number, source: string, binary: boolean, limit: number): Uint8Array {
  const bytes = boundedBytes(source, binary, limit);
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
    bytes.add(chunk.subarray(0, n));
  }
  return bytes.all();
}

/**
 * Standard input as a table, read without blocking the thread: a signal (Ctrl-C, SIGTERM) is taken while a producer
 * is still writing, where a read to the end in one call held it until the stream closed. The same checks and bound
 * as readBounded's.
 */
export async function readStandardInput(options: TableOptions = {}): Promise<Table> {
  const bytes = boundedBytes('stdin', false, MAX_STREAM_BYTES);
  try {
    for await (const chunk of process.stdin) bytes.add(chunk as Buffer);
  } catch (e) {
    if (e instanceof BackpropError) throw e;
    throw new BackpropError(`stdin: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return parseTable(bytes.all(), 'stdin', options);
}

/** Bytes gathered chunk by chunk up to `limit`, refused at a UTF-16 mark or a zero byte (text) as they come. */
function boundedBytes(source: string, binary: boolean, limit: number): { add(chunk: Uint8Array): void; all(): Uint8Array } {
  const chunks: Uint8Array[] = [];
  let total = 0;
  return {
    add(chunk) {
      const mark = !binary && total === 0 ? utf16Mark(chunk) : null;
      if (mark) throw new BackpropError(utf16Message(source, mark));
      const zero = binary ? -1 : chunk.indexOf(0);
      if (zero >= 0) {
        let line = 1;
        for (const c of [...chunks, chunk.subarray(0, zero)]) for (let at = c.indexOf(10); at >= 0; at = c.indexOf(10, at + 1)) line++;
        throw new BackpropError(zeroByteMessage(source, line, total + zero));
      }
      total += chunk.length;
      if (total > limit) {
        throw new BackpropError(`${source}: more than ${limit / 1048576} MiB${limit < MAX_BYTES ? ' from a stream; is it endless? (put larger data in a file)' : ', the limit for CSV files read whole'}`);
      }
      chunks.push(chunk);
    },
    all: () => Buffer.concat(chunks, total),
  };
}

/** Parses a CSV file's bytes with the library's browser-safe parser (data/csv.ts), given Node's faster build of csv-parse. */
export function parseTable(bytes: Uint8Array, source: string, options: TableOptions = {}): Table {
  return parseTableText(bytes, source, options, parse as unknown as CsvTokenizer);
}
