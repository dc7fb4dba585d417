// From a table of text (a parsed CSV file) to typed columns and a columnar frame (see frame.ts, which goes on
// to the network's inputs and targets). Every message names the source, line, column and what was expected.
import { BackpropError } from '../core/errors.js';
import type { DataFrame, FrameColumn } from './frame.js';
import { DEFAULT_NA_VALUES, MISSING, naTest } from './missing.js';

export interface TextTable {
  /** The file name, for messages. */
  source: string;
  header: string[];
  rows: string[][];
  /** The line each row comes from (1-based), for messages. */
  lines: number[];
}

export type Column =
  /** NaN where a row has no value. */
  | { name: string; kind: 'numeric'; values: number[] }
  /** null where a row has no value. */
  | { name: string; kind: 'text'; values: (string | null)[] };

export type Task = 'classification' | 'regression';

const NUMBER = /^[+-]?(\d+(?:\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const NOT_FINITE = /^[+-]?(nan|inf|infinity)$/i;
const NAN = /^[+-]?nan$/i;

function where(table: TextTable, i: number, j: number): string {
  return `${table.source}, line ${table.lines[i]}, column ${j + 1} (${table.header[j]})`;
}

/** Reads one present cell as a finite number (NaN, written so, is a missing value), or explains why it is not one. */
function numberAt(table: TextTable, i: number, j: number): number {
  const cell = table.rows[i][j];
  if (NAN.test(cell)) return NaN;
  if (NOT_FINITE.test(cell)) throw new BackpropError(`${where(table, i, j)}: ${cell} is not a finite number; fill in a real value or remove the row`);
  const value = NUMBER.test(cell) ? Number(cell) : NaN;
  if (!Number.isFinite(value)) {
    if (NUMBER.test(cell)) throw new BackpropError(`${where(table, i, j)}: ${cell} is too large to be a finite number`);
    throw new BackpropError(`${where(table, i, j)}: "${cell}" is not a number, though the column's other values are; ` +
      'text columns are one-hot encoded only when the whole column is text');
  }
  return value;
}

/**
 * Types every column: numeric when every present value is a number, text otherwise (numbers among words are the
 * table layer's to read: data/frame.ts mixedAs).
 * An empty cell, or one of naValues (default DEFAULT_NA_VALUES: NA, N/A, ?, …), is a missing value.
 */
export function columnsOf(table: TextTable, naValues: readonly string[] = DEFAULT_NA_VALUES): Column[] {
  return frameFromTable(table, naValues).columns.map((c): Column => (c.kind === 'numeric'
    ? { name: c.name, kind: 'numeric', values: Array.from(c.values) }
    : { name: c.name, kind: 'text', values: Array.from(c.codes, (k) => (k === MISSING ? null : c.dictionary[k])) }));
}

/** One column of a text table, typed by columnsOf's rule, in one pass to type it and one to read it. */
function typedColumn(table: TextTable, j: number, na: (cell: string) => boolean): FrameColumn {
  const rows = table.rows, n = rows.length, name = table.header[j];
  const absent = new Uint8Array(n);
  let numbers = 0, present = 0;
  for (let i = 0; i < n; i++) {
    const cell = rows[i][j];
    if (na(cell)) {
      absent[i] = 1;
      continue;
    }
    present++;
    if (NUMBER.test(cell) || NOT_FINITE.test(cell)) numbers++;
  }
  // Numbers with words among them are text here: the table layer reads them (data/frame.ts mixedAs), as numbers
  // with a few words missing, or as text.
  if (numbers < present) {
    const index = new Map<string, number>();
    const dictionary: string[] = [];
    const codes = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      if (absent[i]) {
        codes[i] = MISSING;
        continue;
      }
      const v = rows[i][j];
      let k = index.get(v);
      if (k === undefined) index.set(v, (k = dictionary.push(v) - 1));
      codes[i] = k;
    }
    return { name, kind: 'text', codes, dictionary };
  }
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = absent[i] ? NaN : numberAt(table, i, j);
  return { name, kind: 'numeric', values };
}

/** A parsed text table as a columnar frame, typed by columnsOf's rules (and with its messages). */
export function frameFromTable(table: TextTable, naValues: readonly string[] = DEFAULT_NA_VALUES): DataFrame {
  const na = naTest(naValues);
  return {
    source: table.source,
    rows: table.rows.length,
    columns: table.header.map((_, j) => typedColumn(table, j, na)),
    where: (row) => `line ${table.lines[row]}`,
    text: (column, row) => table.rows[row][column],
  };
}
