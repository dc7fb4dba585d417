// From a table to a trained Model: the target and task from the column, a seeded stratified validation split,
// scaling and one-hot fitted on the training rows, the output layer and loss the target needs, the defaults
// settled for the data's size, then fit. The command line's `train` is this with a file reader in front.
import { chooseKernels } from '../core/backends.js';
import { BackpropError, quoted, thousands as count } from '../core/errors.js';
import { shellWord } from '../core/escape.js';
import { allocateFor, type Kernels } from '../core/kernels.js';
import { zeros, type Matrix } from '../core/matrix.js';
import { describeFrame, encodeFrameInputs, encodeFrameTargets, fitFramePreprocessing, withGroupedNumbers, wordList, type DataFrame, type FrameDescription } from '../data/frame.js';
import { defaultFit, fitPiecewise, MAX_PIECEWISE_BYTES, piecewiseWidth, valueSlots } from '../data/piecewise.js';
import { decodeValues, inputWidth, scaledInputs, targetColumns, type Preprocessing } from '../data/preprocessing.js';
import { checkEncodedSize } from '../data/sizes.js';
import { stratifiedFolds } from '../data/split.js';
import { averageNetworks, averageSpec } from '../nn/ensemble.js';
import { splitRows } from '../data/split.js';
import { checkNaValues, MAX_NA_LENGTH, MAX_NUMERIC_WORDS, numberOfText, storedNaValues } from '../data/missing.js';
import { ORDER_NAMES } from '../data/dates.js';
import { Network } from '../nn/network.js';
import { MAX_WEIGHTS_PER_LAYER, resolveSpec, type LayerSpec } from '../nn/spec.js';
import { LossStop, type Callback, type History } from '../train/callbacks.js';
import { evaluate, fitAsync } from '../train/fit.js';
import { classOf, regressionScores } from '../train/metrics.js';
import { Model, type PredictionFor } from './model.js';
import {
  BAG_CHOICE_MAX_ROWS, BAGGING_MAX_ROWS, REFIT_MAX_ROWS, baggingFor, checkTrainOptions, DEFAULTS, OptionError, resolveOptions, settle, sumOfSquaredWeights, trainingControls,
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
    inputs: inputWidth(prep),
    layers: [...o.layers.map((units) => ({ units, activation: o.activation })), output],
    loss: o.loss ?? (classes ? (classes.length === 2 ? 'binary-cross-entropy' : 'categorical-cross-entropy') : 'mse'),
    seed: o.seed,
  }, { kernels: await kernelsFor(o) });
}

/**
 * What the table layer did to the data, in words for a plan (the command line prints them): the missing values it
 * fills, each column it left out, and why the target's task (with the table's rows, whether asked classes are
 * nearly one a row).
 */
