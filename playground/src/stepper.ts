// The step-through: one update of plain gradient descent on one training point, written out so a learner
// can check every number with a calculator — each value with the factors it is made of — in the order
// backpropagation computes them. A "what if" mode recomputes the whole update with one weight changed.
import { Network, traceUpdate, type LayerTrace, type LayerWeights, type UpdateTrace } from '../../src/index.js';
import { $, app, applyTraced, closeStepper, emit, fmt, on, pickCustom, pickPoint, say, type WeightRef } from './app.js';
import { cancels, diagnose, fromPrinted, questionKeys, questionValue, significant, slipsOf } from './answers.js';
import { answerOf, concealed, exercise, markShown, stageOf, stepsAnswered, waitingNote, WAITING_STAGE, type Answer } from './exercise.js';
import { lesson, lessonApplies, type Lesson } from './lessons.js';
import { inputNames, networkSpec } from './problem.js';
import { escapeHtml } from './draw.js';
import { CUSTOM_POINT } from './protocol.js';

const STAGES = [
  ['Forward pass', 'Each unit sums its weighted inputs, h = Σᵢ wᵢ·xᵢ + b, and applies its activation, a = f(h). The inputs x are the point\'s features.'],
  ["Step 1: the network's error", 'Compare the output ŷ with the target y: the error is y − ŷ.'],
  ['Step 2: the output error term δᵒ', 'δᵒ = −∂E/∂h at the output unit: the error, times f′(h) where the loss does not cancel it.'],
  ['Step 3: the hidden error terms δʰ', 'From the output down: each hidden unit collects the error terms of the layer above through its links, then scales by its own slope: δʰⱼ = (Σₖ Wⱼₖ·δₖ)·f′(hⱼ).'],
  ['Step 4: the weight steps Δw', 'Every weight moves by Δw = η·δ·x: the step size, times the error term of the unit it feeds, times the value it carries; a bias carries 1, so Δb = η·δ.'],
  ['The update, applied', 'The weights took the steps, w + Δw: the loss on this point before and after, and each new weight.'],
] as const;
const LAST_STAGE = STAGES.length - 1;

/** The derivative of each activation, written in terms of h and a, for the step-3 text. */
const SLOPES: Record<string, string> = {
  tanh: 'tanh′(h) = 1 − a²', sigmoid: 'σ′(h) = a(1 − a), never more than 0.25', relu: 'relu′(h) = 1 for h > 0, else 0',
  'leaky-relu': 'f′(h) = 1 for h > 0, else 0.01', linear: 'f′(h) = 1',
};

/** A value to `digits` significant digits, as fmt writes four. */
const toDigits = (v: number, digits: number): string => (v === 0 ? '0' : Number(v.toPrecision(digits)).toString());
/** A value rounded to `digits` significant digits, as printed so. */
const rounded = (v: number, digits: number): number => Number(toDigits(v, digits));

/** How a concealed value is written in place of its number: its symbol. */
const SYMBOLS: Record<string, string> = { error: '(y − ŷ)', delta: 'δ', dw: 'Δw', db: 'Δb' };

/**
 * A number as the calculator sees it, negative ones in brackets when they are a factor or a term. With `key`, the
 * value of a question: while the learner has not answered it (exercise mode) its symbol stands in its place.
 */
function num(v: number, role: string, bracket = false, key?: string, digits = 4): string {
  if (key !== undefined && concealed(key)) return `<span class="concealed" data-role="${role}">${SYMBOLS[key.split(':')[0]]}</span>`;
  const text = toDigits(v, digits);
  return `<span class="num" data-role="${role}" data-v="${v}">${bracket && v < 0 ? `(${text})` : text}</span>`;
}

/** Twelve significant digits: the value beside a lesson's rounded one. */
const full = (v: number): string => (v === 0 ? '0' : Number(v.toPrecision(12)).toString());

/** Whether the trace is a lesson's own update: its point, its starting weights and its η, so the text's numbers apply. */
function lessonTrace(t: UpdateTrace): Lesson | null {
  const l = lesson(app.state.lesson);
  return l && lessonApplies(l, t) ? l : null;
}

/** Where the text carries a rounded factor into a product, which one and how: "δʰ = 0.003046 to 0.003". */
function roundedFactor(t: UpdateTrace, l: Lesson, key: string, digits: number): string {
  const [kind, L, , j] = key.split(':').map((p, i) => (i === 0 ? p : Number(p))) as [string, number, number, number];
  const layer = t.layers[L];
  const printed = kind === 'dw' ? l.printed[`delta:${L}:${j}`] : undefined;
  return printed !== undefined ? `δ${layer.role === 'output' ? 'ᵒ' : 'ʰ'} = ${toDigits(layer.delta[j], digits)} to ${printed}` : 'a factor';
}

