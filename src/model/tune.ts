// A seeded random search around the defaults. Every trial is train()'s default rule with some of its settings
// drawn (bins, layers, activation, η, batch size, L2 penalty, dropout): on up to 10,000 rows five networks on five
// folds, each stopped by its fold's loss, and the trial is scored by their out-of-fold figures (each row by the
// network that did not train on it; the same rows chose its kept epoch, so the figure leans a little high, alike for
// every trial); above, one network scored on its validation share. Trial 1 is the defaults themselves. Trials run
// through a runner: one at a time on this thread by default; backprop/node registers one that runs them on worker
// threads, one per core.
import { checkOptions } from '../core/errors.js';
import { shellWord } from '../core/escape.js';
import { Random } from '../core/random.js';
import { describeFrame, type DataFrame } from '../data/frame.js';
import type { Task } from '../data/columns.js';
import type { ActivationName } from '../nn/activations.js';
import { DEFAULT_BINS } from '../data/piecewise.js';
import { DEFAULT_LAYERS, OptionError, resolveOptions, type ModelOptions, type TrainOptions } from './options.js';
import { toFrame, type TableData } from './table.js';
import { planTraining } from './train.js';

/**
 * One point of the search space. l2 is given as c, the penalty being c/n for n rows; null is trial 1's, the
 * defaults: the default penalty (see defaultL2), exactly as train runs them.
 */
export interface Settings {
  /** Bins of the piecewise-linear encoding (0: none). */
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
  /** Its score (accuracy, or R²) out of fold, or on the validation share; null where it did not finish. */
  score: number | null;
  /** The budget ran out while the trial trained: it has no score. */
  cutShort: boolean;
}

/** The options one trial trains with (what a runner gets): train's, as plain data. */
export type TrialOptions = Omit<TrainOptions, 'signal' | 'onEpoch' | 'callbacks' | 'kernels' | 'y' | 'features'>;

/** Runs trials: trains by the default rule with the trial's settings on the data it was made for and answers the score. */
export interface TrialRunner {
  /** How many trials it runs at once. */
  readonly size: number;
  /** Trains and scores one trial; the signal stops it (the promise then rejects). */
  run(options: TrialOptions, signal?: AbortSignal): Promise<{ score: number }>;
  close(): Promise<void>;
}

/** Makes a runner for the data; `workers` is what the caller asked for (undefined: the runner's own choice). */
export type TrialRunnerFactory = (frame: DataFrame, workers: number | undefined, trials: number) => TrialRunner;

/**
 * One trial: train's plan for the options, fitted, and scored as train reports it: out of fold for bagged networks
 * (each row by the network that held it out), else on the validation share. Rejects with 'stopped' when stopped.
 */
export async function trialScore(frame: DataFrame, options: TrialOptions & Pick<ModelOptions, 'kernels'>, signal?: AbortSignal): Promise<number> {
  const plan = await planTraining(frame, options);
  // Scored by the fold networks: a small table's second round on every row would change the model, not the score.
  const history = await plan.fit({ signal, refit: false });
  if (history.stopReason === 'aborted' || signal?.aborted) throw new Error('stopped');
  const v = plan.metrics(history).validation;
  const score = v?.accuracy ?? v?.r2;
  if (score === undefined) throw new OptionError('tune: a trial needs rows it does not train on to be scored; drop validation: 0', 'validation');
  return score;
}

/** One trial at a time, on this thread. */
export const inThreadRunner: TrialRunnerFactory = (frame) => ({
  size: 1,
  run: async (options, signal) => ({ score: await trialScore(frame, options, signal) }),
  close: async () => undefined,
});

let runnerFactory: TrialRunnerFactory = inThreadRunner;

/** Sets how trials run; backprop/node sets worker threads when it is imported. */
export function registerTrialRunner(factory: TrialRunnerFactory): void {
  runnerFactory = factory;
}

