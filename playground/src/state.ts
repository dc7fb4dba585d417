// Every setting of the playground in one object that round-trips through the URL's query string,
// so a link reproduces a run: the data, the network and the seed are all in it.
import type { ActivationName, OptimizerName } from '../../src/index.js';
import { lessonState } from './lessons.js';

export type DatasetName = 'circle' | 'xor' | 'gauss' | 'spiral' | 'plane' | 'multigauss' | TableSetName;
/** Data sets that are tables: the built-in examples, and the learner's own file ('upload', not kept in a link). */
export type TableSetName = 'iris' | 'digits' | 'upload';
export type HiddenActivation = Exclude<ActivationName, 'softmax'>;
export type FeatureName = 'x1' | 'x2' | 'x1sq' | 'x2sq' | 'x1x2' | 'sinx1' | 'sinx2';
export type Regularization = 'none' | 'l1' | 'l2';
/** The loss of a classification network: cross-entropy, or the seeds' squared error ½(y − ŷ)². */
export type LossChoice = 'cross-entropy' | 'squared';
/** The output unit's activation for classification with squared error (cross-entropy takes sigmoid). */
export type OutputActivation = 'sigmoid' | 'tanh' | 'linear';
export type LessonId = 'seed-example' | 'seed-exercise' | 'vanishing';

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
  /** The activation the Activation menu sets for every hidden layer (and a new layer takes). */
  activation: HiddenActivation;
  /** Each hidden layer's own activation (a menu on its header in the diagram); as long as `layers`. */
  activations: HiddenActivation[];
  /** A table's target column: '' for its last column. */
  target: string;
  /** What a table's heat map spans: two encoded inputs by index ("0,1"), or "pca": its first two principal components. */
  axes: string;
  /** η: any positive number up to MAX_LEARNING_RATE (the list offers presets). */
  learningRate: number;
  optimizer: OptimizerName;
  loss: LossChoice;
  output: OutputActivation;
  /** Whether every layer adds a bias b to h = Σ w·x + b (the seeds' worked examples have none). */
  biases: boolean;
  /** A lesson sets the network, its weights and its one point; null for the data sets. */
  lesson: LessonId | null;
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
export const TABLE_SETS: readonly TableSetName[] = ['iris', 'digits', 'upload'];
export const isTableSet = (d: DatasetName): d is TableSetName => (TABLE_SETS as readonly string[]).includes(d);
export const FEATURE_NAMES: readonly FeatureName[] = ['x1', 'x2', 'x1sq', 'x2sq', 'x1x2', 'sinx1', 'sinx2'];
export const ACTIVATIONS: readonly State['activation'][] = ['tanh', 'sigmoid', 'relu', 'leaky-relu', 'linear'];
export const OPTIMIZERS: readonly OptimizerName[] = ['sgd', 'momentum', 'nesterov', 'rmsprop', 'adam'];
export const LOSSES: readonly LossChoice[] = ['cross-entropy', 'squared'];
export const OUTPUTS: readonly OutputActivation[] = ['sigmoid', 'tanh', 'linear'];
export const LESSONS: readonly LessonId[] = ['seed-example', 'seed-exercise', 'vanishing'];
export const MAX_LEARNING_RATE = 100;
/** Below this, a step η·g (g about 1) cannot move a float32 weight of 0.1 (half its last digit is 6e-9): training would stand still. */
export const MIN_LEARNING_RATE = 1e-8;
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
  activations: ['tanh', 'tanh'],
  target: '',
  axes: '0,1',
  learningRate: 0.03,
  optimizer: 'sgd',
  loss: 'cross-entropy',
  output: 'sigmoid',
  biases: true,
  lesson: null,
  regularization: 'none',
  regularizationRate: 0,
  seed: 1,
  restart: 0,
  regenerate: 0,
  showTestData: false,
  discretize: false,
};

