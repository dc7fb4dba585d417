// Columnar data: numbers in Float64Arrays, text as integer codes into a dictionary, the network's input matrix
// built once from the columns. No per-row arrays or strings on the way from a reader to the network, so a data
// set needs about its encoded size in memory (rows × inputs × 4 bytes in float32) plus its columns.
import { BackpropError, closestName } from '../core/errors.js';
import { zeros, type DType, type FloatArray, type Matrix } from '../core/matrix.js';
import { classesOf, type Label } from './encoding.js';
import { encodePiecewise } from './piecewise.js';
import { targetColumns, type FeatureSpec, type Preprocessing, type TargetSpec } from './preprocessing.js';
import { checkEncodedSize } from './sizes.js';
import type { Task } from './columns.js';

export type FrameColumn =
  | { readonly name: string; readonly kind: 'numeric'; readonly values: Float64Array }
  /** codes[i] indexes dictionary; the dictionary holds each distinct value once, in any order. */
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
}

export interface FrameDescription {
  features: FeatureSpec[];
  target: TargetSpec;
  /** For classification, each row's class index into target.classes; for stratified splits. */
  classIndex: Int32Array | null;
}

/** Whole numbers with at most this many distinct values are classes. */
const MAX_NUMERIC_CLASSES = 20;

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

/** Each distinct value of a numeric column, up to `limit` (null when there are more), and whether all are whole. */
function distinctNumbers(values: Float64Array, limit: number): { distinct: number[] | null; whole: boolean } {
  const seen = new Set<number>();
  let whole = true;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (whole && !Number.isInteger(v)) whole = false;
    if (seen.size <= limit) seen.add(v);
  }
  return { distinct: seen.size <= limit ? [...seen] : null, whole };
}

/** Text targets, and whole numbers with at most 20 distinct values, are classes; other numbers are regression. */
export function inferFrameTask(c: FrameColumn): Task {
  if (c.kind === 'text') return 'classification';
  const { distinct, whole } = distinctNumbers(c.values, MAX_NUMERIC_CLASSES);
  return whole && distinct !== null ? 'classification' : 'regression';
}

/**
 * Chooses features and target (by name, the last column by default) and, for classification, the classes.
 * Several target names make a multi-output regression: every one numeric, one output each.
 */
export function describeFrame(frame: DataFrame, targetName?: string | readonly string[], task?: Task): FrameDescription {
  const names = frame.columns.map((c) => c.name);
  if (Array.isArray(targetName) && targetName.length > 1) return describeMultiOutput(frame, targetName, task);
  const name = (Array.isArray(targetName) ? targetName[0] : targetName as string | undefined) ?? names[names.length - 1];
  const t = column(frame, name);
  if (!t) {
    const guess = closestName(name, names);
    throw new BackpropError(`${frame.source}: no column "${name}" to use as the target${guess ? `; did you mean "${guess}"?` : ''}; the columns are: ${names.join(', ')}`, 'target');
  }
  if (frame.columns.length < 2) throw new BackpropError(`${frame.source}: needs at least one feature column besides the target "${name}"`);
  const chosen = task ?? inferFrameTask(t);
  const features = frame.columns.filter((c) => c !== t).map((c): FeatureSpec =>
    c.kind === 'numeric' ? { name: c.name, type: 'numeric' } : { name: c.name, type: 'categorical', categories: classesOf(c.dictionary) as string[] });
  if (chosen === 'regression') {
    if (t.kind === 'text') throw new BackpropError(`${frame.source}: the target column "${name}" holds text, so it cannot be a regression target`, 'task');
    return { features, target: { name, task: 'regression' }, classIndex: null };
  }
  let classes: Label[];
  const classIndex = new Int32Array(frame.rows);
  if (t.kind === 'text') {
    classes = classesOf(t.dictionary);
    const position = new Map(classes.map((c, k) => [c, k]));
    const byCode = Int32Array.from(t.dictionary, (d) => position.get(d)!);
    for (let i = 0; i < frame.rows; i++) classIndex[i] = byCode[t.codes[i]];
  } else {
    const { distinct } = distinctNumbers(t.values, 100_000);
    if (distinct === null) throw new BackpropError(`${frame.source}: the target column "${name}" has more than 100000 distinct values, too many to be classes; use --task regression`, 'task');
    classes = classesOf(distinct);
    const position = new Map(classes.map((c, k) => [c as number, k]));
    for (let i = 0; i < frame.rows; i++) classIndex[i] = position.get(t.values[i])!;
  }
  if (classes.length < 2) {
    throw new BackpropError(`${frame.source}: the target column "${name}" has only one class (${JSON.stringify(classes[0])}); classification needs at least two`, 'target');
  }
  return { features, target: { name, task: 'classification', classes }, classIndex };
}

