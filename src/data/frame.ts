// Columnar data: numbers in Float64Arrays, text as integer codes into a dictionary, the network's input matrix
// built once from the columns. No per-row arrays or strings on the way from a reader to the network, so a data
// set needs about its encoded size in memory (rows × inputs × 4 bytes in float32) plus its columns. Missing values
// are NaN in a numeric column and the code MISSING in a text one (data/missing.ts); here they are counted, filled
// with what the training rows give (a median, a level of their own) and marked by an input of their own.
import { BackpropError, closestName, printable, thousands as count } from '../core/errors.js';
import { zeros, type DType, type FloatArray, type Matrix } from '../core/matrix.js';
import { DATE_PARTS, datePart, hasTime, ORDER_NAMES, parseDateIn, readsEither, readsWritten, writtenOrder, type DateOrder, type DatePart } from './dates.js';
import { classesOf, type Label } from './encoding.js';
import { GROUPED_NUMBER_TEXT, isNumberText, MAX_NA_LENGTH, MAX_NUMERIC_WORDS, medianOf, MISSING, modelNaValues, naTest, NOT_FINITE_TEXT, NUMBER_TEXT, numberOfText, type Comma } from './missing.js';
import { encodePiecewise } from './piecewise.js';
import { featureWidth, targetColumns, type FeatureSpec, type LeftOut, type Preprocessing, type TargetSpec } from './preprocessing.js';
import { checkEncodedSize } from './sizes.js';
import { chooseTask, targetValues } from './task.js';
import type { Task } from './columns.js';

export type FrameColumn =
  /**
   * values[i] is NaN where row i has no value. `thousands`: the values were text with commas between their
   * thousands (data/missing.ts GROUPED_NUMBER_TEXT), read as numbers; one of them as written, for the plan to show.
   */
  | { readonly name: string; readonly kind: 'numeric'; readonly values: Float64Array; readonly thousands?: string }
  /** codes[i] indexes dictionary, or is MISSING where row i has no value; the dictionary holds each distinct value once, in any order. */
  | { readonly name: string; readonly kind: 'text'; readonly codes: Uint32Array; readonly dictionary: readonly string[] };

export interface DataFrame {
  /** The file name (or data set name), for messages. */
  readonly source: string;
  readonly rows: number;
  readonly columns: readonly FrameColumn[];
  /** Where row i came from, for messages: "line 7" of a text file, or "row 7". */
  where(row: number): string;
  /** The value of a cell as the source wrote it ("007", not 7), where the reader kept it. */
  text?(column: number, row: number): string;
  /** How messages name column j: `field "age"` for records; by default `column 3 (age)`. */
  field?(column: number): string;
  /** Its numbers were read with a decimal comma (a reader's decimalComma): a model trained on it reads new rows so. */
  readonly decimalComma?: boolean;
}

/** Where a cell is, for messages: the source, the row (where it has one) and the column, as the frame names them. */
export function placeOf(frame: DataFrame, c: FrameColumn, row: number): string {
  const j = frame.columns.indexOf(c);
  const at = frame.where(row);
  return `${frame.source}${at ? `, ${at}` : ''}, ${frame.field ? frame.field(j) : `column ${j + 1} (${c.name})`}`;
}

/** What the training data's columns hold besides their values: how many are missing, and which columns are no features. */
export interface FrameDescription {
  features: FeatureSpec[];
  target: TargetSpec;
  /** For classification, each row's class index into target.classes; for stratified splits. */
  classIndex: Int32Array | null;
  /** Why the task, in a few words: the values' rule, text, or asked for. */
  taskReason: string;
  /** Feature columns with missing values, and how many each. */
  missing: { column: string; count: number }[];
  /** Columns left out, with what they hold. */
  leftOut: (LeftOut & { distinct: number; rows: number; distinctAtLeast?: boolean; rising?: { from: number; to: number } })[];
  /** Text columns most of whose values are ISO dates, read as text for the first value that is not one (placed by `at`). */
  notDates: { column: string; value: string; at: string; either?: true; written?: true }[];
  /**
   * Columns of numbers with words among them (data/frame.ts mixedAs): read as numbers, the words as missing values
   * (as 'numbers'), or as text, the numbers as categories (as 'text').
   */
  mixed: MixedColumn[];
  /** Whether missing feature values are errors (missing: 'error'), so the features get no fill. */
  strict: boolean;
}

export interface DescribeOptions {
  /** 'fill' (the default): a missing feature value is filled and marked; 'error': it is an error naming its row. */
  missing?: 'fill' | 'error';
  /** Text columns to use as features though they look like identifiers (nearly every value distinct). */
  keep?: readonly string[];
}

/**
 * A text column is read as an identifier (a customer id, a name, free text: no use as a category, and one input
 * per value) when it has more than this many distinct values and they are more than half of its present values.
 */
export const IDENTIFIER_MIN_DISTINCT = 20;

/** Each frame's columns by name (the first of a name), made at the first look-up: searching the list for each of
 * 300,000 features took minutes. Remade if the list has grown since. */
const byName = new WeakMap<readonly FrameColumn[], { length: number; map: Map<string, FrameColumn> }>();
function column(frame: DataFrame, name: string): FrameColumn | undefined {
  let index = byName.get(frame.columns);
  if (!index || index.length !== frame.columns.length) {
    const map = new Map<string, FrameColumn>();
    for (const c of frame.columns) if (!map.has(c.name)) map.set(c.name, c);
    index = { length: frame.columns.length, map };
    byName.set(frame.columns, index);
  }
  return index.map.get(name);
}

/** Rows of a column with no value. */
export function missingCount(c: FrameColumn): number {
  let n = 0;
  if (c.kind === 'numeric') {
    for (let i = 0; i < c.values.length; i++) if (c.values[i] !== c.values[i]) n++;
  } else {
    for (let i = 0; i < c.codes.length; i++) if (c.codes[i] === MISSING) n++;
  }
  return n;
}

function firstMissing(c: FrameColumn): number {
  if (c.kind === 'numeric') return c.values.findIndex((v) => v !== v);
  return c.codes.indexOf(MISSING);
}

/**
 * Each dictionary entry of a text column as days since 1970-01-01 (NaN where it is no date): ISO 8601, or written
 * in `order` (or ISO 8601 there too, which no order changes: a Date given to a model of 03/15/2024 dates is read as
 * its ISO text); made once per dictionary and order.
 */
const daysByDictionary = { iso: new WeakMap<readonly string[], Float64Array>(), mdy: new WeakMap<readonly string[], Float64Array>(), dmy: new WeakMap<readonly string[], Float64Array>() };
function dictionaryDays(dictionary: readonly string[], order?: DateOrder): Float64Array {
  const cache = daysByDictionary[order ?? 'iso'];
  let days = cache.get(dictionary);
  // A streamed file's dictionary grows from chunk to chunk: made again when it has.
  if (!days || days.length !== dictionary.length) {
    days = Float64Array.from(dictionary, (d) => {
      const v = parseDateIn(d, order);
      return v === v || !order ? v : parseDateIn(d);
    });
    cache.set(dictionary, days);
  }
  return days;
}

/**
 * A text column whose every present value is a date, ISO 8601 or written day and month in one order
 * (dates.ts writtenOrder): the parts it gives (the hour only where a time is written) and the order; 'either'
 * where a written order cannot be told (no day above 12); else null.
 */