export function tableNotes(plan: Pick<TrainingPlan, 'description' | 'prep'>, rows?: number): { missing: string | null; leftOut: string[]; notDates: string[]; mixed: string[]; task: string } {
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
  const leftOut = description.leftOut.map((l) => (l.rising
    ? `${l.name}: whole numbers rising row by row (${l.rising.from} to ${l.rising.to}), named as an identifier: left out; --keep ${shellWord(l.name)} to use it`
    : l.reason === 'identifier'
    ? `${l.name}: ${l.distinctAtLeast ? `more than ${count(l.distinct - 1)}` : count(l.distinct)} distinct values in ${count(l.rows)} rows, left out as an identifier; --keep ${shellWord(l.name)} to use it`
    : `${l.name}: no values, left out`));
  // One value that is no date makes a column of dates text: said, with the value and where it is.
  // The value quoted once (its control characters as escapes, not escaped again); marking it missing is offered only
  // where an NA word can be that long.
  const notDates = description.notDates.map((d) => d.either
    ? `${d.column}: read as text, not dates: no day in it is above 12, so ${quoted(d.value, 40)} may be month/day or day/month; write the dates as ISO 8601 (2024-03-15) to read them as dates`
    : `${d.column}: read as text, not dates, for ${quoted(d.value, 40)} (${d.at}), which is no ${d.written ? 'date written as the others are (03/15/2024 or 15/03/2024, day and month in one order)' : 'ISO 8601 date'}; ${d.value.trim().length <= MAX_NA_LENGTH ? 'correct it or mark it missing (--na-values)' : 'correct it'} to read the column as dates`);
  // Numbers with words among them: which words were read as missing values, or that the numbers were read as text.
  // Dates not written as ISO 8601: the order of day and month they were read in, for the user to check.
  for (const f of prep.features) if (f.type === 'date' && f.order) notDates.push(`${f.name}: dates written ${ORDER_NAMES[f.order]}`);
  // Numbers written with their thousands separated (1,217) are said too: a reader of another habit (a decimal comma) would see 1.217.
  const mixed = description.mixed.map((m) => (m.as === 'numbers'
    ? `${m.column}: numbers${m.grouped === undefined ? '' : ` written with thousands separators (${quoted(m.grouped, 24)} read as ${numberOfText(m.grouped)})`}${m.words.length ? `, with ${wordList(m, MAX_NUMERIC_WORDS)} read as missing values` : ''}`
    : `${m.column}: text, with numbers among the words (${count(m.numbers)} of ${count(m.numbers + m.wordRows)} values), read as categories; --na-values marks words missing`));
  const target = prep.target!;
  const asked = description.taskReason === 'as asked';
  // Classes asked of numbers that are nearly all distinct: every value its own class, a row or two each.
  const classes = target.task === 'classification' && typeof target.classes[0] === 'number' ? target.classes.length : 0;
  const distinct = asked && rows !== undefined && classes > 20 && classes * 2 > rows;
  const task = distinct ? `as asked, though ${count(classes)} classes in ${count(rows!)} rows leave most of them a row or two; --task regression predicts them as numbers`
    : description.taskReason === 'text' || description.taskReason === 'numbers with fractions' || asked || targetColumns(target).length > 1 ? '' : target.task === 'classification'
    ? `${description.taskReason}; --task regression predicts them as numbers`
    : `${description.taskReason}; --task classification reads them as classes`;
  return { missing, leftOut, notDates, mixed, task };
}

/** What fitting a plan takes besides the options it was made with. */
export interface PlanFitOptions {
  /**
   * Hooks into every run fit trains, in turn: the fold networks', then on a small table the kept networks' second
   * round on every row (TrainingPlan.refit), which TrainOptions' callbacks and onEpoch do not see.
   */
  callbacks?: readonly Callback[];
  signal?: AbortSignal;
  /**
   * Whether a bagged run on a small table trains its kept networks again on every row (default true; see
   * TrainingPlan.refit). tune leaves it out of its trials: their score is the fold networks' either way.
   */
  refit?: boolean;
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
  /** The network trained; with bagging, the first member's until fit ends, then the average of all (see members). */
  network: Network;
  /** Networks trained and averaged (see ModelOptions.bagging): 1, or the folds' networks. */
  members: number;
  /**
   * With bagging: the networks fit trains, in the order it trains them: each one's fold (counted from 0) and whether
   * it reads the values without their bins. Where the bins keep their values, the first `members` are the mixed set
   * and the rest the second networks on the values (see baggedRuns); fit keeps one network per fold.
   */
  runs?: readonly BaggedRun[];
  /** With bagging: after fit, each kept member's run, in fold order (the first is fit's answer), and its stop. */
  memberRuns?: { history: History; stop: LossStop | null; rows: number; validationRows: number }[];
  /** With bagging where the bins keep their values: after fit, the two candidate sets' out-of-fold losses and which was kept (see chooseBagged). */
  bagChoice?: BagChoice;
  /**
   * With bagging on up to REFIT_MAX_ROWS rows: after fit, the epochs each kept network trained again from its start
   * on all the rows (its kept epoch on its fold), in fold order. The model averages these; memberRuns and the
   * out-of-fold figures stay the folds' networks'. These runs have no validation rows and are not shown to the
   * callbacks or onEpoch; a signal stops them, and the model is then the folds' networks' average.
   */
  refit?: { rows: number; epochs: number[] };
  /** The options with the data's defaults settled: η, epochs, L2. */
  options: SettledOptions;
  /** Whether the rows are read in passes from a file. */
  streamed: boolean;
  /** The default rule's stop (absent when the epochs were given): after fit, which epoch it kept and why. */
  stop: LossStop | null;
  /** For data in memory: which rows train and which validate. */
  split?: { train: Uint32Array; test: Uint32Array };
  /** What the table layer found: why the task, the missing values it fills, the columns it left out. */
  description: Pick<FrameDescription, 'taskReason' | 'missing' | 'leftOut' | 'notDates' | 'mixed'>;
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
    const split = splitRows(rows, { testFraction: validation, seed, stratify: classIndex ?? undefined });
    checkTrainingRows(validation, split.train.length, split.test.length);
    return split;
  } catch (e) {
    if (!(e instanceof BackpropError) || e.field !== 'testFraction') throw e;
    const side = /no training rows/.test(e.message) ? 'training' : 'validation';
    const wanted = Math.round(rows * validation);
    if (classIndex && wanted >= 1 && wanted < rows) throw stratifiedSplitError(rows, validation, classIndex, side);
    throw new OptionError(`validation: ${validation} of ${rows} rows leaves no ${side} rows; use a ${side === 'training' ? 'smaller' : 'larger'} share, more rows, or validation 0`, 'validation');
  }
}

