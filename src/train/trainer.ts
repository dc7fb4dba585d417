// One gradient step on one batch, with the optimizer's state kept between steps: the body of fit's
// loop, and what a page (the playground) drives itself when it trains one epoch at a time.
import type { Matrix } from '../core/matrix.js';
import { BackpropError, checkOptions } from '../core/errors.js';
import type { DenseBuffers } from '../nn/dense.js';
import type { Network } from '../nn/network.js';
import { createOptimizer, type Optimizer, type OptimizerConfig, type OptimizerName } from './optimizers.js';

export interface TrainerOptions {
  /** Default 'sgd'. */
  optimizer?: OptimizerName | OptimizerConfig;
  /** Weight penalties l1 Σ|w| + l2 Σw² (biases are not penalised). */
  l1?: number;
  l2?: number;
  /** Scale the gradient down so its global norm (over every weight and bias) is at most this. */
  clipNorm?: number;
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
  readonly l1: number;
  readonly l2: number;
  readonly clipNorm: number;

  constructor(readonly network: Network, options: TrainerOptions = {}) {
    options = checkOptions(options, ['optimizer', 'l1', 'l2', 'clipNorm'], 'Trainer options');
    this.optimizer = createOptimizer(options.optimizer ?? 'sgd');
    this.l1 = nonNegative(options.l1, 'l1');
    this.l2 = nonNegative(options.l2, 'l2');
    this.clipNorm = nonNegative(options.clipNorm, 'clipNorm');
    if (options.clipNorm !== undefined && !(this.clipNorm > 0)) throw new BackpropError('clipNorm: expected a positive number', 'clipNorm');
  }

  /** Hands the optimizer's state back to the backend (fit does this at its end); the next step starts afresh. */
  release(): void {
    this.optimizer.release(this.network.kernels);
  }

  /** True for the seeds' rule itself: sgd with no weight penalty. */
  get plainSgd(): boolean {
    return this.optimizer.name === 'sgd' && !this.l1 && !this.l2 && !this.clipNorm;
  }

  /** l1 Σ|w| + l2 Σw² over the weight matrices. */
  penalty(): number {
    const { l1, l2, network: net } = this;
    if (!l1 && !l2) return 0;
    let sum = 0;
    for (const p of net.parameters) {
      if (p.kind !== 'weights') continue;
      if (l1 > 0) sum += l1 * net.kernels.sumAbs(p.value);
      if (l2 > 0) sum += l2 * net.kernels.sumSquares(p.value);
    }
    return sum;
  }

  /**
   * Forward, backward and one optimizer step on a checked batch (see Network.inputBatch). Returns the
   * loss before the step, penalty included, and the layers' buffers; a loss that is not finite takes no step.
   */
  step(x: Matrix, y: Matrix, learningRate: number): { loss: number; buffers: readonly DenseBuffers[] } {
    const net = this.network;
    const pass = net.pass(x, y);
    const loss = pass.loss + this.penalty();
    if (!Number.isFinite(loss)) return { loss, buffers: pass.buffers };
    if (this.l1 || this.l2) {
      for (const p of net.parameters) if (p.kind === 'weights') net.kernels.addPenaltyGradient(p.value, p.grad, this.l1, this.l2);
    }
    if (this.clipNorm) this.clip();
    this.optimizer.step(net.kernels, net.parameters, learningRate);
    return { loss, buffers: pass.buffers };
  }

  /** g ← g · c/‖g‖ where the global norm ‖g‖ = √(Σ g²) over every parameter exceeds c. Answers ‖g‖ before. */
  clip(): number {
    const { kernels, parameters } = this.network;
    let sum = 0;
    for (const p of parameters) sum += kernels.sumSquares(p.grad);
    const norm = Math.sqrt(sum);
    if (norm > this.clipNorm) for (const p of parameters) kernels.axpy(this.clipNorm / norm - 1, p.grad, p.grad);
    return norm;
  }
}
