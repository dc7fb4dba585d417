// A trained model at the level of tables: a network with the preprocessing fitted on its training rows (which
// columns, their scaling and categories, the target and its classes or scale). It takes records as they come and
// answers in the target's terms: class names with a probability each, or values in the target's units.
import { BackpropError, checkOptions, printable } from '../core/errors.js';
import { checkKernels } from './options.js';
import { defaultKernels } from '../core/backends.js';
import type { Kernels } from '../core/kernels.js';
import { toRows } from '../core/matrix.js';
import type { Label } from '../data/encoding.js';
import { encodeFrameInputs, encodeFrameTargets, type DataFrame } from '../data/frame.js';
import { decodeOutput, targetColumns, type Preprocessing, type TargetSpec } from '../data/preprocessing.js';
import { modelFromJSON, modelToJSON, parseModel, stringifyModel, type ModelFile } from '../io/model-file.js';
import type { Network } from '../nn/network.js';
import { traceUpdate, type UpdateTrace } from '../nn/trace.js';
import type { History } from '../train/callbacks.js';
import { checkFinite, Evaluation, type EvaluationReport } from './evaluation.js';
import { permutationImportance, type ImportanceResult } from './importance.js';
import { toFrame, type TableData } from './table.js';

/** A class, with the probability of every class by name. */
export interface ClassPrediction {
  label: Label;
  probabilities: Record<string, number>;
  value?: undefined;
  values?: undefined;
}

/** A value in the target's units; `values` has every target's by name (one for a plain regression). */
export interface ValuePrediction {
  value: number;
  values: Record<string, number>;
  label?: undefined;
  probabilities?: undefined;
}

export type Prediction = ClassPrediction | ValuePrediction;

/** What a model predicts for a target of this type: text targets are classes; numbers may be either. */
export type PredictionFor<T> = [T] extends [string] ? ClassPrediction : Prediction;

export interface ImportanceOptions {
  /** Shuffles per column, each with its own seed. Default 5. */
  repeats?: number;
  /** Default 1. */
  seed?: number;
}

/** For labelled data given as number[][]: its targets, one per row. */
export interface LabelOptions {
  y?: ArrayLike<number | string>;
}

export interface ExplainOptions {
  /** η of the update shown. Default 0.5, the seeds'. */
  learningRate?: number;
}

/** A fitted table model. `Row` is the record type it predicts from (the training rows without the target). */
export class Model<Row extends object = Record<string, unknown>, P extends Prediction = Prediction> {
  readonly network: Network;
  readonly preprocessing: Preprocessing;
  /** The training run's per-epoch figures, for a model that train() made. */
  readonly history: History | null;

  constructor(network: Network, preprocessing: Preprocessing, history: History | null = null) {
    if (!preprocessing?.target) throw new BackpropError('Model: expected the preprocessing of a table model (features and target)', 'preprocessing');
    this.network = network;
    this.preprocessing = preprocessing;
    this.history = history;
  }

  get target(): TargetSpec {
    return this.preprocessing.target!;
  }

  get task(): 'classification' | 'regression' {
    return this.target.task;
  }

  /** The class names, in the order of the outputs (null for a regression). */
  get classes(): Label[] | null {
    return this.target.task === 'classification' ? [...this.target.classes] : null;
  }

  /** The feature columns a record needs, in order. */
  get features(): string[] {
    return this.preprocessing.features.map((f) => f.name);
  }

  /** Data as a frame with each feature read as the model expects it (numbers, or text); y, a number[][]'s targets. */
  private frame(data: TableData<Row> | TableData, source: string, y?: ArrayLike<number | string>): DataFrame {
    const kinds = new Map(this.preprocessing.features.map((f) => [f.name, f.type === 'numeric' ? 'numeric' as const : 'text' as const]));
    // Only the model's columns are read: other fields are left alone, whatever they hold.
    const only = new Set([...this.features, ...targetColumns(this.target).map((c) => c.name)]);
    const matrix = Array.isArray(data) && data.length > 0 && (Array.isArray(data[0]) || ArrayBuffer.isView(data[0]));
    return toFrame(data, { kinds, source, only, ...(matrix ? { features: this.features } : {}), ...(y ? { y, targetName: this.target.name } : {}) });
  }

