// The options of train, crossValidate and tune, with their defaults and their checks: one definition that the
// library, the command line (which spells them --kebab-case) and the tune workers share.
// The data-dependent defaults were chosen by a held-out comparison with scikit-learn's MLP defaults on the
// public tables of test/fixtures/defaults (bench/defaults.mjs; see the README's "Defaults, and why").
import { BackpropError, checkOptions, closestName } from '../core/errors.js';
import type { BackendChoice } from '../core/backends.js';
import type { Kernels } from '../core/kernels.js';
import type { Task } from '../data/columns.js';
import { checkNaValues } from '../data/missing.js';
import type { Preprocessing } from '../data/preprocessing.js';
import { ACTIVATION_NAMES, type ActivationName } from '../nn/activations.js';
import { LOSS_NAMES, type LossName } from '../nn/losses.js';
import { DEFAULT_PATIENCE, DEFAULT_TOLERANCE, type Callback, type EpochLogs } from '../train/callbacks.js';
import { DEFAULT_RATE, type FitOptions } from '../train/fit.js';
import { DEFAULT_BINS } from '../data/piecewise.js';
import { OPTIMIZER_NAMES, type OptimizerName } from '../train/optimizers.js';

/** An option of the library that the user set wrong: the CLI reports it as a usage error on its --flag. */
export class OptionError extends BackpropError {
  constructor(message: string, readonly option: string) {
    super(message, option);
    this.name = 'OptionError';
  }
}

/**
 * A learning-rate schedule: step (η × factor every `every` epochs), exponential (η × rate each epoch), cosine (down
 * to minimum, default 0, over the run's epochs) or plateau (η × factor, default 0.1, after more than `patience`
 * epochs, default 10, without a better loss). As text: step:10:0.5, exponential:0.95, cosine[:MIN], plateau[:F[:P]].
 */
export type ScheduleRule = { type: 'step'; every: number; factor: number } | { type: 'exponential'; rate: number } | { type: 'cosine'; epochs?: number; minimum?: number }
  | { type: 'plateau'; factor?: number; patience?: number };

/** Class weights: 'balanced' (n / (k · n_c)), or a weight by class name (classes not named weigh 1). */
export type ClassWeightRule = 'balanced' | Readonly<Record<string, number>>;

export type HiddenActivation = Exclude<ActivationName, 'softmax'>;
export const HIDDEN_ACTIVATIONS: readonly HiddenActivation[] = ACTIVATION_NAMES.filter((a): a is HiddenActivation => a !== 'softmax');

/** How a table's columns are read and which are features: what the table layer fits besides the scaling. */
export interface TableOptions {
  /**
   * 'fill' (the default): a missing feature value takes the training rows' median (a number, a date) with an input
   * more marking it, or a level of its own (text); 'error': a missing value is an error naming its row and column.
   */
  missing?: 'fill' | 'error';
  /** Text columns to use as features though they look like identifiers (nearly every value distinct). */
  keep?: readonly string[];
  /** Written values that mean "no value" in records and columns, besides null, undefined, NaN and empty text (default DEFAULT_NA_VALUES). */
  naValues?: readonly string[];
}

