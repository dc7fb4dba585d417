// `backprop cv <data> --folds K`: stratified k-fold cross-validation with train's options. Each fold's rows are
// held out once: preprocessing is fitted on the other rows, a fresh network (same seed) trained on them, and the
// held-out rows scored; the report is each fold's metrics and their mean ± standard deviation.
import { describeFrame, encodeFrameInputs, encodeFrameTargets, fitFramePreprocessing, type DataFrame } from '../data/frame.js';
import { stratifiedFolds } from '../data/split.js';
import { BackpropError } from '../core/errors.js';
import { fitAsync } from '../train/fit.js';
import { UsageError } from './errors.js';
import { loadFrame } from './data.js';
import { settle } from './defaults.js';
import { formatMetrics, measure, networkFor, trainingControls, type Metrics, type TrainOptions } from './train.js';

export type CvOptions = Omit<TrainOptions, 'validation' | 'earlyStopping' | 'out' | 'plot' | 'stream' | 'memory'> & { folds: number };

export interface CvResult {
  folds: { rows: number; metrics: Metrics }[];
  /** Mean and standard deviation (over the folds, ddof 0 as numpy's std) of each metric. */
  mean: Metrics;
  std: Metrics;
}

export async function crossValidate(data: string, o: CvOptions, onFold?: (fold: number, metrics: Metrics) => void): Promise<CvResult> {
  const frame = await loadFrame(data, { samples: o.samples, noise: o.noise, seed: o.seed }, { delimiter: o.delimiter, decimalComma: o.decimalComma });
  return crossValidateFrame(frame, o, onFold);
}

/** Cross-validation of data already read: the folds are dealt by o.seed, so every call with one seed uses the same. */
export async function crossValidateFrame(frame: DataFrame, o: CvOptions & { threads?: number }, onFold?: (fold: number, metrics: Metrics) => void): Promise<CvResult> {
  const description = describeFrame(frame, o.target, o.task);
  if (o.folds > frame.rows) throw new UsageError(`--folds: ${o.folds} folds need at least ${o.folds} rows; ${frame.source} has ${frame.rows}`, '--folds');
  const held = stratifiedFolds(frame.rows, o.folds, { seed: o.seed, stratify: description.classIndex ?? undefined });
  const results: CvResult['folds'] = [];
  for (const [k, test] of held.entries()) {
    const inFold = new Uint8Array(frame.rows);
    for (const r of test) inFold[r] = 1;
    const train = new Uint32Array(frame.rows - test.length);
    for (let r = 0, t = 0; r < frame.rows; r++) if (!inFold[r]) train[t++] = r;
    // A fold that trains on one class alone is what train refuses: the same rule, for every fold.
    if (description.classIndex && description.target.task === 'classification') {
      const classIndex = description.classIndex, first = classIndex[train[0]];
      if (train.length === 0 || train.every((r) => classIndex[r] === first)) {
        const only = train.length === 0 ? 'no rows' : `only one class (${JSON.stringify(description.target.classes[first])})`;
        throw new BackpropError(`--folds: fold ${k + 1} of ${o.folds} trains on ${only} of ${frame.source}'s ${frame.rows} rows; classification needs at least two classes in every fold (more rows, or fewer folds)`, '--folds');
      }
    }
    const prep = fitFramePreprocessing(description, frame, train);
    const net = await networkFor(prep, o);
    const x = encodeFrameInputs(prep, frame, 'float32', train), y = encodeFrameTargets(prep, frame, 'float32', train).y;
    const s = settle(o, train.length);
    await fitAsync(net, x, y, { epochs: s.epochs, batchSize: o.batchSize, seed: o.seed, learningRate: s.lr, ...trainingControls(s, prep) });
    const metrics = measure(net, prep, encodeFrameInputs(prep, frame, 'float32', test), encodeFrameTargets(prep, frame, 'float32', test).y);
    results.push({ rows: test.length, metrics });
    onFold?.(k, metrics);
  }
  const keys = Object.keys(results[0].metrics) as (keyof Metrics)[];
  const mean = {} as Metrics, std = {} as Metrics;
  for (const key of keys) {
    // A fold whose held-out target is constant has no R²: the mean is over the folds that have one.
    const values = results.map((r) => r.metrics[key]!).filter((v) => !Number.isNaN(v));
    const m = values.reduce((a, b) => a + b, 0) / values.length;
    mean[key] = m;
    std[key] = Math.sqrt(values.reduce((a, v) => a + (v - m) ** 2, 0) / values.length);
  }
  return { folds: results, mean, std };
}

export async function cvCommand(data: string, o: CvOptions & { json: boolean; quiet: boolean }, out: NodeJS.WritableStream): Promise<void> {
  const say = (line: string): void => {
    if (!o.json && !o.quiet) out.write(line + '\n');
  };
  say(`cv       ${data}: ${o.folds} stratified folds (seed ${o.seed}); each trains ${[...o.layers].join(',') || 'no hidden'} ${o.activation}${o.epochs ? ` for ${o.epochs} epochs` : ''}`);
  const result = await crossValidate(data, o, (k, m) => say(`fold ${String(k + 1).padStart(2)}  ${formatMetrics(m)}`));
  if (o.json) {
    out.write(JSON.stringify(result) + '\n');
    return;
  }
  const parts = (Object.keys(result.mean) as (keyof Metrics)[]).map((key) => {
    const [m, s] = [result.mean[key]!, result.std[key]!];
    if (key === 'r2' && Number.isNaN(m)) return 'R² undefined (constant target)';
    return key === 'accuracy' ? `accuracy ${(100 * m).toFixed(1)}% ± ${(100 * s).toFixed(1)}` : `${key === 'r2' ? 'R²' : key} ${m.toPrecision(4)} ± ${s.toPrecision(2)}`;
  });
  say(`mean     ${parts.join('  ')}`);
}
