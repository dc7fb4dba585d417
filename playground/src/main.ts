// The playground page: controls, the network diagram, heat maps, loss curves and the step-through view.
// All training happens in the worker; this thread only draws what the worker reports.
import type { LayerTrace, UpdateTrace } from '../../src/index.js';
import { colour, drawCurves, drawHeatmap, drawPoints } from './draw.js';
import { EXTENT, FEATURES, makeProblem, type Problem } from './problem.js';
import { GRID, type FromWorker, type Snapshot, type ToWorker } from './protocol.js';
import {
  ACTIVATIONS, DATASETS, FEATURE_NAMES, LEARNING_RATES, MAX_LAYERS, MAX_SEED, MAX_UNITS, OPTIMIZERS, REGULARIZATION_RATES,
  parseState, serializeState, type State,
} from './state.js';

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const fmt = (v: number): string => (v === 0 ? '0' : Number(v.toPrecision(4)).toString());

let state = parseState(location.search);
let problem: Problem = makeProblem(state);
let snapshot: Snapshot | null = null;
let playing = false;
let trainCurve: number[] = [], testCurve: number[] = [];
let trace: UpdateTrace | null = null;
let tracedIndex: number | null = null;
let stage = 0;

/** A message for the learner, kept until the next change of settings or the next one. */
function say(text: string): void {
  $('message').textContent = text;
}

const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
const send = (m: ToWorker): void => worker.postMessage(m);

// ---- controls ----

function fillSelect(id: string, values: readonly (string | number)[], current: string | number, label = (v: string | number) => String(v)): void {
  const select = $<HTMLSelectElement>(id);
  select.innerHTML = values.map((v) => `<option value="${v}"${v === current ? ' selected' : ''}>${label(v)}</option>`).join('');
}

function renderControls(): void {
  fillSelect('learningRate', LEARNING_RATES, state.learningRate);
  fillSelect('activation', ACTIVATIONS, state.activation);
  fillSelect('optimizer', OPTIMIZERS, state.optimizer);
  fillSelect('regularization', ['none', 'l1', 'l2'], state.regularization, (v) => (v === 'none' ? 'none' : String(v).toUpperCase()));
  fillSelect('regularizationRate', REGULARIZATION_RATES, state.regularizationRate);
  $<HTMLInputElement>('seed').value = String(state.seed);
  $<HTMLInputElement>('trainRatio').value = String(Math.round(state.trainRatio * 100));
  $('trainRatioValue').textContent = `${Math.round(state.trainRatio * 100)}%`;
  $<HTMLInputElement>('noise').value = String(Math.round(state.noise * 100));
  $('noiseValue').textContent = String(Math.round(state.noise * 100));
  $<HTMLInputElement>('batchSize').value = String(state.batchSize);
  $('batchSizeValue').textContent = String(state.batchSize);
  $('datasets').innerHTML = '<legend>Data set</legend>' + DATASETS.map((d) =>
    `<label><input type="radio" name="dataset" value="${d}"${d === state.dataset ? ' checked' : ''}> ${d}${d === 'plane' ? ' (regression)' : ''}</label>`).join('');
  $('features').innerHTML = '<legend>Input features</legend>' + FEATURE_NAMES.map((f) =>
    `<label><input type="checkbox" value="${f}"${state.features.includes(f) ? ' checked' : ''}> ${FEATURES[f].label}</label>`).join('');
  $('layerCount').textContent = `${state.layers.length} hidden layer${state.layers.length === 1 ? '' : 's'}`;
}

/** Changes settings, writes them to the URL and starts a fresh network. */
function update(changes: Partial<State>): void {
  state = { ...state, ...changes };
  history.replaceState(null, '', serializeState(state));
  reset();
}

function reset(): void {
  playing = false;
  say('');
  problem = makeProblem(state);
  snapshot = null;
  trainCurve = [];
  testCurve = [];
  closeStepper();
  renderControls();
  buildDiagram();
  setPlaying(false);
  send({ type: 'reset', state });
}