function describeMultiOutput(frame: DataFrame, targets: readonly string[], task?: Task): FrameDescription {
  const names = frame.columns.map((c) => c.name);
  if (task === 'classification') throw new BackpropError('target: several target columns make a multi-output regression, not a classification', 'task');
  const seen = new Set<string>();
  for (const name of targets) {
    const c = column(frame, name);
    if (!c) throw new BackpropError(`${frame.source}: no column "${name}" to use as a target; the columns are: ${names.join(', ')}`, 'target');
    if (seen.has(name)) throw new BackpropError(`target: "${name}" is named twice`, 'target');
    seen.add(name);
    if (c.kind === 'text') throw new BackpropError(`${frame.source}: the target column "${name}" holds text; several targets make a regression, so each must be numeric`, 'task');
  }
  if (frame.columns.length <= targets.length) throw new BackpropError(`${frame.source}: needs at least one feature column besides the targets ${targets.join(', ')}`);
  const features = frame.columns.filter((c) => !seen.has(c.name)).map((c): FeatureSpec =>
    c.kind === 'numeric' ? { name: c.name, type: 'numeric' } : { name: c.name, type: 'categorical', categories: classesOf(c.dictionary) as string[] });
  return { features, target: { name: targets[0], task: 'regression', extra: targets.slice(1).map((name) => ({ name })) }, classIndex: null };
}

/**
 * Mean and population standard deviation over the given rows, two passes, as fitScaler computes them. Values so
 * large that the sum of squares overflows (about ±1e150 and beyond) are refused, naming the column and the line:
 * a spread of Infinity would scale the whole column to 0, or to NaN, without a word.
 */
function standardOver(values: Float64Array, rows: ArrayLike<number>, frame: DataFrame, name: string): { mean: number; std: number } {
  let sum = 0;
  for (let r = 0; r < rows.length; r++) sum += values[rows[r]];
  const mean = sum / rows.length;
  let squares = 0;
  for (let r = 0; r < rows.length; r++) squares += (values[rows[r]] - mean) ** 2;
  if (!Number.isFinite(mean) || !Number.isFinite(squares)) {
    let at = rows[0];
    for (let r = 0; r < rows.length; r++) if (Math.abs(values[rows[r]]) > Math.abs(values[at])) at = rows[r];
    const j = frame.columns.findIndex((c) => c.name === name);
    throw new BackpropError(`${frame.source}, ${frame.where(at)}, column ${j + 1} (${name}): ${values[at]} is too large to standardize: the column's spread `
      + 'overflows 64-bit numbers. Rescale the column (values within about ±1e150 are fine)', name);
  }
  return { mean, std: Math.sqrt(squares / rows.length) || 1 };
}

/** Fits the standard scaling of numeric features (and of a regression target) on the training rows. */
export function fitFramePreprocessing(description: FrameDescription, frame: DataFrame, trainRows: ArrayLike<number>): Preprocessing {
  if (trainRows.length === 0) throw new BackpropError(`${frame.source}: no training rows to fit the scaling on`);
  const numeric = description.features.filter((f) => f.type === 'numeric');
  const mean: number[] = [], std: number[] = [];
  for (const f of numeric) {
    const s = standardOver((column(frame, f.name) as { values: Float64Array }).values, trainRows, frame, f.name);
    mean.push(s.mean);
    std.push(s.std);
  }
  let target = description.target;
  if (target.task === 'regression') {
    const scaleOf = (name: string): { mean: number; std: number } => standardOver((column(frame, name) as { values: Float64Array }).values, trainRows, frame, name);
    target = {
      ...target, scale: scaleOf(target.name),
      ...(target.extra ? { extra: target.extra.map((c) => ({ name: c.name, scale: scaleOf(c.name) })) } : {}),
    };
  }
  return { features: description.features, scaler: numeric.length > 0 ? { kind: 'standard', mean, std } : null, target };
}

/** The frame's columns that are neither a feature of the model nor its target. */
export function unusedFrameColumns(prep: Preprocessing, frame: DataFrame): string[] {
  const known = new Set([...prep.features.map((f) => f.name), ...(prep.target ? targetColumns(prep.target).map((c) => c.name) : [])]);
  return frame.columns.map((c) => c.name).filter((h) => !known.has(h));
}

/**
 * The network's input matrix for every row (or the given rows), built once: numeric features scaled, text
 * features one-hot encoded over the model's categories. Columns the model does not use are left out.
 */
