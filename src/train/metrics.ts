// Metrics for judging a model: accuracy, the confusion matrix and per-class precision/recall/F1
// for classification; MSE, MAE and R² for regression.
import { BackpropError } from '../core/errors.js';
import type { Matrix } from '../core/matrix.js';

/**
 * The class each row stands for: the index of the largest value when there are several outputs
 * (one-hot targets, softmax outputs), or 1 when a single output exceeds 0.5 (sigmoid), else 0.
 */
export function classOf(m: Matrix, i: number): number {
  const { cols, data } = m;
  const base = i * cols;
  if (cols === 1) return data[base] > 0.5 ? 1 : 0;
  let best = 0;
  for (let j = 1; j < cols; j++) if (data[base + j] > data[base + best]) best = j;
  return best;
}

export function classesOf(m: Matrix): number[] {
  return Array.from({ length: m.rows }, (_, i) => classOf(m, i));
}

function checkPair(yTrue: Matrix, yPred: Matrix): void {
  if (yTrue.rows !== yPred.rows || yTrue.cols !== yPred.cols) {
    throw new BackpropError(`metrics: targets are ${yTrue.rows}×${yTrue.cols} but predictions are ${yPred.rows}×${yPred.cols}`);
  }
}

/** The fraction of rows whose predicted class is the target's class. */
export function accuracy(yTrue: Matrix, yPred: Matrix): number {
  checkPair(yTrue, yPred);
  let correct = 0;
  for (let i = 0; i < yTrue.rows; i++) if (classOf(yTrue, i) === classOf(yPred, i)) correct++;
  return correct / yTrue.rows;
}

/** counts[t][p]: how many rows of true class t were predicted as class p. */
export function confusionMatrix(trueClasses: readonly number[], predictedClasses: readonly number[], classes: number): number[][] {
  const counts = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  trueClasses.forEach((t, i) => counts[t][predictedClasses[i]]++);
  return counts;
}

export interface ClassScores {
  /** Of the rows predicted as this class, the fraction that are: tp / (tp + fp). */
  precision: number;
  /** Of the rows of this class, the fraction found: tp / (tp + fn). */
  recall: number;
  /** The harmonic mean 2pr / (p + r). */
  f1: number;
  /** Rows of this class. */
  support: number;
}

/** Precision, recall and F1 per class from a confusion matrix; 0 where a ratio has nothing to divide. */
export function classScores(confusion: readonly (readonly number[])[]): ClassScores[] {
  return confusion.map((row, c) => {
    const tp = row[c];
    const support = row.reduce((s, v) => s + v, 0);
    const predicted = confusion.reduce((s, r) => s + r[c], 0);
    const precision = predicted === 0 ? 0 : tp / predicted;
    const recall = support === 0 ? 0 : tp / support;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    return { precision, recall, f1, support };
  });
}

export interface RegressionScores {
  /** Mean of (y − ŷ)² over every output value. */
  mse: number;
  /** Mean of |y − ŷ|. */
  mae: number;
  /**
   * 1 − Σ(y − ŷ)² / Σ(y − ȳ)², per output column, averaged over columns. Undefined (NaN) for a column whose
   * target is constant, where Σ(y − ȳ)² is 0; the average is over the columns where it is defined.
   */
  r2: number;
}

export function regressionScores(yTrue: Matrix, yPred: Matrix): RegressionScores {
  checkPair(yTrue, yPred);
  const { rows, cols } = yTrue;
  const Y = yTrue.data, P = yPred.data;
  let se = 0, ae = 0, r2 = 0, defined = 0;
  for (let j = 0; j < cols; j++) {
    let mean = 0;
    for (let i = 0; i < rows; i++) mean += Y[i * cols + j];
    mean /= rows;
    let residual = 0, total = 0;
    for (let i = 0; i < rows; i++) {
      const d = Y[i * cols + j] - P[i * cols + j];
      residual += d * d;
      ae += Math.abs(d);
      total += (Y[i * cols + j] - mean) ** 2;
    }
    se += residual;
    if (total > 0) {
      r2 += 1 - residual / total;
      defined++;
    }
  }
  return { mse: se / (rows * cols), mae: ae / (rows * cols), r2: defined > 0 ? r2 / defined : NaN };
}
