// Data as users hold it, made a columnar DataFrame (data/frame.ts): an array of records, an object of columns,
// number[][] with its targets apart, an Apache Arrow table (DuckDB-Wasm, Arquero, apache-arrow: read through its
// columns, no dependency on the package), or a DataFrame already. Columns are typed by the CSV reader's rule: a
// column is numeric when every present value is a number (or text that reads as one), text otherwise (numbers with
// words among them are the table layer's to read: data/frame.ts mixedAs). A missing value (null, undefined, NaN, a missing key, empty text,
// or one of naValues) is marked missing (NaN, or the code MISSING) for the table layer to fill.
import { DEFAULT_NA_VALUES, GROUPED_NUMBER_TEXT, isNumberText, MISSING, naTest, numberOfText, type Comma } from '../data/missing.js';
import { BackpropError, printable } from '../core/errors.js';
import { groupedNumberColumn, type DataFrame, type FrameColumn } from '../data/frame.js';

/** One row of data: a value per field. */
export type TableRecord = Readonly<Record<string, unknown>>;

/** The columns of an Apache Arrow table that backprop reads (apache-arrow's Table has them). */
export interface ArrowLikeTable {
  readonly numRows: number;
  readonly schema: { readonly fields: readonly { readonly name: string }[] };
  getChild(name: string): { get(index: number): unknown; toArray(): ArrayLike<unknown> } | null;
}

/** The forms of data besides an array of records: an object of columns, number[][], a DataFrame, an Arrow table. */
export type OtherTableData =
  | Readonly<Record<string, ArrayLike<unknown>>>
  | readonly (readonly number[])[]
  | readonly Float64Array[]
  | readonly Float32Array[]
  | DataFrame
  | ArrowLikeTable;

/** Everything train, predict and evaluate take as data. */
export type TableData<Row extends object = TableRecord> = readonly Row[] | OtherTableData;

export interface FrameOptions {
  /** Names of a number[][]'s columns (default x1, x2, ...). */
  features?: readonly string[];
  /** The targets of a number[][] (numbers or class names), added as the column `targetName`. */
  y?: ArrayLike<number | string>;
  targetName?: string;
  /** Columns that must be read as numbers or as text (a model's features), whatever their values look like. */
  kinds?: ReadonlyMap<string, 'numeric' | 'text'>;
  /** Where the data came from, for messages (default "data"). */
  source?: string;
  /** Read only these columns (a model's features and target); the rest are left alone, however they look. */
  only?: ReadonlySet<string>;
  /** Fields records are read with even where none has them (a model's features): all missing then. */
  expected?: readonly string[];
  /** Written values that mean "no value", besides empty text (default DEFAULT_NA_VALUES). */
  naValues?: readonly string[];
  /** What a comma in a number written as text is: between thousands (1,217: the default), or a decimal comma (1,5: a model of such numbers). */
  comma?: Comma;
  /**
   * A value that cannot be read (a word in a numeric column): called with the row (0-based) and the message instead
   * of throwing, the value then read as missing. Without it, such a value is the whole call's error.
   */
  fault?: (row: number, message: string) => void;
}

/** Most rows a table may have: what typed arrays and the row indices (Uint32Array) can hold. */
const MAX_ROWS = 2 ** 31 - 1;
/** Longest column name: what the model file takes (io/model-file.ts). */
const MAX_NAME_LENGTH = 10_000;

const isRowCount = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 && n <= MAX_ROWS;

/** Column names as the model file will keep them: distinct, non-empty strings of at most 10 000 characters. */
function checkNames(names: readonly unknown[], source: string): string[] {
  const seen = new Set<string>();
  for (const name of names) {
    if (typeof name !== 'string') throw new BackpropError(`${source}: a column name must be text, got ${typeof name}`, 'data');
    if (name === '') throw new BackpropError(`${source}: a column has an empty name; name every column`, 'data');
    if (name.length > MAX_NAME_LENGTH) throw new BackpropError(`${source}: the column name "${printable(name, 40)}" is ${name.length} characters long; at most ${MAX_NAME_LENGTH}`, 'data');
    if (seen.has(name)) throw new BackpropError(`${source}: two columns are named "${printable(name)}"; name them apart`, 'data');
    seen.add(name);
  }
  return names as string[];
}

