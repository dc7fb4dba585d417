// `backprop tune <data>`: a seeded random search over the network and its training, with successive halving.
// Every trial is scored by k-fold cross-validation (the same folds for all); the first rung trains each trial for a
// ninth of the epochs, the best third goes on to a third of them, and the best third of those to all of them. The
// best of the last rung is retrained on every row and written as `train` writes a model. Trials run in worker
// threads, one per core, each on a single-threaded backend.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { Random } from '../core/random.js';
import type { ActivationName } from '../nn/activations.js';
import { describeFrame } from '../data/frame.js';
import { UsageError } from './errors.js';
import type { CvOptions } from './cv.js';
import { loadFrame } from './data.js';
import { defaultEpochs, DEFAULT_LAYERS } from './defaults.js';
import { train, type TrainOptions } from './train.js';
import type { TuneJob, TuneReply } from './tune-worker.js';

/** One point of the search space. l2 is given as c, the penalty being c/n for n training rows (the default is 3). */
export interface Settings {
  layers: number[];
  activation: ActivationName;
  lr: number;
  batchSize: number;
  l2: number;
  dropout: number;
}

export type TuneOptions = Omit<CvOptions, 'layers' | 'activation' | 'lr' | 'batchSize' | 'l2' | 'dropout' | 'epochs'> & {
  trials: number;
  /** Milliseconds after which no new trial starts. */
  budget?: number;
  epochs?: number;
  out?: string;
  json: boolean;
  quiet: boolean;
  /** Worker threads; default one per core, and never more than the cores. */
  workers?: number;
};

export interface Trial {
  trial: number;
  settings: Settings;
  /** The score (accuracy, or R²) of each rung the trial reached, with the epochs it trained. */
  rungs: { epochs: number; score: number; std: number }[];
}

const LAYERS: number[][] = [[32], [64], [100], [128], [256], [64, 32], [100, 50], [128, 64], [64, 64, 32]];
const ACTIVATIONS: ActivationName[] = ['relu', 'tanh', 'leaky-relu'];
const BATCHES = [16, 32, 64, 128];
const DROPOUT = [0, 0, 0.1, 0.2, 0.3];