/** What a line prints: its factors' significant digits, and their product (or sum) as printed. */
interface Printed {
  digits: number;
  shown: number;
}

/**
 * The number a line ends with, as result() prints it: in a lesson the text's own rounding where the value rounds to
 * it, else four significant digits.
 */
function target(t: UpdateTrace, v: number, key: string): { digits: number; at: number } {
  const printed = app.state.lesson ? lessonTrace(t)?.printed[key] : undefined;
  return printed !== undefined && rounded(v, significant(printed)) === Number(printed)
    ? { digits: significant(printed), at: Number(printed) } : { digits: 4, at: rounded(v, 4) };
}

/**
 * The significant digits a line's numbers are printed with: four, or as many more as it takes for the line to check
 * out on a calculator as printed (0.03 × 0.171 × 0.1884 is 0.0009665, but the step is 0.0009668: its factors are
 * 0.17103 and 0.18843). `works` says whether numbers rounded so give the line's printed result.
 */
function digitsFor(shown: (r: (v: number) => number) => number, works: (shown: number, r: (v: number) => number, digits: number) => boolean): Printed {
  for (let digits = 4; digits < 12; digits++) {
    const r = (v: number): number => rounded(v, digits);
    // In decimals, as a calculator has it (0.6 − 0.485 is 0.115, not 0.11499999999999999).
    const value = Number(shown(r).toPrecision(12));
    if (works(value, r, digits)) return { digits, shown: value };
  }
  return { digits: 12, shown: shown((v) => rounded(v, 12)) };
}

/** The digits of a line whose numbers, rounded by `r`, make `shown(r)`; it must come out at what result() prints for `v`. */
function lineDigits(t: UpdateTrace, v: number, key: string, shown: (r: (v: number) => number) => number): Printed {
  const { digits, at } = target(t, v, key);
  return digitsFor(shown, (value) => rounded(value, digits) === at);
}

/**
 * A computed value (`key` names the quantity, as the lessons' printed numbers do): four significant digits,
 * or in a lesson the text's own rounding where it prints one; in a lesson the full value stands beside it. Where the
 * text rounds a factor before multiplying (δʰ to 0.003), so that its number is not the value rounded, both are shown:
 * the product of the numbers printed, then the text's line with its rounded factor. `line` is what the line prints
 * before it (see lineDigits).
 */
function result(t: UpdateTrace, v: number, role: string, key: string, line: Printed = { digits: 4, shown: v }): string {
  const l = app.state.lesson ? lessonTrace(t) : null;
  const printed = l?.printed[key];
  const fullText = (prefix: string): string => `<span class="full" data-key="${key}" data-v="${v}" title="full precision">(${prefix}${full(v)})</span>`;
  if (l && printed !== undefined && rounded(v, significant(printed)) !== Number(printed)) {
    const text = l.text?.[key];
    const expression = text ? `${text.slice(0, text.lastIndexOf('=')).trim()} = ` : '';
    return `<span class="num" data-role="${role}" data-v="${v}">${toDigits(v, 4)}</span>; the text rounds ${roundedFactor(t, l, key, line.digits)} first: `
      + `${expression}<span class="num" data-role="text" data-key="${key}" data-v="${v}">${printed}</span> ${fullText('unrounded ')}`;
  }
  const shown = `<span class="num" data-role="${role}" data-key="${key}" data-v="${v}">${printed ?? fmt(v)}</span>`;
  return l ? `${shown} ${fullText('in full ')}` : shown;
}

/**
 * A weight after its step, with digits enough to show the step: 0.1 + 0.0000354 is 0.1000354, not 0.1 (four
 * significant digits of the sum would hide a step smaller than its fourth digit).
 */
function afterStep(w: number, step: number): string {
  if (w === 0 || step === 0) return fmt(w);
  const digits = Math.floor(Math.log10(Math.abs(w))) - Math.floor(Math.log10(Math.abs(step))) + 3;
  return Number(w.toPrecision(Math.min(15, Math.max(4, digits)))).toString();
}

const unitName = (l: LayerTrace, j: number): string => (l.role === 'output' ? 'output' : `layer ${l.layer + 1} unit ${j + 1}`);
const sourceName = (l: LayerTrace, i: number): string => (l.layer === 0 ? inputNames(app.state, app.problem)[i] : `layer ${l.layer} unit ${i + 1}`);
/** The same, for the step-through's HTML: a table's column names come from a file. */
const sourceHtml = (l: LayerTrace, i: number): string => escapeHtml(sourceName(l, i));
const li = (attrs: string, html: string): string => `<li ${attrs}>${html}</li>`;

