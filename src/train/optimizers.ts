// Optimizers: how a gradient becomes a weight step. sgd is the seeds' rule ΔW = −η ∂E/∂W; the others
// keep per-weight state (velocity, running averages), allocated once on the first step.
import { BackpropError, checkOptions, unknownName } from '../core/errors.js';
import { allocateFor, type Kernels } from '../core/kernels.js';
import { dtypeOf, type Matrix } from '../core/matrix.js';
import type { FlatParameters, Parameter, ParameterList } from '../nn/network.js';

export type OptimizerName = 'sgd' | 'momentum' | 'nesterov' | 'rmsprop' | 'adam' | 'adamw';
export const OPTIMIZER_NAMES: readonly OptimizerName[] = ['sgd', 'momentum', 'nesterov', 'rmsprop', 'adam', 'adamw'];

/** An optimizer by name, with its constants; anything left out takes the usual default. */
export type OptimizerConfig =
  | { name: 'sgd' }
  | { name: 'momentum' | 'nesterov'; momentum?: number }
  | { name: 'rmsprop'; rho?: number; epsilon?: number }
  | { name: 'adam'; beta1?: number; beta2?: number; epsilon?: number }
  /** Adam with decoupled weight decay: each step first shrinks the weights (not biases) by η·weightDecay·w. */
  | { name: 'adamw'; beta1?: number; beta2?: number; epsilon?: number; weightDecay?: number };

export interface Optimizer {
  readonly name: OptimizerName;
  /** Updates every parameter in place from its gradient, with step size η. */
  step(k: Kernels, parameters: readonly Parameter[], learningRate: number): void;
  /** Hands the state's memory back to the backend; a later step starts from fresh (zero) state. */
  release(k: Kernels): void;
}

/** Gives state matrices back to the backend that made them and forgets them. */
function releaseState(k: Kernels, ...states: Matrix[][]): void {
  for (const state of states) {
    for (const m of state) k.release?.(m);
    state.length = 0;
  }
}

/** The network's one block of parameters, where it has one (see FlatParameters): then one kernel call steps them all. */
function flatOf(parameters: readonly Parameter[]): FlatParameters | undefined {
  return (parameters as ParameterList).block;
}

/**
 * State for the parameters, made on first use where the backend keeps matrices: one matrix shaped like the network's
 * block where there is one, else one per parameter, shaped like it.
 */
function stateFor(k: Kernels, parameters: readonly Parameter[], state: Matrix[]): Matrix[] {
  const flat = flatOf(parameters);
  const shapes = flat ? [flat.values] : parameters.map((p) => p.value);
  if (state.length !== shapes.length || state.some((m, i) => m.data.length !== shapes[i].data.length)) {
    releaseState(k, state);
    // Grouped with the parameter list, which lives as long as its network.
    for (const m of shapes) state.push(allocateFor(k, m.rows, m.cols, dtypeOf(m), parameters));
  }
  return state;
}

/** Each (value, gradient) pair to step: the whole block in one, or each parameter. */
function pairs(parameters: readonly Parameter[]): readonly { value: Matrix; grad: Matrix }[] {
  const flat = flatOf(parameters);
  return flat ? [{ value: flat.values, grad: flat.grads }] : parameters;
}

function fraction(value: number | undefined, fallback: number, field: string): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !(v >= 0 && v < 1)) throw new BackpropError(`${field}: expected a number in [0, 1), got ${String(v)}`, field);
  return v;
}

function nonNegative(value: number | undefined, fallback: number, field: string): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v)) throw new BackpropError(`${field}: expected a number ≥ 0, got ${String(v)}`, field);
  return v;
}

function positive(value: number | undefined, fallback: number, field: string): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v)) throw new BackpropError(`${field}: expected a positive number, got ${String(v)}`, field);
  return v;
}

export function createOptimizer(config: OptimizerName | OptimizerConfig = 'sgd'): Optimizer {
  const c = (typeof config === 'string' ? { name: config } : config) as OptimizerConfig;
  if (typeof c !== 'object' || c === null) throw unknownName('optimizer', config, OPTIMIZER_NAMES, 'optimizer');
  const constants: Record<OptimizerName, string[]> = { sgd: [], momentum: ['momentum'], nesterov: ['momentum'], rmsprop: ['rho', 'epsilon'], adam: ['beta1', 'beta2', 'epsilon'], adamw: ['beta1', 'beta2', 'epsilon', 'weightDecay'] };
  if (OPTIMIZER_NAMES.includes(c.name)) checkOptions(c, ['name', ...constants[c.name]], 'optimizer');
  switch (c.name) {
    case 'sgd':
      // w −= η g
      return { name: 'sgd', step: (k, ps, lr) => pairs(ps).forEach((p) => k.axpy(-lr, p.grad, p.value)), release: () => {} };
    case 'momentum':
    case 'nesterov': {
      const mu = fraction(c.momentum, 0.9, 'optimizer.momentum');
      const nesterov = c.name === 'nesterov';
      const velocity: Matrix[] = [];
      return {
        name: c.name,
        step: (k, ps, lr) => {
          const v = stateFor(k, ps, velocity);
          pairs(ps).forEach((p, i) => k.momentumStep(p.value, p.grad, v[i], lr, mu, nesterov));
        },
        release: (k) => releaseState(k, velocity),
      };
    }
    case 'rmsprop': {
      const rho = fraction(c.rho, 0.9, 'optimizer.rho');
      const eps = positive(c.epsilon, 1e-7, 'optimizer.epsilon');
      const cache: Matrix[] = [];
      return {
        name: 'rmsprop',
        step: (k, ps, lr) => {
          const s = stateFor(k, ps, cache);
          pairs(ps).forEach((p, i) => k.rmspropStep(p.value, p.grad, s[i], lr, rho, eps));
        },
        release: (k) => releaseState(k, cache),
      };
    }
    case 'adam':
    case 'adamw': {
      const beta1 = fraction(c.beta1, 0.9, 'optimizer.beta1');
      const beta2 = fraction(c.beta2, 0.999, 'optimizer.beta2');
      const eps = positive(c.epsilon, 1e-8, 'optimizer.epsilon');
      // PyTorch's AdamW default, 0.01; decoupled from the gradient (Loshchilov & Hutter), so Adam's scaling
      // does not weaken it for weights with large gradients as it would an L2 term.
      const decay = c.name === 'adamw' ? nonNegative(c.weightDecay, 0.01, 'optimizer.weightDecay') : 0;
      const m: Matrix[] = [], v: Matrix[] = [];
      let t = 0;
      return {
        name: c.name,
        step: (k, ps, lr) => {
          t++;
          // w ← w − η·λ·w, then Adam's step, as PyTorch's AdamW orders them.
          if (decay > 0) {
            const flat = flatOf(ps);
            if (flat) k.axpy(-lr * decay, flat.weights, flat.weights);
            else for (const p of ps) if (p.kind === 'weights') k.axpy(-lr * decay, p.value, p.value);
          }
          const ms = stateFor(k, ps, m), vs = stateFor(k, ps, v);
          pairs(ps).forEach((p, i) => k.adamStep(p.value, p.grad, ms[i], vs[i], lr, beta1, beta2, eps, t));
        },
        release: (k) => {
          releaseState(k, m, v);
          t = 0;
        },
      };
    }
    default:
      throw unknownName('optimizer', (c as { name?: unknown }).name, OPTIMIZER_NAMES, 'optimizer');
  }
}
