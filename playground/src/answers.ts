// Exercise mode's judge: whether a number the learner typed is the value asked for, to the rounding shown, and
// when it is not, what is off where that can be told (the sign, the rounding, a factor left out). No page here:
// the questions of an update and their likely slips are worked out from the library's trace alone.
import type { UpdateTrace } from '../../src/index.js';

/**
 * A typed number as the learner means it: a decimal comma ("0,115"), a typographic minus ("−0.02") or a dash
 * from a phone's keyboard, spaces around it. NaN for anything else.
 */
export function parseAnswer(typed: string): number {
  let t = typed.trim().replace(/^[−–—]/, '-').replace(/^\+/, '');
  // One comma and no point is a decimal comma; a comma beside a point would be a thousands separator, which an
  // answer of a few digits has no use for, so that stays unreadable rather than guessed.
  if (/^-?\d*,\d+(e[+-]?\d+)?$/i.test(t)) t = t.replace(',', '.');
  if (t === '' || t === '-' || !/^-?(\d+(?:\.\d*)?|\.\d+)(e[+-]?\d+)?$/i.test(t)) return NaN;
  return Number(t);
}

/** Significant digits of a typed number ("0.00045" has 2, "1.50" has 3). */
export function significant(text: string): number {
  const mantissa = text.trim().replace(/^[+\-−–—]/, '').split(/e/i)[0].replace(/[.,]/, '').replace(/^0+/, '');
  return Math.max(1, mantissa.length);
}

/**
 * Whether a typed value is the answer: within half a unit of the page's fourth significant digit; or, typed to
 * two or three significant digits, the answer rounded to those; or, in a lesson, the text's own rounding. `asShown`
 * is the same value worked out from the factors as the page prints them (see fromPrinted): a learner who multiplies
 * the page's own numbers is right too, though their rounding moves the last digit.
 */
export function accepts(typed: string, value: number, printed?: string, asShown?: number): boolean {
  const n = parseAnswer(typed);
  if (!Number.isFinite(n)) return false;
  if (printed !== undefined && n === Number(printed)) return true;
  const digits = significant(typed);
  const near = (v: number): boolean => {
    if (v === 0) return n === 0;
    const unit = 10 ** (Math.floor(Math.log10(Math.abs(v))) - 3);
    if (Math.abs(n - v) <= 0.5 * unit * (1 + 1e-9)) return true;
    return digits >= 2 && digits <= 3 && n === Number(v.toPrecision(digits));
  };
  // The learner's calculator works in decimals: 0.6 − 0.485 is 0.115, not the 0.11499999999999999 of binary floats.
  return near(value) || (asShown !== undefined && Number.isFinite(asShown) && near(Number(asShown.toPrecision(12))));
}

/** A number as the page prints it: four significant digits (app.ts's fmt). */
const printedAs = (v: number): number => Number(v.toPrecision(4));

/**
 * A question's value worked out from its factors as the step-through prints them (four significant digits each), in
 * the order its line writes them: y − ŷ, (y − ŷ)·f′(h), Σ·f′(h), η·δ·x, η·δ. It differs from the value in the last
 * digit about one time in three: a learner checking a line with a calculator gets this one.
 */
export function fromPrinted(t: UpdateTrace, key: string): number {
  const [kind, ...at] = key.split(':').map((p, i) => (i === 0 ? p : Number(p))) as [string, ...number[]];
  const η = printedAs(t.learningRate);
  if (kind === 'error') return printedAs(t.target[at[0]]) - printedAs(t.output[at[0]]);
  if (kind === 'delta') {
    const [L, j] = at;
    const layer = t.layers[L];
    if (layer.role === 'output') {
      const error = printedAs(t.error[j]);
      return cancels(t) || !layer.derivative ? error : error * printedAs(layer.derivative[j]);
    }
    const above = t.layers[L + 1];
    const sum = above.delta.reduce((s, dk, k) => s + above.before.weights[j][k] * dk, 0);
    return printedAs(sum) * printedAs(layer.derivative![j]);
  }
  if (kind === 'dw') {
    const [L, i, j] = at;
    return η * printedAs(t.layers[L].delta[j]) * printedAs(t.layers[L].input[i]);
  }
  return η * printedAs(t.layers[at[0]].delta[at[1]]);
}

