// A seeded random search over the network and its training, with successive halving. Every trial is scored by
// k-fold cross-validation (the same folds for all); the first rung trains each trial for a ninth of the epochs, the
// best third goes on to a third of them, and the best third of those to all of them. Trial 1, the defaults, trains by
// the default rule instead (as train does) and is scored once. Trials run through a runner: one at a time on this
// thread by default; backprop/node registers one that runs them on worker threads, one per core.
import { checkOptions } from '../core/errors.js';
import { Random } from '../core/random.js';
import { describeFrame, type DataFrame } from '../data/frame.js';
import type { Task } from '../data/columns.js';
import type { ActivationName } from '../nn/activations.js';
import { crossValidate, type CrossValidateOptions } from './cv.js';
import { DEFAULT_BINS } from '../data/piecewise.js';
import { DEFAULT_BAGGING, DEFAULT_LAYERS, OptionError, resolveOptions, type ModelOptions } from './options.js';
import { toFrame, type TableData } from './table.js';

/**
 * One point of the search space. l2 is given as c, the penalty being c/n for n training rows; null is trial 1's,
 * the defaults: the default penalty (see defaultL2) and the default epochs (see LossStop; tune's epochs when given),
 * exactly as train runs them.
 */
export interface Settings {
  /** Bins of the piecewise-linear encoding (0: none). The drawn trials are single networks (bagging 1); trial 1 is the defaults' bagging. */
  bins: number;
  layers: number[];
  activation: ActivationName;
  lr: number;
  batchSize: number;
  l2: number | null;
  dropout: number;
}

export interface Trial {
  trial: number;
  settings: Settings;
  /**
   * The score (accuracy, or R²) of each rung the trial reached, with the epochs it trained: null for the defaults'
   * epochs (trial 1's, stopped by the loss, scored once and carried to every rung it reaches).
   */
  rungs: { epochs: number | null; score: number; std: number }[];
  /**
   * The budget ran out while the trial trained its next rung (`epochs` of them, null for the defaults'): that rung
   * has no score; null when the budget cut nothing of it.
   */
  cutShort: { epochs: number | null } | null;
}

/** The options one trial's cross-validation runs with (what a runner gets). */
export type TrialOptions = Omit<CrossValidateOptions, 'onFold' | 'signal' | 'kernels'>;

/** Runs trials: cross-validates settings on the data it was made for and answers the mean and std of the score. */
export interface TrialRunner {
  /** How many trials it runs at once. */
  readonly size: number;
  /** Cross-validates one trial; the signal stops it (the promise then rejects). */
  run(options: TrialOptions, signal?: AbortSignal): Promise<{ mean: number; std: number }>;
  close(): Promise<void>;
}

/** Makes a runner for the data; `workers` is what the caller asked for (undefined: the runner's own choice). */
export type TrialRunnerFactory = (frame: DataFrame, workers: number | undefined, trials: number) => TrialRunner;

/** One trial at a time, on this thread. */
export const inThreadRunner: TrialRunnerFactory = (frame) => ({
  size: 1,
  async run(options, signal) {
    const result = await crossValidate(frame, { ...options, signal });
    if (signal?.aborted) throw new Error('stopped');
    const key = result.mean.accuracy !== undefined ? 'accuracy' : 'r2';
    return { mean: result.mean[key]!, std: result.std[key]! };
  },
  close: async () => undefined,
});

let runnerFactory: TrialRunnerFactory = inThreadRunner;

/** Sets how trials run; backprop/node sets worker threads when it is imported. */
export function registerTrialRunner(factory: TrialRunnerFactory): void {
  runnerFactory = factory;
}

