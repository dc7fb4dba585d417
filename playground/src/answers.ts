// Exercise mode's judge: whether a number the learner typed is the value asked for, to the rounding shown.

/** Significant digits of a typed number ("0.00045" has 2, "1.50" has 3). */
export function significant(text: string): number {
  const mantissa = text.trim().replace(/^[+-]/, '').split(/e/i)[0].replace('.', '').replace(/^0+/, '');
  return Math.max(1, mantissa.length);
}

/**
 * Whether a typed value is the answer: within half a unit of the page's fourth significant digit; or, typed to
 * two or three significant digits, the answer rounded to those; or, in a lesson, the text's own rounding.
 */
export function accepts(typed: string, value: number, printed?: string): boolean {
  const n = Number(typed.trim().replace('−', '-'));
  if (typed.trim() === '' || !Number.isFinite(n)) return false;
  if (printed !== undefined && n === Number(printed)) return true;
  if (value === 0) return n === 0;
  const unit = 10 ** (Math.floor(Math.log10(Math.abs(value))) - 3);
  if (Math.abs(n - value) <= 0.5 * unit * (1 + 1e-9)) return true;
  const digits = significant(typed);
  return digits >= 2 && digits <= 3 && n === Number(value.toPrecision(digits));
}

