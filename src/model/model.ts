// A trained model at the level of tables: a network with the preprocessing fitted on its training rows (which
// columns, their scaling and categories, the target and its classes or scale). It takes records as they come and
// answers in the target's terms: class names with a probability each, or values in the target's units.
import { BackpropError, checkOptions, printable } from '../core/errors.js';
import { checkKernels } from './options.js';
import { defaultKernels } from '../core/backends.js';
import type { Kernels } from '../core/kernels.js';
import { toRows } from '../core/matrix.js';
import type { Label } from '../data/encoding.js';
import { decimalCommaColumn, decimalCommaError, encodeFrameInputs, encodeFrameTargets, encodeRecord, newTally, type DataFrame } from '../data/frame.js';
import { checkNaValues, modelNaValues } from '../data/missing.js';
import { decodeOutput, targetColumns, type Preprocessing, type TargetSpec } from '../data/preprocessing.js';
import { modelFromJSON, modelToJSON, parseModel, stringifyModel, type ModelFile } from '../io/model-file.js';
import type { Network } from '../nn/network.js';
import { gradientCheck, type GradientCheckReport } from '../nn/gradcheck.js';
import { traceUpdate, type UpdateTrace } from '../nn/trace.js';
import type { History } from '../train/callbacks.js';
import { checkFinite, Evaluation, type EvaluationReport } from './evaluation.js';
import { permutationImportance, type ImportanceResult } from './importance.js';
import { toFrame, type OtherTableData, type TableData } from './table.js';

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

/**
 * What a model predicts for a target of this type, or for the task asked for: text targets are classes; numbers
 * may be either, unless the task says which.
 */
export type PredictionFor<T, K extends string | undefined = undefined> = K extends 'regression' ? ValuePrediction : K extends 'classification' ? ClassPrediction
  : [T] extends [string] ? ClassPrediction : Prediction;

/** A record to predict from: the model's fields, each of its training type, or missing (null, or left out). */
export type PredictRow<Row> = { readonly [K in keyof Row]?: Row[K] | null };

/** What predict returns for these options: a null in place of each row skipped under onInvalidRow 'skip'. */
export type PredictionsFor<P, O> = O extends { onInvalidRow: 'skip' } ? (P | null)[] : P[];

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

/** What a row that cannot be predicted is: its number (from 1, as messages count) and what is wrong with it. */
export interface RowFault {
  row: number;
  message: string;
}

/** How predict and evaluate read rows the model did not see in training. */
export interface ReadOptions {
  /**
   * A text value the model never saw: 'ignore' (the default) encodes it as all zeros, as scikit-learn's
   * handle_unknown='ignore', and counts it in the report; 'error' makes it the row's fault.
   */
  unknown?: 'ignore' | 'error';
  /**
   * Written values that mean "no value", besides null, undefined, NaN and empty text: added to the model's own
   * (those of its training data, by default DEFAULT_NA_VALUES).
   */
  naValues?: readonly string[];
}

export interface PredictOptions extends ReadOptions {
  /**
   * A row that cannot be predicted (a value the model never saw under unknown 'error': a new category, or a word in
   * a numeric column, which is otherwise read as missing and counted; text that is no date; a missing value a model
   * trained with missing 'error' refuses): 'error' (the default) makes it the whole call's error, naming the row and
   * field; 'skip' predicts null for it and goes on (predictWithReport lists them).
   */
  onInvalidRow?: 'error' | 'skip';
}

/** Predictions with what reading the rows met: per column, values the model never saw and missing values filled. */
export interface PredictReport<P> {
  /** One per row; null for a row skipped under onInvalidRow 'skip'. */
  predictions: (P | null)[];
  /** Values the model never saw, by column (encoded as all zeros). */
  unseen: Record<string, number>;
  /** Missing values, by column (filled as the model was trained to fill them). */
  missing: Record<string, number>;
  /** The rows skipped, and why. */
  invalid: RowFault[];
  /** Each value the model never saw, by row (from 1) and column, in row order: what `unseen` counts. */
  unseenValues: UnseenValue[];
}

/** A text value the model never saw, where it was met. */
export interface UnseenValue {
  row: number;
  column: string;
  value: string;
}

