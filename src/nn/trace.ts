// A record of one backpropagation update on one example: every number in the seeds' four steps,
// layer by layer. The CLI's `explain` and the playground's step view both print this.
import { BackpropError, checkOptions } from '../core/errors.js';
import { row, toRows } from '../core/matrix.js';
import type { ActivationName } from './activations.js';
import type { LossName } from './losses.js';
import type { LayerWeights, Network } from './network.js';

export interface LayerTrace {
  /** 0-based position; the last layer is the output layer. */
  layer: number;
  role: 'hidden' | 'output';
  activation: ActivationName;
  /** V_in: the values entering the layer (x for the first layer, the layer below's a otherwise). */
  input: number[];
  /** hⱼ = Σᵢ wᵢⱼ V_inᵢ + bⱼ */
  h: number[];
  /** aⱼ = f(hⱼ); the output layer's a is ŷ. */
  a: number[];
  /** f′(hⱼ) for element-wise activations; null for softmax, whose derivative is a matrix. */
  derivative: number[] | null;
  /** δⱼ = −∂E/∂hⱼ: δᵒ = (y − ŷ) f′(h) at the output (for squared error), δʰⱼ = Σₖ Wⱼₖ δₖ f′(hⱼ) below. */
  delta: number[];
  /** ΔWᵢⱼ = η δⱼ V_inᵢ */
  deltaW: number[][];
  /** Δbⱼ = η δⱼ, or null without a bias. */
  deltaB: number[] | null;
  before: LayerWeights;
  after: LayerWeights;
}

export interface UpdateTrace {
  input: number[];
  target: number[];
  learningRate: number;
  loss: LossName;
  /** ŷ, the network's output before the update. */
  output: number[];
  /** y − ŷ: the network's error (step 1). */
  error: number[];
  /** E on this example before and after the update. */
  lossBefore: number;
  lossAfter: number;
  /** Layers from input to output; the output layer's delta is δᵒ, the others' are the hidden δʰ. */
  layers: LayerTrace[];
  /** Whether the network kept the updated weights. */
  applied: boolean;
}

export interface TraceOptions {
  /** η, the step size. */
  learningRate: number;
  /** Keep the updated weights in the network. Default false: the trace shows the update but leaves the network as it was. */
  apply?: boolean;
}

/** Runs one update of plain gradient descent on one example and records every intermediate value. */
export function traceUpdate(net: Network, x: readonly number[], y: readonly number[], options: TraceOptions): UpdateTrace {
  if (options === undefined) throw new BackpropError('traceUpdate: expected options with a learningRate, e.g. { learningRate: 0.5 }', 'learningRate');
  options = checkOptions(options, ['learningRate', 'apply'], 'traceUpdate options');
  const { learningRate } = options;
  if (typeof learningRate !== 'number' || !Number.isFinite(learningRate) || learningRate <= 0) {
    throw new BackpropError(`learningRate: expected a positive number, got ${String(learningRate)}`, 'learningRate');
  }
  if (!Array.isArray(x)) throw new BackpropError('input: expected an array of numbers', 'input');
  if (!Array.isArray(y)) throw new BackpropError('target: expected an array of numbers', 'target');
  const input = net.inputBatch([x]);
  const target = net.targetBatch([y], 1);
  const before = net.getWeights();
  const { loss: lossBefore, buffers } = net.pass(input, target);
  const last = net.layers.length - 1;

  const layers: LayerTrace[] = net.layers.map((layer, l) => {
    const buf = buffers[l];
    const h = row(buf.h, 0);
    const a = row(buf.a, 0);
    const scalar = layer.activation.scalar;
    // With one example, ∂E/∂W = −V_inᵀ·δ exactly, so ΔW = −η ∂E/∂W is the seeds' η δ V_in.
    const deltaW = toRows(layer.gradW).map((r) => r.map((g) => -learningRate * g));
    const deltaB = layer.gradB ? Array.from(layer.gradB.data, (g) => -learningRate * g) : null;
    return {
      layer: l,
      role: l === last ? 'output' : 'hidden',
      activation: layer.activation.name,
      input: l === 0 ? row(input, 0) : row(buffers[l - 1].a, 0),
      h,
      a,
      derivative: scalar ? h.map((hj, j) => scalar.der(hj, a[j])) : null,
      delta: row(buf.delta, 0),
      deltaW,
      deltaB,
      before: before[l],
      after: before[l], // filled in below, once the step is taken
    };
  });
  const output = layers[last].a;
  const error = output.map((p, j) => y[j] - p);

  net.applyGradients(learningRate);
  const after = net.getWeights();
  layers.forEach((t, l) => (t.after = after[l]));
  const lossAfter = net.evaluateLoss(input, target);
  if (!options.apply) net.setWeights(before);

  return {
    input: [...x],
    target: [...y],
    learningRate,
    loss: net.loss.name,
    output,
    error,
    lossBefore,
    lossAfter,
    layers,
    applied: options.apply === true,
  };
}
