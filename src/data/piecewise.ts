// Piecewise-linear encoding of numeric inputs (Gorishniy, Rubachev and Babenko, NeurIPS 2022, "On Embeddings for
// Numerical Features in Tabular Deep Learning"): a scaled number becomes T values, one per bin between quantiles of
// the training rows, so that the first layer can give each range of a column its own slope; the scaled value itself
// stays beside its bins, so that a straight line costs the network nothing. Fitted once on the training rows, it
// travels in the model file with the scaling, and every consumer applies it the same way.
import { BackpropError } from '../core/errors.js';
import type { FloatArray, Matrix } from '../core/matrix.js';

/**
 * Input `input` of the scaled vector, encoded over the bins [edges[t−1], edges[t]]: value t is
 * (x − edges[t−1]) / (edges[t] − edges[t−1]) clipped to [0, 1], except that the first bin is not clipped below and
 * the last not above (values outside the training range go on in a straight line).
 */
export interface PiecewiseColumn {
  input: number;
  edges: number[];
}

/**
 * The encoding of a scaled vector of `inputs` values: the listed inputs (in increasing order) expanded, the others
 * passed through. value: each expanded input keeps its scaled value too, just before its bins.
 */
export interface Piecewise {
  inputs: number;
  columns: PiecewiseColumn[];
  value?: boolean;
}

/** Bins per numeric column in the default rule, and the most encoded values all columns may give together. */
export const DEFAULT_BINS = 16;
export const MAX_PIECEWISE_WIDTH = 1024;
/**
 * Bytes the binned training rows may take (float32) for the default to bin them: beyond, the scaled values go in as
 * they are. 16 bins multiply a numeric column's inputs by up to 17, so 2.4 million rows of 9 numbers took 1.5 GB
 * binned (3.4 GB at the peak of a run) against 87 MB unbinned.
 */
export const MAX_PIECEWISE_BYTES = 2 ** 28;

/** Inputs the encoding gives: T per expanded input (T = edges − 1, and one more with its value), one per other input. */
export function piecewiseWidth(p: Piecewise): number {
  return p.inputs + p.columns.reduce((w, c) => w + c.edges.length - 2 + (p.value ? 1 : 0), 0);
}

/** How the default rule fits an encoding: the scaled value kept beside its bins, the bins bounded by the rows. */
export interface PiecewiseFit {
  /** Training rows behind the fit: a column gets at most trainingRows / (inputs binned) bins. */
  trainingRows?: number;
  value?: boolean;
}

/**
 * The default rule's fit for this many training rows (bench/defaults-lab.mjs, second round: the value beside its
 * bins and the bins bounded by the rows took the tuning part's small tables from 0.8785 to 0.8796, ionosphere
 * 0.899 → 0.941, vehicle 0.778 → 0.792, Boston 0.866 → 0.877, at half the time where the bins were many).
 */
export function defaultFit(trainingRows: number): PiecewiseFit {
  return { trainingRows, value: true };
}

/**
 * Whether a bin from edge a to edge b is wide enough to encode. The first and last bins reach linearly past their
 * edges, a value's share growing as 1/(b − a): a bin narrower than the spacing of doubles near 1 (2⁻⁵² times the
 * edges' size, at least 1) would make a scaled value one unit away encode to 10¹⁶ or more, and a file's edges
 * 1e-300 apart every value to an overflow. fitPiecewise merges such edges; a model file that has them is refused.
 */
export function wideEnough(a: number, b: number): boolean {
  return b - a >= 2 ** -52 * Math.max(1, Math.abs(a), Math.abs(b));
}

/**
 * Bins for each of the given inputs of x (the scaled training rows, or the given rows of them): edges at the
 * quantiles 0, 1/T, …, 1 of its values, repeated edges (and those closer than wideEnough allows) merged; a column with fewer than three distinct edges (a
 * constant or a yes/no) passes through as it is. T is `bins`, fewer where the columns are many, so that the
 * encoding stays within MAX_PIECEWISE_WIDTH values, and fewer where the rows are few (given fit.trainingRows, at
 * most trainingRows / candidates bins a column, so that all the bins together never outnumber the rows); at least 2
 * bins a column, none at all below that. fit.value keeps each binned input's value beside its bins.
 */