/** The most different fields records may have together: the model file's most features. */
const MAX_RECORD_FIELDS = 100_000;

export function isDataFrame(data: unknown): data is DataFrame {
  return frameFields(data) !== null;
}

/**
 * A DataFrame's fields, each read once (a getter that answers one list to the checks and another to the encoder
 * is read once), or null for data of another form. A getter that throws is the frame's own code failing: one
 * error naming the field, not its exception.
 */
function frameFields(data: unknown): DataFrame | null {
  if (typeof data !== 'object' || data === null) return null;
  const d = data as DataFrame;
  const read = <K extends keyof DataFrame>(key: K): DataFrame[K] => guarded(() => d[key], `data: reading the frame's ${key}`);
  const rows = read('rows');
  if (typeof rows !== 'number') return null;
  const columns = read('columns');
  if (!Array.isArray(columns)) return null;
  const where = read('where');
  if (typeof where !== 'function') return null;
  const [source, text, field, decimalComma] = [read('source'), read('text'), read('field'), read('decimalComma')];
  // Methods keep the frame as their `this`.
  return {
    source, rows, columns: [...columns], where: (i) => where.call(d, i), ...(decimalComma === true ? { decimalComma } : {}),
    ...(typeof text === 'function' ? { text: (j: number, i: number) => text.call(d, j, i) } : {}),
    ...(typeof field === 'function' ? { field: (j: number) => field.call(d, j) } : {}),
  };
}

function isArrowTable(data: unknown): data is ArrowLikeTable {
  const d = data as ArrowLikeTable;
  return typeof d === 'object' && d !== null && typeof d.numRows === 'number' && Array.isArray(d.schema?.fields) && typeof d.getChild === 'function';
}

