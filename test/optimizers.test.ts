// Each optimizer's first two steps against values worked out scalar by scalar (test/fixtures/make_fixtures.py),
// penalties and learning-rate schedules against hand arithmetic.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import {
  BackpropError, createOptimizer, fromRows, learningRateAt, referenceKernels, OPTIMIZER_NAMES,
  type OptimizerName, type Parameter,
} from '../src/index.js';

const fixture = JSON.parse(readFileSync(new URL('./fixtures/numpy-reference.json', import.meta.url), 'utf8')).optimizers;

describe.each(OPTIMIZER_NAMES.map((n) => [n] as const))('%s', (name: OptimizerName) => {
  it('takes the two steps worked out by hand', () => {
    const value = fromRows([fixture.w0], 'float64');
    const grad = fromRows([[0, 0]], 'float64');
    const parameters: Parameter[] = [{ layer: 0, kind: 'weights', value, grad }];
    const optimizer = createOptimizer(name);
    fixture.grads.forEach((g: number[], t: number) => {
      grad.data.set(g);
      optimizer.step(referenceKernels, parameters, fixture.learningRate);
      const expected: number[] = fixture.steps[name][t];
      Array.from(value.data).forEach((w, i) => expect(Math.abs(w - expected[i]), `step ${t + 1}, weight ${i}`).toBeLessThan(1e-14));
    });
  });
});

describe('optimizer options', () => {
  it('reject constants out of range, naming them', () => {
    expect(() => createOptimizer({ name: 'momentum', momentum: 1.5 })).toThrow('optimizer.momentum: expected a number in [0, 1), got 1.5');
    expect(() => createOptimizer({ name: 'adam', epsilon: -1 })).toThrow('optimizer.epsilon: expected a positive number, got -1');
    expect(() => createOptimizer('adagrad' as OptimizerName)).toThrow(BackpropError);
    expect(() => createOptimizer('adagrad' as OptimizerName)).toThrow('expected one of: sgd, momentum, nesterov, rmsprop, adam');
  });
});

describe('weight penalties', () => {
  it('add l1·sign(w) + 2·l2·w to the gradient', () => {
    const w = fromRows([[2, -3, 0]], 'float64');
    const g = fromRows([[1, 1, 1]], 'float64');
    referenceKernels.addPenaltyGradient(w, g, 0.1, 0.5);
    expect(Array.from(g.data)).toEqual([1 + 0.1 + 2, 1 - 0.1 - 3, 1]);
    expect(referenceKernels.sumAbs(w)).toBe(5);
  });
});

describe('learning-rate schedules', () => {
  it('step decay halves η every 10 epochs', () => {
    const s = { type: 'step', every: 10, factor: 0.5 } as const;
    expect([0, 9, 10, 25].map((e) => learningRateAt(s, 0.8, e))).toEqual([0.8, 0.8, 0.4, 0.2]);
  });

  it('exponential decay multiplies η by the rate each epoch', () => {
    const s = { type: 'exponential', rate: 0.5 } as const;
    expect([0, 1, 3].map((e) => learningRateAt(s, 1, e))).toEqual([1, 0.5, 0.125]);
  });

  it('a function gets the epoch and η₀, and its answer is checked', () => {
    expect(learningRateAt((e, lr) => lr / (1 + e), 1, 3)).toBe(0.25);
    expect(() => learningRateAt(() => -1, 1, 0)).toThrow('schedule: the function returned -1 for epoch 1; expected a positive number');
  });
});
