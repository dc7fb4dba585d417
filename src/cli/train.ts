// `backprop train <data>`: from a CSV file (or a built-in data set) to a trained, saved model.
import type { Task } from '../data/columns.js';
import { describeFrame, encodeFrameInputs, encodeFrameTargets, fitFramePreprocessing, type DataFrame } from '../data/frame.js';
import { decodeOutput, decodeValues, encodeRecord, encodedWidth, targetColumns, type Preprocessing } from '../data/preprocessing.js';
import { splitRows } from '../data/split.js';
import { UsageError } from './errors.js';
import { stringifyModel } from '../io/model-file.js';
import type { ActivationName } from '../nn/activations.js';
import type { LossName } from '../nn/losses.js';
import { Network } from '../nn/network.js';
import type { LayerSpec } from '../nn/spec.js';
import { commitFiles, discardFiles, stageFile, type StagedFile } from '../node/files.js';
import { createKernels, type BackendChoice } from '../node/backends.js';
import { evaluate, fitAsync, type FitOptions } from '../train/fit.js';
import { fitBatches } from '../train/batches.js';
import type { History } from '../train/callbacks.js';
import { scanForTraining, trainingBatches, validationBatches } from '../node/streaming.js';
import { isPattern } from '../node/readers/duckdb.js';
import { existsSync, statSync } from 'node:fs';
import { regressionScores } from '../train/metrics.js';
import type { OptimizerName } from '../train/optimizers.js';
import type { ClassWeightRule, ScheduleRule } from './options.js';
import { toRows, type Matrix } from '../core/matrix.js';
import { BackpropError } from '../core/errors.js';
import { loadFrame } from './data.js';
import { renderPlot, type BoundaryPlot } from './plot.js';
import { progressCallback } from './progress.js';
import { settle } from './defaults.js';

export interface TrainOptions {
  /** The target column, or several for a multi-output regression. */
  target?: string | string[];
  task?: Task;
  layers: number[];
  activation: ActivationName;
  loss?: LossName;
  optimizer: OptimizerName;
  /** Default: the optimizer's usual rate (see settle in defaults.ts). */
  lr?: number;
  /** Default: from the number of training rows (see defaultEpochs). */
  epochs?: number;
  batchSize: number;
  validation: number;
  earlyStopping?: number;
  seed: number;
  out?: string;
  plot?: string;
  json: boolean;
  quiet: boolean;
  samples?: number;
  noise?: number;
  backend: BackendChoice;
  delimiter?: string;
  decimalComma?: boolean;
  /** Read the data in passes from the file rather than whole. */
  stream: boolean;
  /** Bytes the data may take in memory before it is streamed. */
  memory: number;
  l1?: number;
  /** Default 3/n for n training rows (see defaultL2). */
  l2?: number;
  /** AdamW's decoupled weight decay (with --optimizer adamw). */
  weightDecay?: number;
  clipNorm?: number;
  schedule?: ScheduleRule;
  /** Dropout rate of every hidden layer, or one per hidden layer. */
  dropout?: number[];
  classWeight?: ClassWeightRule;
}

export interface TrainResult {
  interrupted: boolean;
}

export interface Metrics { loss: number; accuracy?: number; mse?: number; mae?: number; r2?: number }

/** Loss, and accuracy or MSE, MAE and R² in the target's own units, of a network on encoded rows. */
export function measure(net: Network, prep: Preprocessing, xs: Matrix, ys: Matrix): Metrics {
  const classes = prep.target!.task === 'classification';
  const m: Metrics = evaluate(net, xs, ys, { accuracy: classes });
  if (!classes) Object.assign(m, regressionScores(decodeValues(prep, ys), decodeValues(prep, net.predict(xs))));
  return m;
}

/** What training needs from its data, in memory or streamed: the description, and how to train and measure. */
interface Prepared {
  source: string;
  rows: number;
  trainingRows: number;
  validationRows: number;
  prep: Preprocessing;
  /** Whether the data is read in passes from the file (--stream). */
  streamed: boolean;
  fit(options: FitAsyncOptions): Promise<History>;
  /** Final metrics: recomputed on the data in memory; a streamed run reports its last epoch's. */
  metrics(history: History): { train: Metrics; validation: Metrics | null };
  boundary(): BoundaryPlot | undefined;
}

type Controls = 'optimizer' | 'l1' | 'l2' | 'clipNorm' | 'schedule' | 'dropout' | 'classWeight';
type FitAsyncOptions = Pick<FitOptions, 'epochs' | 'learningRate' | 'earlyStopping' | 'callbacks' | 'signal' | Controls>;