/** The data as a DataFrame, whatever form it came in. */
export function toFrame(data: unknown, options: FrameOptions = {}): DataFrame {
  const source = options.source ?? 'data';
  const frame = frameFields(data);
  if (frame) return checkFrame(frame, source, options.only, options.kinds, options.comma);
  const matrix = Array.isArray(data) && data.length > 0 && (Array.isArray(data[0]) || ArrayBuffer.isView(data[0]));
  if (!matrix && (options.y !== undefined || options.features !== undefined)) {
    throw new BackpropError(`${options.y !== undefined ? 'y' : 'features'}: only for rows given as number[][]; these rows name their own columns (the target is one of them: target)`, options.y !== undefined ? 'y' : 'features');
  }
  let names: string[];
  let values: (name: string, j: number) => ArrayLike<unknown>;
  let rows: number;
  if (isArrowTable(data)) {
    names = checkNames(data.schema.fields.map((f) => (typeof f === 'object' && f !== null ? f.name : f)), source);
    rows = data.numRows;
    if (!isRowCount(rows)) throw new BackpropError(`${source}: the table's numRows is ${String(rows)}; expected a whole number of rows`, 'data');
    values = (name) => {
      const child = data.getChild(name) as { length?: unknown; get?: unknown; toArray?: unknown; nullCount?: unknown } | null;
      if (typeof child !== 'object' || child === null || typeof child.toArray !== 'function' || typeof child.get !== 'function') {
        throw new BackpropError(`${source}: the table has no readable column "${printable(name)}" (getChild gave ${child === null ? 'null' : typeof child})`, name);
      }
      // A column with nulls gives its numbers' buffer, 0 where a value is null: read it value by value then.
      const nulls = typeof child.nullCount === 'number' ? child.nullCount : 0;
      const array = nulls > 0 ? null : (child as { toArray(): unknown }).toArray() as ArrayLike<unknown> | null;
      const given = array !== null && typeof array === 'object' && isRowCount(array.length) ? array.length : null;
      if (given === rows) return array!;
      // Fewer values than numRows is a table that lies about its size (toArray gives a column's values, or several
      // per value for wide types such as decimals, never fewer): refused before anything of numRows is made.
      if (given !== null && given < rows) throw new BackpropError(`${source}: column "${printable(name)}" has ${given} values, the table's numRows ${rows}`, name);
      // Wide types come out of toArray several numbers a value: read them value by value then, once the column says it
      // has the rows the table declares, and stop at the first it does not have.
      if (child.length !== rows) throw new BackpropError(`${source}: column "${printable(name)}" has ${String(child.length)} values, the table's numRows ${rows}`, name);
      const out: unknown[] = [];
      for (let i = 0; i < rows; i++) {
        const v = (child as { get(i: number): unknown }).get(i);
        if (v === undefined) throw new BackpropError(`${source}: column "${printable(name)}" has no value at row ${i + 1}, though the table's numRows is ${rows}`, name);
        out.push(v);
      }
      return out;
    };
  } else if (Array.isArray(data)) {
    if (data.length === 0) throw new BackpropError(`${source}: no rows`, 'data');
    if (matrix) return matrixFrame(data as readonly ArrayLike<unknown>[], options, source);
    ({ names, rows, values } = recordColumns(data as readonly unknown[], source, options.expected, options.only));
  } else if (typeof data === 'object' && data !== null) {
    const columns = data as Record<string, ArrayLike<unknown>>;
    names = checkNames(Object.keys(columns), source);
    if (names.length === 0) throw new BackpropError(`${source}: no columns`, 'data');
    rows = -1;
    for (const name of names) {
      const c = columns[name];
      if (c === null || typeof c !== 'object' || !isRowCount(c.length)) {
        // One record where a list of them was meant is the likelier mistake.
        const record = names.every((n) => columns[n] === null || typeof columns[n] !== 'object');
        throw new BackpropError(record
          ? `${source}: expected an array of records (or an object of columns), got one record; wrap it in a list: [record]`
          : `${source}: column "${printable(name)}" is not a list of values`, 'data');
      }
      if (rows >= 0 && c.length !== rows) throw new BackpropError(`${source}: column "${printable(name)}" has ${c.length} values, column "${printable(names[0])}" ${rows}; every column needs one per row`, 'data');
      rows = c.length;
    }
    values = (name) => columns[name];
  } else {
    throw new BackpropError(`${source}: expected an array of records, an object of columns, number[][] with y, a DataFrame or an Arrow table, got ${data === null ? 'null' : typeof data}`, 'data');
  }
  if (rows === 0) throw new BackpropError(`${source}: no rows`, 'data');
  const kept = options.only ? names.filter((n) => options.only!.has(n)) : names;
  const at = new Map(names.map((name, j) => [name, j]));
  const read = reading(options);
  const columns = kept.map((name) => typedColumn(name, values(name, at.get(name)!), rows, source, options.kinds?.get(name), read));
  return { source, rows, columns, where: (row) => `row ${row + 1}`, field: (j) => `field "${printable(columns[j].name)}"` };
}

/**
 * The fields of an array of records as columns: every field any record has, in the order they first appear (a
 * record without one has a missing value there), and the `expected` fields even where no record has one.
 */