function dateReading(c: FrameColumn): { parts: DatePart[]; order?: DateOrder } | 'either' | null {
  if (c.kind !== 'text' || c.dictionary.length === 0) return null;
  let days = dictionaryDays(c.dictionary);
  let order: DateOrder | undefined;
  if (days.some((d) => d !== d)) {
    const written = writtenOrder(c.dictionary);
    if (written === null || written === 'either') return written;
    order = written;
    days = dictionaryDays(c.dictionary, order);
  }
  const time = days.some(hasTime);
  return { parts: DATE_PARTS.filter((p) => p !== 'hour' || time), ...(order ? { order } : {}) };
}

/** Text targets are classes; numbers are classes or a regression by their values (data/task.ts). */
export function inferFrameTask(c: FrameColumn): Task {
  return c.kind === 'text' ? 'classification' : chooseTask(targetValues(c.values)).task;
}


/** The error for a missing value where none may be: the row and column, and what to do. */
function missingError(frame: DataFrame, c: FrameColumn, row: number, why: string): BackpropError {
  return new BackpropError(`${placeOf(frame, c, row)}: missing value; ${why}`, c.name);
}

/**
 * Chooses features and target (by name, the last column by default) and, for classification, the classes; counts
 * missing values, and leaves out columns that are no features (identifiers, and columns with no value at all).
 * Several target names make a multi-output regression: every one numeric, one output each.
 */
/** A number written with a decimal comma: 10,46, -0,5, 1.234,5. */
const DECIMAL_COMMA = /^[+-]?(?:\d{1,3}(?:\.\d{3})+|\d+),\d+$/;

/** A value with a comma no thousands separator puts there: 10,46, 0,125 (not 1,217). */
const decimalCommaValue = (w: string): boolean => w.includes(',') && DECIMAL_COMMA.test(w) && !GROUPED_NUMBER_TEXT.test(w);

/**
 * Whether a column is numbers written with a decimal comma, read as text by a reader told nothing of the comma:
 * every value a whole number or one with a decimal comma, and some with a comma no thousands separator puts there
 * (10,46, not 1,217), at least as many such values as those that read as thousands, or one that starts 0, (no
 * thousand does): a slip among thousands (18,36 among 18,683) is a word among numbers, not a decimal comma. Read
 * so, a regression's target became hundreds of classes, and a feature an identifier left out or words the model
 * never saw (every row then predicted from the medians), each with exit 0.
 */
export function decimalCommaColumn(c: FrameColumn): boolean {
  if (c.kind !== 'text') return false;
  let commas = 0, thousands = 0, zero = false;
  for (const word of c.dictionary) {
    const w = word.trim();
    if (w === '' || /^[+-]?\d+$/.test(w)) continue;
    if (!DECIMAL_COMMA.test(w)) return false;
    if (GROUPED_NUMBER_TEXT.test(w)) thousands++;
    else {
      commas++;
      if (/^[+-]?0,/.test(w)) zero = true;
    }
  }
  return commas > 0 && (zero || commas >= thousands);
}

/** The error for a decimalCommaColumn: which column, the first value with a decimal comma and its row, and the option that reads it. */
export function decimalCommaError(frame: DataFrame, c: FrameColumn & { kind: 'text' }): BackpropError {
  const row = c.codes.findIndex((k) => k !== MISSING && decimalCommaValue(c.dictionary[k].trim()));
  const example = row < 0 ? '' : c.dictionary[c.codes[row]].trim();
  const at = row < 0 ? `${frame.source}: column "${printable(c.name, 60)}"` : placeOf(frame, c, row);
  return new BackpropError(`${at}: the column's values are numbers written with a decimal comma (${printable(example, 24)}), which were read as text; `
    + "read the file with a decimal comma (--decimal-comma, or readTable's decimalComma: true)", c.name);
}

/**
 * A text column whose every value is a number, some written with commas between their thousands (1,217, as
 * spreadsheets export them; a reader takes the column for text), as a numeric column; null for any other.
 */
export function groupedNumberColumn(c: Extract<FrameColumn, { kind: 'text' }>): FrameColumn | null {
  let grouped: string | undefined;
  const byCode = Float64Array.from(c.dictionary, (d) => {
    const t = d.trim();
    if (grouped === undefined && GROUPED_NUMBER_TEXT.test(t)) grouped = t;
    return numberOfText(t);
  });
  if (grouped === undefined) return null;
  const used = new Uint8Array(c.dictionary.length);
  for (let i = 0; i < c.codes.length; i++) if (c.codes[i] !== MISSING) used[c.codes[i]] = 1;
  for (let k = 0; k < byCode.length; k++) if (used[k] && !Number.isFinite(byCode[k])) return null;
  return { name: c.name, kind: 'numeric', values: Float64Array.from(c.codes, (k) => (k === MISSING ? NaN : byCode[k])), thousands: grouped };
}

/** The frame with groupedNumberColumn's columns made numeric (the same frame where it has none). */
export function withGroupedNumbers(frame: DataFrame): DataFrame {
  // With a decimal comma, 1,250 was a number with three decimals: what the reader did not read is words.
  if (frame.decimalComma) return frame;
  let changed = false;
  const columns = frame.columns.map((c) => {
    const read = c.kind === 'text' ? groupedNumberColumn(c) : null;
    if (read) changed = true;
    return read ?? c;
  });
  return changed ? { ...frame, columns } : frame;
}

export function describeFrame(frame: DataFrame, targetName?: string | readonly string[], task?: Task, options: DescribeOptions = {}): FrameDescription {
  // Numbers read as words for want of --decimal-comma train nothing sensible: said before anything else (read with
  // it, what a reader left as text, 1.525,79, is read by the table layer).
  if (!frame.decimalComma) for (const c of frame.columns) if (c.kind === 'text' && decimalCommaColumn(c)) throw decimalCommaError(frame, c);
  const names = frame.columns.map((c) => c.name);
  const targets = Array.isArray(targetName) && targetName.length > 1 ? targetName as readonly string[] : null;
  const name = targets ? targets[0] : (Array.isArray(targetName) ? targetName[0] : targetName as string | undefined) ?? names[names.length - 1];
  const targetCols = (targets ?? [name]).map((n) => {
    const t = column(frame, n);
    if (!t) {
      const guess = closestName(n, names);
      throw new BackpropError(`${frame.source}: no column "${n}" to use as ${targets ? 'a' : 'the'} target${guess ? `; did you mean "${guess}"?` : ''}; the columns are: ${names.join(', ')}`, 'target');
    }
    return t;
  });
  if (targets) {
    if (task === 'classification') throw new BackpropError('task: several target columns make a multi-output regression, not a classification', 'task');
    const seen = new Set<string>();
    for (const c of targetCols) {
      if (seen.has(c.name)) throw new BackpropError(`target: "${c.name}" is named twice`, 'target');
      seen.add(c.name);
      if (c.kind === 'text') throw new BackpropError(`${frame.source}: the target column "${c.name}" holds text; several targets make a regression, so each must be numeric`, 'task');
    }
  }
  if (frame.columns.length <= targetCols.length) {
    throw new BackpropError(targets ? `${frame.source}: needs at least one feature column besides the targets ${targets.join(', ')}` : `${frame.source}: needs at least one feature column besides the target "${name}"`);
  }
  for (const t of targetCols) {
    const row = firstMissing(t);
    if (row >= 0) throw missingError(frame, t, row, `a row to learn from needs its target; remove the row (${count(missingCount(t))} of ${count(frame.rows)} rows have none)`);
  }
  const { features, missing, leftOut, notDates, mixed } = describeFeatures(frame, new Set(targetCols), options);
  for (const t of targetCols) {
    wordsInTarget(frame, t);
    const grouped = t.kind === 'numeric' ? groupedSummary(t, 0) : undefined;
    if (grouped) mixed.push({ column: t.name, ...grouped, as: 'numbers' });
  }
  const strict = options.missing === 'error';
  const t = targetCols[0];
  if (targets) {
    return { features, target: { name, task: 'regression', extra: targets.slice(1).map((n) => ({ name: n })) }, classIndex: null, taskReason: `${targets.length} target columns`, missing, leftOut, notDates, mixed, strict };
  }
  const choice = task ? { task, reason: 'as asked' } : t.kind === 'text' ? { task: 'classification' as const, reason: 'text' } : chooseTask(targetValues(t.values));
  const chosen = choice.task;
  if (chosen === 'regression') {
    if (t.kind === 'text') throw new BackpropError(`${frame.source}: the target column "${name}" holds text, so it cannot be a regression target`, 'task');
    return { features, target: { name, task: 'regression' }, classIndex: null, taskReason: choice.reason, missing, leftOut, notDates, mixed, strict };
  }
  let classes: Label[];
  const classIndex = new Int32Array(frame.rows);
  if (t.kind === 'text') {
    classes = classesOf(t.dictionary);
    const position = new Map(classes.map((c, k) => [c, k]));
    const byCode = Int32Array.from(t.dictionary, (d) => position.get(d)!);
    for (let i = 0; i < frame.rows; i++) classIndex[i] = byCode[t.codes[i]];
  } else {
    const distinct = new Set<number>();
    for (const v of t.values) {
      distinct.add(v);
      if (distinct.size > 100_000) throw new BackpropError(`${frame.source}: the target column "${name}" has more than 100000 distinct values, too many to be classes; use --task regression`, 'task');
    }
    classes = classesOf([...distinct]);
    const position = new Map(classes.map((c, k) => [c as number, k]));
    for (let i = 0; i < frame.rows; i++) classIndex[i] = position.get(t.values[i])!;
  }
  if (classes.length < 2) {
    throw new BackpropError(`${frame.source}: the target column "${name}" has only one class (${JSON.stringify(classes[0])}); classification needs at least two`, 'target');
  }
  return { features, target: { name, task: 'classification', classes }, classIndex, taskReason: choice.reason, missing, leftOut, notDates, mixed, strict };
}

