// The network diagram: every input feature (clickable, the unused ones pale), each unit's heat map with its
// bias, links drawn by weight, hover to read a weight and click to set it, and the step-through's numbers
// placed on it without collisions. It is laid out at full size, as wide as its column allows, and scrolls sideways
// where a deep network is wider still: scaled down, its controls would shrink below a finger's 24 pixels and its
// numbers below reading size.
import { $, app, closeStepper, emit, fmt, on, send, toggleFeature, turnOf, update, type WeightRef } from './app.js';
import { colour, css, drawHeatmap, outputMap, unitMap } from './draw.js';
import { concealed } from './exercise.js';
import { intersects, placeLabels, type Box, type LabelRequest } from './labels.js';
import { lesson } from './lessons.js';
import { EXTENT, FEATURES, inputNames, inputsAt, layerActivation, networkSpec } from './problem.js';
import { GRID } from './protocol.js';
import { ACTIVATIONS, FEATURE_NAMES, MAX_UNITS, type HiddenActivation } from './state.js';

const UNIT = 36, ROW = 48, RIGHT = 24, BIAS = 9;
/** Room for the inputs' names left of their units: the longest name's, from 48 to 130 pixels (a longer one is cut, whole in its tooltip). */
const MIN_LEFT = 48, MAX_LEFT = 130;
/** A hidden layer's head: its name (0–16), its + and − (18–42), its activation menu (46–74); the units below. */
const BUTTONS_TOP = 18, MENU_TOP = 46, TOP = 82;
/** A bias's target: 24 pixels square around its 9-pixel mark, to the unit's left, level with its foot. */
const BIAS_TARGET = 24;
/**
 * Column spacing: as wide as the column allows within these bounds (the least holds a layer's menu, cut to the
 * column). A network wider than that scrolls, and then takes ROOMY columns, where a unit's number fits beside it
 * clear of the next column. At 76 the default network (four columns) fits a 390-pixel phone's 358: at 84 it took
 * ROOMY columns, 418 pixels, and the output was cut off at the screen's edge.
 */
const MIN_COLUMN = 76, MAX_COLUMN = 140, ROOMY = 100;
/** A unit's thumbnail samples the GRID×GRID plane at this many cells a side (the large map shows all). */
const THUMBNAIL = 25;

interface Layout {
  column: number;
  width: number;
  height: number;
  /** Where the input units begin: their names are left of them. */
  left: number;
  /** Units per column: the inputs (all features), each hidden layer, the output. */
  sizes: number[];
  /** A table's many inputs share the height of eight rows: their pitch and unit size then shrink. */
  inputPitch: number;
  inputUnit: number;
}
let layout: Layout = { column: MIN_COLUMN, width: 0, height: 0, left: MIN_LEFT, sizes: [], inputPitch: ROW, inputUnit: UNIT };

const unitX = (c: number): number => layout.left + c * layout.column;
const unitY = (row: number): number => TOP + row * ROW;
/** The top of input i's unit (its pitch is ROW, or less for a table's many inputs). */
const inputY = (row: number): number => TOP + row * layout.inputPitch;
/** Whether the inputs are the network's own list (a lesson's, a table's) rather than the seven plane features. */
const ownInputs = (): boolean => app.state.lesson !== null || app.problem.table !== null;
/** The row of the network's input i: inputs keep their place in the full list of features (a lesson's or table's are its own). */
const inputRow = (i: number): number => (ownInputs() ? i : FEATURE_NAMES.indexOf(app.state.features[i]));
/** Rows of the input column: every feature, used or not; in a lesson or a table its inputs alone. */
const inputRows = (): number => app.problem.table?.inputNames.length ?? lesson(app.state.lesson)?.x.length ?? FEATURE_NAMES.length;

const diagram = $('diagram');
const stage = document.createElement('div');
stage.className = 'stage';
const svg = $('links') as unknown as SVGSVGElement;
const labelLayer = document.createElement('div');
labelLayer.className = 'labels';
const tip = document.createElement('div');
tip.id = 'tip';
tip.hidden = true;
stage.append(svg, labelLayer, tip);
diagram.prepend(stage);

function computeLayout(): void {
  const sizes = [inputRows(), ...app.state.layers, app.problem.outputs];
  const available = Math.max(200, diagram.clientWidth);
  const left = Math.min(MAX_LEFT, Math.max(MIN_LEFT, Math.ceil(namesWidth()) + 12));
  const fits = (available - left - UNIT - RIGHT) / (sizes.length - 1);
  const column = fits < MIN_COLUMN ? ROOMY : Math.min(MAX_COLUMN, fits);
  const width = left + (sizes.length - 1) * column + UNIT + RIGHT;
  const inputPitch = sizes[0] > MAX_UNITS ? Math.max(12, Math.min(ROW, (MAX_UNITS * ROW) / sizes[0])) : ROW;
  const inputUnit = Math.min(UNIT, inputPitch - 4);
  const height = TOP + Math.max(sizes[0] * inputPitch, ...sizes.slice(1).map((n) => n * ROW)) + 8;
  layout = { column, width, height, left, sizes, inputPitch, inputUnit };
  stage.style.width = `${width}px`;
  stage.style.height = `${height}px`;
  svg.setAttribute('width', String(width));
  svg.setAttribute('height', String(height));
}

