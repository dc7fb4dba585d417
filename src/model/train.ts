// From a table to a trained Model: the target and task from the column, a seeded stratified validation split,
// scaling and one-hot fitted on the training rows, the output layer and loss the target needs, the defaults
// settled for the data's size, then fit. The command line's `train` is this with a file reader in front.
import { chooseKernels } from '../core/backends.js';
import { BackpropError } from '../core/errors.js';
import { allocateFor, type Kernels } from '../core/kernels.js';
import type { Matrix } from '../core/matrix.js';
import { describeFrame, encodeFrameInputs, encodeFrameTargets, fitFramePreprocessing, type DataFrame, type FrameDescription } from '../data/frame.js';
import { decodeValues, encodedWidth, targetColumns, type Preprocessing } from '../data/preprocessing.js';
import { checkEncodedSize } from '../data/sizes.js';
import { splitRows } from '../data/split.js';
import { checkNaValues } from '../data/missing.js';
import { Network } from '../nn/network.js';
import { MAX_WEIGHTS_PER_LAYER, type LayerSpec } from '../nn/spec.js';
import { LossStop, type Callback, type History } from '../train/callbacks.js';
import { evaluate, fitAsync } from '../train/fit.js';
import { regressionScores } from '../train/metrics.js';
import { Model, type PredictionFor } from './model.js';
import {
  checkTrainOptions, DEFAULTS, OptionError, resolveOptions, settle, sumOfSquaredWeights, trainingControls,
  type ResolvedOptions, type SettledOptions, type TrainOptions,
} from './options.js';
import { toFrame, type TableData, type TableRecord } from './table.js';
import type { Task } from '../data/columns.js';

export interface Metrics { loss: number; accuracy?: number; mse?: number; mae?: number; r2?: number }

/** Loss, and accuracy or MSE, MAE and R² in the target's own units, of a network on encoded rows. */
export function measure(net: Network, prep: Preprocessing, xs: Matrix, ys: Matrix): Metrics {
  const classes = prep.target!.task === 'classification';
  const m: Metrics = evaluate(net, xs, ys, { accuracy: classes });
  if (!classes) Object.assign(m, regressionScores(decodeValues(prep, ys), decodeValues(prep, net.predict(xs))));
  return m;
}

/** The kernels a run asked for: given ones, else its backend choice ('auto': the fastest this environment has). */
export function kernelsFor(o: Pick<ResolvedOptions, 'backend' | 'kernels'>): Promise<Kernels> {
  return o.kernels ? Promise.resolve(o.kernels) : chooseKernels(o.backend);
}

/**
 * A network for the data: the hidden layers asked for, and the output layer and loss the target needs. `data` (the
 * table's name and the rows to be encoded) lets a table too wide to encode be refused first, naming the column.
 */
export async function networkFor(prep: Preprocessing, o: Pick<ResolvedOptions, 'layers' | 'activation' | 'loss' | 'seed' | 'backend' | 'kernels'>,
  data: { source: string; rows: number } = { source: 'data', rows: 0 }): Promise<Network> {
  const target = prep.target!;
  const classes = target.task === 'classification' ? target.classes : null;
  const output: LayerSpec = classes
    ? classes.length === 2 ? { units: 1, activation: 'sigmoid' } : { units: classes.length, activation: 'softmax' }
    : { units: targetColumns(target).length, activation: 'linear' };
  checkEncodedSize(prep.features, data.rows, 4, data.source, { units: o.layers[0] ?? output.units, maxWeights: MAX_WEIGHTS_PER_LAYER });
  return new Network({
    inputs: encodedWidth(prep.features),
    layers: [...o.layers.map((units) => ({ units, activation: o.activation })), output],
    loss: o.loss ?? (classes ? (classes.length === 2 ? 'binary-cross-entropy' : 'categorical-cross-entropy') : 'mse'),
    seed: o.seed,
  }, { kernels: await kernelsFor(o) });
}

const count = (n: number): string => n.toLocaleString('en-US');

/**
 * What the table layer did to the data, in words for a plan (the command line prints them): the missing values it
 * fills, each column it left out, and why the target's task.
 */
