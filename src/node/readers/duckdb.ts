// Reading tables with DuckDB (@duckdb/node-api): CSV with any common delimiter (sniffed, or as given), a
// decimal comma where asked, gzip-compressed CSV, Parquet, and folders or globs of files of one schema. Columns
// come out of DuckDB's vectors straight into Float64Arrays and coded text, never as per-row values.
//
// DuckDB parses and types; backprop's rules decide: a column is numeric when every value is a finite number,
// text when none is, and anything else is an error. Where a CSV file breaks a rule (a missing value, a word in a
// numeric column, a ragged row, bytes that are not text), this reader answers null and the caller reads the file
// again with the strict reader, whose messages name the line, column and value; Parquet errors are worded here.
import { existsSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { availableParallelism, totalmem } from 'node:os';
import { BackpropError, printable, thousands } from '../../core/errors.js';
import { gzipProblem } from './gzip.js';
import { readHeader } from './header.js';
import { parquetPagesProblem, type ParquetChunk } from './parquet-pages.js';
import { ByteScan, rowPlace } from './scan.js';
import type { DataFrame, FrameColumn } from '../../data/frame.js';
import { DEFAULT_NA_VALUES, MISSING, naTest } from '../../data/missing.js';

export interface DuckReadOptions {
  /** The CSV delimiter; sniffed when not given. */
  delimiter?: string;
  /** Numbers are written with a decimal comma (1,5). */
  decimalComma?: boolean;
  /** Columns to read as text as written ("007" stays "007"), for copying into output. */
  textColumns?: readonly string[];
  /** Written values that mean "no value" in a CSV file, besides an empty field (default DEFAULT_NA_VALUES). */
  naValues?: readonly string[];
  /**
   * The most bytes a table read whole may take as columns (8 a number, 4 a text value), known from its row count
   * before they are made: past it the read is refused. Default: half this machine's memory. A gzip file of 2.6 MB
   * held 300 million rows, and its read grew past 6 GB.
   */
  memory?: number;
}

/** A table too large to read whole within the memory budget (train reads it in passes instead). */
export class OverMemory extends BackpropError {}

const megabytes = (bytes: number): string => `${thousands(Math.ceil(bytes / 2 ** 20))} MB`;

/** What counts as a number, and as a number that is not finite: the same rules as the strict reader's. */
const NUMBER = /^[+-]?(\d+(?:\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
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

/**
 * DuckDB is an optional dependency (a 70 MB native binary): Parquet files, folders and globs need it; CSV files,
 * compressed or not, are read by the strict reader without it. Reading one of those without it says what to install.
 */
export class DuckDBMissing extends BackpropError {
  constructor(what = 'this file') {
    super(`reading ${what} needs the optional package @duckdb/node-api (it reads Parquet files, folders, globs and files read in passes; a CSV file read whole needs no more than backprop); install it: npm install @duckdb/node-api`);
    this.name = 'DuckDBMissing';
  }
}

/** One in-memory DuckDB for the process, on every core, with a bounded buffer pool. */
function duck(): Promise<Open> {
  connection ??= (async () => {
    let api: Duck, module: Bindings & { default?: Bindings };
    try {
      api = await import('@duckdb/node-api');
      // The low-level bindings give a vector's memory as bytes, so numbers are copied without a call per value.
      module = (await import('@duckdb/node-bindings')) as Bindings & { default?: Bindings };
    } catch {
      connection = null;
      throw new DuckDBMissing();
    }
    const { DuckDBInstance } = api;
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

/**
 * A glob (*, ?, [), which DuckDB expands to files of one schema; a path that names a file or folder is that file,
 * whatever its name holds: `d[1].csv` read `d1.csv` when both were there.
 */
export function isPattern(path: string): boolean {
  return /[*?[]/.test(path) && !existsSync(path);
}

/** A path with its *, ? and [ escaped (as [*], [?], [[]), so that DuckDB's globs read each as itself. */
export const globEscaped = (path: string): string => path.replace(/[*?[]/g, (c) => `[${c}]`);
/** A file's path as DuckDB's table functions take it: escaped, so that none globs. */
const fileLiteral = (path: string): string => quote(globEscaped(path));
/** A path as a table function's source: a glob as written, a file escaped. */
const sourceLiteral = (path: string): string => (isPattern(path) ? quote(path) : fileLiteral(path));

export function isParquet(path: string): boolean {
  return /\.parquet$/i.test(path);
}

/** A single line: DuckDB's messages run over several, with hints; the first line says what happened. */
function firstLine(e: unknown): string {
  return printable(String((e as Error)?.message ?? e).split('\n')[0].replace(/^[A-Za-z ]+Error: /, ''), 120);
}

/**
 * DuckDB's error in one line, never its dump (the options it used and the data rows around the fault): for a CSV
 * error on a line, the line and what is wrong there, as the strict reader words it; `located` says so.
 */
export function duckProblem(e: unknown): { message: string; located: boolean } {
  const text = String((e as Error)?.message ?? e);
  const line = /CSV Error on Line: (\d+)/.exec(text)?.[1];
  if (line === undefined) return { message: `cannot read it (${firstLine(e)})`, located: false };
  const columns = /Expected Number of Columns: (\d+) Found: (\d+)/.exec(text);
  let what: string;
  if (columns) what = `expected ${columns[1]} values like the header, found ${columns[2]}`;
  else if (/unterminated quote/i.test(text)) what = 'a quoted value is never closed (an unterminated quote)';
  else if (/Invalid unicode|byte sequence/i.test(text)) what = 'not valid UTF-8 text';
  else if (/Maximum line size/i.test(text)) what = 'the line is longer than DuckDB reads';
  else what = 'not valid CSV';
  return { message: `line ${line}: ${what}`, located: true };
}

/** A value DuckDB could not convert to its column's type, from its error: the file's line, the column, the value. */
function conversionProblem(e: unknown): { line: number; column: string; value: string } | null {
  const text = String((e as Error)?.message ?? e);
  const line = /CSV Error on Line: (\d+)/.exec(text)?.[1];
  const what = /Error when converting column "((?:[^"]|"")*)"\. Could not convert string "((?:[^"]|"")*)" to '(DOUBLE|FLOAT|BIGINT|INTEGER)'/.exec(text);
  return line && what ? { line: Number(line), column: what[1], value: what[2] } : null;
}

/**
 * Checks every gzip file that `path` names (itself, or what its glob matches) through zlib, in bounded memory:
 * answers what is wrong with the first bad one, or null. Stops early when `signal` aborts.
 */
async function gzipFilesProblem(con: Connection, path: string, signal?: AbortSignal, scan?: ByteScan): Promise<string | null> {
  let files = [path];
  if (isPattern(path)) {
    try {
      files = (await con.runAndReadAll(`SELECT file FROM glob(${quote(path)}) ORDER BY file`)).getRowsJS().map((r) => String(r[0]));
    } catch {
      return null; // DuckDB says what is wrong with the pattern when it reads it
    }
  }
  for (const file of files) {
    if (!/\.gz$/i.test(file) || signal?.aborted) continue;
    const problem = await gzipProblem(file, signal, scan);
    if (problem) return file === path ? problem : `${printable(file)}: ${problem}`;
  }
  return null;
}

/**
 * Where the column chunks of every Parquet file that `path` names (itself, or what its glob matches) lie, by
 * DuckDB's reading of each footer; a file whose footer it cannot read is left out, for its read of the data to
 * report. Asked before the data is read: a query on the connection while a result streams would end that result.
 */
async function parquetFiles(con: Connection, path: string): Promise<{ file: string; chunks: ParquetChunk[] }[]> {
  let files = [path];
  try {
    if (isPattern(path)) files = (await con.runAndReadAll(`SELECT file FROM glob(${quote(path)}) ORDER BY file`)).getRowsJS().map((r) => String(r[0]));
  } catch {
    return []; // DuckDB says what is wrong with the pattern when it reads it
  }
  const found: { file: string; chunks: ParquetChunk[] }[] = [];
  for (const file of files.filter(isParquet)) {
    try {
      const rows = (await con.runAndReadAll(`SELECT path_in_schema, row_group_id, data_page_offset, dictionary_page_offset, total_compressed_size
        FROM parquet_metadata(${fileLiteral(file)}) ORDER BY row_group_id, column_id`)).getRowsJS();
      found.push({
        file,
        chunks: rows.map(([column, rowGroup, dataPage, dictionaryPage, size]) => {
          const data = Number(dataPage), dictionary = dictionaryPage === null ? null : Number(dictionaryPage);
          return {
            column: printable(String(column)),
            rowGroup: Number(rowGroup),
            // Some writers put 0 for no dictionary page; a dictionary page comes before the chunk's data pages.
            start: dictionary !== null && dictionary > 0 && dictionary < data ? dictionary : data,
            size: Number(size),
          };
        }),
      });
    } catch {
      // DuckDB says what is wrong with a footer when it reads the file
    }
  }
  return found;
}

/**
 * Checks the page checksums, where pages carry them, of the Parquet files `parquetFiles` found (reading the files
 * themselves, not through DuckDB): answers what is wrong with the first bad page, or null.
 */
async function parquetFilesProblem(path: string, files: { file: string; chunks: ParquetChunk[] }[], signal?: AbortSignal): Promise<string | null> {
  for (const { file, chunks } of files) {
    if (signal?.aborted) break;
    const problem = await parquetPagesProblem(file, chunks, signal);
    if (problem) return file === path ? problem : `${printable(file)}: ${problem}`;
  }
  return null;
}

/**
 * A CSV file up to this size that breaks a rule is worded by the strict reader, which reads it whole, wherever
 * DuckDB's words could differ: its words for an unterminated quote, bytes that are not UTF-8 or a line longer than it
 * reads are its own, and its line numbers are off after a value with a line break inside or a blank line. A ragged
 * row, or a value its parse refused, it places itself where every line is a row (scan.ts), in the strict reader's
 * words, with no second copy of the data. Larger files keep DuckDB's words, the strict reader holding several times
 * a file's size.
 */
const STRICT_WORDS_UP_TO = 256 * 1024 * 1024;

/**
 * Reads `path` (a file, or a glob DuckDB expands) into columns. Returns null for a CSV file that breaks a rule,
 * so the caller can word the error from the strict reader; throws BackpropError for Parquet and globs.
 */
export async function readWithDuckDB(path: string, source: string, options: DuckReadOptions = {}): Promise<DataFrame | null> {
  // A word among numbers past DuckDB's sample: the file is read again with that column as text, once the first
  // read's columns are let go (a second copy of the data would double the read's memory).
  for (;;) {
    const read = await readOnce(path, source, options);
    if (!(read instanceof WordColumn)) return read;
    options = { ...options, textColumns: [...(options.textColumns ?? []), read.column] };
  }
}

/** A column DuckDB typed as numbers that has a word further down: to be read as text. */
class WordColumn {
  constructor(readonly column: string) {}
}

async function readOnce(path: string, source: string, options: DuckReadOptions): Promise<DataFrame | null | WordColumn> {
  const parquet = isParquet(path);
  const gz = /\.gz$/i.test(path);
  const strictFallback = !parquet && !isPattern(path);
  /** The strict reader words what DuckDB places on a line. */
  const strictWords = strictFallback && statSync(path).size <= STRICT_WORDS_UP_TO;
  const fail = (message: string): null => {
    if (strictFallback) return null;
    throw new BackpropError(`${source}: ${message}`);
  };
  // A gzip file is checked whole alongside DuckDB's read (which takes a stream cut short for the end of the data).
  let gzip: Promise<string | null> = Promise.resolve(null);
  const gzipFails = async (): Promise<void> => {
    const problem = await gzip;
    if (problem) throw new BackpropError(`${source}: ${problem}`);
  };
  /** DuckDB's line numbers are the file's, and its words the strict reader's where it places a ragged row. */
  let ownWords = !strictWords;
  try {
    // A streaming result that meets an error (a value that is not of its column's type) just ends, as if the
    // data had, so the rows read are checked against a count. For a plain CSV file its lines bound the rows (a
    // scan of bytes, far quicker than a count by DuckDB, which is asked only when the two disagree); the scan
    // runs while DuckDB starts.
    // The scan also finds what DuckDB would read otherwise than the strict reader (scan.ts); a gzip file's content
    // is scanned in its check, alongside the read.
    const [{ con, bindings }, scanned] = await Promise.all([duck(), parquet || gz || !strictFallback ? null : scanFile(path)]);
    const lines = scanned?.lines() ?? null;
    ownWords ||= scanned?.linesAreRows() ?? false;
    const content = gz && strictFallback ? new ByteScan() : null;
    // Parquet page checksums are checked the same way, alongside the read.
    gzip = parquet ? parquetFilesProblem(path, await parquetFiles(con, path)) : gzipFilesProblem(con, path, undefined, content ?? undefined);
    if (scanned?.differs(undefined)) return null;
    const opened = await openTable(con, path, options, strictFallback);
    if (typeof opened === 'string') {
      await gzipFails();
      return fail(opened);
    }
    if (scanned?.differs(opened.delimiter)) return null;
    const { from, described, numeric, select } = opened;
    const counted = async (): Promise<number> => Number((await con.runAndReadAll(`SELECT count(*) FROM ${from}`)).getRowsJS()[0][0]);
    const capacity = lines === null ? await counted() : lines - 1;
    let expected = lines === null ? capacity : -1;
    const sql = `SELECT ${select.join(', ')} FROM ${from}`;
    const result = await con.stream(sql);

    // Every column at its final size from the start (the count is known), written chunk by chunk, within the budget.
    const need = capacity * numeric.reduce((a, isNumber) => a + (isNumber ? 8 : 4), 0);
    const budget = options.memory ?? totalmem() / 2;
    if (need > budget) {
      throw new OverMemory(`${source}: ${thousands(capacity)} rows of ${described.length} columns would take ${megabytes(need)} in memory, more than the ${megabytes(budget)} allowed; read it in passes (--stream) or allow more (--memory)`);
    }
    const values = described.map((_, j) => (numeric[j] ? new Float64Array(capacity) : null));
    const texts = described.map((_, j) => (numeric[j] ? null : new Uint32Array(capacity)));
    const coders = described.map((_, j) => (numeric[j] ? null : new TextCoder(bindings, opened.na)));
    let rows = 0;
    for (;;) {
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) break;
      const n = chunk.rowCount;
      if (rows + n > capacity) return fail(`more rows than counted (${capacity})`);
      // Used at once, while the chunk is held: its numbers and codes need no copies of their own.
      decodeChunk(bindings, chunk, opened, rows, coders, (j, column) => {
        if (column instanceof Float64Array) values[j]!.set(column, rows);
        else texts[j]!.set(column, rows);
      });
      rows += n;
    }
    if (expected < 0) expected = rows === capacity ? rows : await counted();
    await gzipFails();
    if (content?.differs(opened.delimiter)) return null;
    // A number DuckDB took that the grammar refuses (1_000, +-1), looked for where the bytes hold an underscore or
    // "+-" (or were not scanned: a glob): the strict reader says where, for a file it reads.
    const lenient = rows === expected && (scanned ?? content)?.lenientNumbers !== false ? await lenientNumber(con, opened) : null;
    if (lenient) return fail(notANumber(opened, lenient));
    if (rows !== expected) {
      if (!ownWords) return null;
      if (strictFallback) {
        // A value DuckDB could not take as its column's number is placed from its error, worded as the strict
        // reader words it; anything else goes to the strict reader, which names it.
        const word = await con.run(sql).then(() => null, (e: unknown) => conversionProblem(e));
        const j = word ? described.findIndex((d) => d.column_name === word.column) : -1;
        // A word among numbers past DuckDB's sample: the column read again as text, for the table layer to read
        // (numbers with a few words missing, or text: data/frame.ts mixedAs).
        if (word && j >= 0 && !NUMBER.test(word.value.trim()) && !NOT_FINITE.test(word.value.trim()) && !(options.textColumns ?? []).includes(word.column)) {
          return new WordColumn(word.column);
        }
        if (word && j >= 0) {
          throw new BackpropError(`${source}, line ${word.line}, column ${j + 1} (${word.column}): "${printable(word.value, 40)}" is not a number, though the column's other values are; text columns are one-hot encoded only when the whole column is text`);
        }
        return null;
      }
      // Run it whole to have DuckDB say what stopped it.
      await con.run(sql);
      return fail(`read ${rows} of ${expected} rows, then stopped`);
    }
    if (rows === 0) return fail('has a header row but no data rows');

    // Blank lines or line breaks inside values leave the columns longer than the rows: trim them.
    const fit = <T extends Float64Array | Uint32Array>(a: T): T => (a.length === rows ? a : (a.slice(0, rows) as T));
    const columns: FrameColumn[] = described.map((d, j): FrameColumn => {
      if (numeric[j]) return { name: d.column_name, kind: 'numeric', values: fit(values[j]!) };
      const dictionary = coders[j]!.dictionary;
      const codes = fit(texts[j]!);
      if ((options.textColumns ?? []).includes(d.column_name)) return { name: d.column_name, kind: 'text', codes, dictionary };
      // Text by DuckDB's reckoning; by backprop's, numbers written with spaces around them (values come trimmed)
      // are still numbers, and a column of words with a number among them is an error.
      const kind = textKind(dictionary);
      // Numbers with words among them are text too, for the table layer to read (data/frame.ts mixedAs).
      if (kind === 'text' || dictionary.some((v) => !NUMBER.test(v) && !NOT_FINITE.test(v))) return { name: d.column_name, kind: 'text', codes, dictionary };
      if (kind === 'mixed') {
        // Where every line after the header is one row, the first value that is no number is placed here, worded
        // as the strict reader words it (the first fault of all in its order: the columns before are sound), rather
        // than read again whole by it.
        const problem = lines !== null && lines - 1 === rows ? firstNonNumber(dictionary, codes) : null;
        if (problem) throw new BackpropError(`${source}, line ${problem.row + 2}, column ${j + 1} (${d.column_name}): ${problem.message}`);
        throw new MixedColumn(d.column_name);
      }
      const byCode = Float64Array.from(dictionary, Number);
      return { name: d.column_name, kind: 'numeric', values: Float64Array.from(codes, (k) => byCode[k]) };
    });
    return {
      source,
      rows,
      columns,
      // A row's line is known where every line after the header is one row (no blank lines, no line breaks in
      // values); elsewhere messages name the data row.
      where: (row) => (lines !== null && lines - 1 === rows ? `line ${row + 2}` : `row ${row + 1}`),
    };
  } catch (e) {
    if (e instanceof BackpropError) throw e;
    // A bad gzip stream explains whatever DuckDB made of it.
    await gzipFails();
    if (e instanceof RowError) return fail(e.message);
    if (e instanceof MixedColumn) return fail(`column "${e.column}" holds both numbers and text; text columns are one-hot encoded only when the whole column is text`);
    // A fault DuckDB places on a line is worded from its message: the strict reader, which would hold a second
    // copy of the data while the first is still being given back, is kept for what it alone can place.
    const problem = duckProblem(e);
    if (problem.located && (!strictWords || (ownWords && / values like the header, found /.test(problem.message)))) {
      throw new BackpropError(`${source}, ${problem.message}`);
    }
    return fail(problem.message);
  }
}

/**
 * In a column of numbers with something else among them, the first row whose value is not a finite number, and
 * what is wrong with it, in the strict reader's words (data/columns.ts).
 */
function firstNonNumber(dictionary: readonly string[], codes: Uint32Array): { row: number; message: string } | null {
  const wrong = dictionary.map((v): string | null => {
    if (NOT_FINITE.test(v)) return `${printable(v, 40)} is not a finite number; fill in a real value or remove the row`;
    if (!NUMBER.test(v)) return `"${printable(v, 40)}" is not a number, though the column's other values are; text columns are one-hot encoded only when the whole column is text`;
    return Number.isFinite(Number(v)) ? null : `${printable(v, 40)} is too large to be a finite number`;
  });
  for (let row = 0; row < codes.length; row++) {
    if (codes[row] === MISSING) continue;
    const message = wrong[codes[row]];
    if (message !== null) return { row, message };
  }
  return null;
}

/** A file's bytes, scanned (scan.ts): its lines, and what DuckDB would read otherwise than the strict reader. */
async function scanFile(path: string): Promise<ByteScan> {
  const file = await open(path, 'r');
  try {
    const chunk = Buffer.allocUnsafe(1 << 20);
    const scan = new ByteScan();
    for (;;) {
      const { bytesRead: n } = await file.read(chunk, 0, chunk.length, null);
      if (n === 0) break;
      scan.feed(chunk.subarray(0, n));
    }
    return scan;
  } finally {
    await file.close();
  }
}

export interface OpenedTable {
  /** The SQL table expression that reads the data. */
  from: string;
  described: { column_name: string; column_type: string }[];
  /** Which columns are read as numbers (DOUBLE); the others as text. */
  numeric: boolean[];
  /** The select list: each column cast to DOUBLE (NaN where missing) or VARCHAR ('' where missing). */
  select: string[];
  /** Whether a trimmed text value means "no value" (in a CSV file: empty, or one of naValues; elsewhere: empty). */
  na: (trimmed: string) => boolean;
  /** For CSV: the delimiter, and the table expression that reads every value as written (VARCHAR). */
  delimiter?: string;
  fromText?: string;
  /** The columns read as text whatever DuckDB made of them (asked for, or found to hold words among numbers). */
  textColumns: readonly string[];
}

/**
 * Sniffs (unless told) and describes a table: its SQL source, columns and how each is read. Answers a string
 * saying what is wrong where a CSV file cannot be read this way (the caller decides how to report it).
 */
async function openTable(con: Connection, path: string, options: DuckReadOptions, single: boolean): Promise<OpenedTable | string> {
  let from: string;
  let fromText: string | undefined;
  let csvDelimiter: string | undefined;
  if (isParquet(path)) from = `read_parquet(${sourceLiteral(path)})`;
  else {
    // A plain file's header is read here (quicker than asking DuckDB twice); a glob's, a gzip file's or one with
    // quoted names by DuckDB.
    const simple = single && !/\.gz$/i.test(path) ? readHeader(path, options.delimiter) : null;
    let delimiter = simple?.delimiter ?? options.delimiter;
    if (delimiter === undefined) {
      // The sniffer reads one file: for a glob, the first it matches.
      const first = single ? path : (await con.runAndReadAll(`SELECT file FROM glob(${quote(path)}) ORDER BY file LIMIT 1`)).getRowsJS()[0]?.[0];
      if (typeof first !== 'string') return 'no file matches';
      const sniffed = (await con.runAndReadAll(`SELECT Delimiter FROM sniff_csv(${fileLiteral(first)})`)).getRowObjectsJS()[0]?.Delimiter;
      if (typeof sniffed !== 'string' || !DELIMITERS.includes(sniffed)) return 'cannot tell the delimiter; give it with --delimiter';
      delimiter = sniffed;
    }
    const text = (options.textColumns ?? []).map((c) => `${quote(c)}: 'VARCHAR'`);
    const csv = `${sourceLiteral(path)}, delim = ${quote(delimiter)}, quote = '"', escape = '"', strict_mode = true`;
    // The header as written: DuckDB renames repeated names (a, a_1), which the strict reader refuses.
    const header = simple?.names ??
      ((await con.runAndReadAll(`SELECT * FROM read_csv(${csv}, header = false, all_varchar = true) LIMIT 1`)).getRowsJS()[0] as (string | null)[]);
    if (!header || header.some((name) => !name || !name.trim()) || new Set(header.map((name) => name!.trim())).size !== header.length) return 'has an empty or repeated column name';
    const nulls = ['', ...(options.naValues ?? DEFAULT_NA_VALUES)].map(quote).join(', ');
    from = `read_csv(${csv}, header = true, nullstr = [${nulls}], auto_type_candidates = ['DOUBLE', 'VARCHAR']` +
      `${options.decimalComma ? ", decimal_separator = ','" : ''}${text.length ? `, types = {${text.join(', ')}}` : ''})`;
    fromText = `read_csv(${csv}, header = true, nullstr = [${nulls}], all_varchar = true)`;
    csvDelimiter = delimiter;
  }
  const described = (await con.runAndReadAll(`DESCRIBE SELECT * FROM ${from}`)).getRowObjectsJS() as { column_name: string; column_type: string }[];
  if (described.length < 2) return `found ${described.length} column${described.length === 1 ? '' : 's'}; expected a header row and at least two columns`;
  const numeric = described.map((d) => NUMERIC_TYPES.test(d.column_type) && !(options.textColumns ?? []).includes(d.column_name));
  // A missing value reaches the columns as NaN or as an empty text, which the text coder marks MISSING: no nulls to look for.
  const select = described.map((d, j) => (numeric[j]
    ? `COALESCE(CAST(${ident(d.column_name)} AS DOUBLE), 'NaN'::DOUBLE)`
    : `COALESCE(CAST(${ident(d.column_name)} AS VARCHAR), '')`));
  const na = isParquet(path) ? (t: string): boolean => t === '' : naTest(options.naValues ?? DEFAULT_NA_VALUES);
  return { from, described, numeric, select, na, delimiter: csvDelimiter, fromText, textColumns: [...(options.textColumns ?? [])] };
}

/** The strict reader's words for a value that is no number in a column of numbers, without the line. */
function notANumber(opened: OpenedTable, { column, value }: { column: number; value: string }): string {
  return `column ${column + 1} (${opened.described[column].column_name}): "${printable(value, 40)}" is not a number, though the column's other values are; ` +
    'text columns are one-hot encoded only when the whole column is text';
}

/**
 * A value of a numeric column that DuckDB took for a number and the strict reader's grammar refuses, with its column,
 * or null. DuckDB's parse of a number also takes 1_000 (as 1000) and +-1 (as -1), nothing else the grammar refuses
 * (what it cannot take stops the read); so one pass over the values as written looks for an underscore or "+-" in
 * the numeric columns. Asked only where the file holds either (scan.ts), and never while a result streams.
 */
async function lenientNumber(con: Connection, opened: OpenedTable): Promise<{ column: number; value: string } | null> {
  const numbers = opened.described.map((_, j) => j).filter((j) => opened.numeric[j]);
  if (!opened.fromText || numbers.length === 0) return null;
  const text = `concat_ws('|', ${numbers.map((j) => ident(opened.described[j].column_name)).join(', ')})`;
  const rows = (await con.runAndReadAll(`SELECT ${numbers.map((j) => ident(opened.described[j].column_name)).join(', ')} FROM ${opened.fromText}
    WHERE contains(${text}, '_') OR contains(${text}, '+-') LIMIT 1`)).getRowsJS();
  if (rows.length === 0) return null;
  const k = rows[0].findIndex((v) => v !== null && /_|\+-/.test(String(v)));
  return { column: numbers[Math.max(0, k)], value: String(rows[0][Math.max(0, k)]) };
}

/** A column of a chunk: numbers (NaN where missing), or text as codes (MISSING where missing) into the chunk's dictionary of the column's values. */
export type ChunkColumn = Float64Array | { codes: Uint32Array; dictionary: readonly string[] };

/** One chunk of a table read in passes: numbers as float64 and text as codes, copied out of DuckDB. */
export interface TableChunk {
  rows: number;
  columns: ChunkColumn[];
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
  // Gzip files are checked whole through zlib: before the first pass hands out a row (a command that writes as it
  // reads writes nothing from a file cut short), alongside the reading on later passes.
  const stop = new AbortController();
  // Parquet page checksums likewise, before the first pass hands out a row.
  const parquet = isParquet(path) ? await parquetFiles(con, path) : null;
  const gzip = parquet ? parquetFilesProblem(path, parquet, stop.signal) : gzipFilesProblem(con, path, stop.signal);
  const gzipFails = async (): Promise<void> => {
    const problem = await gzip;
    if (problem) fail(problem);
  };
  // Messages name the file's line where every line is a row.
  const place = rowPlace(path);
  let current: OpenedTable | null = null;
  // One line for whatever stopped the read: the gzip stream's fault first, as it explains what DuckDB made of it.
  const failWith = async (e: unknown): Promise<never> => {
    await gzipFails();
    if (e instanceof BackpropError) throw e;
    if (e instanceof RowError) throw new BackpropError(`${source}, ${current ? await e.describe(con, current, place) : e.message}`);
    const problem = duckProblem(e);
    throw new BackpropError(problem.located ? `${source}, ${problem.message}` : `${source}: ${problem.message}`);
  };
  let rows = 0;
  try {
    if (expectedRows === undefined) await gzipFails();
    const first = await openTable(con, path, options, !isPattern(path));
    if (typeof first === 'string') return fail(first);
    let opened: OpenedTable = first;
    // Columns read as text: those asked for, and any whose numbers turn out to have a word among them.
    const text = [...(options.textColumns ?? [])];
    // Before the first pass hands out a row: a number DuckDB would take and the grammar refuses (1_000, +-1) is a
    // word among numbers, as the other readers read it; its column is read as text (the chunks say so, and a caller
    // that reads the file again passes their textColumns on).
    for (let lenient = expectedRows === undefined ? await lenientNumber(con, opened) : null; lenient; lenient = await lenientNumber(con, opened)) {
      text.push(opened.described[lenient.column].column_name);
      const again = await openTable(con, path, { ...options, textColumns: text }, !isPattern(path));
      if (typeof again === 'string') return fail(again);
      opened = again;
    }
    for (;;) {
      const table = opened;
      current = table;
      const { from, select } = table;
      // After a column was found to hold a word, the rest of the rows: the rows before it were handed out already.
      const sql = `SELECT ${select.join(', ')} FROM ${from}${rows ? ` OFFSET ${rows}` : ''}`;
      const result = await con.stream(sql);
      const coders = table.numeric.map((isNumber) => (isNumber ? null : new TextCoder(bindings, table.na)));
      for (;;) {
        const chunk = await result.fetchChunk();
        if (!chunk || chunk.rowCount === 0) break;
        const n = chunk.rowCount;
        // The consumer keeps these past the next fetch: copies (text as codes into the column's growing dictionary).
        const columns: ChunkColumn[] = [];
        // Each chunk's text coded into a dictionary of its own: the reader's memory is bounded by a chunk's values, not
        // the file's (an identifier column of 10⁸ distinct values grew it without end). Codes hold within a chunk.
        for (const coder of coders) coder?.restart();
        decodeChunk(bindings, chunk, table, rows, coders, (j, column) => {
          columns[j] = column instanceof Float64Array ? column.slice() : { codes: column.slice(), dictionary: coders[j]!.dictionary };
        });
        rows += n;
        yield { rows: n, columns, opened: table };
      }
      // A streaming result that meets an error just ends: the rows read are checked against a count (DuckDB's, which
      // meets the same error, or the first pass's), so an error never passes for the end of the data.
      let expected = expectedRows ?? -1;
      let stopped: unknown = null;
      if (expected < 0) {
        try {
          expected = Number((await con.runAndReadAll(`SELECT count(*) FROM ${from}`)).getRowsJS()[0][0]);
        } catch (e) {
          stopped = e;
        }
      }
      if (rows === expected) break;
      await gzipFails();
      // Run the rest whole to have DuckDB say what stopped it.
      stopped ??= await con.run(sql).then(() => null, (e: unknown) => e);
      // A word among a column's numbers, past what DuckDB's sniffer sampled: from here on the column is read as text
      // (its chunks say so), for the table layer to read as the model or the training data does.
      const word = stopped === null ? null : conversionProblem(stopped);
      if (word && !NUMBER.test(word.value.trim()) && !NOT_FINITE.test(word.value.trim()) && !text.includes(word.column) && opened.described.some((d) => d.column_name === word.column)) {
        text.push(word.column);
        const again = await openTable(con, path, { ...options, textColumns: text }, !isPattern(path));
        if (typeof again === 'string') return fail(again);
        opened = again;
        continue;
      }
      if (stopped !== null) throw stopped;
      fail(expectedRows === undefined
        ? `read ${rows} of ${expected} rows, then stopped`
        : `this pass read ${rows} rows where the first read ${expected}; did the file change while it was read?`);
    }
    await gzipFails();
  } catch (e) {
    await failWith(e);
  } finally {
    stop.abort();
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

/** A number that is not finite: its row (from 0) and column, and the value as DuckDB gives it (1e400 as Infinity). */
class RowError extends Error {
  constructor(readonly row: number, readonly column: number, name: string, readonly value: string) {
    super(`row ${row + 1}, column ${column + 1} (${name}): ${value} is not a finite number`);
  }

  /** The message, placed by `place`, with the value as the file writes it where the file can be read as text. */
  async describe(con: Connection, opened: OpenedTable, place: (row: number) => string): Promise<string> {
    const name = opened.described[this.column].column_name;
    let written = this.value;
    if (opened.fromText) {
      try {
        const got = (await con.runAndReadAll(`SELECT ${ident(name)} FROM ${opened.fromText} LIMIT 1 OFFSET ${this.row}`)).getRowsJS()[0]?.[0];
        if (typeof got === 'string' && got.trim() !== '') written = got.trim();
      } catch {
        // DuckDB's value is named then
      }
    }
    // In the strict reader's words (data/columns.ts).
    const what = NUMBER.test(written) ? `${printable(written, 40)} is too large to be a finite number` : `${printable(written, 40)} is not a finite number; fill in a real value or remove the row`;
    return `${place(this.row)}, column ${this.column + 1} (${name}): ${what}`;
  }
}

type Chunk = NonNullable<Awaited<ReturnType<Awaited<ReturnType<Connection['stream']>>['fetchChunk']>>>;

/**
 * One chunk's columns, each handed to `use` while the chunk is held: numbers as a view of DuckDB's vector memory
 * (NaN where missing; checked not infinite), text as codes from the column's TextCoder (MISSING where missing).
 * Throws RowError naming the row and column of the first value that breaks a rule.
 */
function decodeChunk(bindings: Bindings, chunk: Chunk, opened: OpenedTable, first: number, coders: (TextCoder | null)[],
  use: (column: number, values: Float64Array | Uint32Array) => void): void {
  const { described, numeric } = opened;
  const n = chunk.rowCount;
  described.forEach((d, j) => {
    const vector = bindings.data_chunk_get_vector(chunk.chunk, j);
    if (numeric[j]) {
      const data = bindings.vector_get_data(vector, n * 8);
      const values = new Float64Array(data.buffer, data.byteOffset, n);
      for (let i = 0; i < n; i++) {
        if (values[i] === Infinity || values[i] === -Infinity) throw new RowError(first + i, j, d.column_name, `${values[i]}`);
      }
      use(j, values);
      return;
    }
    coders[j]!.read(vector, n);
    use(j, coders[j]!.codes.subarray(0, n));
  });
}

/**
 * Codes for a text column, read from DuckDB's string records without a string per row: each record is 16 bytes,
 * a length and then the text itself when it is 12 bytes or fewer (a category, nearly always), or a prefix and a
 * pointer when longer. Short values are looked up by their record in a small hash table; long ones by their text.
 * Values are trimmed, so " yes" and "yes" get one code; the dictionary holds each trimmed value once.
 */
class TextCoder {
  /** The trimmed values, by code. */
  dictionary: string[] = [];
  /** The last chunk's codes (its first `n` entries). */
  codes = new Uint32Array(2048);
  private byText = new Map<string, number>();
  /** Open addressing on the four words of a short value's record; a slot's code is stored plus one (0: empty; 0xffffffff: missing). */
  private keys = new Uint32Array(4 * 256);
  private slots = new Uint32Array(256);
  private used = 0;
  private readonly decoder = new TextDecoder();

  constructor(private readonly bindings: Bindings, private readonly na: (trimmed: string) => boolean) {}

  /** Codes from 0 again into a new dictionary (the last one stays whole for whoever holds it). */
  restart(): void {
    this.dictionary = [];
    this.byText = new Map();
    this.slots.fill(0);
    this.used = 0;
  }

  /** Codes the chunk's `n` values of `vector` into `codes` (MISSING for a blank value or one of the missing-value words). */
  read(vector: ReturnType<Bindings['data_chunk_get_vector']>, n: number): void {
    if (this.codes.length < n) this.codes = new Uint32Array(n);
    const bytes = this.bindings.vector_get_data(vector, n * 16);
    const words = new Uint32Array(bytes.buffer, bytes.byteOffset, n * 4);
    const codes = this.codes;
    for (let i = 0; i < n; i++) {
      const length = words[4 * i];
      let code: number;
      if (length <= 12) {
        // Bytes past the length are masked, whatever DuckDB left there.
        const w1 = (words[4 * i + 1] & mask(length, 0)) >>> 0, w2 = (words[4 * i + 2] & mask(length, 4)) >>> 0, w3 = (words[4 * i + 3] & mask(length, 8)) >>> 0;
        code = this.short(length, w1, w2, w3, bytes, 16 * i + 4);
      } else {
        code = this.code(this.decoder.decode(this.bindings.get_data_from_pointer(bytes.buffer as ArrayBuffer, bytes.byteOffset + 16 * i + 8, length)));
      }
      codes[i] = code;
    }
  }

  private short(length: number, w1: number, w2: number, w3: number, bytes: Uint8Array, at: number): number {
    let mask = this.slots.length - 1;
    let slot = (Math.imul(length ^ w1, 0x9e3779b1) ^ Math.imul(w2, 0x85ebca77) ^ Math.imul(w3, 0xc2b2ae3d)) >>> 0;
    for (;; slot++) {
      slot &= mask;
      const stored = this.slots[slot];
      if (stored === 0) break;
      const k = 4 * slot;
      if (this.keys[k] === length && this.keys[k + 1] === w1 && this.keys[k + 2] === w2 && this.keys[k + 3] === w3) return stored === 0xffffffff ? MISSING : stored - 1;
    }
    const code = this.code(this.decoder.decode(bytes.subarray(at, at + length)));
    if (2 * (this.used + 1) > this.slots.length) {
      this.grow();
      mask = this.slots.length - 1;
      slot = (Math.imul(length ^ w1, 0x9e3779b1) ^ Math.imul(w2, 0x85ebca77) ^ Math.imul(w3, 0xc2b2ae3d)) >>> 0;
      while (this.slots[slot & mask] !== 0) slot++;
      slot &= mask;
    }
    this.keys.set([length, w1, w2, w3], 4 * slot);
    this.slots[slot] = code === MISSING ? 0xffffffff : code + 1;
    this.used++;
    return code;
  }

  private grow(): void {
    const keys = this.keys, slots = this.slots;
    this.keys = new Uint32Array(keys.length * 2);
    this.slots = new Uint32Array(slots.length * 2);
    const mask = this.slots.length - 1;
    for (let s = 0; s < slots.length; s++) {
      if (slots[s] === 0) continue;
      const [length, w1, w2, w3] = keys.subarray(4 * s, 4 * s + 4);
      let slot = (Math.imul(length ^ w1, 0x9e3779b1) ^ Math.imul(w2, 0x85ebca77) ^ Math.imul(w3, 0xc2b2ae3d)) >>> 0;
      while (this.slots[slot & mask] !== 0) slot++;
      slot &= mask;
      this.keys.set([length, w1, w2, w3], 4 * slot);
      this.slots[slot] = slots[s];
    }
  }

  /** The code of a value as written (trimmed here), or MISSING for a blank one or a missing-value word. */
  private code(value: string): number {
    const trimmed = value.trim();
    if (this.na(trimmed)) return MISSING;
    let code = this.byText.get(trimmed);
    if (code === undefined) {
      code = this.dictionary.push(trimmed) - 1;
      this.byText.set(trimmed, code);
    }
    return code;
  }
}

/** The bits of a record word (little-endian) that hold text, for a short value of `length` bytes. */
function mask(length: number, start: number): number {
  const bytes = Math.max(0, Math.min(4, length - start));
  return bytes === 4 ? 0xffffffff : (1 << (8 * bytes)) - 1;
}

class MixedColumn extends Error {
  constructor(readonly column: string) {
    super(column);
  }
}