/** The widest input name as the diagram writes it (0 where the inputs are too many to be named). */
let measurer: CanvasRenderingContext2D | null = null;
function namesWidth(): number {
  const rows = inputRows();
  if (rows > MAX_UNITS && (MAX_UNITS * ROW) / rows < 18) return 0;
  const names = ownInputs() ? inputNames(app.state, app.problem) : FEATURE_NAMES.map((f) => FEATURES[f].label);
  measurer ??= document.createElement('canvas').getContext('2d')!;
  measurer.font = `13px ${getComputedStyle(diagram).fontFamily}`;
  return names.reduce((w, n) => Math.max(w, measurer!.measureText(n).width), 0);
}

function element<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, x: number, y: number): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  e.className = className;
  e.style.left = `${x}px`;
  e.style.top = `${y}px`;
  stage.append(e);
  return e;
}

/** A selector for the focused control of the diagram, to find its successor after a rebuild; null if none. */
function focusedSelector(): string | null {
  const e = document.activeElement as HTMLElement | null;
  if (!e || !stage.contains(e)) return null;
  if (e.matches('.unit-buttons button')) return `.unit-buttons button[aria-label="${e.getAttribute('aria-label')}"]`;
  if (e.matches('.layer-activation')) return `.layer-activation[data-layer="${e.dataset.layer}"]`;
  if (e.matches('.input-label')) return `.input-label[data-feature="${e.dataset.feature}"]`;
  if (e.matches('.bias')) return `.bias[data-layer="${e.dataset.layer}"][data-unit="${e.dataset.unit}"]`;
  return null;
}

function build(): void {
  // Pressing a unit's + or an input's name rebuilds the diagram: the focus stays on that control.
  const refocus = focusedSelector();
  stage.querySelectorAll('.unit, .col-label, .unit-buttons, .layer-activation, .bias, .input-label').forEach((n) => n.remove());
  hideEditor();
  computeLayout();
  const { sizes } = layout;
  const last = sizes.length - 1;
  sizes.forEach((n, c) => {
    const header = element('div', 'col-label', unitX(c) + UNIT / 2 - (layout.column - 8) / 2, 0);
    header.style.width = `${layout.column - 8}px`;
    header.textContent = c === 0 ? 'inputs' : c === last ? 'output' : `layer ${c}`;
    if (c === last) {
      // What the output computes, where a hidden layer's menu is: sigmoid, softmax or linear, as the network has it.
      const output = networkSpec(app.state, app.problem.task, app.problem).layers.at(-1)!.activation!;
      const kind = element('div', 'col-label output-activation', header.offsetLeft, MENU_TOP + 5);
      kind.style.width = header.style.width;
      kind.textContent = output;
    }
    if (c > 0 && c < last) {
      // The layer's size between its − and +: a stepper.
      const buttons = element('div', 'unit-buttons', 0, BUTTONS_TOP);
      buttons.innerHTML = `<button type="button" aria-label="Remove a unit from layer ${c}">−</button>`
        + `<span class="count" title="${n} unit${n === 1 ? '' : 's'}">${n}</span><button type="button" aria-label="Add a unit to layer ${c}">+</button>`;
      // The layer's own activation, in the URL (activations=…), on a row of its own: as wide as its longest name.
      const menu = element('select', 'layer-activation', 0, MENU_TOP);
      menu.dataset.layer = String(c - 1);
      menu.setAttribute('aria-label', `Activation of layer ${c}`);
      menu.innerHTML = ACTIVATIONS.map((a) => `<option value="${a}"${a === layerActivation(app.state, c - 1) ? ' selected' : ''}>${a}</option>`).join('');
      // No wider than its column (leaky-relu's name is cut short in a narrow one; its options are whole).
      menu.style.maxWidth = `${layout.column - 6}px`;
      menu.addEventListener('change', () => update({ activations: app.state.layers.map((_, l) => (l === c - 1 ? menu.value as HiddenActivation : layerActivation(app.state, l))) }));
      // Both centred over the layer's units.
      for (const e of [buttons, menu]) e.style.left = `${unitX(c) + UNIT / 2 - e.offsetWidth / 2}px`;
      const [remove, add] = buttons.querySelectorAll('button');
      const resize = (d: number) => () => {
        const units = n + d;
        if (units >= 1 && units <= MAX_UNITS) updateLayers(c - 1, units);
      };
      add.addEventListener('click', resize(1));
      remove.addEventListener('click', resize(-1));
    }
    for (let i = 0; i < n; i++) {
      const canvas = element('canvas', 'unit', unitX(c), c === 0 ? inputY(i) : unitY(i));
      canvas.width = canvas.height = c === 0 ? layout.inputUnit : UNIT;
      canvas.dataset.column = String(c);
      canvas.dataset.unit = String(i);
      canvas.setAttribute('role', 'img');
      if (c === 0) (ownInputs() ? buildLessonInput : buildInput)(canvas, i);
      else {
        canvas.addEventListener('click', () => select([c, i]));
        const className = app.problem.table?.classes?.[n > 1 ? i : 1];
        canvas.setAttribute('aria-label', c === last ? (n > 1 ? `output unit ${i + 1} (class ${className})` : 'output unit') : `layer ${c}, unit ${i + 1}`);
        canvas.addEventListener('mouseenter', () => hover([c, i]));
        canvas.addEventListener('mouseleave', () => hover(null));
        if (!app.state.biases) continue;
        const bias = element('button', 'bias', unitX(c) - BIAS_TARGET - 1, unitY(i) + UNIT - BIAS - (BIAS_TARGET - BIAS) / 2);
        bias.type = 'button';
        bias.dataset.layer = String(c - 1);
        bias.dataset.unit = String(i);
        bias.addEventListener('click', () => chooseWeight({ layer: c - 1, from: 'bias', to: i }, bias));
        bias.setAttribute('aria-label', `bias of ${c === last ? 'the output' : `layer ${c}, unit ${i + 1}`}; Enter to change it`);
        bias.addEventListener('mouseenter', () => showTip(bias));
        bias.addEventListener('focus', () => showTip(bias));
        bias.addEventListener('blur', () => (tip.hidden = true));
        bias.addEventListener('mouseleave', () => (tip.hidden = true));
      }
    }
  });
  drawLinks();
  drawUnits();
  if (refocus) stage.querySelector<HTMLElement>(refocus)?.focus({ preventScroll: true });
}

