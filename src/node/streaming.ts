// Training on files larger than memory. A first pass over the file types its columns and computes what the
// preprocessing needs (means and standard deviations of the training rows, by Welford's method; categories;
// classes) in bounded memory. Then every epoch reads the file again in chunks through a seeded shuffle buffer.
// Validation rows are chosen by a seeded hash of the row number, so the split is the same on every pass and is
// never held whole.
import { BackpropError } from '../core/errors.js';
import { zeros, type Matrix } from '../core/matrix.js';
import { Random } from '../core/random.js';
import type { Task } from '../data/columns.js';
import { classesOf, type Label } from '../data/encoding.js';
import { encodeValue, fitPiecewise, type Piecewise } from '../data/piecewise.js';
import { encodedWidth, scaledInputs, type FeatureSpec, type Preprocessing } from '../data/preprocessing.js';
import type { Batch, BatchSource } from '../train/batches.js';
import { tableChunks, textKind, type DuckReadOptions } from './readers/duckdb.js';

/** Whether row `row` is a validation row: a seeded hash of its number below the validation share. */
export function isValidationRow(row: number, seed: number, fraction: number): boolean {
  if (fraction <= 0) return false;
  return rowHash(row, seed) < fraction;
}

/** Row `row`'s fold of `folds` (bagging): the same seeded hash, cut in equal parts. */
export function foldOf(row: number, seed: number, folds: number): number {
  return Math.min(folds - 1, Math.floor(rowHash(row, seed) * folds));
}

/** Which rows a pass reads: the training rows, or the held-out ones (validation share, or one network's fold). */
export interface RowPart {
  /** Held out: a share (one network), or fold k of `folds` (bagging). */
  held: (row: number) => boolean;
}

/** The part that holds out rows for one network: the validation share, or fold k of a bagged run. */
export function rowPart(seed: number, split: { validation: number } | { folds: number; fold: number }): RowPart {
  return 'folds' in split
    ? { held: (row) => foldOf(row, seed, split.folds) === split.fold }
    : { held: (row) => isValidationRow(row, seed, split.validation) };
}

/** A seeded hash of a row number, uniform in [0, 1). */
function rowHash(row: number, seed: number): number {
  let h = Math.imul(row ^ Math.imul(seed, 0x27d4eb2d), 0x9e3779b1);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}

export interface StreamedData {
  path: string;
  source: string;
  options: DuckReadOptions;
  rows: number;
  trainRows: number;
  validationRows: number;
  prep: Preprocessing;
  validation: number;
  seed: number;
}

/** Welford's running mean and variance: one pass, and as accurate as two. */
class Running {
  n = 0;
  mean = 0;
  m2 = 0;
  add(x: number): void {
    this.n++;
    const d = x - this.mean;
    this.mean += d / this.n;
    this.m2 += d * (x - this.mean);
  }
  get std(): number {
    return Math.sqrt(this.m2 / this.n) || 1;
  }
}

const MAX_CATEGORIES = 100_000;
/** Rows a piecewise-linear encoding's quantiles are taken from, at most (as model/train.ts). */
const PIECEWISE_SAMPLE = 100_000;

/**
 * The first pass: types every column (numeric when every value is a number, text when none is), counts rows and
 * validation rows, and fits the preprocessing on the training rows, as in-memory training would.
 */