/**
 * A value the learner can be asked for in exercise mode: `label` says which (markup of the page's own numbers),
 * `name` the same as plain text (the answer field's accessible name), `lhs` is its symbol, `formula` the expression
 * with this point's numbers filled in (the hint), `value` the answer.
 */
interface Question {
  key: string;
  attrs: string;
  label: string;
  name: string;
  lhs: string;
  formula: string;
  value: number;
  role: string;
  /** The digits the formula's numbers are printed with, and what they make. */
  printed: Printed;
}

/** The answer fields' names and typed values, set as text once the list is drawn (never pasted into markup). */
let fields = new Map<string, { name: string; typed: string }>();

/** A question's line: in exercise mode a field to answer it, else the whole computation. */
function line(t: UpdateTrace, q: Question): string {
  if (!exercise.on) return li(q.attrs, `${q.label}${q.lhs} = ${q.formula} = ${result(t, q.value, q.role, q.key, q.printed)}`);
  const a = answerOf(q.key);
  const done = a.status === 'right' || a.status === 'revealed';
  const verdict = a.status === 'right' ? '<span class="verdict right">right</span>'
    : a.status === 'revealed' ? '<span class="verdict revealed">revealed</span>'
    : a.status === 'wrong' ? `<span class="verdict wrong" data-note="${q.key}"></span>` : '';
  if (done) return li(`${q.attrs} data-answer="${a.status}"`, `${q.label}${q.lhs} = ${q.formula} = ${result(t, q.value, q.role, q.key, q.printed)} ${verdict}`);
  const hint = a.hint ? `<div class="hint" data-hint="${q.key}">${q.lhs} = ${q.formula}</div>` : '';
  fields.set(q.key, { name: `${q.name}${q.lhs}`, typed: a.typed });
  // A phone's decimal keypad (some have no minus sign: ± changes the sign; a decimal comma is read as a point).
  return li(`${q.attrs} data-answer="${a.status ?? 'open'}"`,
    `${q.label}${q.lhs} = <input class="answer" data-key="${q.key}" type="text" inputmode="decimal" autocomplete="off" spellcheck="false" size="10">`
    + ` <button type="button" data-action="negate" data-key="${q.key}" title="Change the sign">±</button>`
    + ` <button type="button" data-action="check" data-key="${q.key}">Check</button>`
    + ` <button type="button" data-action="hint" data-key="${q.key}">Hint</button>`
    + ` <button type="button" data-action="reveal" data-key="${q.key}">Reveal</button> ${verdict}${hint}`);
}

/** Names, typed values and verdicts of the answer fields, as text. */
function fillFields(): void {
  const list = $('stageValues');
  for (const input of list.querySelectorAll<HTMLInputElement>('input.answer')) {
    const f = fields.get(input.dataset.key!);
    if (!f) continue;
    input.setAttribute('aria-label', f.name);
    input.value = f.typed;
  }
  for (const note of list.querySelectorAll<HTMLElement>('.verdict.wrong[data-note]')) note.textContent = answerOf(note.dataset.note!).note;
  for (const button of list.querySelectorAll<HTMLButtonElement>('button[data-action="negate"]')) {
    button.setAttribute('aria-label', `Change the sign — ${fields.get(button.dataset.key!)?.name ?? 'the answer'}`);
  }
}

function forward(t: UpdateTrace): string[] {
  const names = inputNames(app.state, app.problem).map(escapeHtml);
  const inputs = t.input.map((x, i) => `${names[i]} = ${num(x, 'x')}`).join(', ');
  const where = app.tracedIndex === CUSTOM_POINT ? 'your point'
    : app.state.lesson ? 'the lesson\'s point'
    : (([px, py]) => `the point (${fmt(px)}, ${fmt(py)})`)(app.problem.train.points[app.tracedIndex!]);
  const rows = [li('data-kind="input"', `inputs: ${inputs} (${where}); target y = ${t.target.map((y) => num(y, 'y')).join(', ')}`)];
  for (const l of t.layers) {
    l.h.forEach((h, j) => {
      const bias = l.before.bias?.[j];
      const { digits } = lineDigits(t, h, `h:${l.layer}:${j}`, (r) => l.input.reduce((sum, x, i) => sum + r(l.before.weights[i][j]) * r(x), bias === undefined ? 0 : r(bias)));
      const terms = l.input.map((x, i) => `${num(l.before.weights[i][j], 'w', true, undefined, digits)} × ${num(x, 'x', true, undefined, digits)}`);
      const b = bias === undefined ? [] : [num(bias, 'b', true, undefined, digits)];
      const a = l.role === 'output' ? `ŷ = ${l.activation}(h) = ${result(t, l.a[j], 'a', `a:${l.layer}:${j}`)}` : `a = ${l.activation}(h) = ${result(t, l.a[j], 'a', `a:${l.layer}:${j}`)}`;
      rows.push(li(`data-kind="forward" data-layer="${l.layer}" data-unit="${j}"`,
        `${unitName(l, j)}: h = ${[...terms, ...b].join(' + ')} = ${result(t, h, 'h', `h:${l.layer}:${j}`)}, ${a}`));
    });
  }
  return rows;
}