function updateLayers(layer: number, units: number): void {
  update({ layers: app.state.layers.map((u, l) => (l === layer ? units : u)) });
}

/** An input feature: its heat map, its name beside it, pale when unused; a click turns it on or off. */
function buildInput(canvas: HTMLCanvasElement, i: number): void {
  const feature = FEATURE_NAMES[i];
  const used = app.state.features.includes(feature);
  canvas.classList.add('input');
  canvas.classList.toggle('unused', !used);
  canvas.setAttribute('aria-label', `input ${FEATURES[feature].label}${used ? '' : ' (not used)'}`);
  canvas.addEventListener('click', () => toggleFeature(feature));
  const values = new Float32Array(GRID * GRID);
  const f = FEATURES[feature].f;
  for (let r = 0; r < GRID; r++) {
    for (let c = 0; c < GRID; c++) values[r * GRID + c] = f(-EXTENT + ((c + 0.5) / GRID) * 2 * EXTENT, EXTENT - ((r + 0.5) / GRID) * 2 * EXTENT);
  }
  drawHeatmap(canvas, values, 1, 0, (v) => v, 1, THUMBNAIL);
  const label = element('button', 'input-label', 0, unitY(i) + UNIT / 2 - 12);
  label.type = 'button';
  label.style.width = `${layout.left - 6}px`;
  label.textContent = FEATURES[feature].label;
  label.dataset.feature = feature;
  label.setAttribute('aria-pressed', String(used));
  label.title = used ? `${FEATURES[feature].label} is an input; click to remove it` : `Click to add ${FEATURES[feature].label} as an input`;
  label.addEventListener('click', () => toggleFeature(feature));
}

/**
 * Every input's value at every cell of the plane, one array per input, worked out once per problem: the inputs at a
 * cell come as one vector, so drawing each input's map from it alone would cost inputs² × cells.
 */
let plane: { problem: unknown; values: Float32Array[] } | null = null;
function planeInputs(): Float32Array[] {
  if (plane?.problem === app.problem) return plane.values;
  const at = inputsAt(app.state, app.problem);
  const e = app.problem.extent;
  const values: Float32Array[] = [];
  for (let r = 0; r < GRID; r++) {
    for (let c = 0; c < GRID; c++) {
      const v = at(-e + ((c + 0.5) / GRID) * 2 * e, e - ((r + 0.5) / GRID) * 2 * e);
      for (let i = 0; i < v.length; i++) (values[i] ??= new Float32Array(GRID * GRID))[r * GRID + c] = v[i];
    }
  }
  plane = { problem: app.problem, values };
  return values;
}

/**
 * A lesson's or a table's input: its heat map over the plane (a lesson's x₁, x₂ vary across it, a further input is
 * held at the point's value; a table's plane is two of its inputs or its principal components, the rest at their means).
 */
