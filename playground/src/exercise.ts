// Exercise mode's state: whether it is on, and the learner's answers to the open step-through's questions (the
// error, each δ, each weight step). Every panel that prints a value of the update asks `concealed(key)` first, so a
// value the learner has not answered appears nowhere on the page — diagram, list, matrices, tables, names.
import { app } from './app.js';
import { questionKeys } from './answers.js';
import type { UpdateTrace } from '../../src/index.js';

export interface Answer {
  typed: string;
  status: 'right' | 'wrong' | 'revealed' | null;
  hint: boolean;
  /** Why a wrong answer is wrong, in a few words. */
  note: string;
}

export const exercise = {
  on: false,
  answers: new Map<string, Answer>(),
};

export function answerOf(key: string): Answer {
  let a = exercise.answers.get(key);
  if (!a) exercise.answers.set(key, (a = { typed: '', status: null, hint: false, note: '' }));
  return a;
}

/** Whether a key names a question: `error:k`, `delta:L:J`, `dw:L:I:J` or `db:L:J`. */
const QUESTION = /^(error:\d+|delta:\d+:\d+|dw:\d+:\d+:\d+|db:\d+:\d+)$/;

/**
 * Whether the value under `key` must not be shown: exercise mode is on, a step-through is open, and the learner has
 * neither answered it nor asked for it. Values that are no question (h, a, E, a weight) are never concealed.
 */
export function concealed(key: string): boolean {
  if (!exercise.on || !app.trace || !QUESTION.test(key)) return false;
  const status = exercise.answers.get(key)?.status;
  return status !== 'right' && status !== 'revealed';
}

/** The step-through's stage at which a question's value is shown: the error at 1, δᵒ at 2, δʰ at 3, the steps at 4. */
export function stageOf(t: UpdateTrace, key: string): number {
  const [kind, layer] = key.split(':');
  if (kind === 'error') return 1;
  if (kind === 'delta') return Number(layer) === t.layers.length - 1 ? 2 : 3;
  return 4;
}

/**
 * Values shown while exercise mode is off count as revealed: a learner who turns it off to look, or steps through
 * first and turns it on after, would otherwise type in what the page had just shown and score it right. Panels that
 * print questions' values call this with those they print.
 */
export function markShown(keys: readonly string[]): void {
  if (exercise.on || !app.trace) return;
  for (const key of keys) {
    const a = answerOf(key);
    if (a.status !== 'right') a.status = 'revealed';
  }
}

/** Whether any value of the open step-through is still concealed (then panels that print many of them hold back). */
export const anyConcealed = (): boolean => exercise.on && app.trace !== null && questionKeys(app.trace).some(concealed);


/** Whether every weight step of the open step-through is answered or revealed (or exercise mode is off). */
export const stepsAnswered = (t: UpdateTrace): boolean => !questionKeys(t).some((k) => /^d[wb]:/.test(k) && concealed(k));

/**
 * The last stage, not applied yet: the network keeps its old weights (diagram, tooltips, map, charts) until every
 * step is answered or revealed, since the new weights minus the old would give the steps away.
 */
export const waitingNote = (t: UpdateTrace): string => (t.applied || stepsAnswered(t) ? ''
  : ' Not applied yet: the network keeps its old weights until every step Δw of step 4 is answered or revealed (a new weight minus the old one would give its step away).');

/** The last stage's title and text while its update waits for the learner's answers (in place of "applied"). */
export const WAITING_STAGE: [string, string] = ['The update, not applied yet',
  'Each weight takes its step, w + Δw, once every step is answered: the loss on this point before and after, and each new weight.'];