/** What decides a feature column's type: what it holds, counted over every row (a file's first pass gives the same). */
export interface ColumnSummary {
  name: string;
  kind: 'numeric' | 'text';
  rows: number;
  /** Rows with no value, and the first of them (-1: none), with where it is for messages. */
  missing: number;
  firstMissing: number;
  /** A text column's distinct values (a lower bound where `sorted` is null: too many to keep). */
  distinct: number;
  /** Set where `distinct` is where counting stopped: the column has more than distinct − 1. */
  distinctAtLeast?: boolean;
  /** A text column's values, sorted as classesOf sorts them; null where there were too many to keep. */
  sorted: string[] | null;
  /**
   * A text column whose every present value is a date: whether any has a time of day, and the order of day and
   * month where they are not ISO 8601 (dates.ts writtenOrder); else null.
   */
  dates: { time: boolean; order?: DateOrder } | null;
  /** A numeric column of whole numbers, each above the one before, none missing (a row number): the first and last. */
  rising?: { from: number; to: number } | null;
  /** A text column most of whose distinct values are ISO dates, but not all: the first value that is not one, and its row. */
  notDate?: { value: string; row: number; either?: true; written?: true } | null;
  /**
   * A column of numbers with words among them (read by mixedAs): as 'numbers', the summary is a numeric column's
   * (its words counted among the missing values); as 'text', a text column's; 'unclear' is an error.
   */
  mixed?: MixedSummary;
}

/** What a column holds where it has both numbers and words, and how it is read. */
export interface MixedSummary {
  as: 'numbers' | 'text' | 'unclear';
  /** Rows with a number, and rows with a word. */
  numbers: number;
  wordRows: number;
  /** The words, with the rows each is in, most rows first (at most MAX_NUMERIC_WORDS + 1 of them: the rest are counted in `distinct`). */
  words: { word: string; count: number }[];
  /** Distinct words. */
  distinct: number;
  /** The first row with a word, and that word. */
  firstWord: number;
  firstWordText?: string;
  /** A number written with commas between its thousands (1,217), where the column has one: read as a number. */
  grouped?: string;
}

/** A column of numbers with words among them, for a plan to name. */
export type MixedColumn = { column: string } & Omit<MixedSummary, 'as'> & { as: 'numbers' | 'text' };

/**
 * A column whose words are in at most this share of its present values (and are at most MAX_NUMERIC_WORDS distinct
 * words, each at most MAX_NA_LENGTH characters) is read as numbers, the words as missing values: "none" or "10+" in
 * a column of years, "call" in a column of prices. One whose numbers are at most MIXED_TEXT_SHARE of its present
 * values stays text, the numbers categories like the words (sizes S, M, L and 42; codes). In between, neither reading
 * is safe: an error that names the words.
 */
export const MIXED_WORD_SHARE = 0.25;
export const MIXED_TEXT_SHARE = 0.5;

/** How a column of `numbers` rows with a number and the `words` (each with its rows) is read. */
export function mixedAs(numbers: number, words: ReadonlyMap<string, number>): 'numbers' | 'text' | 'unclear' {
  let wordRows = 0, long = false;
  for (const [w, n] of words) {
    wordRows += n;
    if (w.length > MAX_NA_LENGTH) long = true;
  }
  const present = numbers + wordRows;
  if (wordRows <= MIXED_WORD_SHARE * present && words.size <= MAX_NUMERIC_WORDS && !long) return 'numbers';
  return numbers <= MIXED_TEXT_SHARE * present ? 'text' : 'unclear';
}

/** The summary of a column's words (`words`: each word's rows), read by mixedAs. */
export function mixedSummary(numbers: number, words: ReadonlyMap<string, number>, firstWord: number, firstWordText?: string): MixedSummary {
  let wordRows = 0;
  for (const n of words.values()) wordRows += n;
  const sorted = [...words].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return { as: mixedAs(numbers, words), numbers, wordRows, words: sorted.slice(0, MAX_NUMERIC_WORDS + 1).map(([word, count]) => ({ word, count })), distinct: words.size, firstWord, ...(firstWordText === undefined ? {} : { firstWordText }) };
}

/** The words of a mixed column, for messages: "none" (12 rows), "10+" (3 rows), … */
export function wordList(m: Pick<MixedSummary, 'words' | 'distinct'>, most = 3): string {
  const shown = m.words.slice(0, most).map((w) => `${JSON.stringify(printable(w.word, 40))} (${count(w.count)} row${w.count === 1 ? '' : 's'})`);
  return shown.join(', ') + (m.distinct > shown.length ? `, and ${count(m.distinct - shown.length)} more` : '');
}

/** The error for a column that is neither numbers with a few words nor text with a few numbers, at its first word. */
function unclearColumn(s: ColumnSummary, at: string): BackpropError {
  const m = s.mixed!;
  return new BackpropError(`${at}: ${JSON.stringify(printable(m.firstWordText ?? m.words[0].word, 40))} is not a number, though most of the column's values are ` +
    `(${count(m.wordRows)} of ${count(m.numbers + m.wordRows)} rows have words: ${wordList(m)}); words among numbers are read as missing values ` +
    `where they are at most ${MAX_NUMERIC_WORDS} different words in at most ${100 * MIXED_WORD_SHARE}% of the rows: mark them missing with --na-values (naValues), or correct them`, s.name);
}

