// Training on files larger than memory. A first pass over the file types its columns and computes what the
// preprocessing needs in bounded memory: the training rows' means and standard deviations (Welford's method), the
// medians that fill missing values (exact up to a reservoir's size, from a seeded reservoir sample beyond), the
// categories, which columns are dates or identifiers, and the target's task. The decisions are the table layer's
// own (data/frame.ts's decideFeature, data/task.ts's chooseTask), so a file gets the model it would in memory.
// Then every epoch reads the file again in chunks through a seeded shuffle buffer, each chunk encoded by the
// table layer. Validation rows are chosen by a seeded hash of the row number, so the split is the same on every
// pass and is never held whole. The default's bagged networks take their folds from the same hash, and the
// piecewise-linear bins come from a seeded reservoir of training rows, encoded as in memory.
import { BackpropError, quoted } from '../core/errors.js';
import type { Matrix } from '../core/matrix.js';
import { zeros } from '../core/matrix.js';
import { Random } from '../core/random.js';
import type { Task } from '../data/columns.js';
import { DATE_PARTS, datePart, hasTime, parseDate, parseDateIn, readsEither, readsWritten, type DateOrder } from '../data/dates.js';
import { classesOf, type Label } from '../data/encoding.js';
import { encodeFrameInputs, encodeFrameTargets, featuresOf, mixedSummary, wordList, type ColumnSummary, type MixedSummary, type DataFrame, type FrameColumn, type FrameDescription } from '../data/frame.js';
import { GROUPED_NUMBER_TEXT, isNumberText, MISSING, NOT_FINITE_TEXT, numberOfText, storedNaValues } from '../data/missing.js';
import { defaultFit, fitPiecewise, MAX_PIECEWISE_BYTES, piecewiseWidth } from '../data/piecewise.js';
import { scaledInputs, type FeatureSpec, type Preprocessing } from '../data/preprocessing.js';
import { chooseTask, MAX_NUMERIC_CLASSES } from '../data/task.js';
import type { Batch, BatchSource } from '../train/batches.js';
import { chunkFrame } from './read.js';
import { tableChunks, type DuckReadOptions } from './readers/duckdb.js';
import { rowPlace } from './readers/scan.js';
import { checkTrainingRows } from '../model/train.js';
import { OptionError } from '../model/options.js';

/** Whether row `row` is a validation row: a seeded hash of its number below the validation share. */
export function isValidationRow(row: number, seed: number, fraction: number): boolean {
  if (fraction <= 0) return false;
  return rowHash(row, seed) < fraction;
}

/** Row `row`'s fold of `folds` (bagging): the same seeded hash, cut in equal parts. */
export function foldOf(row: number, seed: number, folds: number): number {
  return Math.min(folds - 1, Math.floor(rowHash(row, seed) * folds));
}

/** Which rows a pass holds out: the validation share (one network), or one network's fold (bagging). */
export interface RowPart {
  held: (row: number) => boolean;
}

/** The part that holds out rows for one network: the validation share, or fold k of a bagged run. */
export function rowPart(seed: number, split: { validation: number } | { folds: number; fold: number }): RowPart {
  return 'folds' in split
    ? { held: (row) => foldOf(row, seed, split.folds) === split.fold }
    : { held: (row) => isValidationRow(row, seed, split.validation) };
}

/** A seeded hash of a row number, uniform in [0, 1). */
function rowHash(row: number, seed: number): number {
  let h = Math.imul(row ^ Math.imul(seed, 0x27d4eb2d), 0x9e3779b1);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}

export interface StreamedData {
  path: string;
  source: string;
  options: DuckReadOptions;
  rows: number;
  trainRows: number;
  validationRows: number;
  prep: Preprocessing;
  validation: number;
  seed: number;
  /** What the first pass found besides the preprocessing: the task's reason, missing values, columns left out. */
  description: Pick<FrameDescription, 'taskReason' | 'missing' | 'leftOut' | 'notDates' | 'mixed'>;
}

/** Welford's running mean and variance: one pass, and as accurate as two. */
class Running {
  n = 0;
  mean = 0;
  m2 = 0;
  add(x: number): void {
    this.n++;
    const d = x - this.mean;
    this.mean += d / this.n;
    this.m2 += d * (x - this.mean);
  }
  get std(): number {
    return Math.sqrt(this.m2 / this.n) || 1;
  }
}

/**
 * A seeded uniform sample of a stream of numbers (Vitter's algorithm R). Its median is the stream's while the stream
 * fits; beyond, its quantiles bracket the stream's median for a second pass to find exactly (exactMedians).
 */
