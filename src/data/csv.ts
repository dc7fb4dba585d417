// A CSV file's text as a table of text cells (data/columns.ts then types the columns): the header sniffed, and
// what can go wrong with a file before any column is interpreted — empty, binary, not UTF-8, header only,
// ragged rows — said in one line naming the line and column. Browser-safe: the command line's reader
// (node/readers/csv.ts) and the playground's upload both parse here, so a file gets the same messages in each.
// The tokenizer is csv-parse's synchronous parse, given by the caller (the core depends on no package): Node passes
// csv-parse/sync, a page csv-parse/browser/esm/sync (the same parser, with its own Buffer).
import { BackpropError } from '../core/errors.js';
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

const DECIMAL_COMMA = /^[+-]?(\d+,?\d*|,\d+)([eE][+-]?\d+)?$/;

/** Parses a CSV file's bytes (or text) with a header row; `source` names it in messages. */
export function parseTable(bytes: Uint8Array | string, source: string, options: TableOptions, tokenize: CsvTokenizer): Table {
  let text: string;
  if (typeof bytes === 'string') {
    if (bytes.length === 0) throw new BackpropError(`${source}: the file is empty; expected CSV with a header row`);
    const zero = bytes.indexOf('\0');
    if (zero >= 0) throw new BackpropError(`${source}: not a text file (a zero byte at offset ${zero}); expected CSV with a header row`);
    text = bytes;
  } else {
    if (bytes.length === 0) throw new BackpropError(`${source}: the file is empty; expected CSV with a header row`);
    const zero = bytes.indexOf(0);
    if (zero >= 0) throw new BackpropError(`${source}: not a text file (a zero byte at offset ${zero}); expected CSV with a header row`);
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw new BackpropError(`${source}: not a text file (not valid UTF-8); expected CSV with a header row`);
    }
  }
  if (text.trim() === '') throw new BackpropError(`${source}: the file is empty; expected CSV with a header row`);

  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = tokenize(text, {
      bom: true, info: true, relax_column_count: true, skip_empty_lines: true, trim: true, delimiter: options.delimiter ?? sniffDelimiter(text),
    }) as typeof records;
  } catch (e) {
    const err = e as Error & { lines?: number };
    throw new BackpropError(`${source}${err.lines ? `, line ${err.lines}` : ''}: not valid CSV (${err.message.replace(/^.*?: /, '')})`);
  }
  const header = records[0].record.map((name) => name.trim());
  // Each name's first column, found by a map: a header of 250,000 names searched itself name by name for minutes.
  const firstOf = new Map<string, number>();
  header.forEach((name, j) => {
    if (name === '') throw new BackpropError(`${source}, line 1, column ${j + 1}: the header has an empty column name`);
    const first = firstOf.get(name);
    if (first !== undefined) throw new BackpropError(`${source}, line 1: the column name "${name}" appears twice (columns ${first + 1} and ${j + 1})`);
    firstOf.set(name, j);
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