/**
 * Numbers and words (by row count) in a text column's values; null where it has no number, or no word and no number
 * with its thousands separated (a column of such numbers alone is numbers).
 */
function wordsOf(c: Extract<FrameColumn, { kind: 'text' }>, comma: Comma | null): MixedSummary | null {
  const isNumber = c.dictionary.map((d) => (comma ? isNumberText(d.trim(), comma) : NUMBER_TEXT.test(d.trim())) || NOT_FINITE_TEXT.test(d.trim()));
  const grouped = comma === 'thousands' ? c.dictionary.find((d) => GROUPED_NUMBER_TEXT.test(d.trim()))?.trim() : undefined;
  if (!isNumber.includes(true) || (!isNumber.includes(false) && grouped === undefined)) return null;
  const perCode = new Float64Array(c.dictionary.length);
  let firstWord = -1;
  for (let i = 0; i < c.codes.length; i++) {
    const k = c.codes[i];
    if (k === MISSING) continue;
    perCode[k]++;
    if (firstWord < 0 && !isNumber[k]) firstWord = i;
  }
  let numbers = 0;
  const words = new Map<string, number>();
  c.dictionary.forEach((d, k) => {
    if (isNumber[k]) numbers += perCode[k];
    else if (perCode[k] > 0) words.set(d.trim(), (words.get(d.trim()) ?? 0) + perCode[k]);
  });
  const summary = mixedSummary(numbers, words, firstWord, firstWord < 0 ? undefined : c.dictionary[c.codes[firstWord]].trim());
  return grouped === undefined ? summary : { ...summary, grouped };
}

/** The summary of a numeric column read from numbers with their thousands separated (FrameColumn's `thousands`). */
function groupedSummary(c: Extract<FrameColumn, { kind: 'numeric' }>, missing: number): MixedSummary | undefined {
  return c.thousands === undefined ? undefined
    : { as: 'numbers', numbers: c.values.length - missing, wordRows: 0, words: [], distinct: 0, firstWord: -1, grouped: c.thousands };
}

/**
 * A target column of numbers with words among them: an error naming the first word (a row to learn from needs its
 * target). A text target with a few numbers among its words is classes, the numbers among them.
 */
function wordsInTarget(frame: DataFrame, t: FrameColumn): void {
  if (t.kind !== 'text') return;
  // Numbers with their thousands separated are no numbers here: a target of them alone was made numeric where it was
  // read (model/table.ts); among words, they are classes, as "100,000+" beside "10,000".
  const m = wordsOf(t, null);
  if (!m || m.as === 'text') return;
  throw new BackpropError(`${placeOf(frame, t, m.firstWord)}: ${JSON.stringify(printable(t.dictionary[t.codes[m.firstWord]], 40))} is not a number, though the target's other values are ` +
    `(${count(m.wordRows)} of ${count(m.numbers + m.wordRows)} rows have words: ${wordList(m)}); a row to learn from needs its target: correct or remove those rows`, t.name);
}

/**
 * Of a text column most of whose distinct values are dates (days: each dictionary entry's, NaN for no date), the
 * first value in row order that is not one: the cause of its being text, for the plan to name. Null otherwise.
 */
export function firstNotDate(dictionary: readonly string[], days: Float64Array, codes: Uint32Array): { value: string; row: number } | null {
  let dates = 0;
  for (const d of days) if (d === d) dates++;
  if (dates === days.length || 2 * dates <= days.length) return null;
  for (let i = 0; i < codes.length; i++) {
    const k = codes[i];
    if (k !== MISSING && days[k] !== days[k]) return { value: dictionary[k], row: i };
  }
  return null;
}

/**
 * Of a text column most of whose values are dates written day and month (in either order), the first that is none
 * (an ISO 8601 one among them too: the column is one or the other).
 */
function writtenNotDate(c: Extract<FrameColumn, { kind: 'text' }>): { value: string; row: number; written: true } | null {
  const days = Float64Array.from(c.dictionary, (d) => (readsWritten(d) ? 0 : NaN));
  const found = firstNotDate(c.dictionary, days, c.codes);
  return found && { ...found, written: true };
}

/** The summary of a frame's column; `comma`: what a comma in a number is (1,217 between thousands; 1,5 where the data was read with a decimal comma). */
export function summarize(c: FrameColumn, rows: number, comma: Comma = 'thousands'): ColumnSummary {
  const missing = missingCount(c);
  if (c.kind === 'numeric') {
    const grouped = groupedSummary(c, missing);
    return {
      name: c.name, kind: 'numeric', rows, missing, firstMissing: missing ? firstMissing(c) : -1, distinct: 0, sorted: null, dates: null,
      rising: missing ? null : risingRange(c.values), ...(grouped ? { mixed: grouped } : {}),
    };
  }
  const mixed = wordsOf(c, comma);
  if (mixed?.as === 'numbers') {
    // The words are missing values of a numeric column.
    const first = missing ? firstMissing(c) : -1;
    return {
      name: c.name, kind: 'numeric', rows, missing: missing + mixed.wordRows, firstMissing: first < 0 ? mixed.firstWord : Math.min(first, mixed.firstWord),
      distinct: 0, sorted: null, dates: null, mixed,
    };
  }
  if (mixed) {
    return { name: c.name, kind: 'text', rows, missing, firstMissing: missing ? firstMissing(c) : -1, distinct: c.dictionary.length, sorted: classesOf(c.dictionary) as string[], dates: null, mixed };
  }
  const reading = dateReading(c);
  const dates = reading === 'either' ? null : reading;
  // The first value that the two orders read as different days, to show why neither is taken.
  const first = reading === 'either' ? c.codes.findIndex((k) => k !== MISSING && readsEither(c.dictionary[k])) : -1;
  return {
    name: c.name, kind: 'text', rows, missing, firstMissing: missing ? firstMissing(c) : -1, distinct: c.dictionary.length,
    sorted: dates ? null : classesOf(c.dictionary) as string[], dates: dates ? { time: dates.parts.includes('hour'), ...(dates.order ? { order: dates.order } : {}) } : null,
    notDate: reading === 'either' ? { value: c.dictionary[c.codes[first]], row: first, either: true }
      : dates || c.dictionary.length === 0 ? null : firstNotDate(c.dictionary, dictionaryDays(c.dictionary), c.codes) ?? writtenNotDate(c),
  };
}

/** Whole numbers, each above the one before (a row number, as a column): the first and last; else null. */
export function risingRange(values: Float64Array): { from: number; to: number } | null {
  if (values.length === 0 || !Number.isInteger(values[0])) return null;
  for (let i = 1; i < values.length; i++) if (!(values[i] > values[i - 1]) || !Number.isInteger(values[i])) return null;
  return { from: values[0], to: values[values.length - 1] };
}

/**
 * A column name that says "identifier": id, index, row id, rownames, Unnamed: 0 (pandas' index written out), ...1
 * (R's); or a name ending so: customer_id, order id, PassengerId, CustomerID.
 */
const idName = (name: string): boolean => /^(?:id|idx|index|row ?id|row_id|row ?(?:number|no)|rownames|unnamed: ?0|\.\.\.1)$|[_ .-]id$/i.test(name) || /[a-z0-9](?:Id|ID)$/.test(name);

/**
 * What a column is to the model: a feature (numeric, date or categorical, marked for missing values where it has
 * some), or left out (an identifier: more than IDENTIFIER_MIN_DISTINCT distinct values, more than half of its
 * present ones; or no value at all). `where(row)` places a missing value (source, row, column) for the error of missing 'error'.
 */