function error(t: UpdateTrace): string[] {
  return t.output.map((p, k) => {
    const loss = t.loss === 'mse'
      ? `E = ½(y − ŷ)² = ${num(t.lossBefore, 'E')}`
      : t.loss === 'categorical-cross-entropy'
        ? `E = −Σₖ yₖ ln ŷₖ = ${num(t.lossBefore, 'E')}`
        : `E = −[y ln ŷ + (1 − y) ln(1 − ŷ)] = ${num(t.lossBefore, 'E')}`;
    const printed = lineDigits(t, t.error[k], `error:${k}`, (r) => r(t.target[k]) - r(p));
    const [y, ŷ] = [toDigits(t.target[k], printed.digits), toDigits(p, printed.digits)];
    const q: Question = {
      key: `error:${k}`, attrs: `data-kind="error" data-unit="${k}"`, label: `y = ${num(t.target[k], 'y', false, undefined, printed.digits)}, ŷ = ${num(p, 'yhat', false, undefined, printed.digits)}, `,
      name: `The error, with y = ${y} and ŷ = ${ŷ}: `,
      lhs: 'y − ŷ', formula: `${num(t.target[k], 'y', true, undefined, printed.digits)} − ${num(p, 'yhat', true, undefined, printed.digits)}`, value: t.error[k], role: 'value', printed,
    };
    return line(t, q).replace(/<\/li>$/, `; ${loss}</li>`);
  });
}

/** Which output and loss this network has, and so which formula gives δᵒ. */
function outputCase(t: UpdateTrace): string {
  const out = t.layers[t.layers.length - 1];
  if (out.activation === 'softmax' && cancels(t)) {
    return 'This network: a softmax output, ŷₖ = e^hₖ / Σⱼ e^hⱼ (one unit per class, the ŷₖ sum to 1), with categorical cross-entropy '
      + 'E = −Σₖ yₖ ln ŷₖ (y is the class one-hot). Softmax + cross-entropy: the softmax\'s Jacobian cancels against ∂E/∂ŷ, so δᵒₖ = yₖ − ŷₖ for every output unit exactly.';
  }
  if (cancels(t)) {
    return 'This network: a sigmoid output with cross-entropy loss. Its f′(h) = ŷ(1 − ŷ) cancels against ∂E/∂ŷ, so δᵒ = y − ŷ exactly.';
  }
  return `This network: a ${out.activation} output with squared error E = ½(y − ŷ)², so δᵒ = (y − ŷ)·f′(h), with ${SLOPES[out.activation] ?? 'its slope f′(h)'}.`;
}

function outputDelta(t: UpdateTrace): string[] {
  const out = t.layers[t.layers.length - 1];
  return [li('data-kind="case"', outputCase(t)), ...out.delta.map((d, k) => {
    const slope = cancels(t) ? undefined : out.derivative?.[k];
    const printed = lineDigits(t, d, `delta:${out.layer}:${k}`, (r) => (slope === undefined ? r(t.target[k]) - r(t.output[k]) : r(t.error[k]) * r(slope)));
    return line(t, {
      key: `delta:${out.layer}:${k}`, attrs: `data-kind="delta" data-layer="${out.layer}" data-unit="${k}"`, label: '', lhs: 'δᵒ', value: d, role: 'product', printed,
      name: out.delta.length > 1 ? `The output error term of output ${k + 1}: ` : 'The output error term: ',
      // f′(h) cancels (the case line says why): δᵒ is the subtraction itself, written out.
      formula: slope === undefined ? `y − ŷ = ${num(t.target[k], 'y', true, undefined, printed.digits)} − ${num(t.output[k], 'yhat', true, undefined, printed.digits)}`
        : `(y − ŷ) × f′(h) = ${num(t.error[k], 'factor', true, `error:${k}`, printed.digits)} × ${num(slope, 'factor', true, undefined, printed.digits)}`,
    });
  })];
}