/** The trials of a search: the defaults first, then draws from the space, all from the seed. */
export function drawTrials(count: number, seed: number): Settings[] {
  const r = new Random(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.min(list.length - 1, Math.floor(r.next() * list.length))];
  const logUniform = (lo: number, hi: number): number => +(10 ** r.uniform(Math.log10(lo), Math.log10(hi))).toPrecision(2);
  const trials: Settings[] = [{ layers: [...DEFAULT_LAYERS], activation: 'relu', lr: 0.001, batchSize: 32, l2: 3, dropout: 0 }];
  while (trials.length < count) {
    trials.push({
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

/** The settings as `train` options for n training rows. */
function asOptions(s: Settings, rows: number): Pick<TrainOptions, 'layers' | 'activation' | 'lr' | 'batchSize' | 'l2' | 'dropout'> {
  return { layers: s.layers, activation: s.activation, lr: s.lr, batchSize: s.batchSize, l2: s.l2 / rows, ...(s.dropout ? { dropout: [s.dropout] } : {}) };
}

/** The settings as a command line for train. */
export function asFlags(s: Settings, rows: number, epochs: number): string {
  const l2 = +(s.l2 / rows).toPrecision(3);
  return `--layers ${s.layers.join(',')} --activation ${s.activation} --lr ${s.lr} --batch-size ${s.batchSize} --l2 ${l2}${s.dropout ? ` --dropout ${s.dropout}` : ''} --epochs ${epochs}`;
}

/** Parses --budget: seconds, or a number with s, m or h. */
export function durationOption(value: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(s|m|h|)\s*$/i.exec(value);
  if (!m || !(Number(m[1]) > 0)) throw new UsageError(`--budget: expected a duration like 90s, 5m or 1h, got "${value}"`, '--budget');
  return Number(m[1]) * { '': 1000, s: 1000, m: 60_000, h: 3_600_000 }[m[2].toLowerCase() as '' | 's' | 'm' | 'h'];
}

class Pool {
  private readonly workers: Worker[];
  private readonly idle: Worker[];
  private readonly waiting = new Map<number, (reply: TuneReply) => void>();
  private readonly queue: (() => void)[] = [];

  constructor(size: number) {
    this.workers = Array.from({ length: size }, () => {
      const w = new Worker(new URL('./tune-worker.js', import.meta.url));
      w.on('message', (reply: TuneReply) => {
        this.waiting.get(reply.id)?.(reply);
        this.waiting.delete(reply.id);
        this.idle.push(w);
        this.queue.shift()?.();
      });
      return w;
    });
    this.idle = [...this.workers];
  }

  /** Runs the job on the next free worker, unless start() says no by then (null). */
  async run(job: TuneJob, start: () => boolean): Promise<TuneReply | null> {
    while (this.idle.length === 0) await new Promise<void>((resolve) => this.queue.push(resolve));
    if (!start()) {
      this.queue.shift()?.();
      return null;
    }
    const w = this.idle.pop()!;
    return new Promise((resolve) => {
      this.waiting.set(job.id, resolve);
      w.postMessage(job);
    });
  }

  close(): Promise<number[]> {
    return Promise.all(this.workers.map((w) => w.terminate()));
  }
}

export interface TuneResult {
  metric: 'accuracy' | 'r2';
  folds: number;
  epochs: number[];
  trials: Trial[];
  best: { trial: number; settings: Settings; score: number; std: number; flags: string };
  stoppedByBudget: boolean;
  /** Rows of the data. */
  rows: number;
}

/** Best first; ties go to the earlier trial. */
const byScore = (rung: number) => (a: Trial, b: Trial): number => b.rungs[rung].score - a.rungs[rung].score || a.trial - b.trial;

/** The search; null when the signal (Ctrl-C) ended it, after the trials running then. */
export async function tune(data: string, o: TuneOptions, say: (line: string) => void = () => undefined, signal?: AbortSignal): Promise<TuneResult | null> {
  if (data === '-') throw new UsageError('tune: reads the data once per worker; give a file or a data set name, not standard input', 'data');
  const frame = await loadFrame(data, { samples: o.samples, noise: o.noise, seed: o.seed }, { delimiter: o.delimiter, decimalComma: o.decimalComma });
  const description = describeFrame(frame, o.target, o.task);
  const metric = description.classIndex ? 'accuracy' : 'r2';
  if (o.folds > frame.rows) throw new UsageError(`--folds: ${o.folds} folds need at least ${o.folds} rows; ${frame.source} has ${frame.rows}`, '--folds');
  const foldRows = Math.floor((frame.rows * (o.folds - 1)) / o.folds);
  const settings = drawTrials(o.trials, o.seed);
  // The full run's epochs: --epochs, or the default for the fold's rows in batches of 32; rungs train 1/9 and 1/3 of it.
  const full = o.epochs ?? defaultEpochs(foldRows, 32);
  const rungs = o.trials >= 9 ? [Math.max(1, Math.round(full / 9)), Math.max(1, Math.round(full / 3)), full] : o.trials >= 3 ? [Math.max(1, Math.round(full / 3)), full] : [full];
  // One thread per core at most: each worker holds its own copy of the data and its own backend memory, and a
  // thread beyond the cores only waits its turn while costing as much.
  const cores = availableParallelism();
  const workers = Math.max(1, Math.min(o.workers ?? cores, cores, o.trials));
  const capped = o.workers !== undefined && o.workers > cores && o.trials > cores ? ` (--workers ${o.workers} capped at the ${cores} core${cores === 1 ? '' : 's'})` : '';
  say(`tune     ${frame.source}: ${o.trials} trials, ${o.folds} folds, ${metric === 'accuracy' ? 'accuracy' : 'R²'} by cross-validation; epochs per rung ${rungs.join(' → ')}; ${workers} worker${workers === 1 ? '' : 's'}${capped}; seed ${o.seed}`);

  const started = Date.now();
  const pool = new Pool(workers);
  const trials: Trial[] = settings.map((s, i) => ({ trial: i + 1, settings: s, rungs: [] }));
  let stoppedByBudget = false;
  // Whether a trial may start now: not after an interrupt, nor once the budget is spent.
  const mayStart = (): boolean => {
    if (o.budget !== undefined && Date.now() - started > o.budget) stoppedByBudget = true;
    return !stoppedByBudget && !signal?.aborted;
  };
  let jobId = 0;
  const { trials: _t, budget: _b, out: _o, json: _j, quiet: _q, workers: _w, ...common } = o;
  try {
    let alive = trials;
    for (const [r, epochs] of rungs.entries()) {
      await Promise.all(alive.map(async (t) => {
        const options = { ...common, ...asOptions(t.settings, foldRows), epochs, threads: 1 } as TuneJob['options'];
        const reply = await pool.run({ id: jobId++, data, options }, mayStart);
        if (reply === null) return;
        if ('error' in reply) throw new UsageError(`tune: trial ${t.trial}: ${reply.error}`);
        t.rungs.push({ epochs, score: reply.mean, std: reply.std });
      }));
      // Reported when the rung is over, in trial order, so the same seed prints the same lines.
      for (const t of alive) if (t.rungs.length === r + 1) say(`trial ${String(t.trial).padStart(3)}  ${String(epochs).padStart(4)} epochs  ${formatScore(metric, t.rungs[r].score)}  ${describeSettings(t.settings)}`);
      const done = alive.filter((t) => t.rungs.length === r + 1).sort(byScore(r));
      if (done.length === 0) break;
      alive = r === rungs.length - 1 ? done : done.slice(0, Math.max(1, Math.ceil(done.length / 3)));
    }
  } finally {
    await pool.close();
  }
  if (signal?.aborted) return null;
  // The best of the furthest rung any trial reached.
  const reached = Math.max(...trials.map((t) => t.rungs.length));
  if (reached === 0) throw new UsageError('--budget: no trial finished within the budget; give more time', '--budget');
  const best = trials.filter((t) => t.rungs.length === reached).sort(byScore(reached - 1))[0];
  const last = best.rungs[reached - 1];
  return {
    metric, folds: o.folds, epochs: rungs, trials, stoppedByBudget, rows: frame.rows,
    best: { trial: best.trial, settings: best.settings, score: last.score, std: last.std, flags: asFlags(best.settings, frame.rows, last.epochs) },
  };
}

function describeSettings(s: Settings): string {
  return `layers ${s.layers.join(',')} ${s.activation} η=${s.lr} batch ${s.batchSize} l2 ${s.l2}/n${s.dropout ? ` dropout ${s.dropout}` : ''}`;
}

function formatScore(metric: 'accuracy' | 'r2', v: number): string {
  return metric === 'accuracy' ? `accuracy ${(100 * v).toFixed(2)}%` : `R² ${v.toFixed(4)}`;
}

export async function tuneCommand(data: string, o: TuneOptions & TrainOptions, out: NodeJS.WriteStream, signal: AbortSignal): Promise<boolean> {
  const say = (line: string): void => {
    if (!o.json && !o.quiet) out.write(line + '\n');
  };
  const result = await tune(data, o, say, signal);
  if (!result) {
    process.stderr.write(`backprop: interrupted during the search; nothing was written${o.out && o.out !== '-' ? ` (${o.out} unchanged)` : ''}\n`);
    return false;
  }
  const b = result.best;
  const rows = result.rows;
  if (result.stoppedByBudget) say(`budget   reached: trials that had not started were left out`);
  say(`best     trial ${b.trial}: ${b.flags}`);
  say(`         cross-validated ${result.metric === 'accuracy' ? `accuracy ${(100 * b.score).toFixed(2)}% ± ${(100 * b.std).toFixed(2)}` : `R² ${b.score.toFixed(4)} ± ${b.std.toFixed(4)}`} (${result.folds} folds)`);
  let interrupted = false;
  if (o.out) {
    // Retrained on every row with the winning settings, and written as train writes a model.
    const epochs = result.trials[b.trial - 1].rungs.at(-1)!.epochs;
    const r = await train(data, { ...o, ...asOptions(b.settings, rows), epochs, validation: 0, quiet: true, json: false, plot: undefined }, out, signal);
    interrupted = r.interrupted;
    if (!interrupted) say(`model    written to ${o.out} (retrained on all ${rows} rows)`);
  }
  if (o.json) out.write(JSON.stringify({ ...result, model: o.out && !interrupted ? o.out : null }) + '\n');
  return !interrupted;
}
