// Learning-rate schedules: the step size η for each epoch, from the initial η₀.
import { BackpropError, checkOptions } from '../core/errors.js';

export type LearningRateSchedule =
  /** η = η₀ · factor^⌊epoch / every⌋ */
  | { type: 'step'; every: number; factor: number }
  /** η = η₀ · rate^epoch */
  | { type: 'exponential'; rate: number }
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
  } else {
    throw new BackpropError('schedule: expected { type: "step", every, factor }, { type: "exponential", rate } or a function', 'schedule');
  }
}

/** η for a 0-based epoch. */
export function learningRateAt(schedule: LearningRateSchedule | undefined, initial: number, epoch: number): number {
  if (schedule === undefined) return initial;
  if (typeof schedule === 'function') {
    const lr = schedule(epoch, initial);
    if (!(typeof lr === 'number' && lr > 0 && Number.isFinite(lr))) {
      throw new BackpropError(`schedule: the function returned ${String(lr)} for epoch ${epoch + 1}; expected a positive number`, 'schedule');
    }
    return lr;
  }
  if (schedule.type === 'step') return initial * schedule.factor ** Math.floor(epoch / schedule.every);
  return initial * schedule.rate ** epoch;
}
