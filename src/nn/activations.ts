// Activation functions, each with its derivative beside it and the weight initialisation that suits it.
// Element-wise ones run through kernels.map / mapBackward; softmax mixes a row, so it has its own kernels.
import { LEAKY_RELU_SLOPE, type ElementwiseFunction, type Kernels } from '../core/kernels.js';
import type { Matrix } from '../core/matrix.js';
import { unknownName } from '../core/errors.js';

export type ActivationName = 'sigmoid' | 'tanh' | 'relu' | 'leaky-relu' | 'linear' | 'softmax';
export const ACTIVATION_NAMES: readonly ActivationName[] = ['sigmoid', 'tanh', 'relu', 'leaky-relu', 'linear', 'softmax'];

/** Glorot/Xavier keeps the variance of sigmoid and tanh layers steady; He does so for the relu family, which zeroes half its inputs. */
export type InitScheme = 'glorot' | 'he';

export interface Activation {
  readonly name: ActivationName;
  readonly init: InitScheme;
  /** True where f′ jumps (relu's kink at 0): finite differences across it are meaningless. */
  readonly kinked: boolean;
  /** a = f(h) for a whole batch. */
  forward(k: Kernels, h: Matrix, a: Matrix): void;
  /** out = g ⊙ f′(h): carries an error g at the outputs back to the unit inputs h. */
  backward(k: Kernels, h: Matrix, a: Matrix, g: Matrix, out: Matrix): void;
  /** The scalar pair, for element-wise activations; softmax has none. */
  readonly scalar?: ElementwiseFunction;
}

export { LEAKY_RELU_SLOPE };

// σ(h) = 1 / (1 + e^−h), evaluated so that e^x never overflows: for h < 0 use e^h / (1 + e^h).
function sigmoid(h: number): number {
  if (h >= 0) return 1 / (1 + Math.exp(-h));
  const e = Math.exp(h);
  return e / (1 + e);
}

const scalars: Record<Exclude<ActivationName, 'softmax'>, ElementwiseFunction> = {
  // σ′(h) = σ(h)(1 − σ(h)), at most 0.25: the source of the vanishing gradient.
  sigmoid: { name: 'sigmoid', output: sigmoid, der: (_h, a) => a * (1 - a) },
  // tanh′(h) = 1 − tanh²(h)
  tanh: { name: 'tanh', output: Math.tanh, der: (_h, a) => 1 - a * a },
  // relu′(h) = 1 for h > 0, else 0
  relu: { name: 'relu', output: (h) => (h > 0 ? h : 0), der: (h) => (h > 0 ? 1 : 0) },
  // leaky-relu′(h) = 1 for h > 0, else the slope, so a unit that went negative can still learn.
  'leaky-relu': {
    name: 'leaky-relu',
    output: (h) => (h > 0 ? h : LEAKY_RELU_SLOPE * h),
    der: (h) => (h > 0 ? 1 : LEAKY_RELU_SLOPE),
  },
  // linear′(h) = 1
  linear: { name: 'linear', output: (h) => h, der: () => 1 },
};

function elementwise(name: Exclude<ActivationName, 'softmax'>, init: InitScheme, kinked: boolean): Activation {
  const f = scalars[name];
  return {
    name,
    init,
    kinked,
    scalar: f,
    forward: (k, h, a) => k.map(f, h, a),
    backward: (k, h, a, g, out) => k.mapBackward(f, h, a, g, out),
  };
}

const softmax: Activation = {
  name: 'softmax',
  init: 'glorot',
  kinked: false,
  // aₖ = e^hₖ / Σⱼ e^hⱼ
  forward: (k, h, a) => k.softmax(h, a),
  // outₖ = aₖ (gₖ − Σⱼ gⱼ aⱼ)
  backward: (k, _h, a, g, out) => k.softmaxBackward(a, g, out),
};

const activations: Record<ActivationName, Activation> = {
  sigmoid: elementwise('sigmoid', 'glorot', false),
  tanh: elementwise('tanh', 'glorot', false),
  relu: elementwise('relu', 'he', true),
  'leaky-relu': elementwise('leaky-relu', 'he', true),
  linear: elementwise('linear', 'glorot', false),
  softmax,
};

export function isActivationName(name: unknown): name is ActivationName {
  return typeof name === 'string' && (ACTIVATION_NAMES as readonly string[]).includes(name);
}

export function getActivation(name: unknown, field?: string): Activation {
  if (!isActivationName(name)) throw unknownName('activation', name, ACTIVATION_NAMES, field);
  return activations[name];
}