/** Fewer training rows than this, and fewer than the validation rows, is a validation share given by mistake. */
export const MIN_TRAINING_ROWS = 10;

/**
 * A validation share that leaves a network next to nothing to learn from (--validation 0.999 on 100 rows: one
 * training row) is refused, naming the option: fewer than MIN_TRAINING_ROWS training rows, and fewer than the
 * validation rows. A small table with a small share (3 of 4 rows) still trains.
 */
export function checkTrainingRows(validation: number, train: number, test: number): void {
  if (train > 0 && train < MIN_TRAINING_ROWS && train < test) {
    throw new OptionError(`validation: ${validation} of ${train + test} rows leaves ${train} training row${train === 1 ? '' : 's'} against ${test} for validation; ` +
      `a network needs more to learn from: use a smaller share (at most 0.5), or validation 0`, 'validation');
  }
}

/**
 * Why a share that leaves rows on both sides of a plain split leaves none on one side of a stratified one: each
 * class's share is rounded on its own, and classes of a row or two round to nothing (or to all of them). A target of
 * that many classes is most often an identifier or free text, chosen as the target by mistake.
 */
function stratifiedSplitError(rows: number, validation: number, classIndex: Int32Array, side: 'training' | 'validation'): OptionError {
  const { classes, largest, hint } = classSizes(rows, classIndex);
  const why = side === 'validation'
    ? `none of the target's ${classes} classes has rows enough (at most ${largest}) for ${validation} of them to round to one`
    : `each of the target's ${classes} classes has so few rows (at most ${largest}) that ${validation} of them rounds to all`;
  return new OptionError(`validation: ${validation} of ${rows} rows leaves no ${side} rows: the split keeps each class's share on both sides, and ${why}${hint}; or use validation 0`, 'validation');
}

/** How many classes the rows have and how many rows the largest; a hint where so many classes look like no classes. */
function classSizes(rows: number, classIndex: ArrayLike<number>): { classes: number; largest: number; hint: string } {
  const sizes = new Map<number, number>();
  for (let i = 0; i < rows; i++) sizes.set(classIndex[i], (sizes.get(classIndex[i]) ?? 0) + 1);
  let largest = 0;
  for (const n of sizes.values()) largest = Math.max(largest, n);
  const classes = sizes.size;
  const hint = rows / classes < 5 ? `. ${classes} classes in ${rows} rows look more like an identifier or free text than classes (is the target the right column?)` : '';
  return { classes, largest, hint };
}

/**
 * A plan for data in memory; `description` when the caller has described the frame already; `rows`, to train on
 * those rows of the frame only (cross-validation's folds), as train would on a table of just them.
 */