/** The training controls of the command's options, as fit takes them, class names resolved against the data's. */
export function trainingControls(o: Pick<TrainOptions, 'optimizer' | 'weightDecay' | 'l1' | 'l2' | 'clipNorm' | 'schedule' | 'dropout' | 'classWeight' | 'layers'>, prep: Preprocessing): Pick<FitOptions, Controls> {
  return {
    optimizer: o.optimizer === 'adamw' && o.weightDecay !== undefined ? { name: 'adamw', weightDecay: o.weightDecay } : o.optimizer,
    ...(o.l1 ? { l1: o.l1 } : {}),
    ...(o.l2 ? { l2: o.l2 } : {}),
    ...(o.clipNorm ? { clipNorm: o.clipNorm } : {}),
    ...(o.schedule ? { schedule: o.schedule } : {}),
    ...(o.dropout ? { dropout: dropoutFor(o.dropout, o.layers) } : {}),
    ...(o.classWeight ? { classWeight: classWeightFor(o.classWeight, prep) } : {}),
  };
}

function dropoutFor(rates: number[], layers: number[]): number | number[] {
  if (rates.length === 1) return rates[0];
  if (rates.length !== layers.length) {
    throw new UsageError(`--dropout: ${rates.length} rates for ${layers.length} hidden layer${layers.length === 1 ? '' : 's'}; give one rate, or one per hidden layer`, '--dropout');
  }
  return rates;
}

/** --class-weight as fit takes it: balanced, or a weight per class in the order of the outputs (1 where not named). */
function classWeightFor(rule: ClassWeightRule, prep: Preprocessing): 'balanced' | number[] {
  const target = prep.target!;
  if (target.task !== 'classification') throw new UsageError(`--class-weight: ${target.name} is a regression target; class weights are for classes`, '--class-weight');
  if (rule === 'balanced') return rule;
  const names = target.classes.map(String);
  for (const name of rule.keys()) {
    if (!names.includes(name)) throw new UsageError(`--class-weight: ${JSON.stringify(name)} is not a class of ${target.name} (${names.slice(0, 10).join(', ')}${names.length > 10 ? ', …' : ''})`, '--class-weight');
  }
  return names.map((n) => rule.get(n) ?? 1);
}

/** A network for the data: the hidden layers asked for, and the output layer and loss the target needs. */
export async function networkFor(prep: Preprocessing, o: Pick<TrainOptions, 'layers' | 'activation' | 'loss' | 'seed' | 'backend'> & { threads?: number }): Promise<Network> {
  const target = prep.target!;
  const classes = target.task === 'classification' ? target.classes : null;
  const output: LayerSpec = classes
    ? classes.length === 2 ? { units: 1, activation: 'sigmoid' } : { units: classes.length, activation: 'softmax' }
    : { units: targetColumns(target).length, activation: 'linear' };
  return new Network({
    inputs: encodedWidth(prep.features),
    layers: [...o.layers.map((units) => ({ units, activation: o.activation })), output],
    loss: o.loss ?? (classes ? (classes.length === 2 ? 'binary-cross-entropy' : 'categorical-cross-entropy') : 'mse'),
    seed: o.seed,
  }, { kernels: await createKernels(o.backend, o.threads ? { threads: o.threads } : {}) });
}

/** Whether to read the data in passes: when asked, or when it would not fit the memory budget. */
function shouldStream(data: string, o: TrainOptions): boolean {
  if (o.stream) {
    if (data === '-' || (!existsSync(data) && !isPattern(data))) {
      throw new UsageError(`--stream: reads a data file (or folder, or glob) in passes; ${data === '-' ? 'standard input' : `"${data}"`} cannot be streamed this way`, '--stream');
    }
    return true;
  }
  let bytes: number;
  try {
    bytes = statSync(data).size;
  } catch {
    return false; // standard input, a built-in data set or a glob: in memory
  }
  // The encoded data takes about what the text does; compressed files hold several times their size.
  const estimate = /\.(gz|parquet)$/i.test(data) ? 4 * bytes : bytes;
  return estimate > o.memory;
}