  /** Predictions for records (or any data train takes); fields the model does not use are ignored. */
  predict(data: TableData<Row>): P[] {
    const frame = this.frame(data, 'predict');
    const outputs = this.network.predict(encodeFrameInputs(this.preprocessing, frame, this.network.dtype));
    checkFinite(outputs, 'predict');
    // Decoded as `backprop predict` decodes, then named: probabilities by class, values by target column.
    const names = this.target.task === 'classification' ? this.target.classes.map(String) : targetColumns(this.target).map((c) => c.name);
    return toRows(outputs).map((o) => {
      const d = decodeOutput(this.preprocessing, o);
      return ('label' in d
        ? { label: d.label, probabilities: Object.fromEntries(names.map((n, k) => [n, d.probabilities[k]])) }
        : { value: d.value, values: Object.fromEntries(names.map((n, j) => [n, d.values[j]])) }) as P;
    });
  }

  /** Accuracy, the confusion matrix and per-class precision/recall/F1; or MSE, MAE and R², on labelled data. */
  evaluate(data: TableData<Row & Record<string, unknown>> | TableData, options: LabelOptions = {}): EvaluationReport {
    const o = checkOptions(options, ['y'], 'evaluate options');
    const evaluation = new Evaluation(this.network, this.preprocessing, 'evaluate');
    evaluation.add(this.frame(data as TableData, 'evaluate', o.y));
    return evaluation.report();
  }

  /** Permutation importance: how much the score (accuracy or R²) drops when each column is shuffled. */
  importance(data: TableData<Row & Record<string, unknown>> | TableData, options: ImportanceOptions & LabelOptions = {}): ImportanceResult {
    const o = checkOptions(options, ['repeats', 'seed', 'y'], 'importance options');
    const repeats = o.repeats ?? 5, seed = o.seed ?? 1;
    if (!(Number.isInteger(repeats) && repeats >= 1 && repeats <= 1000)) throw new BackpropError(`repeats: expected an integer from 1 to 1000, got ${String(repeats)}`, 'repeats');
    if (!Number.isSafeInteger(seed)) throw new BackpropError(`seed: expected an integer, got ${String(seed)}`, 'seed');
    return permutationImportance(this.network, this.preprocessing, this.frame(data as TableData, 'importance', o.y), repeats, seed);
  }

  /**
   * One step of plain gradient descent on one labelled record, every number of it (the seeds' forward pass,
   * error, δᵒ, δʰ and Δw); the model itself is left as it was.
   */
  explain(record: Row & Record<string, unknown>, options: ExplainOptions = {}): UpdateTrace {
    const o = checkOptions(options, ['learningRate'], 'explain options');
    if (typeof record !== 'object' || record === null || Array.isArray(record)) throw new BackpropError('explain: expected one record with the features and the target', 'record');
    // The record read as predict and evaluate read rows (the same checks), as the network's input and target.
    const frame = this.frame([record] as unknown as TableData, 'explain');
    const x = toRows(encodeFrameInputs(this.preprocessing, frame, 'float64'))[0];
    const y = toRows(encodeFrameTargets(this.preprocessing, frame, 'float64').y)[0];
    return traceUpdate(this.network, x, y, { learningRate: o.learningRate ?? 0.5 });
  }

  /** The model file's data (format "backprop-model"), as the CLI writes it; JSON.stringify it to save. */
  toJSON(): ModelFile {
    return modelToJSON(this.network, this.preprocessing);
  }

  /** The model file's text, byte for byte what `backprop train --out` writes. */
  stringify(): string {
    return stringifyModel(this.network, this.preprocessing);
  }

  /** A model from its file's data (checked as untrusted), on the given kernels or the fastest had at once. */
  static fromJSON<Row extends object = Record<string, unknown>>(json: unknown, options: { kernels?: Kernels; source?: string } = {}): Model<Row> {
    const o = checkOptions(options, ['kernels', 'source'], 'fromJSON options');
    const source = printable(String(o.source ?? 'model'));
    const { network, preprocessing } = modelFromJSON(json, source, { kernels: o.kernels === undefined ? defaultKernels() : checkKernels(o.kernels) });
    return withPreprocessing<Row>(network, preprocessing, source);
  }

  /** A model from its file's text. */
  static parse<Row extends object = Record<string, unknown>>(text: string, options: { kernels?: Kernels; source?: string } = {}): Model<Row> {
    const o = checkOptions(options, ['kernels', 'source'], 'parse options');
    const source = printable(String(o.source ?? 'model'));
    const { network, preprocessing } = parseModel(text, source, { kernels: o.kernels === undefined ? defaultKernels() : checkKernels(o.kernels) });
    return withPreprocessing<Row>(network, preprocessing, source);
  }
}

function withPreprocessing<Row extends object>(network: Network, preprocessing: Preprocessing | null, source: string): Model<Row> {
  if (!preprocessing?.target) {
    throw new BackpropError(`${source}: this model has no column description (it was not trained from a table), so it cannot read records; use its network directly`);
  }
  return new Model<Row>(network, preprocessing);
}
