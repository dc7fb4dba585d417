// One gradient step on one batch, with the optimizer's state kept between steps: the body of fit's
// loop, and what a page (the playground) drives itself when it trains one epoch at a time.
import type { Matrix } from '../core/matrix.js';
import { BackpropError, checkOptions } from '../core/errors.js';
import type { DenseBuffers } from '../nn/dense.js';
import type { Network } from '../nn/network.js';
import { Random } from '../core/random.js';
import { dropoutRates, fillMask, type DropoutMasks } from '../nn/dropout.js';
import { createOptimizer, type Optimizer, type OptimizerConfig, type OptimizerName } from './optimizers.js';

export interface TrainerOptions {
  /** Default 'sgd'. */
  optimizer?: OptimizerName | OptimizerConfig;
  /** Weight penalties l1 Σ|w| + l2 Σw² (biases are not penalised). */
  l1?: number;
  l2?: number;
  /** Scale the gradient down so its global norm (over every weight and bias) is at most this. */
  clipNorm?: number;
  /** Inverted dropout on the hidden layers' outputs: one rate for each, or a rate per hidden layer. */
  dropout?: number | readonly number[];
  /** Seed of the dropout masks. Default: the network's seed. */
  seed?: number;
}

function nonNegative(value: unknown, field: string): number {
  if (value === undefined) return 0;
  if (!(typeof value === 'number' && value >= 0 && Number.isFinite(value))) {
    throw new BackpropError(`${field}: expected a number ≥ 0, got ${String(value)}`, field);
  }
  return value;
}

export class Trainer {
  readonly optimizer: Optimizer;
  /** The weight penalties; `setPenalties` changes them between steps (the playground does, mid-training). */
  l1: number;
  l2: number;
  readonly clipNorm: number;
  /** Dropout rate of each layer's output (0 for none; the output layer's is always 0). */
  readonly dropout: readonly number[];
  private readonly random: Random;
  /** Masks by batch size (the full batch and the last, shorter one), refilled every step. */
  private readonly masks = new Map<number, DropoutMasks>();

  constructor(readonly network: Network, options: TrainerOptions = {}) {
    options = checkOptions(options, ['optimizer', 'l1', 'l2', 'clipNorm', 'dropout', 'seed'], 'Trainer options');
    this.dropout = dropoutRates(options.dropout, network.layers.length);
    this.random = new Random(options.seed ?? network.spec.seed);
    this.optimizer = createOptimizer(options.optimizer ?? 'sgd');
    this.l1 = nonNegative(options.l1, 'l1');
    this.l2 = nonNegative(options.l2, 'l2');
    this.clipNorm = nonNegative(options.clipNorm, 'clipNorm');
    if (options.clipNorm !== undefined && !(this.clipNorm > 0)) throw new BackpropError('clipNorm: expected a positive number', 'clipNorm');
  }

  /** New weight penalties from the next step on; the optimizer keeps its state. */
  setPenalties(penalties: { l1?: number; l2?: number }): void {
    penalties = checkOptions(penalties, ['l1', 'l2'], 'setPenalties');
    const l1 = nonNegative(penalties.l1, 'l1'), l2 = nonNegative(penalties.l2, 'l2');
    this.l1 = l1;
    this.l2 = l2;
  }

  /** Hands the optimizer's state back to the backend (fit does this at its end); the next step starts afresh. */
  release(): void {
    this.optimizer.release(this.network.kernels);
    for (const masks of this.masks.values()) this.releaseMasks(masks);
    this.masks.clear();
  }

  private releaseMasks(masks: DropoutMasks): void {
    for (const m of masks) if (m) this.network.kernels.release?.(m);
  }

  /** Whether any layer drops units. */
  get dropsUnits(): boolean {
    return this.dropout.some((p) => p > 0);
  }

  /** True for the seeds' rule itself: sgd with no weight penalty. */
  get plainSgd(): boolean {
    return this.optimizer.name === 'sgd' && !this.l1 && !this.l2 && !this.clipNorm && !this.dropsUnits;
  }