export function fitPiecewise(x: Matrix, candidates: readonly number[], bins = DEFAULT_BINS, rows?: ArrayLike<number>, fit: PiecewiseFit = {}): Piecewise {
  const k = Math.max(1, candidates.length);
  const per = Math.min(bins, Math.floor((MAX_PIECEWISE_WIDTH - (x.cols - candidates.length)) / k) - (fit.value ? 1 : 0),
    fit.trainingRows === undefined ? Infinity : Math.floor(fit.trainingRows / k));
  const columns: PiecewiseColumn[] = [];
  if (per >= 2) {
    const count = rows ? rows.length : x.rows;
    const values = new Float64Array(count);
    for (const input of [...candidates].sort((a, b) => a - b)) {
      for (let i = 0; i < count; i++) values[i] = x.data[(rows ? rows[i] : i) * x.cols + input];
      values.sort();
      const edges: number[] = [];
      for (let t = 0; t <= per; t++) {
        // The edge is a value of the column, so bins stay comparable.
        const e = values[Math.round((t / per) * (count - 1))];
        if (edges.length === 0 || wideEnough(edges[edges.length - 1], e)) edges.push(e);
      }
      if (edges.length >= 3) columns.push({ input, edges });
    }
  }
  return { inputs: x.cols, columns, ...(fit.value && columns.length ? { value: true } : {}) };
}

/**
 * Where each input of the unbinned vector sits in the encoding: an input passed through at its own slot, a binned
 * one at its value's (which only an encoding that keeps the values has). A network that reads the unbinned vector
 * reads these inputs of the encoding (nn/ensemble.ts).
 */
export function valueSlots(p: Piecewise): number[] {
  if (p.columns.length && !p.value) throw new BackpropError('piecewise encoding: its binned inputs keep no value of their own');
  const slots: number[] = [];
  let o = 0, next = 0;
  for (const c of p.columns) {
    while (next < c.input) (slots.push(o++), next++);
    slots.push(o);
    // The value, then its edges.length − 1 bins.
    o += c.edges.length;
    next++;
  }
  while (next < p.inputs) (slots.push(o++), next++);
  return slots;
}

/** x (rows of p.inputs scaled values) encoded: a new matrix of piecewiseWidth(p) columns, made by `make`. */
export function encodePiecewise(p: Piecewise, x: Matrix, make: (rows: number, cols: number) => Matrix): Matrix {
  if (x.cols !== p.inputs) throw new BackpropError(`piecewise encoding: expected ${p.inputs} inputs per row, got ${x.cols}`);
  const width = piecewiseWidth(p);
  const out = make(x.rows, width);
  const X = x.data, O = out.data;
  for (let r = 0; r < x.rows; r++) {
    let o = r * width, next = 0;
    const from = r * x.cols;
    for (const c of p.columns) {
      while (next < c.input) O[o++] = X[from + next++];
      o = encodeValue(X[from + next++], c.edges, O, o, p.value);
    }
    while (next < x.cols) O[o++] = X[from + next++];
  }
  return out;
}

/** One value's bins (after the value itself, where kept) written into O from o; answers the position after them. */
export function encodeValue(v: number, edges: readonly number[], O: FloatArray | number[], o: number, value = false): number {
  const T = edges.length - 1;
  if (value) O[o++] = v;
  for (let t = 1; t <= T; t++) {
    let z = (v - edges[t - 1]) / (edges[t] - edges[t - 1]);
    if (t > 1 && z < 0) z = 0;
    if (t < T && z > 1) z = 1;
    O[o++] = z;
  }
  return o;
}

/** One scaled record (a plain array) encoded. */
export function encodePiecewiseRow(p: Piecewise, row: readonly number[]): number[] {
  const out: number[] = [];
  let next = 0;
  for (const c of p.columns) {
    while (next < c.input) out.push(row[next++]);
    encodeValue(row[next++], c.edges, out, out.length, p.value);
  }
  while (next < row.length) out.push(row[next++]);
  return out;
}
