// The command line's defaults that depend on the data, chosen by a held-out comparison with scikit-learn's MLP
// defaults (test/fixtures/defaults: iris, digits, diabetes, Friedman #1; see the README's "Defaults").
// Every one is only a default: an option given on the command line is taken as it is.
import { DEFAULT_RATE } from '../train/fit.js';
import type { OptimizerName } from '../train/optimizers.js';
import type { ScheduleRule } from './options.js';

/** One hidden layer of 100 relu units, as scikit-learn's MLPs. */
export const DEFAULT_LAYERS: readonly number[] = [100];

/** About this many gradient steps in a run, so that small data sets get many epochs and large ones few. */
const STEPS = 15_000;
const MIN_EPOCHS = 10;
const MAX_EPOCHS = 300;

/**
 * Epochs: enough for ~15 000 steps of the batch size, between 10 and 300. 120 rows in batches of 32 get 300
 * epochs, 10 000 rows 48, 100 000 rows or more 10.
 */
export function defaultEpochs(trainingRows: number, batchSize: number): number {
  const stepsPerEpoch = Math.max(1, Math.ceil(trainingRows / batchSize));
  return Math.min(MAX_EPOCHS, Math.max(MIN_EPOCHS, Math.ceil(STEPS / stepsPerEpoch)));
}

/**
 * The L2 penalty λ·Σw² added to the mean loss: λ = 3/n for n training rows, the same prior whatever the data's size
 * (the penalty weighs as much as three rows' loss), so it matters on a few hundred rows and fades on many.
 * None under adamw, whose decoupled weight decay takes its place.
 */
export function defaultL2(trainingRows: number, optimizer: OptimizerName): number {
  return optimizer === 'adamw' ? 0 : 3 / Math.max(1, trainingRows);
}

export interface Tunable {
  optimizer: OptimizerName;
  batchSize: number;
  lr?: number;
  epochs?: number;
  l2?: number;
  schedule?: ScheduleRule;
}

/** The options with every data-dependent default filled in for a run on trainingRows rows. */
export function settle<T extends Tunable>(o: T, trainingRows: number): T & { lr: number; epochs: number; l2: number } {
  const epochs = o.epochs ?? defaultEpochs(trainingRows, o.batchSize);
  // A cosine schedule anneals over the run's epochs, known only now.
  const schedule = o.schedule?.type === 'cosine' ? { ...o.schedule, epochs } : o.schedule;
  return {
    ...o,
    lr: o.lr ?? DEFAULT_RATE[o.optimizer],
    epochs,
    l2: o.l2 ?? defaultL2(trainingRows, o.optimizer),
    ...(schedule ? { schedule } : {}),
  };
}
