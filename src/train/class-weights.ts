// Class weights for imbalanced classes: every row of class c counts w_c times in the loss,
// E = (1/N) Σₙ w_{c(n)} Eₙ, so its output error term is multiplied by w_{c(n)} too (see Network.pass).
import { BackpropError } from '../core/errors.js';
import type { Matrix } from '../core/matrix.js';
import type { Network } from '../nn/network.js';
import { classOf } from './metrics.js';

/**
 * 'balanced' gives class c the weight n / (k · n_c) for n rows in k classes (scikit-learn's rule: every class
 * then weighs as much in the loss, and the weights average 1 over the rows); or one weight per class, in the
 * order of the outputs (for one sigmoid output: class 0, then class 1).
 */
export type ClassWeight = 'balanced' | readonly number[];

/** Classes of a network's targets: its outputs, or 2 for a single sigmoid output. */
function classCount(net: Network): number {
  return net.outputs === 1 ? 2 : net.outputs;
}

/** The weight of each class, checked against the network; 'balanced' is computed from the targets y. */
export function classWeights(net: Network, spec: ClassWeight, y: Matrix | null, field = 'classWeight'): Float64Array {
  if (net.loss.name === 'mse') throw new BackpropError(`${field}: class weights are for classification (a cross-entropy loss); this network's loss is mse`, field);
  const k = classCount(net);
  if (spec === 'balanced') {
    if (!y) throw new BackpropError(`${field}: 'balanced' needs every row's class in advance; give one weight per class instead`, field);
    const counts = new Float64Array(k);
    for (let i = 0; i < y.rows; i++) counts[classOf(y, i)]++;
    // A class with no rows weighs nothing: no row would use its weight.
    return counts.map((c) => (c > 0 ? y.rows / (k * c) : 0));
  }
  if (!Array.isArray(spec) || spec.length !== k) {
    throw new BackpropError(`${field}: expected 'balanced' or ${k} weights, one per class, got ${Array.isArray(spec) ? `${spec.length}` : JSON.stringify(spec)}`, field);
  }
  spec.forEach((w: unknown, c: number) => {
    if (!(typeof w === 'number' && Number.isFinite(w) && w >= 0)) throw new BackpropError(`${field}[${c}]: expected a weight ≥ 0, got ${String(w)}`, field);
  });
  return Float64Array.from(spec);
}

/** Each row's weight: the weight of its target's class. */
export function rowWeights(weights: Float64Array, y: Matrix): Float64Array {
  return Float64Array.from({ length: y.rows }, (_, i) => weights[classOf(y, i)]);
}