function buildLessonInput(canvas: HTMLCanvasElement, i: number): void {
  const name = inputNames(app.state, app.problem)[i];
  canvas.classList.add('input');
  canvas.setAttribute('aria-label', `input ${name}`);
  canvas.title = name;
  drawHeatmap(canvas, planeInputs()[i], 1, 0, app.problem.table ? (v) => Math.tanh(v) : (v) => v, 1, THUMBNAIL);
  // Labels need room: a table's many inputs are named on their units' tooltips instead.
  if (layout.inputPitch < 18) return;
  const label = element('span', 'input-label', 0, inputY(i) + layout.inputUnit / 2 - 10);
  label.style.width = `${layout.left - 6}px`;
  label.style.lineHeight = '20px';
  label.textContent = name;
  label.title = name;
}

/** The unit whose links carry numbers on the diagram while stepping: the hovered one, else the clicked one, else the output. */
let selected: [number, number] | null = null;
function select(unit: [number, number]): void {
  selected = unit;
  if (app.trace) annotate();
}

function hover(unit: [number, number] | null): void {
  app.hovered = unit;
  emit('hover');
}

function drawUnits(): void {
  const snapshot = app.snapshot;
  if (!snapshot) return;
  const last = layout.sizes.length - 1;
  stage.querySelectorAll<HTMLCanvasElement>('canvas.unit').forEach((canvas) => {
    const c = Number(canvas.dataset.column), i = Number(canvas.dataset.unit);
    if (c === 0) return;
    if (c === last) drawHeatmap(canvas, snapshot.output, app.problem.outputs, i, outputMap(app.problem.task), 1, THUMBNAIL);
    else drawHeatmap(canvas, snapshot.hidden[c - 1], app.state.layers[c - 1], i, unitMap(layerActivation(app.state, c - 1)), 1, THUMBNAIL);
  });
  stage.querySelectorAll<HTMLElement>('.bias').forEach((bias) => {
    const b = snapshot.weights[Number(bias.dataset.layer)].bias?.[Number(bias.dataset.unit)] ?? 0;
    // Written only when it changes (the value itself is read out on focus, in the tip).
    const fill = css(colour(Math.tanh(b)));
    if (bias.style.getPropertyValue('--bias') !== fill) bias.style.setProperty('--bias', fill);
    bias.dataset.value = String(b);
  });
}

/** The line of a weight: from unit `from` of column `layer` to unit `to` of column `layer + 1`. */
function ends(layer: number, from: number, to: number): [number, number, number, number] {
  const y1 = layer === 0 ? inputY(inputRow(from)) + layout.inputUnit / 2 : unitY(from) + UNIT / 2;
  return [unitX(layer) + (layer === 0 ? layout.inputUnit : UNIT), y1, unitX(layer + 1), unitY(to) + UNIT / 2];
}

/** The links' elements, made when the network's shape or the layout changes and updated in place each frame. */
let linkShape = '';
let linkLines: { line: SVGLineElement; hit: SVGLineElement; layer: number; from: number; to: number; last: string }[] = [];

function makeLinks(weights: readonly { weights: number[][] }[]): void {
  const shape = `${layout.column}|${layout.sizes.join(',')}|${app.state.features.join(',')}|${app.state.lesson}|${weights.map((l) => `${l.weights.length}x${l.weights[0].length}`).join(',')}`;
  if (shape === linkShape) return;
  linkShape = shape;
  const hadFocus = focusedLink !== null && svg.contains(document.activeElement);
  const parts: string[] = [];
  weights.forEach((layer, l) => layer.weights.forEach((row, i) => row.forEach((_, j) => {
    const [x1, y1, x2, y2] = ends(l, i, j);
    const at = `data-layer="${l}" data-from="${i}" data-to="${j}" x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}"`;
    // One link takes the Tab key at a time (the focused one, else the first); arrow keys move between them.
    const tab = `${l}:${i}:${j}` === (focusedLink ?? '0:0:0') ? 0 : -1;
    parts.push(`<line class="link" ${at}/>`, `<line class="hit" ${at} tabindex="${tab}" role="button" aria-label="${linkName(l, i, j)}"/>`);
  })));
  svg.innerHTML = parts.join('');
  const lines = [...svg.querySelectorAll<SVGLineElement>('line')];
  linkLines = [];
  for (let k = 0; k < lines.length; k += 2) {
    const d = lines[k].dataset;
    linkLines.push({ line: lines[k], hit: lines[k + 1], layer: Number(d.layer), from: Number(d.from), to: Number(d.to), last: '' });
  }
  if (hadFocus) linkElement(focusedLink!)?.focus({ preventScroll: true });
}