export async function planTraining(frame: DataFrame, options: TrainOptions = {}, description?: FrameDescription, rows?: Uint32Array): Promise<TrainingPlan> {
  const t = checkTrainOptions(options);
  const o = resolveOptions(t);
  // Numbers written with their thousands separated (1,217) are text to a reader: numbers here, as in toFrame.
  frame = withGroupedNumbers(frame);
  description ??= describeFrame(frame, t.target as string | string[] | undefined, o.task, { missing: o.missing, keep: o.keep });
  let members = baggingFor(o, t.validation);
  // The default's networks fit the rows: each holds out at least two (a table of 6 rows gets 3 networks, of 3 one);
  // past BAGGING_MAX_ROWS rows the default is one network with the validation share.
  const tableRows = rows ? rows.length : frame.rows;
  if (o.bagging === undefined && members > 1) members = tableRows > BAGGING_MAX_ROWS ? 1 : Math.min(members, Math.floor(tableRows / 2));
  if (members > 1) return planBagged(frame, t, o, description, members, rows);
  const validation = t.validation ?? DEFAULTS.validation;
  const classIndex = description.classIndex && rows ? Int32Array.from(rows, (r) => description!.classIndex![r]) : description.classIndex;
  const split = validationSplit(rows ? rows.length : frame.rows, validation, o.seed, classIndex);
  if (rows) {
    split.train = split.train.map((i) => rows[i]);
    split.test = split.test.map((i) => rows[i]);
  }
  const prep = withPiecewise(withNaValues(fitFramePreprocessing(description, frame, split.train), o.naValues, frame.decimalComma), frame, split.train, o.bins);
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
  const { watch, settled: settledWatch } = epochWatch(t);
  const callbacks: Callback[] = [...(t.callbacks ?? []), ...watch];
  const stop = settled.stop ? new LossStop(settled.stop) : null;
  return {
    source: frame.source, rows: frame.rows, trainingRows: split.train.length, validationRows: split.test.length, prep, network: net,
    members: 1, options: settled, streamed: false, split, stop,
    description: { taskReason: description.taskReason, missing: description.missing, leftOut: description.leftOut, notDates: description.notDates, mixed: description.mixed },
    fit: async (f = {}) => {
      const history = await fitAsync(net, xTrain, yTrain, {
        epochs: settled.epochs, ...controls, learningRate: settled.lr, batchSize: settled.batchSize, seed: settled.seed,
        validationData: xVal && yVal ? [xVal, yVal] : undefined, earlyStopping: t.earlyStopping,
        callbacks: [...(stop ? [stop] : []), ...callbacks, ...(f.callbacks ?? [])], signal: f.signal ?? t.signal,
      });
      await settledWatch();
      return history;
    },
    metrics: () => ({ train: measure(net, prep, xTrain, yTrain), validation: xVal && yVal ? measure(net, prep, xVal, yVal) : null }),
  };
}

/**
 * onEpoch as a callback; it may be async: its promises are followed, and a rejection becomes the run's error once
 * fit ends (`settled` waits for them and throws it).
 */
function epochWatch(t: TrainOptions): { watch: Callback[]; settled: () => Promise<void> } {
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
  return {
    watch,
    settled: async () => {
      await Promise.all(pending);
      if (failure) throw (failure as { error: unknown }).error;
    },
  };
}

/** Rows a piecewise-linear encoding's quantiles are taken from, at most: a stride through larger sets. */
const PIECEWISE_SAMPLE = 100_000;

/**
 * The preprocessing with how its training data was written: the words that meant "no value", where they are not
 * the default list, and a decimal comma, where the numbers had one.
 */
export function withNaValues(prep: Preprocessing, naValues: readonly string[] | undefined, decimalComma = false): Preprocessing {
  const words = storedNaValues(naValues);
  return words || decimalComma ? { ...prep, ...(words ? { naValues: words } : {}), ...(decimalComma ? { decimalComma: true as const } : {}) } : prep;
}

/** The preprocessing with a piecewise-linear encoding of `bins` bins fitted on the rows' scaled numbers (none for bins 0). */
export function withPiecewise(prep: Preprocessing, frame: DataFrame, rows: ArrayLike<number>, bins: number): Preprocessing {
  const numeric = scaledInputs(prep.features);
  if (bins === 0 || numeric.length === 0 || rows.length === 0) return prep;
  const stride = Math.ceil(rows.length / PIECEWISE_SAMPLE);
  const sample = stride === 1 ? rows : Uint32Array.from({ length: Math.ceil(rows.length / stride) }, (_, i) => rows[i * stride]);
  const piecewise = fitPiecewise(encodeFrameInputs(prep, frame, 'float32', sample), numeric, bins, undefined, defaultFit(rows.length));
  // No bins where the binned rows would take more than MAX_PIECEWISE_BYTES (far below what a table may take).
  if (rows.length * piecewiseWidth(piecewise) * 4 > MAX_PIECEWISE_BYTES) return prep;
  return piecewise.columns.length ? { ...prep, piecewise } : prep;
}

