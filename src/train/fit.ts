// The training loop: epochs of shuffled mini-batches, each one forward pass, one backward pass and
// one optimizer step, with validation and callbacks at the epoch's end. All batch buffers are made once.
import { BackpropError, checkOptions } from '../core/errors.js';
import { allocateFor } from '../core/kernels.js';
import { zeros, type FloatArray, type Matrix } from '../core/matrix.js';
import { Random } from '../core/random.js';
import type { BatchInput } from '../nn/input.js';
import { Network } from '../nn/network.js';
import {
  EarlyStopping, recordEpoch, type BatchLogs, type Callback, type EarlyStoppingOptions, type EpochLogs, type History,
  type StopReason, type TrainingControl,
} from './callbacks.js';
import { classOf } from './metrics.js';
import { classWeights, rowWeights, type ClassWeight } from './class-weights.js';
import type { OptimizerConfig, OptimizerName } from './optimizers.js';
import { Trainer } from './trainer.js';
import { rateSchedule, type LearningRateSchedule } from './schedules.js';

export interface FitOptions {
  /** Passes over the training data. Default 10. */
  epochs?: number;
  /** Rows per gradient step: 1 is the seeds' per-example update, 'all' is full-batch. Default 32. */
  batchSize?: number | 'all';
  /** η. Default 0.01 for sgd, momentum and nesterov, 0.001 for rmsprop and adam. */
  learningRate?: number;
  /** Default 'sgd', the seeds' rule. */
  optimizer?: OptimizerName | OptimizerConfig;
  /** How η changes from epoch to epoch. */
  schedule?: LearningRateSchedule;
  /** Weight penalties l1 Σ|w| + l2 Σw² added to the loss (biases are not penalised). */
  l1?: number;
  l2?: number;
  /** Clip the gradient to this global norm before each step (none by default). */
  clipNorm?: number;
  /** Inverted dropout on the hidden layers' outputs while training: one rate for all, or one per hidden layer. */
  dropout?: number | readonly number[];
  /** Weigh each row's loss by its class: 'balanced' or one weight per class (see ClassWeight). */
  classWeight?: ClassWeight;
  /** Shuffle the rows before every epoch. Default true. */
  shuffle?: boolean;
  /** Seed of the shuffles and the validation split. Default: the network's seed. */
  seed?: number;
  /** Hold out this share of the rows (chosen at random with the seed) for validation. */
  validationSplit?: number;
  /** Explicit validation inputs and targets; takes precedence over validationSplit. */
  validationData?: readonly [BatchInput, BatchInput];
  /** Report accuracy. Default true for cross-entropy losses. */
  accuracy?: boolean;
  /** Stop when the validation loss stops improving: a patience in epochs or full options. */
  earlyStopping?: number | EarlyStoppingOptions;
  callbacks?: readonly Callback[];
  /** Aborting ends training after the current batch; fit then returns with stopReason 'aborted'. */
  signal?: AbortSignal;
}

/** Training diverged: the loss became NaN or infinite. The network holds the weights of the last good epoch. */
export class DivergenceError extends BackpropError {
  constructor(message: string, readonly history: History) {
    super(message, 'learningRate');
    this.name = 'DivergenceError';
  }
}

/** Examples per call of a fused per-example kernel: small enough to stop or yield often, large enough to pay for the call. */
const FUSED_CHUNK = 256;

const FIT_OPTIONS: readonly (keyof FitOptions)[] = ['epochs', 'batchSize', 'learningRate', 'optimizer', 'schedule', 'l1', 'l2', 'clipNorm', 'dropout', 'classWeight', 'shuffle', 'seed', 'validationSplit', 'validationData', 'accuracy', 'earlyStopping', 'callbacks', 'signal'];

/** η when none is given: the usual default of each optimizer. */
export const DEFAULT_RATE: Record<OptimizerName, number> = { sgd: 0.01, momentum: 0.01, nesterov: 0.01, rmsprop: 0.001, adam: 0.001, adamw: 0.001 };

function positiveInteger(value: unknown, field: string): number {
  if (!(typeof value === 'number' && Number.isInteger(value) && value >= 1)) {
    throw new BackpropError(`${field}: expected a positive integer, got ${String(value)}`, field);
  }
  return value;
}

/** Copies the given rows of src into dst, which has exactly that many rows. */
function gather(src: Matrix, order: Uint32Array, start: number, dst: Matrix): void {
  const cols = src.cols, S = src.data, D = dst.data;
  if (cols >= 16 && S.constructor === D.constructor) {
    // Wide rows of one type: a block copy per row.
    for (let r = 0; r < dst.rows; r++) D.set(S.subarray(order[start + r] * cols, order[start + r] * cols + cols), r * cols);
    return;
  }
  for (let r = 0; r < dst.rows; r++) {
    const from = order[start + r] * cols, to = r * cols;
    for (let j = 0; j < cols; j++) D[to + j] = S[from + j];
  }
}

