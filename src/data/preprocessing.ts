// What turns a raw record into the network's input vector, and its output back into a label:
// the feature columns (numbers, dates, or text one-hot encoded) with what fills their missing values, the scaling,
// and the target.
import { DATE_PART_NAMES, type DateOrder, type DatePart } from './dates.js';
import type { Label } from './encoding.js';
import { piecewiseWidth, type Piecewise } from './piecewise.js';
import type { Scaler } from './scaling.js';
import { zeros, type Matrix } from '../core/matrix.js';

export type FeatureSpec =
  /**
   * A number, scaled. fill: what a missing value becomes (the training rows' median); indicator: one input more,
   * 1 where the value was missing (where the training data had missing values). Without fill, a missing value is
   * an error (a model trained with missing: 'error', or written before missing values were handled). naWords: the
   * few words the training rows had among this column's numbers ("none", "10+"), read as missing values here.
   */
  | { name: string; type: 'numeric'; fill?: number; indicator?: boolean; naWords?: string[] }
  /**
   * A text column, one-hot encoded over its categories in this order; missing: one input more after them, for a
   * missing value (a level of its own, where the training data had missing values). A value the model never saw
   * gets all zeros (or is an error where asked).
   */
  | { name: string; type: 'categorical'; categories: string[]; missing?: boolean }
  /**
   * ISO 8601 dates or date-times, as one scaled input per part (year, month, …, from the day count since
   * 1970-01-01); fill and indicator as a number's, fill being a day count. `order`: the dates are written day and
   * month in that order (03/15/2024), not ISO 8601 (dates.ts DateOrder).
   */
  | { name: string; type: 'date'; parts: DatePart[]; order?: DateOrder; fill?: number; indicator?: boolean };

/** A column of the training data that is no feature, and why: nearly every value distinct, or none present. */
export interface LeftOut {
  name: string;
  reason: 'identifier' | 'no values';
}

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
  /** Fitted on the training rows: one entry per scaled input (a numeric feature's, each part of a date's), in feature order. */
  scaler: Scaler | null;
  target: TargetSpec | null;
  /** Columns of the training data left out, and why (absent: none). */
  leftOut?: LeftOut[];
  /** The scaled inputs' piecewise-linear encoding, applied to the encoded vector (absent: none). */
  piecewise?: Piecewise;
  /**
   * The written values that meant "no value" in the training data, besides an empty field (naValues, --na-values):
   * every reader of rows for this model reads them so. Absent: DEFAULT_NA_VALUES (and so in files written before).
   */
  naValues?: string[];
  /** The training data's numbers were written with a decimal comma (1,5): every reader of rows for this model reads them so. */
  decimalComma?: true;
}

/** The inputs one feature gives the network: its value (or a date's parts, or one per category) and a missing-value input. */
export function featureWidth(f: FeatureSpec): number {
  if (f.type === 'numeric') return 1 + (f.indicator ? 1 : 0);
  if (f.type === 'date') return f.parts.length + (f.indicator ? 1 : 0);
  return f.categories.length + (f.missing ? 1 : 0);
}

/** Input values a feature list produces: see featureWidth. */
export function encodedWidth(features: readonly FeatureSpec[]): number {
  return features.reduce((n, f) => n + featureWidth(f), 0);
}

/** Scaled inputs a feature list produces (the scaler has one entry each): 1 per numeric column, one per date part. */
export function scaledCount(features: readonly FeatureSpec[]): number {
  return features.reduce((n, f) => n + (f.type === 'numeric' ? 1 : f.type === 'date' ? f.parts.length : 0), 0);
}

/** Values the network reads: the encoded width, widened by the piecewise-linear encoding where there is one. */
export function inputWidth(prep: Preprocessing): number {
  return prep.piecewise ? piecewiseWidth(prep.piecewise) : encodedWidth(prep.features);
}

/**
 * Where the scaled numbers sit in the encoded vector (the inputs a piecewise-linear encoding may widen): a number's
 * value and each of a date's parts; not a missing-value indicator, nor a one-hot input.
 */
export function scaledInputs(features: readonly FeatureSpec[]): number[] {
  const out: number[] = [];
  let j = 0;
  for (const f of features) {
    const scaled = f.type === 'numeric' ? 1 : f.type === 'date' ? f.parts.length : 0;
    for (let k = 0; k < scaled; k++) out.push(j + k);
    j += featureWidth(f);
  }
  return out;
}

/** Each network input's name: a numeric column's, "column (missing)" for an indicator, "column=category" for one-hot, "column: year" for a date part. */
export function inputNames(features: readonly FeatureSpec[]): string[] {
  return features.flatMap((f) => {
    const indicator = (f.type === 'categorical' ? f.missing : f.indicator) ? [`${f.name} (missing)`] : [];
    if (f.type === 'numeric') return [f.name, ...indicator];
    if (f.type === 'date') return [...f.parts.map((p) => `${f.name}: ${DATE_PART_NAMES[p]}`), ...indicator];
    return [...f.categories.map((c) => `${f.name}=${c}`), ...indicator];
  });
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
