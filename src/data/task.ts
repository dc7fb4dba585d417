// Which task a numeric target asks for, read from its values as a person would: labels are few whole numbers that
// lie close together (0/1, 1–5, 0–9) with several rows each; anything else — fractions, many values, whole numbers
// spread over a range (prices, counts of people), or one row per value — is an amount to predict.
import type { Task } from './columns.js';
import { thousands as count } from '../core/errors.js';

/** Most distinct values a numeric target may have and still be read as classes. */
export const MAX_NUMERIC_CLASSES = 20;
/** Fewest rows per distinct value, on average, for numbers to be read as classes. */
export const MIN_ROWS_PER_CLASS = 3;

/** What the rule looks at: the target's present values. */
export interface TargetValues {
  /** Rows with a value. */
  rows: number;
  /** Whether every value is a whole number. */
  whole: boolean;
  /** The distinct values, or null when there are more than MAX_NUMERIC_CLASSES. */
  distinct: readonly number[] | null;
  min: number;
  max: number;
}

export interface TaskChoice {
  task: Task;
  /** Why, in a few words, for the plan line ("3 distinct whole numbers, 0–2, 50 rows each on average"). */
  reason: string;
}

/** The task for a numeric target, and why. */
export function chooseTask(v: TargetValues): TaskChoice {
  if (!v.whole) return { task: 'regression', reason: 'numbers with fractions' };
  if (v.distinct === null) return { task: 'regression', reason: `whole numbers with more than ${MAX_NUMERIC_CLASSES} distinct values` };
  const k = v.distinct.length;
  const perValue = v.rows / Math.max(1, k);
  const range = `${v.min}–${v.max}`;
  if (k <= 2) return { task: 'classification', reason: k === 2 ? 'two distinct values' : 'a single value' };
  if (v.max - v.min + 1 > 2 * k) {
    return { task: 'regression', reason: `${k} distinct whole numbers spread over ${range}: amounts, not labels` };
  }
  if (perValue < MIN_ROWS_PER_CLASS) {
    return { task: 'regression', reason: `${k} distinct whole numbers in ${count(v.rows)} rows, ${+perValue.toFixed(1)} rows per value: too few to learn each as a class` };
  }
  return { task: 'classification', reason: `${k} distinct whole numbers, ${range}, ${+perValue.toFixed(1)} rows each on average: class labels` };
}

/** The values a numeric column gives the rule (NaN, a missing value, is left out). */
export function targetValues(values: Float64Array): TargetValues {
  const seen = new Set<number>();
  let whole = true, rows = 0, min = Infinity, max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== v) continue;
    rows++;
    if (whole && !Number.isInteger(v)) whole = false;
    if (v < min) min = v;
    if (v > max) max = v;
    if (seen.size <= MAX_NUMERIC_CLASSES) seen.add(v);
  }
  return { rows, whole, distinct: seen.size <= MAX_NUMERIC_CLASSES ? [...seen] : null, min, max };
}
