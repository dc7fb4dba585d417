// The data and network a playground state describes: seeded points, the chosen input features, the
// train/test split and the network spec. The page's worker and the end-to-end tests build them the same way.
import { generate, takeRows, trainTestSplit, type LayerWeights, type NetworkSpec } from '../../src/index.js';
import { lesson } from './lessons.js';
import type { FeatureName, State } from './state.js';

/** Points lie in about [−6, 6]²; features see them divided by 5, so tanh units start unsaturated. */
export const EXTENT = 6;
const SCALE = 5;

export const FEATURES: Record<FeatureName, { label: string; f: (x: number, y: number) => number }> = {
  x1: { label: 'x₁', f: (x) => x / SCALE },
  x2: { label: 'x₂', f: (_x, y) => y / SCALE },
  x1sq: { label: 'x₁²', f: (x) => (x / SCALE) ** 2 },
  x2sq: { label: 'x₂²', f: (_x, y) => (y / SCALE) ** 2 },
  x1x2: { label: 'x₁x₂', f: (x, y) => (x / SCALE) * (y / SCALE) },
  sinx1: { label: 'sin(x₁)', f: (x) => Math.sin(x) },
  sinx2: { label: 'sin(x₂)', f: (_x, y) => Math.sin(y) },
};

export function featurize(features: readonly FeatureName[], x: number, y: number): number[] {
  return features.map((name) => FEATURES[name].f(x, y));
}

const SUBSCRIPTS = '₀₁₂₃₄₅₆₇₈₉';
const subscript = (n: number): string => [...String(n)].map((d) => SUBSCRIPTS[Number(d)]).join('');

/** The names of the network's inputs: the chosen features, or in a lesson x₁, x₂, … */
export function inputNames(s: State): string[] {
  const l = lesson(s.lesson);
  return l ? l.x.map((_, i) => `x${subscript(i + 1)}`) : s.features.map((f) => FEATURES[f].label);
}

/** The network's inputs at a point (x, y) of the heat map's plane. */
export function inputsAt(s: State): (x: number, y: number) => number[] {
  const l = lesson(s.lesson);
  if (!l) return (x, y) => featurize(s.features, x, y);
  const held = l.x.slice(2);
  return (x, y) => [x / SCALE, y / SCALE, ...held].slice(0, l.x.length);
}

export interface Split {
  /** Raw point coordinates. */
  points: number[][];
  /** Network inputs: the chosen features of each point. */
  x: number[][];
  /** Targets: 0 or 1, or a value for regression. */
  y: number[][];
}

export interface Problem {
  task: 'classification' | 'regression';
  train: Split;
  test: Split;
}

export const SAMPLES = 400;

/** Mixes a press count (⟲ or Regenerate) into the seed, so each press is a new draw and the URL still reproduces it. */
function mix(seed: number, presses: number, salt: number): number {
  return presses ? (seed ^ Math.imul(presses, salt)) >>> 0 : seed;
}

/** The seed of the points and the split: the state's seed, mixed with the Regenerate count. */
export function dataSeed(s: State): number {
  return mix(s.seed, s.regenerate, 0x85ebca6b);
}

export function makeProblem(s: State): Problem {
  const l = lesson(s.lesson);
  if (l) {
    // The lesson's one point, drawn where its first two inputs put it on the plane.
    const point = [l.x[0] * SCALE, (l.x[1] ?? 0) * SCALE];
    return { task: 'classification', train: { points: [point], x: [l.x], y: [l.y] }, test: { points: [], x: [], y: [] } };
  }
  const seed = dataSeed(s);
  const data = generate(s.dataset, { samples: SAMPLES, noise: s.noise, seed });
  const split = trainTestSplit(SAMPLES, { testFraction: 1 - s.trainRatio, seed });
  const part = (rows: number[]): Split => {
    const points = takeRows(data.x, rows);
    return { points, x: points.map(([x, y]) => featurize(s.features, x, y)), y: takeRows(data.y, rows) };
  };
  return { task: data.task, train: part(split.train), test: part(split.test) };
}

/** The seed of the initial weights: the state's seed, mixed with the restart count after each ⟲. */
export function weightSeed(s: State): number {
  return mix(s.seed, s.restart, 0x9e3779b1);
}

/** The output unit's activation: sigmoid under cross-entropy, the chosen one under squared error, linear for regression. */
export function outputActivation(s: State, task: Problem['task']): 'sigmoid' | 'tanh' | 'linear' {
  if (task === 'regression') return 'linear';
  return s.loss === 'cross-entropy' ? 'sigmoid' : s.output;
}

export function networkSpec(s: State, task: Problem['task']): NetworkSpec {
  const bias = s.biases;
  return {
    inputs: lesson(s.lesson)?.x.length ?? s.features.length,
    layers: [
      ...s.layers.map((units) => ({ units, activation: s.activation, bias })),
      { units: 1, activation: outputActivation(s, task), bias },
    ],
    loss: task === 'classification' && s.loss === 'cross-entropy' ? 'binary-cross-entropy' : 'mse',
    // A lesson computes in float64, so its full-precision numbers are the text's arithmetic exactly.
    ...(s.lesson ? { dtype: 'float64' as const } : {}),
    seed: weightSeed(s),
  };
}

/** The network a state describes, with a lesson's own starting weights. */
export function startingWeights(s: State): LayerWeights[] | null {
  return lesson(s.lesson)?.weights ?? null;
}
