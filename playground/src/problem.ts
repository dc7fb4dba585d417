// The data and network a playground state describes: seeded points, the chosen input features, the
// train/test split and the network spec. The page's worker and the end-to-end tests build them the same way.
import { generate, takeRows, toRows, trainTestSplit, type LayerWeights, type NetworkSpec } from '../../src/index.js';
import { describeFrame, encodeFrameInputs, encodeFrameTargets, fitFramePreprocessing, type FrameDescription } from '../../src/data/frame.js';
import { BackpropError } from '../../src/core/errors.js';
import { inputNames as libraryInputNames, type Preprocessing } from '../../src/data/preprocessing.js';
import { splitRows } from '../../src/data/split.js';
import { lesson } from './lessons.js';
import { isTableSet, type FeatureName, type HiddenActivation, type State } from './state.js';
import { MAX_INPUTS, tableOf } from './tables.js';

/** Points lie in about [−6, 6]²; features see them divided by 5, so tanh units start unsaturated. */
export const EXTENT = 6;
const SCALE = 5;

/** Each feature as the network sees it, and the same as JavaScript over the point (x1, x2) for the exported code. */
export const FEATURES: Record<FeatureName, { label: string; f: (x: number, y: number) => number; code: string }> = {
  x1: { label: 'x₁', f: (x) => x / SCALE, code: `x1 / ${SCALE}` },
  x2: { label: 'x₂', f: (_x, y) => y / SCALE, code: `x2 / ${SCALE}` },
  x1sq: { label: 'x₁²', f: (x) => (x / SCALE) ** 2, code: `(x1 / ${SCALE}) ** 2` },
  x2sq: { label: 'x₂²', f: (_x, y) => (y / SCALE) ** 2, code: `(x2 / ${SCALE}) ** 2` },
  x1x2: { label: 'x₁x₂', f: (x, y) => (x / SCALE) * (y / SCALE), code: `(x1 / ${SCALE}) * (x2 / ${SCALE})` },
  sinx1: { label: 'sin(x₁)', f: (x) => Math.sin(x), code: 'Math.sin(x1)' },
  sinx2: { label: 'sin(x₂)', f: (_x, y) => Math.sin(y), code: 'Math.sin(x2)' },
};

export function featurize(features: readonly FeatureName[], x: number, y: number): number[] {
  return features.map((name) => FEATURES[name].f(x, y));
}

const SUBSCRIPTS = '₀₁₂₃₄₅₆₇₈₉';
const subscript = (n: number): string => [...String(n)].map((d) => SUBSCRIPTS[Number(d)]).join('');

/** The names of the network's inputs: the chosen features, a table's encoded columns, or in a lesson x₁, x₂, … */
export function inputNames(s: State, p: Problem | null = null): string[] {
  if (p?.table) return p.table.inputNames;
  const l = lesson(s.lesson);
  return l ? l.x.map((_, i) => `x${subscript(i + 1)}`) : s.features.map((f) => FEATURES[f].label);
}

/** The network's inputs at a point (x, y) of the heat map's plane (a table's: its plane, the rest at their means). */
export function inputsAt(s: State, p: Problem | null = null): (x: number, y: number) => number[] {
  if (p?.table) return p.table.at;
  const l = lesson(s.lesson);
  if (!l) return (x, y) => featurize(s.features, x, y);
  const held = l.x.slice(2);
  return (x, y) => [x, y, ...held].slice(0, l.x.length);
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
  /** The heat map's plane spans [−extent, extent]² (EXTENT for the generated sets). */
  extent: number;
  /** Output units: 1, or one per class for three classes or more (softmax). */
  outputs: number;
  /** For a table: what the library made of it, and the plane the heat map shows; null for the generated sets. */
  table: TableProblem | null;
}