/**
 * Which of a bagged run's networks read the values without their bins: the second, fourth, … where the bins keep
 * their values (bench/defaults-lab.mjs, second round: networks 2 and 4 of 5 on the values took the tuning part's
 * small tables from 0.8796 to 0.8816, vehicle 0.792 → 0.806, where bins alone lose to no bins at all). Their first
 * layers read the values' slots of the encoding once averaged (nn/ensemble.ts), so the model stays one network.
 */
export function unbinnedMembers(prep: Preprocessing, members: number): boolean[] {
  return Array.from({ length: members }, (_, k) => prep.piecewise?.value === true && k % 2 === 1);
}

/** One network a bagged run trains: the fold it holds out, and whether it reads the values without their bins. */
export interface BaggedRun {
  fold: number;
  unbinned: boolean;
}

/**
 * The networks a bagged run of `members` folds trains, in order: first the mixed set, one network per fold with
 * every second on the values without their bins (unbinnedMembers); then, where the bins keep their values, one more
 * network on the values for each fold whose mixed network reads the bins, so that the values alone make a second
 * set of one network per fold. chooseBagged keeps one of the two sets.
 */
export function baggedRuns(prep: Preprocessing, members: number, rows: number): BaggedRun[] {
  const mixed = unbinnedMembers(prep, members);
  const runs = mixed.map((unbinned, fold) => ({ fold, unbinned }));
  if (!mixed.some(Boolean) || rows > BAG_CHOICE_MAX_ROWS) return runs;
  return [...runs, ...mixed.flatMap((unbinned, fold) => (unbinned ? [] : [{ fold, unbinned: true }]))];
}

/** The two candidate sets' out-of-fold losses, and which one a bagged run kept. */
export interface BagChoice {
  /** The mixed set's (bins on every second fold's network) and the values-alone set's out-of-fold loss. */
  mixed: number;
  values: number;
  kept: 'mixed' | 'values';
}

/** The validation loss at the epoch a run kept (its last where nothing was kept). */
export function keptLoss(history: History): number {
  const e = history.epochs.find((l) => l.epoch === history.finalEpoch) ?? history.epochs[history.epochs.length - 1];
  return e?.valLoss ?? NaN;
}

/**
 * Which runs a bagged run keeps, one per fold in fold order, given each run's kept validation loss and the folds'
 * rows: with a second set (baggedRuns), the set of the lower out-of-fold loss (each fold's loss weighed by its
 * rows), the mixed one on a tie. bench/defaults-lab.mjs, third round, tuning part's fifteen small tables: the
 * choice takes vehicle from 0.817 to 0.835 (scikit-learn's MLP 0.837) and moves no other table by more than a test
 * row; it keeps the values alone on vehicle in all five splits and the mixed set on glass, servo, Boston and concrete.
 */
export function chooseBagged(runs: readonly BaggedRun[], losses: readonly number[], foldRows: readonly number[]): { kept: number[]; choice?: BagChoice } {
  const members = foldRows.length;
  const mixed = runs.slice(0, members).map((_, k) => k);
  if (runs.length === members) return { kept: mixed };
  const values = mixed.map((k) => (runs[k].unbinned ? k : runs.findIndex((r, i) => i >= members && r.fold === k)));
  const total = foldRows.reduce((a, b) => a + b, 0);
  const oof = (set: number[]): number => set.reduce((a, k) => a + foldRows[runs[k].fold] * losses[k], 0) / total;
  const choice: BagChoice = { mixed: oof(mixed), values: oof(values), kept: 'mixed' };
  if (choice.values < choice.mixed) choice.kept = 'values';
  return { kept: choice.kept === 'values' ? values : mixed, choice };
}

/** The preprocessing without its piecewise-linear encoding: what an unbinned network reads. */
export function withoutPiecewise(prep: Preprocessing): Preprocessing {
  const { piecewise: _, ...rest } = prep;
  return rest;
}

/**
 * Refuses, before any of them trains, runs whose average of `members` networks (every hidden layer as wide as all of
 * theirs together, on the widest inputs among them) would pass a network's bounds: five 2048-2048 networks trained
 * for minutes and then failed to average.
 */
