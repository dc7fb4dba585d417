// Class labels to one-hot rows and back, keeping the label names so predictions can be reported by name.
import { BackpropError } from '../core/errors.js';

export type Label = string | number;

/** The distinct labels, sorted (numbers numerically, strings by code point) so the order never depends on row order. */
export function classesOf(labels: readonly Label[]): Label[] {
  const unique = [...new Set(labels)];
  if (unique.some((l) => typeof l === 'number') && unique.some((l) => typeof l === 'string')) {
    throw new BackpropError('labels: mix of numbers and strings; use one kind for class labels');
  }
  return unique.sort((a, b) => (typeof a === 'number' && typeof b === 'number' ? a - b : a < b ? -1 : a > b ? 1 : 0));
}

/** Each label's position in classes. */
export function labelIndices(labels: readonly Label[], classes: readonly Label[]): number[] {
  const index = new Map<Label, number>(classes.map((c, i) => [c, i]));
  return labels.map((l, i) => {
    const k = index.get(l);
    if (k === undefined) throw new BackpropError(`labels row ${i + 1}: unknown class ${JSON.stringify(l)}; the classes are ${classes.map((c) => JSON.stringify(c)).join(', ')}`);
    return k;
  });
}

/** One row per label with a 1 in the label's class column and 0 elsewhere. */
export function oneHot(labels: readonly Label[], classes: readonly Label[]): number[][] {
  return labelIndices(labels, classes).map((k) => Array.from({ length: classes.length }, (_, j) => (j === k ? 1 : 0)));
}
