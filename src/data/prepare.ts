// The usual preparation of a labelled table in one call: a seeded stratified split, scaling fitted on the
// training rows only, and one-hot targets with the class names kept.
import { checkOptions } from '../core/errors.js';
import { classesOf, oneHot, type Label } from './encoding.js';
import { applyScaler, fitScaler, type Scaler, type ScalerKind } from './scaling.js';
import { takeRows, trainTestSplit } from './split.js';

export interface PreparedClassification {
  classes: Label[];
  scaler: Scaler;
  train: { x: number[][]; y: number[][] };
  test: { x: number[][]; y: number[][] };
}

export function prepareClassification(x: readonly (readonly number[])[], labels: readonly Label[],
  options: { testFraction?: number; seed?: number; scaler?: ScalerKind } = {}): PreparedClassification {
  options = checkOptions(options, ['testFraction', 'seed', 'scaler'], 'prepareClassification options');
  const classes = classesOf(labels);
  const split = trainTestSplit(x.length, { testFraction: options.testFraction ?? 0.2, seed: options.seed ?? 1, stratify: labels });
  const scaler = fitScaler(options.scaler ?? 'standard', takeRows(x, split.train));
  const part = (rows: number[]) => ({ x: applyScaler(scaler, takeRows(x, rows)), y: oneHot(takeRows(labels, rows), classes) });
  return { classes, scaler, train: part(split.train), test: part(split.test) };
}
