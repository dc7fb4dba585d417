import { BackpropError } from './errors.js';

// Dense row-major matrices: the one data structure every kernel reads and writes.
// A vector is a matrix with one row, so a bias and a batch of one share the same code.

export type DType = 'float32' | 'float64';
export type FloatArray = Float32Array | Float64Array;

export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  /** Element (i, j) lives at data[i * cols + j]. */
  readonly data: FloatArray;
}

export const DTYPES: readonly DType[] = ['float32', 'float64'];

/** The largest finite float32. */
export const FLOAT32_MAX = 3.4028234663852886e38;

/** Whether a value is a number that stays finite when stored in the dtype (1e308 is finite, but not as a float32). */
export function finiteIn(value: unknown, dtype: DType): value is number {
  return typeof value === 'number' && Number.isFinite(dtype === 'float32' ? Math.fround(value) : value);
}

export function allocate(length: number, dtype: DType): FloatArray {
  return dtype === 'float64' ? new Float64Array(length) : new Float32Array(length);
}

export function zeros(rows: number, cols: number, dtype: DType = 'float32'): Matrix {
  return { rows, cols, data: allocate(rows * cols, dtype) };
}

export function dtypeOf(m: Matrix): DType {
  return m.data instanceof Float64Array ? 'float64' : 'float32';
}

/** Copies nested arrays into a new matrix; every row must have the same length. */
export function fromRows(values: readonly (readonly number[])[], dtype: DType = 'float32'): Matrix {
  const rows = values.length;
  const cols = rows === 0 ? 0 : values[0].length;
  const m = zeros(rows, cols, dtype);
  for (let i = 0; i < rows; i++) {
    const row = values[i];
    if (!row || typeof row.length !== 'number' || row.length !== cols) {
      throw new BackpropError(`rows[${i}]: has ${row?.length ?? 'no'} values, expected ${cols} like rows[0]`, `rows[${i}]`);
    }
    m.data.set(row, i * cols);
  }
  return m;
}

/** A one-row matrix holding the given values. */
export function rowVector(values: ArrayLike<number>, dtype: DType = 'float32'): Matrix {
  const m = zeros(1, values.length, dtype);
  m.data.set(values);
  return m;
}

export function toRows(m: Matrix): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < m.rows; i++) out.push(Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols)));
  return out;
}

export function row(m: Matrix, i: number): number[] {
  return Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols));
}

export function get(m: Matrix, i: number, j: number): number {
  return m.data[i * m.cols + j];
}

export function clone(m: Matrix, dtype: DType = dtypeOf(m)): Matrix {
  const c = zeros(m.rows, m.cols, dtype);
  c.data.set(m.data);
  return c;
}

/** A view of rows [start, end) that shares storage with m. */
export function rowSlice(m: Matrix, start: number, end: number): Matrix {
  return { rows: end - start, cols: m.cols, data: m.data.subarray(start * m.cols, end * m.cols) };
}

export function sameShape(a: Matrix, b: Matrix): boolean {
  return a.rows === b.rows && a.cols === b.cols;
}
