// The step-through: one update of plain gradient descent on one training point, written out so a learner
// can check every number with a calculator — each value with the factors it is made of — in the order
// backpropagation computes them. A "what if" mode recomputes the whole update with one weight changed.
import { Network, traceUpdate, type LayerTrace, type LayerWeights, type UpdateTrace } from '../../src/index.js';
import { $, app, closeStepper, emit, fmt, on, pickPoint, send, type WeightRef } from './app.js';
import { FEATURES, networkSpec } from './problem.js';

const STAGES = [
  ['Forward pass', 'Each unit sums its weighted inputs, h = Σᵢ wᵢ·xᵢ + b, and applies its activation, a = f(h). The inputs x are the point\'s features.'],
  ["Step 1: the network's error", 'Compare the output ŷ with the target y: the error is y − ŷ.'],
  ['Step 2: the output error term δᵒ', 'δᵒ = −∂E/∂h at the output unit: the error, times f′(h) where the loss does not cancel it.'],
  ['Step 3: the hidden error terms δʰ', 'From the output down: each hidden unit collects the error terms of the layer above through its links, then scales by its own slope: δʰⱼ = (Σₖ Wⱼₖ·δₖ)·f′(hⱼ).'],
  ['Step 4: the weight steps Δw', 'Every weight moves by Δw = η·δ·x: the step size, times the error term of the unit it feeds, times the value it carries; a bias carries 1, so Δb = η·δ.'],
  ['The update, applied', 'The weights took the steps. The loss on this point before and after:'],
] as const;
const LAST_STAGE = STAGES.length - 1;

/** The derivative of each activation, written in terms of h and a, for the step-3 text. */
const SLOPES: Record<string, string> = {
  tanh: 'tanh′(h) = 1 − a²', sigmoid: 'σ′(h) = a(1 − a), never more than 0.25', relu: 'relu′(h) = 1 for h > 0, else 0',
  'leaky-relu': 'f′(h) = 1 for h > 0, else 0.01', linear: 'f′(h) = 1',
};

/** A number as the calculator sees it, negative ones in brackets when they are a factor or a term. */
function num(v: number, role: string, bracket = false): string {
  const text = fmt(v);
  return `<span class="num" data-role="${role}" data-v="${v}">${bracket && v < 0 ? `(${text})` : text}</span>`;
}

const unitName = (l: LayerTrace, j: number): string => (l.role === 'output' ? 'output' : `layer ${l.layer + 1} unit ${j + 1}`);
const sourceName = (l: LayerTrace, i: number): string => (l.layer === 0 ? FEATURES[app.state.features[i]].label : `layer ${l.layer} unit ${i + 1}`);
const li = (attrs: string, html: string): string => `<li ${attrs}>${html}</li>`;

function forward(t: UpdateTrace): string[] {
  const inputs = t.input.map((x, i) => `${FEATURES[app.state.features[i]].label} = ${num(x, 'x')}`).join(', ');
  const [px, py] = app.problem.train.points[app.tracedIndex!];
  const rows = [li('data-kind="input"', `inputs: ${inputs} (the point (${fmt(px)}, ${fmt(py)}))`)];
  for (const l of t.layers) {
    l.h.forEach((h, j) => {
      const terms = l.input.map((x, i) => `${num(l.before.weights[i][j], 'w', true)} × ${num(x, 'x', true)}`);
      const b = l.before.bias ? [num(l.before.bias[j], 'b', true)] : [];
      rows.push(li(`data-kind="forward" data-layer="${l.layer}" data-unit="${j}"`,
        `${unitName(l, j)}: h = ${[...terms, ...b].join(' + ')} = ${num(h, 'h')}, a = ${l.activation}(h) = ${num(l.a[j], 'a')}`));
    });
  }
  return rows;
}