/** What the network is and how it trains: the command line's `train` options, camelCased. */
export interface ModelOptions extends TableOptions {
  /**
   * The task, when the target's values do not say it: text is classes; numbers are classes when they are few whole
   * numbers close together with several rows each (data/task.ts), a regression otherwise.
   */
  task?: Task;
  /**
   * Bins of the piecewise-linear encoding of each numeric column (quantiles of the training rows; see
   * data/piecewise.ts). Default 16 (fewer where the columns are many); 0 for the scaled values as they are.
   */
  bins?: number;
  /**
   * Networks trained and averaged: the training rows are dealt into this many folds, network k trains on all
   * but fold k, stops once its loss on fold k stops falling and keeps its best epoch there; on up to REFIT_MAX_ROWS
   * rows each then trains again from its start on all the rows for that many epochs; the model averages them
   * (one network, their hidden units side by side; see nn/ensemble.ts). Default 5 (fewer on a table under 10 rows,
   * each network holding out at least two), or 1 when `validation` is given (one network, with that share held out)
   * or the table has more than 10,000 rows (BAGGING_MAX_ROWS: one network with the default validation share).
   */
  bagging?: number;
  /** Hidden layer sizes. Default [100]; [] for none. */
  layers?: readonly number[];
  /** The hidden layers' activation. Default 'relu'. */
  activation?: HiddenActivation;
  /** Default: binary or categorical cross-entropy for classes, mse for a regression. */
  loss?: LossName;
  /** Default 'adam'. */
  optimizer?: OptimizerName;
  /** η. Default: the optimizer's usual (0.001 for adam, adamw and rmsprop; 0.01 for the others). */
  lr?: number;
  /** Default: until the loss stops falling (see LossStop), at most defaultEpochs; given, exactly this many. */
  epochs?: number;
  /** Rows per gradient step. Default 32. */
  batchSize?: number;
  l1?: number;
  /**
   * Default 3/n for n training rows, at most c/Σw² of the initial weights, c being 0.3 for classes and 2 for a
   * regression (0 with adamw); see defaultL2.
   */
  l2?: number;
  /** AdamW's decoupled weight decay (only with optimizer 'adamw'; default 0.01). */
  weightDecay?: number;
  clipNorm?: number;
  schedule?: ScheduleRule | string;
  /** Inverted dropout on the hidden layers: one rate for all, or one per hidden layer. */
  dropout?: number | readonly number[];
  classWeight?: ClassWeightRule;
  /** Seed of the weights, the split or folds, and the shuffles. Default 1. */
  seed?: number;
  /** Where the arithmetic runs. Default 'auto': the fastest this environment has. */
  backend?: BackendChoice;
  /** Kernels to use instead of a backend choice (a single-threaded backend in a worker, say). */
  kernels?: Kernels;
}

/** The options of train: the model's, and the target, the validation split and how a run is watched. */
export interface TrainOptions<Target extends string = string> extends ModelOptions {
  /** The column to predict (default: the last one); several make a multi-output regression. */
  target?: Target | readonly Target[];
  /**
   * For one network (bagging 1, or above BAGGING_MAX_ROWS rows), the share of rows held out for validation,
   * stratified by class: default 0.2; 0 for none. With bagging (the default on smaller tables) each network holds
   * out its own fold instead, and a validation share is refused.
   */
  validation?: number;
  /** Stop after this many epochs without a better validation loss, keeping the best weights. */
  earlyStopping?: number;
  /** Names of the feature columns of a number[][] (default x1, x2, ...). */
  features?: readonly string[];
  /** The targets of a number[][]: numbers (a regression) or class names. */
  y?: ArrayLike<number | string>;
  /** Aborting ends training after the current batch; the model then holds the weights it reached. */
  signal?: AbortSignal;
  /** Called after every epoch with its loss, accuracy and validation figures (with bagging, each fold network's epochs in turn; not a small table's second round on every row). */
  onEpoch?: (logs: EpochLogs) => void;
  /** Further hooks into the training loop. */
  callbacks?: readonly Callback[];
}

export const MODEL_OPTION_NAMES = [
  'task', 'bins', 'bagging', 'layers', 'activation', 'loss', 'optimizer', 'lr', 'epochs', 'batchSize', 'l1', 'l2', 'weightDecay', 'clipNorm',
  'schedule', 'dropout', 'classWeight', 'seed', 'backend', 'kernels', 'missing', 'keep', 'naValues',
] as const satisfies readonly (keyof ModelOptions)[];
export const TRAIN_OPTION_NAMES = [
  ...MODEL_OPTION_NAMES, 'target', 'validation', 'earlyStopping', 'features', 'y', 'signal', 'onEpoch', 'callbacks',
] as const satisfies readonly (keyof TrainOptions)[];

const MAX_HIDDEN_LAYERS = 999;

/** One hidden layer of 100 relu units, as scikit-learn's MLPs. */
export const DEFAULT_LAYERS: readonly number[] = [100];

/** The default rule's networks per model (see ModelOptions.bagging). */
export const DEFAULT_BAGGING = 5;

/**
 * Rows above which the default is one network with a validation share instead of DEFAULT_BAGGING: five networks
 * cost five times one, and past some thousands of rows one network's variance is small. Chosen by cost, not by
 * score: the collection's bagged fits took 8–22 s at 4,000–7,000 rows (scikit-learn's MLP 60–125 s there), and
 * 385 s on letter's 16,000 training rows.
 */
export const BAGGING_MAX_ROWS = 10_000;

