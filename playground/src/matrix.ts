// The step as matrices, as seed 001 writes it with numpy. One example's weight step is an outer product,
// ΔW = η · x[:, None] · δ — x a column, δ a row, the result the shape of W (inputs × units, as the library and the
// seed's weights_input_hidden hold it) — and a batch's is one matrix product, ΔW = η · Xᵀ·Δ / B, the library's
// average over the rows. Each cell of ΔW points at its link on the diagram. Beside them: the broadcasting mistake the
// seed warns of, and the code, numpy and TypeScript. The numbers are the page's own arithmetic in float64.
import { Network, toRows, traceUpdate, type UpdateTrace } from '../../src/index.js';
import { $, app, emit, fmt, on } from './app.js';
import { escapeHtml } from './draw.js';
import { anyConcealed, concealed, markShown } from './exercise.js';
import { inputNames, networkSpec } from './problem.js';
import { CUSTOM_POINT } from './protocol.js';

const panel = $<HTMLDetailsElement>('matrixView');
const body = $('matrixBody');
/** The weight matrix shown: W1 (inputs → layer 1) first, as the seed's numpy example. */
let shownLayer = 0;

/** A float64 copy of the traced network, so the products here are exact to the last digit a double holds. */
function network(t: UpdateTrace): Network {
  const net = new Network({ ...networkSpec(app.state, app.problem.task, app.problem), dtype: 'float64' });
  net.setWeights(t.layers.map((l) => l.before));
  return net;
}

/** The rows of the batch: the traced point and the training points after it, as many as the batch size. */
function batchRows(t: UpdateTrace): { index: number | null; x: number[]; y: number[] }[] {
  const train = app.problem.train;
  const size = Math.max(1, Math.min(app.state.batchSize, train.x.length + (app.tracedIndex === CUSTOM_POINT ? 1 : 0)));
  const first = app.tracedIndex === CUSTOM_POINT || app.tracedIndex === null ? null : app.tracedIndex;
  const rows: { index: number | null; x: number[]; y: number[] }[] = [{ index: first, x: t.input, y: t.target }];
  for (let k = 1; rows.length < size; k++) {
    const index = ((first ?? -1) + k) % train.x.length;
    rows.push({ index, x: train.x[index], y: train.y[index] });
  }
  return rows;
}

/** Everything the view prints for weight layer L: one example and a batch, computed here by the formulas shown. */
export interface MatrixStep {
  layer: number;
  /** The layer's input for the example (x, or the layer below's a) and its error terms δ. */
  x: number[];
  delta: number[];
  /** η · x[:, None] · δ: inputs × units. */
  deltaW: number[][];
  /** The batch: its rows' indices in the training data (null for the learner's own point), inputs, error terms and step. */
  rows: (number | null)[];
  X: number[][];
  Delta: number[][];
  batchW: number[][];
  /** The largest difference between batchW and the library's own −η·∂E/∂W for the same rows. */
  libraryDifference: number;
}

export function matrixStep(t: UpdateTrace, L: number): MatrixStep {
  const net = network(t);
  const η = t.learningRate;
  const one = traceUpdate(net, t.input, t.target, { learningRate: η }).layers[L];
  const x = one.input, delta = one.delta;
  // One example: the outer product, each input times each unit's δ.
  const deltaW = x.map((xi) => delta.map((dj) => η * xi * dj));
  const batch = batchRows(t);
  const { buffers } = net.pass(net.inputBatch(batch.map((r) => r.x)), net.targetBatch(batch.map((r) => r.y), batch.length));
  const X = L === 0 ? batch.map((r) => [...r.x]) : toRows(buffers[L - 1].a);
  const Delta = toRows(buffers[L].delta);
  // A batch: Xᵀ·Δ, each input's column against each unit's, summed over the rows, averaged as the library does.
  const B = X.length;
  const batchW = x.map((_, i) => delta.map((_, j) => (η * X.reduce((sum, row, n) => sum + row[i] * Delta[n][j], 0)) / B));
  const library = toRows(net.layers[L].gradW).map((row) => row.map((g) => -η * g));
  const libraryDifference = Math.max(0, ...library.flatMap((row, i) => row.map((v, j) => Math.abs(v - batchW[i][j]))));
  return { layer: L, x, delta, deltaW, rows: batch.map((r) => r.index), X, Delta, batchW, libraryDifference };
}

