// From a table of text (a parsed CSV file) to typed columns, and from columns to the network's inputs
// and targets. Every message names the source, line, column and what was expected.
import { BackpropError } from '../core/errors.js';
import { classesOf, type Label } from './encoding.js';
import { encodeRecord, type FeatureSpec, type Preprocessing, type TargetSpec } from './preprocessing.js';
import { fitScaler, type ScalerKind } from './scaling.js';

export interface TextTable {
  /** The file name, for messages. */
  source: string;
  header: string[];
  rows: string[][];
  /** The line each row comes from (1-based), for messages. */
  lines: number[];
}

export type Column =
  | { name: string; kind: 'numeric'; values: number[] }
  | { name: string; kind: 'text'; values: string[] };

export type Task = 'classification' | 'regression';

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const NOT_FINITE = /^[+-]?(nan|inf|infinity)$/i;

function where(table: TextTable, i: number, j: number): string {
  return `${table.source}, line ${table.lines[i]}, column ${j + 1} (${table.header[j]})`;
}

/** Reads one cell as a finite number, or explains why it is not one. */
function numberAt(table: TextTable, i: number, j: number): number {
  const cell = table.rows[i][j];
  if (cell === '') throw new BackpropError(`${where(table, i, j)}: missing value; fill it in or remove the row`);
  if (NOT_FINITE.test(cell)) throw new BackpropError(`${where(table, i, j)}: ${cell} is not a finite number; fill in a real value or remove the row`);
  const value = NUMBER.test(cell) ? Number(cell) : NaN;
  if (!Number.isFinite(value)) {
    if (NUMBER.test(cell)) throw new BackpropError(`${where(table, i, j)}: ${cell} is too large to be a finite number`);
    throw new BackpropError(`${where(table, i, j)}: "${cell}" is not a number, though the column's other values are; ` +
      'text columns are one-hot encoded only when the whole column is text');
  }
  return value;
}

/** Types every column: numeric when every value is a number, text when none is; anything else is an error. */
export function columnsOf(table: TextTable): Column[] {
  return table.header.map((name, j): Column => {
    let numbers = 0;
    table.rows.forEach((r, i) => {
      if (r[j] === '') throw new BackpropError(`${where(table, i, j)}: missing value; fill it in or remove the row`);
      if (NUMBER.test(r[j]) || NOT_FINITE.test(r[j])) numbers++;
    });
    if (numbers === 0) return { name, kind: 'text', values: table.rows.map((r) => r[j]) };
    return { name, kind: 'numeric', values: table.rows.map((_, i) => numberAt(table, i, j)) };
  });
}

/** Text targets, and whole numbers with at most 20 distinct values, are classes; other numbers are regression. */
export function inferTask(column: Column): Task {
  if (column.kind === 'text') return 'classification';
  const distinct = new Set(column.values);
  return column.values.every(Number.isInteger) && distinct.size <= 20 ? 'classification' : 'regression';
}

export interface DataDescription {
  features: FeatureSpec[];
  target: TargetSpec;
  /** Each row's class label, for classification. */
  labels: Label[] | null;
}

/** Chooses features and target from a table's columns (the target by name, the last column by default). */
export function describeColumns(table: TextTable, columns: Column[], targetName?: string, task?: Task): DataDescription {
  const name = targetName ?? table.header[table.header.length - 1];
  const t = columns.find((c) => c.name === name);
  if (!t) throw new BackpropError(`${table.source}: no column "${name}" to use as the target; the columns are: ${table.header.join(', ')}`, 'target');
  if (columns.length < 2) throw new BackpropError(`${table.source}: needs at least one feature column besides the target "${name}"`);
  const chosen = task ?? inferTask(t);
  const features = columns.filter((c) => c !== t).map((c): FeatureSpec =>
    c.kind === 'numeric' ? { name: c.name, type: 'numeric' } : { name: c.name, type: 'categorical', categories: classesOf(c.values) as string[] });
  if (chosen === 'regression') {
    if (t.kind === 'text') throw new BackpropError(`${table.source}: the target column "${name}" holds text, so it cannot be a regression target`, 'task');
    return { features, target: { name, task: 'regression' }, labels: null };
  }
  const labels: Label[] = t.values;
  const classes = classesOf(labels);
  if (classes.length < 2) {
    throw new BackpropError(`${table.source}: the target column "${name}" has only one class (${JSON.stringify(classes[0])}); classification needs at least two`, 'target');
  }
  return { features, target: { name, task: 'classification', classes }, labels };
}