function hiddenDeltas(t: UpdateTrace): string[] {
  const hidden = t.layers.slice(0, -1);
  if (hidden.length === 0) return [li('data-kind="none"', 'No hidden layers: nothing to pass back.')];
  const rows: string[] = [];
  // From the output down: layer l's δ needs the δ of layer l + 1, so the top hidden layer comes first.
  for (const l of [...hidden].reverse()) {
    const above = t.layers[l.layer + 1];
    const aboveKeys = above.delta.map((_, k) => `delta:${above.layer}:${k}`);
    rows.push(li('data-kind="slope"', `${l.layer === hidden.length - 1 ? 'Top hidden layer' : `Layer ${l.layer + 1}`}, ${SLOPES[l.activation] ?? ''}:`));
    l.delta.forEach((d, j) => {
      const slope = l.derivative![j];
      // Σ as the printed terms add up (so that step checks out too), to the line's digits; Σ × f′(h) comes to δʰ.
      const sumOf = (r: (v: number) => number): number => r(above.delta.reduce((s, dk, k) => s + r(above.before.weights[j][k]) * r(dk), 0));
      const printed = lineDigits(t, d, `delta:${l.layer}:${j}`, (r) => sumOf(r) * r(slope));
      const sum = sumOf((v) => rounded(v, printed.digits));
      const n = (v: number, role: string, key?: string): string => num(v, role, true, key, printed.digits);
      const terms = above.delta.map((dk, k) => `${n(above.before.weights[j][k], 'W')} × ${n(dk, 'd', aboveKeys[k])}`).join(' + ');
      // The sum is made of the δ above: it waits for them as they do.
      const total = aboveKeys.some(concealed) ? '<span class="concealed" data-role="sum">Σ</span>' : n(sum, 'sum');
      rows.push(line(t, {
        key: `delta:${l.layer}:${j}`, attrs: `data-kind="delta" data-layer="${l.layer}" data-unit="${j}"`, label: `${unitName(l, j)}: `, lhs: 'δʰ', value: d, role: 'product', printed,
        name: `The hidden error term of ${unitName(l, j)}: `,
        formula: `(Σₖ Wⱼₖ δₖ) × f′(h) = (${terms}) × ${n(slope, 'der')} = ${total} × ${n(slope, 'der')}`,
      }));
      // The shrinking the text warns of: how this δ compares with the largest δ of the layer above.
      const largest = Math.max(...above.delta.map(Math.abs));
      if (l.delta.length === 1 && largest > 0 && !concealed(`delta:${l.layer}:${j}`) && !aboveKeys.some(concealed)) {
        rows.push(li(`data-kind="ratio" data-layer="${l.layer}" data-ratio="${Math.abs(d) / largest}"`, `|δ| is ${fmt(100 * Math.abs(d) / largest)}% of the layer above's`));
      }
    });
  }
  return rows;
}

function steps(t: UpdateTrace): string[] {
  const η = t.learningRate;
  return [...t.layers].reverse().flatMap((l) => [
    ...l.deltaW.flatMap((row, i) => row.map((dw, j) => {
      const key = `dw:${l.layer}:${i}:${j}`;
      const printed = lineDigits(t, dw, key, (r) => r(η) * r(l.delta[j]) * r(l.input[i]));
      return line(t, {
        key, attrs: `data-kind="dw" data-layer="${l.layer}" data-from="${i}" data-to="${j}"`, label: `${sourceHtml(l, i)} → ${unitName(l, j)}: `,
        name: `The step of the weight from ${sourceName(l, i)} to ${unitName(l, j)}: `, lhs: 'Δw', value: dw, role: 'product', printed,
        formula: `η × δ × x = ${num(η, 'factor', false, undefined, printed.digits)} × ${num(l.delta[j], 'factor', true, `delta:${l.layer}:${j}`, printed.digits)} × ${num(l.input[i], 'factor', true, undefined, printed.digits)}`,
      });
    })),
    ...(l.deltaB ?? []).map((db, j) => {
      const key = `db:${l.layer}:${j}`;
      const printed = lineDigits(t, db, key, (r) => r(η) * r(l.delta[j]));
      return line(t, {
        key, attrs: `data-kind="db" data-layer="${l.layer}" data-unit="${j}"`, label: `bias of ${unitName(l, j)}: `, lhs: 'Δb', value: db, role: 'product', printed,
        name: `The step of the bias of ${unitName(l, j)}: `,
        formula: `η × δ = ${num(η, 'factor', false, undefined, printed.digits)} × ${num(l.delta[j], 'factor', true, `delta:${l.layer}:${j}`, printed.digits)}`,
      });
    }),
  ]);
}