/** A link as the diagram draws it, small: its two units and the line between them, marked as the diagram marks it. */
const LINK_DRAWING = '<svg class="link-drawing" width="64" height="20" viewBox="0 0 64 20" aria-hidden="true"><circle cx="8" cy="10" r="6"/>'
  + '<line x1="14" y1="10" x2="50" y2="10"/><circle cx="56" cy="10" r="6"/></svg>';
const POINT_AT = 'Point at a cell: its link is named here and marked on the diagram.';

/** A cell's number: four significant digits, or a question mark for a value the learner has yet to answer. */
const cell = (v: number, key?: string): string => (key && concealed(key) ? '?' : fmt(v));
const shape = (rows: number, cols: number): string => `<span class="shape">(${rows}, ${cols})</span>`;

/**
 * A matrix as a table, named with its shape. `keys` gives a cell's question key (hidden in exercise mode), `link`
 * marks the cells that stand for a weight (they point at it on the diagram).
 */
function table(name: string, values: number[][], rowNames: string[], colNames: string[], options: { kind: string; keys?: (i: number, j: number) => string; link?: number } = { kind: '' }): string {
  const head = `<tr><th></th>${colNames.map((c) => `<th scope="col">${escapeHtml(c)}</th>`).join('')}</tr>`;
  const rows = values.map((row, i) => `<tr><th scope="row">${escapeHtml(rowNames[i])}</th>${row.map((v, j) => {
    const key = options.keys?.(i, j);
    const hidden = key !== undefined && concealed(key);
    const at = options.link !== undefined ? ` data-layer="${options.link}" data-from="${i}" data-to="${j}" tabindex="-1"` : '';
    return `<td data-i="${i}" data-j="${j}"${hidden ? ' data-concealed="true"' : ` data-v="${v}"`}${at}>${cell(v, key)}</td>`;
  }).join('')}</tr>`).join('');
  // A linked matrix says which link a cell is, beside it: the diagram is far up the page.
  const caption = options.link !== undefined ? `<p class="link-caption" aria-live="polite">${LINK_DRAWING}<span>${POINT_AT}</span></p>` : '';
  return `<figure class="matrix" data-matrix="${options.kind}"><figcaption>${name} ${shape(values.length, values[0]?.length ?? 0)}</figcaption>`
    + `<table><thead>${head}</thead><tbody>${rows}</tbody></table>${caption}</figure>`;
}

/** What numpy does with the two 1-D arrays multiplied as they are, for this layer's sizes. */
function broadcasting(nIn: number, nOut: number, output: boolean): string {
  const wrong = `<code>learnrate * delta * x</code> multiplies two 1-D arrays, shapes (${nOut},) and (${nIn},)`;
  if (nIn !== nOut && nIn > 1 && nOut > 1) {
    return `${wrong}: numpy stops with <code>ValueError: operands could not be broadcast together with shapes (${nOut},) (${nIn},)</code> — the seed's <code>hidden_error * inputs</code>.`;
  }
  if (nIn === nOut && nIn > 1) {
    return `${wrong}: here the sizes agree, so numpy raises nothing and multiplies them element by element, giving ${nIn} numbers δⱼ·xⱼ of shape (${nIn},) instead of the ${nIn} × ${nOut} matrix of steps — the same mistake, silent on this layer.`;
  }
  return `${wrong}: one of them has a single element, which numpy stretches over the other, so the numbers come out right, as a 1-D array of shape (${Math.max(nIn, nOut)},)${output && nOut === 1 ? ' — the seed\'s output-layer line, <code>learnrate * del_err_output * hidden_layer_output</code>, with its one output unit' : ''}. With more units and inputs the same code fails.`;
}

/** The code for it: the seed's numpy and the same in TypeScript, with this layer's shapes. */
function code(L: number, nIn: number, nOut: number, B: number): string {
  const numpy = [
    `# one example: x (${nIn},), delta (${nOut},)`,
    'delta_w = learnrate * x[:, None] * delta',
    `#   (${nIn}, 1) * (${nOut},) -> (${nIn}, ${nOut})`,
    `# a batch: X (${B}, ${nIn}), Delta (${B}, ${nOut})`,
    'delta_w = learnrate * X.T @ Delta / len(X)',
    `#   (${nIn}, ${B}) @ (${B}, ${nOut}) -> (${nIn}, ${nOut})`,
  ].join('\n');
  const typescript = [
    `// one example: x ${nIn} numbers, delta ${nOut}`,
    'const deltaW = x.map((xi) =>',
    '  delta.map((dj) => learnrate * xi * dj));',
    `// a batch: X ${B} × ${nIn}, Delta ${B} × ${nOut}`,
    'const deltaWBatch = X[0].map((_, i) =>',
    '  Delta[0].map((_, j) => learnrate *',
    '    X.reduce((s, row, n) => s + row[i] * Delta[n][j], 0)',
    '    / X.length));',
    '// with the library: a backward pass, then the step',
    'net.computeGradients(X, Y);',
    `const step = toRows(net.layers[${L}].gradW)`,
    '  .map((row) => row.map((g) => -learnrate * g));',
  ].join('\n');
  return `<div class="code-pair"><figure><figcaption>numpy (seed 001)</figcaption><pre data-code="numpy">${escapeHtml(numpy)}</pre></figure>`
    + `<figure><figcaption>TypeScript</figcaption><pre data-code="typescript">${escapeHtml(typescript)}</pre></figure></div>`;
}