function recordColumns(records: readonly unknown[], source: string, expected: readonly string[] = [], only?: ReadonlySet<string>): { names: string[]; rows: number; values: (name: string) => unknown[] } {
  const seen = new Set<string>();
  const names: string[] = [];
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    if (typeof r !== 'object' || r === null || Array.isArray(r)) {
      throw new BackpropError(`${source}, row ${i + 1}: expected a record (an object of fields), got ${r === null ? 'null' : Array.isArray(r) ? 'a list' : typeof r}`, 'data');
    }
    for (const key of guarded(() => Object.keys(r), `${source}, row ${i + 1}: listing the record's fields`)) {
      // Fields the reader will not keep are not columns (a record of a million fields made a million of them).
      if (!seen.has(key) && (!only || only.has(key))) {
        seen.add(key);
        names.push(key);
        // Every record has a value in every column, so columns cost rows × fields: one record of a million fields
        // among 80 took 1.9 GB before the layer-size check refused it. A model file holds at most MAX_RECORD_FIELDS.
        if (names.length > MAX_RECORD_FIELDS) {
          throw new BackpropError(`${source}, row ${i + 1}: the records have more than ${MAX_RECORD_FIELDS} different fields, more columns than a model holds`, 'data');
        }
      }
    }
  }
  for (const key of expected) {
    if (!seen.has(key)) {
      seen.add(key);
      names.push(key);
    }
  }
  checkNames(names, source);
  if (names.length === 0) throw new BackpropError(`${source}, row 1: the record has no fields`, 'data');
  const own = Object.prototype.hasOwnProperty;
  return {
    names, rows: records.length,
    values: (name) => records.map((r, i) => guarded(() => (own.call(r, name) ? (r as Record<string, unknown>)[name] : undefined),
      `${source}, row ${i + 1}, field "${printable(name)}": reading it`)),
  };
}

/**
 * A record's own code run (a getter, a Proxy's trap): what it throws becomes one error naming the row and field,
 * not the caller's exception with a stack from inside the reader.
 */
function guarded<T>(read: () => T, what: string): T {
  try {
    return read();
  } catch (e) {
    let said: string;
    try {
      said = e instanceof Error ? `${e.name}: ${String(e.message)}` : String(e);
    } catch {
      said = 'a value that cannot be shown';
    }
    throw new BackpropError(`${what} threw ${printable(said, 200)}`, 'data');
  }
}

function matrixFrame(x: readonly ArrayLike<unknown>[], o: FrameOptions, source: string): DataFrame {
  const width = x[0].length;
  if (o.features !== undefined && !Array.isArray(o.features)) throw new BackpropError(`features: expected a list of column names, got ${typeof o.features}`, 'features');
  const names = checkNames(o.features ? [...o.features] : Array.from({ length: width }, (_, j) => `x${j + 1}`), 'features');
  if (names.length !== width) throw new BackpropError(`features: ${names.length} names for rows of ${width} values`, 'features');
  x.forEach((row, i) => {
    if (!(Array.isArray(row) || ArrayBuffer.isView(row)) || row.length !== width) {
      throw new BackpropError(`${source}, row ${i + 1}: expected ${width} values like the first row, got ${Array.isArray(row) || ArrayBuffer.isView(row) ? row.length : typeof row}`, 'data');
    }
  });
  const read = reading(o);
  const columns: FrameColumn[] = names.map((name, j) => typedColumn(name, x.map((r) => r[j]), x.length, source, o.kinds?.get(name), read));
  if (o.y !== undefined) {
    const y = o.y as unknown;
    const list = Array.isArray(y) || (ArrayBuffer.isView(y) && !(y instanceof DataView));
    if (!list || (y as ArrayLike<unknown>).length !== x.length) {
      throw new BackpropError(`y: expected one target per row (${x.length}), got ${list ? (y as ArrayLike<unknown>).length : typeof y}`, 'y');
    }
    const target = o.targetName ?? 'y';
    if (names.includes(target)) throw new BackpropError(`y: the target's name "${printable(target)}" is also a feature's; name the features apart`, 'features');
    columns.push(typedColumn(target, Array.from(y as ArrayLike<unknown>), x.length, source, undefined, read));
  }
  return { source, rows: x.length, columns, where: (row) => `row ${row + 1}`, field: (j) => `field "${printable(columns[j].name)}"` };
}

/** How values are read: which texts mean "no value", and where a value that cannot be read goes. */
interface Reading {
  na: (trimmed: string) => boolean;
  fault?: (row: number, message: string) => void;
  comma: Comma;
}

const reading = (o: FrameOptions): Reading => ({ na: naTest(o.naValues ?? DEFAULT_NA_VALUES), fault: o.fault, comma: o.comma ?? 'thousands' });

