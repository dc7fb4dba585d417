// A model's scores on labelled rows, summed frame by frame so that data read in chunks needs bounded memory:
// loss, and accuracy, a confusion matrix and per-class precision/recall/F1, or, per target column, MSE, MAE and
// R² (the residuals with a running mean and variance of the target, Welford's way).
import { BackpropError } from '../core/errors.js';
import type { Matrix } from '../core/matrix.js';
import { encodeFrameInputs, encodeFrameTargets, newTally, type DataFrame, type EncodePolicy } from '../data/frame.js';
import { decodeValues, targetColumns, type Preprocessing } from '../data/preprocessing.js';
import type { Network } from '../nn/network.js';
import { evaluate } from '../train/fit.js';
import { classScores, classesOf, type ClassScores } from '../train/metrics.js';
import type { Label } from '../data/encoding.js';

export interface ClassificationReport {
  task: 'classification';
  rows: number;
  loss: number;
  accuracy: number;
  classes: Label[];
  /** confusion[true][predicted]: rows of each true class by the class predicted. */
  confusion: number[][];
  perClass: ClassScores[];
  /** Values the model never saw (encoded as all zeros), and missing values filled, by column. */
  unseen: Record<string, number>;
  missing: Record<string, number>;
  mse?: undefined;
  mae?: undefined;
  r2?: undefined;
  perTarget?: undefined;
}

export interface TargetScores {
  target: string;
  mse: number;
  mae: number;
  /** 1 − SSE/SST; undefined (null) when the target is constant in these rows, where R² has no meaning. */
  r2: number | null;
}

export interface RegressionReport {
  task: 'regression';
  rows: number;
  loss: number;
  mse: number;
  mae: number;
  /** Mean over the targets, as scikit-learn's uniform average; null when no target varies. */
  r2: number | null;
  /** Each target's scores, for a multi-output regression. */
  perTarget?: TargetScores[];
  /** Values the model never saw (encoded as all zeros), and missing values filled, by column. */
  unseen: Record<string, number>;
  missing: Record<string, number>;
  accuracy?: undefined;
  classes?: undefined;
  confusion?: undefined;
  perClass?: undefined;
}

export type EvaluationReport = ClassificationReport | RegressionReport;

/**
 * Every output finite, or an error: a model whose weights overflow must not give NaN and pass for a result. With the
 * frame the outputs came from, the row is named as the frame names it (a streamed chunk's rows by their place in the
 * file, not in the chunk).
 */
export function checkFinite(outputs: Matrix, source: string, frame?: Pick<DataFrame, 'source' | 'where'>): void {
  const bad = outputs.data.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) {
    const row = Math.floor(bad / outputs.cols);
    const at = frame ? [frame.source === source ? '' : frame.source, frame.where(row) || `row ${row + 1}`].filter(Boolean).join(', ') : `row ${row + 1}`;
    throw new BackpropError(`${source}: the network's output for ${at} is ${outputs.data[bad]}, not a finite number; ` +
      'its weights are too large for its dtype or the input is far outside the training data');
  }
}

/** Scores summed over frames: add each, then report. */
export class Evaluation {
  private rows = 0;
  private lossSum = 0;
  private readonly confusion: number[][];
  private readonly se: Float64Array;
  private readonly ae: Float64Array;
  private readonly mean: Float64Array;
  private readonly m2: Float64Array;

  private readonly tally = newTally();

  constructor(private readonly network: Network, private readonly prep: Preprocessing, private readonly modelSource = 'model', private readonly policy: Pick<EncodePolicy, 'unknown'> = {}) {
    if (!prep.target) throw new BackpropError(`${modelSource}: the model has no target description, so it cannot be evaluated on labelled data`);
    const target = prep.target;
    const k = target.task === 'classification' ? 0 : targetColumns(target).length;
    this.confusion = target.task === 'classification' ? target.classes.map(() => new Array<number>(target.classes.length).fill(0)) : [];
    [this.se, this.ae, this.mean, this.m2] = [0, 1, 2, 3].map(() => new Float64Array(k));
  }

  add(frame: DataFrame): void {
    const { network, prep } = this;
    const classification = prep.target!.task === 'classification';
    const x = encodeFrameInputs(prep, frame, network.dtype, undefined, undefined, { unknown: this.policy.unknown, tally: this.tally });
    const { y, classIndex } = encodeFrameTargets(prep, frame, network.dtype);
    const predictions = network.predict(x);
    checkFinite(predictions, this.modelSource, frame);
    const { loss } = evaluate(network, x, y, { accuracy: false });
    this.lossSum += loss * x.rows;
    if (classification && classIndex) {
      classesOf(predictions).forEach((p, i) => this.confusion[classIndex[i]][p]++);
    } else {
      const k = this.se.length;
      const truth = decodeValues(prep, y).data, guess = decodeValues(prep, predictions).data;
      for (let i = 0; i < x.rows; i++) {
        const n = this.rows + i + 1;
        for (let j = 0; j < k; j++) {
          const t = truth[i * k + j], d = t - guess[i * k + j];
          this.se[j] += d * d;
          this.ae[j] += Math.abs(d);
          const delta = t - this.mean[j];
          this.mean[j] += delta / n;
          this.m2[j] += delta * (t - this.mean[j]);
        }
      }
    }
    this.rows += x.rows;
  }

  report(): EvaluationReport {
    const { rows } = this;
    if (rows === 0) throw new BackpropError('evaluate: no rows to score');
    const target = this.prep.target!;
    const loss = this.lossSum / rows;
    if (target.task === 'classification') {
      const accuracy = this.confusion.reduce((sum, r, i) => sum + r[i], 0) / rows;
      return { task: 'classification', rows, loss, accuracy, classes: target.classes, confusion: this.confusion.map((r) => [...r]), perClass: classScores(this.confusion), ...this.met() };
    }
    const each: TargetScores[] = targetColumns(target).map((c, j) => ({
      target: c.name, mse: this.se[j] / rows, mae: this.ae[j] / rows, r2: this.m2[j] === 0 ? null : 1 - this.se[j] / this.m2[j],
    }));
    const average = (key: 'mse' | 'mae'): number => each.reduce((sum, e) => sum + e[key], 0) / each.length;
    const defined = each.filter((e) => e.r2 !== null);
    const r2 = defined.length ? defined.reduce((sum, e) => sum + e.r2!, 0) / defined.length : null;
    return { task: 'regression', rows, loss, mse: average('mse'), mae: average('mae'), r2, ...(each.length > 1 ? { perTarget: each } : {}), ...this.met() };
  }

  /** What encoding met so far: unseen values and missing values, by column. */
  private met(): { unseen: Record<string, number>; missing: Record<string, number> } {
    return { unseen: Object.fromEntries(this.tally.unseen), missing: Object.fromEntries(this.tally.missing) };
  }
}