function show(): void {
  const t = app.trace;
  if (!panel.open) return;
  if (!t) {
    body.innerHTML = '<p class="hint">Open a step-through (click a training point, or choose a lesson) to see its update as matrices.</p>';
    return;
  }
  shownLayer = Math.min(shownLayer, t.layers.length - 1);
  const L = shownLayer;
  const m = matrixStep(t, L);
  const layer = t.layers[L];
  const nIn = m.x.length, nOut = m.delta.length, B = m.X.length;
  const names = L === 0 ? inputNames(app.state, app.problem) : m.x.map((_, i) => `a${i + 1} (layer ${L})`);
  const units = m.delta.map((_, j) => (layer.role === 'output' ? (nOut > 1 ? `output ${j + 1}` : 'output') : `unit ${j + 1}`));
  const deltaKey = (_: number, j: number): string => `delta:${L}:${j}`;
  const dwKey = (i: number, j: number): string => `dw:${L}:${i}:${j}`;
  // With exercise mode off this layer's δ and steps are printed below: they count as seen.
  markShown([...m.delta.map((_, j) => deltaKey(0, j)), ...m.x.flatMap((_, i) => m.delta.map((_, j) => dwKey(i, j)))]);
  const choice = t.layers.map((l, k) => `<option value="${k}"${k === L ? ' selected' : ''}>W${k + 1}: ${k === 0 ? 'inputs' : `layer ${k}`} → ${l.role === 'output' ? 'output' : `layer ${k + 1}`} (${l.input.length} × ${l.delta.length})</option>`).join('');
  const rowNames = m.rows.map((r, n) => (r === null ? (n === 0 ? 'your point' : '?') : `point ${r}`));
  const xName = L === 0 ? 'X' : `A (layer ${L}'s outputs)`;
  const batch = anyConcealed()
    ? '<p class="hint" data-batch="waiting">The batch\'s matrices carry this point\'s δ: they wait until the step\'s values are answered (or revealed).</p>'
    : `<div class="matrices">${table(`${xName}`, m.X, rowNames, names, { kind: 'X' })}`
      + `<span class="op">and</span>${table('Δ', m.Delta, rowNames, units, { kind: 'Delta' })}`
      + `<span class="op">give</span>${table(`ΔW = η · ${L === 0 ? 'X' : 'A'}ᵀ · Δ / ${B}`, m.batchW, names, units, { kind: 'batchW', link: L })}</div>`
      + `<p class="hint">One matrix product for all ${B} row${B === 1 ? '' : 's'}: ${L === 0 ? 'X' : 'A'}ᵀ ${shape(nIn, B)} · Δ ${shape(B, nOut)} → ${shape(nIn, nOut)}, divided by ${B} because the library averages the loss, and so the gradient, over a batch (∂E/∂W = −${L === 0 ? 'X' : 'A'}ᵀ·Δ / B). `
      + `The first row is the example above${B > 1 ? `; the others are the training points after it (a batch of ${app.state.batchSize}, the Batch size slider)` : ''}. `
      + `The library's own gradient for these rows gives the same ΔW: largest difference <span data-library-difference="${m.libraryDifference}">${m.libraryDifference.toExponential(1)}</span>.</p>`;
  body.innerHTML = `<label>Weights <select id="matrixLayer">${choice}</select></label>`
    + '<h3>One example</h3>'
    + `<div class="matrices">${table(L === 0 ? 'x[:, None]' : 'a[:, None]', m.x.map((v) => [v]), names, [L === 0 ? 'x' : 'a'], { kind: 'x' })}`
    + `<span class="op">·</span>${table(`δ${layer.role === 'output' ? 'ᵒ' : 'ʰ'}`, [m.delta], ['δ'], units, { kind: 'delta', keys: deltaKey })}`
    + `<span class="op">× η = ${fmt(t.learningRate)} gives</span>${table(`ΔW = η · ${L === 0 ? 'x' : 'a'}[:, None] · δ`, m.deltaW, names, units, { kind: 'deltaW', keys: dwKey, link: L })}</div>`
    + `<p class="hint">The layer's input as a column ${shape(nIn, 1)} times its error terms as a row ${shape(1, nOut)}: each cell is η·xᵢ·δⱼ, the step of the weight from input i to unit j, `
    + `and ΔW has W's shape ${shape(nIn, nOut)} (inputs × units, as the library holds it${L === 0 ? ', and the seed its <code>weights_input_hidden</code>' : layer.role === 'output' ? ', and the seed its <code>weights_hidden_output</code> (one column, as a 1-D array)' : ''}). `
    + 'Written the textbook way, with W as units × inputs, it is the same step transposed: ΔWᵀ = η·δ·xᵀ, δ a column and x a row. Point at a cell: the link is named under the matrix and marked on the diagram.</p>'
    + `<h3>The broadcasting mistake</h3><p data-broadcast>${broadcasting(nIn, nOut, layer.role === 'output')}</p>`
    + `<h3>A batch</h3>${batch}`
    + `<h3>The code</h3>${code(L, nIn, nOut, B)}`;
  // A weight's name (from a file, for a table's inputs) goes in as text; the caption names it as the diagram does.
  for (const td of body.querySelectorAll<HTMLElement>('td[data-from]')) {
    td.title = `w from ${names[Number(td.dataset.from)]} to ${layer.role === 'output' ? 'the output' : `layer ${L + 1} unit ${Number(td.dataset.to) + 1}`}`;
    td.dataset.link = `w from ${names[Number(td.dataset.from)]} to ${layer.role === 'output' ? 'output' : `layer ${L + 1}, unit ${Number(td.dataset.to) + 1}`}`;
  }
  // One cell of each linked matrix takes the Tab key; the arrow keys move from there.
  for (const grid of body.querySelectorAll('figure[data-matrix="deltaW"], figure[data-matrix="batchW"]')) grid.querySelector('td[data-from]')?.setAttribute('tabindex', '0');
}