/**
 * Rows up to which a bagged run where the bins keep their values also trains a network on the values for each fold
 * whose network reads the bins, and keeps whichever set has the lower out-of-fold loss (model/train.ts baggedRuns).
 * Chosen by cost: up to about 2,000 rows a network's epoch is under 50 steps, so its patience of 500 steps is long
 * and the runs are cheap; above, on the tuning part's hmda, hpc and stackoverflow (2,380 to 5,594 rows), the extra
 * networks took 2 to 3 times as long and moved no score by more than 0.0004.
 */
export const BAG_CHOICE_MAX_ROWS = 2_000;

/**
 * Rows up to which each network a bagged run keeps is trained again from its start (the same seed) on all the rows,
 * for as many epochs as it kept on its fold: the fold chooses the length, the model learns from every row. On a
 * small table the fold's fifth of the rows is much to leave out (bench/defaults-lab.mjs, fifth round, the tuning
 * part's 19 tables up to 2,000 rows: mean 0.8953 → 0.8974 on the mixed set and 0.8879 → 0.8918 on the values alone,
 * Boston R² 0.877 → 0.887, glaucoma 0.860 → 0.880, mdrr 0.838 → 0.845, vehicle 0.809 → 0.805); above, on the
 * fifteen of 2,380 to 9,857 rows, it moved their mean by 0.0005 (no table by more than 0.004, up or down) at 1.5
 * to 2 times the time.
 */
export const REFIT_MAX_ROWS = 2_000;

export const DEFAULTS = {
  bins: DEFAULT_BINS, bagging: DEFAULT_BAGGING, layers: DEFAULT_LAYERS, activation: 'relu', optimizer: 'adam', batchSize: 32, validation: 0.2, seed: 1, backend: 'auto',
} as const;

export { DEFAULT_PATIENCE, DEFAULT_TOLERANCE };
/** The fewest gradient steps the default rule's patience spans (see defaultPatience). */
export const PATIENCE_STEPS = 500;

/**
 * The default rule's stop: the run ends after `patience` epochs in a row without a fall of more than 1e-4 in the
 * watched loss; the patience is 10 epochs (scikit-learn's n_iter_no_change) or, where an epoch is only a few
 * gradient steps, enough epochs for 500 steps (120 rows in batches of 32 wait 125 epochs, 1000 rows 16). Bagging's
 * networks wait as long: at 100 steps a few hundred rows stopped within ten epochs of a noisy fold's best, too early
 * for the networks on the values (bench/defaults-lab.mjs, third round: Boston R² 0.880 → 0.895, vehicle 0.806 → 0.817).
 */
export function defaultPatience(trainingRows: number, batchSize: number): number {
  const stepsPerEpoch = Math.max(1, Math.ceil(trainingRows / batchSize));
  return Math.max(DEFAULT_PATIENCE, Math.ceil(PATIENCE_STEPS / stepsPerEpoch));
}

/**
 * The most epochs the default rule runs (it stops earlier once the loss stops falling, see LossStop): 1000, as
 * scikit-learn's max_iter, or fewer where that would pass 200 000 gradient steps, but never fewer than 100. 120
 * rows in batches of 32 get 1000, 10 000 rows 639, 100 000 rows 100.
 */
export function defaultEpochs(trainingRows: number, batchSize: number): number {
  const stepsPerEpoch = Math.max(1, Math.ceil(trainingRows / batchSize));
  return Math.min(1000, Math.max(100, Math.ceil(200_000 / stepsPerEpoch)));
}

/**
 * The bound c of the default L2 penalty, λ ≤ c/Σw²₀ (see defaultL2), by task: 0.3 for classes, 2 for a regression.
 * On the collection of bench/defaults.mjs the weaker penalty lifts the classification tables that trailed
 * scikit-learn under c = 2 (vowel, glass, vehicle, ionosphere, sonar), while the diabetes regression loses R² under
 * any bound below 2 (0.22 at c = 0.3, against 0.40).
 */
export const DEFAULT_L2_BOUND: Readonly<Record<Task, number>> = { classification: 0.3, regression: 2 };

/**
 * The L2 penalty λ·Σw² added to the mean loss: λ = 3/n for n training rows (the penalty weighs as much as three
 * rows' loss, so it matters on a few hundred rows and fades on many), but never so much that at the start, on the
 * initial weights' Σw²₀, it comes to more than c: λ ≤ c/Σw²₀, c being DEFAULT_L2_BOUND[task] (0.3 for classes, 2
 * for a regression; on the circle problem 3/n came to 2.71 against a data loss of 0.91). None under adamw, whose
 * decoupled weight decay takes its place. Without initialSquares, 3/n.
 */