export function checkAverage(nets: readonly Network[], members: number): void {
  if (members < 2 || nets.length === 0) return;
  const first = nets[0];
  const spec = averageSpec(first.spec, members, Math.max(...nets.map((n) => n.inputs)));
  try {
    resolveSpec(spec);
  } catch (e) {
    if (!(e instanceof BackpropError)) throw e;
    const hidden = spec.layers.slice(0, -1).map((l) => l.units).join('-');
    throw new OptionError(`bagging: ${members} networks of ${[first.inputs, ...first.layers.map((l) => l.units)].join('-')} are averaged into one with ${hidden} hidden units, and ${e.message.replace(/^layers\[\d+\]\.units: /, '')}; use fewer units (layers), fewer networks (bagging), or bagging 1`, 'bagging');
  }
}

/** The average's inputs when some members read the values without their bins (averageNetworks' inputs option). */
export function averageInputs(prep: Preprocessing, unbinned: readonly boolean[]): { width: number; rows: (number[] | null)[] } | undefined {
  if (!prep.piecewise || !unbinned.some(Boolean)) return undefined;
  const slots = valueSlots(prep.piecewise);
  return { width: piecewiseWidth(prep.piecewise), rows: unbinned.map((u) => (u ? slots : null)) };
}

/** Each fold's rows as a validation part and the others as training rows. */
export function foldRows(rows: number, folds: readonly Uint32Array[]): { train: Uint32Array; test: Uint32Array }[] {
  return folds.map((test) => {
    const held = new Uint8Array(rows);
    for (const r of test) held[r] = 1;
    const train = new Uint32Array(rows - test.length);
    for (let r = 0, t = 0; r < rows; r++) if (!held[r]) train[t++] = r;
    return { train, test };
  });
}

/**
 * The plan of a bagged run: every row trains; dealt into `members` stratified folds, network k (seed + k) trains
 * on all folds but k, watching its loss on fold k, stops by the default rule and keeps its best epoch there; fit
 * then averages them into one network. Where the bins keep their values, every second network reads the values
 * without their bins (unbinnedMembers), and the folds whose network reads the bins get a second one on the values:
 * fit keeps whichever set, mixed or values alone, has the lower out-of-fold loss (baggedRuns, chooseBagged). On up
 * to REFIT_MAX_ROWS rows each kept network then trains again from its start on all the rows for its kept epochs, and
 * the model averages those. The validation metrics are out-of-fold: each row scored by the kept fold network that
 * did not train on it.
 */