export async function scanForTraining(path: string, source: string, options: DuckReadOptions, o: { target?: string; task?: Task; validation: number; seed: number; bins?: number }): Promise<StreamedData> {
  // The rows the piecewise-linear encoding's quantiles come from: a seeded reservoir of training rows (all of
  // them up to PIECEWISE_SAMPLE, as in memory), raw numbers of the numeric columns.
  const reservoir: Float64Array[] = [];
  let reservoirCap = 0, seenTraining = 0;
  const pick = new Random(o.seed * 7919 + 17);
  let names: string[] = [];
  let numeric: boolean[] = [];
  let stats: Running[] = [];
  let categories: Set<string>[] = [];
  let rows = 0, trainRows = 0, validationRows = 0;
  let t = -1;
  // A numeric target's distinct values, while few enough to be classes, and whether all are whole.
  const targetValues = new Set<number>();
  let wholeTarget = true;
  for await (const chunk of tableChunks(path, source, options)) {
    if (rows === 0) {
      names = chunk.opened.described.map((d) => d.column_name);
      numeric = chunk.opened.numeric.slice();
      stats = names.map(() => new Running());
      categories = names.map(() => new Set());
      t = names.indexOf(o.target ?? names[names.length - 1]);
      const numericColumns = numeric.filter(Boolean).length;
      reservoirCap = o.bins ? Math.min(PIECEWISE_SAMPLE, Math.floor(16_000_000 / Math.max(1, numericColumns))) : 0;
    }
    if (t >= 0 && numeric[t]) {
      const values = chunk.columns[t] as Float64Array;
      for (let i = 0; i < chunk.rows; i++) {
        if (wholeTarget && !Number.isInteger(values[i])) wholeTarget = false;
        if (targetValues.size <= MAX_CATEGORIES) targetValues.add(values[i]);
      }
    }
    for (let i = 0; i < chunk.rows; i++) {
      const held = isValidationRow(rows + i, o.seed, o.validation);
      if (held) validationRows++;
      else trainRows++;
      if (!held && reservoirCap > 0) {
        // Algorithm R: row n of the training rows replaces a kept one with probability cap / n.
        const slot = seenTraining < reservoirCap ? seenTraining : pick.int(seenTraining + 1);
        seenTraining++;
        if (slot < reservoirCap) reservoir[slot] = Float64Array.from(chunk.columns.filter((c) => c instanceof Float64Array).map((c) => (c as Float64Array)[i]));
      }
      chunk.columns.forEach((c, j) => {
        if (c instanceof Float64Array) {
          if (!held) stats[j].add(c[i]);
        } else if (categories[j].size <= MAX_CATEGORIES) categories[j].add(c[i]);
      });
    }
    rows += chunk.rows;
  }
  if (rows === 0) throw new BackpropError(`${source}: has a header row but no data rows`);
  // Text by DuckDB's reckoning must be text by backprop's too: a streamed pass cannot turn a column into numbers.
  for (let j = 0; j < names.length; j++) {
    if (numeric[j]) continue;
    if (categories[j].size > MAX_CATEGORIES) continue;
    if (textKind([...categories[j]]) !== 'text') throw new BackpropError(`${source}: column "${names[j]}" holds both numbers and text (or numbers DuckDB could not read as such); text columns are one-hot encoded only when the whole column is text`);
  }
  if (trainRows === 0) throw new BackpropError(`--validation: ${o.validation} of ${rows} rows leaves no training rows`, '--validation');
  if (o.validation > 0 && validationRows === 0) throw new BackpropError(`--validation: ${o.validation} of ${rows} rows leaves no validation rows`, '--validation');

  const targetName = o.target ?? names[names.length - 1];
  if (t < 0) throw new BackpropError(`${source}: no column "${targetName}" to use as the target; the columns are: ${names.join(', ')}`, 'target');
  const features: FeatureSpec[] = [];
  const mean: number[] = [], std: number[] = [];
  names.forEach((name, j) => {
    if (j === t) return;
    if (numeric[j]) {
      features.push({ name, type: 'numeric' });
      mean.push(stats[j].mean);
      std.push(stats[j].std);
      return;
    }
    if (categories[j].size > MAX_CATEGORIES) throw new BackpropError(`${source}: column "${name}" has more than ${MAX_CATEGORIES} distinct values, too many to one-hot encode`);
    features.push({ name, type: 'categorical', categories: classesOf([...categories[j]]) as string[] });
  });
  let task = o.task;
  let classes: Label[] = [];
  if (numeric[t]) {
    // As in memory: whole numbers with at most 20 distinct values are classes.
    task ??= wholeTarget && targetValues.size <= 20 ? 'classification' : 'regression';
    if (task === 'classification') {
      if (targetValues.size > MAX_CATEGORIES) throw new BackpropError(`${source}: the target column "${targetName}" has too many distinct values to be classes; use --task regression`, 'task');
      classes = classesOf([...targetValues]);
    }
  } else {
    if (task === 'regression') throw new BackpropError(`${source}: the target column "${targetName}" holds text, so it cannot be a regression target`, 'task');
    task = 'classification';
    if (categories[t].size > MAX_CATEGORIES) throw new BackpropError(`${source}: the target column "${targetName}" has too many distinct values to be classes`, 'task');
    classes = classesOf([...categories[t]]);
  }
  if (task === 'classification' && classes.length < 2) {
    throw new BackpropError(`${source}: the target column "${targetName}" has only one class (${JSON.stringify(classes[0])}); classification needs at least two`, 'target');
  }
  const prep: Preprocessing = {
    features,
    scaler: mean.length ? { kind: 'standard', mean, std } : null,
    target: task === 'regression'
      ? { name: targetName, task, scale: { mean: stats[t].mean, std: stats[t].std } }
      : { name: targetName, task: 'classification', classes },
  };
  if (o.bins) {
    // The sample scaled as the rows will be, then binned as in memory (model/train.ts withPiecewise).
    const numericNames = names.filter((_, j) => numeric[j]);
    const at = prep.features.filter((f) => f.type === 'numeric').map((f) => numericNames.indexOf(f.name));
    const scaler = prep.scaler as { mean: number[]; std: number[] } | null;
    const width = encodedWidth(prep.features);
    const inputs = scaledInputs(prep.features);
    const x = zeros(reservoir.length, width);
    reservoir.forEach((r, i) => at.forEach((j, n) => { x.data[i * width + inputs[n]] = (r[j] - scaler!.mean[n]) / scaler!.std[n]; }));
    if (inputs.length && reservoir.length) {
      const piecewise = fitPiecewise(x, inputs, o.bins);
      if (piecewise.columns.length) prep.piecewise = piecewise;
    }
  }
  return { path, source, options, rows, trainRows, validationRows, prep, validation: o.validation, seed: o.seed };
}