export function defaultL2(trainingRows: number, optimizer: OptimizerName, task: Task, initialSquares?: number): number {
  if (optimizer === 'adamw') return 0;
  const perRows = 3 / Math.max(1, trainingRows);
  return initialSquares !== undefined && initialSquares > 0 ? Math.min(perRows, DEFAULT_L2_BOUND[task] / initialSquares) : perRows;
}

/** Σw² over a network's weight matrices (not biases): the initial weights' size, which bounds the default L2. */
export function sumOfSquaredWeights(parameters: readonly { kind: string; value: { data: ArrayLike<number> } }[]): number {
  let sum = 0;
  for (const p of parameters) {
    if (p.kind !== 'weights') continue;
    for (let i = 0; i < p.value.data.length; i++) sum += p.value.data[i] * p.value.data[i];
  }
  return sum;
}

/** The model options checked, with every default that does not depend on the data filled in. */
export interface ResolvedOptions {
  task?: Task;
  missing: 'fill' | 'error';
  keep: readonly string[];
  naValues?: readonly string[];
  bins: number;
  /** Absent: the default, which depends on whether a validation share was given (see baggingFor). */
  bagging?: number;
  layers: number[];
  activation: HiddenActivation;
  loss?: LossName;
  optimizer: OptimizerName;
  lr?: number;
  epochs?: number;
  batchSize: number;
  l1?: number;
  l2?: number;
  weightDecay?: number;
  clipNorm?: number;
  schedule?: ScheduleRule;
  dropout?: number[];
  classWeight?: ClassWeightRule;
  seed: number;
  backend: BackendChoice;
  kernels?: Kernels;
}

/**
 * The options with the data's defaults settled for a run on trainingRows rows: η, epochs, L2 and a cosine's length;
 * `stop` when the epochs are the default rule's (a cap, with the run ended once the loss stops falling).
 */
export type SettledOptions = ResolvedOptions & { lr: number; epochs: number; l2: number; stop?: { patience: number; tolerance: number } };

const fail = (option: string, expected: string, got: unknown): never => {
  let shown: string;
  try {
    shown = typeof got === 'string' ? JSON.stringify(got) : Array.isArray(got) ? `[${got.join(', ')}]` : typeof got === 'object' && got !== null ? JSON.stringify(got) ?? String(got) : String(got);
  } catch {
    shown = typeof got;
  }
  throw new OptionError(`${option}: expected ${expected}, got ${shown.length > 60 ? shown.slice(0, 57) + '...' : shown}`, option);
};
const isPositiveInteger = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 1;
const isNonNegative = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;
const isPositive = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;

function oneOf<T extends string>(option: string, value: unknown, names: readonly T[]): T {
  if (names.includes(value as T)) return value as T;
  const guess = typeof value === 'string' ? closestName(value, names) : undefined;
  throw new OptionError(`${option}: expected one of ${names.join(', ')}, got ${JSON.stringify(value)}${guess ? `; did you mean "${guess}"?` : ''}`, option);
}

