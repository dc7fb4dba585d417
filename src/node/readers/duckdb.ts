// Reading tables with DuckDB (@duckdb/node-api): CSV with any common delimiter (sniffed, or as given), a
// decimal comma where asked, gzip-compressed CSV, Parquet, and folders or globs of files of one schema. Columns
// come out of DuckDB's vectors straight into Float64Arrays and coded text, never as per-row values.
//
// DuckDB parses and types; backprop's rules decide: a column is numeric when every value is a finite number,
// text when none is, and anything else is an error. Where a CSV file breaks a rule (a missing value, a word in a
// numeric column, a ragged row, bytes that are not text), this reader answers null and the caller reads the file
// again with the strict reader, whose messages name the line, column and value; Parquet errors are worded here.
import { closeSync, openSync, readSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { BackpropError } from '../../core/errors.js';
import type { DataFrame, FrameColumn } from '../../data/frame.js';

export interface DuckReadOptions {
  /** The CSV delimiter; sniffed when not given. */
  delimiter?: string;
  /** Numbers are written with a decimal comma (1,5). */
  decimalComma?: boolean;
  /** Columns to read as text as written ("007" stays "007"), for copying into output. */
  textColumns?: readonly string[];
}

/** What counts as a number, and as a number that is not finite: the same rules as the strict reader's. */
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const NOT_FINITE = /^[+-]?(nan|inf|infinity)$/i;
const NUMERIC_TYPES = /^(DOUBLE|FLOAT|REAL|BIGINT|INTEGER|SMALLINT|TINYINT|UBIGINT|UINTEGER|USMALLINT|UTINYINT|HUGEINT|UHUGEINT|DECIMAL.*)$/;
const DELIMITERS = [',', ';', '\t', '|'];

type Duck = typeof import('@duckdb/node-api');
type Bindings = typeof import('@duckdb/node-bindings');
type Connection = Awaited<ReturnType<Awaited<ReturnType<Duck['DuckDBInstance']['create']>>['connect']>>;

interface Open {
  con: Connection;
  bindings: Bindings;
  close(): void;
}

let connection: Promise<Open> | null = null;

/** One in-memory DuckDB for the process, on every core, with a bounded buffer pool. */
function duck(): Promise<Open> {
  connection ??= (async () => {
    const { DuckDBInstance } = await import('@duckdb/node-api');
    // The low-level bindings give a vector's memory as bytes, so numbers are copied without a call per value.
    const module = (await import('@duckdb/node-bindings')) as Bindings & { default?: Bindings };
    const bindings = module.default ?? module;
    const instance = await DuckDBInstance.create(':memory:', { threads: String(availableParallelism()), memory_limit: '128MB' });
    const con = await instance.connect();
    return {
      con,
      bindings,
      close: () => {
        con.closeSync();
        instance.closeSync();
      },
    };
  })();
  return connection;
}

/** Closes the process's DuckDB, giving back its buffers; the next read opens it again. */
export async function closeDuckDB(): Promise<void> {
  const open = connection;
  connection = null;
  if (open) (await open).close();
}

const quote = (s: string): string => `'${s.replace(/'/g, "''")}'`;
const ident = (s: string): string => `"${s.replace(/"/g, '""')}"`;

/** A glob (*, ?, [), which DuckDB expands to files of one schema. */
export function isPattern(path: string): boolean {
  return /[*?[]/.test(path);
}

export function isParquet(path: string): boolean {
  return /\.parquet$/i.test(path);
}

/** A single line: DuckDB's messages run over several, with hints; the first line says what happened. */
function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e).split('\n')[0].replace(/^[A-Za-z ]+Error: /, '');
}

/**
 * Reads `path` (a file, or a glob DuckDB expands) into columns. Returns null for a CSV file that breaks a rule,
 * so the caller can word the error from the strict reader; throws BackpropError for Parquet and globs.
 */