export interface TuneOptions extends Omit<ModelOptions, 'layers' | 'activation' | 'lr' | 'batchSize' | 'l2' | 'dropout' | 'optimizer' | 'kernels' | 'bagging' | 'bins'> {
  /** Settings to try; the first is the defaults. Default 20. */
  trials?: number;
  /**
   * Networks of every trial, each holding out one fold of the rows and scored on it (train's bagging). Default:
   * the default rule's (5; one network with a validation share above 10,000 rows).
   */
  folds?: number;
  /** Epochs every trial trains, as train's epochs (default: each network stops by its loss). */
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
  /** Told each line of progress: the plan, then each trial's score, in trial order. */
  onProgress?: (line: string) => void;
  /** Stops the search: no trial starts after it; the result then has interrupted: true. */
  signal?: AbortSignal;
}

export interface TuneResult {
  metric: 'accuracy' | 'r2';
  /** The folds option (networks per trial); null for the default rule's. */
  folds: number | null;
  trials: Trial[];
  /**
   * The trial of the best score (the earlier on a tie; null when none finished); flags '' when it is trial 1, the
   * defaults (its options then name no l2, which train fills in by the default rule).
   */
  best: { trial: number; settings: Settings; score: number; options: TrainSettings; flags: string } | null;
  stoppedByBudget: boolean;
  interrupted: boolean;
  /** Rows of the data. */
  rows: number;
}

/**
 * The winning settings as train options for the whole data, with the search's seed (where not 1), target and task
 * (where given): train(data, best.options), with the other options given to tune (loss, naValues, ...), trains the
 * model of the winning trial.
 */
export type TrainSettings = Pick<TrainOptions, 'bins' | 'bagging' | 'layers' | 'activation' | 'lr' | 'batchSize' | 'l2' | 'dropout' | 'epochs' | 'seed' | 'target' | 'task'>;

/** What of a search besides a trial's settings decides its training: its networks, epochs, seed, target and task. */
export interface SearchRun {
  folds?: number;
  epochs?: number;
  seed?: number;
  target?: string;
  task?: Task;
}

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
 * The settings as train options for n rows (no l2 for the defaults': train's default rule fills it in). The penalty
 * c/n is rounded to 3 digits, as the flags print it, so that the trial, its flags and --out train alike.
 */
export function settingsOptions(s: Settings, rows: number): TrainSettings {
  return {
    bins: s.bins, layers: s.layers, activation: s.activation as TrainSettings['activation'], lr: s.lr, batchSize: s.batchSize,
    ...(s.l2 !== null ? { l2: +(s.l2 / rows).toPrecision(3) } : {}), ...(s.dropout ? { dropout: s.dropout } : {}),
  };
}

/**
 * The settings as a command line for train: none for the defaults, beside what of the search decides its training
 * (its networks, epochs, a seed other than 1, the target and task given).
 */
export function asFlags(s: Settings, rows: number, run: SearchRun = {}): string {
  const o = settingsOptions(s, rows);
  const flags = s.l2 === null ? [] : [`--bins ${s.bins} --layers ${s.layers.join(',')} --activation ${s.activation} --lr ${s.lr} --batch-size ${s.batchSize} --l2 ${o.l2}${s.dropout ? ` --dropout ${s.dropout}` : ''}`];
  if (run.folds !== undefined) flags.push(`--bagging ${run.folds}`);
  if (run.epochs !== undefined) flags.push(`--epochs ${run.epochs}`);
  if (run.seed !== undefined && run.seed !== 1) flags.push(`--seed ${run.seed}`);
  if (run.target !== undefined) flags.push(`--target ${shellWord(run.target)}`);
  if (run.task !== undefined) flags.push(`--task ${run.task}`);
  return flags.join(' ');
}

function describeSettings(s: Settings): string {
  return s.l2 === null ? 'the defaults' : `bins ${s.bins} layers ${s.layers.join(',')} ${s.activation} η=${s.lr} batch ${s.batchSize} l2 ${s.l2 === 0 ? 'none' : `${s.l2}/n`}${s.dropout ? ` dropout ${s.dropout}` : ''}`;
}

function formatScore(metric: 'accuracy' | 'r2', v: number): string {
  return metric === 'accuracy' ? `accuracy ${(100 * v).toFixed(2)}%` : `R² ${v.toFixed(4)}`;
}