class Reservoir {
  private readonly values: Float64Array;
  seen = 0;
  constructor(capacity: number, private readonly random: Random) {
    this.values = new Float64Array(capacity);
  }
  get capacity(): number {
    return this.values.length;
  }
  add(v: number): void {
    if (this.seen < this.values.length) this.values[this.seen] = v;
    else {
      const j = this.random.int(this.seen + 1);
      if (j < this.values.length) this.values[j] = v;
    }
    this.seen++;
  }
  get exact(): boolean {
    return this.seen <= this.values.length;
  }
  private sorted(): Float64Array {
    return this.values.slice(0, Math.min(this.seen, this.values.length)).sort();
  }
  median(): number {
    const sorted = this.sorted(), n = sorted.length;
    if (n === 0) return NaN;
    return n % 2 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }
  /** Values below and above the stream's median with near certainty: the sample's quantiles 0.5 ∓ 6 standard errors. */
  bracket(): [number, number] {
    const sorted = this.sorted(), n = sorted.length;
    const margin = Math.ceil(6 * Math.sqrt(n) / 2) + 1;
    return [sorted[Math.max(0, Math.floor(n / 2) - margin)], sorted[Math.min(n - 1, Math.ceil(n / 2) + margin)]];
  }
}

/** Values a second pass keeps, over all columns, to find medians exactly (8 bytes each): 64 MiB. */
const BRACKET_VALUES = 1 << 23;

const MAX_CATEGORIES = 100_000;
/** Values all reservoirs together keep (8 bytes each): 64 MiB, at most 65 536 a column. */
const RESERVOIR_VALUES = 1 << 23;
/** Rows a piecewise-linear encoding's quantiles are taken from, at most (as model/train.ts); values they keep in all. */
const PIECEWISE_SAMPLE = 100_000;
const PIECEWISE_VALUES = 16_000_000;

/** What the first pass keeps of one column. */
/** Follows a column's rise by one more value (ColumnScan's `rising`). */
function rise(s: ColumnScan, v: number): void {
  if (s.rising === undefined) s.rising = Number.isInteger(v) ? { from: v, to: v } : null;
  else if (s.rising !== null) {
    if (v > s.rising.to && Number.isInteger(v)) s.rising.to = v;
    else s.rising = null;
  }
}

/** A date column's figures over the training rows, in one reading of its text. */
interface DateFigures {
  stats: Running;
  sample: Reservoir;
  parts: Running[];
  time: boolean;
}

interface ColumnScan {
  name: string;
  numeric: boolean;
  missing: number;
  firstMissing: number;
  /** Training rows' present values: a number's, or a date's day count. */
  stats: Running;
  sample: Reservoir;
  /** A text column: whether every value so far was a date, whether any had a time. */
  dates: boolean;
  time: boolean;
  /** Distinct values that are dates, and the first value that is not one with its row (for the plan to name). */
  dateEntries: number;
  notDate: { value: string; row: number; either?: true; written?: true } | null;
  /** As dateEntries and notDate, for dates written day and month (03/15/2024) in either order. */
  writtenEntries: number;
  writtenNotDate: { value: string; row: number } | null;
  /** A date column's parts over the training rows. */
  parts: Running[];
  /**
   * A text column of dates written day and month in an order (dates.ts writtenOrder), while every value so far is
   * one: the figures of each order still possible (null once a value is no date in it), and whether every one used '.'.
   * Made at the column's first value where it is such a date (undefined before it, null where it is not).
   */
  written?: { mdy: DateFigures | null; dmy: DateFigures | null; dots: boolean; first: { value: string; row: number } | null } | null;
  /** The order the column's dates are written in, once the pass has seen every row. */
  order?: DateOrder;
  /**
   * A text column's distinct values in the order met, kept up to MAX_CATEGORIES + 1 (enough to tell categories from
   * an identifier: past it, `more` is set and no more are kept), with each one's index.
   */
  dictionary: string[];
  index: Map<string, number>;
  more: boolean;
  /**
   * A text column's numbers (rows with one), their running figures and sample over the training rows (made at the
   * first), and its other values' rows by word (up to MAX_WORDS_KEPT words; `firstWord`: the first row with one):
   * what mixedAs reads the column by.
   */
  numbers: number;
  /** Read as numbers, its words as missing values (set once the pass has seen every row). */
  asNumbers?: boolean;
  numberStats: Running | null;
  numberSample: Reservoir | null;
  words: Map<string, number>;
  firstWord: number;
  firstWordText?: string;
  /** A number written with its thousands separated (1,217), where the column has one. */
  grouped?: string;
  /**
   * A column's first number and the last so far, while every value is a whole number above the one before
   * (data/frame.ts risingRange): null once one is not, undefined before the first.
   */
  rising?: { from: number; to: number } | null;
}