export async function readWithDuckDB(path: string, source: string, options: DuckReadOptions = {}): Promise<DataFrame | null> {
  const { con, bindings } = await duck();
  const parquet = isParquet(path);
  const strictFallback = !parquet && !isPattern(path);
  const fail = (message: string): null => {
    if (strictFallback) return null;
    throw new BackpropError(`${source}: ${message}`);
  };
  try {
    const opened = await openTable(con, path, options, strictFallback);
    if (typeof opened === 'string') return fail(opened);
    const { from, described, numeric, select } = opened;
    // A streaming result that meets an error (a value that is not of its column's type) just ends, as if the
    // data had, so the rows read are checked against a count. For a plain CSV file its lines bound the rows (a
    // scan of bytes, far quicker than a count by DuckDB, which is asked only when the two disagree).
    const lines = parquet || /\.gz$/i.test(path) || !strictFallback ? null : countLines(path);
    const counted = async (): Promise<number> => Number((await con.runAndReadAll(`SELECT count(*) FROM ${from}`)).getRowsJS()[0][0]);
    const capacity = lines === null ? await counted() : lines - 1;
    let expected = lines === null ? capacity : -1;
    const sql = `SELECT ${select.join(', ')} FROM ${from}`;
    const result = await con.stream(sql);

    // Every column at its final size from the start (the count is known), written chunk by chunk.
    const values = described.map((_, j) => (numeric[j] ? new Float64Array(capacity) : null));
    const texts = described.map((_, j) => (numeric[j] ? null : { codes: new Uint32Array(capacity), index: new Map<string, number>(), dictionary: [] as string[] }));
    let rows = 0;
    for (;;) {
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) break;
      const n = chunk.rowCount;
      if (rows + n > capacity) return fail(`more rows than counted (${capacity})`);
      // Used at once, while the chunk is held: its numbers need no copies of their own.
      decodeChunk(bindings, chunk, opened, rows, false).forEach((column, j) => {
        if (column instanceof Float64Array) {
          values[j]!.set(column, rows);
          return;
        }
        const t = texts[j]!;
        for (let i = 0; i < n; i++) {
          let k = t.index.get(column[i]);
          if (k === undefined) {
            k = t.dictionary.push(column[i]) - 1;
            t.index.set(column[i], k);
          }
          t.codes[rows + i] = k;
        }
      });
      rows += n;
    }
    if (expected < 0) expected = rows === capacity ? rows : await counted();
    if (rows !== expected) {
      if (strictFallback) return null;
      // Run it whole to have DuckDB say what stopped it.
      await con.run(sql);
      return fail(`read ${rows} of ${expected} rows, then stopped`);
    }
    if (rows === 0) return fail('has a header row but no data rows');

    // Blank lines or line breaks inside values leave the columns longer than the rows: trim them.
    const fit = <T extends Float64Array | Uint32Array>(a: T): T => (a.length === rows ? a : (a.slice(0, rows) as T));
    const columns: FrameColumn[] = described.map((d, j): FrameColumn => {
      if (numeric[j]) return { name: d.column_name, kind: 'numeric', values: fit(values[j]!) };
      const t = texts[j]!;
      const codes = fit(t.codes);
      if ((options.textColumns ?? []).includes(d.column_name)) return { name: d.column_name, kind: 'text', codes, dictionary: t.dictionary };
      // Text by DuckDB's reckoning; by backprop's, numbers written with spaces around them (values come trimmed)
      // are still numbers, and a column of words with a number among them is an error.
      const kind = textKind(t.dictionary);
      if (kind === 'text') return { name: d.column_name, kind: 'text', codes, dictionary: t.dictionary };
      if (kind === 'mixed') throw new MixedColumn(d.column_name);
      const byCode = Float64Array.from(t.dictionary, Number);
      return { name: d.column_name, kind: 'numeric', values: Float64Array.from(codes, (k) => byCode[k]) };
    });
    return {
      source,
      rows,
      columns,
      where: (row) => (strictFallback ? `line ${row + 2}` : `row ${row + 1}`),
    };
  } catch (e) {
    if (e instanceof BackpropError) throw e;
    if (e instanceof RowError) return fail(e.message);
    if (e instanceof MixedColumn) return fail(`column "${e.column}" holds both numbers and text; text columns are one-hot encoded only when the whole column is text`);
    return fail(`cannot read it (${firstLine(e)})`);
  }
}

