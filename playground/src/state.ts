// Every setting of the playground in one object that round-trips through the URL's query string,
// so a link reproduces a run: the data, the network and the seed are all in it.
import type { ActivationName, OptimizerName } from '../../src/index.js';

export type DatasetName = 'circle' | 'xor' | 'gauss' | 'spiral' | 'plane' | 'multigauss';
export type FeatureName = 'x1' | 'x2' | 'x1sq' | 'x2sq' | 'x1x2' | 'sinx1' | 'sinx2';
export type Regularization = 'none' | 'l1' | 'l2';

export interface State {
  dataset: DatasetName;
  /** 0 to 0.5 */
  noise: number;
  /** Share of the points used for training, 0.1 to 0.9. */
  trainRatio: number;
  batchSize: number;
  features: FeatureName[];
  /** Units per hidden layer. */
  layers: number[];
  activation: Exclude<ActivationName, 'softmax'>;
  learningRate: number;
  optimizer: OptimizerName;
  regularization: Regularization;
  regularizationRate: number;
  seed: number;
  /** How many times ⟲ was pressed: each press starts new random weights on the same data. */
  restart: number;
  /** How many times "Regenerate" was pressed: each press draws new points of the same data set. */
  regenerate: number;
  /** Draw the test points over the heat map too. */
  showTestData: boolean;
  /** Colour the output by its decision (class 0 or 1, or the value's sign) instead of shades. */
  discretize: boolean;
}

export const DATASETS: readonly DatasetName[] = ['circle', 'xor', 'gauss', 'spiral', 'plane', 'multigauss'];
export const FEATURE_NAMES: readonly FeatureName[] = ['x1', 'x2', 'x1sq', 'x2sq', 'x1x2', 'sinx1', 'sinx2'];
export const ACTIVATIONS: readonly State['activation'][] = ['tanh', 'sigmoid', 'relu', 'leaky-relu', 'linear'];
export const OPTIMIZERS: readonly OptimizerName[] = ['sgd', 'momentum', 'nesterov', 'rmsprop', 'adam'];
export const LEARNING_RATES = [0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
export const REGULARIZATION_RATES = [0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
export const MAX_LAYERS = 6;
/** Seeds are whole numbers from 0 to 2³² − 1 (the generator's 32-bit state). */
export const MAX_SEED = 2 ** 32 - 1;
/** The sliders' ranges and steps, which a URL's values are snapped to so slider, label and URL agree. */
export const SLIDERS = {
  trainRatio: { min: 0.1, max: 0.9, step: 0.1 },
  noise: { min: 0, max: 0.5, step: 0.05 },
  batchSize: { min: 1, max: 30, step: 1 },
} as const;
export const MAX_UNITS = 8;

export const DEFAULTS: State = {
  dataset: 'circle',
  noise: 0,
  trainRatio: 0.5,
  batchSize: 10,
  features: ['x1', 'x2'],
  layers: [4, 2],
  activation: 'tanh',
  learningRate: 0.03,
  optimizer: 'sgd',
  regularization: 'none',
  regularizationRate: 0,
  seed: 1,
  restart: 0,
  regenerate: 0,
  showTestData: false,
  discretize: false,
};

function pick<T>(value: string | null, options: readonly T[], fallback: T): T {
  return options.find((o) => String(o) === value) ?? fallback;
}

/** A slider's value from the URL: a number is clamped to the slider's range and rounded to its step. */
function slider(value: string | null, { min, max, step }: { min: number; max: number; step: number }, fallback: number): number {
  const n = Number(value);
  if (value === null || value === '' || !Number.isFinite(n)) return fallback;
  const snapped = min + Math.round((Math.min(max, Math.max(min, n)) - min) / step) * step;
  return Number(snapped.toFixed(2));
}

function number(value: string | null, lo: number, hi: number, fallback: number, integer = false): number {
  const n = Number(value);
  if (value === null || value === '' || !Number.isFinite(n) || n < lo || n > hi || (integer && !Number.isInteger(n))) return fallback;
  return n;
}

/** Reads a query string; anything missing or out of range takes its default, so a hand-edited link still works. */
export function parseState(search: string): State {
  const q = new URLSearchParams(search);
  const features = (q.get('features') ?? '').split(',').filter((f): f is FeatureName => FEATURE_NAMES.includes(f as FeatureName));
  const layersText = q.get('layers');
  const layers = layersText === null ? DEFAULTS.layers
    : layersText === '' ? []
    : layersText.split(',').map((u) => number(u, 1, MAX_UNITS, 0, true));
  return {
    dataset: pick(q.get('dataset'), DATASETS, DEFAULTS.dataset),
    noise: slider(q.get('noise'), SLIDERS.noise, DEFAULTS.noise),
    trainRatio: slider(q.get('trainRatio'), SLIDERS.trainRatio, DEFAULTS.trainRatio),
    batchSize: slider(q.get('batchSize'), SLIDERS.batchSize, DEFAULTS.batchSize),
    features: features.length ? [...new Set(features)] : DEFAULTS.features,
    layers: layers.length <= MAX_LAYERS && layers.every((u) => u > 0) ? layers : DEFAULTS.layers,
    activation: pick(q.get('activation'), ACTIVATIONS, DEFAULTS.activation),
    learningRate: pick(q.get('learningRate'), LEARNING_RATES, DEFAULTS.learningRate),
    optimizer: pick(q.get('optimizer'), OPTIMIZERS, DEFAULTS.optimizer),
    regularization: pick(q.get('regularization'), ['none', 'l1', 'l2'] as const, DEFAULTS.regularization),
    regularizationRate: pick(q.get('regularizationRate'), REGULARIZATION_RATES, DEFAULTS.regularizationRate),
    seed: number(q.get('seed'), 0, MAX_SEED, DEFAULTS.seed, true),
    restart: number(q.get('restart'), 0, 1e9, DEFAULTS.restart, true),
    regenerate: number(q.get('regenerate'), 0, 1e9, DEFAULTS.regenerate, true),
    showTestData: q.get('showTestData') === 'true',
    discretize: q.get('discretize') === 'true',
  };
}

export function serializeState(s: State): string {
  const q = new URLSearchParams({
    dataset: s.dataset,
    noise: String(s.noise),
    trainRatio: String(s.trainRatio),
    batchSize: String(s.batchSize),
    features: s.features.join(','),
    layers: s.layers.join(','),
    activation: s.activation,
    learningRate: String(s.learningRate),
    optimizer: s.optimizer,
    regularization: s.regularization,
    regularizationRate: String(s.regularizationRate),
    seed: String(s.seed),
    ...(s.restart ? { restart: String(s.restart) } : {}),
    ...(s.regenerate ? { regenerate: String(s.regenerate) } : {}),
    ...(s.showTestData ? { showTestData: 'true' } : {}),
    ...(s.discretize ? { discretize: 'true' } : {}),
  });
  return '?' + q.toString();
}
