// Hooks into the training loop (Keras's callbacks): progress bars, logging, early stopping and
// checkpoints plug in here, so fit itself stays short.
import type { Network } from '../nn/network.js';
import { BackpropError, checkOptions } from '../core/errors.js';

export interface EpochLogs {
  /** 1-based. */
  epoch: number;
  /** Mean training loss over the epoch's batches, as the weights changed (the data's loss; the penalty is apart). */
  loss: number;
  /** Training accuracy over the epoch's batches, for classification. */
  accuracy?: number;
  valLoss?: number;
  valAccuracy?: number;
  /** The L1/L2 weight penalty l1·Σ|w| + l2·Σw² at the epoch's end, when there is one; the minimized loss is loss + penalty. */
  penalty?: number;
  /** η used in this epoch. */
  learningRate: number;
}

export interface BatchLogs {
  epoch: number;
  /** 1-based within the epoch. */
  batch: number;
  /** Rows in this batch. */
  size: number;
  loss: number;
}

/** 'converged': the default rule's loss stopped falling (see LossStop). */
export type StopReason = 'completed' | 'converged' | 'early-stopping' | 'callback' | 'aborted';

export interface History {
  /**
   * The epochs' logs in order, bounded whatever the number of epochs: every epoch up to HISTORY_EPOCHS (2000); past
   * that a thinned record of evenly spaced epochs (every 2nd, then every 4th, ... as the run goes on, at most 2 × 2000
   * of them) that always holds the first, the best (lowest valLoss, else loss) and the last. See recordEpoch.
   */
  epochs: EpochLogs[];
  /** Epochs finished: epochs.length until the record is thinned. */
  epochsRun: number;
  stopReason: StopReason;
  /** The epoch whose weights the network holds at the end (the best one when early stopping restored it). */
  finalEpoch: number;
}

/** Epochs a History keeps every one of; past them its record is thinned (recordEpoch). */
export const HISTORY_EPOCHS = 2000;

/** Each history's spacing (every stride-th epoch is kept) and its best epoch's logs. */
const thinning = new WeakMap<History, { stride: number; best: EpochLogs | null }>();

/**
 * Adds an epoch's logs to a history in bounded memory (a run of 10¹² epochs would otherwise keep 10¹² of them): the
 * last epoch is always there; an epoch that stops being the last stays if it falls on the spacing (every epoch at
 * first) or is the best so far; when the record reaches twice HISTORY_EPOCHS, the spacing doubles and the epochs off
 * it go (the first, the best and the last stay). The array is changed in place: TrainingControl.history is the same.
 */
export function recordEpoch(history: History, logs: EpochLogs): void {
  let t = thinning.get(history);
  if (!t) thinning.set(history, (t = { stride: 1, best: null }));
  const list = history.epochs;
  const kept = (e: EpochLogs): boolean => e.epoch % t.stride === 0 || e.epoch === 1 || e === t.best;
  const previous = list[list.length - 1];
  if (previous && !kept(previous)) list.pop();
  const score = (e: EpochLogs): number => e.valLoss ?? e.loss;
  if (t.best === null || score(logs) < score(t.best)) {
    const old = t.best;
    t.best = logs;
    // The old best may now go, as any epoch off the spacing does.
    if (old && !kept(old)) {
      const at = list.lastIndexOf(old);
      if (at >= 0) list.splice(at, 1);
    }
  }
  list.push(logs);
  history.epochsRun++;
  if (list.length > 2 * HISTORY_EPOCHS) {
    t.stride *= 2;
    let n = 0;
    for (let i = 0; i < list.length; i++) if (kept(list[i]) || i === list.length - 1) list[n++] = list[i];
    list.length = n;
  }
}

/** What a callback can see and do while training runs. */
export interface TrainingControl {
  readonly network: Network;
  /** Planned number of epochs. */
  readonly epochs: number;
  readonly batchesPerEpoch: number;
  readonly hasValidation: boolean;
  /** The logs of finished epochs so far. */
  readonly history: readonly EpochLogs[];
  /** Ends training after the current batch. */
  stop(reason?: Exclude<StopReason, 'completed' | 'aborted'>): void;
  /** Records which finished epoch's weights the network now holds (after restoring a snapshot). */
  setFinalEpoch(epoch: number): void;
}

export interface Callback {
  onTrainBegin?(control: TrainingControl): void;
  onEpochBegin?(epoch: number, control: TrainingControl): void;
  onBatchEnd?(logs: BatchLogs, control: TrainingControl): void;
  onEpochEnd?(logs: EpochLogs, control: TrainingControl): void;
  onTrainEnd?(history: History, control: TrainingControl): void;
}

export interface EarlyStoppingOptions {
  /** Epochs without improvement to wait before stopping. */
  patience: number;
  /** Smallest decrease that counts as an improvement. Default 0. */
  minDelta?: number;
  /** Which loss to watch. Default valLoss when there is validation data, loss otherwise. */
  monitor?: 'valLoss' | 'loss';
  /** Put back the weights of the best epoch when training ends. Default true. */
  restoreBestWeights?: boolean;
}

/** Stops when the monitored loss has not improved for `patience` epochs, keeping the best weights. */
export class EarlyStopping implements Callback {
  readonly patience: number;
  readonly minDelta: number;
  readonly restoreBestWeights: boolean;
  private readonly monitorOption: EarlyStoppingOptions['monitor'];
  private monitor: 'valLoss' | 'loss' = 'valLoss';
  private best = Infinity;
  private bestEpoch = 0;
  private wait = 0;
  private snapshot: Float64Array[] = [];