function drawLinks(): void {
  const snapshot = app.snapshot;
  if (!snapshot) {
    svg.innerHTML = '';
    linkShape = '';
    linkLines = [];
    return;
  }
  makeLinks(snapshot.weights);
  const trace = app.trace, stageNo = app.stage;
  // While stepping: δ flows back along the links (stages 2–3), and each link's width is its |Δw| (stage 4).
  const flowing = trace !== null && (stageNo === 2 || stageNo === 3);
  const stepping = trace !== null && stageNo === 4;
  const largest = stepping ? Math.max(1e-12, ...trace.layers.flatMap((l) => l.deltaW.flatMap((row, i) => row.map((dw, j) => (concealed(`dw:${l.layer}:${i}:${j}`) ? 0 : Math.abs(dw)))))) : 1;
  const depth = snapshot.weights.length;
  for (const link of linkLines) {
    const { layer: l, from: i, to: j } = link;
    const w = snapshot.weights[l].weights[i][j];
    // Exercise mode: a step not yet answered is not drawn by its size and sign either.
    const hidden = stepping && concealed(`dw:${l}:${i}:${j}`);
    const dw = hidden ? 0 : trace?.layers[l].deltaW[i][j] ?? 0;
    const width = (stepping && !hidden ? 0.5 + 7.5 * Math.abs(dw) / largest : Math.min(6, Math.max(0.5, Math.abs(w) * 2))).toFixed(2);
    const stroke = hidden ? '#999' : css(colour(stepping ? (dw > 0 ? 1 : -1) : w > 0 ? 1 : -1));
    // Flow: the dashes move toward the input, the output's links first.
    const flow = flowing && (stageNo === 2 ? l === depth - 1 : true);
    // Only what changed is written: a frame of training touches few attributes.
    const look = `${width}|${stroke}|${flow}`;
    if (look !== link.last) {
      link.last = look;
      link.line.setAttribute('stroke', stroke);
      link.line.setAttribute('stroke-width', width);
      link.line.classList.toggle('flow', flow);
      if (flow) link.line.style.animationDelay = `${((depth - 1 - l) * 0.35).toFixed(2)}s`;
    }
    link.line.dataset.w = String(w);
    // The step rides on the element at every stage: not while it waits for the learner's answer (stages 0–3 too).
    if (trace === null || concealed(`dw:${l}:${i}:${j}`)) delete link.line.dataset.dw;
    else link.line.dataset.dw = String(trace.layers[l].deltaW[i][j]);
  }
  if (turnOf('units')) drawUnits();
}

// ---- links from the keyboard ----

/** The link that has (or last had) the keyboard's focus, as "layer:from:to". */
let focusedLink: string | null = null;
const linkElement = (key: string): SVGLineElement | null => {
  const [l, i, j] = key.split(':');
  return svg.querySelector(`line.hit[data-layer="${l}"][data-from="${i}"][data-to="${j}"]`);
};
function linkName(layer: number, from: number, to: number): string {
  const unit = layer === layout.sizes.length - 2 ? 'output' : `layer ${layer + 1}, unit ${to + 1}`;
  return `w from ${layer === 0 ? inputNames(app.state)[from] : `layer ${layer} unit ${from + 1}`} to ${unit}`;
}

svg.addEventListener('focusin', (e) => {
  const line = (e.target as Element).closest('line.hit') as SVGLineElement | null;
  if (!line) return;
  focusedLink = `${line.dataset.layer}:${line.dataset.from}:${line.dataset.to}`;
  svg.querySelectorAll('line.hit[tabindex="0"]').forEach((l) => l !== line && l.setAttribute('tabindex', '-1'));
  line.setAttribute('tabindex', '0');
  showTip(line);
});
svg.addEventListener('focusout', () => (tip.hidden = true));
svg.addEventListener('keydown', (e) => {
  const line = (e.target as Element).closest('line.hit') as SVGLineElement | null;
  if (!line) return;
  const all = [...svg.querySelectorAll<SVGLineElement>('line.hit')];
  const k = all.indexOf(line);
  if (e.key === 'ArrowDown' || e.key === 'ArrowRight') all[(k + 1) % all.length].focus();
  else if (e.key === 'ArrowUp' || e.key === 'ArrowLeft') all[(k - 1 + all.length) % all.length].focus();
  else if (e.key === 'Enter' || e.key === ' ') chooseWeight({ layer: Number(line.dataset.layer), from: Number(line.dataset.from), to: Number(line.dataset.to) }, line);
  else return;
  e.preventDefault();
  e.stopPropagation();
});

svg.addEventListener('mouseover', (e) => {
  const line = (e.target as Element).closest('line.hit');
  if (line) showTip(line as SVGLineElement);
});
svg.addEventListener('mouseout', () => (tip.hidden = true));
svg.addEventListener('click', (e) => {
  const line = (e.target as Element).closest('line.hit') as SVGLineElement | null;
  if (line) chooseWeight({ layer: Number(line.dataset.layer), from: Number(line.dataset.from), to: Number(line.dataset.to) }, line);
});

/** The name and value of a weight or bias. */
function describe(ref: WeightRef): { name: string; value: number } {
  const w = app.snapshot!.weights[ref.layer];
  const outputs = layout.sizes[layout.sizes.length - 1];
  const unit = ref.layer === layout.sizes.length - 2 ? (outputs > 1 ? `output ${ref.to + 1}` : 'output') : `layer ${ref.layer + 1}, unit ${ref.to + 1}`;
  if (ref.from === 'bias') return { name: `b of ${unit}`, value: w.bias?.[ref.to] ?? 0 };
  const source = ref.layer === 0 ? inputNames(app.state, app.problem)[ref.from] : `layer ${ref.layer} unit ${ref.from + 1}`;
  return { name: `w from ${source} to ${unit}`, value: w.weights[ref.from][ref.to] };
}