/** A schedule written as text (step:10:0.5, exponential:0.95, cosine[:MIN], plateau[:F[:P]]) as a rule. */
export function parseSchedule(value: string): ScheduleRule {
  const [kind, ...args] = value.split(':');
  const numbers = args.map(Number);
  const bad = (expected: string): never => {
    throw new OptionError(`schedule: expected ${expected}, got "${value}"`, 'schedule');
  };
  if (args.some((a) => a.trim() === '') || numbers.some((n) => !Number.isFinite(n))) bad('step:EVERY:FACTOR, exponential:RATE, cosine[:MINIMUM] or plateau[:FACTOR[:PATIENCE]] with numbers');
  if (kind === 'step') {
    if (numbers.length !== 2 || !Number.isInteger(numbers[0]) || numbers[0] < 1 || !(numbers[1] > 0 && numbers[1] <= 1)) bad('step:EVERY:FACTOR, e.g. step:10:0.5 (EVERY a positive integer, FACTOR in (0, 1])');
    return { type: 'step', every: numbers[0], factor: numbers[1] };
  }
  if (kind === 'exponential') {
    if (numbers.length !== 1 || !(numbers[0] > 0 && numbers[0] <= 1)) bad('exponential:RATE, e.g. exponential:0.95 (RATE in (0, 1])');
    return { type: 'exponential', rate: numbers[0] };
  }
  if (kind === 'cosine') {
    if (numbers.length > 1 || (numbers.length === 1 && !(numbers[0] > 0))) bad('cosine or cosine:MINIMUM, e.g. cosine:0.0001 (MINIMUM positive)');
    return { type: 'cosine', ...(numbers.length ? { minimum: numbers[0] } : {}) };
  }
  if (kind === 'plateau') {
    if (numbers.length > 2 || (numbers.length >= 1 && !(numbers[0] > 0 && numbers[0] < 1)) || (numbers.length === 2 && !(Number.isInteger(numbers[1]) && numbers[1] >= 0))) {
      bad('plateau, plateau:FACTOR or plateau:FACTOR:PATIENCE, e.g. plateau:0.5:5 (FACTOR in (0, 1), PATIENCE whole epochs)');
    }
    return { type: 'plateau', ...(numbers.length ? { factor: numbers[0] } : {}), ...(numbers.length === 2 ? { patience: numbers[1] } : {}) };
  }
  return bad('step:EVERY:FACTOR, exponential:RATE, cosine[:MINIMUM] or plateau[:FACTOR[:PATIENCE]]');
}

/** Checks the model options (types, ranges, names that go together) and fills in the fixed defaults. */
export function resolveOptions(o: ModelOptions): ResolvedOptions {
  const layers = o.layers ?? DEFAULTS.layers;
  if (!Array.isArray(layers) || !layers.every(isPositiveInteger)) fail('layers', 'a list of positive integers like [16, 8] ([] for no hidden layer)', layers);
  // The model file holds at most 1000 layers, the output layer among them.
  if (layers.length > MAX_HIDDEN_LAYERS) fail('layers', `at most ${MAX_HIDDEN_LAYERS} hidden layers`, `${layers.length} of them`);
  const optimizer = oneOf('optimizer', o.optimizer ?? DEFAULTS.optimizer, OPTIMIZER_NAMES);
  if (o.weightDecay !== undefined && optimizer !== 'adamw') {
    throw new OptionError(`weightDecay: decoupled weight decay belongs to optimizer adamw (this run uses ${optimizer}); for the others use l2`, 'weightDecay');
  }
  for (const key of ['l1', 'l2', 'weightDecay'] as const) if (o[key] !== undefined && !isNonNegative(o[key])) fail(key, 'a number ≥ 0', o[key]);
  for (const key of ['lr', 'clipNorm'] as const) if (o[key] !== undefined && !isPositive(o[key])) fail(key, 'a positive number', o[key]);
  for (const key of ['epochs', 'batchSize'] as const) if (o[key] !== undefined && !isPositiveInteger(o[key])) fail(key, 'a positive integer', o[key]);
  if (o.bins !== undefined && !(o.bins === 0 || (Number.isInteger(o.bins) && o.bins >= 2 && o.bins <= 256))) fail('bins', '0 (none) or a whole number of bins from 2 to 256', o.bins);
  if (o.bagging !== undefined && !(Number.isInteger(o.bagging) && o.bagging >= 1 && o.bagging <= 100)) fail('bagging', 'a whole number of networks from 1 to 100', o.bagging);
  const seed = o.seed ?? DEFAULTS.seed;
  if (!Number.isSafeInteger(seed)) fail('seed', 'an integer', seed);
  let dropout: number[] | undefined;
  if (o.dropout !== undefined) {
    dropout = typeof o.dropout === 'number' ? [o.dropout] : Array.isArray(o.dropout) ? [...o.dropout] : fail('dropout', 'a rate in [0, 1) or one per hidden layer', o.dropout);
    if (!dropout.every((p) => typeof p === 'number' && p >= 0 && p < 1)) fail('dropout', 'a rate in [0, 1) or one per hidden layer, e.g. 0.2 or [0.3, 0.1]', o.dropout);
    if (dropout.length > 1 && dropout.length !== layers.length) {
      throw new OptionError(`dropout: ${dropout.length} rates for ${layers.length} hidden layer${layers.length === 1 ? '' : 's'}; give one rate, or one per hidden layer`, 'dropout');
    }
  }
  const classWeight = o.classWeight;
  if (classWeight !== undefined && classWeight !== 'balanced') {
    if (typeof classWeight !== 'object' || classWeight === null || Array.isArray(classWeight) || !Object.values(classWeight).every(isNonNegative)) {
      fail('classWeight', "'balanced' or weights by class name, e.g. { spam: 5 } (weights ≥ 0)", classWeight);
    }
  }
  const schedule = typeof o.schedule === 'string' ? parseSchedule(o.schedule) : o.schedule;
  const missing = oneOf('missing', o.missing ?? 'fill', ['fill', 'error'] as const);
  if (o.keep !== undefined && !(Array.isArray(o.keep) && o.keep.every((k) => typeof k === 'string'))) fail('keep', 'a list of column names', o.keep);
  return {
    ...(o.task !== undefined ? { task: oneOf('task', o.task, ['classification', 'regression'] as const) } : {}),
    missing,
    keep: [...(o.keep ?? [])],
    ...(o.naValues !== undefined ? { naValues: checkNaValues(o.naValues) } : {}),
    bins: o.bins ?? DEFAULTS.bins,
    ...(o.bagging !== undefined ? { bagging: o.bagging } : {}),
    layers: [...layers],
    activation: oneOf('activation', o.activation ?? DEFAULTS.activation, HIDDEN_ACTIVATIONS),
    ...(o.loss !== undefined ? { loss: oneOf('loss', o.loss, LOSS_NAMES) } : {}),
    optimizer,
    ...(o.lr !== undefined ? { lr: o.lr } : {}),
    ...(o.epochs !== undefined ? { epochs: o.epochs } : {}),
    batchSize: o.batchSize ?? DEFAULTS.batchSize,
    ...(o.l1 !== undefined ? { l1: o.l1 } : {}),
    ...(o.l2 !== undefined ? { l2: o.l2 } : {}),
    ...(o.weightDecay !== undefined ? { weightDecay: o.weightDecay } : {}),
    ...(o.clipNorm !== undefined ? { clipNorm: o.clipNorm } : {}),
    ...(schedule !== undefined ? { schedule } : {}),
    ...(dropout !== undefined ? { dropout } : {}),
    ...(classWeight !== undefined ? { classWeight } : {}),
    seed,
    backend: oneOf('backend', o.backend ?? DEFAULTS.backend, ['auto', 'blas', 'wasm', 'reference'] as const),
    ...(o.kernels !== undefined ? { kernels: checkKernels(o.kernels) } : {}),
  };
}