  /**
   * Whether a step may take plain gradient descent's weight step inside the backward pass (see PassOptions.sgdStep):
   * sgd with no weight penalty and no clipping, which need the whole gradient first.
   */
  get stepsInPass(): boolean {
    return this.optimizer.name === 'sgd' && !this.l1 && !this.l2 && !this.clipNorm;
  }

  /** l1 Σ|w| + l2 Σw² over the weight matrices. */
  penalty(): number {
    const { l1, l2, network: net } = this;
    if (!l1 && !l2) return 0;
    const flat = net.parameters.block;
    // The weights as one run where the network keeps them so (one call each), else matrix by matrix.
    const weights = flat ? [flat.weights] : net.parameters.filter((p) => p.kind === 'weights').map((p) => p.value);
    let sum = 0;
    for (const w of weights) {
      if (l1 > 0) sum += l1 * net.kernels.sumAbs(w);
      if (l2 > 0) sum += l2 * net.kernels.sumSquares(w);
    }
    return sum;
  }

  /**
   * Forward, backward and one optimizer step on a checked batch (see Network.inputBatch), with fresh dropout
   * masks and the rows' weights if given. Returns the data's loss before the step, the weight penalty apart, and
   * the layers' buffers; a loss or penalty that is not finite takes no step. With `keepGradients` false, plain sgd
   * (stepsInPass) steps the weights inside the backward pass and leaves their gradients untaken (fit does, but for
   * an epoch's last batch and where a callback sees every batch); otherwise every gradient stays readable after.
   */
  step(x: Matrix, y: Matrix, learningRate: number, rowWeights?: ArrayLike<number>, keepGradients = true): { loss: number; penalty: number; buffers: readonly DenseBuffers[] } {
    const net = this.network;
    const inPass = !keepGradients && this.stepsInPass;
    const pass = net.pass(x, y, true, { masks: this.dropsUnits ? this.masksFor(x.rows) : undefined, rowWeights, sgdStep: inPass ? learningRate : undefined });
    const loss = pass.loss, penalty = this.penalty();
    if (!Number.isFinite(loss + penalty)) return { loss: loss + penalty, penalty, buffers: pass.buffers };
    if (inPass) return { loss, penalty, buffers: pass.buffers }; // the pass took the step
    if (this.l1 || this.l2) {
      const flat = net.parameters.block;
      if (flat) net.kernels.addPenaltyGradient(flat.weights, flat.weightGrads, this.l1, this.l2);
      else for (const p of net.parameters) if (p.kind === 'weights') net.kernels.addPenaltyGradient(p.value, p.grad, this.l1, this.l2);
    }
    if (this.clipNorm) this.clip();
    this.optimizer.step(net.kernels, net.parameters, learningRate);
    return { loss, penalty, buffers: pass.buffers };
  }

  private masksFor(rows: number): DropoutMasks {
    let masks = this.masks.get(rows);
    if (masks) {
      masks.forEach((m, l) => m && fillMask(m, this.dropout[l], this.random));
      return masks;
    }
    if (this.masks.size >= 2) {
      // Batches of ever new sizes (from a stream) keep only the two latest sizes' masks.
      const oldest = this.masks.keys().next().value as number;
      this.releaseMasks(this.masks.get(oldest)!);
      this.masks.delete(oldest);
    }
    masks = this.network.dropoutMasks(rows, this.dropout, this.random);
    this.masks.set(rows, masks);
    return masks;
  }

  /** g ← g · c/‖g‖ where the global norm ‖g‖ = √(Σ g²) over every parameter exceeds c. Answers ‖g‖ before. */
  clip(): number {
    const { kernels, parameters } = this.network;
    const grads = parameters.block ? [parameters.block.grads] : parameters.map((p) => p.grad);
    let sum = 0;
    for (const g of grads) sum += kernels.sumSquares(g);
    const norm = Math.sqrt(sum);
    if (norm > this.clipNorm) for (const g of grads) kernels.axpy(this.clipNorm / norm - 1, g, g);
    return norm;
  }
}