export function decideFeature(s: ColumnSummary, options: DescribeOptions, where: (row: number) => string): { feature: FeatureSpec } | { leftOut: FrameDescription['leftOut'][number] } {
  if (s.missing === s.rows) return { leftOut: { name: s.name, reason: 'no values', distinct: 0, rows: s.rows } };
  const strict = options.missing === 'error';
  if (s.missing > 0 && strict) {
    throw new BackpropError(`${where(s.firstMissing)}: missing value; fill it in or remove the row (missing values are errors here: missing "error")`, s.name);
  }
  const marked = s.missing > 0;
  // A row number named as one (PassengerId: 1, 2, 3, ...) tells the network where a row sits in the file, not what it is.
  if (s.kind === 'numeric' && s.rising && idName(s.name) && !options.keep?.includes(s.name)) {
    return { leftOut: { name: s.name, reason: 'identifier', distinct: s.rows, rows: s.rows, rising: s.rising } };
  }
  if (s.kind === 'numeric') {
    const naWords = s.mixed?.as === 'numbers' && s.mixed.words.length > 0 ? s.mixed.words.map((w) => w.word) : null;
    return { feature: { name: s.name, type: 'numeric', ...(marked ? { indicator: true } : {}), ...(naWords ? { naWords } : {}) } };
  }
  if (s.dates) return { feature: { name: s.name, type: 'date', parts: DATE_PARTS.filter((p) => p !== 'hour' || s.dates!.time), ...(s.dates.order ? { order: s.dates.order } : {}), ...(marked ? { indicator: true } : {}) } };
  const present = s.rows - s.missing;
  if ((s.sorted === null || (s.distinct > IDENTIFIER_MIN_DISTINCT && s.distinct > present / 2)) && !options.keep?.includes(s.name)) {
    return { leftOut: { name: s.name, reason: 'identifier', distinct: s.distinct, rows: present, ...(s.distinctAtLeast ? { distinctAtLeast: true } : {}) } };
  }
  if (s.sorted === null) throw new BackpropError(`keep: column "${printable(s.name)}" has more than ${count(s.distinctAtLeast ? s.distinct - 1 : s.distinct)} distinct values, too many to one-hot encode`, 'keep');
  return { feature: { name: s.name, type: 'categorical', categories: s.sorted, ...(marked ? { missing: true } : {}) } };
}

/** The features of summarized columns (all but the targets), the missing values found, and the columns left out. */
export function featuresOf(summaries: readonly ColumnSummary[], options: DescribeOptions, where: (s: ColumnSummary, row: number) => string, source: string): Pick<FrameDescription, 'features' | 'missing' | 'leftOut' | 'notDates' | 'mixed'> {
  const features: FeatureSpec[] = [], missing: FrameDescription['missing'] = [], leftOut: FrameDescription['leftOut'] = [];
  const notDates: FrameDescription['notDates'] = [];
  const mixed: MixedColumn[] = [];
  for (const s of summaries) {
    if (s.mixed?.as === 'unclear') throw unclearColumn(s, where(s, s.mixed.firstWord));
    const decided = decideFeature(s, options, (row) => where(s, row));
    // A column left out is not read at all: "read as categories" beside "left out as an identifier" said both.
    if (s.mixed && !('leftOut' in decided)) mixed.push({ column: s.name, ...s.mixed, as: s.mixed.as as 'numbers' | 'text' });
    if (s.notDate && !('leftOut' in decided && decided.leftOut.reason === 'no values')) notDates.push({ column: s.name, value: s.notDate.value, at: where(s, s.notDate.row), ...(s.notDate.either ? { either: true as const } : {}), ...(s.notDate.written ? { written: true as const } : {}) });
    if ('leftOut' in decided) leftOut.push(decided.leftOut);
    else {
      features.push(decided.feature);
      if (s.missing > 0) missing.push({ column: s.name, count: s.missing });
    }
  }
  for (const name of options.keep ?? []) {
    if (!summaries.some((s) => s.name === name)) {
      throw new BackpropError(`keep: ${source} has no feature column "${printable(name)}"; the columns are: ${summaries.map((s) => s.name).join(', ')}`, 'keep');
    }
  }
  if (features.length === 0) {
    throw new BackpropError(`${source}: no feature column is left (${leftOut.map((l) => `${l.name}: ${l.reason === 'identifier' ? 'an identifier' : 'no values'}`).join(', ')}); keep one with keep (--keep)`, 'keep');
  }
  return { features, missing, leftOut, notDates, mixed };
}

/** The feature columns (all but the targets) of a frame in memory. */
function describeFeatures(frame: DataFrame, targets: ReadonlySet<FrameColumn>, options: DescribeOptions): Pick<FrameDescription, 'features' | 'missing' | 'leftOut' | 'notDates' | 'mixed'> {
  const columns = frame.columns.filter((c) => !targets.has(c));
  return featuresOf(columns.map((c) => summarize(c, frame.rows, frame.decimalComma ? 'decimal' : 'thousands')), options,
    (s, row) => placeOf(frame, frame.columns.find((c) => c.name === s.name)!, row), frame.source);
}

/**
 * Mean and population standard deviation of the present values over the given rows, two passes, as fitScaler
 * computes them. Values so large that the sum of squares overflows (about ±1e150 and beyond) are refused, naming the
 * column and the line (`frame` and `name` say which): a spread of Infinity would scale the whole column to 0, or to
 * NaN, without a word.
 */
function standardOver(values: ArrayLike<number>, rows: ArrayLike<number>, frame?: DataFrame, name?: string): { mean: number; std: number } {
  let sum = 0, n = 0;
  for (let r = 0; r < rows.length; r++) {
    const v = values[rows[r]];
    if (v === v) {
      sum += v;
      n++;
    }
  }
  if (n === 0) return { mean: 0, std: 1 };
  const mean = sum / n;
  let squares = 0;
  for (let r = 0; r < rows.length; r++) {
    const v = values[rows[r]];
    if (v === v) squares += (v - mean) ** 2;
  }
  if ((!Number.isFinite(mean) || !Number.isFinite(squares)) && frame && name !== undefined) {
    let at = -1;
    for (let r = 0; r < rows.length; r++) if (values[rows[r]] === values[rows[r]] && (at < 0 || Math.abs(values[rows[r]]) > Math.abs(values[at]))) at = rows[r];
    const c = column(frame, name)!;
    throw new BackpropError(`${placeOf(frame, c, at)}: ${values[at]} is too large to standardize: the column's spread `
      + 'overflows 64-bit numbers. Rescale the column (values within about ±1e150 are fine)', name);
  }
  return { mean, std: Math.sqrt(squares / n) || 1 };
}

/**
 * A numeric feature's values in a training frame: a numeric column's; a text column's numbers, its words (the
 * feature's naWords) missing, and anything else there an error naming its row.
 */
function numericValues(frame: DataFrame, c: FrameColumn, f: FeatureSpec & { type: 'numeric' }): Float64Array {
  if (c.kind === 'numeric') return c.values;
  const { values, kind } = numbersOfText(c, f, () => false, frame.decimalComma ? 'decimal' : 'thousands');
  for (let i = 0; i < c.codes.length; i++) {
    const k = c.codes[i];
    if (k !== MISSING && kind[k] > WORD_MISSING) {
      throw new BackpropError(`${placeOf(frame, c, i)}: ${kind[k] === WORD_UNSEEN ? `"${printable(c.dictionary[k], 40)}" is not a number` : `${printable(c.dictionary[k].trim(), 40)} is not a finite number`}; fill in a real value or remove the row`, c.name);
    }
  }
  return values;
}