/** What a value is, for typing a column: a number, text that reads as a number, other text, missing, or neither. */
function sort(v: unknown, na: Reading['na'], comma: Comma): 'number' | 'numeric text' | 'text' | 'missing' | 'infinite' | 'other' {
  if (typeof v === 'number') return Number.isFinite(v) ? 'number' : Number.isNaN(v) ? 'missing' : 'infinite';
  if (typeof v === 'bigint') return 'number';
  if (typeof v === 'string') {
    const t = v.trim();
    return na(t) ? 'missing' : isNumberText(t, comma) ? 'numeric text' : 'text';
  }
  if (typeof v === 'boolean') return 'text';
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? 'other' : 'text';
  if (v === null || v === undefined) return 'missing';
  return 'other';
}

/** A value as text: strings as they are (the exports read a record's text as it is too), dates in ISO 8601 (UTC). */
const asText = (v: unknown): string => (v instanceof Date ? v.toISOString() : String(v));

function typedColumn(name: string, values: ArrayLike<unknown>, rows: number, source: string, kind: 'numeric' | 'text' | undefined, read: Reading): FrameColumn {
  const at = (i: number): string => `${source}, row ${i + 1}, field "${printable(name)}"`;
  const sorts = new Uint8Array(rows);
  const KINDS = ['number', 'numeric text', 'text', 'missing', 'infinite', 'other'] as const;
  let texts = 0;
  for (let i = 0; i < rows; i++) {
    const s = sort(values[i], read.na, read.comma);
    sorts[i] = KINDS.indexOf(s);
    if (s === 'other') {
      const v = values[i];
      throw new BackpropError(`${at(i)}: expected a number or text, got ${v instanceof Date ? 'an invalid Date' : Array.isArray(v) ? 'a list' : typeof v}`, name);
    } else if (s === 'text') texts++;
  }
  // Numbers with words among them are text, for the table layer to read: in training data as numbers with a few
  // words missing, or as text (data/frame.ts mixedAs); among a model's numbers, each word as the model reads it (a
  // missing value, or one it never saw).
  const numeric = kind ? kind === 'numeric' && texts === 0 : texts === 0;
  if (numeric) {
    const out = new Float64Array(rows);
    // The first number written with its thousands separated (1,217), for the plan to show.
    let grouped: string | undefined;
    for (let i = 0; i < rows; i++) {
      const s = KINDS[sorts[i]];
      if (s === 'missing') {
        out[i] = NaN;
        continue;
      }
      const v = values[i];
      const n = s === 'number' || typeof v === 'bigint' ? Number(v) : s === 'numeric text' ? numberOfText((v as string).trim(), read.comma) : NaN;
      if (grouped === undefined && read.comma === 'thousands' && s === 'numeric text' && GROUPED_NUMBER_TEXT.test((v as string).trim())) grouped = (v as string).trim();
      if (!Number.isFinite(n)) {
        const message = s === 'infinite' ? `${at(i)}: ${String(v)} is not a finite number` : `${at(i)}: ${JSON.stringify(printable(asText(v), 40))} is not a number, though ${kind ? 'the model expects numbers there' : "the column's other values are"}`;
        if (!read.fault) throw new BackpropError(message, name);
        read.fault(i, message);
        out[i] = NaN;
        continue;
      }
      out[i] = n;
    }
    return { name, kind: 'numeric', values: out, ...(grouped === undefined ? {} : { thousands: grouped }) };
  }
  const index = new Map<string, number>();
  const dictionary: string[] = [];
  const codes = new Uint32Array(rows);
  for (let i = 0; i < rows; i++) {
    if (KINDS[sorts[i]] === 'missing') {
      codes[i] = MISSING;
      continue;
    }
    const v = asText(values[i]);
    let k = index.get(v);
    if (k === undefined) index.set(v, (k = dictionary.push(v) - 1));
    codes[i] = k;
  }
  return { name, kind: 'text', codes, dictionary };
}