/** Fits the scaling of numeric features (and of a regression target) on the training rows. */
export function fitPreprocessing(description: DataDescription, columns: Column[], trainRows: readonly number[], scaler: ScalerKind = 'standard'): Preprocessing {
  const byName = new Map(columns.map((c) => [c.name, c]));
  const numeric = description.features.filter((f) => f.type === 'numeric').map((f) => byName.get(f.name)!.values as number[]);
  const rows = trainRows.map((i) => numeric.map((values) => values[i]));
  let target = description.target;
  if (target.task === 'regression') {
    const values = byName.get(target.name)!.values as number[];
    const s = fitScaler('standard', trainRows.map((i) => [values[i]]));
    if (s.kind === 'standard') target = { ...target, scale: { mean: s.mean[0], std: s.std[0] } };
  }
  return {
    features: description.features,
    scaler: numeric.length > 0 ? fitScaler(scaler, rows) : null,
    target,
  };
}

/** The table's columns that are neither a feature of the model nor its target: encodeInputs leaves them out. */
export function unusedColumns(prep: Preprocessing, table: TextTable): string[] {
  const known = new Set([...prep.features.map((f) => f.name), ...(prep.target ? [prep.target.name] : [])]);
  return table.header.filter((h) => !known.has(h));
}

/** Checks that a table has the model's feature columns (any others are left out) and encodes every row. */
export function encodeInputs(prep: Preprocessing, table: TextTable): number[][] {
  const index = new Map(table.header.map((h, j) => [h, j]));
  const missing = prep.features.filter((f) => !index.has(f.name)).map((f) => f.name);
  if (missing.length) {
    throw new BackpropError(`${table.source}: the columns do not match the model's; missing: ${missing.join(', ')}. ` +
      `The model expects: ${prep.features.map((f) => f.name).join(', ')}`);
  }
  const columns = prep.features.map((f) => index.get(f.name)!);
  return table.rows.map((_, i) => {
    const values = prep.features.map((f, k) => (f.type === 'numeric' ? numberAt(table, i, columns[k]) : table.rows[i][columns[k]]));
    return encodeRecord(prep, values, `${table.source}, line ${table.lines[i]}`);
  });
}

/** The target column as network targets: class indices one-hot (or 0/1 for two classes), or scaled values. */
export function encodeTargets(prep: Preprocessing, table: TextTable): { y: number[][]; classIndex: number[] | null } {
  const target = prep.target;
  if (!target) throw new BackpropError(`${table.source}: the model has no target description, so it cannot be evaluated on labelled data`);
  const j = table.header.indexOf(target.name);
  if (j < 0) throw new BackpropError(`${table.source}: no target column "${target.name}"; the columns are: ${table.header.join(', ')}`);
  if (target.task === 'regression') {
    const { mean, std } = target.scale ?? { mean: 0, std: 1 };
    return { y: table.rows.map((_, i) => [(numberAt(table, i, j) - mean) / std]), classIndex: null };
  }
  const numericClasses = target.classes.every((c) => typeof c === 'number');
  const classIndex = table.rows.map((r, i) => {
    const label: Label = numericClasses ? numberAt(table, i, j) : r[j];
    const k = target.classes.indexOf(label);
    if (k < 0) throw new BackpropError(`${where(table, i, j)}: the class ${JSON.stringify(label)} is not one the model knows; its classes are: ${target.classes.join(', ')}`);
    return k;
  });
  const binary = target.classes.length === 2;
  return {
    y: classIndex.map((k) => (binary ? [k] : target.classes.map((_, c) => (c === k ? 1 : 0)))),
    classIndex,
  };
}