/** The last stage: the loss before and after, and every weight's new value (with digits enough to show its step). */
function applied(t: UpdateTrace): string[] {
  const after = (old: number, step: number, w: number, key: string): string => {
    if (concealed(key)) return `${num(old, 'old')} + ${num(step, 'step', true, key)} (not answered yet)`;
    // The old weight and the step to as many digits as the sum needs to come out at the new weight as printed.
    const shown = afterStep(w, step);
    const { digits } = digitsFor((r) => r(old) + r(step), (value) => rounded(value, significant(shown)) === Number(shown));
    return `${num(old, 'old', false, undefined, digits)} + ${num(step, 'step', true, undefined, digits)} = <span class="num" data-role="new" data-key="w:${key.slice(key.indexOf(':') + 1)}" data-v="${w}">${shown}</span>`;
  };
  return [
    // The loss after the update waits with it (the note above says why).
    li('data-kind="loss"', `E before = ${num(t.lossBefore, 'E')}, E after = ${stepsAnswered(t) ? num(t.lossAfter, 'E') : '(once the update is applied)'}`),
    ...t.layers.flatMap((l) => [
      ...l.after.weights.flatMap((row, i) => row.map((w, j) => li(`data-kind="new-weight" data-layer="${l.layer}" data-from="${i}" data-to="${j}"`,
        `w from ${sourceHtml(l, i)} to ${unitName(l, j)}: ${after(l.before.weights[i][j], l.deltaW[i][j], w, `dw:${l.layer}:${i}:${j}`)}`))),
      ...(l.after.bias ?? []).map((b, j) => li(`data-kind="new-bias" data-layer="${l.layer}" data-unit="${j}"`,
        `bias of ${unitName(l, j)}: ${after(l.before.bias![j], l.deltaB![j], b, `db:${l.layer}:${j}`)}`)),
    ]),
  ];
}

