// Seeded train/test splits: the same seed always holds out the same rows. Stratified splits keep each
// class's share of rows the same on both sides, which matters for small or sorted data sets like iris.
import { BackpropError, checkOptions, shown } from '../core/errors.js';
import { Random } from '../core/random.js';
import type { Label } from './encoding.js';

export interface SplitOptions {
  /** The held-out share, in (0, 1). Default 0.2. */
  testFraction?: number;
  /** Default 1. */
  seed?: number;
  /** Class labels, one per row, to split each class in the same proportion. */
  stratify?: ArrayLike<Label>;
}

export interface Split {
  train: number[];
  test: number[];
}

/** Row indices for training and testing, in a seeded random order. */
export function trainTestSplit(rows: number, options: SplitOptions = {}): Split {
  const { train, test } = splitRows(rows, options);
  return { train: Array.from(train), test: Array.from(test) };
}

/** trainTestSplit's rows as typed arrays, for splits of millions of rows. */
export function splitRows(rows: number, options: SplitOptions = {}): { train: Uint32Array; test: Uint32Array } {
  options = checkOptions(options, ['testFraction', 'seed', 'stratify'], 'trainTestSplit options');
  if (!Number.isSafeInteger(rows) || rows < 0) throw new BackpropError(`rows: expected a count of rows, got ${shown(rows)}`, 'rows');
  const fraction = options.testFraction ?? 0.2;
  if (!(typeof fraction === 'number' && fraction > 0 && fraction < 1)) {
    throw new BackpropError(`testFraction: expected a number between 0 and 1, got ${String(fraction)}`, 'testFraction');
  }
  if (options.stratify && options.stratify.length !== rows) {
    throw new BackpropError(`stratify: expected ${rows} labels, one per row, got ${options.stratify.length}`, 'stratify');
  }
  const random = new Random(options.seed ?? 1);
  // Rows by group (class), in typed arrays: a split of millions of rows makes no arrays of boxed numbers but
  // its result. Groups in order of first appearance, rows ascending within each, as the seeds expect.
  const groupIndex = new Map<Label, number>();
  const groupOf = new Uint32Array(rows);
  const sizes: number[] = [];
  for (let i = 0; i < rows; i++) {
    const key = options.stratify ? options.stratify[i] : 0;
    let g = groupIndex.get(key);
    if (g === undefined) {
      g = sizes.push(0) - 1;
      groupIndex.set(key, g);
    }
    groupOf[i] = g;
    sizes[g]++;
  }
  const groups = sizes.map((size) => new Uint32Array(size));
  const filled = new Array<number>(sizes.length).fill(0);
  for (let i = 0; i < rows; i++) groups[groupOf[i]][filled[groupOf[i]]++] = i;
  const held = groups.map((group) => Math.round(group.length * fraction));
  const testCount = held.reduce((a, b) => a + b, 0);
  const trainRows = new Uint32Array(rows - testCount), testRows = new Uint32Array(testCount);
  let t = 0, r = 0;
  groups.forEach((group, g) => {
    random.shuffle(group);
    testRows.set(group.subarray(0, held[g]), t);
    trainRows.set(group.subarray(held[g]), r);
    t += held[g];
    r += group.length - held[g];
  });
  const train = random.shuffle(trainRows), test = random.shuffle(testRows);
  if (train.length === 0 || test.length === 0) {
    throw new BackpropError(`testFraction: ${fraction} of ${rows} rows leaves ${train.length === 0 ? 'no training' : 'no test'} rows`, 'testFraction');
  }
  return { train, test };
}

/** The rows at the given indices. */
export function takeRows<T>(rows: readonly T[], indices: readonly number[]): T[] {
  return indices.map((i) => rows[i]);
}

/**
 * k folds of the rows for cross-validation: disjoint, together every row once, sizes within one of each other, and
 * with `stratify`, each class spread over the folds as evenly as its count allows (its rows shuffled, then dealt
 * round the folds, continuing where the previous class stopped). Answers each fold's rows, ascending.
 */
export function stratifiedFolds(rows: number, folds: number, options: { seed?: number; stratify?: ArrayLike<Label> } = {}): Uint32Array[] {
  options = checkOptions(options, ['seed', 'stratify'], 'stratifiedFolds options');
  if (!Number.isInteger(folds) || folds < 2) throw new BackpropError(`folds: expected an integer of at least 2, got ${shown(folds)}`, 'folds');
  if (folds > rows) throw new BackpropError(`folds: ${folds} folds need at least ${folds} rows; there are ${rows}`, 'folds');
  if (options.stratify && options.stratify.length !== rows) {
    throw new BackpropError(`stratify: expected ${rows} labels, one per row, got ${options.stratify.length}`, 'stratify');
  }
  const random = new Random(options.seed ?? 1);
  const groupIndex = new Map<Label, number>();
  const groups: number[][] = [];
  for (let i = 0; i < rows; i++) {
    const key = options.stratify ? options.stratify[i] : 0;
    let g = groupIndex.get(key);
    if (g === undefined) {
      g = groups.push([]) - 1;
      groupIndex.set(key, g);
    }
    groups[g].push(i);
  }
  const foldOf = new Uint32Array(rows);
  const sizes = new Array<number>(folds).fill(0);
  let next = 0;
  for (const group of groups) {
    for (const row of random.shuffle(group)) {
      foldOf[row] = next;
      sizes[next]++;
      next = (next + 1) % folds;
    }
  }
  const out = sizes.map((size) => new Uint32Array(size));
  const filled = new Array<number>(folds).fill(0);
  for (let i = 0; i < rows; i++) out[foldOf[i]][filled[foldOf[i]]++] = i;
  return out;
}