/** Most trials a search takes (the command line's --trials has the same bound). */
const MAX_TRIALS = 10_000;

const TUNE_OPTION_NAMES = ['trials', 'folds', 'epochs', 'budget', 'workers', 'target', 'task', 'features', 'y', 'onProgress', 'signal', 'loss', 'l1', 'weightDecay', 'clipNorm', 'schedule', 'classWeight', 'seed', 'backend', 'missing', 'keep', 'naValues'] as const;

/** The search: every trial trained by the default rule with its settings and scored on rows it did not train on. */
export async function tune(data: TableData<object>, options: TuneOptions = {}): Promise<TuneResult> {
  const o = checkOptions(options, TUNE_OPTION_NAMES, 'options');
  if (o.onProgress !== undefined && typeof o.onProgress !== 'function') throw new OptionError(`onProgress: expected a function, got ${typeof o.onProgress}`, 'onProgress');
  const say = o.onProgress ?? ((): void => undefined);
  const trialsWanted = o.trials ?? 20, seed = o.seed ?? 1;
  if (!(Number.isInteger(trialsWanted) && trialsWanted >= 1 && trialsWanted <= MAX_TRIALS)) throw new OptionError(`trials: expected an integer from 1 to ${MAX_TRIALS}, got ${String(trialsWanted)}`, 'trials');
  if (!Number.isSafeInteger(seed)) throw new OptionError(`seed: expected an integer, got ${String(seed)}`, 'seed');
  if (o.budget !== undefined && !(typeof o.budget === 'number' && o.budget > 0 && Number.isFinite(o.budget))) throw new OptionError(`budget: expected a positive number of milliseconds, got ${String(o.budget)}`, 'budget');
  if (o.epochs !== undefined && !(Number.isInteger(o.epochs) && o.epochs >= 1)) throw new OptionError(`epochs: expected a positive integer, got ${String(o.epochs)}`, 'epochs');
  if (o.folds !== undefined && !(Number.isInteger(o.folds) && o.folds >= 2 && o.folds <= 100)) throw new OptionError(`folds: expected an integer from 2 to 100, got ${String(o.folds)}`, 'folds');
  if (o.workers !== undefined && !(Number.isInteger(o.workers) && o.workers >= 1)) throw new OptionError(`workers: expected a positive integer, got ${String(o.workers)}`, 'workers');
  const table = resolveOptions({ missing: o.missing, keep: o.keep, naValues: o.naValues });
  const frame = toFrame(data, { y: o.y, features: o.features, targetName: o.target, ...(table.naValues ? { naValues: table.naValues } : {}) });
  const target = o.target ?? (o.y !== undefined ? 'y' : undefined);
  const description = describeFrame(frame, target, o.task, { missing: table.missing, keep: table.keep });
  const metric = description.classIndex ? 'accuracy' : 'r2';
  if (o.folds !== undefined && 2 * o.folds > frame.rows) throw new OptionError(`folds: ${o.folds} folds need at least ${2 * o.folds} rows; ${frame.source} has ${frame.rows}`, 'folds');
  const settings = drawTrials(trialsWanted, seed);
  const started = Date.now();
  const trials: Trial[] = settings.map((s, i) => ({ trial: i + 1, settings: s, score: null, cutShort: false }));
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
    seed, ...(target !== undefined ? { target } : {}), ...(o.task ? { task: o.task } : {}),
    ...(o.folds !== undefined ? { bagging: o.folds } : {}), ...(o.epochs !== undefined ? { epochs: o.epochs } : {}),
    ...(o.loss ? { loss: o.loss } : {}), ...(o.l1 !== undefined ? { l1: o.l1 } : {}), ...(o.clipNorm !== undefined ? { clipNorm: o.clipNorm } : {}),
    ...(o.schedule !== undefined ? { schedule: o.schedule } : {}), ...(o.classWeight !== undefined ? { classWeight: o.classWeight } : {}),
    ...(o.backend ? { backend: o.backend } : {}),
    ...(o.missing ? { missing: o.missing } : {}), ...(o.keep ? { keep: o.keep } : {}), ...(table.naValues ? { naValues: table.naValues } : {}),
  };
  // Trials are reported in their order as they finish (a later one waits for the earlier ones), so the same seed
  // prints the same lines on any number of workers.
  let reported = 0;
  const report = (): void => {
    while (reported < trials.length && (trials[reported].score !== null || trials[reported].cutShort)) {
      const t = trials[reported++];
      say(t.cutShort
        ? `trial ${String(t.trial).padStart(3)}  cut short by the budget  ${describeSettings(t.settings)}`
        : `trial ${String(t.trial).padStart(3)}  ${formatScore(metric, t.score!)}  ${describeSettings(t.settings)}`);
    }
  };
  try {
    runner = runnerFactory(frame, o.workers, trialsWanted);
    const workers = runner.size;
    const capped = o.workers !== undefined && o.workers > workers && trialsWanted > workers ? ` (--workers ${o.workers} capped at the ${workers} core${workers === 1 ? '' : 's'})` : '';
    const how = `${o.folds !== undefined ? `${o.folds} networks on ${o.folds} folds` : 'the default rule'}${o.epochs !== undefined ? `, ${o.epochs} epochs` : ''}`;
    say(`tune     ${frame.source}: ${trialsWanted} trials, each trained by ${how} and scored (${metric === 'accuracy' ? 'accuracy' : 'R²'}) on rows it did not train on; ${workers} worker${workers === 1 ? '' : 's'}${capped}; seed ${seed}`);
    // At most `workers` trials at once; each takes the next trial when it finishes.
    let next = 0;
    await Promise.all(Array.from({ length: Math.min(workers, trials.length) }, async () => {
      while (next < trials.length && mayStart()) {
        const t = trials[next++];
        let reply: { score: number } | null = null;
        try {
          reply = await runner!.run({ ...common, ...settingsOptions(t.settings, frame.rows) }, stop.signal);
        } catch (e) {
          if (!stop.signal.aborted) throw new OptionError(`tune: trial ${t.trial}: ${(e as Error).message}`, 'tune');
        }
        // Stopped while it trained (or just as it finished): cut short by the budget, or left by an interrupt.
        if (stop.signal.aborted || reply === null) {
          if (stoppedByBudget && !o.signal?.aborted) {
            t.cutShort = true;
            report();
          }
          return;
        }
        t.score = reply.score;
        report();
      }
    }));
  } finally {
    if (timer) clearTimeout(timer);
    o.signal?.removeEventListener('abort', onAbort);
    // Trials still running (the search failed, or a callback threw) are stopped with the workers.
    stop.abort();
    await runner?.close();
  }
  const interrupted = o.signal?.aborted ?? false;
  const finished = trials.filter((t) => t.score !== null);
  let best: TuneResult['best'] = null;
  if (finished.length > 0) {
    // The best score; ties go to the earlier trial.
    const b = finished.reduce((a, t) => (t.score! > a.score! ? t : a));
    best = {
      trial: b.trial, settings: b.settings, score: b.score!,
      options: {
        ...settingsOptions(b.settings, frame.rows), ...(o.folds !== undefined ? { bagging: o.folds } : {}), ...(o.epochs !== undefined ? { epochs: o.epochs } : {}),
        ...(seed !== 1 ? { seed } : {}), ...(o.target !== undefined ? { target: o.target } : {}), ...(o.task !== undefined ? { task: o.task } : {}),
      },
      flags: asFlags(b.settings, frame.rows, { epochs: o.epochs, folds: o.folds, seed, target: o.target, task: o.task }),
    };
  } else if (!interrupted) {
    const cut = trials.filter((t) => t.cutShort).map((t) => t.trial);
    throw new OptionError(`budget: no trial finished within the budget of ${o.budget} ms` +
      `${cut.length ? `; ${cut.length === 1 ? `trial ${cut[0]} was` : `trials ${cut.join(', ')} were`} cut short by it` : ''}; give more time`, 'budget');
  }
  return { metric, folds: o.folds ?? null, trials, best, stoppedByBudget, interrupted, rows: frame.rows };
}