export interface TableProblem {
  /** The file's name. */
  name: string;
  /** Its scaling, one-hot encoding and target, fitted on the training rows as backprop train fits them. */
  prep: Preprocessing;
  /** The network's inputs: a numeric column's name, or column=category for each one-hot input. */
  inputNames: string[];
  /** The class names in the order of the outputs (classification), else null. */
  classes: string[] | null;
  /** What the table layer found (as backprop train's plan says it): the missing values it fills, the columns left out. */
  description: Pick<FrameDescription, 'taskReason' | 'missing' | 'leftOut' | 'notDates' | 'mixed'>;
  /** The file's rows (0-based) that train and that test. */
  rows: { train: Uint32Array; test: Uint32Array };
  /** The heat map's axes: their names and what is held fixed. */
  xLabel: string;
  yLabel: string;
  note: string;
  /** The network's inputs at (x, y) of the plane. */
  at: (x: number, y: number) => number[];
}

export const SAMPLES = 400;
/** The largest 32-bit float, the network's storage. */
const FLOAT32_MAX = 3.4028234663852886e38;

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
    // The lesson's one point, drawn at its own inputs: the plane spans x₁ and x₂ themselves (as far as the data
    // sets' features reach, ±EXTENT / SCALE), so the map's axes read the lesson's numbers.
    const point = [l.x[0], l.x[1] ?? 0];
    return { task: 'classification', train: { points: [point], x: [l.x], y: [l.y] }, test: { points: [], x: [], y: [] }, extent: EXTENT / SCALE, outputs: 1, table: null };
  }
  if (isTableSet(s.dataset)) return tableProblem(s);
  const seed = dataSeed(s);
  const data = generate(s.dataset, { samples: SAMPLES, noise: s.noise, seed });
  const split = trainTestSplit(SAMPLES, { testFraction: 1 - s.trainRatio, seed });
  const part = (rows: number[]): Split => {
    const points = takeRows(data.x, rows);
    return { points, x: points.map(([x, y]) => featurize(s.features, x, y)), y: takeRows(data.y, rows) };
  };
  return { task: data.task, train: part(split.train), test: part(split.test), extent: EXTENT, outputs: 1, table: null };
}

/** A table with no file yet: one made-up row, so the page has something to draw until a file is read. */
const EMPTY: Problem = { task: 'classification', train: { points: [[0, 0]], x: [[0, 0]], y: [[0]] }, test: { points: [], x: [], y: [] }, extent: EXTENT, outputs: 1, table: null };

/**
 * A table as `backprop train` prepares it: the target column (the last by default), a seeded stratified split by
 * the training share, the scaling and one-hot encoding fitted on the training rows, the targets encoded (a class
 * index one-hot for softmax, 0/1 for two classes, a standardized value for regression).
 */