/** Words of a text column that has numbers among them, kept with their rows: enough to tell mixedAs's cases apart. */
const MAX_WORDS_KEPT = 1000;

/** A column that was read as numbers until a word came: the first pass starts again with it read as text. */
class WordAmongNumbers extends Error {
  constructor(readonly column: string) {
    super(column);
  }
}

/**
 * The first pass: types every column, counts rows, validation rows and missing values, and fits the preprocessing
 * on the training rows, deciding as in-memory training decides.
 */
export async function scanForTraining(path: string, source: string, options: DuckReadOptions,
  o: { target?: string; task?: Task; validation: number; seed: number; missing?: 'fill' | 'error'; keep?: readonly string[]; bins?: number }): Promise<StreamedData> {
  for (;;) {
    try {
      return await scanOnce(path, source, options, o);
    } catch (e) {
      // Every pass reads such a column as text from its first row (the reader would switch where the word comes).
      if (!(e instanceof WordAmongNumbers)) throw e;
      options = { ...options, textColumns: [...(options.textColumns ?? []), e.column] };
    }
  }
}

async function scanOnce(path: string, source: string, options: DuckReadOptions,
  o: { target?: string; task?: Task; validation: number; seed: number; missing?: 'fill' | 'error'; keep?: readonly string[]; bins?: number }): Promise<StreamedData> {
  let scans: ColumnScan[] = [];
  // The rows the piecewise-linear encoding's quantiles come from: a seeded reservoir of training rows (all of them
  // up to PIECEWISE_SAMPLE, in order, as in memory), each row's values as read (a number, or a text's code into
  // sampleWords: a chunk's codes hold only for the chunk).
  const sample: Float64Array[] = [];
  const sampleWords: { words: string[]; index: Map<string, number> }[] = [];
  let sampleCap = 0, seenTraining = 0;
  const draw = new Random(o.seed * 7919 - 1);
  let rows = 0, trainRows = 0, validationRows = 0;
  let t = -1;
  // The columns the reader read as text (asked for, or with words among numbers): the later passes read them so.
  let textColumns: readonly string[] = options.textColumns ?? [];
  // What a comma in a number read as text is: a decimal comma where the file has them, else between thousands.
  const comma = options.decimalComma ? 'decimal' as const : 'thousands' as const;
  // A numeric target's values as the task rule reads them.
  const target = { rows: 0, whole: true, distinct: new Set<number>(), min: Infinity, max: -Infinity };
  for await (const chunk of tableChunks(path, source, options)) {
    if (rows === 0) {
      const names = chunk.opened.described.map((d) => d.column_name);
      const capacity = Math.max(1024, Math.min(65_536, Math.floor(RESERVOIR_VALUES / names.length)));
      scans = names.map((name, j) => ({
        name, numeric: chunk.opened.numeric[j], missing: 0, firstMissing: -1, stats: new Running(), sample: new Reservoir(capacity, new Random(o.seed * 7919 + j)),
        dates: true, time: false, dateEntries: 0, notDate: null, writtenEntries: 0, writtenNotDate: null, parts: DATE_PARTS.map(() => new Running()), dictionary: [], index: new Map(), more: false,
        numbers: 0, numberStats: null, numberSample: null, words: new Map(), firstWord: -1,
      }));
      sampleCap = o.bins ? Math.min(PIECEWISE_SAMPLE, Math.floor(PIECEWISE_VALUES / names.length)) : 0;
      t = names.indexOf(o.target ?? names[names.length - 1]);
      if (t < 0) throw new BackpropError(`${source}: no column "${o.target}" to use as the target; the columns are: ${names.join(', ')}`, 'target');
    }
    textColumns = chunk.opened.textColumns;
    const held = new Uint8Array(chunk.rows);
    for (let i = 0; i < chunk.rows; i++) {
      held[i] = isValidationRow(rows + i, o.seed, o.validation) ? 1 : 0;
      if (held[i]) validationRows++;
      else trainRows++;
      if (!held[i] && sampleCap > 0) {
        // Algorithm R: training row n replaces a kept one with probability cap / n.
        const slot = seenTraining < sampleCap ? seenTraining : draw.int(seenTraining + 1);
        seenTraining++;
        if (slot < sampleCap) {
          sample[slot] = Float64Array.from(chunk.columns, (c, j) => {
            if (c instanceof Float64Array) return c[i];
            if (c.codes[i] === MISSING) return MISSING;
            const word = c.dictionary[c.codes[i]], w = (sampleWords[j] ??= { words: [], index: new Map() });
            let k = w.index.get(word);
            if (k === undefined) w.index.set(word, (k = w.words.push(word) - 1));
            return k;
          });
        }
      }
    }
    chunk.columns.forEach((c, j) => {
      const s = scans[j];
      if (s.numeric && !(c instanceof Float64Array)) throw new WordAmongNumbers(s.name);
      if (c instanceof Float64Array) {
        // Still a row number? (Read over every row, in the file's order, as in memory.)
        for (let i = 0; i < chunk.rows && s.rising !== null; i++) rise(s, c[i]);
        for (let i = 0; i < chunk.rows; i++) {
          const v = c[i];
          if (v !== v) {
            if (s.missing++ === 0) s.firstMissing = rows + i;
          } else if (!held[i]) {
            s.stats.add(v);
            s.sample.add(v);
          }
        }
        if (j === t) {
          for (let i = 0; i < chunk.rows; i++) {
            const v = c[i];
            if (v !== v) continue;
            target.rows++;
            if (target.whole && !Number.isInteger(v)) target.whole = false;
            if (v < target.min) target.min = v;
            if (v > target.max) target.max = v;
            if (target.distinct.size <= MAX_CATEGORIES) target.distinct.add(v);
          }
        }
        return;
      }
      // The chunk's own dictionary (the reader's memory is a chunk's, whatever the file holds): each of its values
      // counted among the column's distinct ones, and while they are all dates, checked. A chunk codes its values in
      // the order its rows hold them, so the first that is no date is the column's first.
      for (let k = 0; k < c.dictionary.length; k++) {
        const value = c.dictionary[k];
        const fresh = !s.more && !s.index.has(value);
        if (fresh) {
          if (s.dictionary.length > MAX_CATEGORIES) s.more = true;
          else s.index.set(value, s.dictionary.push(value) - 1);
        }
        // Dates written day and month in an order: each order kept while every value is a date in it (its figures
        // made at the first value, where it is such a date: most text columns are not).
        if (s.written === undefined) {
          const figures = (order: DateOrder): DateFigures | null => (parseDateIn(value, order) === parseDateIn(value, order)
            ? { stats: new Running(), sample: new Reservoir(s.sample.capacity, new Random(o.seed * 7919 + j)), parts: DATE_PARTS.map(() => new Running()), time: false } : null);
          const [mdy, dmy] = [figures('mdy'), figures('dmy')];
          s.written = mdy || dmy ? { mdy, dmy, dots: true, first: null } : null;
        }
        const w = s.written;
        if (w) {
          if (!/^\s*\d{1,2}\.\d{1,2}\.\d{4}/.test(value)) w.dots = false;
          for (const order of ['mdy', 'dmy'] as const) {
            const d = w[order] ? parseDateIn(value, order) : NaN;
            if (d !== d) w[order] = null;
            else if (hasTime(d)) w[order]!.time = true;
          }
          if (!w.mdy && !w.dmy) s.written = null;
          else if (!w.first && readsEither(value)) {
            const at = c.codes.indexOf(k);
            if (at >= 0) w.first = { value, row: rows + at };
          }
        }
        if (fresh && !s.more) {
          if (readsWritten(value)) s.writtenEntries++;
          else if (!s.writtenNotDate) {
            const at = c.codes.indexOf(k);
            if (at >= 0) s.writtenNotDate = { value, row: rows + at };
          }
        }
        if (!s.dates && !(fresh && !s.more)) continue;
        const d = parseDate(value);
        if (d === d) {
          if (fresh && !s.more) s.dateEntries++;
          if (hasTime(d)) s.time = true;
        } else if (s.dates) {
          s.dates = false;
          const at = c.codes.indexOf(k);
          if (at >= 0) s.notDate = { value, row: rows + at };
        }
      }
      // Numbers among the text, and the other values' rows by word, for mixedAs (counted by code, then by word).
      // (1,250 is a number with its thousands separated, but for a file of decimal commas: there it is 1.25.)
      const number = c.dictionary.map((v) => (isNumberText(v.trim(), comma) ? numberOfText(v.trim(), comma) : NOT_FINITE_TEXT.test(v.trim()) ? Number(v) : null));
      const perCode = new Float64Array(c.dictionary.length);
      for (let i = 0; i < chunk.rows; i++) {
        const code = c.codes[i];
        if (code === MISSING) continue;
        perCode[code]++;
        const v = number[code];
        if (v === null) {
          if (s.firstWord < 0) {
            s.firstWord = rows + i;
            s.firstWordText = c.dictionary[code];
          }
          continue;
        }
        s.numbers++;
        if (s.grouped === undefined && !options.decimalComma && GROUPED_NUMBER_TEXT.test(c.dictionary[code].trim())) s.grouped = c.dictionary[code].trim();
        // A number that is not finite is an error where the column is read as numbers (the table layer places it).
        if (held[i] || !Number.isFinite(v)) continue;
        (s.numberStats ??= new Running()).add(v);
        (s.numberSample ??= new Reservoir(s.sample.capacity, new Random(o.seed * 7919 + j))).add(v);
      }
      // Numbers written as text (1,000 after 999) may be row numbers too.
      for (let i = 0; i < chunk.rows && s.rising !== null; i++) rise(s, c.codes[i] === MISSING ? NaN : number[c.codes[i]] ?? NaN);
      for (let k = 0; k < c.dictionary.length; k++) {
        const w = c.dictionary[k];
        if (number[k] === null && perCode[k] > 0 && (s.words.has(w) || s.words.size < MAX_WORDS_KEPT)) s.words.set(w, (s.words.get(w) ?? 0) + perCode[k]);
      }
      for (let i = 0; i < chunk.rows; i++) {
        const code = c.codes[i];
        if (code === MISSING) {
          if (s.missing++ === 0) s.firstMissing = rows + i;
        } else if (s.dates && !held[i]) {
          const d = parseDate(c.dictionary[code]);
          s.stats.add(d);
          s.sample.add(d);
          DATE_PARTS.forEach((p, k) => s.parts[k].add(datePart(d, p)));
        } else if (s.written && !held[i]) {
          for (const order of ['mdy', 'dmy'] as const) {
            const f = s.written[order];
            if (!f) continue;
            const d = parseDateIn(c.dictionary[code], order);
            f.stats.add(d);
            f.sample.add(d);
            DATE_PARTS.forEach((p, k) => f.parts[k].add(datePart(d, p)));
          }
        }
      }
    });
    rows += chunk.rows;
  }
  if (rows === 0) throw new BackpropError(`${source}: has a header row but no data rows`);
  if (textColumns.length) options = { ...options, textColumns };
  // Dates written day and month in one order (as in memory, data/frame.ts dateReading): that order's figures;
  // where both orders read every value (no day above 12), day first for '.', else the column stays text, said.
  for (const s of scans) {
    const w = s.written;
    if (s.numeric || s.dates || !w || s.dictionary.length === 0) continue;
    // (Where no value reads as two different days, both orders read the same days.)
    const order = w.mdy && w.dmy ? (w.dots ? 'dmy' : w.first ? null : 'mdy') : w.mdy ? 'mdy' : 'dmy';
    if (order === null) {
      s.notDate = { ...w.first!, either: true };
      continue;
    }
    const f = w[order]!;
    Object.assign(s, { dates: true, order, stats: f.stats, sample: f.sample, parts: f.parts, time: f.time });
  }
  // A text column with numbers among its values is read as in memory (data/frame.ts mixedAs): as numbers, its words
  // missing values (its figures then the numbers'), or as text; a column of numbers only (read as text where asked) is numbers.
  const mixedOf = new Map<ColumnScan, MixedSummary>();
  for (const s of scans) {
    if (s.numeric || s.numbers === 0) continue;
    const m: MixedSummary = { ...mixedSummary(s.numbers, s.words, s.firstWord, s.firstWordText), ...(s.grouped === undefined ? {} : { grouped: s.grouped }) };
    mixedOf.set(s, m);
    if (m.as === 'numbers') {
      s.asNumbers = true;
      s.stats = s.numberStats ?? new Running();
      s.sample = s.numberSample ?? new Reservoir(s.sample.capacity, new Random(0));
    }
  }
  // A share that leaves one side empty or next to nothing is a bad option (exit 2), as in memory.
  if (trainRows === 0) throw new OptionError(`--validation: ${o.validation} of ${rows} rows leaves no training rows`, '--validation');
  if (o.validation > 0 && validationRows === 0) throw new OptionError(`--validation: ${o.validation} of ${rows} rows leaves no validation rows`, '--validation');
  try {
    checkTrainingRows(o.validation, trainRows, validationRows);
  } catch (e) {
    throw new OptionError(`--${(e as Error).message.replace(/validation 0$/, '--validation 0')}`, '--validation');
  }

  const ts = scans[t];
  const targetName = ts.name;
  // Rows placed by the file's line, where every line is one (as a whole file's reader places them).
  const place = rowPlace(path);
  const tm = mixedOf.get(ts);
  if (tm && tm.as !== 'text' && tm.wordRows === 0) {
    throw new BackpropError(`${source}, column ${t + 1} (${targetName}): the target's numbers are written with thousands separators (${quoted(tm.grouped ?? '', 24)}), which a streamed file's target may not be; `
      + 'remove the separators, or read the file whole (without --stream, with --memory large enough)', targetName);
  }
  if (tm && tm.as !== 'text') {
    throw new BackpropError(`${source}, ${place(tm.firstWord)}, column ${t + 1} (${targetName}): a word where the target's other values are numbers ` +
      `(${tm.wordRows} of ${tm.numbers + tm.wordRows} rows have words: ${wordList(tm)}); a row to learn from needs its target: correct or remove those rows`, targetName);
  }
  if (ts.missing > 0) throw new BackpropError(`${source}, ${place(ts.firstMissing)}, column ${t + 1} (${targetName}): missing value; a row to learn from needs its target; remove the row (${ts.missing} of ${rows} rows have none)`, targetName);
  const summaries: ColumnSummary[] = scans.filter((_, j) => j !== t).map((s): ColumnSummary => s.asNumbers ? {
    name: s.name, kind: 'numeric', rows, missing: s.missing + mixedOf.get(s)!.wordRows,
    firstMissing: s.firstMissing < 0 ? s.firstWord : s.firstWord < 0 ? s.firstMissing : Math.min(s.firstMissing, s.firstWord),
    distinct: 0, sorted: null, dates: null, mixed: mixedOf.get(s)!, rising: s.missing === 0 && mixedOf.get(s)!.wordRows === 0 ? s.rising ?? null : null,
  } : {
    ...(mixedOf.has(s) ? { mixed: mixedOf.get(s)! } : {}),
    name: s.name, kind: s.numeric ? 'numeric' : 'text', rows, missing: s.missing, firstMissing: s.firstMissing, rising: s.numeric ? s.rising ?? null : null,
    distinct: s.dictionary.length, ...(s.more ? { distinctAtLeast: true } : {}),
    sorted: s.numeric || s.dates || s.dictionary.length > MAX_CATEGORIES ? null : classesOf(s.dictionary) as string[],
    dates: !s.numeric && s.dates && s.dictionary.length > 0 ? { time: s.time, ...(s.order ? { order: s.order } : {}) } : null,
    // As in memory: named where most distinct values are dates, or where the order of day and month cannot be told.
    notDate: s.numeric || s.dates ? null : s.notDate?.either || 2 * s.dateEntries > s.dictionary.length ? s.notDate
      : 2 * s.writtenEntries > s.dictionary.length && s.writtenNotDate ? { ...s.writtenNotDate, written: true } : null,
  });
  const { features: described, missing, leftOut, notDates, mixed } = featuresOf(summaries, { missing: o.missing, keep: o.keep },
    (s, row) => `${source}, ${place(row)}, column ${scans.findIndex((c) => c.name === s.name) + 1} (${s.name})`, source);
  const strict = o.missing === 'error';
  const medians = strict ? new Map<string, number>() : await exactMedians(path, source, options, rows, o, scans.filter((s) => described.some((f) => f.name === s.name && f.type !== 'categorical')));
  const mean: number[] = [], std: number[] = [];
  const features = described.map((f): FeatureSpec => {
    if (f.type === 'categorical') return f;
    const s = scans.find((c) => c.name === f.name)!;
    if (f.type === 'numeric') {
      mean.push(s.stats.n ? s.stats.mean : 0);
      std.push(s.stats.n ? s.stats.std : 1);
    } else {
      for (const part of f.parts) {
        const p = s.parts[DATE_PARTS.indexOf(part)];
        mean.push(p.n ? p.mean : 0);
        std.push(p.n ? p.std : 1);
      }
    }
    const median = medians.get(s.name)!;
    return strict ? f : { ...f, fill: median === median ? median : 0 };
  });
  let task = o.task;
  let taskReason = task ? 'as asked' : 'text';
  let classes: Label[] = [];
  if (ts.numeric) {
    if (!task) {
      const choice = chooseTask({ rows: target.rows, whole: target.whole, distinct: target.distinct.size <= MAX_NUMERIC_CLASSES ? [...target.distinct] : null, min: target.min, max: target.max });
      task = choice.task;
      taskReason = choice.reason;
    }
    if (task === 'classification') {
      if (target.distinct.size > MAX_CATEGORIES) throw new BackpropError(`${source}: the target column "${targetName}" has too many distinct values to be classes; use --task regression`, 'task');
      classes = classesOf([...target.distinct]);
    }
  } else {
    if (task === 'regression') throw new BackpropError(`${source}: the target column "${targetName}" holds text, so it cannot be a regression target`, 'task');
    task = 'classification';
    if (ts.dictionary.length > MAX_CATEGORIES) throw new BackpropError(`${source}: the target column "${targetName}" has too many distinct values to be classes`, 'task');
    classes = classesOf(ts.dictionary);
  }
  if (task === 'classification' && classes.length < 2) {
    throw new BackpropError(`${source}: the target column "${targetName}" has only one class (${JSON.stringify(classes[0])}); classification needs at least two`, 'target');
  }
  const left = leftOut.map(({ name, reason }) => ({ name, reason }));
  const prep: Preprocessing = {
    features,
    scaler: mean.length ? { kind: 'standard', mean, std } : null,
    target: task === 'regression'
      ? { name: targetName, task, scale: { mean: ts.stats.mean, std: ts.stats.std } }
      : { name: targetName, task: 'classification', classes },
    ...(left.length ? { leftOut: left } : {}),
    ...(storedNaValues(options.naValues) ? { naValues: storedNaValues(options.naValues) } : {}),
    ...(options.decimalComma ? { decimalComma: true as const } : {}),
  };
  if (o.bins && sample.length) {
    // The sample as a frame of the file's columns, encoded and binned as in memory (model/train.ts withPiecewise).
    const columns = scans.map((s, j): FrameColumn => (s.numeric
      ? { name: s.name, kind: 'numeric', values: Float64Array.from(sample, (r) => r[j]) }
      : { name: s.name, kind: 'text', codes: Uint32Array.from(sample, (r) => r[j]), dictionary: sampleWords[j]?.words ?? [] }));
    const frame: DataFrame = { source, rows: sample.length, columns, where: () => '' };
    const inputs = scaledInputs(prep.features);
    if (inputs.length) {
      const piecewise = fitPiecewise(encodeFrameInputs(prep, frame, 'float32'), inputs, o.bins, undefined, defaultFit(trainRows));
      // As in memory (model/train.ts withPiecewise): no bins where the binned rows would pass MAX_PIECEWISE_BYTES.
      if (piecewise.columns.length && trainRows * piecewiseWidth(piecewise) * 4 <= MAX_PIECEWISE_BYTES) prep.piecewise = piecewise;
    }
  }
  return { path, source, options, rows, trainRows, validationRows, prep, validation: o.validation, seed: o.seed, description: { taskReason, missing, leftOut, notDates, mixed } };
}