/** A likely slip and what to say when the typed number is its result: "left out η", say. */
export interface Slip {
  value: number;
  note: string;
}

/** The value cut off (not rounded) to `digits` significant digits: 0.11503 to two is 0.11. */
function truncated(value: number, digits: number): number {
  const scale = 10 ** (Math.floor(Math.log10(Math.abs(value))) - digits + 1);
  return Number((Math.trunc(value / scale + 1e-9 * Math.sign(value)) * scale).toPrecision(digits));
}

/**
 * Why a typed number is not the answer, in a few words, without giving the answer away: not a number; the sign; one
 * digit only; the last digit cut off rather than rounded, or off by one; one of the given slips (a factor left out),
 * with or without the sign; the decimal point in the wrong place. Returns null when the typed value is right.
 */
export function diagnose(typed: string, value: number, printed?: string, slips: readonly Slip[] = [], asShown?: number): string | null {
  if (accepts(typed, value, printed, asShown)) return null;
  const n = parseAnswer(typed);
  if (!Number.isFinite(n)) return 'type a number, e.g. 0.12 or −0.003 (a decimal comma is fine)';
  const flipped = typed.trim().startsWith('-') || /^[−–—]/.test(typed.trim()) ? typed.trim().replace(/^[-−–—]/, '') : `-${typed.trim()}`;
  if (value !== 0 && accepts(flipped, value, printed, asShown)) return 'the size is right but the sign is wrong';
  const digits = significant(typed);
  if (value !== 0 && digits < 2 && Number(value.toPrecision(1)) === n) return 'right to one digit: give two or more';
  if (value !== 0 && n !== 0 && Math.sign(n) === Math.sign(value)) {
    if (digits >= 2 && truncated(value, digits) === n) return `close, but the last digit is cut off, not rounded: round to ${digits} digits`;
    // With one digit there is no "close": 0.2 for 0.115 is off by three quarters.
    const unit = 10 ** (Math.floor(Math.log10(Math.abs(n))) - digits + 1);
    if (digits >= 2 && Math.abs(n - value) <= 1.5 * unit && Math.abs(n - value) > 0.5 * unit) return 'close: the last digit is off; check the rounding';
  }
  for (const slip of slips) {
    if (slip.value !== 0 && !accepts(String(value), slip.value) && accepts(typed, slip.value)) return slip.note;
  }
  for (const slip of slips) {
    if (slip.value !== 0 && !accepts(String(value), slip.value) && accepts(flipped, slip.value)) return `${slip.note}, and the sign is wrong`;
  }
  // The digits right and the point in the wrong place (a zero too many after it, say): 1.15 or 0.0115 for 0.115.
  for (let k = -6; k <= 6; k++) {
    if (k === 0 || n === 0) continue;
    if (accepts((n * 10 ** k).toPrecision(digits), value, printed, asShown)) {
      const times = `${(10 ** Math.abs(k)).toLocaleString('en')} times`;
      return `the digits are right but the decimal point is off: that is ${times} too ${k > 0 ? 'small' : 'large'}`;
    }
  }
  return 'not quite: try again, or ask for a hint';
}

/** The value a question asks for. */
export function questionValue(t: UpdateTrace, key: string): number {
  const [kind, ...at] = key.split(':').map((p, i) => (i === 0 ? p : Number(p))) as [string, ...number[]];
  if (kind === 'error') return t.error[at[0]];
  if (kind === 'delta') return t.layers[at[0]].delta[at[1]];
  if (kind === 'dw') return t.layers[at[0]].deltaW[at[1]][at[2]];
  return t.layers[at[0]].deltaB![at[1]];
}