function setPlaying(on: boolean): void {
  playing = on;
  const play = $('play');
  play.textContent = on ? '‖' : '▶';
  play.setAttribute('aria-label', on ? 'Pause' : 'Train');
  play.setAttribute('aria-pressed', String(on));
}

function togglePlay(): void {
  if (playing) send({ type: 'pause' });
  else {
    closeStepper();
    send({ type: 'play' });
  }
  setPlaying(!playing);
}

function stepEpoch(): void {
  closeStepper();
  setPlaying(false);
  send({ type: 'step' });
}

$('play').addEventListener('click', togglePlay);
$('step').addEventListener('click', stepEpoch);
// ⟲: new random weights on the same data (the restart count is in the URL, so the link still reproduces the run).
$('reset').addEventListener('click', () => update({ restart: state.restart + 1 }));
$('addLayer').addEventListener('click', () => state.layers.length < MAX_LAYERS && update({ layers: [...state.layers, 2] }));
$('removeLayer').addEventListener('click', () => state.layers.length > 0 && update({ layers: state.layers.slice(0, -1) }));
$('learningRate').addEventListener('change', (e) => update({ learningRate: Number((e.target as HTMLSelectElement).value) }));
$('activation').addEventListener('change', (e) => update({ activation: (e.target as HTMLSelectElement).value as State['activation'] }));
$('optimizer').addEventListener('change', (e) => update({ optimizer: (e.target as HTMLSelectElement).value as State['optimizer'] }));
$('regularization').addEventListener('change', (e) => update({ regularization: (e.target as HTMLSelectElement).value as State['regularization'] }));
$('regularizationRate').addEventListener('change', (e) => update({ regularizationRate: Number((e.target as HTMLSelectElement).value) }));
$('seed').addEventListener('change', (e) => {
  const field = e.target as HTMLInputElement;
  const seed = Number(field.value);
  if (field.value.trim() !== '' && Number.isInteger(seed) && seed >= 0 && seed <= MAX_SEED) {
    update({ seed, restart: 0 });
    return;
  }
  field.value = String(state.seed);
  say(`Seed: expected a whole number from 0 to ${MAX_SEED}; kept ${state.seed}.`);
});
$('trainRatio').addEventListener('change', (e) => update({ trainRatio: Number((e.target as HTMLInputElement).value) / 100 }));
$('noise').addEventListener('change', (e) => update({ noise: Number((e.target as HTMLInputElement).value) / 100 }));
$('batchSize').addEventListener('change', (e) => update({ batchSize: Number((e.target as HTMLInputElement).value) }));
$('datasets').addEventListener('change', (e) => update({ dataset: (e.target as HTMLInputElement).value as State['dataset'] }));
$('features').addEventListener('change', () => {
  const chosen = FEATURE_NAMES.filter((f) => ($('features').querySelector(`input[value="${f}"]`) as HTMLInputElement).checked);
  if (chosen.length) update({ features: chosen });
  else {
    renderControls();
    say('The network needs at least one input feature; that one stays on.');
  }
});
$('showTest').addEventListener('change', () => drawOutput());

/** Fields where a key is text being typed: the shortcuts leave those alone. */
function typing(target: HTMLElement): boolean {
  return target.tagName === 'TEXTAREA' || (target.tagName === 'INPUT' && ['text', 'number', 'search'].includes((target as HTMLInputElement).type));
}

/** Controls that Space itself operates: a button presses, a box ticks. */
function spaceOperates(target: HTMLElement): boolean {
  return target.tagName === 'BUTTON' || (target.tagName === 'INPUT' && ['checkbox', 'radio'].includes((target as HTMLInputElement).type));
}

document.addEventListener('keydown', (e) => {
  const target = e.target as HTMLElement;
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  if (e.key === 'Escape' && trace) {
    closeStepper();
    render();
    return;
  }
  if (typing(target)) return;
  if (e.key === ' ' && !spaceOperates(target)) {
    // Also in a select or on a slider: Space trains or pauses (a select opens with Alt+↓ or a click).
    e.preventDefault();
    togglePlay();
  } else if (e.key === '.') {
    e.preventDefault();
    stepEpoch();
  }
});