export function tableNotes(plan: Pick<TrainingPlan, 'description' | 'prep'>): { missing: string | null; leftOut: string[]; task: string } {
  const { description, prep } = plan;
  let missing: string | null = null;
  if (description.missing.length) {
    const values = description.missing.reduce((n, m) => n + m.count, 0);
    const with_ = new Set(description.missing.map((m) => m.column));
    const features = prep.features.filter((f) => with_.has(f.name));
    const numbers = features.filter((f) => f.type === 'numeric').length, dates = features.filter((f) => f.type === 'date').length;
    const indicators = features.filter((f) => f.type !== 'categorical' && f.indicator).length;
    const text = features.filter((f) => f.type === 'categorical').length;
    const ways = [
      numbers ? `numbers filled with training medians` : '',
      dates ? `dates with the training median date` : '',
    ].filter(Boolean).join(', ');
    missing = `${count(values)} value${values === 1 ? '' : 's'} in ${description.missing.length} column${description.missing.length === 1 ? '' : 's'}: ` +
      [ways ? `${ways}${indicators ? ` (${indicators} indicator input${indicators === 1 ? '' : 's'})` : ''}` : '', text ? 'text as its own level' : ''].filter(Boolean).join(', ');
  }
  const leftOut = description.leftOut.map((l) => (l.reason === 'identifier'
    ? `${l.name}: ${count(l.distinct)} distinct values in ${count(l.rows)} rows, left out as an identifier; --keep ${l.name} to use it`
    : `${l.name}: no values, left out`));
  const target = prep.target!;
  const asked = description.taskReason === 'as asked';
  const task = description.taskReason === 'text' || description.taskReason === 'numbers with fractions' || asked || targetColumns(target).length > 1 ? '' : target.task === 'classification'
    ? `${description.taskReason}; --task regression predicts them as numbers`
    : `${description.taskReason}; --task classification reads them as classes`;
  return { missing, leftOut, task };
}

/** What fitting a plan takes besides the options it was made with. */
export interface PlanFitOptions {
  callbacks?: readonly Callback[];
  signal?: AbortSignal;
}

/**
 * A training run made ready, before it starts: what it will train on and with what, so a caller can say so
 * (the command line prints it) and then fit. Data in memory or streamed from a file (backprop/node) alike.
 */
export interface TrainingPlan {
  source: string;
  rows: number;
  trainingRows: number;
  validationRows: number;
  prep: Preprocessing;
  network: Network;
  /** The options with the data's defaults settled: η, epochs, L2. */
  options: SettledOptions;
  /** Whether the rows are read in passes from a file. */
  streamed: boolean;
  /** The default rule's stop (absent when the epochs were given): after fit, which epoch it kept and why. */
  stop: LossStop | null;
  /** For data in memory: which rows train and which validate. */
  split?: { train: Uint32Array; test: Uint32Array };
  /** What the table layer found: why the task, the missing values it fills, the columns it left out. */
  description: Pick<FrameDescription, 'taskReason' | 'missing' | 'leftOut'>;
  fit(options?: PlanFitOptions): Promise<History>;
  /** Final metrics on the training and validation rows (a streamed run reports its last epoch's). */
  metrics(history: History): { train: Metrics; validation: Metrics | null };
}

/**
 * The seeded, stratified validation split, with a split that leaves one side empty worded as a validation mistake
 * that names its cause: a stratified split holds out the share of each class, rounded, so classes of a row or two
 * hold out none.
 */
export function validationSplit(rows: number, validation: number, seed: number, classIndex: Int32Array | null): { train: Uint32Array; test: Uint32Array } {
  if (validation === 0) return { train: Uint32Array.from({ length: rows }, (_, i) => i), test: new Uint32Array(0) };
  try {
    return splitRows(rows, { testFraction: validation, seed, stratify: classIndex ?? undefined });
  } catch (e) {
    if (!(e instanceof BackpropError) || e.field !== 'testFraction') throw e;
    const side = /no training rows/.test(e.message) ? 'training' : 'validation';
    const wanted = Math.round(rows * validation);
    if (classIndex && wanted >= 1 && wanted < rows) throw stratifiedSplitError(rows, validation, classIndex, side);
    throw new OptionError(`validation: ${validation} of ${rows} rows leaves no ${side} rows; use a ${side === 'training' ? 'smaller' : 'larger'} share, more rows, or validation 0`, 'validation');
  }
}

/**
 * Why a share that leaves rows on both sides of a plain split leaves none on one side of a stratified one: each
 * class's share is rounded on its own, and classes of a row or two round to nothing (or to all of them). A target of
 * that many classes is most often an identifier or free text, chosen as the target by mistake.
 */
function stratifiedSplitError(rows: number, validation: number, classIndex: Int32Array, side: 'training' | 'validation'): OptionError {
  const sizes = new Map<number, number>();
  for (let i = 0; i < rows; i++) sizes.set(classIndex[i], (sizes.get(classIndex[i]) ?? 0) + 1);
  let largest = 0;
  for (const n of sizes.values()) largest = Math.max(largest, n);
  const classes = sizes.size;
  const why = side === 'validation'
    ? `none of the target's ${classes} classes has rows enough (at most ${largest}) for ${validation} of them to round to one`
    : `each of the target's ${classes} classes has so few rows (at most ${largest}) that ${validation} of them rounds to all`;
  const hint = rows / classes < 5 ? `. ${classes} classes in ${rows} rows look more like an identifier or free text than classes (is the target the right column?)` : '';
  return new OptionError(`validation: ${validation} of ${rows} rows leaves no ${side} rows: the split keeps each class's share on both sides, and ${why}${hint}; or use validation 0`, 'validation');
}

