// Messages between the page and its training worker.
import type { LayerWeights, UpdateTrace } from '../../src/index.js';
import type { State } from './state.js';
import type { TableSource } from './tables.js';

export type ToWorker =
  /**
   * A new network; with `table`, the file a table data set reads (the worker reads it as the page did). `run`
   * numbers the resets: every message back carries the run it belongs to.
   */
  | { type: 'reset'; run: number; state: State; table?: TableSource }
  /** Settings that apply from the next step on, without a new network: η and the weight penalty. */
  | { type: 'settings'; state: State }
  /** Another plane for the heat maps (a table's pair of inputs, or its projection): the same network, drawn anew. */
  | { type: 'view'; state: State }
  | { type: 'play' }
  | { type: 'pause' }
  /** Train one epoch. */
  | { type: 'step' }
  /** Trace one update on training point `index` (or, with `point`, on the learner's own point) without applying it ... */
  | { type: 'trace'; index: number; point?: TracedPoint }
  /** ... then apply it. */
  | { type: 'apply'; index: number; point?: TracedPoint }
  /** Set one weight (`from` a row of layer `layer`'s matrix) or, with from = 'bias', one bias. */
  | { type: 'edit'; layer: number; from: number | 'bias'; to: number; value: number }
  /** One backward pass over the training data on a fresh deep network per activation: the vanishing gradient. */
  | { type: 'compare'; layers: number[]; activations: string[] };

/** A point the learner typed: the network's inputs and the target. Its index is CUSTOM_POINT. */
export interface TracedPoint {
  x: number[];
  y: number[];
}
export const CUSTOM_POINT = -1;

export interface Snapshot {
  type: 'update';
  /** Why it was sent: only a reset and a finished epoch are points of the loss curves. */
  reason: 'reset' | 'epoch' | 'pause' | 'apply' | 'edit' | 'settings' | 'view';
  epoch: number;
  trainLoss: number;
  testLoss: number;
  /** The network's output over the GRID×GRID input plane, row by row from the top. */
  output: Float32Array;
  /** Each hidden layer's unit outputs over the grid: [layer] → GRID×GRID×units, unit-major per cell. */
  hidden: Float32Array[];
  weights: LayerWeights[];
  /** ‖∂E/∂W‖ per layer from the last batch. */
  gradientNorms: number[];
  playing: boolean;
  /** A classified table's accuracy: the training rows, the test rows, all rows, and each class over all rows. */
  accuracy: ClassAccuracy | null;
  /** A regression's R² and MAE in the target's units, as the library's evaluate gives them; null for classes. */
  regression: RegressionFit | null;
}

/** R² (null where the target is constant) and the mean absolute error, in the target's own units. */
export interface RegressionScore {
  r2: number | null;
  mae: number;
}

export interface RegressionFit {
  /** The target's name ('value' for a generated set). */
  target: string;
  train: RegressionScore;
  /** null where there are no test rows. */
  test: RegressionScore | null;
  all: RegressionScore;
}

export interface ClassAccuracy {
  train: number;
  test: number;
  all: number;
  /** Per class (in the order of the outputs): rows of the class, and how many of them the network gets right. */
  perClass: { rows: number; correct: number }[];
}

export interface Comparison {
  activation: string;
  /** ‖∂E/∂W‖ per weight layer, input side first. */
  norms: number[];
}

/**
 * What the worker reports, each with the `run` (the reset) it belongs to and how many of the page's messages it had
 * `taken` by then. Messages the worker posted before it took a reset arrive after the page has moved on to the new
 * network; the page drops them by their run. A report posted before the worker took the page's latest message (a
 * play, say) does not say whether it is playing now.
 */
export type FromWorker = { run: number; taken: number } & (
  | Snapshot
  | { type: 'trace'; index: number; point?: TracedPoint; trace: UpdateTrace }
  | { type: 'compare'; layers: number[]; results: Comparison[] }
  | { type: 'error'; message: string });

/** Cells per side of the heat maps over the input plane. */
export const GRID = 100;