  constructor(options: EarlyStoppingOptions) {
    options = checkOptions(options, ['patience', 'minDelta', 'monitor', 'restoreBestWeights'], 'earlyStopping');
    if (!Number.isInteger(options?.patience) || options.patience < 1) {
      throw new BackpropError(`earlyStopping.patience: expected a positive integer, got ${String(options?.patience)}`, 'earlyStopping.patience');
    }
    this.patience = options.patience;
    this.minDelta = options.minDelta ?? 0;
    this.restoreBestWeights = options.restoreBestWeights ?? true;
    this.monitorOption = options.monitor;
  }

  onTrainBegin(control: TrainingControl): void {
    this.monitor = this.monitorOption ?? (control.hasValidation ? 'valLoss' : 'loss');
    if (this.monitor === 'valLoss' && !control.hasValidation) {
      throw new BackpropError('earlyStopping.monitor: valLoss needs validation data (validationSplit or validationData)', 'earlyStopping.monitor');
    }
    this.best = Infinity;
    this.bestEpoch = 0;
    this.wait = 0;
    this.snapshot = control.network.parameters.map((p) => new Float64Array(p.value.data.length));
  }

  onEpochEnd(logs: EpochLogs, control: TrainingControl): void {
    const value = logs[this.monitor] as number;
    if (value < this.best - this.minDelta) {
      this.best = value;
      this.bestEpoch = logs.epoch;
      this.wait = 0;
      if (this.restoreBestWeights) control.network.parameters.forEach((p, i) => this.snapshot[i].set(p.value.data));
    } else if (++this.wait >= this.patience) {
      control.stop('early-stopping');
    }
  }

  onTrainEnd(history: History, control: TrainingControl): void {
    if (this.restoreBestWeights && this.bestEpoch > 0 && this.bestEpoch !== history.finalEpoch) {
      control.network.parameters.forEach((p, i) => p.value.data.set(this.snapshot[i]));
      control.setFinalEpoch(this.bestEpoch);
    }
  }
}

/** LossStop's defaults, scikit-learn's n_iter_no_change and tol. */
export const DEFAULT_PATIENCE = 10;
export const DEFAULT_TOLERANCE = 1e-4;

export interface LossStopOptions {
  /** Epochs in a row without a fall of more than `tolerance` that end the run. Default 10. */
  patience?: number;
  /** How much the loss must fall below its best to count as a fall. Default 1e-4. */
  tolerance?: number;
}

/**
 * The default rule's stop, as scikit-learn's MLPs stop (tol, n_iter_no_change): the run ends once the watched loss
 * has gone `patience` epochs in a row without falling more than `tolerance` below the best so far. It watches the
 * validation loss when there are validation rows, and then puts back the weights of the epoch with the lowest one
 * at the end (whether the loss stalled or the epochs ran out); without them it watches the training objective (the
 * epoch's mean loss plus the weight penalty) and keeps the last epoch's weights.
 */
export class LossStop implements Callback {
  readonly patience: number;
  readonly tolerance: number;
  /** What was watched, the best epoch by it and its value; set as the run goes. */
  monitor: 'valLoss' | 'loss' = 'loss';
  bestEpoch = 0;
  best = Infinity;
  private wait = 0;
  private snapshot: Float64Array[] | null = null;

  constructor(options: LossStopOptions = {}) {
    options = checkOptions(options, ['patience', 'tolerance'], 'LossStop options');
    this.patience = options.patience ?? DEFAULT_PATIENCE;
    this.tolerance = options.tolerance ?? DEFAULT_TOLERANCE;
    if (!Number.isInteger(this.patience) || this.patience < 1) throw new BackpropError(`patience: expected a positive integer, got ${String(options.patience)}`, 'patience');
    if (!(this.tolerance >= 0 && Number.isFinite(this.tolerance))) throw new BackpropError(`tolerance: expected a number ≥ 0, got ${String(options.tolerance)}`, 'tolerance');
  }

  onTrainBegin(control: TrainingControl): void {
    this.monitor = control.hasValidation ? 'valLoss' : 'loss';
    this.best = Infinity;
    this.bestEpoch = this.wait = 0;
    this.snapshot = this.monitor === 'valLoss' ? control.network.parameters.map((p) => new Float64Array(p.value.data.length)) : null;
  }

  onEpochEnd(logs: EpochLogs, control: TrainingControl): void {
    const value = this.monitor === 'valLoss' ? logs.valLoss! : logs.loss + (logs.penalty ?? 0);
    // An epoch within the tolerance of the best (or above it) is one more without a fall; the best is the lowest.
    if (value > this.best - this.tolerance) this.wait++;
    else this.wait = 0;
    if (value < this.best) {
      this.best = value;
      this.bestEpoch = logs.epoch;
      this.snapshot?.forEach((s, i) => s.set(control.network.parameters[i].value.data));
    }
    if (this.wait >= this.patience) control.stop('converged');
  }

  onTrainEnd(history: History, control: TrainingControl): void {
    if (this.snapshot && this.bestEpoch > 0 && this.bestEpoch !== history.finalEpoch && history.stopReason !== 'aborted') {
      control.network.parameters.forEach((p, i) => p.value.data.set(this.snapshot![i]));
      control.setFinalEpoch(this.bestEpoch);
    }
  }
}
