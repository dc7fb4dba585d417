// Turns what a user passes (a Matrix, nested arrays, one example as a flat array) into a checked Matrix,
// with errors that say which layer expected how many values and what it got.
import { BackpropError, shown } from '../core/errors.js';
import { dtypeOf, zeros, type DType, type Matrix } from '../core/matrix.js';

/** A batch: a Matrix, or one array of numbers per example. */
export type BatchInput = Matrix | readonly (readonly number[])[];

function isMatrix(x: unknown): x is Matrix {
  return typeof x === 'object' && x !== null && 'data' in x && 'rows' in x && 'cols' in x;
}

/**
 * Checks and converts a batch. `expect` is the number of values each example must have, and
 * `mismatch(got)` words the error when they differ.
 */
export function toBatch(x: BatchInput, expect: number, dtype: DType, what: string, mismatch: (got: number) => string): Matrix {
  if (isMatrix(x)) {
    if (x.data.length !== x.rows * x.cols) {
      throw new BackpropError(`${what}: matrix of ${x.rows}×${x.cols} holds ${x.data.length} values`);
    }
    if (x.cols !== expect) throw new BackpropError(mismatch(x.cols));
    if (dtypeOf(x) === dtype) return x;
    const m = zeros(x.rows, x.cols, dtype);
    m.data.set(x.data);
    return m;
  }
  if (!Array.isArray(x)) throw new BackpropError(`${what}: expected a Matrix or an array of rows of numbers`);
  if (x.length === 0) throw new BackpropError(`${what}: expected at least one example, got none`);
  const m = zeros(x.length, expect, dtype);
  for (let i = 0; i < x.length; i++) {
    const values = x[i];
    if (!Array.isArray(values)) throw new BackpropError(`${what} row ${i + 1}: expected an array of numbers`);
    if (values.length !== expect) throw new BackpropError(`${what} row ${i + 1}: ${mismatch(values.length)}`);
    for (let j = 0; j < expect; j++) {
      const v = values[j];
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        throw new BackpropError(`${what} row ${i + 1}, column ${j + 1}: expected a finite number, got ${shown(v)}`);
      }
      m.data[i * expect + j] = v;
    }
  }
  return m;
}

/** Wraps one example given as a flat array into a one-row batch. */
export function toExample(x: readonly number[], expect: number, dtype: DType, what: string, mismatch: (got: number) => string): Matrix {
  if (!Array.isArray(x)) throw new BackpropError(`${what}: expected an array of numbers`);
  return toBatch([x], expect, dtype, what, mismatch);
}