/** Kernels given by a caller: an object with the kernel interface's functions (checked by its products). */
export function checkKernels(kernels: unknown, option = 'kernels'): Kernels {
  const k = kernels as Partial<Kernels> | null;
  if (typeof k !== 'object' || k === null || typeof k.gemm !== 'function' || typeof k.name !== 'string') {
    throw new OptionError(`${option}: expected a backend's kernels (referenceKernels, or what createKernels gives), got ${k === null ? 'null' : typeof k}`, option);
  }
  return k as Kernels;
}

/**
 * How many networks a run trains (see ModelOptions.bagging): as given, else 5 without a validation share and 1
 * with one. Several networks hold out their own folds, so a validation share beside them is a mistake.
 */
export function baggingFor(o: Pick<ResolvedOptions, 'bagging'>, validation: number | undefined): number {
  if (o.bagging !== undefined && o.bagging > 1 && validation !== undefined) {
    throw new OptionError(`validation: with bagging ${o.bagging} each network holds out its own fold (1/${o.bagging} of the rows); drop validation, or give bagging 1 for one network with a validation share`, 'validation');
  }
  return o.bagging ?? (validation === undefined ? DEFAULT_BAGGING : 1);
}

/** Checks an options object's names (a misspelled one is an error that suggests the right one), then its values. */
export function checkTrainOptions(options: TrainOptions | undefined, argument = 'options'): TrainOptions {
  const o = checkOptions(options, TRAIN_OPTION_NAMES, argument);
  if (o.validation !== undefined && !(typeof o.validation === 'number' && o.validation >= 0 && o.validation < 1)) fail('validation', 'a share from 0 to below 1', o.validation);
  if (o.earlyStopping !== undefined) {
    if (!isPositiveInteger(o.earlyStopping)) fail('earlyStopping', 'a positive integer number of epochs', o.earlyStopping);
    if (o.validation === 0) throw new OptionError('earlyStopping: needs validation rows; drop validation: 0', 'earlyStopping');
  }
  if (o.onEpoch !== undefined && typeof o.onEpoch !== 'function') fail('onEpoch', 'a function', o.onEpoch);
  if (o.callbacks !== undefined) {
    if (!Array.isArray(o.callbacks)) fail('callbacks', 'a list of objects with hooks like onEpochEnd', o.callbacks);
    o.callbacks.forEach((c, i) => {
      const hooks = ['onTrainBegin', 'onEpochBegin', 'onBatchEnd', 'onEpochEnd', 'onTrainEnd'] as const;
      if (typeof c !== 'object' || c === null || hooks.some((h) => (c as Record<string, unknown>)[h] !== undefined && typeof (c as Record<string, unknown>)[h] !== 'function')) {
        fail(`callbacks[${i}]`, `an object whose hooks (${hooks.join(', ')}) are functions`, c);
      }
    });
  }
  if (o.signal !== undefined && !(typeof o.signal === 'object' && o.signal !== null && typeof (o.signal as AbortSignal).aborted === 'boolean')) fail('signal', 'an AbortSignal', o.signal);
  return o;
}