// ---- network diagram ----

const UNIT = 36, COLUMN = 120, ROW = 48, TOP = 44;
const unitX = (column: number): number => 10 + column * COLUMN;
const unitY = (row: number): number => TOP + row * ROW;

/** Columns of the diagram: the input features, each hidden layer, the output. */
function columnSizes(): number[] {
  return [state.features.length, ...state.layers, 1];
}

function buildDiagram(): void {
  const diagram = $('diagram');
  diagram.querySelectorAll('.unit, .col-label, .unit-buttons, .annotation').forEach((n) => n.remove());
  const sizes = columnSizes();
  const height = TOP + Math.max(...sizes) * ROW + 10;
  diagram.style.height = `${height}px`;
  const svg = $('links') as unknown as SVGSVGElement;
  svg.setAttribute('width', String(unitX(sizes.length - 1) + UNIT + 140));
  svg.setAttribute('height', String(height));
  sizes.forEach((n, c) => {
    const label = document.createElement('div');
    label.className = 'col-label';
    label.style.left = `${unitX(c) - 32}px`;
    label.style.top = '0px';
    label.textContent = c === 0 ? 'inputs' : c === sizes.length - 1 ? 'output' : `layer ${c}: ${n} unit${n === 1 ? '' : 's'}`;
    diagram.append(label);
    if (c > 0 && c < sizes.length - 1) {
      const buttons = document.createElement('div');
      buttons.className = 'unit-buttons';
      buttons.style.left = `${unitX(c) - 8}px`;
      buttons.style.top = '16px';
      buttons.innerHTML = `<button type="button" aria-label="Add a unit to layer ${c}">+</button><button type="button" aria-label="Remove a unit from layer ${c}">−</button>`;
      const [add, remove] = buttons.querySelectorAll('button');
      add.addEventListener('click', () => n < MAX_UNITS && update({ layers: state.layers.map((u, l) => (l === c - 1 ? u + 1 : u)) }));
      remove.addEventListener('click', () => n > 1 && update({ layers: state.layers.map((u, l) => (l === c - 1 ? u - 1 : u)) }));
      diagram.append(buttons);
    }
    for (let i = 0; i < n; i++) {
      const canvas = document.createElement('canvas');
      canvas.className = 'unit';
      canvas.width = UNIT;
      canvas.height = UNIT;
      canvas.style.left = `${unitX(c)}px`;
      canvas.style.top = `${unitY(i)}px`;
      canvas.dataset.column = String(c);
      canvas.dataset.unit = String(i);
      canvas.setAttribute('role', 'img');
      canvas.setAttribute('aria-label', c === 0 ? `input ${FEATURES[state.features[i]].label}` : c === sizes.length - 1 ? 'output unit' : `layer ${c}, unit ${i + 1}`);
      diagram.append(canvas);
      if (c === 0) drawFeature(canvas, i);
    }
  });
}

function drawFeature(canvas: HTMLCanvasElement, i: number): void {
  const values = new Float32Array(GRID * GRID);
  const f = FEATURES[state.features[i]].f;
  for (let r = 0; r < GRID; r++) {
    for (let c = 0; c < GRID; c++) {
      values[r * GRID + c] = f(-EXTENT + ((c + 0.5) / GRID) * 2 * EXTENT, EXTENT - ((r + 0.5) / GRID) * 2 * EXTENT);
    }
  }
  drawHeatmap(canvas, values, 1, 0, (v) => v);
}

/** Maps a unit's output to [−1, 1] for colouring: sigmoid outputs live in (0, 1). */
function unitMap(activation: string): (v: number) => number {
  return activation === 'sigmoid' ? (v) => 2 * v - 1 : (v) => v;
}

