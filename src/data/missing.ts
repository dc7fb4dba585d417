// Missing values, as every reader and table form marks them: NaN in a numeric column, the code MISSING in a text
// column. Which written values count as missing (naValues, as pandas' na_values) is decided here once, so a file
// and the same table given as records read alike.
import { BackpropError, printable } from '../core/errors.js';

/** A text column's code for a missing value: it indexes no entry of the dictionary. */
export const MISSING = 0xffffffff;

/**
 * Written values that mean "no value", besides an empty or blank field: what spreadsheets, R, pandas, SQL
 * exports and the UCI repository write. `naValues` replaces the list; an empty field is always missing.
 */
export const DEFAULT_NA_VALUES: readonly string[] = ['NA', 'N/A', 'n/a', 'NaN', 'nan', 'null', 'NULL', 'None', '?', '#N/A', '-', '.'];

/** The most tokens an naValues list may hold, and the longest token. */
export const MAX_NA_VALUES = 1000;
export const MAX_NA_LENGTH = 100;
/** The most words a numeric column's values may hold and still be read as numbers (the words as missing values). */
export const MAX_NUMERIC_WORDS = 5;

/** An naValues option checked: a list of strings (the empty field is missing whatever it says). */
export function checkNaValues(value: unknown, option = 'naValues'): readonly string[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new BackpropError(`${option}: expected a list of strings that mean "no value", e.g. ['NA', '?'], got ${Array.isArray(value) ? 'a list with other things in it' : typeof value}`, option);
  }
  if (value.length > MAX_NA_VALUES) throw new BackpropError(`${option}: at most ${MAX_NA_VALUES} values, got ${value.length}`, option);
  const long = value.find((v) => v.length > MAX_NA_LENGTH);
  if (long !== undefined) throw new BackpropError(`${option}: "${printable(long, 40)}" is longer than ${MAX_NA_LENGTH} characters`, option);
  return value.map((v) => v.trim());
}

/**
 * The words a model reads as "no value": those it was trained with (`naValues` of its preprocessing; absent, the
 * default list), and the `extra` ones given when it reads (a predict-time --na-values adds to the model's words).
 */
export function modelNaValues(prep: { naValues?: readonly string[] } | null | undefined, extra?: readonly string[]): string[] {
  const own = prep?.naValues ?? DEFAULT_NA_VALUES;
  return extra?.length ? [...new Set([...own, ...extra])] : [...own];
}

/** The words to store in a model trained with `naValues`: none (undefined) where they are the default list. */
export function storedNaValues(naValues: readonly string[] | undefined): string[] | undefined {
  if (naValues === undefined) return undefined;
  const words = [...new Set(naValues.map((w) => w.trim()).filter((w) => w !== ''))];
  const defaults = new Set(DEFAULT_NA_VALUES);
  return words.length === defaults.size && words.every((w) => defaults.has(w)) ? undefined : words;
}

/** Text that reads as a number (trimmed), and text that names one that is not finite. */
export const NUMBER_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
export const NOT_FINITE_TEXT = /^[+-]?(nan|inf|infinity)$/i;

/** A test for "this trimmed text means no value" under a list of tokens. */
export function naTest(naValues: readonly string[] = DEFAULT_NA_VALUES): (trimmed: string) => boolean {
  const set = new Set(naValues);
  return (trimmed) => trimmed === '' || set.has(trimmed);
}

/** The median of the finite values of `values` at `rows` (every row when absent); NaN when none is. */
export function medianOf(values: Float64Array, rows?: ArrayLike<number>): number {
  const count = rows ? rows.length : values.length;
  const present = new Float64Array(count);
  let n = 0;
  for (let i = 0; i < count; i++) {
    const v = values[rows ? rows[i] : i];
    if (v === v) present[n++] = v;
  }
  if (n === 0) return NaN;
  const sorted = present.subarray(0, n).sort();
  return n % 2 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}