function selectRows(src: Matrix, rows: ArrayLike<number>): Matrix {
  const m = zeros(rows.length, src.cols, src.data instanceof Float64Array ? 'float64' : 'float32');
  const order = Uint32Array.from(rows);
  gather(src, order, 0, m);
  return m;
}

/** Mean loss (and accuracy) of a network on a data set, in chunks so that huge sets need no huge buffers. */
export function evaluate(net: Network, x: BatchInput, y: BatchInput, options: { accuracy?: boolean } = {}): { loss: number; accuracy?: number } {
  checkNetwork(net, 'evaluate');
  options = checkOptions(options, ['accuracy'], 'evaluate options');
  const input = net.inputBatch(x);
  return evaluateMatrices(net, input, net.targetBatch(y, input.rows), options.accuracy ?? isClassification(net));
}

const EVALUATION_CHUNK = 4096;

function evaluateMatrices(net: Network, x: Matrix, y: Matrix, withAccuracy: boolean): { loss: number; accuracy?: number } {
  let lossSum = 0, correct = 0;
  for (let start = 0; start < x.rows; start += EVALUATION_CHUNK) {
    const end = Math.min(x.rows, start + EVALUATION_CHUNK);
    const xs = { rows: end - start, cols: x.cols, data: x.data.subarray(start * x.cols, end * x.cols) };
    const ys = { rows: end - start, cols: y.cols, data: y.data.subarray(start * y.cols, end * y.cols) };
    const { loss, buffers } = net.pass(xs, ys, false);
    lossSum += loss * xs.rows;
    if (withAccuracy) correct += countCorrect(buffers[buffers.length - 1].a, ys);
  }
  return withAccuracy ? { loss: lossSum / x.rows, accuracy: correct / x.rows } : { loss: lossSum / x.rows };
}

/** Rows whose predicted class (argmax, or > 0.5 for one output) is the target's. */
export function countCorrect(yHat: Matrix, y: Matrix): number {
  let correct = 0;
  for (let i = 0; i < y.rows; i++) if (classOf(yHat, i) === classOf(y, i)) correct++;
  return correct;
}

function isClassification(net: Network): boolean {
  return net.loss.name !== 'mse';
}

/** The first argument of fit and evaluate must be a Network: anything else is a BackpropError, not a TypeError. */
function checkNetwork(net: unknown, what: string): void {
  if (!(net instanceof Network)) throw new BackpropError(`${what}: the first argument must be a Network, got ${net === null ? 'null' : typeof net}`, 'network');
}

/** Whether every value is finite: x − x is 0 for a finite x and NaN for NaN or ±Infinity, so one sum tells. */
export function allFinite(values: FloatArray): boolean {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i] - values[i];
  return sum === 0;
}

/** Puts back the weights of the last good epoch and words the error. */
/**
 * An epoch's end, for fit and fitBatches alike: weights that overflowed in the last step are a divergence (the loss
 * may not have shown it yet); otherwise the epoch is recorded, its weights kept as the last good ones, and the
 * callbacks told.
 */
export function endEpoch(net: Network, logs: EpochLogs, history: History, lastGood: FloatArray[], callbacks: readonly Callback[], control: TrainingControl): void {
  if (!net.parameters.every((p) => allFinite(p.value.data)) || !Number.isFinite(logs.valLoss ?? 0)) {
    throw diverged(net, lastGood, history, `the weights overflowed in epoch ${logs.epoch}`, logs.epoch, logs.learningRate);
  }
  recordEpoch(history, logs);
  history.finalEpoch = logs.epoch;
  net.parameters.forEach((p, i) => lastGood[i].set(p.value.data));
  for (const cb of callbacks) cb.onEpochEnd?.(logs, control);
}

export function diverged(net: Network, lastGood: FloatArray[], history: History, what: string, epoch: number, learningRate: number): DivergenceError {
  net.parameters.forEach((p, i) => p.value.data.set(lastGood[i]));
  history.finalEpoch = epoch - 1;
  return new DivergenceError(
    `training diverged: ${what}, with learning rate ${learningRate}; ` +
      `the weights of ${epoch > 1 ? `epoch ${epoch - 1}` : 'the start'} were kept. Try a smaller learning rate.`,
    history,
  );
}

/**
 * The loop as a generator that pauses after every batch: fit runs it straight through, fitAsync
 * gives the event loop a turn between batches. Buffers made for the run go back to the backend at its end.
 */