/**
 * The training rows' median of each column (a number's, or a date's day count): the reservoir's where it holds
 * them all; else found exactly by a second pass that counts the values below the reservoir's bracket and keeps
 * those inside it (the reservoir's median where the bracket misses, or would keep too many: a near certainty not).
 */
async function exactMedians(path: string, source: string, options: DuckReadOptions, rows: number, o: { validation: number; seed: number }, scans: ColumnScan[]): Promise<Map<string, number>> {
  const medians = new Map<string, number>();
  const open = scans.filter((s) => !s.sample.exact);
  for (const s of scans) if (s.sample.exact) medians.set(s.name, s.sample.median());
  if (open.length === 0) return medians;
  const windows = open.map((s) => ({ scan: s, range: s.sample.bracket(), below: 0, kept: [] as number[], full: false }));
  const cap = Math.floor(BRACKET_VALUES / open.length);
  let first = 0;
  for await (const chunk of tableChunks(path, source, options, rows)) {
    const names = chunk.opened.described.map((d) => d.column_name);
    for (const w of windows) {
      if (w.full) continue;
      const c = chunk.columns[names.indexOf(w.scan.name)];
      const [lo, hi] = w.range;
      for (let i = 0; i < chunk.rows; i++) {
        if (isValidationRow(first + i, o.seed, o.validation)) continue;
        let v: number;
        if (c instanceof Float64Array) v = c[i];
        else if (c.codes[i] === MISSING) v = NaN;
        else if (w.scan.asNumbers) v = numberOfText(c.dictionary[c.codes[i]].trim(), options.decimalComma ? 'decimal' : 'thousands');
        else v = parseDateIn(c.dictionary[c.codes[i]], w.scan.order);
        if (v !== v) continue;
        if (v < lo) w.below++;
        else if (v <= hi) {
          w.kept.push(v);
          if (w.kept.length > cap) {
            w.full = true;
            break;
          }
        }
      }
    }
    first += chunk.rows;
  }
  for (const w of windows) {
    const n = w.scan.sample.seen;
    const sorted = Float64Array.from(w.kept).sort();
    const at = (rank: number): number => (rank >= w.below && rank - w.below < sorted.length ? sorted[rank - w.below] : NaN);
    const median = n % 2 ? at((n - 1) / 2) : (at(n / 2 - 1) + at(n / 2)) / 2;
    medians.set(w.scan.name, !w.full && median === median ? median : w.scan.sample.median());
  }
  return medians;
}

