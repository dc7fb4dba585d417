// Metrics against values counted by hand.
import { describe, expect, it } from 'vitest';
import { accuracy, classScores, confusionMatrix, fromRows, regressionScores } from '../src/index.js';

describe('classification metrics', () => {
  it('accuracy from one-hot targets and softmax outputs, and from single sigmoid outputs', () => {
    const y = fromRows([[1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 1, 0]]);
    const p = fromRows([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6], [0.2, 0.2, 0.6], [0.3, 0.4, 0.3]]);
    expect(accuracy(y, p)).toBe(0.75);
    expect(accuracy(fromRows([[1], [0], [1]]), fromRows([[0.9], [0.6], [0.51]]))).toBeCloseTo(2 / 3, 15);
  });

  it('confusion matrix, precision, recall and F1 per class', () => {
    const truth = [0, 0, 0, 1, 1, 2];
    const predicted = [0, 0, 1, 1, 2, 2];
    const m = confusionMatrix(truth, predicted, 3);
    expect(m).toEqual([[2, 1, 0], [0, 1, 1], [0, 0, 1]]);
    const scores = classScores(m);
    expect(scores[0]).toEqual({ precision: 1, recall: 2 / 3, f1: 0.8, support: 3 });
    expect(scores[1]).toEqual({ precision: 0.5, recall: 0.5, f1: 0.5, support: 2 });
    expect(scores[2].precision).toBe(0.5);
    expect(scores[2].recall).toBe(1);
    expect(scores[2].f1).toBeCloseTo(2 / 3, 15);
  });
});

describe('regression metrics', () => {
  it('MSE, MAE and R²', () => {
    const y = fromRows([[1], [2], [3], [4]], 'float64');
    const p = fromRows([[1], [2], [4], [2]], 'float64');
    // residuals 0, 0, −1, 2; Σ(y − ȳ)² = 5
    expect(regressionScores(y, p)).toEqual({ mse: 5 / 4, mae: 3 / 4, r2: 1 - 5 / 5 });
    expect(regressionScores(y, y).r2).toBe(1);
  });
});