function* trainingLoop(net: Network, x: BatchInput, y: BatchInput, options: FitOptions | undefined): Generator<void, History> {
  checkNetwork(net, 'fit');
  options = checkOptions(options, FIT_OPTIONS, 'fit options');
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
    throw new BackpropError('fit options: signal: expected an AbortSignal', 'signal');
  }
  if (options.callbacks !== undefined && !Array.isArray(options.callbacks)) {
    throw new BackpropError('fit options: callbacks: expected a list of callback objects', 'callbacks');
  }
  const transient: Matrix[] = [];
  const trainer = new Trainer(net, {
    optimizer: options.optimizer, l1: options.l1, l2: options.l2, clipNorm: options.clipNorm, dropout: options.dropout,
    // The masks draw from their own stream, not the shuffles'.
    seed: (options.seed ?? net.spec.seed) + 1,
  });
  try {
    return yield* run(net, x, y, options, trainer, transient);
  } finally {
    // What the run made, and the network's batch buffers, go back to the backend now rather than whenever
    // the garbage collector gets to them: a process that trains many networks keeps its memory flat.
    for (const m of transient) net.kernels.release?.(m);
    trainer.release();
    net.releaseBuffers();
  }
}

function* run(net: Network, x: BatchInput, y: BatchInput, options: FitOptions, trainer: Trainer, transient: Matrix[]): Generator<void, History> {
  const epochs = positiveInteger(options.epochs ?? 10, 'epochs');
  const initialRate = options.learningRate ?? DEFAULT_RATE[trainer.optimizer.name];
  if (!(typeof initialRate === 'number' && initialRate > 0 && Number.isFinite(initialRate))) {
    throw new BackpropError(`learningRate: expected a positive number, got ${String(initialRate)}`, 'learningRate');
  }
  const rates = rateSchedule(options.schedule, initialRate);
  const withAccuracy = options.accuracy ?? isClassification(net);
  const random = new Random(options.seed ?? net.spec.seed);

  let xAll = net.inputBatch(x);
  let yAll = net.targetBatch(y, xAll.rows);
  let xVal: Matrix | null = null, yVal: Matrix | null = null;
  if (options.validationData) {
    const [vx, vy] = options.validationData;
    xVal = net.inputBatch(vx);
    yVal = net.targetBatch(vy, xVal.rows);
  } else if (options.validationSplit !== undefined) {
    const fraction = options.validationSplit;
    if (!(typeof fraction === 'number' && fraction > 0 && fraction < 1)) {
      throw new BackpropError(`validationSplit: expected a number between 0 and 1, got ${String(fraction)}`, 'validationSplit');
    }
    const order = random.shuffle(Array.from({ length: xAll.rows }, (_, i) => i));
    const held = Math.round(xAll.rows * fraction);
    if (held === 0 || held === xAll.rows) {
      throw new BackpropError(`validationSplit: ${fraction} of ${xAll.rows} rows leaves no ${held === 0 ? 'validation' : 'training'} rows`, 'validationSplit');
    }
    const valRows = order.slice(0, held).sort((a, b) => a - b), trainRows = order.slice(held).sort((a, b) => a - b);
    xVal = selectRows(xAll, valRows);
    yVal = selectRows(yAll, valRows);
    xAll = selectRows(xAll, trainRows);
    yAll = selectRows(yAll, trainRows);
  }

  const rows = xAll.rows;
  const batchSize = options.batchSize === 'all' ? rows : Math.min(positiveInteger(options.batchSize ?? 32, 'batchSize'), rows);
  const batchesPerEpoch = Math.ceil(rows / batchSize);
  // Buffers for a full batch and for the shorter last one, made once for the whole run.
  const full = { x: net.allocate(batchSize, net.inputs), y: net.allocate(batchSize, net.outputs) };
  transient.push(full.x, full.y);
  const tailRows = rows % batchSize;
  const tail = tailRows ? { x: net.allocate(tailRows, net.inputs), y: net.allocate(tailRows, net.outputs) } : full;
  transient.push(tail.x, tail.y);
  // A backend that gathers rows in the background (Kernels.prefetchRows) gathers the next batch's inputs while this
  // batch trains: full batches then take turns between two input buffers (the targets, a few columns, are gathered
  // with each step).
  const prefetch = net.kernels.prefetchRows && batchesPerEpoch > 2 ? { x: net.allocate(batchSize, net.inputs), y: full.y } : null;
  if (prefetch) transient.push(prefetch.x);
  const order = Uint32Array.from({ length: rows }, (_, i) => i);
  // Copies in the parameters' own type, so keeping them each epoch is a plain memory copy.
  const lastGood = net.parameters.map((p) => p.value.data.slice());

  const callbacks: Callback[] = [...(options.callbacks ?? [])];
  if (options.earlyStopping !== undefined) {
    const es = typeof options.earlyStopping === 'number' ? { patience: options.earlyStopping } : options.earlyStopping;
    callbacks.push(new EarlyStopping(es));
  }

  const history: History = { epochs: [], epochsRun: 0, stopReason: 'completed', finalEpoch: 0 };
  let stopReason: StopReason | null = null;
  const control: TrainingControl = {
    network: net,
    epochs,
    batchesPerEpoch,
    hasValidation: xVal !== null,
    history: history.epochs,
    stop: (reason = 'callback') => {
      stopReason ??= reason;
    },
    setFinalEpoch: (epoch) => {
      history.finalEpoch = epoch;
    },
  };
  const batchLogs: BatchLogs = { epoch: 0, batch: 0, size: 0, loss: 0 };

  // A backend with memory of its own gets the training rows there once (unless they are there already, as the
  // command line puts them), so batches are gathered in place. Not in the network's group: the copy goes back at the
  // run's end (below), so it need not count against the network memory a turn of the event loop may hand out
  // (float64 W1's 64 MB of rows used to, which left the network's buffers, made after, in ordinary arrays: every
  // element-wise kernel and the gather then ran in JavaScript).
  if (net.kernels.allocate && !(net.kernels.owns?.(xAll) && net.kernels.owns?.(yAll))) {
    const x = allocateFor(net.kernels, rows, net.inputs, net.dtype), y = allocateFor(net.kernels, rows, net.outputs, net.dtype);
    transient.push(x, y);
    // Rows too many for that memory come back as ordinary arrays: a copy there would only double them.
    if (net.kernels.owns?.(x) && net.kernels.owns?.(y)) {
      x.data.set(xAll.data);
      y.data.set(yAll.data);
      xAll = x;
      yAll = y;
    }
  }
  // Class weights become a weight per training row, gathered with the rows.
  const weightsOfRows = options.classWeight === undefined ? null : rowWeights(classWeights(net, options.classWeight, yAll), yAll);
  const batchWeights = weightsOfRows ? { full: new Float64Array(batchSize), tail: new Float64Array(tailRows || batchSize) } : null;
  const gatherBatch = (start: number, buf: { x: Matrix; y: Matrix }): Float64Array | undefined => {
    if (!net.kernels.gatherRows?.(xAll, order, start, buf.x)) gather(xAll, order, start, buf.x);
    if (!net.kernels.gatherRows?.(yAll, order, start, buf.y)) gather(yAll, order, start, buf.y);
    if (!weightsOfRows || !batchWeights) return undefined;
    const w = buf === tail && tail !== full ? batchWeights.tail : batchWeights.full;
    for (let r = 0; r < w.length; r++) w[r] = weightsOfRows[order[start + r]];
    return w;
  };
  // The seeds' own loop (one example at a time, plain gradient descent) runs fused in the backend where it
  // offers that, a chunk of examples per call, unless a callback wants to see every batch.
  let fused = batchSize === 1 && trainer.plainSgd && !weightsOfRows && net.kernels.trainExamples !== undefined && !callbacks.some((cb) => cb.onBatchEnd);
  const fusedLayers = net.layers.map((l) => ({ W: l.W, b: l.b, activation: l.activation.name }));

  /** Batch b's buffers: the short last batch's, else the full ones, taking turns with the second where there is one. */
  const bufferOf = (b: number): { x: Matrix; y: Matrix } => ((b + 1) * batchSize > rows ? tail : prefetch && b % 2 === 1 ? prefetch : full);
  const steps = stepKey(net);
  // Plain sgd steps the weights inside the backward pass (Trainer.step), leaving no weight gradients to read: only where
  // no callback sees every batch, and never on an epoch's last batch, whose gradients stay for onEpochEnd and after.
  const gradientsSeen = callbacks.some((cb) => cb.onBatchEnd);
  for (const cb of callbacks) cb.onTrainBegin?.(control);
  for (let epoch = 1; epoch <= epochs && stopReason === null; epoch++) {
    const learningRate = rates.at(epoch - 1);
    for (const cb of callbacks) cb.onEpochBegin?.(epoch, control);
    if (options.shuffle ?? true) random.shuffle(order);
    let lossSum = 0, correct = 0, seen = 0;
    for (let start = 0; fused && start < rows; start += FUSED_CHUNK) {
      const count = Math.min(FUSED_CHUNK, rows - start);
      const r = net.kernels.trainExamples!(fusedLayers, net.loss.name, xAll, yAll, order, start, count, learningRate);
      if (r === null) {
        fused = false; // it cannot take this network; nothing was done, so the general loop below starts afresh
        break;
      }
      if (!Number.isFinite(r.loss)) {
        throw diverged(net, lastGood, history, `the loss became ${r.loss} in epoch ${epoch}, within examples ${start + 1} to ${start + count}`, epoch, learningRate);
      }
      lossSum += r.loss;
      correct += r.correct;
      seen += count;
      if (options.signal?.aborted) stopReason = 'aborted';
      if (stopReason !== null) break;
      yield;
    }
    for (let b = 0; !fused && b < batchesPerEpoch; b++) {
      const start = b * batchSize;
      const buf = bufferOf(b);
      // The next batch of this epoch, whose inputs the backend may gather while this one trains.
      const next = prefetch && b + 1 < batchesPerEpoch ? bufferOf(b + 1) : null;
      // One step, gather included, as the backend may run and time it (Kernels.step).
      const keepGradients = gradientsSeen || b === batchesPerEpoch - 1;
      const body = (): ReturnType<Trainer['step']> => {
        const weights = gatherBatch(start, buf);
        if (next) net.kernels.prefetchRows!(xAll, order, start + batchSize, next.x);
        return trainer.step(buf.x, buf.y, learningRate, weights, keepGradients);
      };
      const { loss, buffers } = net.kernels.step ? net.kernels.step(steps, buf.x.rows, body) : body();
      if (!Number.isFinite(loss)) throw diverged(net, lastGood, history, `the loss became ${loss} in epoch ${epoch}, batch ${b + 1}`, epoch, learningRate);
      lossSum += loss * buf.x.rows;
      seen += buf.x.rows;
      if (withAccuracy) correct += countCorrect(buffers[buffers.length - 1].a, buf.y);
      if (callbacks.length) {
        batchLogs.epoch = epoch;
        batchLogs.batch = b + 1;
        batchLogs.size = buf.x.rows;
        batchLogs.loss = loss;
        for (const cb of callbacks) cb.onBatchEnd?.(batchLogs, control);
      }
      if (options.signal?.aborted) stopReason = 'aborted';
      if (stopReason !== null) break;
      yield;
    }
    if (stopReason === 'aborted') {
      // Go back to the end of the last whole epoch, so the weights match the history.
      net.parameters.forEach((p, i) => p.value.data.set(lastGood[i]));
      break;
    }
    const logs: EpochLogs = { epoch, loss: lossSum / seen, learningRate };
    if (withAccuracy) logs.accuracy = correct / seen;
    if (xVal && yVal) {
      const val = evaluateMatrices(net, xVal, yVal, withAccuracy);
      logs.valLoss = val.loss;
      if (withAccuracy) logs.valAccuracy = val.accuracy;
    }
    if (trainer.l1 || trainer.l2) logs.penalty = trainer.penalty();
    endEpoch(net, logs, history, lastGood, callbacks, control);
    rates.observe(logs.valLoss ?? logs.loss);
  }
  history.stopReason = stopReason ?? 'completed';
  for (const cb of callbacks) cb.onTrainEnd?.(history, control);
  return history;
}