// A DataFrame handed in is checked as a file is read: its row count, every column's length against it, numbers that
// are numbers, codes within their dictionary, names unique, before anything of the declared size is made. A frame
// that passes comes back as a frame of its own, its fields read once (numbers or codes in plain arrays made typed arrays).

/**
 * The frame, checked; `only` limits the value checks to those columns (the rest are left alone, as toFrame does).
 * A text column of numbers alone, some with their thousands separated (1,217: a reader takes them for text), is
 * made numeric, except where `kinds` (a model's features) says it is text, or where a comma is a decimal comma
 * (`comma`, or a frame read with one).
 */
export function checkFrame(input: DataFrame, source: string, only?: ReadonlySet<string>, kinds?: FrameOptions['kinds'], comma: Comma = 'thousands'): DataFrame {
  // Its fields read once, a getter's exception made one error (a frame from toFrame has been read so already).
  const frame = frameFields(input);
  if (!frame) throw new BackpropError(`${source}: expected a DataFrame ({ source, rows, columns, where })`, 'data');
  const { rows, columns: given } = frame;
  const named = typeof frame.source === 'string' ? printable(frame.source) : source;
  if (!isRowCount(rows)) throw new BackpropError(`${named}: the frame's rows is ${String(rows)}; expected a whole number of rows`, 'data');
  if (rows === 0) throw new BackpropError(`${named}: no rows`, 'data');
  if (given.length === 0) throw new BackpropError(`${named}: no columns`, 'data');
  for (let j = 0; j < given.length; j++) {
    const c = given[j] as unknown;
    if (typeof c !== 'object' || c === null) throw new BackpropError(`${named}: columns[${j}]: expected a column ({ name, kind, ... }), got ${c === null ? 'null' : typeof c}`, 'data');
  }
  checkNames(given.map((c) => c.name), named);
  const where = (i: number): string => {
    try {
      const w = frame.where(i);
      if (typeof w === 'string') return printable(w, 40);
    } catch {
      // a where that fails says nothing: the row's number does
    }
    return `row ${i + 1}`;
  };
  const columns = given.map((c, j): FrameColumn => {
    if (only && !only.has(c.name)) return c;
    const checked = checkColumn(c, rows, named, where);
    // A model's text feature whose values in this file are all numbers (a reader took them for numbers): its text.
    if (kinds?.get(c.name) === 'text') return checked.kind === 'numeric' ? numbersAsText(checked, frame.text ? (i) => frame.text!(j, i) : undefined) : checked;
    return checked.kind === 'text' && comma === 'thousands' && !frame.decimalComma ? groupedNumberColumn(checked) ?? checked : checked;
  });
  return { ...frame, source: named, columns };
}


/** A numeric column as text: each value as the file wrote it (`written`, where the reader kept it), else as JavaScript writes it. */
function numbersAsText(c: Extract<FrameColumn, { kind: 'numeric' }>, written?: (row: number) => string): FrameColumn {
  const index = new Map<string, number>();
  const dictionary: string[] = [];
  const codes = new Uint32Array(c.values.length);
  for (let i = 0; i < codes.length; i++) {
    const v = c.values[i];
    if (v !== v) {
      codes[i] = MISSING;
      continue;
    }
    const raw: unknown = written ? guarded(() => written(i), 'data: reading a cell as written') : undefined;
    const text = typeof raw === 'string' && raw.trim() !== '' ? raw.trim() : String(v);
    let k = index.get(text);
    if (k === undefined) index.set(text, (k = dictionary.push(text) - 1));
    codes[i] = k;
  }
  return { name: c.name, kind: 'text', codes, dictionary };
}

