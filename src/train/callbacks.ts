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

export type StopReason = 'completed' | 'early-stopping' | 'callback' | 'aborted';

export interface History {
  epochs: EpochLogs[];
  stopReason: StopReason;
  /** The epoch whose weights the network holds at the end (the best one when early stopping restored it). */
  finalEpoch: number;
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