/**
 * Trains the network on inputs x and targets y (Keras's model.fit). Returns the history of every epoch;
 * throws DivergenceError if the loss becomes NaN or infinite, keeping the last good epoch's weights.
 */
export function fit(net: Network, x: BatchInput, y: BatchInput, options: FitOptions = {}): History {
  const loop = trainingLoop(net, x, y, options);
  for (;;) {
    const step = loop.next();
    if (step.done) return step.value;
  }
}

/** How long fitAsync computes before giving the event loop a turn. */
const SLICE_MS = 12;

const nextTurn = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/** fit that gives the event loop a turn between batches (at most every 12 ms), so pages and servers stay responsive. */
export async function fitAsync(net: Network, x: BatchInput, y: BatchInput, options: FitOptions = {}): Promise<History> {
  const loop = trainingLoop(net, x, y, options);
  let sliceStart = performance.now();
  for (;;) {
    const step = loop.next();
    if (step.done) return step.value;
    if (performance.now() - sliceStart >= SLICE_MS) {
      await nextTurn();
      sliceStart = performance.now();
    }
  }
}

/** A network's shape and dtype ("float32 784-128-64-10"): what a backend that times whole training steps plans them by (Kernels.step). */
export function stepKey(net: Network): string {
  return `${net.dtype} ${[net.inputs, ...net.layers.map((l) => l.units)].join('-')}`;
}