/** Whether any of the given rows has a value. */
function anyPresent(values: Float64Array, rows: ArrayLike<number>): boolean {
  for (let r = 0; r < rows.length; r++) if (values[rows[r]] === values[rows[r]]) return true;
  return false;
}

/** A date column's values as days since 1970-01-01 (NaN where missing or no date). */
function daysOf(c: FrameColumn, order?: DateOrder): Float64Array {
  if (c.kind === 'numeric') return c.values;
  const days = dictionaryDays(c.dictionary, order);
  return Float64Array.from(c.codes, (k) => (k === MISSING ? NaN : days[k]));
}

/**
 * Fits what the training rows give: the standard scaling of numbers and date parts (over their present values),
 * the value a missing one takes (the median of the present ones), and a regression target's scale.
 */
export function fitFramePreprocessing(description: FrameDescription, frame: DataFrame, trainRows: ArrayLike<number>): Preprocessing {
  if (trainRows.length === 0) throw new BackpropError(`${frame.source}: no training rows to fit the scaling on`);
  const mean: number[] = [], std: number[] = [];
  const all = { length: frame.rows } as ArrayLike<number>;
  const everyRow = Uint32Array.from(all, (_, i) => i);
  // The median of the training rows' present values; of every row's where the training rows have none.
  const medianOver = (values: Float64Array): number => {
    const m = medianOf(values, trainRows);
    return m === m ? m : medianOf(values);
  };
  const features = description.features.map((f): FeatureSpec => {
    if (f.type === 'categorical') return f;
    const c = column(frame, f.name)!;
    if (f.type === 'numeric') {
      const values = numericValues(frame, c, f);
      // Over the training rows' present values; every row's where the training rows have none.
      const s = standardOver(values, anyPresent(values, trainRows) ? trainRows : everyRow, frame, f.name);
      mean.push(s.mean);
      std.push(s.std);
      return description.strict ? f : { ...f, fill: medianOver(values) };
    }
    const days = daysOf(c, f.order);
    for (const part of f.parts) {
      const values = Float64Array.from(days, (d) => (d === d ? datePart(d, part) : NaN));
      const s = standardOver(values, trainRows);
      mean.push(s.mean);
      std.push(s.std);
    }
    return description.strict ? f : { ...f, fill: medianOver(days) };
  });
  let target = description.target;
  if (target.task === 'regression') {
    const scaleOf = (name: string): { mean: number; std: number } => standardOver((column(frame, name) as { values: Float64Array }).values, trainRows, frame, name);
    target = {
      ...target, scale: scaleOf(target.name),
      ...(target.extra ? { extra: target.extra.map((c) => ({ name: c.name, scale: scaleOf(c.name) })) } : {}),
    };
  }
  const leftOut = description.leftOut.map(({ name, reason }) => ({ name, reason }));
  return { features, scaler: mean.length > 0 ? { kind: 'standard', mean, std } : null, target, ...(leftOut.length ? { leftOut } : {}) };
}

/** The frame's columns that are neither a feature of the model nor its target. */
export function unusedFrameColumns(prep: Preprocessing, frame: DataFrame): string[] {
  const known = new Set([...prep.features.map((f) => f.name), ...(prep.target ? targetColumns(prep.target).map((c) => c.name) : [])]);
  return frame.columns.map((c) => c.name).filter((h) => !known.has(h));
}

/** Counts, by column, of what encoding met: values the model never saw (set to all zeros), and missing values filled. */
export interface EncodeTally {
  unseen: Map<string, number>;
  missing: Map<string, number>;
}

/**
 * A text feature's categories by value, made once per model (not per call: a streamed file encodes chunk after
 * chunk, and a column of 100,000 categories rebuilt its map for each). Held as long as the model's list is.
 */
const categoryIndexes = new WeakMap<readonly string[], ReadonlyMap<string, number>>();
function categoryIndex(categories: readonly string[]): ReadonlyMap<string, number> {
  let index = categoryIndexes.get(categories);
  if (!index) categoryIndexes.set(categories, (index = new Map(categories.map((v, k) => [v, k]))));
  return index;
}

export const newTally = (): EncodeTally => ({ unseen: new Map(), missing: new Map() });

/** How encodeFrameInputs treats what the model did not see in training. */
export interface EncodePolicy {
  /** A category the model never saw: 'ignore' (the default) gives its one-hot block all zeros; 'error' is an error. */
  unknown?: 'ignore' | 'error';
  /** Added to as rows are encoded. */
  tally?: EncodeTally;
  /**
   * A row's fault (a word in a date column, an unseen category under unknown 'error', a missing value the model
   * cannot fill): called with the row and the message, instead of throwing; the row's inputs are left unfinished.
   */
  fault?: (row: number, message: string) => void;
  /** Called for each text value the model never saw (encoded as all zeros), with its row, column and value. */
  onUnseen?: (row: number, column: string, value: string) => void;
}

const add = (tally: Map<string, number> | undefined, name: string, n: number): void => {
  if (tally && n > 0) tally.set(name, (tally.get(name) ?? 0) + n);
};

/**
 * The network's input matrix for every row (or the given rows), built once: numbers and date parts scaled, a
 * missing one filled and marked by its indicator, text one-hot encoded over the model's categories (a missing
 * value as its own level where the model has one; a value the model never saw as all zeros, or an error where
 * asked). Columns the model does not use are left out.
 */