/** Encodes a chunk's chosen rows (`picked`, ascending) into x and y from row `at`, as the table layer encodes a frame. */
function encodeRows(data: StreamedData, chunk: Parameters<typeof chunkFrame>[0], first: number, picked: Uint32Array, x: Matrix, y: Matrix, at: number): void {
  const frame = chunkFrame(chunk, data.source, first);
  // Views of the buffers from row `at`, zeroed first: the encoders write only the inputs that are not 0.
  const view = (m: Matrix) => (r: number, c: number): Matrix => {
    const data = m.data.subarray(at * c, (at + r) * c);
    data.fill(0);
    return { rows: r, cols: c, data };
  };
  encodeFrameInputs(data.prep, frame, 'float32', picked, view(x));
  encodeFrameTargets(data.prep, frame, 'float32', picked, view(y));
}

/** The rows of a chunk (from `first` in the file, `from` to `to` of the chunk) that the part holds out, or the others. */
function pick(first: number, from: number, to: number, part: RowPart, held: boolean): Uint32Array {
  const rows: number[] = [];
  for (let i = from; i < to; i++) if (part.held(first + i) === held) rows.push(i);
  return Uint32Array.from(rows);
}

/**
 * Each epoch's training batches: the file is read in chunks into a shuffle buffer of `bufferRows` rows; when the
 * buffer is full its rows are shuffled (seeded, per epoch) and handed out as batches.
 */