function values(t: UpdateTrace): string[] {
  switch (app.stage) {
    case 0: return forward(t);
    case 1: return error(t);
    case 2: return outputDelta(t);
    case 3: return hiddenDeltas(t);
    case 4: return steps(t);
    default: return applied(t);
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

/** What the step-through is on: a training point, the learner's own point, or a lesson's point. */
function pointName(): string {
  const l = lesson(app.state.lesson);
  if (app.tracedIndex === CUSTOM_POINT) return 'your point';
  return l ? `lesson: ${l.title.toLowerCase()}` : `training point ${app.tracedIndex}`;
}

function show(): void {
  const t = app.trace;
  if (!t) {
    stepper.hidden = true;
    return;
  }
  const opening = stepper.hidden;
  stepper.hidden = false;
  // The box says what the list does: after Back the browser puts back the tick it left, not the page's state.
  $<HTMLInputElement>('quiz').checked = exercise.on;
  stepper.dataset.index = String(app.tracedIndex);
  stepper.dataset.stage = String(app.stage);
  // With exercise mode off the list and the diagram show every value up to this stage.
  markShown(questionKeys(t).filter((k) => stageOf(t, k) <= app.stage));
  const [title, text] = app.stage === LAST_STAGE && waitingNote(t) ? WAITING_STAGE : STAGES[app.stage];
  $('stageTitle').textContent = `${title} (${pointName()}, η = ${t.learningRate})`;
  $('stageText').textContent = text + (exercise.on && app.stage >= 1 && app.stage <= 4
    ? ' Exercise mode: work out each value and type it in (a decimal comma is fine; ± changes the sign). Values you have not answered are hidden everywhere on the page.' : '')
    + (app.stage === LAST_STAGE ? waitingNote(t) : '');
  $('stepNote').textContent = optimizerNote();
  fields = new Map();
  $('stageValues').innerHTML = values(t).join('');
  fillFields();
  $<HTMLButtonElement>('prevStage').disabled = app.stage === 0;
  $<HTMLButtonElement>('nextStage').disabled = app.stage === LAST_STAGE;
  $('stageCount').textContent = `${app.stage + 1} of ${STAGES.length}`;
  showScore();
  if (opening) bringIntoView();
  showWhatIf();
}

/**
 * Opening: where the step-through's heading is off the screen (a lesson opened on a phone, whose first screen is the
 * data and the map), the diagram goes to the top of the screen, below the controls that stick there, and the
 * step-through below it (its buttons stick to the screen's foot while the list runs past it). Where the heading is in
 * view already (a point clicked on a wide screen), the page stays where the learner has it.
 */
function bringIntoView(): void {
  const controls = document.querySelector<HTMLElement>('section.controls');
  const sticky = controls !== null && getComputedStyle(controls).position === 'sticky';
  const title = $('stageTitle').getBoundingClientRect();
  if (title.top >= (sticky ? controls.getBoundingClientRect().bottom : 0) && title.bottom <= innerHeight) return;
  // The note above the diagram when it says something, else the diagram's own head, just below the stuck controls.
  const note = $('diagramNote');
  const anchor = note.getClientRects().length > 0 ? note : $('diagram');
  window.scrollTo({ top: scrollY + anchor.getBoundingClientRect().top - (sticky ? controls.offsetHeight : 0) - 4 });
}

function go(stage: number): void {
  const t = app.trace;
  if (!t || stage < 0 || stage > LAST_STAGE) return;
  app.stage = stage;
  // Entering the last stage applies the very update the trace shows, once: in exercise mode once every step is
  // answered or revealed (new − old weight would give a step away).
  if (stage === LAST_STAGE && !t.applied && stepsAnswered(t)) applyTraced();
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

// ---- the learner's own point ----

/** The fields of the own-point form: one per network input, then the target. */
function buildCustom(): void {
  const names = inputNames(app.state, app.problem);
  const l = lesson(app.state.lesson);
  const fields = names.map((name, i) => `<label>${escapeHtml(name)} <input type="text" inputmode="decimal" size="6" data-input="${i}" value="${l ? l.x[i] : ''}"></label>`);
  // A table's classes are chosen by name: the target is that class's one-hot row (or 0/1 for two classes and one output).
  const classes = app.problem.table?.classes;
  if (classes) fields.push(`<label>target class <select data-target="class">${classes.map((c, k) => `<option value="${k}">${escapeHtml(c)}</option>`).join('')}</select></label>`);
  else fields.push(`<label>target y <input type="text" inputmode="decimal" size="6" data-target="0" value="${l ? l.y[0] : ''}"></label>`);
  $('customFields').innerHTML = fields.join(' ');
}

/** The largest standardized input the own-point form takes for a table (a training row's lie mostly within ±3). */
const MAX_STANDARDIZED = 10;

/** The own point's target: the chosen class's row, or the typed value. */
function customTarget(): { y: number[] } | { bad: HTMLInputElement } {
  const select = $('customFields').querySelector<HTMLSelectElement>('select[data-target]');
  if (select) {
    const k = Number(select.value), n = app.problem.outputs;
    return { y: n === 1 ? [k] : Array.from({ length: n }, (_, j) => (j === k ? 1 : 0)) };
  }
  const target = $('customFields').querySelector<HTMLInputElement>('input[data-target]')!;
  const v = target.value.trim() === '' ? NaN : Number(target.value);
  return Number.isFinite(v) ? { y: [v] } : { bad: target };
}

function traceCustom(): void {
  const read = (e: HTMLInputElement): number => (e.value.trim() === '' ? NaN : Number(e.value));
  const inputs = [...$('customFields').querySelectorAll<HTMLInputElement>('[data-input]')];
  const target = customTarget();
  const x = inputs.map(read);
  const bad = inputs.find((e) => !Number.isFinite(read(e))) ?? ('bad' in target ? target.bad : undefined);
  if (bad) {
    say(`Your point: ${bad.parentElement!.textContent!.trim()} expected a number, got "${bad.value}".`);
    bad.focus();
    return;
  }
  // A table's inputs are standardized: the file's 20,427 typed here is thousands of deviations out, and one update
  // on it wrecks the trained network. Such a value is sent to the row in the file's units (rawpoint.ts).
  const targetField = $('customFields').querySelector<HTMLInputElement>('input[data-target]');
  const far = app.problem.table ? [...inputs, ...(targetField ? [targetField] : [])].find((e) => Math.abs(read(e)) > MAX_STANDARDIZED) : undefined;
  if (far) {
    say(`Your point: ${far.parentElement!.textContent!.trim()} is ${far.value}, but the network's inputs and target are standardized: a training row's lie mostly between −3 and 3, and one update on a value beyond ±${MAX_STANDARDIZED} would upset the trained network. Type a row in the file's units and press "Encode into the inputs", with values near the training rows'.`);
    far.focus();
    return;
  }
  if ('y' in target) pickCustom({ x, y: target.y });
}

$('traceCustom').addEventListener('click', traceCustom);
$('customFields').addEventListener('keydown', (e) => {
  if (e.key === 'Enter') traceCustom();
});

// ---- exercise mode: the step-through asks for each value ----

function showScore(): void {
  const t = app.trace;
  const box = $('quizScore');
  if (!t || !exercise.on) {
    box.hidden = true;
    return;
  }
  const keys = questionKeys(t);
  const count = (status: Answer['status']): number => keys.filter((k) => exercise.answers.get(k)?.status === status).length;
  const right = count('right'), revealed = count('revealed');
  box.hidden = false;
  box.dataset.right = String(right);
  box.dataset.total = String(keys.length);
  box.textContent = `Score: ${right} of ${keys.length} right` + (revealed ? `, ${revealed} revealed` : '')
    + (app.stage === LAST_STAGE ? (right === keys.length ? ' — all of them.' : '.') : ' so far.');
}

function check(key: string): void {
  const t = app.trace;
  if (!t) return;
  const a = answerOf(key);
  const field = $('stageValues').querySelector<HTMLInputElement>(`input.answer[data-key="${key}"]`);
  if (field) a.typed = field.value;
  const note = diagnose(a.typed, questionValue(t, key), lessonTrace(t)?.printed[key], slipsOf(t, key), fromPrinted(t, key));
  a.status = note === null ? 'right' : 'wrong';
  a.note = note ?? '';
  // Every panel redraws: an answered value may now be shown on the diagram, in the matrices and tables.
  emit('stage');
  // The next open question's field takes the focus, so answers can be typed one after another.
  const next = $('stageValues').querySelector<HTMLInputElement>('input.answer');
  (a.status === 'right' ? next : $('stageValues').querySelector<HTMLInputElement>(`input.answer[data-key="${key}"]`))?.focus();
}

/** ± : the typed number with its sign changed, for phones whose number keypad has no minus sign. */
function negate(field: HTMLInputElement): void {
  const v = field.value.trim();
  field.value = /^[-−–—]/.test(v) ? v.replace(/^[-−–—]\s*/, '') : `-${v.replace(/^\+/, '')}`;
  answerOf(field.dataset.key!).typed = field.value;
  field.focus();
}

$('stageValues').addEventListener('click', (e) => {
  const button = (e.target as HTMLElement).closest<HTMLButtonElement>('button[data-action]');
  if (!button) return;
  const key = button.dataset.key!, a = answerOf(key);
  const field = $('stageValues').querySelector<HTMLInputElement>(`input.answer[data-key="${key}"]`);
  if (field) a.typed = field.value;
  if (button.dataset.action === 'check') return check(key);
  if (button.dataset.action === 'negate') return field ? negate(field) : undefined;
  if (button.dataset.action === 'hint') a.hint = true;
  else a.status = 'revealed';
  emit('stage');
  if (a.status !== 'revealed') $('stageValues').querySelector<HTMLInputElement>(`input.answer[data-key="${key}"]`)?.focus();
});
$('stageValues').addEventListener('keydown', (e) => {
  const field = e.target as HTMLInputElement;
  if (e.key === 'Enter' && field.classList.contains('answer')) check(field.dataset.key!);
});
$('stageValues').addEventListener('input', (e) => {
  const field = e.target as HTMLInputElement;
  if (field.classList.contains('answer')) answerOf(field.dataset.key!).typed = field.value;
});
$('quiz').addEventListener('change', (e) => {
  exercise.on = (e.target as HTMLInputElement).checked;
  // An update already applied has shown its steps (the new weights minus the old give them away): turning exercise
  // mode on then starts a new step-through of the same point, on the network as it is now, with every value hidden.
  if (exercise.on && app.trace?.applied && app.tracedIndex !== null) {
    if (app.tracedIndex === CUSTOM_POINT && app.tracedPoint) pickCustom(app.tracedPoint);
    else pickPoint(app.tracedIndex);
    say('Exercise mode: a new step-through of the same point, on the updated network.');
    emit('render');
    return;
  }
  if (app.trace) go(app.stage);
  else emit('stage');
  emit('render');
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
  const net = new Network(networkSpec(app.state, app.problem.task, app.problem));
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
  markShown(t.layers.flatMap((l) => l.delta.map((_, j) => `delta:${l.layer}:${j}`)));
  const rows = [
    row('whatif-output', 'ŷ', t.output[0], other.output[0]),
    row('whatif-loss', 'E', t.lossBefore, other.lossBefore),
    ...[...t.layers].reverse().flatMap((l) => l.delta.map((d, j) => (concealed(`delta:${l.layer}:${j}`)
      // Exercise mode: a δ not yet answered is not shown here either (its change would give it away).
      ? `<tr data-kind="whatif-delta" data-concealed="true"><th scope="row">δ of ${unitName(l, j)}</th><td>?</td><td>?</td><td>?</td></tr>`
      : row('whatif-delta', `δ of ${unitName(l, j)}`, d, other.layers[l.layer].delta[j], `data-layer="${l.layer}" data-unit="${j}"`)))),
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
  const fresh = app.tracedIndex !== m.index || app.trace === null || JSON.stringify(app.tracedPoint) !== JSON.stringify(m.point ?? null);
  // A new point or network is a new exercise; the same trace applied (the last stage) keeps its answers.
  if (fresh || !m.trace.applied) exercise.answers = new Map();
  app.trace = m.trace;
  app.tracedIndex = m.index;
  app.tracedPoint = m.point ?? null;
  if (fresh) whatIfRef = null;
  emit('stage');
  emit('render');
});
on('reset', () => {
  buildCustom();
  exercise.answers = new Map();
  whatIfRef = null;
  app.whatIf = false;
  show();
});