function tableProblem(s: State): Problem {
  const loaded = tableOf(s.dataset as 'iris' | 'digits' | 'upload');
  if (!loaded) return EMPTY;
  const { frame } = loaded;
  const names = frame.columns.map((c) => c.name);
  const description = describeFrame(frame, names.includes(s.target) ? s.target : undefined);
  // The split backprop train makes for --validation (1 − the training share): seeded, stratified by class.
  const rows = splitRows(frame.rows, { testFraction: Number((1 - s.trainRatio).toFixed(2)), seed: dataSeed(s), stratify: description.classIndex ?? undefined });
  // A file read with a decimal comma says so in the model file, so that backprop predict reads its data so too.
  const prep = { ...fitFramePreprocessing(description, frame, rows.train), ...(frame.decimalComma ? { decimalComma: true as const } : {}) };
  const target = prep.target!;
  const classes = target.task === 'classification' ? target.classes.map(String) : null;
  // The library's names: a column's, "column=category" for one-hot, "column (missing)" for a missing-value input, "column: year" for a date's part.
  const inputNames = libraryInputNames(prep.features);
  // The page draws every input and keeps every encoded row: a text column of identifiers would make thousands.
  if (inputNames.length > MAX_INPUTS) {
    const widest = prep.features.reduce((w, f) => (f.type === 'categorical' && f.categories.length > (w?.type === 'categorical' ? w.categories.length : 0) ? f : w), prep.features[0]);
    const why = widest.type === 'categorical' ? ` (the text column "${widest.name}" alone gives ${widest.categories.length}, one per distinct value)` : '';
    throw new BackpropError(`${loaded.source.name}: ${inputNames.length} inputs after encoding${why}; the playground takes at most ${MAX_INPUTS} (remove the column, choose another target, or train with backprop train)`);
  }
  const part = (r: Uint32Array): Split => {
    const x = toRows(encodeFrameInputs(prep, frame, 'float64', r)), y = toRows(encodeFrameTargets(prep, frame, 'float64', r).y);
    fitsFloat32(x, r, (j) => inputNames[j]);
    if (target.task === 'regression') fitsFloat32(y, r, () => target.name);
    return { points: [], x, y };
  };
  /**
   * The network computes in 32-bit numbers: a value the scaling fitted on the training rows takes past ±3.4e38 (a
   * test row's 1e308, say) would be Infinity there. Said like the table layer's messages, naming the line and column.
   */
  const fitsFloat32 = (values: number[][], r: Uint32Array, columnOf: (j: number) => string): void => {
    values.forEach((row, i) => row.forEach((v, j) => {
      if (Math.abs(v) <= FLOAT32_MAX) return;
      const name = columnOf(j), k = frame.columns.findIndex((c) => c.name === name);
      const raw = (frame.columns[k] as { values: Float64Array }).values[r[i]];
      throw new BackpropError(`${loaded.source.name}, ${frame.where(r[i])}, column ${k + 1} (${name}): ${raw} is too large for the network: standardized `
        + `with the training rows' scaling it is ${Number.isFinite(v) ? v.toPrecision(3) : 'beyond any 64-bit number'}, past the ±3.4e38 of its 32-bit numbers. Rescale the column or remove the row`);
    }));
  };
  const train = part(rows.train), test = part(rows.test);
  // The plane: two inputs with the others at their training means, or the first two principal components.
  const d = inputNames.length;
  const mean = Array.from({ length: d }, (_, j) => train.x.reduce((sum, x) => sum + x[j], 0) / train.x.length);
  let u: number[], v: number[], xLabel: string, yLabel: string, note: string;
  const [a, b] = s.axes.split(',').map(Number);
  if (s.axes === 'pca' && d >= 2) {
    [u, v] = principalComponents(train.x, mean);
    xLabel = 'principal component 1';
    yLabel = 'principal component 2';
    note = 'Projection: the plane of the training inputs\' first two principal components through their mean; each point is drawn at its projection, so the map is the network across that plane, not at the points exactly.';
  } else {
    const i = a < d ? a : 0, j = b < d && b !== i ? b : (i === 0 ? Math.min(1, d - 1) : 0);
    u = Array.from({ length: d }, (_, k) => (k === i ? 1 : 0));
    v = Array.from({ length: d }, (_, k) => (k === j && j !== i ? 1 : 0));
    xLabel = inputNames[i];
    yLabel = j !== i ? inputNames[j] : '(none)';
    // The one input left named ("the other input, z, is held at its mean"), several counted.
    const other = inputNames.find((_, k) => k !== i && k !== j);
    note = d > 3 ? `The map shows ${xLabel} across and ${yLabel} up (standardized); the other ${d - 2} inputs are held at their means.`
      : d === 3 ? `The map shows ${xLabel} across and ${yLabel} up (standardized); the other input, ${other}, is held at its mean.`
      : `The map shows ${xLabel} across and ${yLabel} up (standardized).`;
  }
  const project = (x: number[]): number[] => {
    let p = 0, q = 0;
    for (let k = 0; k < d; k++) {
      p += (x[k] - mean[k]) * u[k];
      q += (x[k] - mean[k]) * v[k];
    }
    return s.axes === 'pca' ? [p, q] : [p + mean[u.indexOf(1)], q + (v.includes(1) ? mean[v.indexOf(1)] : 0)];
  };
  train.points = train.x.map(project);
  test.points = test.x.map(project);
  // A loop, not a spread into Math.max: 50,000 rows would be 100,000 arguments, past the call stack's limit.
  let largest = 1;
  for (const points of [train.points, test.points]) for (const [p, q] of points) largest = Math.max(largest, Math.abs(p), Math.abs(q));
  const extent = Math.ceil(largest * 1.1 * 2) / 2;
  const pcaCentre = s.axes === 'pca';
  const at = (x: number, y: number): number[] => mean.map((m, k) => (pcaCentre ? m + x * u[k] + y * v[k] : u[k] ? x : v[k] ? y : m));
  return {
    task: target.task, train, test, extent, outputs: classes ? (classes.length === 2 ? 1 : classes.length) : 1,
    table: { name: loaded.source.name, prep, description, inputNames, classes, rows, xLabel, yLabel, note, at },
  };
}