/** Encodes one chunk's chosen rows into x and y at row `at`. */
function encodeRows(data: StreamedData, columns: (Float64Array | string[])[], names: string[], pick: (i: number) => boolean,
  count: number, x: Matrix, y: Matrix, at: number): number {
  const { prep } = data;
  const target = prep.target!;
  const index = new Map(names.map((n, j) => [n, j]));
  const featureColumns = prep.features.map((f) => columns[index.get(f.name)!]);
  const categoryIndex = prep.features.map((f) => (f.type === 'categorical' ? new Map(f.categories.map((c, k) => [c, k])) : null));
  const targetColumn = columns[index.get(target.name)!];
  const classIndex = target.task === 'classification' ? new Map(target.classes.map((c, k) => [String(c), k])) : null;
  const piecewise = prep.piecewise;
  // With a piecewise-linear encoding each row is encoded into `scaled` first, then binned into x.
  const width = piecewise ? piecewise.inputs : x.cols;
  const scaled = piecewise ? new Float64Array(width) : null;
  let row = at;
  for (let i = 0; i < count; i++) {
    if (!pick(i)) continue;
    let offset = 0, n = 0;
    const out: Float64Array | Float32Array | Float64Array = scaled ?? x.data;
    const base = scaled ? 0 : row * width;
    for (let f = 0; f < prep.features.length; f++) {
      const feature = prep.features[f];
      if (feature.type === 'numeric') {
        const s = prep.scaler as { mean: number[]; std: number[] };
        // Rounded to float32 as an in-memory matrix holds it, so the bins compare the same values.
        out[base + offset] = Math.fround(((featureColumns[f] as Float64Array)[i] - s.mean[n]) / s.std[n]);
        offset++;
        n++;
      } else {
        for (let k = 0; k < feature.categories.length; k++) out[base + offset + k] = 0;
        out[base + offset + categoryIndex[f]!.get((featureColumns[f] as string[])[i])!] = 1;
        offset += feature.categories.length;
      }
    }
    if (scaled) encodeWideRow(piecewise!, scaled, x.data, row * x.cols);
    if (classIndex) {
      const k = classIndex.get(String(targetColumn[i]))!;
      if (y.cols === 1) y.data[row] = k;
      else {
        for (let c = 0; c < y.cols; c++) y.data[row * y.cols + c] = c === k ? 1 : 0;
      }
    } else {
      const scale = (target as { scale: { mean: number; std: number } }).scale;
      y.data[row] = ((targetColumn as Float64Array)[i] - scale.mean) / scale.std;
    }
    row++;
  }
  return row - at;
}