export function encodeFrameInputs(prep: Preprocessing, frame: DataFrame, dtype: DType = 'float32', rows?: ArrayLike<number>,
  make: (rows: number, cols: number) => Matrix = (r, c) => zeros(r, c, dtype)): Matrix {
  const missing = prep.features.filter((f) => !column(frame, f.name)).map((f) => f.name);
  if (missing.length) {
    throw new BackpropError(`${frame.source}: the columns do not match the model's; missing: ${missing.join(', ')}. ` +
      `The model expects: ${prep.features.map((f) => f.name).join(', ')}`);
  }
  const count = rows ? rows.length : frame.rows;
  checkEncodedSize(prep.features, count, dtype === 'float64' ? 8 : 4, frame.source);
  const width = prep.features.reduce((n, f) => n + (f.type === 'numeric' ? 1 : f.categories.length), 0);
  // With a piecewise-linear encoding the scaled vector is a step on the way, made in ordinary memory.
  const x = prep.piecewise ? zeros(count, width, dtype) : make(count, width);
  const X = x.data;
  let offset = 0, n = 0;
  for (const f of prep.features) {
    const c = column(frame, f.name)!;
    if (f.type === 'numeric') {
      if (c.kind !== 'numeric') throw new BackpropError(`${frame.source}: column "${f.name}" holds text, but the model expects numbers there`);
      const scaler = prep.scaler;
      const shift = scaler ? (scaler.kind === 'standard' ? scaler.mean[n] : scaler.min[n]) : 0;
      const scale = scaler ? (scaler.kind === 'standard' ? scaler.std[n] : scaler.max[n] - scaler.min[n] || 1) : 1;
      scaleInto(X, width, offset, c.values, rows, count, shift, scale);
      offset++;
      n++;
      continue;
    }
    // Text: each code of the column's dictionary maps to one of the model's categories (or to none: an error).
    const categories = new Map(f.categories.map((v, k) => [v, k]));
    let byCode: Int32Array;
    if (c.kind === 'text') byCode = Int32Array.from(c.dictionary, (d) => categories.get(d) ?? -1);
    else throw new BackpropError(`${frame.source}: column "${f.name}" holds numbers, but the model expects text there (${f.categories.slice(0, 5).join(', ')}${f.categories.length > 5 ? ', …' : ''})`);
    const unknown = oneHotInto(X, width, offset, byCode, c.codes, rows, count);
    if (unknown >= 0) {
      const row = rows ? rows[unknown] : unknown;
      throw new BackpropError(`${frame.source}, ${frame.where(row)}: column "${f.name}" has the value ${JSON.stringify(c.dictionary[c.codes[row]])}, which the model never saw; known values: ${f.categories.join(', ')}`);
    }
    offset += f.categories.length;
  }
  return prep.piecewise ? encodePiecewise(prep.piecewise, x, make) : x;
}

// The loops of encodeFrameInputs, each in a function of its own: small and of few types, they are compiled once,
// where inside the larger function they were compiled and thrown away column after column.

/** Column `offset` of X (rows of `width`) from `values` (at `rows`, or in order), scaled: (v − shift) / scale. */
function scaleInto(X: FloatArray, width: number, offset: number, values: Float64Array, rows: ArrayLike<number> | undefined, count: number, shift: number, scale: number): void {
  if (rows) for (let i = 0; i < count; i++) X[i * width + offset] = (values[rows[i]] - shift) / scale;
  else for (let i = 0; i < count; i++) X[i * width + offset] = (values[i] - shift) / scale;
}

/** A 1 in X for each row's category (`byCode` of its code) from column `offset`; answers the first row (its index i) whose code has no category, or -1. */
function oneHotInto(X: FloatArray, width: number, offset: number, byCode: Int32Array, codes: Uint32Array, rows: ArrayLike<number> | undefined, count: number): number {
  for (let i = 0; i < count; i++) {
    const k = byCode[codes[rows ? rows[i] : i]];
    if (k < 0) return i;
    X[i * width + offset + k] = 1;
  }
  return -1;
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
      for (let i = 0; i < count; i++) y.data[i * k + j] = (col.values[rows ? rows[i] : i] - mean) / std;
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
    let value: Label = label(row);
    if (numericClasses && typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) value = Number(value);
    const k = position.get(value);
    if (k === undefined) {
      throw new BackpropError(`${frame.source}, ${frame.where(row)}, column ${frame.columns.indexOf(t) + 1} (${target.name}): the class ${JSON.stringify(value)} is not one the model knows; its classes are: ${classes.join(', ')}`);
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