export interface TuneOptions extends Omit<ModelOptions, 'layers' | 'activation' | 'lr' | 'batchSize' | 'l2' | 'dropout' | 'optimizer' | 'kernels'> {
  /** Settings to try; the first is the defaults. Default 20. */
  trials?: number;
  /** Cross-validation folds per trial. Default 3. */
  folds?: number;
  /**
   * Epochs of the last rung (default: about 15 000 gradient steps of a fold's rows, 10 to 300 epochs); trial 1, the
   * defaults, trains exactly this many when given, as train would, else stops by the loss as train does.
   */
  epochs?: number;
  /**
   * Milliseconds the search may take: no trial starts after them, and the trials still training then are stopped
   * (each reported as cut short); the result has what finished.
   */
  budget?: number;
  /** Trials at once (worker threads in Node; default one per core, at most the cores). */
  workers?: number;
  target?: string;
  task?: Task;
  features?: readonly string[];
  y?: ArrayLike<number | string>;
  /** Told each line of progress: the plan, each trial's score as a rung ends. */
  onProgress?: (line: string) => void;
  /** Stops the search: no trial starts after it; the result then has interrupted: true. */
  signal?: AbortSignal;
}

export interface TuneResult {
  metric: 'accuracy' | 'r2';
  folds: number;
  epochs: number[];
  trials: Trial[];
  /**
   * The best of the furthest rung any trial reached (null when none finished); epochs null and flags '' when it is
   * trial 1, the defaults (its options then name no l2 or epochs, which train fills in by the default rule).
   */
  best: { trial: number; settings: Settings; score: number; std: number; epochs: number | null; options: TrainSettings; flags: string } | null;
  stoppedByBudget: boolean;
  interrupted: boolean;
  /** Rows of the data. */
  rows: number;
}

/** The winning settings as train options for the whole data. */
export type TrainSettings = Pick<ModelOptions, 'bins' | 'bagging' | 'layers' | 'activation' | 'lr' | 'batchSize' | 'l2' | 'dropout' | 'epochs'>;

const LAYERS: number[][] = [[32], [64], [100], [128], [256], [64, 32], [100, 50], [128, 64], [64, 64, 32]];
const ACTIVATIONS: ActivationName[] = ['relu', 'tanh', 'leaky-relu'];
const BATCHES = [16, 32, 64, 128];
const DROPOUT = [0, 0, 0.1, 0.2, 0.3];
const BINS = [0, 8, 16, 16, 32];

/** The trials of a search: the defaults first (l2 null: the default rule), then draws from the space, all from the seed. */
export function drawTrials(count: number, seed: number): Settings[] {
  const r = new Random(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.min(list.length - 1, Math.floor(r.next() * list.length))];
  const logUniform = (lo: number, hi: number): number => +(10 ** r.uniform(Math.log10(lo), Math.log10(hi))).toPrecision(2);
  const trials: Settings[] = [{ bins: DEFAULT_BINS, layers: [...DEFAULT_LAYERS], activation: 'relu', lr: 0.001, batchSize: 32, l2: null, dropout: 0 }];
  while (trials.length < count) {
    trials.push({
      bins: pick(BINS),
      layers: [...pick(LAYERS)],
      activation: pick(ACTIVATIONS),
      lr: logUniform(1e-4, 2e-2),
      batchSize: pick(BATCHES),
      l2: r.next() < 0.2 ? 0 : logUniform(0.1, 30),
      dropout: pick(DROPOUT),
    });
  }
  return trials.slice(0, count);
}

/**
 * The settings as train options for n training rows (no l2 nor bagging for the defaults': train's default rule fills
 * them in); a drawn trial is one network (bagging 1).
 */
export function settingsOptions(s: Settings, rows: number): TrainSettings {
  return {
    bins: s.bins, ...(s.l2 !== null ? { bagging: 1 } : {}), layers: s.layers, activation: s.activation as TrainSettings['activation'], lr: s.lr, batchSize: s.batchSize,
    ...(s.l2 !== null ? { l2: s.l2 / rows } : {}), ...(s.dropout ? { dropout: s.dropout } : {}),
  };
}

