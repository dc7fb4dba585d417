// The controls panel: run buttons, the hyper-parameters, the data settings, and the keyboard shortcuts.
import { $, app, closeStepper, emit, on, say, stepEpoch, toggleFeature, togglePlay, update } from './app.js';
import { lesson, LESSON_LIST, lessonState } from './lessons.js';
import { FEATURES, networkSpec } from './problem.js';
import {
  ACTIVATIONS, DEFAULTS, isTableSet, FEATURE_NAMES, LEARNING_RATE_RANGE, LEARNING_RATES, LOSSES, MAX_LAYERS, MAX_SEED, OPTIMIZERS, OUTPUTS,
  REGULARIZATION_RATES, serializeState, validLearningRate, type FeatureName, type State,
} from './state.js';

function fillSelect(id: string, values: readonly (string | number)[], current: string | number, label = (v: string | number) => String(v)): void {
  const select = $<HTMLSelectElement>(id);
  select.innerHTML = values.map((v) => `<option value="${v}"${v === current ? ' selected' : ''}>${label(v)}</option>`).join('');
}

function render(): void {
  const s = app.state;
  // The features are drawn anew: a focused one keeps the focus. (The data sets are thumbnails.ts's.)
  const focused = document.activeElement as HTMLInputElement | null;
  const refocus = focused?.closest('#features') ? `#features input[value="${focused.value}"]` : null;
  // A typed η that is not a preset joins the list, so the list shows it too.
  fillSelect('learningRate', [...new Set([...LEARNING_RATES, s.learningRate])].sort((a, b) => a - b), s.learningRate);
  $<HTMLInputElement>('learningRateValue').value = String(s.learningRate);
  const regression = app.problem.task === 'regression';
  // What is trained: a regression's and a table's loss and output are the data's (the network the worker builds), shown as such.
  const spec = networkSpec(s, app.problem.task, app.problem);
  if (regression || isTableSet(s.dataset)) {
    const output = spec.layers[spec.layers.length - 1].activation!;
    fillSelect('loss', [spec.loss!], spec.loss!, (v) => (v === 'mse' ? 'squared error' : 'cross-entropy'));
    fillSelect('output', [output], output);
  } else {
    fillSelect('loss', LOSSES, s.loss, (v) => (v === 'squared' ? 'squared error' : 'cross-entropy'));
    fillSelect('output', OUTPUTS, s.loss === 'cross-entropy' ? 'sigmoid' : s.output);
  }
  $<HTMLSelectElement>('loss').disabled = regression;
  $<HTMLSelectElement>('loss').title = regression ? 'Regression uses squared error' : '';
  // Cross-entropy needs a probability: a sigmoid output. Squared error takes any of them.
  $<HTMLSelectElement>('output').disabled = regression || s.loss === 'cross-entropy';
  $<HTMLSelectElement>('output').title = regression ? 'Regression uses a linear output' : s.loss === 'cross-entropy' ? 'Cross-entropy takes a sigmoid output; choose squared error for others' : '';
  $<HTMLInputElement>('biases').checked = s.biases;
  const current = lesson(s.lesson);
  $('lessons').innerHTML = '<strong>Lessons:</strong> ' + LESSON_LIST.map((l, i) =>
    `<a href="${serializeState(lessonState(DEFAULTS, l.id))}" data-lesson="${l.id}"${l.id === s.lesson ? ' aria-current="page"' : ''}>${i + 1}. ${l.title}</a>`).join(' ');
  $('lessonIntro').hidden = !current;
  $('lessonIntro').textContent = current ? current.intro : '';
  fillSelect('activation', ACTIVATIONS, s.activation);
  fillSelect('optimizer', OPTIMIZERS, s.optimizer);
  fillSelect('regularization', ['none', 'l1', 'l2'], s.regularization, (v) => (v === 'none' ? 'none' : String(v).toUpperCase()));
  fillSelect('regularizationRate', REGULARIZATION_RATES, s.regularizationRate);
  $<HTMLInputElement>('seed').value = String(s.seed);
  $<HTMLInputElement>('trainRatio').value = String(Math.round(s.trainRatio * 100));
  $('trainRatioValue').textContent = `${Math.round(s.trainRatio * 100)}%`;
  $<HTMLInputElement>('noise').value = String(Math.round(s.noise * 100));
  $('noiseValue').textContent = String(Math.round(s.noise * 100));
  $<HTMLInputElement>('batchSize').value = String(s.batchSize);
  $('batchSizeValue').textContent = String(s.batchSize);
  $<HTMLInputElement>('showTest').checked = s.showTestData;
  $<HTMLInputElement>('discretize').checked = s.discretize;
  // A table's data is its file: no noise to add, no points to draw anew, no plane features to choose.
  const table = isTableSet(s.dataset);
  $<HTMLInputElement>('noise').disabled = table;
  $<HTMLInputElement>('noise').title = table ? 'A table\'s rows are as the file has them: no noise is added' : '';
  $<HTMLButtonElement>('regenerate').disabled = table;
  $('features').hidden = table;
  if (table) {
    $<HTMLSelectElement>('loss').disabled = $<HTMLSelectElement>('output').disabled = true;
    $<HTMLSelectElement>('loss').title = $<HTMLSelectElement>('output').title = app.problem.task === 'regression'
      ? 'A table\'s regression uses squared error (the library has no absolute-error loss) and a linear output'
      : 'A table\'s classes use cross-entropy: a sigmoid output for two classes, softmax for more (as backprop train does)';
  }
  $('features').innerHTML = '<legend>Input features</legend>' + FEATURE_NAMES.map((f) =>
    `<label><input type="checkbox" value="${f}"${s.features.includes(f) ? ' checked' : ''}> ${FEATURES[f].label}</label>`).join('');
  $('layerCount').textContent = `${s.layers.length} hidden layer${s.layers.length === 1 ? '' : 's'}`;
  if (refocus) document.querySelector<HTMLElement>(refocus)?.focus();
}