export function trainingBatches(data: StreamedData, inputs: number, outputs: number, batchSize: number, bufferRows: number,
  part: RowPart = rowPart(data.seed, data)): BatchSource {
  const capacity = Math.max(batchSize, Math.floor(bufferRows / batchSize) * batchSize);
  const x = zeros(capacity, inputs), y = zeros(capacity, outputs);
  return async function* (epoch: number): AsyncGenerator<Batch> {
    const random = new Random(data.seed * 1000003 + epoch);
    let filled = 0, seen = 0;
    function* drain(count: number): Generator<Batch> {
      // Fisher–Yates over whole rows, in place.
      for (let i = count - 1; i > 0; i--) {
        const j = random.int(i + 1);
        swapRows(x, i, j);
        swapRows(y, i, j);
      }
      for (let start = 0; start < count; start += batchSize) {
        const end = Math.min(count, start + batchSize);
        yield { x: { rows: end - start, cols: inputs, data: x.data.subarray(start * inputs, end * inputs) }, y: { rows: end - start, cols: outputs, data: y.data.subarray(start * outputs, end * outputs) } };
      }
    }
    for await (const chunk of tableChunks(data.path, data.source, data.options, data.rows)) {
      let i = 0;
      while (i < chunk.rows) {
        // As many of the chunk's rows as fill the buffer with training rows.
        let to = i, taken = 0;
        while (to < chunk.rows && filled + taken < capacity) {
          if (!part.held(seen + to)) taken++;
          to++;
        }
        const picked = pick(seen, i, to, part, false);
        if (picked.length) encodeRows(data, chunk, seen, picked, x, y, filled);
        filled += picked.length;
        i = to;
        if (filled === capacity) {
          yield* drain(filled);
          filled = 0;
        }
      }
      seen += chunk.rows;
    }
    if (filled > 0) yield* drain(filled);
  };
}

/** The validation rows, chunk by chunk, as batches: read again at each epoch's end, never held whole. */
export function validationBatches(data: StreamedData, inputs: number, outputs: number, part: RowPart = rowPart(data.seed, data)): () => AsyncIterable<Batch> {
  return async function* (): AsyncGenerator<Batch> {
    let seen = 0;
    for await (const chunk of tableChunks(data.path, data.source, data.options, data.rows)) {
      const picked = pick(seen, 0, chunk.rows, part, true);
      if (picked.length) {
        const x = zeros(picked.length, inputs), y = zeros(picked.length, outputs);
        encodeRows(data, chunk, seen, picked, x, y, 0);
        yield { x, y };
      }
      seen += chunk.rows;
    }
  };
}

function swapRows(m: Matrix, i: number, j: number): void {
  if (i === j) return;
  const c = m.cols, d = m.data;
  for (let k = 0; k < c; k++) {
    const t = d[i * c + k];
    d[i * c + k] = d[j * c + k];
    d[j * c + k] = t;
  }
}
