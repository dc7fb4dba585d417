// Checks backpropagation against the definition of a derivative: every analytic ∂E/∂w is compared
// with a central finite difference of the loss, in float64 on a copy of the network.
import { BackpropError, checkOptions } from '../core/errors.js';
import type { Matrix } from '../core/matrix.js';
import type { BatchInput } from './input.js';
import type { Network, PassOptions } from './network.js';
import { Random } from '../core/random.js';
import { dropoutRates } from './dropout.js';

export interface GradientCheckOptions {
  /** The finite-difference step ε. Default 1e-3: the formula's error grows as ε⁶, its rounding noise as 1/ε. */
  epsilon?: number;
  /** The largest relative error that passes. Default 1e-6. */
  tolerance?: number;
  /**
   * Check a training pass with dropout: one rate for every hidden layer or one per hidden layer. One set of masks
   * is drawn (with seed) and held fixed for every evaluation of the loss, which makes the loss an ordinary,
   * differentiable function of the weights.
   */
  dropout?: number | readonly number[];
  /** Seed of the dropout masks. Default 1. */
  seed?: number;
  /** A weight per row, as class weights give: E = (1/N) Σₙ wₙ Eₙ. */
  rowWeights?: ArrayLike<number>;
  /**
   * At most this many parameters of each weight matrix and each bias are compared, spread evenly over it (every
   * k-th, from the first). Default: all of them. Each takes six passes over the rows, so a check of all costs the
   * square of the network's size: minutes for a 62-500-3 network, where 100 of each take seconds.
   */
  parameters?: number;
}

export interface ParameterCheck {
  layer: number;
  parameter: 'weights' | 'bias';
  /** Number of parameters compared. */
  count: number;
  /** Number of parameters the matrix has (more than count + skipped where `parameters` took a sample). */
  total: number;
  /** Parameters left out because a step of ε moved a relu-family unit across its kink, where no derivative exists. */
  skipped: number;
  maxAbsError: number;
  maxRelError: number;
  /** The parameter with the largest relative error: its position [row, column] and both gradients. */
  worst: { index: [number, number]; analytic: number; numeric: number } | null;
}

export interface GradientCheckReport {
  checks: ParameterCheck[];
  /** The worst relative error over every parameter compared. */
  maxRelError: number;
  tolerance: number;
  epsilon: number;
  ok: boolean;
  /** Total parameters left out at kinks. */
  skipped: number;
}

/**
 * |a − n| / max(|a|, |n|, floor). The difference quotient of E carries rounding noise of about
 * 1e-13·E (ε = 1e-3), so gradients below floor = 1e-6·max(1, E) are compared absolutely, not relatively.
 */
export function relativeError(analytic: number, numeric: number, floor = 1e-6): number {
  return Math.abs(analytic - numeric) / Math.max(Math.abs(analytic), Math.abs(numeric), floor);
}

/** Signs of the unit inputs of every kinked layer, to notice when a perturbation crosses a kink. */
function kinkSides(net: Network, buffers: readonly { h: Matrix }[]): (Uint8Array | null)[] {
  return net.layers.map((layer, l) => (layer.activation.kinked ? Uint8Array.from(buffers[l].h.data, (h) => (h > 0 ? 1 : 0)) : null));
}

function sameSides(a: (Uint8Array | null)[], b: (Uint8Array | null)[]): boolean {
  return a.every((sides, l) => sides === null || sides.every((s, i) => s === (b[l] as Uint8Array)[i]));
}

/**
 * The five-point central difference D(ε) = (E(−2ε) − 8E(−ε) + 8E(ε) − E(2ε)) / 12ε errs by c·ε⁴; taking it
 * at ε and ε/2 and extrapolating (Richardson), (16·D(ε/2) − D(ε)) / 15, cancels that term too. Tiny gradients
 * next to large higher derivatives need it. Losses are given at −2ε, −ε, −ε/2, ε/2, ε, 2ε.
 */
function derivative([m2, m1, mh, ph, p1, p2]: number[], epsilon: number): number {
  const coarse = (m2 - 8 * m1 + 8 * p1 - p2) / (12 * epsilon);
  const fine = (m1 - 8 * mh + 8 * ph - p1) / (6 * epsilon);
  return (16 * fine - coarse) / 15;
}

export function gradientCheck(net: Network, x: BatchInput, y: BatchInput, options: GradientCheckOptions = {}): GradientCheckReport {
  options = checkOptions(options, ['epsilon', 'tolerance', 'dropout', 'seed', 'rowWeights', 'parameters'], 'gradientCheck options');
  const most = options.parameters ?? Infinity;
  if (!(most === Infinity || (Number.isSafeInteger(most) && most >= 1))) throw new BackpropError(`parameters: expected a whole number from 1, got ${String(most)}`, 'parameters');
  const epsilon = options.epsilon ?? 1e-3;
  const tolerance = options.tolerance ?? 1e-6;
  const copy = net.clone({ dtype: 'float64' });
  const input = copy.inputBatch(x);
  const target = copy.targetBatch(y, input.rows);
  const rates = dropoutRates(options.dropout, copy.layers.length);
  const pass: PassOptions = {
    masks: rates.some((p) => p > 0) ? copy.dropoutMasks(input.rows, rates, new Random(options.seed ?? 1)) : undefined,
    rowWeights: options.rowWeights,
  };
  const base = copy.pass(input, target, true, pass);
  const baseline = kinkSides(copy, base.buffers);
  const floor = 1e-6 * Math.max(1, Math.abs(base.loss));

  // E at w + step, and whether every kinked unit stayed on its side.
  const lossAt = (values: Matrix, i: number, w: number, step: number): { loss: number; smooth: boolean } => {
    values.data[i] = w + step;
    const { loss, buffers } = copy.pass(input, target, false, pass);
    return { loss, smooth: sameSides(baseline, kinkSides(copy, buffers)) };
  };

  const checks: ParameterCheck[] = [];
  copy.layers.forEach((layer, l) => {
    const params: [ParameterCheck['parameter'], Matrix | null, Matrix | null][] = [
      ['weights', layer.W, layer.gradW],
      ['bias', layer.b, layer.gradB],
    ];
    for (const [parameter, values, grads] of params) {
      if (!values || !grads) continue;
      const analytic = Float64Array.from(grads.data);
      const total = values.data.length;
      const check: ParameterCheck = { layer: l, parameter, count: 0, total, skipped: 0, maxAbsError: 0, maxRelError: 0, worst: null };
      const compared = Math.min(total, most);
      for (let k = 0; k < compared; k++) {
        const i = Math.floor((k * total) / compared);
        const w = values.data[i];
        const samples = [-2, -1, -0.5, 0.5, 1, 2].map((m) => lossAt(values, i, w, m * epsilon));
        values.data[i] = w;
        if (!samples.every((s) => s.smooth)) {
          check.skipped++;
          continue;
        }
        const numeric = derivative(samples.map((s) => s.loss), epsilon);
        const rel = relativeError(analytic[i], numeric, floor);
        check.count++;
        check.maxAbsError = Math.max(check.maxAbsError, Math.abs(analytic[i] - numeric));
        if (check.worst === null || rel > check.maxRelError) {
          check.maxRelError = rel;
          check.worst = { index: [Math.floor(i / values.cols), i % values.cols], analytic: analytic[i], numeric };
        }
      }
      checks.push(check);
    }
  });
  const maxRelError = Math.max(0, ...checks.map((c) => c.maxRelError));
  const skipped = checks.reduce((sum, c) => sum + c.skipped, 0);
  return { checks, maxRelError, tolerance, epsilon, ok: maxRelError <= tolerance, skipped };
}
