// The public API of backprop: everything a user imports comes from here.
export { BackpropError } from './core/errors.js';
export type { ElementwiseFunction, ElementwiseLoss, Kernels } from './core/kernels.js';
export {
  clone, dtypeOf, fromRows, get, row, rowSlice, rowVector, toRows, zeros,
  type DType, type FloatArray, type Matrix,
} from './core/matrix.js';
export { Random } from './core/random.js';
export { referenceKernels } from './core/reference.js';
export { ACTIVATION_NAMES, getActivation, type Activation, type ActivationName } from './nn/activations.js';
export { LOSS_NAMES, getLoss, type Loss, type LossName } from './nn/losses.js';
export { Dense, type DenseBuffers } from './nn/dense.js';
export type { BatchInput } from './nn/input.js';
export { Network, type LayerGradientNorm, type LayerWeights, type NetworkOptions } from './nn/network.js';
export { resolveSpec, type LayerSpec, type NetworkSpec, type ResolvedSpec } from './nn/spec.js';
export { traceUpdate, type LayerTrace, type TraceOptions, type UpdateTrace } from './nn/trace.js';
export {
  gradientCheck, relativeError,
  type GradientCheckOptions, type GradientCheckReport, type ParameterCheck,
} from './nn/gradcheck.js';
export { generate, SYNTHETIC_NAMES, type Dataset2D, type SyntheticName, type SyntheticOptions } from './data/synthetic.js';
