// What the learning rate is doing, in words, when the numbers show it: steps that overshoot (the loss jumps up and
// down from epoch to epoch instead of falling), hidden units driven into saturation (their slope is 0 to the
// precision of the numbers, so the gradient bars read 0.0e+0 and nothing flows back), relu units that died, or
// steps so small that the loss hardly moves. Each is detected from the run's own numbers, never from η alone.
import { $, app, on } from './app.js';
import { layerActivation } from './problem.js';

const note = $('rateNote');

/** Epochs of the loss curve looked at: the last ten. */
const WINDOW = 10;

/** Rises of the loss in the last epochs that are large: over 10% of the loss before, and over 5% of the starting loss. */
function overshoot(curve: number[]): { rises: number; epochs: number; lo: number; hi: number } | null {
  if (curve.length < 6) return null;
  const from = Math.max(1, curve.length - WINDOW);
  let rises = 0, lo = Infinity, hi = -Infinity;
  for (let t = from; t < curve.length; t++) {
    if (curve[t] - curve[t - 1] > Math.max(0.1 * curve[t - 1], 0.05 * curve[0])) rises++;
    lo = Math.min(lo, curve[t]);
    hi = Math.max(hi, curve[t]);
  }
  return rises >= 3 ? { rises, epochs: curve.length - from, lo, hi } : null;
}

/** Per hidden layer, the share of its units' outputs over the plane that sit on a flat part of the activation. */
function flatShares(): { layer: number; activation: string; share: number; dead: number }[] {
  const s = app.snapshot;
  if (!s) return [];
  return s.hidden.map((values, l) => {
    const units = app.state.layers[l];
    const activation = layerActivation(app.state, l);
    let flat = 0;
    const alive = new Uint8Array(units);
    for (let k = 0; k < values.length; k++) {
      const a = values[k];
      if (activation === 'tanh' ? Math.abs(a) > 0.99 : activation === 'sigmoid' ? a < 0.01 || a > 0.99 : activation === 'relu' ? a <= 0 : false) flat++;
      if (a > 0) alive[k % units] = 1;
    }
    return { layer: l, activation, share: values.length ? flat / values.length : 0, dead: activation === 'relu' ? units - alive.reduce((x, y) => x + y, 0) : 0 };
  });
}

const percent = (v: number): string => `${Math.round(100 * v)}%`;

/** The words for what the numbers show, and which cases they are; '' when nothing stands out. */
export function rateWords(): { text: string; cases: string[] } {
  const s = app.snapshot;
  const curve = app.trainCurve.filter(Number.isFinite);
  if (!s || curve.length < 2) return { text: '', cases: [] };
  const η = app.state.learningRate;
  const parts: string[] = [], cases: string[] = [];
  const swing = overshoot(curve);
  if (swing) {
    cases.push('overshoot');
    parts.push(`The loss rose in ${swing.rises} of the last ${swing.epochs} epochs, swinging between ${swing.lo.toPrecision(2)} and ${swing.hi.toPrecision(2)}: `
      + `η = ${η} makes each step overshoot. The gradient says which way is down, but a step that long jumps past the valley to the far slope, often higher than where it began.`);
  }
  const norms = s.gradientNorms;
  const largest = Math.max(...norms);
  const shares = flatShares();
  const flat = shares.filter((f) => f.share >= 0.5 && f.activation !== 'relu');
  const tiny = norms.slice(0, -1).map((n, l) => ({ l, n })).filter(({ n }) => n < 1e-6 || n < 1e-5 * largest);
  if (flat.length && tiny.length) {
    cases.push('saturated');
    const which = flat.map((f) => `${percent(f.share)} of layer ${f.layer + 1}'s outputs are within 0.01 of ${f.activation === 'tanh' ? '±1' : '0 or 1'}`).join(', ');
    const slope = flat.some((f) => f.activation === 'tanh') ? 'tanh′(h) = 1 − a²' : 'σ′(h) = a(1 − a)';
    parts.push(`The hidden units are saturated: ${which}, where ${slope} is about 0. Every δʰ is multiplied by that slope, so almost nothing flows back: `
      + `the gradient of ${tiny.map(({ l }) => `W${l + 1}`).join(' and ')} is ${tiny.some(({ n }) => n === 0) ? '0 to the precision of the numbers (the bars read 0.0e+0)' : 'below a millionth'}, and those weights stop learning. `
      + (swing ? 'Large steps put them there: the weights grew so big that every h lands far out on the flat tails.' : 'Smaller weights (⟲, or a smaller η) bring them back to the steep middle.'));
  }
  const dead = shares.filter((f) => f.dead > 0);
  if (dead.length) {
    cases.push('dead');
    parts.push(`${dead.map((f) => `${f.dead} of layer ${f.layer + 1}'s ${app.state.layers[f.layer]} relu unit${app.state.layers[f.layer] === 1 ? '' : 's'}`).join(', ')} `
      + `output 0 everywhere on the plane: h < 0 for every input, where relu′ = 0, so their own weights get no gradient at all (dead units; in the first layer nothing can bring them back).`);
  }
  if (!swing && curve.length > 30) {
    const fall = (curve[0] - curve[curve.length - 1]) / curve[0];
    if (fall >= 0 && fall < 0.02 && largest > 1e-4) {
      cases.push('slow');
      parts.push(`In ${curve.length - 1} epochs the loss fell only ${(100 * fall).toPrecision(2)}%, while the gradient is not small: η = ${η} makes each step too short to get anywhere soon.`);
    }
  }
  return { text: parts.join(' '), cases };
}

let shown = '';
/** The snapshot last looked at: the words change only with the numbers (a drawing without a new snapshot skips). */
let seen: unknown = null;
function show(): void {
  if (app.snapshot === seen) return;
  seen = app.snapshot;
  const { text, cases } = rateWords();
  if (text === shown) return;
  shown = text;
  note.hidden = text === '';
  note.textContent = text;
  note.dataset.cases = cases.join(' ');
}

on('render', show);
on('reset', () => {
  seen = null;
  show();
});
