// Learning-rate schedules: the step size η for each epoch, from the initial η₀.
import { BackpropError, checkOptions } from '../core/errors.js';

export type LearningRateSchedule =
  /** η = η₀ · factor^⌊epoch / every⌋ */
  | { type: 'step'; every: number; factor: number }
  /** η = η₀ · rate^epoch */
  | { type: 'exponential'; rate: number }
  /** η = minimum + (η₀ − minimum) · (1 + cos(π · epoch / epochs)) / 2: from η₀ down to minimum (default 0) over `epochs`. */
  | { type: 'cosine'; epochs: number; minimum?: number }
  /**
   * Reduce on plateau (as PyTorch's ReduceLROnPlateau, mode min, relative threshold): after each epoch the watched
   * loss (the validation loss where there is one, else the training loss) counts as better when below
   * best · (1 − threshold); after more than `patience` epochs without a better one, η ← max(η · factor, minimum)
   * and the count starts again. Defaults: factor 0.1, patience 10, threshold 1e-4, minimum 0.
   */
  | { type: 'plateau'; factor?: number; patience?: number; threshold?: number; minimum?: number }
  /** Any function of the 0-based epoch and η₀. */
  | ((epoch: number, initial: number) => number);

export function checkSchedule(schedule: unknown): void {
  if (schedule === undefined || typeof schedule === 'function') return;
  const s = schedule as Record<string, unknown>;
  if (s?.type === 'step') {
    checkOptions(s, ['type', 'every', 'factor'], 'schedule');
    if (!(Number.isInteger(s.every) && (s.every as number) > 0)) throw new BackpropError('schedule.every: expected a positive integer number of epochs', 'schedule.every');
    if (!(typeof s.factor === 'number' && s.factor > 0 && s.factor <= 1)) throw new BackpropError('schedule.factor: expected a number in (0, 1]', 'schedule.factor');
  } else if (s?.type === 'exponential') {
    checkOptions(s, ['type', 'rate'], 'schedule');
    if (!(typeof s.rate === 'number' && s.rate > 0 && s.rate <= 1)) throw new BackpropError('schedule.rate: expected a number in (0, 1]', 'schedule.rate');
  } else if (s?.type === 'cosine') {
    checkOptions(s, ['type', 'epochs', 'minimum'], 'schedule');
    if (!(Number.isInteger(s.epochs) && (s.epochs as number) > 0)) throw new BackpropError('schedule.epochs: expected a positive integer number of epochs', 'schedule.epochs');
    if (s.minimum !== undefined && !(typeof s.minimum === 'number' && s.minimum > 0 && Number.isFinite(s.minimum))) {
      throw new BackpropError('schedule.minimum: expected a positive number (a learning rate of 0 would stop training)', 'schedule.minimum');
    }
  } else if (s?.type === 'plateau') {
    checkOptions(s, ['type', 'factor', 'patience', 'threshold', 'minimum'], 'schedule');
    if (s.factor !== undefined && !(typeof s.factor === 'number' && s.factor > 0 && s.factor < 1)) throw new BackpropError('schedule.factor: expected a number in (0, 1)', 'schedule.factor');
    if (s.patience !== undefined && !(Number.isInteger(s.patience) && (s.patience as number) >= 0)) throw new BackpropError('schedule.patience: expected a whole number of epochs ≥ 0', 'schedule.patience');
    for (const key of ['threshold', 'minimum'] as const) {
      if (s[key] !== undefined && !(typeof s[key] === 'number' && (s[key] as number) >= 0 && Number.isFinite(s[key]))) throw new BackpropError(`schedule.${key}: expected a number ≥ 0`, `schedule.${key}`);
    }
  } else {
    throw new BackpropError('schedule: expected { type: "step", every, factor }, { type: "exponential", rate }, { type: "cosine", epochs }, { type: "plateau" } or a function', 'schedule');
  }
}

/** η through a run: the rate for each epoch, told each epoch's result (which only the plateau rule uses). */
export interface RateSchedule {
  /** η for a 0-based epoch. */
  at(epoch: number): number;
  /** The loss watched at an epoch's end. */
  observe(loss: number): void;
}

export function rateSchedule(schedule: LearningRateSchedule | undefined, initial: number): RateSchedule {
  checkSchedule(schedule);
  if (schedule === undefined || typeof schedule === 'function' || schedule.type !== 'plateau') {
    return { at: (epoch) => learningRateAt(schedule, initial, epoch), observe: () => undefined };
  }
  const factor = schedule.factor ?? 0.1, patience = schedule.patience ?? 10, threshold = schedule.threshold ?? 1e-4;
  const minimum = schedule.minimum ?? 0;
  let rate = initial, best = Infinity, bad = 0;
  return {
    at: () => rate,
    observe: (loss) => {
      if (loss < best * (1 - threshold)) {
        best = loss;
        bad = 0;
      } else if (++bad > patience) {
        rate = Math.max(rate * factor, minimum);
        bad = 0;
      }
    },
  };
}

/** η for a 0-based epoch, for the rules that depend on the epoch alone (not plateau: see rateSchedule). */
export function learningRateAt(schedule: LearningRateSchedule | undefined, initial: number, epoch: number): number {
  if (schedule === undefined) return initial;
  if (typeof schedule !== 'function' && schedule.type === 'plateau') throw new BackpropError('schedule: plateau depends on the losses of the run; use rateSchedule', 'schedule');
  if (typeof schedule === 'function') {
    const lr = schedule(epoch, initial);
    if (!(typeof lr === 'number' && lr > 0 && Number.isFinite(lr))) {
      throw new BackpropError(`schedule: the function returned ${String(lr)} for epoch ${epoch + 1}; expected a positive number`, 'schedule');
    }
    return lr;
  }
  if (schedule.type === 'step') return initial * schedule.factor ** Math.floor(epoch / schedule.every);
  if (schedule.type === 'cosine') {
    // As PyTorch's CosineAnnealingLR with T_max = epochs: epoch 0 at η₀, the last of `epochs` still above minimum.
    const minimum = Math.min(schedule.minimum ?? 0, initial);
    return minimum + ((initial - minimum) * (1 + Math.cos((Math.PI * Math.min(epoch, schedule.epochs)) / schedule.epochs))) / 2;
  }
  return initial * schedule.rate ** epoch;
}