const refOf = (td: HTMLElement): { layer: number; from: number; to: number } => ({ layer: Number(td.dataset.layer), from: Number(td.dataset.from), to: Number(td.dataset.to) });
const linked = (e: Event): HTMLElement | null => (e.target as HTMLElement).closest?.('td[data-from]') ?? null;

/**
 * A cell pointed at (or left, null): its link marked on the diagram, and named with its step under its matrix (in a
 * box of fixed size: the matrices are centred in their row, so a taller caption would move the cell from the pointer).
 */
function point(td: HTMLElement | null, left?: HTMLElement): void {
  const cellNow = td ?? left;
  const caption = cellNow?.closest('figure')?.querySelector<HTMLElement>('.link-caption');
  caption?.classList.toggle('on', td !== null);
  caption?.querySelector('span')?.replaceChildren(td ? `${td.dataset.link} (marked on the diagram above): Δw = ${td.textContent}` : POINT_AT);
  emit('highlight', td ? refOf(td) : null);
}

// The pointer or the keyboard's focus entering a cell points at its link; leaving it, at none.
for (const [type, entering] of [['mouseover', true], ['focusin', true], ['mouseout', false], ['focusout', false]] as const) {
  body.addEventListener(type, (e) => {
    const td = linked(e);
    if (td) point(entering ? td : null, td);
  });
}
body.addEventListener('keydown', (e) => {
  const td = linked(e);
  if (!td) return;
  const [di, dj] = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] }[e.key] ?? [0, 0];
  if (!di && !dj) return;
  const next = td.closest('table')!.querySelector<HTMLElement>(`td[data-i="${Number(td.dataset.i) + di}"][data-j="${Number(td.dataset.j) + dj}"]`);
  if (!next) return;
  e.preventDefault();
  td.setAttribute('tabindex', '-1');
  next.setAttribute('tabindex', '0');
  next.focus();
});
body.addEventListener('change', (e) => {
  const select = e.target as HTMLSelectElement;
  if (select.id !== 'matrixLayer') return;
  shownLayer = Number(select.value);
  show();
  $('matrixLayer').focus();
});
panel.addEventListener('toggle', show);
on('stage', show);
on('reset', () => {
  shownLayer = 0;
  show();
});
