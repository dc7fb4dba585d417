// Cross-validation: k folds (stratified by class for a classification), each held out once. For each fold the
// scaling is fitted on the other rows, a fresh network (same seed) trained on them, and the fold scored; the
// result is each fold's metrics and their mean ± standard deviation (over the folds, ddof 0 as numpy's std).
import { BackpropError, checkOptions } from '../core/errors.js';
import { describeFrame, encodeFrameInputs, encodeFrameTargets, type DataFrame } from '../data/frame.js';
import { stratifiedFolds } from '../data/split.js';
import { baggingFor, MODEL_OPTION_NAMES, OptionError, resolveOptions, type ModelOptions } from './options.js';
import { measure, planTraining, type Metrics } from './train.js';
import { toFrame, type TableData } from './table.js';

export interface CrossValidateOptions extends ModelOptions {
  /** Folds. Default 5. */
  folds?: number;
  target?: string | readonly string[];
  /** Names of a number[][]'s columns, and its targets. */
  features?: readonly string[];
  y?: ArrayLike<number | string>;
  /** Called as each fold is scored, with its number (from 1) and metrics. */
  onFold?: (fold: number, metrics: Metrics) => void;
  signal?: AbortSignal;
}

export interface CvResult {
  folds: { rows: number; metrics: Metrics }[];
  /** Mean and standard deviation (over the folds, ddof 0 as numpy's std) of each metric. */
  mean: Metrics;
  std: Metrics;
}

const CV_OPTION_NAMES = [...MODEL_OPTION_NAMES, 'folds', 'target', 'features', 'y', 'onFold', 'signal'] as const;

/** k-fold cross-validation; the folds are dealt by the seed, so every call with one seed uses the same. */
export async function crossValidate(data: TableData<object>, options: CrossValidateOptions = {}): Promise<CvResult> {
  const c = checkOptions(options, CV_OPTION_NAMES, 'options');
  if (c.onFold !== undefined && typeof c.onFold !== 'function') throw new OptionError(`onFold: expected a function, got ${typeof c.onFold}`, 'onFold');
  const o = resolveOptions(c);
  const frame: DataFrame = toFrame(data, { y: c.y, features: c.features, targetName: typeof c.target === 'string' ? c.target : undefined, ...(o.naValues ? { naValues: o.naValues } : {}) });
  const single = baggingFor(o, undefined) === 1;
  const modelOptions = Object.fromEntries(MODEL_OPTION_NAMES.filter((k) => c[k] !== undefined).map((k) => [k, c[k]])) as ModelOptions;
  const folds = c.folds ?? 5;
  if (!(Number.isInteger(folds) && folds >= 2)) throw new OptionError(`folds: expected an integer ≥ 2, got ${String(folds)}`, 'folds');
  const description = describeFrame(frame, (c.target ?? (c.y !== undefined ? 'y' : undefined)) as string | string[] | undefined, o.task, { missing: o.missing, keep: o.keep });
  if (folds > frame.rows) throw new OptionError(`folds: ${folds} folds need at least ${folds} rows; ${frame.source} has ${frame.rows}`, 'folds');
  const held = stratifiedFolds(frame.rows, folds, { seed: o.seed, stratify: description.classIndex ?? undefined });
  const results: CvResult['folds'] = [];
  for (const [k, test] of held.entries()) {
    if (c.signal?.aborted) break;
    const inFold = new Uint8Array(frame.rows);
    for (const r of test) inFold[r] = 1;
    const train = new Uint32Array(frame.rows - test.length);
    for (let r = 0, t = 0; r < frame.rows; r++) if (!inFold[r]) train[t++] = r;
    // A fold that trains on one class alone is what train refuses: the same rule, for every fold.
    const classIndex = description.classIndex;
    if (classIndex && description.target.task === 'classification' && (train.length === 0 || train.every((r) => classIndex[r] === classIndex[train[0]]))) {
      const only = train.length === 0 ? 'no rows' : `only one class (${JSON.stringify(description.target.classes[classIndex[train[0]]])})`;
      throw new BackpropError(`folds: fold ${k + 1} of ${folds} trains on ${only} of ${frame.source}'s ${frame.rows} rows; classification needs at least two classes in every fold (more rows, or fewer folds)`, 'folds');
    }
    // The fold's rows trained as train would train a table of just them: the same defaults, bagging included.
    // One network (bagging 1) trains on all of the fold's rows, as before bagging: no validation share.
    const plan = await planTraining(frame, { ...modelOptions, ...(single ? { validation: 0 } : {}) }, description, train);
    await plan.fit({ signal: c.signal });
    const net = plan.network, prep = plan.prep;
    const metrics = measure(net, prep, encodeFrameInputs(prep, frame, 'float32', test), encodeFrameTargets(prep, frame, 'float32', test).y);
    results.push({ rows: test.length, metrics });
    c.onFold?.(k + 1, metrics);
  }
  const keys = Object.keys(results[0]?.metrics ?? {}) as (keyof Metrics)[];
  const mean = {} as Metrics, std = {} as Metrics;
  for (const key of keys) {
    // A fold whose held-out target is constant has no R² (NaN): the mean is over the folds that have one.
    const values = results.map((r) => r.metrics[key]!).filter((v) => !Number.isNaN(v));
    const m = values.reduce((a, b) => a + b, 0) / values.length;
    mean[key] = m;
    std[key] = Math.sqrt(values.reduce((a, v) => a + (v - m) ** 2, 0) / values.length);
  }
  return { folds: results, mean, std };
}