function drawLinks(): void {
  const svg = $('links') as unknown as SVGSVGElement;
  if (!snapshot) {
    svg.innerHTML = '';
    return;
  }
  const parts: string[] = [];
  const showSteps = trace !== null && stage >= 4;
  snapshot.weights.forEach((layer, l) => {
    // Δw labels on the links only where they fit; the list beside the diagram has them all.
    const labelled = showSteps && layer.weights.length * layer.weights[0].length <= 4;
    layer.weights.forEach((row, i) => row.forEach((w, j) => {
      const x1 = unitX(l) + UNIT, y1 = unitY(i) + UNIT / 2, x2 = unitX(l + 1), y2 = unitY(j) + UNIT / 2;
      const [r, g, b] = colour(w > 0 ? 1 : -1);
      const width = Math.min(6, Math.max(0.5, Math.abs(w) * 2));
      const step = showSteps && trace ? `, Δw = ${fmt(trace.layers[l].deltaW[i][j])}` : '';
      parts.push(`<line x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}" stroke="rgb(${r},${g},${b})" stroke-width="${width.toFixed(2)}" stroke-opacity="0.8"><title>w = ${fmt(w)}${step}</title></line>`);
      if (labelled && trace) {
        const dw = trace.layers[l].deltaW[i][j];
        const t = 0.3 + 0.4 * (j + 1) / (row.length + 1);
        parts.push(`<text x="${x1 + (x2 - x1) * t}" y="${y1 + (y2 - y1) * t - 2}" font-size="10" fill="#000">Δw ${fmt(dw)}</text>`);
      }
    }));
  });
  svg.innerHTML = parts.join('');
}

function drawUnits(): void {
  if (!snapshot) return;
  const last = columnSizes().length - 1;
  document.querySelectorAll<HTMLCanvasElement>('#diagram canvas.unit').forEach((canvas) => {
    const c = Number(canvas.dataset.column), i = Number(canvas.dataset.unit);
    if (c === 0) return;
    if (c === last) drawHeatmap(canvas, snapshot!.output, 1, 0, problem.task === 'classification' ? (v) => 2 * v - 1 : (v) => v);
    else drawHeatmap(canvas, snapshot!.hidden[c - 1], state.layers[c - 1], i, unitMap(state.activation));
  });
}

// ---- output: heat map, points, curves, gradients ----

const heatmap = $<HTMLCanvasElement>('heatmap');
const toPixel = (x: number, y: number): [number, number] =>
  [((x + EXTENT) / (2 * EXTENT)) * heatmap.width, ((EXTENT - y) / (2 * EXTENT)) * heatmap.height];

function drawOutput(): void {
  if (snapshot) drawHeatmap(heatmap, snapshot.output, 1, 0, problem.task === 'classification' ? (v) => 2 * v - 1 : (v) => v, 0.6);
  const regression = problem.task === 'regression';
  drawPoints(heatmap, problem.train.points, problem.train.y, toPixel, regression, false, tracedIndex);
  if ($<HTMLInputElement>('showTest').checked) drawPoints(heatmap, problem.test.points, problem.test.y, toPixel, regression, true, null);
}

function drawGradients(): void {
  if (!snapshot) return;
  $('gradients').innerHTML = snapshot.gradientNorms.map((n, l) => {
    // Log scale from 1e-6 to 1, so a gradient 1000× smaller is visibly shorter, not invisible.
    const width = Math.max(0, Math.min(1, (Math.log10(Math.max(n, 1e-12)) + 6) / 6)) * 160;
    return `<div class="bar" role="listitem"><span>W${l + 1}</span><span class="fill" style="width:${width.toFixed(1)}px"></span><span data-norm="${l}">${n.toExponential(1)}</span></div>`;
  }).join('');
}

/** Epochs per second over the last second of play. */
const epochTimes: number[] = [];
function showSpeed(reason: Snapshot['reason']): void {
  const now = performance.now();
  if (reason === 'epoch' && playing) epochTimes.push(now);
  while (epochTimes.length && now - epochTimes[0] > 1000) epochTimes.shift();
  $('speed').textContent = playing && epochTimes.length > 1 ? `${epochTimes.length} epochs/s` : '';
}

