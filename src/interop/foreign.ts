// What the imports share: a chain of dense layers read from another tool's file, made into a backprop model file
// with a column description (names given, or x1, x2, …) so that `backprop predict` can read CSV data for it.
import { BackpropError } from '../core/errors.js';
import type { Label } from '../data/encoding.js';
import { MODEL_FORMAT, type ModelFile } from '../io/model-file.js';
import type { ActivationName } from '../nn/activations.js';
import type { LossName } from '../nn/losses.js';
import type { DType } from '../core/matrix.js';

export interface ImportOptions {
  /** Names of the input columns, in order (default x1, x2, …), for a file that does not carry them. */
  features?: readonly string[];
  /** The target column's name (default "label" for classification, "y" for regression). */
  target?: string;
  /** Class names, by output (default 0, 1, …), for a classifier that does not carry them. */
  classes?: readonly Label[];
  /** Starts every error message (a file name). */
  source?: string;
}

export interface ImportedLayer {
  units: number;
  activation: ActivationName;
  /** [inputs][units] */
  weights: number[][];
  bias: number[] | null;
}

/**
 * The model file for layers read from elsewhere. A softmax output, or one sigmoid unit, makes a classifier
 * (categorical or binary cross-entropy); anything else a regression (mean squared error).
 */
export function foreignModel(inputs: number, layers: readonly ImportedLayer[], dtype: DType, options: ImportOptions): ModelFile {
  const source = options.source ?? 'imported model';
  const output = layers[layers.length - 1];
  const classification = output.activation === 'softmax' || (output.activation === 'sigmoid' && output.units === 1);
  const loss: LossName = output.activation === 'softmax' ? 'categorical-cross-entropy' : classification ? 'binary-cross-entropy' : 'mse';
  const features = options.features ?? Array.from({ length: inputs }, (_, j) => `x${j + 1}`);
  if (features.length !== inputs) throw new BackpropError(`${source}: --features: the model takes ${inputs} inputs, but ${features.length} names were given`, '--features');
  const classCount = output.units === 1 ? 2 : output.units;
  const classes = options.classes ?? Array.from({ length: classCount }, (_, k) => k);
  if (classification && classes.length !== classCount) throw new BackpropError(`${source}: --classes: the model has ${classCount} classes, but ${classes.length} names were given`, '--classes');
  return {
    format: MODEL_FORMAT,
    version: 1,
    network: { inputs, layers: layers.map((l) => ({ units: l.units, activation: l.activation, bias: l.bias !== null })), loss, dtype, seed: 1 },
    weights: layers.map((l) => ({ weights: l.weights, bias: l.bias })),
    preprocessing: {
      features: features.map((name) => ({ name, type: 'numeric' as const })),
      scaler: null,
      target: classification
        ? { name: options.target ?? 'label', task: 'classification', classes: [...classes] }
        // Several linear outputs: a multi-output regression, its columns named y, y2, y3, … (or after --target).
        : {
          name: options.target ?? 'y', task: 'regression',
          ...(output.units > 1 ? { extra: Array.from({ length: output.units - 1 }, (_, j) => ({ name: `${options.target ?? 'y'}${j + 2}` })) } : {}),
        },
    },
  };
}
