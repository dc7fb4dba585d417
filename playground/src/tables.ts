// The playground's tables: the learner's own CSV file and the built-in examples (iris, a digits sample), read by
// the library's own table layer — data/csv.ts parses (the command line's parser and messages), data/columns.ts
// types the columns, data/frame.ts describes, scales and encodes them — as `backprop train` reads a file.
import { BackpropError } from '../../src/core/errors.js';
import { frameFromTable, type TextTable } from '../../src/data/columns.js';
import { decimalCommaColumn, groupedNumberColumn, withGroupedNumbers } from '../../src/data/frame.js';
import type { CsvTokenizer } from '../../src/data/csv.js';
import type { DataFrame } from '../../src/data/frame.js';
import type { TableSetName } from './state.js';

/** The most rows the page takes: larger files train with `backprop train`. */
export const MAX_ROWS = 50_000;
/** The most inputs after encoding (digits has 64): each is drawn, and each row is kept encoded. */
export const MAX_INPUTS = 256;
/** A file larger than this is refused before it is read (50 000 rows of 400 bytes). */
export const MAX_BYTES = 20 * 1024 * 1024;

/** A file parsed (csvread.ts, loaded when a file is read): its cells as text, and an id the worker knows it by. */
export interface TableSource {
  /** The file's name, as messages say it. */
  name: string;
  id: number;
  table: TextTable;
  /** Its numbers are written with a decimal comma (9,3): read so, as --decimal-comma reads a file. */
  decimalComma?: boolean;
}

export interface LoadedTable {
  source: TableSource;
  frame: DataFrame;
}

const loaded = new Map<TableSetName, LoadedTable>();

/** Types a parsed file's columns as `backprop train` would, or throws its one-line message (a BackpropError). */
export function readTable(source: TableSource): LoadedTable {
  const { table } = source;
  if (table.rows.length > MAX_ROWS) {
    throw new BackpropError(`${source.name}: ${table.rows.length} rows; the playground takes at most ${MAX_ROWS} (backprop train reads larger files)`);
  }
  const frame = frameFromTable(table);
  return { source, frame: source.decimalComma ? { ...frame, decimalComma: true } : withGroupedNumbers(frame) };
}

/** Keeps a table read for a data set (the examples, or the learner's file). */
export function setTable(set: TableSetName, table: LoadedTable | null): void {
  if (table) loaded.set(set, table);
  else loaded.delete(set);
}

export function tableOf(set: TableSetName): LoadedTable | null {
  return loaded.get(set) ?? null;
}

/** A file's text parsed by the library's CSV parser, loaded on first use (csv-parse is its own chunk of the page). */
export async function parseSource(name: string, text: string | Uint8Array): Promise<TableSource> {
  const [{ parseTable }, { parse }] = await Promise.all([import('../../src/data/csv.js'), import('csv-parse/browser/esm/sync')]);
  const table = parseTable(text, name, {}, parse as unknown as CsvTokenizer);
  // A file of numbers written with a decimal comma (a semicolon file's 9,3), which the page has no option for: read
  // with it, as --decimal-comma would, where a column is plainly such numbers (the rule that refuses them unread).
  // Not where another column holds thousands (a comma file's quoted "9,643"): one reading of the comma for the file.
  const columns = frameFromTable(table).columns;
  if (columns.some(decimalCommaColumn) && !columns.some((c) => c.kind === 'text' && !decimalCommaColumn(c) && groupedNumberColumn(c))) {
    return { name, id: ++sources, table: parseTable(text, name, { decimalComma: true }, parse as unknown as CsvTokenizer), decimalComma: true };
  }
  return { name, id: ++sources, table };
}
let sources = 0;

/** A built-in example, loaded on first use (its own chunk of the page). */
export async function exampleSource(set: 'iris' | 'digits'): Promise<TableSource> {
  if (set === 'iris') return parseSource('iris.csv', (await import('../../data/iris.csv?raw')).default);
  return parseSource('digits-300.csv', (await import('./examples/digits-300.csv?raw')).default);
}

/** The command line's words for an error: one line, prefixed "backprop:". */
export function cliMessage(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return `backprop: ${text.replace(/\s*\n\s*/g, ' ')}`;
}