/**
 * The options with every data-dependent default filled in for a run on trainingRows rows of a task; initialSquares
 * is the new network's Σw² (see defaultL2); `bagged`, for one of bagging's networks (no default penalty for a
 * regression then). Epochs given are run to the end; the default is a cap with a stop.
 */
export function settle(o: ResolvedOptions, trainingRows: number, task: Task, initialSquares?: number, bagged = false): SettledOptions {
  const epochs = o.epochs ?? defaultEpochs(trainingRows, o.batchSize);
  // A cosine schedule anneals over the run's epochs, known only now.
  const schedule = o.schedule?.type === 'cosine' ? { ...o.schedule, epochs } : o.schedule;
  return {
    ...o,
    lr: o.lr ?? DEFAULT_RATE[o.optimizer],
    epochs,
    // A bagged regression stops on its fold's loss, which regularizes it; a penalty on top only held it back
    // (bench/defaults-lab.mjs: Boston R² 0.860 → 0.872, servo 0.885 → 0.903 without it).
    l2: o.l2 ?? (bagged && task === 'regression' ? 0 : defaultL2(trainingRows, o.optimizer, task, initialSquares)),
    ...(schedule ? { schedule } : {}),
    ...(o.epochs === undefined ? { stop: { patience: defaultPatience(trainingRows, o.batchSize), tolerance: DEFAULT_TOLERANCE } } : {}),
  };
}

type Controls = 'optimizer' | 'l1' | 'l2' | 'clipNorm' | 'schedule' | 'dropout' | 'classWeight';

/** The training controls as fit takes them, class names resolved against the data's classes. */
export function trainingControls(o: SettledOptions, prep: Preprocessing): Pick<FitOptions, Controls> {
  return {
    optimizer: o.optimizer === 'adamw' && o.weightDecay !== undefined ? { name: 'adamw', weightDecay: o.weightDecay } : o.optimizer,
    ...(o.l1 ? { l1: o.l1 } : {}),
    ...(o.l2 ? { l2: o.l2 } : {}),
    ...(o.clipNorm ? { clipNorm: o.clipNorm } : {}),
    ...(o.schedule ? { schedule: o.schedule as FitOptions['schedule'] } : {}),
    ...(o.dropout ? { dropout: o.dropout.length === 1 ? o.dropout[0] : o.dropout } : {}),
    ...(o.classWeight ? { classWeight: classWeightFor(o.classWeight, prep) } : {}),
  };
}

/** classWeight as fit takes it: balanced, or a weight per class in the order of the outputs (1 where not named). */
function classWeightFor(rule: ClassWeightRule, prep: Preprocessing): 'balanced' | number[] {
  const target = prep.target!;
  if (target.task !== 'classification') throw new OptionError(`classWeight: ${target.name} is a regression target; class weights are for classes`, 'classWeight');
  if (rule === 'balanced') return rule;
  const names = target.classes.map(String);
  for (const name of Object.keys(rule)) {
    if (!names.includes(name)) throw new OptionError(`classWeight: ${JSON.stringify(name)} is not a class of ${target.name} (${names.slice(0, 10).join(', ')}${names.length > 10 ? ', …' : ''})`, 'classWeight');
  }
  // Own names only: a class called constructor or toString is no weight inherited from Object.prototype.
  return names.map((n) => (Object.hasOwn(rule, n) ? rule[n] : 1));
}
