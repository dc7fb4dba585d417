// What turns a raw record into the network's input vector, and its output back into a label:
// the feature columns (numeric, or text one-hot encoded), the scaling of the numeric ones, and the target.
import { BackpropError } from '../core/errors.js';
import type { Label } from './encoding.js';
import { encodePiecewiseRow, piecewiseWidth, type Piecewise } from './piecewise.js';
import { scaleRow, type Scaler } from './scaling.js';
import { zeros, type Matrix } from '../core/matrix.js';

export type FeatureSpec =
  | { name: string; type: 'numeric' }
  /** A text column, one-hot encoded over its categories in this order. */
  | { name: string; type: 'categorical'; categories: string[] };

export type TargetSpec =
  /** classes[k] names output k (or, for one sigmoid output, classes[0] is below 0.5 and classes[1] above). */
  | { name: string; task: 'classification'; classes: Label[] }
  /**
   * scale: the network predicts (y − mean) / std, so values of any size train at the same learning rate.
   * extra: further target columns of a multi-output regression, one output each after the first.
   */
  | { name: string; task: 'regression'; scale?: { mean: number; std: number }; extra?: RegressionColumn[] };

export interface RegressionColumn {
  name: string;
  scale?: { mean: number; std: number };
}

/** Every target column with its scaling: one for a classification or a plain regression, several for multi-output. */
export function targetColumns(target: TargetSpec): RegressionColumn[] {
  if (target.task === 'classification') return [{ name: target.name }];
  return [{ name: target.name, ...(target.scale ? { scale: target.scale } : {}) }, ...(target.extra ?? [])];
}

export interface Preprocessing {
  features: FeatureSpec[];
  /** Fitted on the training rows' numeric features, in feature order. */
  scaler: Scaler | null;
  target: TargetSpec | null;
  /** The numeric inputs' piecewise-linear encoding, applied to the scaled vector (absent: none). */
  piecewise?: Piecewise;
}

/** Input values a feature list produces: 1 per numeric column, one per category for text columns. */
export function encodedWidth(features: readonly FeatureSpec[]): number {
  return features.reduce((n, f) => n + (f.type === 'numeric' ? 1 : f.categories.length), 0);
}

/** Values the network reads: the encoded width, widened by the piecewise-linear encoding where there is one. */
export function inputWidth(prep: Preprocessing): number {
  return prep.piecewise ? piecewiseWidth(prep.piecewise) : encodedWidth(prep.features);
}

/** Which of the encoded values are scaled numbers (the ones a piecewise-linear encoding may widen). */
export function scaledInputs(features: readonly FeatureSpec[]): number[] {
  const out: number[] = [];
  let j = 0;
  for (const f of features) {
    if (f.type === 'numeric') out.push(j++);
    else j += f.categories.length;
  }
  return out;
}

export function numericCount(features: readonly FeatureSpec[]): number {
  return features.filter((f) => f.type === 'numeric').length;
}

/** A raw record (one value per feature) as the network's input vector: numeric values scaled, text one-hot. */
export function encodeRecord(prep: Preprocessing, values: readonly (string | number)[], where = 'record'): number[] {
  const { features, scaler } = prep;
  if (values.length !== features.length) {
    throw new BackpropError(`${where}: expected ${features.length} values (${features.map((f) => f.name).join(', ')}), got ${values.length}`);
  }
  const numeric: number[] = [];
  features.forEach((f, i) => {
    if (f.type === 'numeric') {
      const v = values[i];
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new BackpropError(`${where}: column "${f.name}" expects a number, got ${JSON.stringify(v)}`);
      numeric.push(v);
    }
  });
  const scaled = scaler ? scaleRow(scaler, numeric) : numeric;
  const out: number[] = [];
  let n = 0;
  features.forEach((f, i) => {
    if (f.type === 'numeric') {
      out.push(scaled[n++]);
      return;
    }
    const k = f.categories.indexOf(String(values[i]));
    if (k < 0) {
      throw new BackpropError(`${where}: column "${f.name}" has the value ${JSON.stringify(values[i])}, which the model never saw; known values: ${f.categories.join(', ')}`);
    }
    for (let j = 0; j < f.categories.length; j++) out.push(j === k ? 1 : 0);
  });
  return prep.piecewise ? encodePiecewiseRow(prep.piecewise, out) : out;
}

/** What one output row means: a class with the probability of each, or a value in the target's units. */
export type Decoded =
  | { label: Label; probabilities: number[] }
  /** value is the first target's; values has every target's (one for a plain regression). */
  | { value: number; values: number[] };

export function decodeOutput(prep: Preprocessing | null, output: readonly number[]): Decoded {
  const target = prep?.target;
  if (target?.task === 'classification') {
    const probabilities = output.length === 1 ? [1 - output[0], output[0]] : [...output];
    let best = 0;
    for (let k = 1; k < probabilities.length; k++) if (probabilities[k] > probabilities[best]) best = k;
    return { label: target.classes[best], probabilities };
  }
  const columns = target?.task === 'regression' ? targetColumns(target) : output.map(() => ({ name: '' }) as RegressionColumn);
  const values = output.slice(0, columns.length).map((v, j) => {
    const scale = columns[j].scale;
    return scale ? v * scale.std + scale.mean : v;
  });
  return { value: values[0], values };
}

/** A regression network's outputs (or scaled targets) in the targets' own units, float64, a column per target. */
export function decodeValues(prep: Preprocessing, outputs: Matrix): Matrix {
  const columns = prep.target?.task === 'regression' ? targetColumns(prep.target) : [{ name: '' } as RegressionColumn];
  const k = columns.length;
  const values = zeros(outputs.rows, k, 'float64');
  for (let i = 0; i < outputs.rows; i++) {
    for (let j = 0; j < k; j++) {
      const v = outputs.data[i * outputs.cols + j], scale = columns[j].scale;
      values.data[i * k + j] = scale ? v * scale.std + scale.mean : v;
    }
  }
  return values;
}
