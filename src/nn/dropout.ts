// Inverted dropout (Srivastava et al., 2014): while training, each hidden unit's output is kept with probability
// 1 − p and then scaled by 1/(1 − p), or dropped to 0. The expected output of every unit is unchanged, so
// prediction needs no mask and no rescaling: dropout is simply off there.
//
// A mask m multiplies a layer's output, ã = a ⊙ m, and the layer above reads ã. Backward, the error term of the
// masked layer picks up the same factor, δ = (δ_above · Wᵀ) ⊙ f′(h) ⊙ m, and the weights above step by ãᵀδ.
// One mask per batch: fixed masks make the loss an ordinary function of the weights, which gradientCheck uses.
import { BackpropError } from '../core/errors.js';
import type { Matrix } from '../core/matrix.js';
import type { Random } from '../core/random.js';

/** One mask per layer, each of the layer's output shape (rows × units), or null where that layer has no dropout. */
export type DropoutMasks = readonly (Matrix | null)[];

/**
 * Dropout rates per layer from a single rate (every hidden layer) or one per hidden layer; the output layer
 * never drops. Rates are in [0, 1).
 */
export function dropoutRates(rates: number | readonly number[] | undefined, layers: number, field = 'dropout'): number[] {
  const hidden = layers - 1;
  if (rates === undefined) return new Array(layers).fill(0);
  const list = typeof rates === 'number' ? new Array(hidden).fill(rates) : rates;
  if (!Array.isArray(list) || list.length !== hidden) {
    throw new BackpropError(`${field}: expected one rate for every hidden layer or one per hidden layer (${hidden}), got ${Array.isArray(list) ? list.length : typeof rates}`, field);
  }
  list.forEach((p: unknown, l: number) => {
    if (!(typeof p === 'number' && p >= 0 && p < 1)) {
      throw new BackpropError(`${field}${typeof rates === 'number' ? '' : `[${l}]`}: expected a rate in [0, 1), got ${String(p)}`, field);
    }
  });
  return [...list, 0];
}

/** Fills a mask: each entry 1/(1 − p) with probability 1 − p, else 0. */
export function fillMask(mask: Matrix, p: number, random: Random): void {
  const keep = 1 - p, scale = 1 / keep, m = mask.data;
  for (let i = 0; i < m.length; i++) m[i] = random.next() < keep ? scale : 0;
}

/** out ← a ⊙ m, elementwise. */
export function applyMask(a: Matrix, m: Matrix, out: Matrix): void {
  const A = a.data, M = m.data, O = out.data;
  for (let i = 0; i < O.length; i++) O[i] = A[i] * M[i];
}

/** δ ← δ ⊙ m, elementwise. */
export function maskInPlace(delta: Matrix, m: Matrix): void {
  const D = delta.data, M = m.data;
  for (let i = 0; i < D.length; i++) D[i] *= M[i];
}