async function prepareInMemory(data: string, o: TrainOptions): Promise<Prepared & { net: Network }> {
  let frame: DataFrame | null = await loadFrame(data, { samples: o.samples, noise: o.noise, seed: o.seed }, { delimiter: o.delimiter, decimalComma: o.decimalComma });
  const source = frame.source;
  const description = describeFrame(frame, o.target, o.task);
  const rows = frame.rows;
  let split: { train: Uint32Array; test: Uint32Array } | null = o.validation > 0
    ? validationSplit(rows, o, description.classIndex)
    : { train: Uint32Array.from({ length: rows }, (_, i) => i), test: new Uint32Array(0) };
  const prep = fitFramePreprocessing(description, frame, split.train);
  const net = await networkFor(prep, o);
  // The input matrices, built once from the columns in the rows' split order; the training rows straight into
  // the backend's memory, where fit then gathers its batches without a copy.
  const inBackend = (r: number, c: number): Matrix => net.allocate(r, c);
  const xTrain = encodeFrameInputs(prep, frame, 'float32', split.train, inBackend);
  const yTrain = encodeFrameTargets(prep, frame, 'float32', split.train, inBackend).y;
  const xVal = split.test.length ? encodeFrameInputs(prep, frame, 'float32', split.test) : null;
  const yVal = split.test.length ? encodeFrameTargets(prep, frame, 'float32', split.test).y : null;
  // The columns are in the matrices now; only a plot of the data points needs them again.
  const validationRows = split.test.length, trainingRows = split.train.length;
  const held = o.plot ? split.test : new Uint32Array(0);
  split = null;
  if (!o.plot) frame = null;
  const metrics = (xs: Matrix, ys: Matrix): Metrics => measure(net, prep, xs, ys);
  return {
    source, rows, trainingRows, validationRows, prep, net, streamed: false,
    fit: (options) => fitAsync(net, xTrain, yTrain, { ...options, batchSize: o.batchSize, seed: o.seed, validationData: xVal && yVal ? [xVal, yVal] : undefined }),
    metrics: () => ({ train: metrics(xTrain, yTrain), validation: xVal && yVal ? metrics(xVal, yVal) : null }),
    boundary: () => (frame ? boundaryFor(net, prep, frame, held) : undefined),
  };
}

async function prepareStreamed(data: string, o: TrainOptions): Promise<Prepared & { net: Network }> {
  if (Array.isArray(o.target) && o.target.length > 1) throw new UsageError('--target: several targets (a multi-output regression) need the data in memory; drop --stream or raise --memory', '--target');
  const scanned = await scanForTraining(data, data, { delimiter: o.delimiter, decimalComma: o.decimalComma }, { target: Array.isArray(o.target) ? o.target[0] : o.target, task: o.task, validation: o.validation, seed: o.seed });
  const net = await networkFor(scanned.prep, o);
  // The shuffle buffer takes a quarter of the budget (its float32 inputs and targets).
  const bufferRows = Math.max(o.batchSize, Math.floor(o.memory / 4 / ((net.inputs + net.outputs) * 4)));
  const last = (history: History, validation: boolean): Metrics | null => {
    const e = history.epochs[history.epochs.length - 1];
    if (!e) return null;
    if (validation) return e.valLoss === undefined ? null : { loss: e.valLoss, ...(e.valAccuracy !== undefined ? { accuracy: e.valAccuracy } : {}) };
    return { loss: e.loss, ...(e.accuracy !== undefined ? { accuracy: e.accuracy } : {}) };
  };
  return {
    source: data, rows: scanned.rows, trainingRows: scanned.trainRows, validationRows: scanned.validationRows, prep: scanned.prep, net, streamed: true,
    fit: (options) => fitBatches(net, trainingBatches(scanned, net.inputs, net.outputs, o.batchSize, bufferRows), {
      ...options,
      validationBatches: o.validation > 0 ? validationBatches(scanned, net.inputs, net.outputs) : undefined,
    }),
    metrics: (history) => ({ train: last(history, false)!, validation: last(history, true) }),
    boundary: () => undefined,
  };
}