function error(t: UpdateTrace): string[] {
  return t.output.map((p, k) => {
    const loss = t.loss === 'mse'
      ? `E = ½(y − ŷ)² = ${num(t.lossBefore, 'E')}`
      : `E = −[y ln ŷ + (1 − y) ln(1 − ŷ)] = ${num(t.lossBefore, 'E')}`;
    return li(`data-kind="error" data-unit="${k}"`,
      `y = ${num(t.target[k], 'y')}, ŷ = ${num(p, 'yhat')}, y − ŷ = ${num(t.target[k], 'y', true)} − ${num(p, 'yhat', true)} = ${num(t.error[k], 'value')}; ${loss}`);
  });
}

/** Which output and loss this network has, and so which formula gives δᵒ. */
function outputCase(t: UpdateTrace): string {
  const out = t.layers[t.layers.length - 1];
  if (t.loss === 'binary-cross-entropy' && out.activation === 'sigmoid') {
    return 'This network: a sigmoid output with cross-entropy loss. Its f′(h) = ŷ(1 − ŷ) cancels against ∂E/∂ŷ, so δᵒ = y − ŷ exactly.';
  }
  return `This network: a ${out.activation} output with squared error E = ½(y − ŷ)², so δᵒ = (y − ŷ)·f′(h), with ${SLOPES[out.activation] ?? 'its slope f′(h)'}.`;
}

function outputDelta(t: UpdateTrace): string[] {
  const out = t.layers[t.layers.length - 1];
  return [li('data-kind="case"', outputCase(t)), ...out.delta.map((d, k) => {
    const cancels = t.loss === 'binary-cross-entropy' && out.activation === 'sigmoid';
    const body = cancels || !out.derivative
      ? `δᵒ = y − ŷ = ${num(t.error[k], 'factor')} = ${num(d, 'product')}`
      : `δᵒ = (y − ŷ) × f′(h) = ${num(t.error[k], 'factor', true)} × ${num(out.derivative[k], 'factor', true)} = ${num(d, 'product')}`;
    return li(`data-kind="delta" data-layer="${out.layer}" data-unit="${k}"`, body);
  })];
}

function hiddenDeltas(t: UpdateTrace): string[] {
  const hidden = t.layers.slice(0, -1);
  if (hidden.length === 0) return [li('data-kind="none"', 'No hidden layers: nothing to pass back.')];
  const rows: string[] = [];
  // From the output down: layer l's δ needs the δ of layer l + 1, so the top hidden layer comes first.
  for (const l of [...hidden].reverse()) {
    const above = t.layers[l.layer + 1];
    rows.push(li('data-kind="slope"', `${l.layer === hidden.length - 1 ? 'Top hidden layer' : `Layer ${l.layer + 1}`}, ${SLOPES[l.activation] ?? ''}:`));
    l.delta.forEach((d, j) => {
      const sum = above.delta.reduce((s, dk, k) => s + above.before.weights[j][k] * dk, 0);
      const terms = above.delta.map((dk, k) => `${num(above.before.weights[j][k], 'W', true)} × ${num(dk, 'd', true)}`).join(' + ');
      rows.push(li(`data-kind="delta" data-layer="${l.layer}" data-unit="${j}"`,
        `${unitName(l, j)}: δʰ = (Σₖ Wⱼₖ δₖ) × f′(h) = (${terms}) × ${num(l.derivative![j], 'der', true)} = ${num(sum, 'sum', true)} × ${num(l.derivative![j], 'der', true)} = ${num(d, 'product')}`));
    });
  }
  return rows;
}

function steps(t: UpdateTrace): string[] {
  const η = t.learningRate;
  return [...t.layers].reverse().flatMap((l) => [
    ...l.deltaW.flatMap((row, i) => row.map((dw, j) => li(`data-kind="dw" data-layer="${l.layer}" data-from="${i}" data-to="${j}"`,
      `${sourceName(l, i)} → ${unitName(l, j)}: Δw = η × δ × x = ${num(η, 'factor')} × ${num(l.delta[j], 'factor', true)} × ${num(l.input[i], 'factor', true)} = ${num(dw, 'product')}`))),
    ...(l.deltaB ?? []).map((db, j) => li(`data-kind="db" data-layer="${l.layer}" data-unit="${j}"`,
      `bias of ${unitName(l, j)}: Δb = η × δ = ${num(η, 'factor')} × ${num(l.delta[j], 'factor', true)} = ${num(db, 'product')}`)),
  ]);
}

