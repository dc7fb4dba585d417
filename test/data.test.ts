// Data preparation: scaling fitted on training rows only, one-hot labels with names, seeded splits.
import { describe, expect, it } from 'vitest';
import {
  applyScaler, classesOf, encodeRecord, fitScaler, labelIndices, oneHot, prepareClassification, takeRows, trainTestSplit, type Preprocessing,
} from '../src/index.js';
import { loadBuiltin } from '../src/node/index.js';

describe('scaling', () => {
  const train = [[1, 10, 5], [3, 30, 5]];
  it('standardizes with the training mean and (population) standard deviation', () => {
    const s = fitScaler('standard', train);
    expect(s).toEqual({ kind: 'standard', mean: [2, 20, 5], std: [1, 10, 1] });
    expect(applyScaler(s, [[2, 40, 7]])).toEqual([[0, 2, 2]]);
  });

  it('min-max scales to [0, 1] over the training range, leaving new data outside it alone', () => {
    const s = fitScaler('minmax', train);
    expect(applyScaler(s, [[2, 20, 5], [5, 0, 6]])).toEqual([[0.5, 0.5, 0], [2, -0.5, 1]]);
  });

  it('rejects rows of another width', () => {
    expect(() => applyScaler(fitScaler('standard', train), [[1, 2]])).toThrow('row 1 has 2 values, but the scaler was fitted on 3');
  });
});

describe('class labels', () => {
  it('sorts classes and one-hot encodes strings and numbers', () => {
    expect(classesOf(['b', 'a', 'c', 'a'])).toEqual(['a', 'b', 'c']);
    expect(classesOf([10, 2, 1])).toEqual([1, 2, 10]);
    expect(oneHot(['b', 'a'], ['a', 'b', 'c'])).toEqual([[0, 1, 0], [1, 0, 0]]);
    expect(labelIndices([10, 1], [1, 2, 10])).toEqual([2, 0]);
    expect(() => oneHot(['d'], ['a', 'b'])).toThrow('labels row 1: unknown class "d"; the classes are "a", "b"');
  });
});

describe('train/test split', () => {
  const iris = loadBuiltin('iris');

  it('holds out 20%, stratified: 10 of each iris species', () => {
    const split = trainTestSplit(150, { testFraction: 0.2, seed: 1, stratify: iris.labels });
    expect(split.test).toHaveLength(30);
    expect(split.train).toHaveLength(120);
    expect(new Set([...split.train, ...split.test]).size).toBe(150);
    for (const species of ['setosa', 'versicolor', 'virginica']) {
      expect(takeRows(iris.labels, split.test).filter((l) => l === species)).toHaveLength(10);
    }
  });

  it('is the same for the same seed and differs for another', () => {
    const a = trainTestSplit(100, { seed: 4 });
    expect(trainTestSplit(100, { seed: 4 })).toEqual(a);
    expect(trainTestSplit(100, { seed: 5 }).test).not.toEqual(a.test);
  });

  it('refuses splits that leave a side empty', () => {
    expect(() => trainTestSplit(2, { testFraction: 0.1 })).toThrow('leaves no test rows');
    expect(() => trainTestSplit(10, { testFraction: 1 })).toThrow('testFraction: expected a number between 0 and 1, got 1');
  });
});

describe('records to input vectors', () => {
  const prep: Preprocessing = {
    features: [{ name: 'size', type: 'numeric' }, { name: 'colour', type: 'categorical', categories: ['blue', 'red'] }, { name: 'age', type: 'numeric' }],
    scaler: { kind: 'standard', mean: [10, 1], std: [2, 4] },
    target: null,
  };
  it('scales numbers and one-hot encodes text', () => {
    expect(encodeRecord(prep, [12, 'red', 9])).toEqual([1, 0, 1, 2]);
  });
  it('names an unseen category and lists the known ones', () => {
    expect(() => encodeRecord(prep, [12, 'green', 9], 'line 3')).toThrow('line 3, column "colour": the value "green", which the model never saw; known values: blue, red');
  });
  it('fills a missing value as the feature says: its fill and indicator, a level of its own; without a fill, an error', () => {
    const filling: Preprocessing = {
      features: [{ name: 'size', type: 'numeric', fill: 14, indicator: true }, { name: 'colour', type: 'categorical', categories: ['blue', 'red'], missing: true }, { name: 'age', type: 'numeric', fill: 5 }],
      scaler: { kind: 'standard', mean: [10, 1], std: [2, 4] },
      target: null,
    };
    // size: (14 − 10)/2 = 2 and its indicator 1; colour: the third input, its missing level; age: (5 − 1)/4 = 1.
    expect(encodeRecord(filling, [null, '', undefined])).toEqual([2, 1, 0, 0, 1, 1]);
    expect(encodeRecord(filling, [12, 'red', 9])).toEqual([1, 0, 0, 1, 0, 2]);
    expect(() => encodeRecord(prep, [null, 'red', 9], 'line 4')).toThrow('line 4, column "size": missing value; this model was trained to refuse them');
  });
});

describe('built-in data sets', () => {
  it('load with their shapes and labels', () => {
    const digits = loadBuiltin('digits');
    expect(digits.x).toHaveLength(1797);
    expect(digits.x[0]).toHaveLength(64);
    expect(classesOf(digits.labels)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(loadBuiltin('iris').features).toEqual(['sepal_length', 'sepal_width', 'petal_length', 'petal_width']);
    // Refused at compile time, and from JavaScript (which the type does not reach) at run time.
    // @ts-expect-error 'mnist' is not a BuiltinName
    expect(() => loadBuiltin('mnist')).toThrow('unknown data set "mnist"; expected one of: iris, digits');
  });
});

describe('prepareClassification', () => {
  it('splits, scales on the training rows only, and one-hot encodes', () => {
    const iris = loadBuiltin('iris');
    const p = prepareClassification(iris.x, iris.labels, { seed: 2 });
    expect(p.classes).toEqual(['setosa', 'versicolor', 'virginica']);
    expect([p.train.x.length, p.test.x.length]).toEqual([120, 30]);
    expect(p.train.y.every((r) => r.length === 3 && r.reduce((s, v) => s + v, 0) === 1)).toBe(true);
    // Standardized with the training rows' statistics: their column means are 0, the test rows' are not exactly.
    for (let j = 0; j < 4; j++) {
      expect(Math.abs(p.train.x.reduce((s, r) => s + r[j], 0) / 120)).toBeLessThan(1e-12);
    }
    expect(p.test.x.some((_, j) => Math.abs(p.test.x.reduce((s, r) => s + r[j], 0) / 30) > 1e-6)).toBe(true);
  });
});