/** The settings as a command line for train: none for the defaults (epochs null and l2 null). */
export function asFlags(s: Settings, rows: number, epochs: number | null): string {
  const flags = s.l2 === null ? [] : [`--bagging 1 --bins ${s.bins} --layers ${s.layers.join(',')} --activation ${s.activation} --lr ${s.lr} --batch-size ${s.batchSize} --l2 ${+(s.l2 / rows).toPrecision(3)}${s.dropout ? ` --dropout ${s.dropout}` : ''}`];
  if (epochs !== null) flags.push(`--epochs ${epochs}`);
  return flags.join(' ');
}

function describeSettings(s: Settings): string {
  return `${s.l2 === null ? `bagging ${DEFAULT_BAGGING} ` : ''}bins ${s.bins} layers ${s.layers.join(',')} ${s.activation} η=${s.lr} batch ${s.batchSize} l2 ${s.l2 === null ? 'default' : `${s.l2}/n`}${s.dropout ? ` dropout ${s.dropout}` : ''}`;
}

function formatScore(metric: 'accuracy' | 'r2', v: number): string {
  return metric === 'accuracy' ? `accuracy ${(100 * v).toFixed(2)}%` : `R² ${v.toFixed(4)}`;
}

/** Best first; ties go to the earlier trial. */
const byScore = (rung: number) => (a: Trial, b: Trial): number => b.rungs[rung].score - a.rungs[rung].score || a.trial - b.trial;

/** Most trials a search takes (the command line's --trials has the same bound). */
const MAX_TRIALS = 10_000;

const TUNE_OPTION_NAMES = ['trials', 'folds', 'epochs', 'budget', 'workers', 'target', 'task', 'features', 'y', 'onProgress', 'signal', 'loss', 'l1', 'weightDecay', 'clipNorm', 'schedule', 'classWeight', 'seed', 'backend', 'missing', 'keep', 'naValues'] as const;

