// Permutation feature importance: a feature matters as much as the model's score drops when that one column is
// shuffled (breaking its link to the target while keeping its values), averaged over seeded repeats: accuracy for
// a classifier, R² for a regression, on the rows given.
import { Random } from '../core/random.js';
import type { Matrix } from '../core/matrix.js';
import { encodeFrameInputs, encodeFrameTargets, type DataFrame, type FrameColumn } from '../data/frame.js';
import { decodeValues, type Preprocessing } from '../data/preprocessing.js';
import type { Network } from '../nn/network.js';
import { regressionScores } from '../train/metrics.js';

export interface FeatureImportance {
  name: string;
  /** Baseline score minus the mean score with this column shuffled. */
  importance: number;
  /** Standard deviation of that drop over the repeats. */
  std: number;
  /** The score of each repeat. */
  scores: number[];
}

export interface ImportanceResult {
  metric: 'accuracy' | 'r2';
  baseline: number;
  repeats: number;
  /** Most important first. */
  features: FeatureImportance[];
}

function scorer(network: Network, prep: Preprocessing): (frame: DataFrame) => number {
  const classification = prep.target!.task === 'classification';
  return (frame) => {
    const outputs: Matrix = network.predict(encodeFrameInputs(prep, frame, network.dtype));
    const { y, classIndex } = encodeFrameTargets(prep, frame, network.dtype);
    if (!classification) return regressionScores(decodeValues(prep, y), decodeValues(prep, outputs)).r2;
    let correct = 0;
    for (let i = 0; i < frame.rows; i++) {
      // One sigmoid output: class 1 above 0.5; several: the largest, the first of equals (as predict decides).
      let best = 0;
      if (outputs.cols === 1) best = outputs.data[i] > 0.5 ? 1 : 0;
      else for (let k = 1; k < outputs.cols; k++) if (outputs.data[i * outputs.cols + k] > outputs.data[i * outputs.cols + best]) best = k;
      if (best === classIndex![i]) correct++;
    }
    return correct / frame.rows;
  };
}

/** The column with its rows in a seeded random order. */
function shuffled(column: FrameColumn, random: Random): FrameColumn {
  const order = random.shuffle(Uint32Array.from({ length: column.kind === 'numeric' ? column.values.length : column.codes.length }, (_, i) => i));
  return column.kind === 'numeric'
    ? { name: column.name, kind: 'numeric', values: Float64Array.from(order, (i) => column.values[i]) }
    : { name: column.name, kind: 'text', codes: Uint32Array.from(order, (i) => column.codes[i]), dictionary: column.dictionary };
}

export function permutationImportance(network: Network, prep: Preprocessing, frame: DataFrame, repeats: number, seed: number): ImportanceResult {
  const score = scorer(network, prep);
  const baseline = score(frame);
  const features = prep.features.map((f): FeatureImportance => {
    const j = frame.columns.findIndex((c) => c.name === f.name);
    const scores = Array.from({ length: repeats }, (_, r) => {
      // Each feature and repeat has its own seed, so adding a feature or a repeat changes no other's scores.
      const random = new Random(seed * 1000003 + r * 7919 + j + 1);
      const columns = frame.columns.map((c, k) => (k === j ? shuffled(c, random) : c));
      return score({ ...frame, columns, where: frame.where });
    });
    const drops = scores.map((s) => baseline - s);
    const importance = drops.reduce((a, b) => a + b, 0) / repeats;
    const std = Math.sqrt(drops.reduce((a, d) => a + (d - importance) ** 2, 0) / repeats);
    return { name: f.name, importance, std, scores };
  });
  features.sort((a, b) => b.importance - a.importance);
  return { metric: prep.target!.task === 'classification' ? 'accuracy' : 'r2', baseline, repeats, features };
}