function render(): void {
  if (!snapshot) return;
  $('epoch').textContent = String(snapshot.epoch);
  showSpeed(snapshot.reason);
  $('trainLoss').textContent = snapshot.trainLoss.toFixed(3);
  $('testLoss').textContent = snapshot.testLoss.toFixed(3);
  drawCurves($<HTMLCanvasElement>('lossCurve'), trainCurve, testCurve);
  $('lossCurve').dataset.points = String(trainCurve.length);
  drawUnits();
  drawLinks();
  drawOutput();
  drawGradients();
}

worker.onmessage = (event: MessageEvent<FromWorker>) => {
  const m = event.data;
  if (m.type === 'update') {
    snapshot = m;
    // The curves have a point per epoch: a step-through's update or a pause is not one.
    if (m.reason === 'reset' || m.reason === 'epoch') {
      trainCurve.push(m.trainLoss);
      testCurve.push(m.testLoss);
    }
    if (!m.playing && playing && trace === null) setPlaying(false);
    render();
  } else if (m.type === 'trace') {
    trace = m.trace;
    tracedIndex = m.index;
    showStage();
    render();
  } else {
    setPlaying(false);
    say(m.message);
  }
};

// ---- step through one update ----

const STAGES = [
  ['Forward pass', 'Each unit sums its weighted inputs, h = Σ wᵢ·xᵢ + b, and applies its activation, a = f(h).'],
  ["Step 1: the network's error", 'Compare the output ŷ with the target y: the error is y − ŷ.'],
  ['Step 2: the output error term δᵒ', 'δᵒ = −∂E/∂h at the output unit; with a sigmoid output and cross-entropy it is exactly y − ŷ, with squared error (y − ŷ)·f′(h).'],
  ['Step 3: the hidden error terms δʰ', 'Each hidden unit gets the error terms of the layer above, weighted by the links: δʰⱼ = (Σₖ Wⱼₖ·δₖ)·f′(hⱼ).'],
  ['Step 4: the weight steps Δw', 'Every weight moves by Δw = η·δ·x: the step size, times the error term of the unit it feeds, times the value it carries.'],
  ['The update, applied', 'The weights took the steps. The loss on this point before and after:'],
] as const;

function values(t: UpdateTrace): string[] {
  const li = (attrs: string, text: string): string => `<li ${attrs}>${text}</li>`;
  const layerName = (l: LayerTrace): string => (l.role === 'output' ? 'output' : `layer ${l.layer + 1}`);
  switch (stage) {
    case 0:
      return t.layers.flatMap((l) => l.h.map((h, j) =>
        li(`data-kind="forward" data-layer="${l.layer}" data-unit="${j}"`, `${layerName(l)} unit ${j + 1}: h = ${fmt(h)}, a = ${fmt(l.a[j])}`)));
    case 1:
      return t.output.map((p, k) => li(`data-kind="error" data-unit="${k}"`, `y = ${fmt(t.target[k])}, ŷ = ${fmt(p)}, y − ŷ = ${fmt(t.error[k])}; E = ${fmt(t.lossBefore)}`));
    case 2: {
      const out = t.layers[t.layers.length - 1];
      return out.delta.map((d, k) => li(`data-kind="delta" data-layer="${out.layer}" data-unit="${k}"`, `δᵒ = ${fmt(d)}`));
    }
    case 3: {
      const hidden = t.layers.slice(0, -1);
      if (hidden.length === 0) return [li('', 'no hidden layers')];
      return hidden.flatMap((l) => l.delta.map((d, j) => li(`data-kind="delta" data-layer="${l.layer}" data-unit="${j}"`, `${layerName(l)} unit ${j + 1}: δʰ = ${fmt(d)}`)));
    }
    case 4:
      return t.layers.flatMap((l) => [
        ...l.deltaW.flatMap((row, i) => row.map((dw, j) =>
          li(`data-kind="dw" data-layer="${l.layer}" data-from="${i}" data-to="${j}"`, `${layerName(l)}, input ${i + 1} → unit ${j + 1}: Δw = η·δ·x = ${fmt(dw)}`))),
        ...(l.deltaB ?? []).map((db, j) => li(`data-kind="db" data-layer="${l.layer}" data-unit="${j}"`, `${layerName(l)} unit ${j + 1}: Δb = η·δ = ${fmt(db)}`)),
      ]);
    default:
      return [li('data-kind="loss"', `E before = ${fmt(t.lossBefore)}, E after = ${fmt(t.lossAfter)}`)];
  }
}