function refOf(e: Element): WeightRef {
  const d = (e as HTMLElement).dataset;
  return e.classList.contains('bias') ? { layer: Number(d.layer), from: 'bias', to: Number(d.unit) }
    : { layer: Number(d.layer), from: Number(d.from), to: Number(d.to) };
}

function showTip(target: Element): void {
  if (!app.snapshot) return;
  const { name, value } = describe(refOf(target));
  tip.textContent = `${name} = ${fmt(value)}`;
  tip.hidden = false;
  const box = target.getBoundingClientRect(), frame = stage.getBoundingClientRect();
  tip.style.left = `${box.left + box.width / 2 - frame.left}px`;
  tip.style.top = `${box.top + box.height / 2 - frame.top + 8}px`;
}

// ---- setting a weight by hand ----

const editor = $('weightEditor');
const editorValue = $<HTMLInputElement>('weightValue');
let editing: WeightRef | null = null;

function chooseWeight(ref: WeightRef, target: Element): void {
  if (!app.snapshot) return;
  emit('weight', ref);
  if (app.whatIf) return;
  editing = ref;
  const { name, value } = describe(ref);
  $('weightName').textContent = name;
  editorValue.value = String(Number(value.toPrecision(6)));
  editor.hidden = false;
  // In the diagram's scrolled content: within the part in view.
  const box = target.getBoundingClientRect(), frame = diagram.getBoundingClientRect(), scrolled = diagram.scrollLeft;
  const left = scrolled + Math.min(Math.max(0, box.left + box.width / 2 - frame.left - 100), Math.max(0, diagram.clientWidth - editor.offsetWidth));
  editor.style.left = `${left}px`;
  // Below the link or bias, or above it where the diagram's box (which clips) ends too soon.
  const below = box.top + box.height / 2 - frame.top + 10;
  editor.style.top = `${below + editor.offsetHeight <= diagram.clientHeight ? below : Math.max(0, box.top - frame.top - editor.offsetHeight - 6)}px`;
  editorValue.focus();
  editorValue.select();
}

function hideEditor(): void {
  editor.hidden = true;
  editing = null;
}

function applyEdit(): void {
  const value = Number(editorValue.value);
  if (!editing || editorValue.value.trim() === '' || !Number.isFinite(value)) {
    editorValue.setCustomValidity('Expected a number');
    editorValue.reportValidity();
    return;
  }
  send({ type: 'edit', ...editing, value });
  hideEditor();
  // An open step-through traced the old weights: it closes rather than show numbers the network no longer has.
  closeStepper();
}

$('weightSet').addEventListener('click', applyEdit);
$('weightCancel').addEventListener('click', hideEditor);
editorValue.addEventListener('input', () => editorValue.setCustomValidity(''));
editorValue.addEventListener('keydown', (e) => {
  if (e.key === 'Enter') applyEdit();
  else if (e.key === 'Escape') {
    e.preventDefault();
    hideEditor();
  }
});

// ---- the step-through's numbers on the diagram ----

/** Whether the segment from (x1, y1) to (x2, y2) passes through a box (grown by `gap` on each side). */
function crosses([x1, y1, x2, y2]: [number, number, number, number], box: Box, gap: number): boolean {
  const steps = Math.max(8, Math.ceil(Math.hypot(x2 - x1, y2 - y1) / 2));
  for (let k = 0; k <= steps; k++) {
    const x = x1 + ((x2 - x1) * k) / steps, y = y1 + ((y2 - y1) * k) / steps;
    if (x >= box.x - gap && x <= box.x + box.width + gap && y >= box.y - gap && y <= box.y + box.height + gap) return true;
  }
  return false;
}

/** The unit whose incoming links are numbered: hovered, else clicked, else the output. */
function focusUnit(): [number, number] {
  const last = layout.sizes.length - 1;
  const valid = (u: [number, number] | null): u is [number, number] => u !== null && u[0] > 0 && u[0] <= last && u[1] < layout.sizes[u[0]];
  return valid(app.hovered) ? app.hovered : valid(selected) ? selected : [last, 0];
}