export function encodeFrameInputs(prep: Preprocessing, frame: DataFrame, dtype: DType = 'float32', rows?: ArrayLike<number>,
  make: (rows: number, cols: number) => Matrix = (r, c) => zeros(r, c, dtype), policy: EncodePolicy = {}): Matrix {
  const absent = prep.features.filter((f) => !column(frame, f.name)).map((f) => f.name);
  if (absent.length) {
    throw new BackpropError(`${frame.source}: the columns do not match the model's; missing: ${absent.join(', ')}. ` +
      `The model expects: ${prep.features.map((f) => f.name).join(', ')}`);
  }
  const count = rows ? rows.length : frame.rows;
  checkEncodedSize(prep.features, count, dtype === 'float64' ? 8 : 4, frame.source);
  const width = prep.features.reduce((n, f) => n + featureWidth(f), 0);
  // With a piecewise-linear encoding the encoded vector is a step on the way, made in ordinary memory.
  const x = prep.piecewise ? zeros(count, width, dtype) : make(count, width);
  const X = x.data;
  const rowOf = (i: number): number => (rows ? rows[i] : i);
  // A fault in row i: the caller's to record, or the call's error.
  const fault = (i: number, c: FrameColumn, message: string): void => {
    const row = rowOf(i);
    const text = `${placeOf(frame, c, row)}: ${message}`;
    if (policy.fault) policy.fault(row, text);
    else throw new BackpropError(text, c.name);
  };
  const scaler = prep.scaler;
  const shiftOf = (n: number): number => (scaler ? (scaler.kind === 'standard' ? scaler.mean[n] : scaler.min[n]) : 0);
  const scaleOf = (n: number): number => (scaler ? (scaler.kind === 'standard' ? scaler.std[n] : scaler.max[n] - scaler.min[n] || 1) : 1);
  // The words the model reads as "no value" (its training data's), in text however a reader gave it.
  const na = naTest(modelNaValues(prep));
  let offset = 0, n = 0;
  for (const f of prep.features) {
    const c = column(frame, f.name)!;
    // A column with no value at all may come typed either way (a reader cannot tell): it is all missing.
    const allMissing = (c.kind === 'numeric' ? c.values.length : c.codes.length) > 0 && missingCount(c) === (c.kind === 'numeric' ? c.values.length : c.codes.length);
    if (f.type === 'numeric' || f.type === 'date') {
      let values: Float64Array;
      // Words in a numeric column that are no missing value the model knows (unseen), and values that are no finite number.
      let unseen = 0, broken = 0;
      if (f.type === 'numeric') {
        if (c.kind === 'numeric' || allMissing) values = c.kind === 'numeric' ? c.values : new Float64Array(c.codes.length).fill(NaN);
        else {
          // Numbers written among words (a reader gives such a column as text): each word is a missing value where the
          // model reads it so (its NA words, the column's naWords), else a value the model never saw.
          const read = numbersOfText(c, f, na, prep.decimalComma ? 'decimal' : 'thousands');
          values = read.values;
          for (let i = 0; i < count; i++) {
            const row = rowOf(i), code = c.codes[row];
            if (code === MISSING) continue;
            const what = read.kind[code];
            if (what === WORD_UNSEEN) {
              unseen++;
              if (policy.unknown === 'error') {
                fault(i, c, `the word ${JSON.stringify(printable(c.dictionary[code], 80))}, which the model never saw in this column of numbers${f.naWords ? ` (it reads ${f.naWords.map((w) => JSON.stringify(w)).join(', ')} as missing)` : ''}`);
              } else policy.onUnseen?.(row, f.name, c.dictionary[code]);
            } else if (what === NOT_A_FINITE_NUMBER) {
              broken++;
              fault(i, c, `${printable(c.dictionary[code].trim(), 40)} is not a finite number`);
            }
          }
          add(policy.tally?.unseen, f.name, unseen);
        }
      } else {
        if (c.kind !== 'text' && !allMissing) throw new BackpropError(`${frame.source}: column "${f.name}" holds numbers, but the model expects dates there (ISO 8601 text, e.g. 2024-03-15)`, f.name);
        values = c.kind === 'text' ? daysOf(c, f.order) : c.values;
        if (c.kind === 'text') {
          // Text that is no date is a fault of its row; its inputs take the fill (or stay 0).
          for (let i = 0; i < count; i++) {
            const code = c.codes[rowOf(i)];
            if (code !== MISSING && values[rowOf(i)] !== values[rowOf(i)]) {
              fault(i, c, `${JSON.stringify(printable(c.dictionary[code], 40))} is not a date; the model expects ${f.order ? `dates written ${ORDER_NAMES[f.order]} there, or ISO 8601 (2024-03-15)` : 'ISO 8601 dates there, e.g. 2024-03-15 or 2024-03-15T10:30'}`);
            }
          }
        }
      }
      const fill = f.fill ?? NaN;
      const indicator = f.indicator ? offset + featureWidth(f) - 1 : -1;
      const parts: readonly (DatePart | null)[] = f.type === 'numeric' ? [null] : f.parts;
      let missed = 0;
      parts.forEach((part, p) => {
        const filled = part === null ? fill : fill === fill ? datePart(fill, part) : NaN;
        missed = fillScaleInto(X, width, offset + p, values, rows, count, shiftOf(n), scaleOf(n), filled, part, p === 0 ? indicator : -1);
        n++;
      });
      // A word the model never saw is counted as one (filled as a missing value is), and a broken value as neither.
      missed -= unseen + broken;
      if (missed > 0) {
        add(policy.tally?.missing, f.name, missed);
        if (f.fill === undefined) {
          for (let i = 0; i < count; i++) {
            if (values[rowOf(i)] !== values[rowOf(i)] && (c.kind === 'numeric' || c.codes[rowOf(i)] === MISSING)) {
              fault(i, c, 'missing value; this model was trained to refuse them (missing "error"); fill it in or remove the row');
            }
          }
        }
      }
      offset += featureWidth(f);
      continue;
    }
    // Text: each code of the column's dictionary maps to one of the model's categories, or to none (-1).
    if (c.kind !== 'text' && !allMissing) {
      throw new BackpropError(`${frame.source}: column "${f.name}" holds numbers, but the model expects text there (${f.categories.slice(0, 5).join(', ')}${f.categories.length > 5 ? ', …' : ''})`, f.name);
    }
    const categories = categoryIndex(f.categories);
    const byCode = c.kind === 'text' ? Int32Array.from(c.dictionary, (d) => categories.get(d) ?? -1) : new Int32Array(0);
    let codes = c.kind === 'text' ? c.codes : new Uint32Array(c.values.length).fill(MISSING);
    // A word the model reads as "no value" that the reader took for a value (it read with other words) is missing.
    if (c.kind === 'text') {
      const absent = c.dictionary.map((d, k) => byCode[k] < 0 && na(d.trim()));
      if (absent.includes(true)) codes = Uint32Array.from(codes, (k) => (k !== MISSING && absent[k] ? MISSING : k));
    }
    const { unseen, missed, first } = oneHotInto(X, width, offset, byCode, codes, rows, count, f.missing ? f.categories.length : -1);
    add(policy.tally?.unseen, f.name, unseen);
    add(policy.tally?.missing, f.name, missed);
    if (unseen > 0 && policy.onUnseen && policy.unknown !== 'error') {
      for (let i = first; i < count; i++) {
        const code = codes[rowOf(i)];
        if (code !== MISSING && byCode[code] < 0) policy.onUnseen(rowOf(i), f.name, (c as { dictionary: readonly string[] }).dictionary[code]);
      }
    }
    if (first >= 0 && policy.unknown === 'error') {
      for (let i = first; i < count; i++) {
        const code = codes[rowOf(i)];
        if (code === MISSING ? !f.missing : byCode[code] < 0) {
          fault(i, c, code === MISSING
            ? 'missing value, which the model never saw in this column (its training data had none there)'
            : `the value ${JSON.stringify(printable((c as { dictionary: readonly string[] }).dictionary[code], 80))}, which the model never saw; known values: ${f.categories.slice(0, 20).join(', ')}${f.categories.length > 20 ? ', …' : ''}`);
        }
      }
    }
    offset += featureWidth(f);
  }
  return prep.piecewise ? encodePiecewise(prep.piecewise, x, make) : x;
}

/** What a text entry of a numeric feature's column is, besides a number (0): a missing value, a word the model never saw, or a number that is not finite. */
const WORD_MISSING = 1, WORD_UNSEEN = 2, NOT_A_FINITE_NUMBER = 3;

/**
 * A text column (numbers among words, as a reader gives one) read as a numeric feature's values: numbers as
 * written, NaN for everything else; `kind` says, per dictionary entry, which of WORD_* it is. A word is missing
 * where the model reads it so: an NA word (`na`) or one of the feature's naWords. `comma`: what a comma in a
 * number is (data/missing.ts Comma).
 */
function numbersOfText(c: Extract<FrameColumn, { kind: 'text' }>, f: FeatureSpec & { type: 'numeric' }, na: (trimmed: string) => boolean, comma: Comma): { values: Float64Array; kind: Uint8Array } {
  const words = new Set(f.naWords ?? []);
  const kind = new Uint8Array(c.dictionary.length);
  const byCode = Float64Array.from(c.dictionary, (d, k) => {
    const t = d.trim();
    if (isNumberText(t, comma)) {
      const v = numberOfText(t, comma);
      if (Number.isFinite(v)) return v;
      kind[k] = NOT_A_FINITE_NUMBER;
    } else if (na(t) || words.has(t) || /^[+-]?nan$/i.test(t)) kind[k] = WORD_MISSING;
    else kind[k] = NOT_FINITE_TEXT.test(t) ? NOT_A_FINITE_NUMBER : WORD_UNSEEN;
    return NaN;
  });
  return { values: Float64Array.from(c.codes, (k) => (k === MISSING ? NaN : byCode[k])), kind };
}