function annotateUnits(t: UpdateTrace): void {
  document.querySelectorAll('#diagram .annotation').forEach((n) => n.remove());
  const diagram = $('diagram');
  t.layers.forEach((l) => l.h.forEach((h, j) => {
    let text = '';
    if (stage === 0) text = `h ${fmt(h)} a ${fmt(l.a[j])}`;
    else if ((stage === 2 && l.role === 'output') || (stage === 3 && l.role === 'hidden')) text = `δ ${fmt(l.delta[j])}`;
    if (!text) return;
    const note = document.createElement('div');
    note.className = 'annotation';
    note.style.left = `${unitX(l.layer + 1)}px`;
    note.style.top = `${unitY(j) + UNIT + 1}px`;
    note.textContent = text;
    diagram.append(note);
  }));
}

function showStage(): void {
  if (!trace) return;
  const stepper = $('stepper');
  stepper.hidden = false;
  stepper.dataset.index = String(tracedIndex);
  stepper.dataset.stage = String(stage);
  $('stageTitle').textContent = `${STAGES[stage][0]} (training point ${tracedIndex}, η = ${trace.learningRate})`;
  $('stageText').textContent = STAGES[stage][1];
  $('stageValues').innerHTML = values(trace).join('');
  $<HTMLButtonElement>('nextStage').disabled = stage === STAGES.length - 1;
  annotateUnits(trace);
  drawLinks();
}

function pickPoint(index: number): void {
  if (!(Number.isInteger(index) && index >= 0 && index < problem.train.points.length)) {
    say(`Training point: expected a whole number from 0 to ${problem.train.points.length - 1}.`);
    return;
  }
  say('');
  if (playing) {
    send({ type: 'pause' });
    setPlaying(false);
  }
  stage = 0;
  send({ type: 'trace', index });
}

function closeStepper(): void {
  trace = null;
  tracedIndex = null;
  stage = 0;
  $('stepper').hidden = true;
  document.querySelectorAll('#diagram .annotation').forEach((n) => n.remove());
}

$('nextStage').addEventListener('click', () => {
  if (!trace || stage >= STAGES.length - 1) return;
  stage++;
  // Entering the last stage applies the very update the trace shows.
  if (stage === STAGES.length - 1 && tracedIndex !== null) send({ type: 'apply', index: tracedIndex });
  else showStage();
});
$('closeStepper').addEventListener('click', () => {
  closeStepper();
  render();
});
$('pickPoint').addEventListener('click', () => pickPoint(Number($<HTMLInputElement>('pointIndex').value)));
$('pointIndex').addEventListener('keydown', (e) => {
  if (e.key === 'Enter') pickPoint(Number($<HTMLInputElement>('pointIndex').value));
});
heatmap.addEventListener('click', (e) => {
  const box = heatmap.getBoundingClientRect();
  const px = ((e.clientX - box.left) / box.width) * heatmap.width, py = ((e.clientY - box.top) / box.height) * heatmap.height;
  let best = -1, bestDistance = 12 * 12;
  problem.train.points.forEach(([x, y], i) => {
    const [qx, qy] = toPixel(x, y);
    const d = (qx - px) ** 2 + (qy - py) ** 2;
    if (d < bestDistance) {
      best = i;
      bestDistance = d;
    }
  });
  if (best >= 0) {
    $<HTMLInputElement>('pointIndex').value = String(best);
    pickPoint(best);
  }
});

// The URL as read (values snapped to the sliders' steps), so link, sliders and labels agree from the start.
history.replaceState(null, '', serializeState(state));
reset();