/** What each unit shows at a stage, and what each link into the focus unit shows: the list's numbers, in its digits. */
function annotate(): void {
  labelLayer.innerHTML = '';
  const trace = app.trace;
  if (!trace) return;
  const notes: { text: string; anchor: Box; kind: 'unit' | 'link' | 'input'; line?: [number, number, number, number] }[] = [];
  // The inputs' values: x in the forward pass and in Δw = η·δ·x.
  trace.input.forEach((x, i) => {
    if (app.stage === 0 || app.stage === 4) notes.push({ text: fmt(x), anchor: { x: unitX(0), y: inputY(inputRow(i)), width: layout.inputUnit, height: layout.inputUnit }, kind: 'input' });
  });
  for (const l of trace.layers) {
    const unitBox = (j: number): Box => ({ x: unitX(l.layer + 1), y: unitY(j), width: UNIT, height: UNIT });
    l.h.forEach((h, j) => {
      let text = '';
      // Exercise mode: a value not yet answered shows as a question mark.
      const shown = (key: string, v: number): string => (concealed(key) ? '?' : fmt(v));
      if (app.stage === 0) text = `h ${fmt(h)}\na ${fmt(l.a[j])}`;
      else if (app.stage === 1 && l.role === 'output') text = `y − ŷ ${shown(`error:${j}`, trace.error[j])}`;
      else if ((app.stage === 2 && l.role === 'output') || (app.stage === 3 && l.role === 'hidden') || app.stage === 4) text = `δ ${shown(`delta:${l.layer}:${j}`, l.delta[j])}`;
      if (text) notes.push({ text, anchor: unitBox(j), kind: 'unit' });
    });
  }
  // Δw (stage 4) or the new weight (stage 5) on the links into the focus unit; the list has every link.
  const [fc, fu] = focusUnit();
  const focusLayer = trace.layers[fc - 1];
  let linkCount = 0;
  if (app.stage >= 4) {
    for (const l of trace.layers) linkCount += l.deltaW.length * l.deltaW[0].length;
    focusLayer.deltaW.forEach((row, i) => {
      const line = ends(focusLayer.layer, i, fu);
      const value = app.stage === 4 ? row[fu] : focusLayer.after.weights[i][fu];
      // The number alone: the note above the diagram says whether these are Δw or the new weights (a new weight
      // gives its step away: both wait for the step's answer in exercise mode).
      const text = concealed(`dw:${focusLayer.layer}:${i}:${fu}`) ? '?' : fmt(value);
      notes.push({ text, anchor: { x: line[0], y: line[1], width: 0, height: 0 }, kind: 'link', line });
    });
  }
  // Links' numbers are placed first: each has one line to sit on, a unit's number has room around the unit.
  notes.sort((p, q) => Number(q.kind === 'link') - Number(p.kind === 'link'));
  const elements = notes.map((n) => {
    const e = document.createElement('div');
    e.className = 'annotation';
    e.dataset.kind = n.kind;
    e.textContent = n.text;
    e.style.visibility = 'hidden';
    labelLayer.append(e);
    return e;
  });
  const requests: LabelRequest[] = notes.map((n, k) => {
    const width = elements[k].offsetWidth, height = elements[k].offsetHeight;
    const a = n.anchor;
    if (n.kind === 'link') {
      const [x1, y1, x2, y2] = n.line!;
      // On the line, or just above or below it, at points along it: the middle first, then just past the
      // source unit (where links into one unit are still a row apart), then further out.
      const along = (t: number): { x: number; y: number }[] => {
        const x = x1 + (x2 - x1) * t - width / 2, y = y1 + (y2 - y1) * t;
        return [{ x, y: y - height / 2 }, { x, y: y - height - 1 }, { x, y: y + 1 }];
      };
      const near = (3 + width / 2) / Math.max(1, x2 - x1);
      return { width, height, candidates: [0.5, near, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8].flatMap(along) };
    }
    const mid = a.y + a.height / 2 - height / 2;
    // An input's value sits on its own thumbnail.
    if (n.kind === 'input') return { width, height, candidates: [{ x: a.x + a.width / 2 - width / 2, y: a.y + a.height / 2 - height / 2 }] };
    return {
      width, height, candidates: [
        // Beside the unit's top or foot first: its mid-height is where its links leave.
        { x: a.x + a.width + 3, y: a.y - 2 }, { x: a.x + a.width + 3, y: a.y + a.height - height + 2 }, { x: a.x + a.width + 3, y: mid },
        { x: a.x + a.width / 2 - width / 2, y: a.y - height - 2 }, { x: a.x + a.width / 2 - width / 2, y: a.y + a.height + 2 },
        { x: a.x - width - BIAS - 4, y: mid },
      ],
    };
  });
  const boxOf = (e: HTMLElement): Box => ({ x: e.offsetLeft, y: e.offsetTop, width: e.offsetWidth, height: e.offsetHeight });
  const obstacles: Box[] = [...stage.querySelectorAll<HTMLElement>('.unit:not(.input), .col-label, .unit-buttons, .layer-activation, .bias, .input-label')].map(boxOf);
  // The input thumbnails carry their own values; every other number keeps off them.
  const inputs: Box[] = [...stage.querySelectorAll<HTMLElement>('.unit.input')].map(boxOf);
  // A link's number must sit on its own link alone: a box that another link passes through could be read as that one's.
  const allLines: [number, number, number, number][] = trace.layers.flatMap((l) => l.deltaW.flatMap((row, i) => row.map((_, j) => ends(l.layer, i, j))));
  const placed = placeLabels(requests, obstacles, { x: 0, y: 0, width: layout.width, height: layout.height }, 1,
    (box, k) => notes[k].kind === 'input' || (!inputs.some((o) => intersects(box, o, 1))
      && (notes[k].kind !== 'link' || (crosses(notes[k].line!, box, 1)
        && allLines.every((line) => sameLine(line, notes[k].line!) || !crosses(line, box, 3))))));
  placed.forEach((box, k) => {
    const e = elements[k];
    if (!box) {
      e.remove();
      return;
    }
    e.style.left = `${box.x}px`;
    e.style.top = `${box.y}px`;
    e.style.visibility = '';
    if (notes[k].kind === 'link') {
      const line = notes[k].line!;
      e.dataset.line = line.join(',');
    }
    // Hidden δ appear from the output down, in the order backpropagation computes them.
    if (app.stage === 3) e.style.animationDelay = `${((layout.sizes.length - 2 - columnOf(notes[k].anchor.x)) * 0.35).toFixed(2)}s`;
  });
  const drawn = placed.filter(Boolean).length;
  diagram.dataset.labels = String(drawn);
  diagram.dataset.labelsWanted = String(notes.length);
  // Say what the diagram leaves to the list: the other links' numbers, and any that found no free place.
  const missing = notes.length - drawn;
  const focusName = fc === layout.sizes.length - 1 ? 'the output' : `layer ${fc} unit ${fu + 1}`;
  const parts: string[] = [];
  if (app.stage >= 4) {
    const others = linkCount - focusLayer.deltaW.length;
    parts.push(`${app.stage === 4 ? 'Δw' : 'New weights'} on the ${focusLayer.deltaW.length} link${focusLayer.deltaW.length === 1 ? '' : 's'} into ${focusName}`
      + (others > 0 ? `; ${others} more in the list below (${matchMedia('(hover: none)').matches ? 'tap' : 'hover or click'} a unit for its own links)` : ''));
  }
  if (missing > 0) parts.push(`${missing} number${missing === 1 ? '' : 's'} not drawn for lack of room: the list below has ${missing === 1 ? 'it' : 'them'}`);
  $('diagramNote').textContent = parts.join('. ') + (parts.length ? '.' : '');
  $('diagramNote').dataset.hidden = String(missing + (app.stage >= 4 ? linkCount - focusLayer.deltaW.length : 0));
}