// The settings are open on a wide screen and folded on a phone (where the network and output come first).
const wide = matchMedia('(min-width: 801px)');
const settings = $<HTMLDetailsElement>('settings');
settings.open = wide.matches;
wide.addEventListener('change', () => {
  if (wide.matches) settings.open = true;
});

const value = (e: Event): string => (e.target as HTMLInputElement | HTMLSelectElement).value;

$('play').addEventListener('click', togglePlay);
$('step').addEventListener('click', stepEpoch);
// ⟲: new random weights on the same data (the restart count is in the URL, so the link still reproduces the run).
$('reset').addEventListener('click', () => update({ restart: app.state.restart + 1 }));
$('regenerate').addEventListener('click', () => update({ regenerate: app.state.regenerate + 1 }));
$('addLayer').addEventListener('click', () => app.state.layers.length < MAX_LAYERS
  && update({ layers: [...app.state.layers, 2], activations: [...app.state.layers.map((_, l) => app.state.activations[l] ?? app.state.activation), app.state.activation] }));
$('removeLayer').addEventListener('click', () => app.state.layers.length > 0
  && update({ layers: app.state.layers.slice(0, -1), activations: app.state.activations.slice(0, app.state.layers.length - 1) }));
$('learningRate').addEventListener('change', (e) => update({ learningRate: Number(value(e)) }));
$('learningRateValue').addEventListener('change', (e) => {
  const field = e.target as HTMLInputElement;
  const rate = Number(field.value.trim());
  if (field.value.trim() !== '' && validLearningRate(rate)) {
    update({ learningRate: rate });
    return;
  }
  field.value = String(app.state.learningRate);
  say(`Learning rate: expected ${LEARNING_RATE_RANGE}; kept ${app.state.learningRate}.`);
});
$('loss').addEventListener('change', (e) => update({ loss: value(e) as State['loss'] }));
$('output').addEventListener('change', (e) => update({ output: value(e) as State['output'] }));
$('biases').addEventListener('change', (e) => update({ biases: (e.target as HTMLInputElement).checked }));
$('activation').addEventListener('change', (e) => update({ activation: value(e) as State['activation'], activations: app.state.layers.map(() => value(e) as State['activation']) }));
$('optimizer').addEventListener('change', (e) => update({ optimizer: value(e) as State['optimizer'] }));
$('regularization').addEventListener('change', (e) => update({ regularization: value(e) as State['regularization'] }));
$('regularizationRate').addEventListener('change', (e) => update({ regularizationRate: Number(value(e)) }));
$('seed').addEventListener('change', (e) => {
  const field = e.target as HTMLInputElement;
  const seed = Number(field.value);
  if (field.value.trim() !== '' && Number.isInteger(seed) && seed >= 0 && seed <= MAX_SEED) {
    update({ seed, restart: 0, regenerate: 0 });
    return;
  }
  field.value = String(app.state.seed);
  say(`Seed: expected a whole number from 0 to ${MAX_SEED}; kept ${app.state.seed}.`);
});
$('trainRatio').addEventListener('change', (e) => update({ trainRatio: Number(value(e)) / 100 }));
$('noise').addEventListener('change', (e) => update({ noise: Number(value(e)) / 100 }));
$('batchSize').addEventListener('change', (e) => update({ batchSize: Number(value(e)) }));
$('features').addEventListener('change', (e) => toggleFeature(value(e) as FeatureName));
$('showTest').addEventListener('change', (e) => update({ showTestData: (e.target as HTMLInputElement).checked }));
$('discretize').addEventListener('change', (e) => update({ discretize: (e.target as HTMLInputElement).checked }));

/** Fields where a key is text being typed: the shortcuts leave those alone. */
function typing(target: HTMLElement): boolean {
  return target.tagName === 'TEXTAREA' || (target.tagName === 'INPUT' && ['text', 'number', 'search'].includes((target as HTMLInputElement).type));
}

/** Controls that Space itself operates: a button presses, a box ticks, a menu opens. */
function spaceOperates(target: HTMLElement): boolean {
  return target.tagName === 'BUTTON' || target.tagName === 'SELECT' || target.tagName === 'SUMMARY'
    || (target.tagName === 'INPUT' && ['checkbox', 'radio'].includes((target as HTMLInputElement).type));
}

document.addEventListener('keydown', (e) => {
  const target = e.target as HTMLElement;
  if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
  if (e.key === 'Escape' && app.trace) {
    closeStepper();
    emit('render');
    return;
  }
  if (typing(target)) return;
  if (e.key === ' ' && !spaceOperates(target)) {
    // Also on a slider, which Space does not move: Space trains or pauses (in a menu it opens the menu).
    e.preventDefault();
    togglePlay();
  } else if (e.key === '.') {
    e.preventDefault();
    stepEpoch();
  }
});

on('reset', render);
on('controls', render);