export interface ExplainOptions {
  /** η of the update shown. Default 0.5, the seeds'. */
  learningRate?: number;
  /** A text value the model never saw: 'ignore' (the default) encodes it as all zeros, as predict does; 'error' refuses it. */
  unknown?: 'ignore' | 'error';
}

/** explainValues' trace, with the columns whose value the model never saw (encoded as all zeros). */
export interface ExplainReport {
  trace: UpdateTrace;
  unseen: string[];
}

/** Scores summed over data that comes in parts (a file read in chunks): add each part, then report. */
export interface PartialEvaluation {
  add(data: TableData, options?: LabelOptions): void;
  report(): EvaluationReport;
}

/** A fitted table model. `Row` is the record type it predicts from (the training rows without the target). */
export class Model<Row extends object = Record<string, unknown>, P extends Prediction = Prediction> {
  readonly network: Network;
  readonly preprocessing: Preprocessing;
  /** The training run's per-epoch figures, for a model that train() made. */
  readonly history: History | null;
  /** Where the model came from (its file, for a loaded one): named in messages about its outputs. */
  readonly source: string | undefined;

  constructor(network: Network, preprocessing: Preprocessing, history: History | null = null, source?: string) {
    if (!preprocessing?.target) throw new BackpropError('Model: expected the preprocessing of a table model (features and target)', 'preprocessing');
    this.network = network;
    this.preprocessing = preprocessing;
    this.history = history;
    this.source = source === undefined ? undefined : printable(String(source));
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

  /**
   * The written values the model reads as "no value" (besides null, undefined, NaN and empty text): those of its
   * training data (naValues given to train; the default list DEFAULT_NA_VALUES otherwise), and `extra` ones (a
   * predict-time naValues adds to the model's words, never takes them away).
   */
  naValuesWith(extra?: readonly string[]): string[] {
    return modelNaValues(this.preprocessing, extra);
  }

  /** Whether the model's training data wrote its numbers with a decimal comma (1,5): new rows are read so (readTable's decimalComma). */
  get decimalComma(): boolean {
    return this.preprocessing.decimalComma === true;
  }

  /** The columns the model predicts: the target, or one per output of a multi-output regression. */
  get targetColumns(): string[] {
    return targetColumns(this.target).map((c) => c.name);
  }

  /** Of these column names, those the model neither reads nor predicts (a table's other columns, left alone). */
  unused(columns: readonly string[]): string[] {
    const known = new Set([...this.features, ...this.targetColumns]);
    return columns.filter((c) => !known.has(c));
  }

  /**
   * Data as a frame with each feature read as the model expects it (numbers, or text); y, a number[][]'s targets;
   * `fault` takes the rows that cannot be read, where the caller goes on without them.
   */
  private frame(data: TableData<Row> | TableData, source: string, y?: ArrayLike<number | string>, read: { naValues?: readonly string[]; fault?: (row: number, message: string) => void } = {}): DataFrame {
    const kinds = new Map(this.preprocessing.features.map((f) => [f.name, f.type === 'numeric' ? 'numeric' as const : 'text' as const]));
    // Classes named by text (1,000 and 2,500 among them) are text, whatever a file of them alone looks like.
    if (this.target.task === 'classification' && this.target.classes.some((c) => typeof c === 'string')) kinds.set(this.target.name, 'text');
    // Only the model's columns are read: other fields are left alone, whatever they hold.
    const only = new Set([...this.features, ...targetColumns(this.target).map((c) => c.name)]);
    const matrix = Array.isArray(data) && data.length > 0 && (Array.isArray(data[0]) || ArrayBuffer.isView(data[0]));
    const frame = toFrame(data, {
      kinds, source, only, expected: this.features, comma: this.decimalComma ? 'decimal' : 'thousands', naValues: this.naValuesWith(read.naValues === undefined ? undefined : checkNaValues(read.naValues)), ...(read.fault ? { fault: read.fault } : {}),
      ...(matrix ? { features: this.features } : {}), ...(y ? { y, targetName: this.target.name } : {}),
    });
    // A column of numbers the model reads, written with a decimal comma the reader was not told of: an error, not
    // every row's value replaced by the training median (a note on stderr, and exit 0).
    const numbers = new Set([...this.preprocessing.features.filter((f) => f.type === 'numeric').map((f) => f.name), ...(this.task === 'regression' ? targetColumns(this.target).map((c) => c.name) : [])]);
    // (A model of such numbers reads them itself: data/frame.ts numbersOfText.)
    if (!this.decimalComma) for (const c of frame.columns) if (c.kind === 'text' && numbers.has(c.name) && decimalCommaColumn(c)) throw decimalCommaError(frame, c);
    return frame;
  }

  /**
   * Predictions for records (or any data train takes); fields the model does not use are ignored. A missing value
   * is filled as in training; a text value the model never saw is encoded as all zeros (unknown 'ignore').
   */
  predict<O extends PredictOptions = {}>(data: OtherTableData, options?: O): PredictionsFor<P, O>;
  // Records last: a row of the wrong form is reported against this overload, field by field.
  predict<O extends PredictOptions = {}>(data: readonly PredictRow<Row>[], options?: O): PredictionsFor<P, O>;
  predict(data: readonly PredictRow<Row>[] | OtherTableData, options: PredictOptions = {}): (P | null)[] {
    return this.predictWithReport(data, options).predictions;
  }

  /** predict, with what reading the rows met: values the model never saw and missing values, by column, and the rows skipped. */
  predictWithReport(data: readonly PredictRow<Row>[] | OtherTableData, options: PredictOptions = {}): PredictReport<P> {
    const o = checkOptions(options, ['unknown', 'naValues', 'onInvalidRow'], 'predict options');
    const unknown = oneOf(o.unknown, 'unknown', ['ignore', 'error'] as const) ?? 'ignore';
    const skip = (oneOf(o.onInvalidRow, 'onInvalidRow', ['error', 'skip'] as const) ?? 'error') === 'skip';
    // A skipped row's first fault, by row.
    const invalid = new Map<number, string>();
    const fault = skip ? (row: number, message: string): void => {
      if (!invalid.has(row)) invalid.set(row, message);
    } : undefined;
    const frame = this.frame(data as TableData, 'predict', undefined, { naValues: o.naValues, fault });
    const tally = newTally();
    const unseenValues: UnseenValue[] = [];
    const onUnseen = (row: number, column: string, value: string): void => {
      unseenValues.push({ row: row + 1, column, value });
    };
    const outputs = this.network.predict(encodeFrameInputs(this.preprocessing, frame, this.network.dtype, undefined, undefined, { unknown, tally, fault, onUnseen }));
    checkFinite(outputs, this.source ?? 'predict', frame);
    // Decoded as `backprop predict` decodes, then named: probabilities by class, values by target column.
    const names = this.target.task === 'classification' ? this.target.classes.map(String) : targetColumns(this.target).map((c) => c.name);
    const predictions = toRows(outputs).map((out, i) => {
      if (invalid.has(i)) return null;
      const d = decodeOutput(this.preprocessing, out);
      return ('label' in d
        ? { label: d.label, probabilities: Object.fromEntries(names.map((n, k) => [n, d.probabilities[k]])) }
        : { value: d.value, values: Object.fromEntries(names.map((n, j) => [n, d.values[j]])) }) as P;
    });
    return {
      predictions, unseen: Object.fromEntries(tally.unseen), missing: Object.fromEntries(tally.missing),
      invalid: [...invalid].sort((a, b) => a[0] - b[0]).map(([row, message]) => ({ row: row + 1, message })),
      // Found column by column: in row order, columns in the model's order.
      unseenValues: unseenValues.sort((a, b) => a.row - b.row),
    };
  }

  /**
   * Accuracy, the confusion matrix and per-class precision/recall/F1; or MSE, MAE and R², on labelled data; with
   * the values the model never saw and the missing values filled, by column.
   */
  evaluate(data: TableData<Row & Record<string, unknown>> | TableData, options: LabelOptions & ReadOptions = {}): EvaluationReport {
    const o = checkOptions(options, ['y', 'unknown', 'naValues'], 'evaluate options');
    const evaluation = this.evaluation({ unknown: o.unknown, naValues: o.naValues });
    evaluation.add(data as TableData, { y: o.y });
    return evaluation.report();
  }

  /**
   * evaluate for data that comes in parts (a file read in chunks, in bounded memory): the scores are summed part
   * by part, and report() gives what evaluate would give for all of them together.
   */
  evaluation(options: ReadOptions = {}): PartialEvaluation {
    const o = checkOptions(options, ['unknown', 'naValues'], 'evaluation options');
    const unknown = oneOf(o.unknown, 'unknown', ['ignore', 'error'] as const) ?? 'ignore';
    const naValues = o.naValues === undefined ? undefined : checkNaValues(o.naValues);
    const evaluation = new Evaluation(this.network, this.preprocessing, this.source ?? 'evaluate', { unknown });
    return {
      add: (data, labels = {}) => {
        const { y } = checkOptions(labels, ['y'], 'evaluate options');
        evaluation.add(this.frame(data, 'evaluate', y, { naValues }));
      },
      report: () => evaluation.report(),
    };
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
    const o = checkOptions(options, ['learningRate', 'unknown'], 'explain options');
    const unknown = oneOf(o.unknown, 'unknown', ['ignore', 'error'] as const) ?? 'ignore';
    if (typeof record !== 'object' || record === null || Array.isArray(record)) throw new BackpropError('explain: expected one record with the features and the target', 'record');
    // The record read as predict and evaluate read rows (the same checks), as the network's input and target.
    const frame = this.frame([record] as unknown as TableData, 'explain');
    const x = toRows(encodeFrameInputs(this.preprocessing, frame, 'float64', undefined, undefined, { unknown }))[0];
    const y = toRows(encodeFrameTargets(this.preprocessing, frame, 'float64').y)[0];
    return traceUpdate(this.network, x, y, { learningRate: o.learningRate ?? 0.5 });
  }

  /**
   * explain for a record given as the command line gives one: its feature values in the model's order (read as a
   * file's fields: numbers, text, ISO dates, NA words for missing), named in messages as `source`; and its target,
   * a class (by name) or the network's target values (a class's 0/1 vector, or the values in the target's units,
   * one per target column).
   */
  explainValues(input: readonly (string | number | null | undefined)[], target: Label | readonly number[], options: ExplainOptions & { source?: string } = {}): ExplainReport {
    const o = checkOptions(options, ['learningRate', 'unknown', 'source'], 'explain options');
    const unknown = oneOf(o.unknown, 'unknown', ['ignore', 'error'] as const) ?? 'ignore';
    const source = printable(String(o.source ?? 'input'));
    if (!Array.isArray(input)) throw new BackpropError(`${source}: expected a list of ${this.features.length} values, one per feature (${this.features.join(', ')})`, 'input');
    const tally = newTally();
    const x = encodeRecord(this.preprocessing, input, source, { unknown, tally });
    const t = this.target;
    let y: number[];
    const classIndex = t.task === 'classification' && !Array.isArray(target) ? t.classes.map(String).indexOf(String(target)) : -1;
    if (t.task === 'classification' && !Array.isArray(target)) {
      if (classIndex < 0) throw new BackpropError(`target: ${JSON.stringify(target)} is not a class of this model; its classes are: ${t.classes.join(', ')}`, 'target');
      // Two classes have one output (the second class's probability); more, one per class.
      y = t.classes.length === 2 ? [classIndex] : t.classes.map((_, c) => (c === classIndex ? 1 : 0));
    } else {
      const values = (Array.isArray(target) ? target : [target]) as unknown[];
      const bad = values.find((v) => typeof v !== 'number' || !Number.isFinite(v));
      if (bad !== undefined) throw new BackpropError(`target: expected numbers, got ${JSON.stringify(bad) ?? String(bad)}`, 'target');
      y = values as number[];
      if (y.length !== this.network.outputs) {
        throw new BackpropError(`target: the output layer has ${this.network.outputs} unit${this.network.outputs === 1 ? '' : 's'}, so the target needs ${this.network.outputs} value${this.network.outputs === 1 ? '' : 's'}, got ${y.length}`, 'target');
      }
      // A regression's values are in the target's units: scaled as training scaled each target column.
      if (t.task === 'regression') {
        const columns = targetColumns(t);
        y = y.map((v, j) => {
          const scale = columns[j].scale;
          return scale ? (v - scale.mean) / scale.std : v;
        });
      }
    }
    const trace = traceUpdate(this.network, x, y, { learningRate: o.learningRate ?? 0.5 });
    return { trace, unseen: [...tally.unseen.keys()] };
  }

  /**
   * Backpropagation's gradients against central differences (nn/gradcheck.ts), on the first `rows` rows (default
   * 32) of labelled data, encoded as evaluate encodes them.
   */
  gradientCheck(data: TableData<Row & Record<string, unknown>> | TableData, options: LabelOptions & { rows?: number; parameters?: number } = {}): GradientCheckReport & { rows: number } {
    const o = checkOptions(options, ['y', 'rows', 'parameters'], 'gradientCheck options');
    const rows = o.rows ?? 32;
    if (!(Number.isSafeInteger(rows) && rows >= 1)) throw new BackpropError(`rows: expected a whole number of rows from 1, got ${String(rows)}`, 'rows');
    const frame = this.frame(data as TableData, 'gradientCheck', o.y);
    const first = Array.from({ length: Math.min(rows, frame.rows) }, (_, i) => i);
    const x = encodeFrameInputs(this.preprocessing, frame, this.network.dtype, first);
    const y = encodeFrameTargets(this.preprocessing, frame, this.network.dtype, first).y;
    return { rows: x.rows, ...gradientCheck(this.network, x, y, o.parameters === undefined ? {} : { parameters: o.parameters }) };
  }

  /** Whether the model predicts values (then its predictions are ValuePredictions: `value` is a number). */
  isRegression(): this is Model<Row, ValuePrediction> {
    return this.task === 'regression';
  }

  /** Whether the model predicts classes (then its predictions are ClassPredictions: `label` and `probabilities`). */
  isClassifier(): this is Model<Row, ClassPrediction> {
    return this.task === 'classification';
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
  static fromJSON<Row extends object = Record<string, unknown>, P extends Prediction = Prediction>(json: unknown, options: { kernels?: Kernels; source?: string } = {}): Model<Row, P> {
    const o = checkOptions(options, ['kernels', 'source'], 'fromJSON options');
    const source = printable(String(o.source ?? 'model'));
    const { network, preprocessing } = modelFromJSON(json, source, { kernels: o.kernels === undefined ? defaultKernels() : checkKernels(o.kernels) });
    return withPreprocessing<Row, P>(network, preprocessing, source, o.source === undefined ? undefined : source);
  }

  /** A model from its file's text. */
  static parse<Row extends object = Record<string, unknown>, P extends Prediction = Prediction>(text: string, options: { kernels?: Kernels; source?: string } = {}): Model<Row, P> {
    const o = checkOptions(options, ['kernels', 'source'], 'parse options');
    const source = printable(String(o.source ?? 'model'));
    const { network, preprocessing } = parseModel(text, source, { kernels: o.kernels === undefined ? defaultKernels() : checkKernels(o.kernels) });
    return withPreprocessing<Row, P>(network, preprocessing, source, o.source === undefined ? undefined : source);
  }
}

/** An option that must be one of a few names, or absent. */
function oneOf<T extends string>(value: unknown, option: string, names: readonly T[]): T | undefined {
  if (value === undefined || names.includes(value as T)) return value as T | undefined;
  throw new BackpropError(`${option}: expected one of ${names.map((n) => `'${n}'`).join(', ')}, got ${JSON.stringify(value) ?? String(value)}`, option);
}

function withPreprocessing<Row extends object, P extends Prediction>(network: Network, preprocessing: Preprocessing | null, source: string, named?: string): Model<Row, P> {
  if (!preprocessing?.target) {
    throw new BackpropError(`${source}: this model has no column description (it was not trained from a table), so it cannot read records; use its network directly`);
  }
  return new Model<Row, P>(network, preprocessing, null, named);
}