async function planBagged(frame: DataFrame, t: TrainOptions, o: ResolvedOptions, description: FrameDescription, members: number, rows?: Uint32Array): Promise<TrainingPlan> {
  const all = rows ?? Uint32Array.from({ length: frame.rows }, (_, i) => i);
  const n = all.length;
  if (n < 2 * members) {
    throw new OptionError(`bagging: ${members} networks each hold out a fold of the rows; ${frame.source} has ${n} rows, fewer than ${2 * members}; use bagging ${Math.max(1, Math.floor(n / 2))} or fewer, or bagging 1`, 'bagging');
  }
  // Each fold holds out its share of every class, as a validation split does: where no class has rows enough for a
  // fold to hold one of them, the target is most likely no target (the validation split's rule, in folds).
  const classIndex0 = description.classIndex;
  if (classIndex0) {
    const { classes, largest, hint } = classSizes(n, Array.from(all, (r) => classIndex0[r]));
    if (Math.round(largest / members) < 1) {
      throw new OptionError(`bagging: ${members} networks each hold out a fold of ${n} rows, a share of each class, and none of the target's ${classes} classes has rows enough (at most ${largest}) for a fold to hold one of them${hint}; or use bagging 1`, 'bagging');
    }
  }
  const prep = withPiecewise(withNaValues(fitFramePreprocessing(description, frame, all), o.naValues, frame.decimalComma), frame, all, o.bins);
  // The matrices hold the run's rows in order; folds index into them.
  const x = encodeFrameInputs(prep, frame, 'float32', all);
  const trained = baggedRuns(prep, members, n);
  const plain = withoutPiecewise(prep);
  const xPlain = trained.some((r) => r.unbinned) ? encodeFrameInputs(plain, frame, 'float32', all) : x;
  const xOf = (j: number): Matrix => (trained[j].unbinned ? xPlain : x);
  const { y, classIndex } = encodeFrameTargets(prep, frame, 'float32', all);
  const parts = foldRows(n, stratifiedFolds(n, members, { seed: o.seed, stratify: classIndex ?? undefined }));
  parts.forEach(({ train }, k) => {
    if (classIndex && (train.length === 0 || train.every((r) => classIndex[r] === classIndex[train[0]]))) {
      throw new OptionError(`bagging: network ${k + 1} of ${members} would train on one class alone of ${frame.source}'s ${n} rows; classification needs two classes in every network's rows (fewer networks, or bagging 1)`, 'bagging');
    }
  });
  // Run j holds out fold trained[j].fold and takes that fold's seed, whichever set it belongs to.
  const nets: Network[] = [];
  const settled: SettledOptions[] = [];
  for (const { fold, unbinned } of trained) {
    // A turn of the event loop before each network: a backend serves only so much network memory between turns (see
    // TURN_BYTES), and these networks all live, so each gets its own turn rather than ordinary arrays (slower).
    await eventLoopTurn();
    const net = await networkFor(unbinned ? plain : prep, { ...o, seed: o.seed + fold }, { source: frame.source, rows: n });
    nets.push(net);
    settled.push(settle(o, parts[fold].train.length, prep.target!.task, sumOfSquaredWeights(net.parameters), true));
  }
  // Checked now, before any training: a class weight naming no class, say; an average past a network's bounds.
  trainingControls(settled[0], prep);
  checkAverage(nets, members);
  // onEpoch sees each network's epochs in turn.
  const { watch, settled: settledWatch } = epochWatch(t);
  let merged: Network | null = null;
  let runs: NonNullable<TrainingPlan['memberRuns']> | undefined;
  let choice: BagChoice | undefined;
  // The runs kept, one per fold (the mixed set until fit has chosen).
  let kept = parts.map((_, k) => k);
  const plan: TrainingPlan = {
    source: frame.source, rows: n, trainingRows: n, validationRows: 0, prep,
    get network() {
      return merged ?? nets[0];
    },
    members, runs: trained, options: settled[0], streamed: false, stop: settled[0].stop ? new LossStop(settled[0].stop) : null,
    split: { train: all, test: new Uint32Array(0) },
    description: { taskReason: description.taskReason, missing: description.missing, leftOut: description.leftOut, notDates: description.notDates, mixed: description.mixed },
    get memberRuns() {
      return runs;
    },
    get bagChoice() {
      return choice;
    },
    fit: async (f = {}) => {
      plan.refit = undefined;
      const done: NonNullable<TrainingPlan['memberRuns']> = [];
      for (let j = 0; j < trained.length; j++) {
        const net = nets[j], s = settled[j], part = parts[trained[j].fold];
        const stop = j === 0 ? plan.stop : s.stop ? new LossStop(s.stop) : null;
        // This network's rows, gathered into its backend's memory for fit, handed back once it has trained; its
        // optimizer's state and batch buffers are made after a turn of the event loop, as the networks were.
        await eventLoopTurn();
        const xs = gatherRows(xOf(j), part.train, net), ys = gatherRows(y, part.train, net);
        const history = await fitAsync(net, xs, ys, {
          epochs: s.epochs, ...trainingControls(s, prep), learningRate: s.lr, batchSize: s.batchSize, seed: s.seed + trained[j].fold,
          validationData: [gatherRows(xOf(j), part.test), gatherRows(y, part.test)], earlyStopping: t.earlyStopping,
          callbacks: [...(stop ? [stop] : []), ...(t.callbacks ?? []), ...watch, ...(f.callbacks ?? [])], signal: f.signal ?? t.signal,
        });
        net.kernels.release?.(xs);
        net.kernels.release?.(ys);
        done.push({ history, stop, rows: part.train.length, validationRows: part.test.length });
        if (history.stopReason === 'aborted') {
          runs = done.slice(0, members);
          await settledWatch();
          return history;
        }
      }
      ({ kept, choice } = chooseBagged(trained, done.map((r) => keptLoss(r.history)), parts.map((p) => p.test.length)));
      runs = kept.map((j) => done[j]);
      // On a small table each kept network trains again from its start on every row, for its kept epochs.
      const finals = kept.map((j) => nets[j]);
      if (n <= REFIT_MAX_ROWS && f.refit !== false) {
        const every = Uint32Array.from({ length: n }, (_, i) => i);
        const epochs = runs.map((r) => Math.max(1, r.history.finalEpoch));
        for (const [k, j] of kept.entries()) {
          await eventLoopTurn();
          const net = await networkFor(trained[j].unbinned ? plain : prep, { ...o, seed: o.seed + trained[j].fold }, { source: frame.source, rows: n });
          const s = settle(o, n, prep.target!.task, sumOfSquaredWeights(net.parameters), true);
          const xs = gatherRows(xOf(j), every, net), ys = gatherRows(y, every, net);
          let history: History;
          try {
            history = await fitAsync(net, xs, ys, {
              epochs: epochs[k], ...trainingControls(s, prep), learningRate: s.lr, batchSize: s.batchSize, seed: s.seed + trained[j].fold, signal: f.signal ?? t.signal,
              callbacks: f.callbacks,
            });
          } finally {
            net.kernels.release?.(xs);
            net.kernels.release?.(ys);
          }
          if (history.stopReason === 'aborted') {
            // Interrupted: the folds' networks, all trained, are the model, and the history says so.
            merged = averageNetworks(kept.map((i) => nets[i]), { inputs: averageInputs(prep, kept.map((i) => trained[i].unbinned)) });
            await settledWatch();
            return { ...runs[0].history, stopReason: 'aborted' };
          }
          finals[k] = net;
        }
        plan.refit = { rows: n, epochs };
      }
      await eventLoopTurn();
      merged = averageNetworks(finals, { inputs: averageInputs(prep, kept.map((j) => trained[j].unbinned)) });
      await settledWatch();
      return runs[0].history;
    },
    metrics: () => {
      const net = merged ?? nets[0];
      // Out of fold: each kept network on the fold it held out, the rows put back in order.
      const outputs = zeros(n, net.outputs, 'float32');
      parts.forEach(({ test }, k) => {
        const p = nets[kept[k]].predict(gatherRows(xOf(kept[k]), test));
        test.forEach((r, i) => outputs.data.set(p.data.subarray(i * p.cols, (i + 1) * p.cols), r * p.cols));
      });
      return { train: measure(net, prep, x, y), validation: measureOutputs(nets[0], prep, outputs, y) };
    },
  };
  return plan;
}

