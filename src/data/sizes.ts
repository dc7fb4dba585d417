// How large a table may grow once encoded, checked before the matrix is made: one-hot encoding makes a column of k
// distinct values k inputs, so a text column of identifiers turns a 400 KB file into gigabytes. A table that would
// pass the bound is refused in one line that names the column making it wide.
import { BackpropError, printable } from '../core/errors.js';
import type { FeatureSpec } from './preprocessing.js';

/**
 * Most bytes one encoded input matrix may take: 2 GiB, the command line's largest default memory budget. What passes
 * it is no table this library trains well in memory (stream it from a file instead, in passes).
 */
export const MAX_ENCODED_BYTES = 2 ** 31;

function gigabytes(bytes: number): string {
  return `${+(bytes / 1e9).toFixed(1)} GB`;
}

/**
 * Refuses an encoding of `rows` rows over `features` whose matrix would pass MAX_ENCODED_BYTES (at `bytesPerValue`
 * bytes a value), or whose first layer (`layer`: its units, and the most weights a layer may have) would be too
 * large; the message names the widest text column when one-hot encoding is what makes it wide. Arithmetic in
 * floating point: no product here wraps.
 */
export function checkEncodedSize(features: readonly FeatureSpec[], rows: number, bytesPerValue: number, source: string,
  layer: { units: number; maxWeights: number } = { units: 0, maxWeights: Infinity }): void {
  let width = 0;
  let widest: Extract<FeatureSpec, { type: 'categorical' }> | null = null;
  for (const f of features) {
    if (f.type === 'numeric') width += 1;
    else {
      width += f.categories.length;
      if (!widest || f.categories.length > widest.categories.length) widest = f;
    }
  }
  const bytes = rows * width * bytesPerValue;
  const weights = layer.units * width;
  if (bytes <= MAX_ENCODED_BYTES && weights <= layer.maxWeights) return;
  const what = bytes > MAX_ENCODED_BYTES
    ? `${rows} rows would take ${gigabytes(bytes)} encoded, more than the ${gigabytes(MAX_ENCODED_BYTES)} a table may take in memory`
    : `a first layer of ${layer.units} units would need ${weights} weights, more than the ${layer.maxWeights} of the largest layer`;
  // One-hot encoding is the cause when a text column's categories are most of the width.
  if (widest && widest.categories.length * 2 > width) {
    throw new BackpropError(`${source}: column "${printable(widest.name)}" has ${widest.categories.length} distinct values, an input each once one-hot encoded (${width} inputs in all): ` +
      `${what}; leave the column out (an identifier, or free text, is no category) or group its rare values`, widest.name);
  }
  throw new BackpropError(`${source}: the features encode to ${width} inputs: ${what}; ` +
    `${bytes > MAX_ENCODED_BYTES ? 'read the rows in parts (the command line\'s --stream), or use fewer rows or columns' : 'use fewer columns or fewer units'}`, 'data');
}