/** Lines in a file: its newlines, and one more if the last line has none. */
function countLines(path: string): number {
  const fd = openSync(path, 'r');
  try {
    const chunk = Buffer.allocUnsafe(1 << 20);
    let lines = 0, last = 10;
    for (;;) {
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      for (let at = chunk.indexOf(10, 0); at >= 0 && at < n; at = chunk.indexOf(10, at + 1)) lines++;
      last = chunk[n - 1];
    }
    return last === 10 ? lines : lines + 1;
  } finally {
    closeSync(fd);
  }
}

export interface OpenedTable {
  /** The SQL table expression that reads the data. */
  from: string;
  described: { column_name: string; column_type: string }[];
  /** Which columns are read as numbers (DOUBLE); the others as text. */
  numeric: boolean[];
  /** The select list: each column cast to DOUBLE or VARCHAR, then a flag for a missing number in the row. */
  select: string[];
}

/**
 * Sniffs (unless told) and describes a table: its SQL source, columns and how each is read. Answers a string
 * saying what is wrong where a CSV file cannot be read this way (the caller decides how to report it).
 */
export async function openTable(con: Connection, path: string, options: DuckReadOptions, single: boolean): Promise<OpenedTable | string> {
  let from: string;
  if (isParquet(path)) from = `read_parquet(${quote(path)})`;
  else {
    let delimiter = options.delimiter;
    if (delimiter === undefined) {
      // The sniffer reads one file: for a glob, the first it matches.
      const first = single ? path : (await con.runAndReadAll(`SELECT file FROM glob(${quote(path)}) ORDER BY file LIMIT 1`)).getRowsJS()[0]?.[0];
      if (typeof first !== 'string') return 'no file matches';
      const sniffed = (await con.runAndReadAll(`SELECT Delimiter FROM sniff_csv(${quote(first)})`)).getRowObjectsJS()[0]?.Delimiter;
      if (typeof sniffed !== 'string' || !DELIMITERS.includes(sniffed)) return 'cannot tell the delimiter; give it with --delimiter';
      delimiter = sniffed;
    }
    const text = (options.textColumns ?? []).map((c) => `${quote(c)}: 'VARCHAR'`);
    const csv = `${quote(path)}, delim = ${quote(delimiter)}, quote = '"', escape = '"', strict_mode = true`;
    // The header as written: DuckDB renames repeated names (a, a_1), which the strict reader refuses.
    const header = (await con.runAndReadAll(`SELECT * FROM read_csv(${csv}, header = false, all_varchar = true) LIMIT 1`)).getRowsJS()[0] as (string | null)[];
    if (!header || header.some((name) => !name || !name.trim()) || new Set(header.map((name) => name!.trim())).size !== header.length) return 'has an empty or repeated column name';
    from = `read_csv(${csv}, header = true, auto_type_candidates = ['DOUBLE', 'VARCHAR']` +
      `${options.decimalComma ? ", decimal_separator = ','" : ''}${text.length ? `, types = {${text.join(', ')}}` : ''})`;
  }
  const described = (await con.runAndReadAll(`DESCRIBE SELECT * FROM ${from}`)).getRowObjectsJS() as { column_name: string; column_type: string }[];
  if (described.length < 2) return `found ${described.length} column${described.length === 1 ? '' : 's'}; expected a header row and at least two columns`;
  const numeric = described.map((d) => NUMERIC_TYPES.test(d.column_type) && !(options.textColumns ?? []).includes(d.column_name));
  const select = described.map((d, j) => (numeric[j] ? `CAST(${ident(d.column_name)} AS DOUBLE)` : `CAST(${ident(d.column_name)} AS VARCHAR)`));
  const numericNames = described.filter((_, j) => numeric[j]).map((d) => ident(d.column_name));
  // One flag per row: a missing number anywhere in it.
  select.push(numericNames.length ? `(${numericNames.map((n) => `${n} IS NULL`).join(' OR ')})` : 'false');
  return { from, described, numeric, select };
}

/** One chunk of a table read in passes: numbers as float64 (copied out of DuckDB), text as strings. */
export interface TableChunk {
  rows: number;
  /** By column: a Float64Array for numeric columns, strings for text ones. */
  columns: (Float64Array | string[])[];
}

/**
 * Reads a table chunk by chunk (a few thousand rows each), in bounded memory, however large the file: one pass
 * per call. Every value is checked (no missing values, finite numbers) and the rows read are checked against a
 * count at the end (`expectedRows`, or DuckDB's), so an error never passes for the end of the data.
 */
