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
const MAX_NA_VALUES = 1000;
export const MAX_NA_LENGTH = 100;

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