function values(t: UpdateTrace): string[] {
  switch (app.stage) {
    case 0: return forward(t);
    case 1: return error(t);
    case 2: return outputDelta(t);
    case 3: return hiddenDeltas(t);
    case 4: return steps(t);
    default: return [li('data-kind="loss"', `E before = ${num(t.lossBefore, 'E')}, E after = ${num(t.lossAfter, 'E')}`)];
  }
}

/** Said when training uses more than the seeds' rule: the step-through shows and applies plain gradient descent. */
function optimizerNote(): string {
  const s = app.state;
  const extras = [s.optimizer !== 'sgd' ? s.optimizer : '', s.regularization !== 'none' && s.regularizationRate > 0 ? `${s.regularization.toUpperCase()} ${s.regularizationRate}` : ''].filter(Boolean);
  return extras.length
    ? `Training uses ${extras.join(' with ')}; this step-through takes one step of plain gradient descent (Δw = η·δ·x, the seeds' rule) instead, and that is the step it applies.`
    : '';
}

const stepper = $('stepper');

function show(): void {
  const t = app.trace;
  if (!t) {
    stepper.hidden = true;
    return;
  }
  const opening = stepper.hidden;
  stepper.hidden = false;
  stepper.dataset.index = String(app.tracedIndex);
  stepper.dataset.stage = String(app.stage);
  $('stageTitle').textContent = `${STAGES[app.stage][0]} (training point ${app.tracedIndex}, η = ${t.learningRate})`;
  $('stageText').textContent = STAGES[app.stage][1];
  $('stepNote').textContent = optimizerNote();
  $('stageValues').innerHTML = values(t).join('');
  $<HTMLButtonElement>('prevStage').disabled = app.stage === 0;
  $<HTMLButtonElement>('nextStage').disabled = app.stage === LAST_STAGE;
  $('stageCount').textContent = `${app.stage + 1} of ${STAGES.length}`;
  if (opening) stepper.scrollIntoView({ block: 'nearest' });
  showWhatIf();
}

function go(stage: number): void {
  const t = app.trace;
  if (!t || stage < 0 || stage > LAST_STAGE) return;
  app.stage = stage;
  // Entering the last stage applies the very update the trace shows, once.
  if (stage === LAST_STAGE && !t.applied && app.tracedIndex !== null) send({ type: 'apply', index: app.tracedIndex });
  emit('stage');
}

$('nextStage').addEventListener('click', () => go(app.stage + 1));
$('prevStage').addEventListener('click', () => go(app.stage - 1));
$('closeStepper').addEventListener('click', () => {
  closeStepper();
  emit('render');
});
$('pickPoint').addEventListener('click', () => pickPoint(Number($<HTMLInputElement>('pointIndex').value)));
$('pointIndex').addEventListener('keydown', (e) => {
  if (e.key === 'Enter') pickPoint(Number($<HTMLInputElement>('pointIndex').value));
});
stepper.addEventListener('keydown', (e) => {
  if ((e.target as HTMLElement).tagName === 'INPUT') return;
  if (e.key === 'ArrowRight') go(app.stage + 1);
  else if (e.key === 'ArrowLeft') go(app.stage - 1);
});

// ---- what if one weight were different? ----

let whatIfRef: WeightRef | null = null;