/** A plan for data in memory; `description` when the caller has described the frame already. */
export async function planTraining(frame: DataFrame, options: TrainOptions = {}, description?: FrameDescription): Promise<TrainingPlan> {
  const t = checkTrainOptions(options);
  const o = resolveOptions(t);
  description ??= describeFrame(frame, t.target as string | string[] | undefined, o.task, { missing: o.missing, keep: o.keep });
  const validation = t.validation ?? DEFAULTS.validation;
  const split = validationSplit(frame.rows, validation, o.seed, description.classIndex);
  const prep = fitFramePreprocessing(description, frame, split.train);
  const net = await networkFor(prep, o, { source: frame.source, rows: split.train.length });
  const settled = settle(o, split.train.length, prep.target!.task, sumOfSquaredWeights(net.parameters));
  // Checked now, before any training: a class weight naming no class, say.
  const controls = trainingControls(settled, prep);
  // The input matrices, built once from the columns in the rows' split order; the training rows straight into
  // the backend's memory, where fit then gathers its batches without a copy. Each on its own, not in the network's
  // group: they live as long as this plan, and a million rows (over 64 MB) must not count against the network
  // memory one turn of the event loop may hand out, which would leave them in ordinary arrays for fit to copy.
  const inBackend = (r: number, c: number): Matrix => allocateFor(net.kernels, r, c, net.dtype);
  const xTrain = encodeFrameInputs(prep, frame, 'float32', split.train, inBackend);
  const yTrain = encodeFrameTargets(prep, frame, 'float32', split.train, inBackend).y;
  const xVal = split.test.length ? encodeFrameInputs(prep, frame, 'float32', split.test) : null;
  const yVal = split.test.length ? encodeFrameTargets(prep, frame, 'float32', split.test).y : null;
  // onEpoch may be async: its promises are followed, and a rejection becomes the run's error once fit ends.
  const pending = new Set<Promise<unknown>>();
  let failure: { error: unknown } | null = null;
  const onEpoch = t.onEpoch;
  const watch: Callback[] = onEpoch ? [{
    onEpochEnd: (logs) => {
      const r = onEpoch(logs) as unknown;
      if (r instanceof Promise) {
        const p: Promise<unknown> = r.then(() => pending.delete(p), (error) => {
          pending.delete(p);
          failure ??= { error };
        });
        pending.add(p);
      }
    },
  }] : [];
  const callbacks: Callback[] = [...(t.callbacks ?? []), ...watch];
  const stop = settled.stop ? new LossStop(settled.stop) : null;
  return {
    source: frame.source, rows: frame.rows, trainingRows: split.train.length, validationRows: split.test.length, prep, network: net,
    options: settled, streamed: false, split, stop,
    description: { taskReason: description.taskReason, missing: description.missing, leftOut: description.leftOut },
    fit: async (f = {}) => {
      const history = await fitAsync(net, xTrain, yTrain, {
        epochs: settled.epochs, ...controls, learningRate: settled.lr, batchSize: settled.batchSize, seed: settled.seed,
        validationData: xVal && yVal ? [xVal, yVal] : undefined, earlyStopping: t.earlyStopping,
        callbacks: [...(stop ? [stop] : []), ...callbacks, ...(f.callbacks ?? [])], signal: f.signal ?? t.signal,
      });
      await Promise.all(pending);
      if (failure) throw (failure as { error: unknown }).error;
      return history;
    },
    metrics: () => ({ train: measure(net, prep, xTrain, yTrain), validation: xVal && yVal ? measure(net, prep, xVal, yVal) : null }),
  };
}

/** Keys of a record type that name a field (for the target option). */
type FieldName<Row> = Extract<keyof Row, string>;

/**
 * Trains a model on data as you have it: an array of records, an object of columns, number[][] with `y`, a
 * DataFrame or an Arrow table (in Node, also backprop/node's readTable). The options are the command line's
 * train options, camelCased, with the same defaults; the target is the last column unless `target` names one.
 */
export async function train<Row extends object = TableRecord, Target extends FieldName<Row> = FieldName<Row>, K extends Task | undefined = undefined>(
  data: TableData<Row>, options?: TrainOptions<Target> & { task?: K }): Promise<Model<Omit<Row, Target>, PredictionFor<Row[Target], K>>> {
  const t = checkTrainOptions(options as TrainOptions);
  if (Array.isArray(data) && Array.isArray(data[0]) && t.y === undefined) {
    throw new OptionError('y: rows given as number[][] need their targets apart: train(x, { y })', 'y');
  }
  const frame = toFrame(data, { y: t.y, features: t.features, targetName: typeof t.target === 'string' ? t.target : undefined, ...(t.naValues ? { naValues: checkNaValues(t.naValues) } : {}) });
  const plan = await planTraining(frame, t.y !== undefined && t.target === undefined ? { ...t, target: 'y' } : t);
  const history = await plan.fit();
  return new Model<Omit<Row, Target>, PredictionFor<Row[Target], K>>(plan.network, plan.prep, history);
}