/** Whether a typed η is one the page takes: a positive number from MIN_LEARNING_RATE to MAX_LEARNING_RATE. */
export const validLearningRate = (n: number): boolean => Number.isFinite(n) && n >= MIN_LEARNING_RATE && n <= MAX_LEARNING_RATE;
/** What a learning rate must be, in the words of the page's messages. */
export const LEARNING_RATE_RANGE = `a number above 0, from ${MIN_LEARNING_RATE} to ${MAX_LEARNING_RATE}`;

/** Reads a query string; anything missing or out of range takes its default, so a hand-edited link still works. */
export function parseState(search: string): State {
  return readState(search).state;
}

/**
 * Reads a query string as parseState does, and lists what it replaced: a value out of range or unknown is
 * said on the page (a snapped slider value is not: it is the same setting, rounded to the slider's step).
 */
export function readState(search: string): { state: State; replaced: string[] } {
  const q = new URLSearchParams(search);
  const replaced: string[] = [];
  const refuse = <T>(key: string, expected: string, fallback: T): T => {
    replaced.push(`${key}=${q.get(key)} (expected ${expected}; used ${Array.isArray(fallback) ? fallback.join(',') : String(fallback)})`);
    return fallback;
  };
  function pick<T>(key: string, options: readonly T[], fallback: T): T {
    const value = q.get(key);
    if (value === null) return fallback;
    return options.find((o) => String(o) === value) ?? refuse(key, `one of ${options.join(', ')}`, fallback);
  }
  /**
   * A slider's value from the URL: a number is clamped to the slider's range and rounded to its step. Rounding keeps
   * the setting and goes unsaid; a number outside the range is another setting, and is said.
   */
  function slider(key: string, { min, max, step }: { min: number; max: number; step: number }, fallback: number): number {
    const value = q.get(key);
    const n = Number(value);
    if (value === null) return fallback;
    if (value.trim() === '' || !Number.isFinite(n)) return refuse(key, `a number from ${min} to ${max}`, fallback);
    const snapped = Number((min + Math.round((Math.min(max, Math.max(min, n)) - min) / step) * step).toFixed(2));
    return n < min || n > max ? refuse(key, `a number from ${min} to ${max}`, snapped) : snapped;
  }
  function number(key: string, lo: number, hi: number, fallback: number, integer = false): number {
    const value = q.get(key);
    if (value === null) return fallback;
    const n = Number(value);
    if (value === '' || !Number.isFinite(n) || n < lo || n > hi || (integer && !Number.isInteger(n))) {
      return refuse(key, `a ${integer ? 'whole ' : ''}number from ${lo} to ${hi}`, fallback);
    }
    return n;
  }
  const featureText = q.get('features');
  const features = (featureText ?? '').split(',').filter((f): f is FeatureName => FEATURE_NAMES.includes(f as FeatureName));
  const layersText = q.get('layers');
  const layers = layersText === null || layersText === '' ? [] : layersText.split(',').map(Number);
  const layersOk = layers.length <= MAX_LAYERS && layers.every((u) => Number.isInteger(u) && u >= 1 && u <= MAX_UNITS);
  const rate = q.get('learningRate');
  // The learner's own file is not in the link: a link to it opens the default data (said so).
  const dataset = q.get('dataset') === 'upload' ? refuse('dataset', 'a built-in data set (an uploaded file is not kept in a link)', DEFAULTS.dataset)
    : pick<DatasetName>('dataset', [...DATASETS, 'iris', 'digits'], DEFAULTS.dataset);
  const activation = pick('activation', ACTIVATIONS, DEFAULTS.activation);
  const state: State = {
    dataset,
    noise: slider('noise', SLIDERS.noise, DEFAULTS.noise),
    trainRatio: slider('trainRatio', SLIDERS.trainRatio, DEFAULTS.trainRatio),
    batchSize: slider('batchSize', SLIDERS.batchSize, DEFAULTS.batchSize),
    features: features.length ? [...new Set(features)]
      : featureText === null ? DEFAULTS.features : refuse('features', `a list of ${FEATURE_NAMES.join(', ')}`, DEFAULTS.features),
    layers: layersText === null ? DEFAULTS.layers
      : layersOk ? layers : refuse('layers', `up to ${MAX_LAYERS} layers of 1 to ${MAX_UNITS} units`, DEFAULTS.layers),
    activation,
    activations: [],
    target: isTableSet(dataset) ? q.get('target') ?? '' : DEFAULTS.target,
    axes: !isTableSet(dataset) || q.get('axes') === null ? DEFAULTS.axes
      : /^(pca|\d+,\d+)$/.test(q.get('axes')!) ? q.get('axes')! : refuse('axes', 'two input numbers like 0,1, or pca', DEFAULTS.axes),
    learningRate: rate === null ? DEFAULTS.learningRate
      : validLearningRate(Number(rate)) && rate.trim() !== '' ? Number(rate)
      : refuse('learningRate', LEARNING_RATE_RANGE, DEFAULTS.learningRate),
    optimizer: pick('optimizer', OPTIMIZERS, DEFAULTS.optimizer),
    loss: pick('loss', LOSSES, DEFAULTS.loss),
    output: pick('output', OUTPUTS, DEFAULTS.output),
    biases: pick('biases', ['true', 'false'], String(DEFAULTS.biases)) === 'true',
    lesson: pick<LessonId | null>('lesson', LESSONS, DEFAULTS.lesson),
    regularization: pick('regularization', ['none', 'l1', 'l2'] as const, DEFAULTS.regularization),
    regularizationRate: pick('regularizationRate', REGULARIZATION_RATES, DEFAULTS.regularizationRate),
    seed: number('seed', 0, MAX_SEED, DEFAULTS.seed, true),
    restart: number('restart', 0, 1e9, DEFAULTS.restart, true),
    regenerate: number('regenerate', 0, 1e9, DEFAULTS.regenerate, true),
    showTestData: q.get('showTestData') === 'true',
    discretize: q.get('discretize') === 'true',
  };
  // A target and a map's plane belong to a table; on the generated sets they mean nothing (a table's are checked when it is read).
  if (!isTableSet(state.dataset)) {
    for (const key of ['target', 'axes'] as const) if (q.get(key) !== null) replaced.push(`${key}=${q.get(key)} (only a table has a ${key === 'target' ? 'target column' : 'choice of map'}; ignored)`);
  }
  // Names that are no setting at all: a misspelling, most likely.
  const known = new Set<string>([...Object.keys(DEFAULTS), 'activations']);
  for (const key of new Set(q.keys())) if (!known.has(key)) replaced.push(`${key}=${q.get(key)} (not a setting of the page; ignored)`);
  // Each layer's activation: the list in the link where it fits the layers, else the Activation menu's for all.
  const perLayer = (q.get('activations') ?? '').split(',');
  state.activations = q.get('activations') !== null && perLayer.length === state.layers.length && perLayer.every((a) => ACTIVATIONS.includes(a as HiddenActivation))
    ? perLayer as HiddenActivation[]
    : (q.get('activations') !== null && state.layers.length > 0 ? refuse('activations', `${state.layers.length} of ${ACTIVATIONS.join(', ')}`, state.layers.map(() => activation)) : state.layers.map(() => activation));
  // A lesson's link sets its network; η may differ (it can be changed during the lesson).
  if (state.lesson) return { state: { ...lessonState(state, state.lesson), ...(rate !== null ? { learningRate: state.learningRate } : {}) }, replaced };
  return { state, replaced };
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
    ...(s.activations.some((a) => a !== s.activation) ? { activations: s.activations.join(',') } : {}),
    ...(isTableSet(s.dataset) && s.target ? { target: s.target } : {}),
    ...(isTableSet(s.dataset) && s.axes !== DEFAULTS.axes ? { axes: s.axes } : {}),
    learningRate: String(s.learningRate),
    optimizer: s.optimizer,
    ...(s.loss !== DEFAULTS.loss ? { loss: s.loss } : {}),
    ...(s.output !== DEFAULTS.output ? { output: s.output } : {}),
    ...(s.biases ? {} : { biases: 'false' }),
    ...(s.lesson ? { lesson: s.lesson } : {}),
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
