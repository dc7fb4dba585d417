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
  stratify?: readonly Label[];
}

export interface Split {
  train: number[];
  test: number[];
}

/** Row indices for training and testing, in a seeded random order. */
export function trainTestSplit(rows: number, options: SplitOptions = {}): Split {
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
  const groups = new Map<Label, number[]>();
  for (let i = 0; i < rows; i++) {
    const key = options.stratify ? options.stratify[i] : 0;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = []));
    group.push(i);
  }
  const train: number[] = [], test: number[] = [];
  for (const group of groups.values()) {
    random.shuffle(group);
    const held = Math.round(group.length * fraction);
    // A loop, not push(...rows): spreading a class of a million rows into call arguments overflows the stack.
    for (let i = 0; i < group.length; i++) (i < held ? test : train).push(group[i]);
  }
  if (train.length === 0 || test.length === 0) {
    throw new BackpropError(`testFraction: ${fraction} of ${rows} rows leaves ${train.length === 0 ? 'no training' : 'no test'} rows`, 'testFraction');
  }
  return { train: random.shuffle(train), test: random.shuffle(test) };
}

/** The rows at the given indices. */
export function takeRows<T>(rows: readonly T[], indices: readonly number[]): T[] {
  return indices.map((i) => rows[i]);
}