/** Every question of a trace, in the seeds' order: the error, δᵒ, each δʰ from the top, each step. */
export function questionKeys(t: UpdateTrace): string[] {
  const top = t.layers.length - 1;
  return [
    ...t.error.map((_, k) => `error:${k}`),
    ...t.layers[top].delta.map((_, k) => `delta:${top}:${k}`),
    ...[...t.layers].reverse().slice(1).flatMap((l) => l.delta.map((_, j) => `delta:${l.layer}:${j}`)),
    ...[...t.layers].reverse().flatMap((l) => [...l.deltaW.flatMap((row, i) => row.map((_, j) => `dw:${l.layer}:${i}:${j}`)), ...(l.deltaB ?? []).map((_, j) => `db:${l.layer}:${j}`)]),
  ];
}

/** Whether the output's f′(h) cancels against the loss: a sigmoid output with cross-entropy, softmax with categorical cross-entropy. */
export const cancels = (t: UpdateTrace): boolean => (t.loss === 'binary-cross-entropy' && t.layers[t.layers.length - 1].activation === 'sigmoid')
  || (t.loss === 'categorical-cross-entropy' && t.layers[t.layers.length - 1].activation === 'softmax');

/**
 * The slips a learner is likely to make on a question, with this point's numbers: δᵒ without f′(h), δʰ without f′(h)
 * or without the weight, a sigmoid's slope taken as a instead of a(1 − a), Δw without η, without x or without δ.
 */
export function slipsOf(t: UpdateTrace, key: string): Slip[] {
  const [kind, ...at] = key.split(':').map((p, i) => (i === 0 ? p : Number(p))) as [string, ...number[]];
  const η = t.learningRate;
  if (kind === 'error') {
    const k = at[0];
    return [{ value: t.target[k], note: 'that is y alone: subtract ŷ' }, { value: t.output[k], note: 'that is ŷ: the error is y − ŷ' }];
  }
  if (kind === 'delta') {
    const [L, j] = at;
    const layer = t.layers[L];
    const slope = layer.derivative?.[j];
    if (layer.role === 'output') {
      if (cancels(t) || slope === undefined) {
        return slope === undefined ? [] : [{ value: t.error[j] * slope, note: 'with this loss f′(h) cancels: δᵒ = y − ŷ, with no f′(h)' }];
      }
      const slips: Slip[] = [
        { value: t.error[j], note: 'that is y − ŷ: δᵒ also takes the output\'s slope f′(h)' },
        { value: slope, note: 'that is f′(h) alone: multiply it by y − ŷ' },
      ];
      if (layer.activation === 'sigmoid') slips.push({ value: t.error[j] * layer.a[j], note: 'a sigmoid\'s slope is ŷ(1 − ŷ), not ŷ' });
      return slips;
    }
    const above = t.layers[L + 1];
    const sum = above.delta.reduce((s, dk, k) => s + above.before.weights[j][k] * dk, 0);
    const slips: Slip[] = [{ value: sum, note: 'that is Σ W·δ alone: δʰ also takes this unit\'s slope f′(h)' }];
    if (slope !== undefined) {
      slips.push({ value: above.delta.reduce((s, dk) => s + dk, 0) * slope, note: 'left out the weights W between the two layers' });
      if (layer.activation === 'sigmoid') slips.push({ value: sum * layer.a[j], note: 'a sigmoid\'s slope is a(1 − a), not a' });
    }
    return slips;
  }
  if (kind === 'dw') {
    const [L, i, j] = at;
    const l = t.layers[L], δ = l.delta[j], x = l.input[i];
    return [
      { value: δ * x, note: 'left out η: Δw = η·δ·x' },
      { value: η * δ, note: 'left out x, the value the link carries: Δw = η·δ·x' },
      { value: η * x, note: 'left out δ: Δw = η·δ·x' },
    ];
  }
  const [L, j] = at;
  return [{ value: t.layers[L].delta[j], note: 'left out η: Δb = η·δ' }];
}
