// Tables from files: CSV (any common delimiter, gzip too), TSV, Parquet, folders and globs (DuckDB for big files,
// the strict reader for small ones), "-" for standard input, or a built-in data set by name. What train() takes.
import { existsSync, readdirSync, readFileSync, statSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { closeDuckDB, DuckDBMissing, globEscaped, isParquet, isPattern, readWithDuckDB, tableChunks, type OpenedTable, type TableChunk } from './readers/duckdb.js';
import { generate, SYNTHETIC_NAMES, type SyntheticName } from '../data/synthetic.js';
import { frameFromTable } from '../data/columns.js';
import type { DataFrame, FrameColumn } from '../data/frame.js';
import { BUILTIN_DESCRIPTIONS, BUILTIN_NAMES, builtinPath, type BuiltinName } from './datasets.js';
import { parseTable, readStandardInput, readTableFile } from './readers/csv.js';
import { readPlainCsv } from './readers/plain.js';
import { rowPlace } from './readers/scan.js';
import { BackpropError, checkOptions } from '../core/errors.js';
import { checkNaValues } from '../data/missing.js';

export const SYNTHETIC_DESCRIPTIONS: Record<SyntheticName, string> = {
  xor: 'two classes in opposite quadrants (2-D, seeded)',
  circle: 'a disc inside a ring (2-D, seeded)',
  gauss: 'two Gaussian clouds (2-D, seeded)',
  spiral: 'two interleaved spirals (2-D, seeded)',
  moons: 'two interleaved half circles (2-D, seeded)',
  plane: 'regression: a tilted plane (2-D, seeded)',
  multigauss: 'regression: six Gaussian bumps, up and down (2-D, seeded)',
};

export const DATASET_NAMES: readonly string[] = [...BUILTIN_NAMES, ...SYNTHETIC_NAMES];

export function describeDatasets(): [string, string][] {
  return [
    ...BUILTIN_NAMES.map((n): [string, string] => [n, BUILTIN_DESCRIPTIONS[n]]),
    ...SYNTHETIC_NAMES.map((n): [string, string] => [n, SYNTHETIC_DESCRIPTIONS[n]]),
  ];
}

export interface SyntheticOptions {
  samples?: number;
  noise?: number;
  seed?: number;
}

export interface DataOptions {
  /** The CSV delimiter; sniffed when not given. */
  delimiter?: string;
  /** Numbers are written with a decimal comma. */
  decimalComma?: boolean;
  /** Columns to keep as text as written, for copying into output. */
  textColumns?: readonly string[];
  /** Written values that mean "no value", besides an empty field (default DEFAULT_NA_VALUES: NA, N/A, ?, …). */
  naValues?: readonly string[];
  /** The most bytes a table read whole may take as columns; past it the read is refused (default: half the machine's memory). */
  memory?: number;
}

/** CSV files from this size up are read by DuckDB. */
const DUCKDB_FROM_BYTES = 4 * 1024 * 1024;

/**
 * A data file as columns: a plain CSV file of 4 MB or more in one pass by readers/plain.ts; other CSV files of that
 * size (any common delimiter, gzip-compressed too), Parquet, a folder or a glob, read by DuckDB; smaller CSV files,
 * "-" (standard input), FIFOs and devices by the strict reader (csv-parse), in bounded memory. A CSV file that breaks
 * a rule is read again by the strict reader, which names the line, column and value at fault. `plain: false` leaves
 * the one-pass reader out (the tests compare the two ways).
 */
export function readDataFile(path: string, options: DataOptions = {}, how: { plain?: boolean } = {}): Promise<DataFrame> {
  // One read at a time: the reads share one DuckDB, which each closes when done (so that its buffers go back), and
  // a read closed under another's stream would end it early.
  // A frame read with a decimal comma says so: a model trained on it keeps it (data/preprocessing.ts decimalComma).
  const read = reading.then(() => readOne(path, options, how)).then((frame) => (options.decimalComma ? { ...frame, decimalComma: true } : frame));
  reading = read.then(() => undefined, () => undefined);
  return read;
}
let reading: Promise<void> = Promise.resolve();

async function readOne(path: string, options: DataOptions, { plain = true }: { plain?: boolean }): Promise<DataFrame> {
  if (path !== '-' && (isPattern(path) || statSafe(path)?.isDirectory())) {
    // A folder's files, by a glob in that folder (its own name escaped: a folder called data[1] is that folder).
    const pattern = isPattern(path) ? path : join(globEscaped(path), readdirSync(path).some((f) => isParquet(f)) ? '*.parquet' : '*.csv*');
    try {
      return (await readWithDuckDB(pattern, path, options))!;
    } catch (e) {
      throw e instanceof DuckDBMissing ? new DuckDBMissing(path) : e;
    } finally {
      await closeDuckDB();
    }
  }
  const stat = path === '-' ? null : statSafe(path);
  // A plain CSV file is read in one pass, with no engine to start; anything else in it (quotes, blank lines, a
  // missing value, ...) leaves it to the readers below, which read it and word its faults as they always have.
  if (plain && stat?.isFile() && stat.size >= DUCKDB_FROM_BYTES && !isParquet(path) && !/\.gz$/i.test(path)) {
    const frame = readPlainCsv(path, path, options);
    if (frame) return frame;
  }
  // Small CSV files go to the strict reader straight away: DuckDB would cost more to start than to read them.
  if (stat?.isFile() && (stat.size >= DUCKDB_FROM_BYTES || isParquet(path) || /\.gz$/i.test(path))) {
    let frame: DataFrame | null = null;
    try {
      frame = await readWithDuckDB(path, path, options);
    } catch (e) {
      // Without the optional DuckDB a CSV file, compressed or not, is still read, by the strict reader.
      if (!(e instanceof DuckDBMissing) || isParquet(path)) throw e instanceof DuckDBMissing ? new DuckDBMissing(path) : e;
    }
    // A command reads one file: DuckDB's buffers go back before the training needs the memory.
    await closeDuckDB();
    if (frame) return frame;
    if (isParquet(path)) throw new BackpropError(`${path}: cannot read it as Parquet`);
  }
  return frameFromTable(path === '-' ? await readStandardInput(options) : readTableFile(path, options), options.naValues);
}

function statSafe(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

/**
 * The data a command reads, as columns: a CSV file ("-" for standard input), a built-in data set, or a seeded
 * synthetic one. A file wins over a built-in name, so a file called "iris" in the current folder is read as a file.
 */
export async function loadFrame(spec: string, synthetic: SyntheticOptions = {}, options: DataOptions = {}): Promise<DataFrame> {
  if (spec === '-' || existsSync(spec) || isPattern(spec)) return readDataFile(spec, options);
  if (BUILTIN_NAMES.includes(spec as BuiltinName)) return frameFromTable(parseTable(readFileSync(builtinPath(spec as BuiltinName)), spec));
  if (SYNTHETIC_NAMES.includes(spec as SyntheticName)) {
    const d = generate(spec as SyntheticName, { samples: synthetic.samples ?? 300, noise: synthetic.noise ?? 0.1, seed: synthetic.seed ?? 1 });
    const values = (j: number): Float64Array => Float64Array.from(d.x, (r) => r[j]);
    return {
      source: spec,
      rows: d.x.length,
      columns: [
        { name: 'x1', kind: 'numeric', values: values(0) },
        { name: 'x2', kind: 'numeric', values: values(1) },
        { name: d.task === 'regression' ? 'value' : 'label', kind: 'numeric', values: Float64Array.from(d.y, (r) => r[0]) },
      ],
      where: (row) => `row ${row + 1}`,
    };
  }
  throw new BackpropError(`${spec}: no such file, and not a built-in data set (${DATASET_NAMES.join(', ')})`);
}

export interface ReadTableOptions extends DataOptions, SyntheticOptions {}

/**
 * A table from a file, as a DataFrame for train(), crossValidate(), tune() or a model's predict and evaluate: every
 * format the command line reads, or a built-in data set's name (iris, digits, circle, ...). Messages name the file,
 * line and column at fault.
 */
export function readTable(path: string, options: ReadTableOptions = {}): Promise<DataFrame> {
  const o = checkOptions(options, ['delimiter', 'decimalComma', 'textColumns', 'naValues', 'memory', 'samples', 'noise', 'seed'], 'readTable options');
  if (o.memory !== undefined && !(typeof o.memory === 'number' && o.memory > 0)) throw new BackpropError(`memory: expected a number of bytes above 0, got ${String(o.memory)}`, 'memory');
  if (typeof path !== 'string' || path === '') throw new BackpropError('readTable: expected a file name', 'path');
  if (o.seed !== undefined && !Number.isSafeInteger(o.seed)) throw new BackpropError(`seed: expected an integer, got ${String(o.seed)}`, 'seed');
  if (o.textColumns !== undefined && !Array.isArray(o.textColumns)) throw new BackpropError('textColumns: expected a list of column names', 'textColumns');
  return loadFrame(path, { samples: o.samples, noise: o.noise, seed: o.seed }, {
    delimiter: o.delimiter, decimalComma: o.decimalComma, textColumns: o.textColumns, ...(o.naValues !== undefined ? { naValues: checkNaValues(o.naValues) } : {}),
    ...(o.memory !== undefined ? { memory: o.memory } : {}),
  });
}

/**
 * A chunk read in passes as a small frame: numbers as they are, text as codes into its column's dictionary; rows
 * numbered from `first`, placed in messages by the file's line where every line is a row (readers/scan.ts rowPlace).
 */
export function chunkFrame(chunk: TableChunk & { opened: OpenedTable }, source: string, first: number, place = rowPlace(source)): DataFrame {
  const names = chunk.opened.described.map((d) => d.column_name);
  const columns: FrameColumn[] = chunk.columns.map((c, j): FrameColumn => (c instanceof Float64Array
    ? { name: names[j], kind: 'numeric', values: c }
    : { name: names[j], kind: 'text', codes: c.codes, dictionary: c.dictionary }));
  return { source, rows: chunk.rows, columns, where: (row) => place(first + row) };
}

/** A file's rows as frames: the whole file at once, or, streamed, one chunk after another in bounded memory. */
export async function* readFrames(path: string, options: DataOptions, stream: boolean): AsyncGenerator<DataFrame> {
  if (!stream) {
    yield await readDataFile(path, options);
    return;
  }
  let first = 0;
  const place = rowPlace(path);
  for await (const chunk of tableChunks(path, path, options)) {
    yield chunkFrame(chunk, path, first, place);
    first += chunk.rows;
  }
}