function checkColumn(c: FrameColumn, rows: number, source: string, where: (i: number) => string): FrameColumn {
  const name = printable(c.name);
  const list = (v: unknown): v is ArrayLike<unknown> => Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));
  const lengthOf = (v: unknown, field: string): void => {
    if (!list(v)) throw new BackpropError(`${source}: column "${name}": ${field} is not a list of values`, c.name);
    if (v.length !== rows) throw new BackpropError(`${source}: column "${name}" has ${v.length} ${field}, the frame's rows ${rows}; every column needs one per row`, c.name);
  };
  const at = (i: number): string => `${source}, ${where(i)}, field "${name}"`;
  if (c.kind === 'numeric') {
    const values: unknown = c.values;
    lengthOf(values, 'values');
    const v = values as ArrayLike<unknown>;
    let absent = false;
    for (let i = 0; i < rows; i++) {
      const x = v[i];
      if (typeof x === 'number' && Number.isFinite(x)) continue;
      // NaN, null and undefined are missing values (NaN, as readers mark them); an infinity or anything else is not a number.
      if (x === undefined || x === null || (typeof x === 'number' && Number.isNaN(x))) {
        absent = true;
        continue;
      }
      if (typeof x === 'number') throw new BackpropError(`${at(i)}: ${String(x)} is not a finite number`, c.name);
      throw new BackpropError(`${at(i)}: ${typeof x === 'string' ? JSON.stringify(printable(x, 40)) : typeof x} is not a number, though the column's kind is numeric`, c.name);
    }
    // (Only what this layer knows: a `thousands` the caller wrote into the column is no reading of its own.)
    if (v instanceof Float64Array) return c.thousands === undefined ? c : { name: c.name, kind: 'numeric', values: v };
    return { name: c.name, kind: 'numeric', values: absent ? Float64Array.from(v as ArrayLike<number | null | undefined>, (x) => (x === null || x === undefined ? NaN : x)) : Float64Array.from(v as ArrayLike<number>) };
  }
  if (c.kind === 'text') {
    const dictionary: unknown = c.dictionary;
    if (!Array.isArray(dictionary)) throw new BackpropError(`${source}: column "${name}": its dictionary is not a list of text values`, c.name);
    const seen = new Set<string>();
    const blank = new Uint8Array(dictionary.length);
    for (let k = 0; k < dictionary.length; k++) {
      const d: unknown = dictionary[k];
      if (typeof d !== 'string') throw new BackpropError(`${source}: column "${name}": dictionary[${k}] is ${d === null ? 'null' : typeof d}, not text`, c.name);
      if (d.length > MAX_NAME_LENGTH) throw new BackpropError(`${source}: column "${name}": dictionary[${k}] is ${d.length} characters long; a category has at most ${MAX_NAME_LENGTH}`, c.name);
      if (seen.has(d)) throw new BackpropError(`${source}: column "${name}": the dictionary holds ${JSON.stringify(printable(d, 40))} twice; each value once`, c.name);
      seen.add(d);
      blank[k] = d.trim() === '' ? 1 : 0;
    }
    const codes: unknown = c.codes;
    lengthOf(codes, 'codes');
    const v = codes as ArrayLike<unknown>;
    // MISSING marks a missing value; so does a code of a blank dictionary entry, which is made MISSING.
    let blanks = false;
    for (let i = 0; i < rows; i++) {
      const k = v[i];
      if (k === MISSING) continue;
      if (!(typeof k === 'number' && Number.isInteger(k) && k >= 0 && k < dictionary.length)) {
        throw new BackpropError(`${at(i)}: the code ${typeof k === 'number' ? String(k) : typeof k} is not an index into the column's dictionary of ${dictionary.length}`, c.name);
      }
      if (blank[k]) blanks = true;
    }
    if (!blanks) return v instanceof Uint32Array ? c : { name: c.name, kind: 'text', codes: Uint32Array.from(v as ArrayLike<number>), dictionary };
    return { name: c.name, kind: 'text', codes: Uint32Array.from(v as ArrayLike<number>, (k) => (k !== MISSING && blank[k] ? MISSING : k)), dictionary };
  }
  const kind = (c as { kind?: unknown }).kind;
  throw new BackpropError(`${source}: column "${name}" has kind ${typeof kind === 'string' ? JSON.stringify(printable(kind, 40)) : String(kind)}; expected "numeric" or "text"`, (c as { name: string }).name);
}
