// Training from a source of batches rather than arrays held whole: a database cursor, a stream of files, a
// generator. The source is called once per epoch and yields batches { x, y } (sync or async); each batch is
// one optimizer step, as in fit, with the same history, callbacks, early stopping and divergence check.
import { BackpropError, checkOptions } from '../core/errors.js';
import type { BatchInput } from '../nn/input.js';
import { Network } from '../nn/network.js';
import { EarlyStopping, type Callback, type EpochLogs, type History, type StopReason, type TrainingControl } from './callbacks.js';
import { countCorrect, DEFAULT_RATE, diverged, endEpoch, evaluate, type FitOptions } from './fit.js';
import { rateSchedule } from './schedules.js';
import { Trainer } from './trainer.js';
import { classWeights, rowWeights } from './class-weights.js';

export interface Batch {
  x: BatchInput;
  y: BatchInput;
}

/** One pass over the data, for a 1-based epoch: any iterable or async iterable of batches. */
export type BatchSource = (epoch: number) => Iterable<Batch> | AsyncIterable<Batch>;

/** fit's options that do not concern arrays held whole (no batchSize, shuffle, seed or validationSplit). */
export type FitBatchesOptions = Pick<FitOptions, 'epochs' | 'learningRate' | 'optimizer' | 'schedule' | 'l1' | 'l2' | 'clipNorm' | 'dropout' | 'classWeight' | 'validationData' |
  'accuracy' | 'earlyStopping' | 'callbacks' | 'signal'> & {
  /** Validation data too large to hold: called after every epoch for batches to evaluate (instead of validationData). */
  validationBatches?: () => Iterable<Batch> | AsyncIterable<Batch>;
};

const OPTIONS: readonly (keyof FitBatchesOptions)[] = ['epochs', 'learningRate', 'optimizer', 'schedule', 'l1', 'l2', 'clipNorm', 'dropout', 'classWeight', 'validationData', 'validationBatches', 'accuracy', 'earlyStopping', 'callbacks', 'signal'];

/**
 * Trains on batches from `source`, one optimizer step per batch, for `epochs` passes. Returns the History, as
 * fit does; throws DivergenceError if the loss turns NaN or infinite, keeping the last good epoch's weights.
 */
export async function fitBatches(net: Network, source: BatchSource, options?: FitBatchesOptions): Promise<History> {
  if (!(net instanceof Network)) throw new BackpropError(`fitBatches: the first argument must be a Network, got ${net === null ? 'null' : typeof net}`, 'network');
  if (typeof source !== 'function') throw new BackpropError('fitBatches: the source must be a function of the epoch that returns an iterable of { x, y } batches', 'source');
  const o = checkOptions(options, OPTIONS, 'fitBatches options');
  const epochs = o.epochs ?? 10;
  if (!Number.isInteger(epochs) || epochs < 1) throw new BackpropError(`epochs: expected a positive integer, got ${String(epochs)}`, 'epochs');
  const trainer = new Trainer(net, { optimizer: o.optimizer, l1: o.l1, l2: o.l2, clipNorm: o.clipNorm, dropout: o.dropout });
  // Batches arrive one by one, so class weights must be given per class ('balanced' needs all rows first).
  const weightOfClass = o.classWeight === undefined ? null : classWeights(net, o.classWeight, null);
  const initialRate = o.learningRate ?? DEFAULT_RATE[trainer.optimizer.name];
  const rates = rateSchedule(o.schedule, initialRate);
  const withAccuracy = o.accuracy ?? net.loss.name !== 'mse';
  const validation = o.validationData;
  const callbacks: Callback[] = [...(o.callbacks ?? [])];
  if (o.earlyStopping !== undefined) callbacks.push(new EarlyStopping(typeof o.earlyStopping === 'number' ? { patience: o.earlyStopping } : o.earlyStopping));
  const history: History = { epochs: [], epochsRun: 0, stopReason: 'completed', finalEpoch: 0 };
  let stopReason: StopReason | null = null;
  const control: TrainingControl = {
    network: net,
    epochs,
    batchesPerEpoch: NaN, // a source's length is not known in advance
    hasValidation: validation !== undefined || o.validationBatches !== undefined,
    history: history.epochs,
    stop: (reason = 'callback') => {
      stopReason ??= reason;
    },
    setFinalEpoch: (epoch) => {
      history.finalEpoch = epoch;
    },
  };
  const lastGood = net.parameters.map((p) => p.value.data.slice());
  const restore = (): void => net.parameters.forEach((p, i) => p.value.data.set(lastGood[i]));
  try {
    for (const cb of callbacks) cb.onTrainBegin?.(control);
    for (let epoch = 1; epoch <= epochs && stopReason === null; epoch++) {
      const learningRate = rates.at(epoch - 1);
      for (const cb of callbacks) cb.onEpochBegin?.(epoch, control);
      let lossSum = 0, correct = 0, seen = 0, batch = 0;
      for await (const b of source(epoch)) {
        batch++;
        if (typeof b !== 'object' || b === null || !('x' in b) || !('y' in b)) {
          throw new BackpropError(`fitBatches: epoch ${epoch}, batch ${batch}: expected an object { x, y }`, 'source');
        }
        const x = net.inputBatch(b.x);
        const y = net.targetBatch(b.y, x.rows);
        const { loss, buffers } = trainer.step(x, y, learningRate, weightOfClass ? rowWeights(weightOfClass, y) : undefined);
        if (!Number.isFinite(loss)) throw diverged(net, lastGood, history, `the loss became ${loss} in epoch ${epoch}, batch ${batch}`, epoch, learningRate);
        lossSum += loss * x.rows;
        seen += x.rows;
        if (withAccuracy) correct += countCorrect(buffers[buffers.length - 1].a, y);
        for (const cb of callbacks) cb.onBatchEnd?.({ epoch, batch, size: x.rows, loss }, control);
        if (o.signal?.aborted) stopReason = 'aborted';
        if (stopReason !== null) break;
      }
      if (stopReason === 'aborted') {
        restore();
        break;
      }
      if (seen === 0) throw new BackpropError(`fitBatches: the source gave no batches in epoch ${epoch}`, 'source');
      const logs: EpochLogs = { epoch, loss: lossSum / seen, learningRate };
      if (withAccuracy) logs.accuracy = correct / seen;
      if (trainer.l1 || trainer.l2) logs.penalty = trainer.penalty();
      if (validation) {
        const v = evaluate(net, validation[0], validation[1], { accuracy: withAccuracy });
        logs.valLoss = v.loss;
        if (withAccuracy) logs.valAccuracy = v.accuracy;
      } else if (o.validationBatches) {
        let sum = 0, right = 0, count = 0;
        for await (const b of o.validationBatches()) {
          const v = evaluate(net, b.x, b.y, { accuracy: withAccuracy });
          const rows = net.inputBatch(b.x).rows;
          sum += v.loss * rows;
          right += (v.accuracy ?? 0) * rows;
          count += rows;
        }
        if (count > 0) {
          logs.valLoss = sum / count;
          if (withAccuracy) logs.valAccuracy = right / count;
        }
      }
      endEpoch(net, logs, history, lastGood, callbacks, control);
      rates.observe(logs.valLoss ?? logs.loss);
    }
    history.stopReason = stopReason ?? 'completed';
    for (const cb of callbacks) cb.onTrainEnd?.(history, control);
    return history;
  } finally {
    trainer.release();
    net.releaseBuffers();
  }
}