/**
 * The map a table opens on, given its problem drawn with the first two inputs ('0,1'): those two, unless one of them
 * is the same in every training row (a date part of a single year, a digit's corner pixel), which would put every
 * point on one line; then the projection on the first two principal components, which spreads them.
 */
export function firstMap(p: Problem): string {
  const spread = (k: number): boolean => p.train.points.some((q) => q[k] !== p.train.points[0][k]);
  return !p.table || p.table.inputNames.length < 3 || (spread(0) && spread(1)) ? '0,1' : 'pca';
}

/** The first two principal components of rows about their mean, by power iteration on the covariance (deflated). */
export function principalComponents(x: number[][], mean: number[]): [number[], number[]] {
  const d = mean.length;
  const cov = Array.from({ length: d }, () => new Float64Array(d));
  for (const row of x) {
    for (let i = 0; i < d; i++) {
      const ci = row[i] - mean[i];
      if (ci === 0) continue;
      for (let j = 0; j < d; j++) cov[i][j] += ci * (row[j] - mean[j]);
    }
  }
  const components: number[][] = [];
  for (let c = 0; c < 2; c++) {
    let w = Array.from({ length: d }, (_, i) => 1 + i / d);
    for (let iter = 0; iter < 300; iter++) {
      // Deflate: remove the components already found.
      for (const p of components) {
        const dot = w.reduce((sum, wi, i) => sum + wi * p[i], 0);
        w = w.map((wi, i) => wi - dot * p[i]);
      }
      const next = cov.map((r) => r.reduce((sum, cij, j) => sum + cij * w[j], 0));
      for (const p of components) {
        const dot = next.reduce((sum, ni, i) => sum + ni * p[i], 0);
        for (let i = 0; i < d; i++) next[i] -= dot * p[i];
      }
      const norm = Math.hypot(...next) || 1;
      w = next.map((n) => n / norm);
    }
    // A sign fixed by the data: the largest entry positive.
    const k = w.reduce((best, wi, i) => (Math.abs(wi) > Math.abs(w[best]) ? i : best), 0);
    components.push(w[k] < 0 ? w.map((wi) => -wi) : w);
  }
  return components as [number[], number[]];
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

/** Each hidden layer's activation: its own, or the Activation menu's where a state has none for it. */
export const layerActivation = (s: State, l: number): HiddenActivation => s.activations?.[l] ?? s.activation;

export function networkSpec(s: State, task: Problem['task'], p: Problem | null = null): NetworkSpec {
  const bias = s.biases;
  const hidden = s.layers.map((units, l) => ({ units, activation: layerActivation(s, l), bias }));
  // A table's output and loss are the ones backprop train gives its target: the model file is then the CLI's own.
  if (p?.table) {
    const classes = p.table.classes;
    return {
      inputs: p.table.inputNames.length,
      layers: [...hidden, classes ? (classes.length === 2 ? { units: 1, activation: 'sigmoid', bias } : { units: classes.length, activation: 'softmax', bias }) : { units: 1, activation: 'linear', bias }],
      loss: classes ? (classes.length === 2 ? 'binary-cross-entropy' : 'categorical-cross-entropy') : 'mse',
      seed: weightSeed(s),
    };
  }
  return {
    inputs: lesson(s.lesson)?.x.length ?? s.features.length,
    layers: [
      ...hidden,
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