const sameLine = (a: number[], b: number[]): boolean => a.every((v, i) => v === b[i]);

const columnOf = (x: number): number => Math.round((x - layout.left) / layout.column);

on('reset', () => {
  selected = null;
  if (focusedLink && !linkElement(focusedLink)) focusedLink = null;
  build();
});
// Another plane for a table's maps: the input units' maps are drawn across it (the network is the same).
on('plane', build);
on('render', () => {
  drawLinks();
  if (app.trace) annotate();
});
/** The step the diagram last followed: a new one (not an answer checked within it) brings its column into view. */
let followed = '';
/**
 * Where the diagram is wider than its box (a phone), the column a step is about comes into view with its numbers
 * beside it: the inputs at the forward pass, the output at the error and δᵒ, the top hidden layer at δʰ, and at Δw
 * the unit whose incoming links are numbered.
 */
function followStage(): void {
  const trace = app.trace;
  const step = trace ? `${app.stage}|${app.tracedIndex}` : '';
  if (step === followed) return;
  followed = step;
  if (!trace || diagram.scrollWidth <= diagram.clientWidth) return;
  const last = layout.sizes.length - 1;
  const column = app.stage === 0 ? 0 : app.stage <= 2 ? last : app.stage === 3 ? Math.max(1, last - 1) : focusUnit()[0];
  // The column and the numbers right of it; as much to its left (the links coming in) as the box holds.
  const right = Math.min(layout.width, unitX(column) + UNIT + 72);
  diagram.scrollLeft = Math.max(0, right - diagram.clientWidth);
}

on('stage', () => {
  drawLinks();
  annotate();
  followStage();
  if (app.trace === null) {
    hideEditor();
    $('diagramNote').textContent = '';
  }
});
// A weight another panel points at (a matrix cell): its link drawn marked, its name and value in the tip.
on('highlight', (ref) => {
  svg.querySelectorAll('line.link.highlight').forEach((l) => l.classList.remove('highlight'));
  tip.hidden = true;
  if (!ref || ref.from === 'bias') return;
  const at = `[data-layer="${ref.layer}"][data-from="${ref.from}"][data-to="${ref.to}"]`;
  svg.querySelector(`line.link${at}`)?.classList.add('highlight');
  const hit = svg.querySelector(`line.hit${at}`);
  if (hit) showTip(hit);
});
on('hover', () => {
  if (app.trace && app.stage >= 4) annotate();
});
new ResizeObserver(() => {
  const before = layout.width;
  computeLayout();
  if (layout.width !== before) build();
  if (app.trace) annotate();
}).observe(diagram);