// The loops of encodeFrameInputs, each in a function of its own: small and of few types, they are compiled once,
// where inside the larger function they were compiled and thrown away column after column.

/**
 * Column `offset` of X (rows of `width`) from `values` (at `rows`, or in order), scaled: (v − shift) / scale, or a
 * date's part of v; a missing value (NaN) takes `filled` (already the part) and, where `indicator` ≥ 0, a 1 in that
 * column. Answers how many were missing.
 */
function fillScaleInto(X: FloatArray, width: number, offset: number, values: Float64Array, rows: ArrayLike<number> | undefined, count: number,
  shift: number, scale: number, filled: number, part: DatePart | null, indicator: number): number {
  let missed = 0;
  const fillValue = (filled - shift) / scale;
  for (let i = 0; i < count; i++) {
    const v = values[rows ? rows[i] : i];
    if (v !== v) {
      missed++;
      X[i * width + offset] = fillValue === fillValue ? fillValue : 0;
      if (indicator >= 0) X[i * width + indicator] = 1;
    } else X[i * width + offset] = ((part === null ? v : datePart(v, part)) - shift) / scale;
  }
  return missed;
}

/**
 * A 1 in X for each row's category (`byCode` of its code) from column `offset`, or at `missingAt` for a missing
 * value where the model has a level for it; counts the values that have no input (unseen, or missing without a
 * level: all zeros) and the missing ones, and answers the first row (its index i) with no input, or -1.
 */
function oneHotInto(X: FloatArray, width: number, offset: number, byCode: Int32Array, codes: Uint32Array, rows: ArrayLike<number> | undefined,
  count: number, missingAt: number): { unseen: number; missed: number; first: number } {
  let unseen = 0, missed = 0, first = -1;
  for (let i = 0; i < count; i++) {
    const code = codes[rows ? rows[i] : i];
    let k: number;
    if (code === MISSING) {
      missed++;
      k = missingAt;
    } else {
      k = byCode[code];
      if (k < 0) unseen++;
    }
    if (k < 0) {
      if (first < 0) first = i;
      continue;
    }
    X[i * width + offset + k] = 1;
  }
  return { unseen, missed, first };
}

/**
 * A raw record (one value per feature, in the model's order) as the network's input vector, encoded as a table's
 * rows are: numbers (or text that reads as one), text, ISO dates; null, undefined, NaN, an empty text or one of the
 * model's words for "no value" (its naValues, by default DEFAULT_NA_VALUES: NA, ?, …) is missing.
 */
export function encodeRecord(prep: Preprocessing, values: readonly (string | number | null | undefined)[], where = 'record',
  policy: Pick<EncodePolicy, 'unknown' | 'tally'> = { unknown: 'error' }): number[] {
  const { features } = prep;
  const isNa = naTest(modelNaValues(prep));
  if (values.length !== features.length) {
    throw new BackpropError(`${where}: expected ${features.length} values (${features.map((f) => f.name).join(', ')}), got ${values.length}`);
  }
  const columns = features.map((f, i): FrameColumn => {
    const v = values[i];
    const absent = v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v)) || (typeof v === 'string' && isNa(v.trim()));
    if (f.type === 'numeric') {
      // A word among numbers is read as a table's is (a missing value, or one the model never saw).
      const comma = prep.decimalComma ? 'decimal' : 'thousands';
      if (typeof v === 'string' && !absent && !isNumberText(v.trim(), comma)) return { name: f.name, kind: 'text', codes: Uint32Array.of(0), dictionary: [v] };
      const n = absent ? NaN : typeof v === 'number' ? v : numberOfText(v.trim(), comma);
      if (!absent && !Number.isFinite(n)) throw new BackpropError(`${where}: column "${f.name}" expects a number, got ${JSON.stringify(v)}`);
      return { name: f.name, kind: 'numeric', values: Float64Array.of(n) };
    }
    return absent
      ? { name: f.name, kind: 'text', codes: Uint32Array.of(MISSING), dictionary: [] }
      : { name: f.name, kind: 'text', codes: Uint32Array.of(0), dictionary: [String(v).trim()] };
  });
  const frame: DataFrame = { source: where, rows: 1, columns, where: () => '', field: (j) => `column "${columns[j].name}"` };
  return Array.from(encodeFrameInputs(prep, frame, 'float64', undefined, undefined, { unknown: policy.unknown ?? 'error', tally: policy.tally }).data);
}

/** The target column as network targets (class indices one-hot, or 0/1 for two classes; or scaled values). */
export function encodeFrameTargets(prep: Preprocessing, frame: DataFrame, dtype: DType = 'float32', rows?: ArrayLike<number>,
  make: (rows: number, cols: number) => Matrix = (r, c) => zeros(r, c, dtype)): { y: Matrix; classIndex: Int32Array | null } {
  const target = prep.target;
  if (!target) throw new BackpropError(`${frame.source}: the model has no target description, so it cannot be evaluated on labelled data`);
  const count = rows ? rows.length : frame.rows;
  const targets = targetColumns(target);
  const found = targets.map((c) => {
    const t = column(frame, c.name);
    if (!t) throw new BackpropError(`${frame.source}: no target column "${c.name}"; the columns are: ${frame.columns.map((col) => col.name).join(', ')}`);
    return t;
  });
  const t = found[0];
  if (target.task === 'regression') {
    const k = targets.length;
    const y = make(count, k);
    targets.forEach((c, j) => {
      const col = found[j];
      if (col.kind !== 'numeric') throw new BackpropError(`${frame.source}: the target column "${c.name}" holds text, but the model predicts a number`);
      const { mean, std } = c.scale ?? { mean: 0, std: 1 };
      for (let i = 0; i < count; i++) {
        const v = col.values[rows ? rows[i] : i];
        if (v !== v) throw missingError(frame, col, rows ? rows[i] : i, 'a labelled row needs its target; remove the row');
        y.data[i * k + j] = (v - mean) / std;
      }
    });
    return { y, classIndex: null };
  }
  const classes = target.classes;
  const numericClasses = classes.every((c) => typeof c === 'number');
  const position = new Map<Label, number>(classes.map((c, k) => [c, k]));
  const classIndex = new Int32Array(count);
  const label = (row: number): Label => (t.kind === 'numeric' ? t.values[row] : t.dictionary[t.codes[row]]);
  for (let i = 0; i < count; i++) {
    const row = rows ? rows[i] : i;
    if (t.kind === 'numeric' ? t.values[row] !== t.values[row] : t.codes[row] === MISSING) {
      throw missingError(frame, t, row, 'a labelled row needs its target; remove the row');
    }
    let value: Label = label(row);
    if (numericClasses && typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) value = Number(value);
    const k = position.get(value);
    if (k === undefined) {
      throw new BackpropError(`${placeOf(frame, t, row)}: the class ${JSON.stringify(value)} is not one the model knows; its classes are: ${classes.join(', ')}`);
    }
    classIndex[i] = k;
  }
  const binary = classes.length === 2;
  const y = make(count, binary ? 1 : classes.length);
  for (let i = 0; i < count; i++) {
    if (binary) y.data[i] = classIndex[i];
    else y.data[i * classes.length + classIndex[i]] = 1;
  }
  return { y, classIndex };
}