/** The search: every trial's rungs and the best settings, scored by cross-validation. */
export async function tune(data: TableData<object>, options: TuneOptions = {}): Promise<TuneResult> {
  const o = checkOptions(options, TUNE_OPTION_NAMES, 'options');
  if (o.onProgress !== undefined && typeof o.onProgress !== 'function') throw new OptionError(`onProgress: expected a function, got ${typeof o.onProgress}`, 'onProgress');
  const say = o.onProgress ?? ((): void => undefined);
  const trialsWanted = o.trials ?? 20, folds = o.folds ?? 3, seed = o.seed ?? 1;
  if (!(Number.isInteger(trialsWanted) && trialsWanted >= 1 && trialsWanted <= MAX_TRIALS)) throw new OptionError(`trials: expected an integer from 1 to ${MAX_TRIALS}, got ${String(trialsWanted)}`, 'trials');
  if (!Number.isSafeInteger(seed)) throw new OptionError(`seed: expected an integer, got ${String(seed)}`, 'seed');
  if (o.budget !== undefined && !(typeof o.budget === 'number' && o.budget > 0 && Number.isFinite(o.budget))) throw new OptionError(`budget: expected a positive number of milliseconds, got ${String(o.budget)}`, 'budget');
  if (o.epochs !== undefined && !(Number.isInteger(o.epochs) && o.epochs >= 1)) throw new OptionError(`epochs: expected a positive integer, got ${String(o.epochs)}`, 'epochs');
  if (!(Number.isInteger(folds) && folds >= 2)) throw new OptionError(`folds: expected an integer ≥ 2, got ${String(folds)}`, 'folds');
  if (o.workers !== undefined && !(Number.isInteger(o.workers) && o.workers >= 1)) throw new OptionError(`workers: expected a positive integer, got ${String(o.workers)}`, 'workers');
  const table = resolveOptions({ missing: o.missing, keep: o.keep, naValues: o.naValues });
  const frame = toFrame(data, { y: o.y, features: o.features, targetName: o.target, ...(table.naValues ? { naValues: table.naValues } : {}) });
  const target = o.target ?? (o.y !== undefined ? 'y' : undefined);
  const description = describeFrame(frame, target, o.task, { missing: table.missing, keep: table.keep });
  const metric = description.classIndex ? 'accuracy' : 'r2';
  if (folds > frame.rows) throw new OptionError(`folds: ${folds} folds need at least ${folds} rows; ${frame.source} has ${frame.rows}`, 'folds');
  const foldRows = Math.floor((frame.rows * (folds - 1)) / folds);
  const settings = drawTrials(trialsWanted, seed);
  // The full run's epochs: the option, or about 15 000 steps of 32 rows (10 to 300 epochs); rungs train 1/9 and 1/3
  // of it. Successive halving compares trials at equal epochs, so tune keeps a fixed budget where train stops by the loss.
  const full = o.epochs ?? Math.min(300, Math.max(10, Math.ceil(15_000 / Math.max(1, Math.ceil(foldRows / 32)))));
  const rungs = trialsWanted >= 9 ? [Math.max(1, Math.round(full / 9)), Math.max(1, Math.round(full / 3)), full] : trialsWanted >= 3 ? [Math.max(1, Math.round(full / 3)), full] : [full];
  const started = Date.now();
  const trials: Trial[] = settings.map((s, i) => ({ trial: i + 1, settings: s, rungs: [], cutShort: null }));
  let stoppedByBudget = false;
  // Whether a trial may start now: not after an interrupt, nor once the budget is spent.
  const mayStart = (): boolean => {
    if (o.budget !== undefined && Date.now() - started > o.budget) stoppedByBudget = true;
    return !stoppedByBudget && !o.signal?.aborted;
  };
  // A stop ends the trials that are running too: they are abandoned, and the search reports what finished. The
  // budget stops them so when it runs out.
  const stop = new AbortController();
  const onAbort = (): void => stop.abort();
  o.signal?.addEventListener('abort', onAbort, { once: true });
  const timer = o.budget === undefined ? null : setTimeout(() => {
    stoppedByBudget = true;
    stop.abort();
  }, o.budget);
  // However the search ends (its result, an error, a stop, a callback that throws), the finally below gives the
  // runner's workers back, takes the listener off the caller's signal and clears the budget's timer: nothing of it
  // keeps a process alive.
  let runner: TrialRunner | null = null;
  const common: TrialOptions = {
    folds, seed, ...(target !== undefined ? { target } : {}), ...(o.task ? { task: o.task } : {}),
    ...(o.loss ? { loss: o.loss } : {}), ...(o.l1 !== undefined ? { l1: o.l1 } : {}), ...(o.clipNorm !== undefined ? { clipNorm: o.clipNorm } : {}),
    ...(o.schedule !== undefined ? { schedule: o.schedule } : {}), ...(o.classWeight !== undefined ? { classWeight: o.classWeight } : {}),
    ...(o.backend ? { backend: o.backend } : {}), optimizer: 'adam',
    ...(o.missing ? { missing: o.missing } : {}), ...(o.keep ? { keep: o.keep } : {}),
  };
  try {
    runner = runnerFactory(frame, o.workers, trialsWanted);
    const workers = runner.size;
    const capped = o.workers !== undefined && o.workers > workers && trialsWanted > workers ? ` (--workers ${o.workers} capped at the ${workers} core${workers === 1 ? '' : 's'})` : '';
    say(`tune     ${frame.source}: ${trialsWanted} trials, ${folds} folds, ${metric === 'accuracy' ? 'accuracy' : 'R²'} by cross-validation; epochs per rung ${rungs.join(' → ')}; ${workers} worker${workers === 1 ? '' : 's'}${capped}; seed ${seed}`);
    let alive = trials;
    for (const [r, epochs] of rungs.entries()) {
      // The defaults train by their own rule at every rung (what train does, or --epochs when given): scored once,
      // on the first rung, and carried to the later ones.
      for (const t of alive) if (t.settings.l2 === null && r > 0) t.rungs.push({ ...t.rungs[r - 1] });
      const pending = alive.filter((t) => t.rungs.length === r);
      // At most `workers` trials at once; each takes the next trial when it finishes.
      let next = 0;
      await Promise.all(Array.from({ length: Math.min(workers, pending.length) }, async () => {
        while (next < pending.length && mayStart()) {
          const t = pending[next++];
          const trained = t.settings.l2 === null ? o.epochs ?? null : epochs;
          let reply: { mean: number; std: number };
          try {
            reply = await runner!.run({ ...common, ...settingsOptions(t.settings, foldRows), ...(trained !== null ? { epochs: trained } : {}) }, stop.signal);
          } catch (e) {
            if (stop.signal.aborted) {
              if (stoppedByBudget && !o.signal?.aborted) t.cutShort = { epochs: trained };
              return;
            }
            throw new OptionError(`tune: trial ${t.trial}: ${(e as Error).message}`, 'tune');
          }
          if (stop.signal.aborted) {
            if (stoppedByBudget && !o.signal?.aborted) t.cutShort = { epochs: trained };
            return;
          }
          t.rungs.push({ epochs: trained, score: reply.mean, std: reply.std });
        }
      }));
      // Reported when the rung is over, in trial order, so the same seed prints the same lines.
      for (const t of alive) {
        if (t.cutShort && t.rungs.length === r) {
          const cut = t.cutShort.epochs;
          say(`trial ${String(t.trial).padStart(3)}  ${cut === null ? 'epochs by the loss (the defaults)' : `${String(cut).padStart(4)} epochs`}  cut short by the budget  ${describeSettings(t.settings)}`);
        }
        if (t.rungs.length !== r + 1) continue;
        const trained = t.rungs[r].epochs;
        say(`trial ${String(t.trial).padStart(3)}  ${trained === null ? 'epochs by the loss (the defaults)' : `${String(trained).padStart(4)} epochs`}  ${formatScore(metric, t.rungs[r].score)}  ${describeSettings(t.settings)}`);
      }
      const done = alive.filter((t) => t.rungs.length === r + 1).sort(byScore(r));
      if (done.length === 0) break;
      alive = r === rungs.length - 1 ? done : done.slice(0, Math.max(1, Math.ceil(done.length / 3)));
    }
  } finally {
    if (timer) clearTimeout(timer);
    o.signal?.removeEventListener('abort', onAbort);
    // Trials still running (the search failed, or a callback threw) are stopped with the workers.
    stop.abort();
    await runner?.close();
  }
  const interrupted = o.signal?.aborted ?? false;
  // The best of the furthest rung any trial reached.
  const reached = Math.max(...trials.map((t) => t.rungs.length));
  let best: TuneResult['best'] = null;
  if (reached > 0) {
    const b = trials.filter((t) => t.rungs.length === reached).sort(byScore(reached - 1))[0];
    const last = b.rungs[reached - 1];
    best = {
      trial: b.trial, settings: b.settings, score: last.score, std: last.std, epochs: last.epochs,
      options: { ...settingsOptions(b.settings, frame.rows), ...(last.epochs !== null ? { epochs: last.epochs } : {}) }, flags: asFlags(b.settings, frame.rows, last.epochs),
    };
  } else if (!interrupted) {
    const cut = trials.filter((t) => t.cutShort).map((t) => t.trial);
    throw new OptionError(`budget: no trial finished within the budget of ${o.budget} ms` +
      `${cut.length ? `; ${cut.length === 1 ? `trial ${cut[0]} was` : `trials ${cut.join(', ')} were`} cut short by it` : ''}; give more time`, 'budget');
  }
  return { metric, folds, epochs: rungs, trials, best, stoppedByBudget, interrupted, rows: frame.rows };
}