/** The update traced again on the page's own copy of the network, with the chosen weight set to `value`. */
function whatIfTrace(t: UpdateTrace, ref: WeightRef, value: number): UpdateTrace {
  const weights: LayerWeights[] = t.layers.map((l) => ({
    weights: l.before.weights.map((row) => [...row]),
    bias: l.before.bias ? [...l.before.bias] : null,
  }));
  if (ref.from === 'bias') weights[ref.layer].bias![ref.to] = value;
  else weights[ref.layer].weights[ref.from][ref.to] = value;
  const net = new Network(networkSpec(app.state, app.problem.task));
  net.setWeights(weights);
  return traceUpdate(net, t.input, t.target, { learningRate: t.learningRate });
}

function current(t: UpdateTrace, ref: WeightRef): number {
  const l = t.layers[ref.layer].before;
  return ref.from === 'bias' ? l.bias![ref.to] : l.weights[ref.from][ref.to];
}

function showWhatIf(): void {
  const t = app.trace;
  $<HTMLInputElement>('whatIf').checked = app.whatIf;
  $('whatIfPanel').hidden = !app.whatIf;
  if (!t || !app.whatIf) return;
  if (!whatIfRef) {
    $('whatIfName').textContent = 'Click a link or a bias on the diagram to choose a weight.';
    $('whatIfValue').hidden = true;
    $('whatIfTable').innerHTML = '';
    return;
  }
  const ref = whatIfRef;
  const field = $<HTMLInputElement>('whatIfValue');
  field.hidden = false;
  $('whatIfName').textContent = ref.from === 'bias' ? `bias of ${unitName(t.layers[ref.layer], ref.to)}, now ${fmt(current(t, ref))}; what if it were`
    : `w from ${sourceName(t.layers[ref.layer], ref.from)} to ${unitName(t.layers[ref.layer], ref.to)}, now ${fmt(current(t, ref))}; what if it were`;
  const value = Number(field.value);
  if (field.value.trim() === '' || !Number.isFinite(value)) {
    $('whatIfTable').innerHTML = '';
    return;
  }
  const other = whatIfTrace(t, ref, value);
  const row = (kind: string, name: string, before: number, after: number, attrs = ''): string =>
    `<tr data-kind="${kind}" ${attrs} data-before="${before}" data-after="${after}"><th scope="row">${name}</th><td>${fmt(before)}</td><td>${fmt(after)}</td><td>${after - before >= 0 ? '+' : ''}${fmt(after - before)}</td></tr>`;
  const rows = [
    row('whatif-output', 'ŷ', t.output[0], other.output[0]),
    row('whatif-loss', 'E', t.lossBefore, other.lossBefore),
    ...[...t.layers].reverse().flatMap((l) => l.delta.map((d, j) =>
      row('whatif-delta', `δ of ${unitName(l, j)}`, d, other.layers[l.layer].delta[j], `data-layer="${l.layer}" data-unit="${j}"`))),
  ];
  $('whatIfTable').innerHTML = `<thead><tr><th></th><th>now</th><th>what if</th><th>change</th></tr></thead><tbody>${rows.join('')}</tbody>`;
}

$('whatIf').addEventListener('change', (e) => {
  app.whatIf = (e.target as HTMLInputElement).checked;
  if (!app.whatIf) whatIfRef = null;
  showWhatIf();
});
$('whatIfValue').addEventListener('input', showWhatIf);
on('weight', (ref) => {
  if (!app.whatIf || !app.trace) return;
  whatIfRef = ref;
  const field = $<HTMLInputElement>('whatIfValue');
  field.value = String(Number(current(app.trace, ref).toPrecision(6)));
  showWhatIf();
  field.focus();
  field.select();
});

on('stage', show);
on('worker', (m) => {
  if (m.type !== 'trace') return;
  const fresh = app.tracedIndex !== m.index || app.trace === null;
  app.trace = m.trace;
  app.tracedIndex = m.index;
  if (fresh) whatIfRef = null;
  emit('stage');
  emit('render');
});
on('reset', () => {
  whatIfRef = null;
  app.whatIf = false;
  show();
});
