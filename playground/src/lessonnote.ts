// Whether a lesson's numbers still apply: a lesson sets all of its own values however it is opened, and once the
// learner changes one of them (η, or the weights by training, a step or an edit) the page says that the text's
// numbers no longer apply, and offers the lesson's own values again.
import { $, app, on, update } from './app.js';
import { lesson, lessonState, startsAsLesson } from './lessons.js';

/** What is no longer the lesson's, in words; '' while everything is. */
function departures(): string {
  const l = lesson(app.state.lesson);
  if (!l) return '';
  const changed: string[] = [];
  if (app.state.learningRate !== l.state.learningRate) changed.push(`η is ${app.state.learningRate}, the text's is ${l.state.learningRate}`);
  // While a step-through is open its trace has the weights it started from; the network may have taken its step.
  const weights = app.trace ? app.trace.layers.map((t) => t.before) : app.snapshot?.weights;
  if (weights && !startsAsLesson(l, weights)) changed.push('the weights have moved from the text\'s starting ones (the network trained, took a step or was edited)');
  return changed.length ? `The lesson's numbers no longer apply: ${changed.join('; ')}. The page computes with the network as it is now.` : '';
}

const notes = ['lessonStatus', 'lessonNote'];
let last = '';

function show(): void {
  const text = departures();
  // Said once: in the step-through while it is open, else under the lesson's introduction.
  const where = app.trace ? 'lessonNote' : 'lessonStatus';
  if (`${where}|${text}` === last) return;
  last = `${where}|${text}`;
  for (const id of notes) {
    const box = $(id);
    box.hidden = text === '' || id !== where;
    box.querySelector('span')!.textContent = text;
  }
}

for (const id of notes) {
  const box = $(id);
  const words = document.createElement('span');
  const button = document.createElement('button');
  button.type = 'button';
  button.textContent = 'Back to the lesson\'s own values';
  // The lesson again: its network, weights, point and η; it opens on its step-through.
  button.addEventListener('click', () => app.state.lesson && update(lessonState(app.state, app.state.lesson)));
  box.append(words, ' ', button);
}

on('reset', show);
on('render', show);
on('stage', show);
on('controls', show);
