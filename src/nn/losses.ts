// Loss functions E(y, ŷ), each with the output error term δᵒ = −∂E/∂h it produces.
// E is summed over a row's outputs and averaged over the rows of a batch.
import type { ElementwiseLoss, Kernels } from '../core/kernels.js';
import type { Matrix } from '../core/matrix.js';
import { BackpropError, unknownName } from '../core/errors.js';
import type { Activation } from './activations.js';

export type LossName = 'mse' | 'binary-cross-entropy' | 'categorical-cross-entropy';
export const LOSS_NAMES: readonly LossName[] = ['mse', 'binary-cross-entropy', 'categorical-cross-entropy'];

/** Keeps log() away from 0 when a prediction saturates. */
const EPSILON = 1e-12;
const clamp = (p: number): number => (p < EPSILON ? EPSILON : p > 1 - EPSILON ? 1 - EPSILON : p);

export interface Loss {
  readonly name: LossName;
  /** Mean over the batch of E for each row. */
  value(k: Kernels, y: Matrix, yHat: Matrix, h: Matrix, output: Activation): number;
  /** δᵒ = −∂E/∂h for each row (the seeds' output error term); g is scratch of the output's shape. */
  outputDelta(k: Kernels, y: Matrix, yHat: Matrix, h: Matrix, output: Activation, g: Matrix, delta: Matrix): void;
  /** The output activations this loss works with, or undefined for any. */
  readonly outputs?: readonly string[];
  /** E of one output value, summed over a row's outputs to give the row's loss. */
  readonly elementwise: ElementwiseLoss;
}

// E = ½ (y − ŷ)², so −∂E/∂ŷ = y − ŷ: the seeds' network error.
const squaredError: ElementwiseLoss = {
  name: 'mse',
  value: (y, yHat) => 0.5 * (y - yHat) * (y - yHat),
  der: (y, yHat) => y - yHat,
};

// E = −[y log ŷ + (1 − y) log(1 − ŷ)], seed 002's error function, written in the sigmoid's input h
// as log(1 + e^h) − y·h, which stays exact where ŷ rounds to 0 or 1.
const binaryCrossEntropy: ElementwiseLoss = {
  name: 'binary-cross-entropy',
  value: (y, _yHat, h) => Math.max(h, 0) - h * y + Math.log1p(Math.exp(-Math.abs(h))),
  der: (y, yHat) => {
    const p = clamp(yHat);
    return y / p - (1 - y) / (1 - p);
  },
};

// E = −Σₖ yₖ log ŷₖ
const categoricalCrossEntropy: ElementwiseLoss = {
  name: 'categorical-cross-entropy',
  value: (y, yHat) => (y === 0 ? 0 : -y * Math.log(clamp(yHat))),
  der: (y, yHat) => y / clamp(yHat),
};

function meanOverRows(k: Kernels, e: ElementwiseLoss, y: Matrix, yHat: Matrix, h: Matrix): number {
  return k.lossSum(e, y, yHat, h) / y.rows;
}

/** δᵒ = (−∂E/∂ŷ) ⊙ f′(h): the general chain rule, for any output activation. */
function chainedDelta(k: Kernels, e: ElementwiseLoss, y: Matrix, yHat: Matrix, h: Matrix, output: Activation, g: Matrix, delta: Matrix): void {
  k.lossBackward(e, y, yHat, g);
  output.backward(k, h, yHat, g, delta);
}

const mse: Loss = {
  name: 'mse',
  elementwise: squaredError,
  value: (k, y, yHat, h) => meanOverRows(k, squaredError, y, yHat, h),
  // δᵒ = (y − ŷ) f′(h)
  outputDelta: (k, y, yHat, h, output, g, delta) => chainedDelta(k, squaredError, y, yHat, h, output, g, delta),
};

const binary: Loss = {
  name: 'binary-cross-entropy',
  elementwise: binaryCrossEntropy,
  // Only sigmoid: with softmax, 1 − ŷ would be computed by cancellation and lose its digits near 1.
  outputs: ['sigmoid'],
  value: (k, y, yHat, h) => meanOverRows(k, binaryCrossEntropy, y, yHat, h),
  // σ′ cancels the denominators of −∂E/∂ŷ: δᵒ = y − ŷ, exact even when σ saturates.
  outputDelta: (k, y, yHat, _h, _output, _g, delta) => k.sub(y, yHat, delta),
};

const categorical: Loss = {
  name: 'categorical-cross-entropy',
  elementwise: categoricalCrossEntropy,
  outputs: ['softmax', 'sigmoid'],
  value: (k, y, yHat, h) => meanOverRows(k, categoricalCrossEntropy, y, yHat, h),
  outputDelta: (k, y, yHat, h, output, g, delta) => {
    // With softmax and targets that sum to 1 per row, the Jacobian collapses to δᵒ = y − ŷ.
    if (output.name === 'softmax') k.sub(y, yHat, delta);
    else chainedDelta(k, categoricalCrossEntropy, y, yHat, h, output, g, delta);
  },
};

const losses: Record<LossName, Loss> = {
  mse,
  'binary-cross-entropy': binary,
  'categorical-cross-entropy': categorical,
};

export function isLossName(name: unknown): name is LossName {
  return typeof name === 'string' && (LOSS_NAMES as readonly string[]).includes(name);
}

export function getLoss(name: unknown, field?: string): Loss {
  if (!isLossName(name)) throw unknownName('loss', name, LOSS_NAMES, field);
  return losses[name];
}

/** Cross-entropy takes logs of ŷ and 1 − ŷ, so the output layer must produce values in (0, 1). */
export function checkLossFitsOutput(loss: Loss, output: Activation, field?: string): void {
  if (loss.outputs && !loss.outputs.includes(output.name)) {
    throw new BackpropError(
      `${field ? field + ': ' : ''}loss "${loss.name}" needs an output layer with values in (0, 1) ` +
        `(activation ${loss.outputs.join(' or ')}), but the output activation is "${output.name}"`,
      field,
    );
  }
}