export async function train(data: string, o: TrainOptions, out: NodeJS.WriteStream, signal: AbortSignal): Promise<TrainResult> {
  // With --out - the model is what goes to standard output; the report then goes to stderr.
  const report = o.out === '-' ? process.stderr : out;
  const say = (line = ''): void => {
    if (!o.quiet && !o.json) report.write(line + '\n');
  };
  const prepared = shouldStream(data, o) ? await prepareStreamed(data, o) : await prepareInMemory(data, o);
  const { source, rows, trainingRows, validationRows, prep, net } = prepared;
  const s = settle(o, trainingRows);
  const fitControls = trainingControls(s, prep);
  const target = prep.target!;
  const classes = target.task === 'classification' ? target.classes : null;
  const loss = net.loss.name;

  const numeric = prep.features.filter((f) => f.type === 'numeric').length;
  const text = prep.features.length - numeric;
  say(`data     ${source}: ${rows} rows, ${prep.features.length} features (${numeric} numeric, standardized${text ? `; ${text} text, one-hot encoded` : ''}) → ${net.inputs} inputs${prepared.streamed ? ', streamed from the file' : ''}`);
  const targetNames = targetColumns(target).map((c) => c.name);
  say(`target   ${targetNames.join(', ')}: ${classes ? `classification, ${classes.length} classes (${classes.slice(0, 10).join(', ')}${classes.length > 10 ? ', …' : ''})` : targetNames.length > 1 ? `regression, ${targetNames.length} outputs` : 'regression'}`);
  say(`split    ${trainingRows} training rows, ${validationRows} validation rows (seed ${o.seed})`);
  say(`network  ${[net.inputs, ...net.layers.map((l) => l.units)].join('-')} (${net.layers.map((l) => l.activation.name).join(', ')}), loss ${loss}, ${o.optimizer} η=${s.lr}, batch ${o.batchSize}, ${s.epochs} epochs, ${net.kernels.name} kernels`);
  const controls = [
    o.optimizer === 'adamw' ? `weight decay ${o.weightDecay ?? 0.01}` : '', o.l1 ? `l1 ${o.l1}` : '', s.l2 ? `l2 ${+s.l2.toPrecision(3)}${o.l2 === undefined ? ' (3/n)' : ''}` : '',
    o.clipNorm ? `gradients clipped to norm ${o.clipNorm}` : '',
    o.dropout ? `dropout ${o.dropout.join(',')}` : '',
    o.classWeight ? `class weights ${o.classWeight === 'balanced' ? 'balanced' : [...o.classWeight].map(([k, v]) => `${k}=${v}`).join(',')}` : '',
    s.schedule ? `η ${s.schedule.type === 'step' ? `× ${s.schedule.factor} every ${s.schedule.every} epochs` : s.schedule.type === 'exponential' ? `× ${s.schedule.rate} each epoch` : s.schedule.type === 'cosine' ? `cosine down to ${s.schedule.minimum ?? 0}` : `× ${s.schedule.factor ?? 0.1} after ${s.schedule.patience ?? 10} epochs without a better ${validationRows ? 'validation ' : ''}loss`}` : '',
  ].filter(Boolean);
  if (controls.length) say(`controls ${controls.join(', ')}`);

  const history = await prepared.fit({
    epochs: s.epochs,
    ...fitControls,
    learningRate: s.lr,
    earlyStopping: o.earlyStopping,
    callbacks: o.quiet || o.json ? [] : [progressCallback(report)],
    signal,
  });
  if (history.stopReason === 'aborted') return interrupted(`in epoch ${history.epochs.length + 1}`, o);
  if (history.stopReason === 'early-stopping') say(`stopped early: validation loss stopped improving; kept the weights of epoch ${history.finalEpoch}`);
  const { train: trainMetrics, validation: valMetrics } = prepared.metrics(history);

  // Every output is written whole beside its target first; only when all are, and no interrupt came
  // meanwhile, are they renamed into place. A failure or Ctrl-C before that leaves every old file as it was.
  const modelText = o.out ? stringifyModel(net, prep) : '';
  const staged: StagedFile[] = [];
  try {
    if (o.out && o.out !== '-') staged.push(stageFile(o.out, modelText));
    if (o.plot) {
      const boundary = prepared.boundary();
      staged.push(stageFile(o.plot, renderPlot({ title: `backprop train ${data}`, epochs: history.epochs, boundary })));
    }
  } catch (e) {
    discardFiles(staged);
    if (e instanceof BackpropError && staged.length > 0) {
      throw new BackpropError(`${e.message}, and ${staged.map((s) => s.path).join(' and ')} ${staged.length === 1 ? 'was' : 'were'} not written either`);
    }
    throw e;
  }
  // A signal is delivered between turns of the event loop: give it one before deciding.
  await new Promise((resolve) => setImmediate(resolve));
  if (signal.aborted) {
    discardFiles(staged);
    return interrupted('before the outputs were written', o);
  }
  commitFiles(staged);
  const plotWritten = o.plot !== undefined;
  // With --out -, the model itself is the output.
  if (o.out === '-') out.write(modelText);

  if (o.json) {
    out.write(JSON.stringify({
      data: { source, rows, features: prep.features.map((f) => f.name), inputs: net.inputs, target: target.name, ...(targetNames.length > 1 ? { targets: targetNames } : {}), task: target.task, classes },
      network: net.toSpec(),
      training: { trainRows: trainingRows, validationRows, epochs: s.epochs, learningRate: s.lr, batchSize: o.batchSize, l2: s.l2, stopReason: history.stopReason, finalEpoch: history.finalEpoch },
      metrics: { train: trainMetrics, validation: valMetrics },
      history: history.epochs,
      model: o.out && o.out !== '-' ? o.out : null,
      plot: plotWritten ? o.plot : null,
    }) + '\n');
  } else {
    say(`final    train ${formatMetrics(trainMetrics)}`);
    if (valMetrics) say(`         validation ${formatMetrics(valMetrics)}`);
    say(o.out === '-' ? 'model    written to standard output' : o.out ? `model    written to ${o.out}` : 'model    not saved (add --out model.json to keep it)');
    if (plotWritten) say(`plot     written to ${o.plot}`);
  }
  return { interrupted: false };
}

