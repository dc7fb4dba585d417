// Messages between the page and its training worker.
import type { LayerWeights, UpdateTrace } from '../../src/index.js';
import type { State } from './state.js';

export type ToWorker =
  | { type: 'reset'; state: State }
  | { type: 'play' }
  | { type: 'pause' }
  /** Train one epoch. */
  | { type: 'step' }
  /** Trace one update on training point `index` without applying it ... */
  | { type: 'trace'; index: number }
  /** ... then apply it. */
  | { type: 'apply'; index: number };

export interface Snapshot {
  type: 'update';
  /** Why it was sent: only a reset and a finished epoch are points of the loss curves. */
  reason: 'reset' | 'epoch' | 'pause' | 'apply';
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
}

export type FromWorker =
  | Snapshot
  | { type: 'trace'; index: number; trace: UpdateTrace }
  | { type: 'error'; message: string };

export const GRID = 50;
