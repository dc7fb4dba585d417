// Training on a file larger than memory, as a TrainingPlan (model/train.ts): the preprocessing from a first pass
// over the file (streaming.ts), then every epoch read again through a seeded shuffle buffer.
import { BackpropError } from '../core/errors.js';
import { checkTrainOptions, resolveOptions, settle, sumOfSquaredWeights, trainingControls, OptionError, DEFAULTS, type TrainOptions } from '../model/options.js';
import { networkFor, type Metrics, type TrainingPlan } from '../model/train.js';
import { LossStop, type History } from '../train/callbacks.js';
import { fitBatches } from '../train/batches.js';
import type { DuckReadOptions } from './readers/duckdb.js';
import { scanForTraining, trainingBatches, validationBatches } from './streaming.js';

/** A plan that reads `path` in passes; `memory` bytes bound what it holds (a quarter of it is the shuffle buffer). */
export async function planStreamedTraining(path: string, read: DuckReadOptions, options: TrainOptions, memory: number): Promise<TrainingPlan> {
  const t = checkTrainOptions(options);
  if (Array.isArray(t.target) && t.target.length > 1) throw new OptionError('target: several targets (a multi-output regression) need the data in memory; drop --stream or raise --memory', 'target');
  if (t.callbacks?.length || t.onEpoch) throw new BackpropError('planStreamedTraining: give callbacks to fit, not to the plan', 'callbacks');
  const o = resolveOptions(t);
  const validation = t.validation ?? DEFAULTS.validation;
  const target = Array.isArray(t.target) ? t.target[0] : (t.target as string | undefined);
  const scanned = await scanForTraining(path, path, read, { target, task: o.task, validation, seed: o.seed });
  const net = await networkFor(scanned.prep, o);
  const settled = settle(o, scanned.trainRows, scanned.prep.target!.task, sumOfSquaredWeights(net.parameters));
  const stop = settled.stop ? new LossStop(settled.stop) : null;
  const controls = trainingControls(settled, scanned.prep);
  // The shuffle buffer takes a quarter of the budget (its float32 inputs and targets).
  const bufferRows = Math.max(o.batchSize, Math.floor(memory / 4 / ((net.inputs + net.outputs) * 4)));
  const last = (history: History, validation: boolean): Metrics | null => {
    const e = history.epochs[history.epochs.length - 1];
    if (!e) return null;
    if (validation) return e.valLoss === undefined ? null : { loss: e.valLoss, ...(e.valAccuracy !== undefined ? { accuracy: e.valAccuracy } : {}) };
    return { loss: e.loss, ...(e.accuracy !== undefined ? { accuracy: e.accuracy } : {}) };
  };
  return {
    source: path, rows: scanned.rows, trainingRows: scanned.trainRows, validationRows: scanned.validationRows, prep: scanned.prep, network: net,
    members: 1, options: settled, streamed: true, stop,
    fit: (f = {}) => fitBatches(net, trainingBatches(scanned, net.inputs, net.outputs, o.batchSize, bufferRows), {
      epochs: settled.epochs, ...controls, learningRate: settled.lr, earlyStopping: t.earlyStopping,
      callbacks: [...(stop ? [stop] : []), ...(f.callbacks ?? [])], signal: f.signal ?? t.signal,
      validationBatches: validation > 0 ? validationBatches(scanned, net.inputs, net.outputs) : undefined,
    }),
    metrics: (history) => ({ train: last(history, false)!, validation: last(history, true) }),
  };
}