/** The seeded, stratified validation split, with a split that leaves one side empty worded as a --validation mistake. */
function validationSplit(rows: number, o: TrainOptions, classIndex: Int32Array | null): { train: Uint32Array; test: Uint32Array } {
  try {
    return splitRows(rows, { testFraction: o.validation, seed: o.seed, stratify: classIndex ?? undefined });
  } catch (e) {
    if (!(e instanceof BackpropError) || e.field !== 'testFraction') throw e;
    const side = /no training rows/.test(e.message) ? 'training' : 'validation';
    throw new UsageError(`--validation: ${o.validation} of ${rows} rows leaves no ${side} rows; use a ${side === 'training' ? 'smaller' : 'larger'} share, more rows, or --validation 0`, '--validation');
  }
}

function interrupted(when: string, o: TrainOptions): TrainResult {
  const kept = [o.out && o.out !== '-' ? o.out : null, o.plot ?? null].filter((f): f is string => f !== null);
  process.stderr.write(`backprop: interrupted ${when}; nothing was written${kept.length ? ` (${kept.join(' and ')} unchanged)` : ''}\n`);
  return { interrupted: true };
}

export function formatMetrics(m: Metrics): string {
  const parts = [`loss ${m.loss.toFixed(4)}`];
  if (m.accuracy !== undefined) parts.push(`accuracy ${(100 * m.accuracy).toFixed(1)}%`);
  if (m.mae !== undefined) parts.push(`MAE ${m.mae.toPrecision(4)}`, `RMSE ${Math.sqrt(m.mse!).toPrecision(4)}`, `R² ${Number.isNaN(m.r2) ? 'undefined (constant target)' : m.r2!.toFixed(3)}`);
  return parts.join('  ');
}

/** For two numeric features: the model's answer over a 60×60 grid of the input plane, and the data points. */
function boundaryFor(net: Network, prep: Preprocessing, frame: DataFrame, held: ArrayLike<number>): BoundaryPlot | undefined {
  const f = prep.features;
  const target = prep.target!;
  if (f.length !== 2 || f.some((x) => x.type !== 'numeric') || target.task !== 'classification') return undefined;
  const numbers = (name: string): Float64Array => (frame.columns.find((c) => c.name === name) as { values: Float64Array }).values;
  const xs = numbers(f[0].name), ys = numbers(f[1].name);
  const range = (v: Float64Array): [number, number] => {
    let lo = Infinity, hi = -Infinity;
    for (const x of v) {
      lo = Math.min(lo, x);
      hi = Math.max(hi, x);
    }
    return [lo - 0.05 * (hi - lo || 1), hi + 0.05 * (hi - lo || 1)];
  };
  const [x0, x1] = range(xs);
  const [y0, y1] = range(ys);
  const n = 60;
  const grid: number[][] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) grid.push(encodeRecord(prep, [x0 + ((j + 0.5) / n) * (x1 - x0), y1 - ((i + 0.5) / n) * (y1 - y0)]));
  }
  const outputs = toRows(net.predict(grid)).map((o) => decodeOutput(prep, o));
  const heldSet = new Set(Array.from(held));
  const classes = target.classes;
  const cells = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => {
    const d = outputs[i * n + j] as { label: string | number; probabilities: number[] };
    const cls = classes.indexOf(d.label);
    return { cls, p: d.probabilities[cls] };
  }));
  const { classIndex } = encodeFrameTargets(prep, frame);
  const points = Array.from({ length: frame.rows }, (_, r) => ({ x: xs[r], y: ys[r], cls: classIndex![r], held: heldSet.has(r) }));
  return { xLabel: f[0].name, yLabel: f[1].name, x0, x1, y0, y1, cells, classes: classes.map(String), points };
}