/**
 * Each epoch's training batches: the file is read in chunks into a shuffle buffer of `bufferRows` rows; when the
 * buffer is full its rows are shuffled (seeded, per epoch) and handed out as batches.
 */
export function trainingBatches(data: StreamedData, inputs: number, outputs: number, batchSize: number, bufferRows: number, part: RowPart = rowPart(data.seed, data)): BatchSource {
  const capacity = Math.max(batchSize, Math.floor(bufferRows / batchSize) * batchSize);
  const x = zeros(capacity, inputs), y = zeros(capacity, outputs);
  return async function* (epoch: number): AsyncGenerator<Batch> {
    const random = new Random(data.seed * 1000003 + epoch);
    let filled = 0, seen = 0;
    function* drain(count: number): Generator<Batch> {
      // Fisher–Yates over whole rows, in place.
      for (let i = count - 1; i > 0; i--) {
        const j = random.int(i + 1);
        swapRows(x, i, j);
        swapRows(y, i, j);
      }
      for (let start = 0; start < count; start += batchSize) {
        const end = Math.min(count, start + batchSize);
        yield { x: { rows: end - start, cols: inputs, data: x.data.subarray(start * inputs, end * inputs) }, y: { rows: end - start, cols: outputs, data: y.data.subarray(start * outputs, end * outputs) } };
      }
    }
    for await (const chunk of tableChunks(data.path, data.source, data.options, data.rows)) {
      const names = chunk.opened.described.map((d) => d.column_name);
      let i = 0;
      while (i < chunk.rows) {
        const take = Math.min(chunk.rows - i, capacity - filled);
        const first = seen + i;
        const view = chunk.columns.map((c) => (c instanceof Float64Array ? c.subarray(i, i + take) : c.slice(i, i + take)));
        filled += encodeRows(data, view, names, (r) => !part.held(first + r), take, x, y, filled);
        i += take;
        if (filled === capacity) {
          yield* drain(filled);
          filled = 0;
        }
      }
      seen += chunk.rows;
    }
    if (filled > 0) yield* drain(filled);
  };
}

/** The validation rows, chunk by chunk, as batches: read again at each epoch's end, never held whole. */
export function validationBatches(data: StreamedData, inputs: number, outputs: number, part: RowPart = rowPart(data.seed, data)): () => AsyncIterable<Batch> {
  return async function* (): AsyncGenerator<Batch> {
    let seen = 0;
    for await (const chunk of tableChunks(data.path, data.source, data.options, data.rows)) {
      const names = chunk.opened.described.map((d) => d.column_name);
      const x = zeros(chunk.rows, inputs), y = zeros(chunk.rows, outputs);
      const first = seen;
      const count = encodeRows(data, chunk.columns, names, (r) => part.held(first + r), chunk.rows, x, y, 0);
      seen += chunk.rows;
      if (count > 0) yield { x: { rows: count, cols: inputs, data: x.data.subarray(0, count * inputs) }, y: { rows: count, cols: outputs, data: y.data.subarray(0, count * outputs) } };
    }
  };
}

/** One scaled row binned into O from o (data/piecewise.ts's encoding, written in place). */
function encodeWideRow(p: Piecewise, row: Float64Array, O: Matrix['data'], o: number): void {
  let next = 0;
  for (const c of p.columns) {
    while (next < c.input) O[o++] = row[next++];
    o = encodeValue(row[next++], c.edges, O, o);
  }
  while (next < row.length) O[o++] = row[next++];
}

function swapRows(m: Matrix, i: number, j: number): void {
  if (i === j) return;
  const c = m.cols, d = m.data;
  for (let k = 0; k < c; k++) {
    const t = d[i * c + k];
    d[i * c + k] = d[j * c + k];
    d[j * c + k] = t;
  }
}