/** A turn of the event loop (a timer's, which the backends' count of network memory between turns waits for). */
const eventLoopTurn = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/** The given rows of m, in that order, in the network's memory when a network is given (for fit to gather from). */
function gatherRows(m: Matrix, rows: ArrayLike<number>, net?: Network): Matrix {
  const out = net ? allocateFor(net.kernels, rows.length, m.cols, net.dtype) : zeros(rows.length, m.cols, 'float32');
  for (let i = 0; i < rows.length; i++) out.data.set(m.data.subarray(rows[i] * m.cols, (rows[i] + 1) * m.cols), i * m.cols);
  return out;
}

/** measure's figures for outputs already made (the out-of-fold predictions of a bagged run). */
function measureOutputs(net: Network, prep: Preprocessing, outputs: Matrix, ys: Matrix): Metrics {
  const classes = prep.target!.task === 'classification';
  const E = net.loss.elementwise;
  let sum = 0;
  // Binary cross-entropy reads the logit h: taken back from the probability.
  const logit = net.loss.name === 'binary-cross-entropy';
  for (let i = 0; i < ys.data.length; i++) {
    const p = Math.min(Math.max(outputs.data[i], 1e-7), 1 - 1e-7);
    sum += E.value(ys.data[i], outputs.data[i], logit ? Math.log(p) - Math.log1p(-p) : NaN);
  }
  const m: Metrics = { loss: sum / ys.rows };
  if (classes) {
    let correct = 0;
    for (let i = 0; i < ys.rows; i++) if (classOf(outputs, i) === classOf(ys, i)) correct++;
    m.accuracy = correct / ys.rows;
  } else Object.assign(m, regressionScores(decodeValues(prep, ys), decodeValues(prep, outputs)));
  return m;
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