export async function* tableChunks(path: string, source: string, options: DuckReadOptions = {}, expectedRows?: number): AsyncGenerator<TableChunk & { opened: OpenedTable }> {
  const { con, bindings } = await duck();
  const fail = (message: string): never => {
    throw new BackpropError(`${source}: ${message}`);
  };
  let opened: OpenedTable | string;
  try {
    opened = await openTable(con, path, options, !isPattern(path));
  } catch (e) {
    return fail(`cannot read it (${firstLine(e)})`);
  }
  if (typeof opened === 'string') return fail(opened);
  const { from, select } = opened;
  const sql = `SELECT ${select.join(', ')} FROM ${from}`;
  let rows = 0;
  try {
    const result = await con.stream(sql);
    for (;;) {
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) break;
      const n = chunk.rowCount;
      // The consumer keeps these past the next fetch: copies.
      const columns = decodeChunk(bindings, chunk, opened, rows, true);
      rows += n;
      yield { rows: n, columns, opened };
    }
  } catch (e) {
    if (e instanceof BackpropError) throw e;
    fail(e instanceof RowError ? e.message : `cannot read it (${firstLine(e)})`);
  }
  // A pass after the first knows the count already.
  const expected = expectedRows ?? Number((await con.runAndReadAll(`SELECT count(*) FROM ${from}`)).getRowsJS()[0][0]);
  if (rows !== expected) {
    try {
      await con.run(sql);
    } catch (e) {
      fail(`stopped after ${rows} of ${expected} rows (${firstLine(e)})`);
    }
    fail(`read ${rows} of ${expected} rows, then stopped`);
  }
}

/**
 * What a column DuckDB read as text is by backprop's rules, from its distinct values: text when none is a number,
 * numbers when every one is a finite number, and mixed (an error) otherwise.
 */
export function textKind(values: readonly string[]): 'text' | 'numeric' | 'mixed' {
  const numbers = values.filter((v) => NUMBER.test(v) || NOT_FINITE.test(v)).length;
  if (numbers === 0) return 'text';
  return numbers === values.length && !values.some((v) => NOT_FINITE.test(v)) ? 'numeric' : 'mixed';
}

/** A value that breaks a rule, in a chunk whose rows start after `first` rows. */
class RowError extends Error {}

type Chunk = NonNullable<Awaited<ReturnType<Awaited<ReturnType<Connection['stream']>>['fetchChunk']>>>;

/**
 * One chunk's columns: numbers from DuckDB's vector memory (checked finite), text as trimmed strings (checked
 * present); a row missing a number anywhere is refused too. Throws RowError naming row and column. Numbers are
 * views of the chunk's memory, valid while the chunk is, unless `copy` asks for arrays of their own.
 */
function decodeChunk(bindings: Bindings, chunk: Chunk, opened: OpenedTable, first: number, copy: boolean): (Float64Array | string[])[] {
  const { described, numeric } = opened;
  const n = chunk.rowCount;
  const nulls = bindings.vector_get_data(bindings.data_chunk_get_vector(chunk.chunk, described.length), n);
  if (nulls.indexOf(1) >= 0) throw new RowError(`row ${first + nulls.indexOf(1) + 1}: missing value; fill it in or remove the row`);
  return described.map((d, j): Float64Array | string[] => {
    if (numeric[j]) {
      const data = bindings.vector_get_data(bindings.data_chunk_get_vector(chunk.chunk, j), n * 8);
      const view = new Float64Array(data.buffer, data.byteOffset, n);
      const values = copy ? view.slice() : view;
      for (let i = 0; i < n; i++) {
        if (!Number.isFinite(values[i])) throw new RowError(`row ${first + i + 1}, column ${j + 1} (${d.column_name}): ${values[i]} is not a finite number`);
      }
      return values;
    }
    const vector = chunk.getColumnVector(j);
    return Array.from({ length: n }, (_, i) => {
      const value = vector.getItem(i) as string | null;
      if (value === null || value.trim() === '') throw new RowError(`row ${first + i + 1}, column ${j + 1} (${d.column_name}): missing value; fill it in or remove the row`);
      return value.trim();
    });
  });
}

class MixedColumn extends Error {
  constructor(readonly column: string) {
    super(column);
  }
}
