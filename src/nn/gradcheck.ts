// Checks backpropagation against the definition of a derivative: every analytic ∂E/∂w is compared
// with the central finite difference (E(w + ε) − E(w − ε)) / 2ε, in float64 on a copy of the network.
import type { Matrix } from '../core/matrix.js';
import type { BatchInput } from './input.js';
import type { Network } from './network.js';

export interface GradientCheckOptions {
  /** The finite-difference step ε. Default 1e-6. */
  epsilon?: number;
  /** The largest relative error that passes. Default 1e-6. */
  tolerance?: number;
}

export interface ParameterCheck {
  layer: number;
  parameter: 'weights' | 'bias';
  /** Number of parameters compared. */
  count: number;
  maxAbsError: number;
  maxRelError: number;
  /** The parameter with the largest relative error: its position [row, column] and both gradients. */
  worst: { index: [number, number]; analytic: number; numeric: number };
}

export interface GradientCheckReport {
  checks: ParameterCheck[];
  /** The worst relative error over every parameter. */
  maxRelError: number;
  tolerance: number;
  epsilon: number;
  ok: boolean;
  /** Layers with a kinked activation (relu) that have a unit input within reach of the kink, where finite differences mislead. */
  nearKink: number[];
}

/**
 * |a − n| / max(|a|, |n|, 1e-7): relative where gradients are large enough to carry one, absolute
 * below that, since a difference quotient cannot resolve gradients near zero to many relative digits.
 */
export function relativeError(analytic: number, numeric: number): number {
  return Math.abs(analytic - numeric) / Math.max(Math.abs(analytic), Math.abs(numeric), 1e-7);
}

export function gradientCheck(net: Network, x: BatchInput, y: BatchInput, options: GradientCheckOptions = {}): GradientCheckReport {
  const epsilon = options.epsilon ?? 1e-6;
  const tolerance = options.tolerance ?? 1e-6;
  const copy = net.clone({ dtype: 'float64' });
  const input = copy.inputBatch(x);
  const target = copy.targetBatch(y, input.rows);
  const { buffers } = copy.pass(input, target);

  const nearKink: number[] = [];
  copy.layers.forEach((layer, l) => {
    if (layer.activation.kinked && buffers[l].h.data.some((h) => Math.abs(h) < 1e3 * epsilon)) nearKink.push(l);
  });

  const checks: ParameterCheck[] = [];
  copy.layers.forEach((layer, l) => {
    const params: [ParameterCheck['parameter'], Matrix | null, Matrix | null][] = [
      ['weights', layer.W, layer.gradW],
      ['bias', layer.b, layer.gradB],
    ];
    for (const [parameter, values, grads] of params) {
      if (!values || !grads) continue;
      const analytic = Float64Array.from(grads.data);
      const check: ParameterCheck = {
        layer: l, parameter, count: values.data.length, maxAbsError: 0, maxRelError: 0,
        worst: { index: [0, 0], analytic: analytic[0], numeric: NaN },
      };
      for (let i = 0; i < values.data.length; i++) {
        const w = values.data[i];
        values.data[i] = w + epsilon;
        const plus = copy.evaluateLoss(input, target);
        values.data[i] = w - epsilon;
        const minus = copy.evaluateLoss(input, target);
        values.data[i] = w;
        const numeric = (plus - minus) / (2 * epsilon);
        const abs = Math.abs(analytic[i] - numeric);
        const rel = relativeError(analytic[i], numeric);
        check.maxAbsError = Math.max(check.maxAbsError, abs);
        if (rel > check.maxRelError || Number.isNaN(check.worst.numeric)) {
          check.maxRelError = rel;
          check.worst = { index: [Math.floor(i / values.cols), i % values.cols], analytic: analytic[i], numeric };
        }
      }
      checks.push(check);
    }
  });
  const maxRelError = Math.max(...checks.map((c) => c.maxRelError));
  return { checks, maxRelError, tolerance, epsilon, ok: maxRelError <= tolerance, nearKink };
}
