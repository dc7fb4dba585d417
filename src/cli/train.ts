// `backprop train <data>`: reads the data (a file or a built-in set), hands it to the library's planTraining (or
// to backprop/node's streamed plan for files larger than memory), prints what it will do and how it goes, and
// writes the model and the plot.
import { toRows } from '../core/matrix.js';
import { BackpropError, printable } from '../core/errors.js';
import { encodeFrameTargets, encodeRecord, type DataFrame } from '../data/frame.js';
import { decodeOutput, encodedWidth, targetColumns, type Preprocessing } from '../data/preprocessing.js';
import { stringifyModel } from '../io/model-file.js';
import type { Kernels } from '../core/kernels.js';
import type { Network } from '../nn/network.js';
import { DEFAULT_L2_BOUND, defaultL2, OptionError, type ResolvedOptions, type TrainOptions as LibraryTrainOptions } from '../model/options.js';
import { planTraining, tableNotes, type Metrics, type TrainingPlan } from '../model/train.js';
import { DATE_PART_NAMES } from '../data/dates.js';
import type { History, LossStop } from '../train/callbacks.js';
import { commitFiles, discardFiles, stageFile, type StagedFile } from '../node/files.js';
import { isPattern, OverMemory } from '../node/readers/duckdb.js';
import { createKernels } from '../node/backends.js';
import { TEAM_START_MULTIPLY_ADDS, TIMED_MULTIPLY_ADDS, type BlasKernels } from '../node/blas/backend.js';
import { stepKey } from '../train/fit.js';
import { planStreamedTraining } from '../node/train-stream.js';
import { existsSync, statSync } from 'node:fs';
import { loadFrame } from '../node/read.js';
import { EXIT_INTERRUPTED, UsageError } from './errors.js';
import { asFlags, checkOutputs, formatBytes, type ClassWeightRule } from './options.js';
import { renderPlot, type BoundaryPlot } from './plot.js';
import { progressCallback } from './progress.js';

/** train's options as the command line parses them: the library's model options, and what the command adds. */
export type TrainOptions = Omit<ResolvedOptions, 'classWeight' | 'kernels'> & {
  /** The target column, or several for a multi-output regression. */
  target?: string[];
  /** Absent: the bagged networks' folds (or 0.2 with bagging 1). */
  validation?: number;
  earlyStopping?: number;
  out?: string;
  plot?: string;
  json: boolean;
  quiet: boolean;
  samples?: number;
  noise?: number;
  delimiter?: string;
  decimalComma?: boolean;
  /** Read the data in passes from the file rather than whole. */
  stream: boolean;
  /** Bytes the data may take in memory before it is streamed. */
  memory: number;
  /** Written values that mean "no value" in the file (--na-values). */
  naValues?: readonly string[];
  classWeight?: ClassWeightRule;
  /** BLAS threads: a number pins every product to it; 'auto' (or none) times each product's candidates. */
  threads?: number | 'auto';
};

export interface TrainResult {
  interrupted: boolean;
}

/** The command line's options as the library's train takes them. */
export function libraryOptions(o: Omit<TrainOptions, 'out' | 'plot' | 'json' | 'quiet' | 'samples' | 'noise' | 'delimiter' | 'decimalComma' | 'stream' | 'memory' | 'validation' | 'naValues' | 'missing' | 'keep' | 'threads'> & { validation?: number; missing?: 'fill' | 'error'; keep?: readonly string[]; naValues?: readonly string[] }): LibraryTrainOptions {
  const pick = <K extends keyof typeof o>(...keys: K[]): Partial<Pick<typeof o, K>> =>
    Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]])) as Partial<Pick<typeof o, K>>;
  return {
    ...pick('task', 'bins', 'bagging', 'layers', 'activation', 'loss', 'optimizer', 'lr', 'epochs', 'batchSize', 'validation', 'earlyStopping', 'seed', 'backend', 'l1', 'l2', 'weightDecay', 'clipNorm', 'schedule', 'dropout', 'missing', 'keep', 'naValues'),
    ...(o.target ? { target: o.target.length === 1 ? o.target[0] : o.target } : {}),
    ...(o.classWeight ? { classWeight: o.classWeight === 'balanced' ? 'balanced' : Object.fromEntries(o.classWeight) } : {}),
  };
}

/** Whether to read the data in passes: when asked, or when it would not fit the memory budget. */
function shouldStream(data: string, o: TrainOptions): boolean {
  if (o.stream) {
    if (data === '-' || (!existsSync(data) && !isPattern(data))) {
      throw new UsageError(`--stream: reads a data file (or folder, or glob) in passes; ${data === '-' ? 'standard input' : `"${data}"`} cannot be streamed this way`, '--stream');
    }
    return true;
  }
  let bytes: number;
  try {
    bytes = statSync(data).size;
  } catch {
    return false; // standard input, a built-in data set or a glob: in memory
  }
  // The encoded data takes about what the text does; compressed files hold several times their size.
  const estimate = /\.(gz|parquet)$/i.test(data) ? 4 * bytes : bytes;
  return estimate > o.memory;
}

/**
 * How the products of a training batch will run, where it matters: null where every product is too small for the
 * backend's threads to start (a table's, nearly always) or the backend has one thread. Nothing is timed or started to say it.
 */
export function threadsLine(net: Network, rows: number): string | null {
  const k = net.kernels as Kernels & Partial<Pick<BlasKernels, 'threads' | 'pinned'>>;
  if (!k.planProduct || !k.threads || k.threads < 2) return null;
  const largest = Math.max(...net.layers.map((l) => rows * l.units * l.inputs));
  // Unpinned, the team's threads start only for products of TEAM_START_MULTIPLY_ADDS: a table's never do.
  if (largest < (k.pinned ? TIMED_MULTIPLY_ADDS : TEAM_START_MULTIPLY_ADDS)) return null;
  if (k.pinned) return `threads  every product on ${k.threads} BLAS threads (pinned by --threads or BACKPROP_THREADS)`;
  if (!k.step) return null;
  return `threads  training steps timed on this machine on 1 thread and on ${k.threads} (blocks of each product on the backend's threads), the faster kept; --threads N pins them`;
}

/**
 * The backend as the plan line names it: an unpinned BLAS backend says it times steps on 1 thread and on the
 * cores, which is true only where the products are large enough for the team to start; a table's network runs on
 * one thread throughout, and says so.
 */
export function kernelsLabel(net: Network, rows: number): string {
  const k = net.kernels as Kernels & Partial<Pick<BlasKernels, 'threads' | 'pinned'>>;
  const timed = /, 1–\d+ threads, timed per training step\)$/;
  if (!k.planProduct || k.pinned || !timed.test(k.name) || threadsLine(net, rows) !== null) return k.name;
  return k.name.replace(timed, ', 1 thread: products too small to share)');
}

/** After training: the way the steps' timing chose, and each way's step, where steps were timed. */
export function stepThreadsLine(kernels: Kernels, key: string): string | null {
  const plan = kernels.stepPlan?.(key);
  if (!plan || plan.how !== 'measured' || !plan.times) return null;
  const times = Object.entries(plan.times).map(([way, ms]) => `${way === '1' ? '1 thread' : way} ${ms < 1 ? `${(1000 * ms).toFixed(0)} µs` : `${ms.toPrecision(3)} ms`}`).join(', ');
  return `threads  training steps ran on ${plan.threads === 1 ? '1 thread' : `${plan.threads} threads${plan.team ? ' (the team\'s blocks)' : ''}`}: a step took ${times} (timed on this machine)`;
}

/** The default rule's report: when the run ended, and which epoch's weights the model holds and why. */
export function stopLine(stop: LossStop, history: History): string {
  const ran = history.epochsRun;
  const watched = stop.monitor === 'valLoss' ? 'validation loss' : 'training loss';
  const ended = history.stopReason === 'converged'
    ? `epoch ${ran}: the ${watched} fell less than ${stop.tolerance} below its best for ${stop.patience} epochs`
    : `epoch ${ran}: the cap on epochs`;
  // Patience counts from the last fall of at least the tolerance; falls smaller than it after that can still make
  // the lowest loss, kept.
  const small = history.stopReason === 'converged' && history.finalEpoch > ran - stop.patience ? `, reached by falls of less than ${stop.tolerance} each after epoch ${ran - stop.patience}` : '';
  const kept = stop.monitor === 'valLoss'
    ? `kept epoch ${history.finalEpoch}, the lowest validation loss (${+stop.best.toPrecision(4)})${small}`
    : `kept epoch ${history.finalEpoch}, the last (no validation rows to choose by)`;
  return `stopped  ${ended}; ${kept}`;
}

export async function train(data: string, o: TrainOptions, out: NodeJS.WriteStream, signal: AbortSignal): Promise<TrainResult> {
  // With --out - the model is what goes to standard output; the report then goes to stderr.
  const report = o.out === '-' ? process.stderr : out;
  const say = (line = ''): void => {
    // One line of the plan: a name from the file with a line break in it cannot start a line of its own.
    if (!o.quiet && !o.json) report.write(printable(line, Infinity) + '\n');
  };
  // An output that cannot be written is said now, not after the training it would have kept.
  checkOutputs([['--out', o.out], ['--plot', o.plot]], [data]);
  // Until the plan is made (reading the data, a streamed first pass) nothing is written and nothing reads the
  // signal: an interrupt ends the process at once (a gzip file's read ran on for minutes after a SIGTERM).
  const whileReading = (): void => {
    process.stderr.write('backprop: interrupted while reading the data; nothing was written\n');
    process.exit(EXIT_INTERRUPTED);
  };
  signal.addEventListener('abort', whileReading, { once: true });
  let frame: DataFrame | null = null;
  let plan: TrainingPlan;
  // --threads makes the backend itself (the library's own choice reads BACKPROP_THREADS).
  const library = { ...libraryOptions(o), ...(o.threads !== undefined ? { kernels: await createKernels(o.backend, { threads: o.threads }) } : {}) };
  const streamed = (): Promise<TrainingPlan> => planStreamedTraining(data, { delimiter: o.delimiter, decimalComma: o.decimalComma, naValues: o.naValues }, library, o.memory);
  if (shouldStream(data, o)) {
    plan = await streamed();
  } else {
    try {
      frame = await loadFrame(data, { samples: o.samples, noise: o.noise, seed: o.seed }, { delimiter: o.delimiter, decimalComma: o.decimalComma, naValues: o.naValues, memory: o.memory });
    } catch (e) {
      // More rows than its size said (a compressed file, mostly): read in passes after all, as --memory promises.
      if (!(e instanceof OverMemory)) throw e;
      say(`data     ${data}: too large for --memory ${formatBytes(o.memory)} once read; streamed`);
    }
    if (!frame) plan = await streamed();
    else {
      try {
        plan = await planTraining(frame, library);
      } catch (e) {
        // The library names its options; here they are flags.
        // Given, it is the command line's mistake (exit 2); the default's, the data's (exit 1: too few rows).
        if (e instanceof OptionError && e.option === 'validation') {
          if (o.validation !== undefined) throw new UsageError(asFlags(e.message, 'validation'), '--validation');
          throw new BackpropError(`${data}: the default validation share ${asFlags(e.message, 'validation').replace(/^validation: /, '').replace(/^--validation: /, '')}`, 'validation');
        }
        // So with the default's networks: a target of one class a row, say (a price read as text), is the data's.
        if (e instanceof OptionError && e.option === 'bagging' && o.bagging === undefined) {
          throw new BackpropError(`${data}: the default's ${asFlags(e.message, 'bagging').replace(/^--bagging: /, '')}`, 'bagging');
        }
        throw e;
      }
      // The columns are in the plan's matrices now; only a plot of the data points needs them again.
      if (!o.plot) frame = null;
    }
  }
  signal.removeEventListener('abort', whileReading);
  const { source, rows, trainingRows, validationRows, prep, network: first, options: s, members } = plan;
  const net = first;
  const target = prep.target!;
  const classes = target.task === 'classification' ? target.classes : null;
  const loss = net.loss.name;

  const numeric = prep.features.filter((f) => f.type === 'numeric').length;
  const dates = prep.features.filter((f) => f.type === 'date');
  const text = prep.features.length - numeric - dates.length;
  const parts = [...new Set(dates.flatMap((f) => f.parts))].map((p) => DATE_PART_NAMES[p]).join(', ');
  const binned = prep.piecewise?.columns.length ?? 0;
  const bins = binned ? Math.max(...prep.piecewise!.columns.map((c) => c.edges.length - 1)) : 0;
  // Each kind of feature the table has, none that it has not ("0 numeric, standardized" said nothing).
  const kinds = [
    numeric ? `${numeric} numeric, standardized` : '', text ? `${text} text, one-hot encoded` : '', dates.length ? `${dates.length} date${dates.length === 1 ? '' : 's'}: ${parts}` : '',
    binned ? `${binned} scaled input${binned === 1 ? '' : 's'} piecewise-linear over up to ${bins} bins${prep.piecewise!.value ? ', each beside its value' : ''}` : '',
  ].filter(Boolean).join('; ');
  say(`data     ${source}: ${rows} rows, ${prep.features.length} features (${kinds}) → ${net.inputs} inputs${plan.streamed ? ', streamed from the file' : ''}`);
  const notes = tableNotes(plan, plan.rows);
  if (notes.missing) say(`missing  ${notes.missing}`);
  for (const line of notes.leftOut) say(`columns  ${line}`);
  for (const line of notes.notDates) say(`columns  ${line}`);
  for (const line of notes.mixed) say(`columns  ${line}`);
  const targetNames = targetColumns(target).map((c) => c.name);
  say(`target   ${targetNames.join(', ')}: ${classes ? `classification, ${classes.length} classes (${classes.slice(0, 10).join(', ')}${classes.length > 10 ? ', …' : ''})` : targetNames.length > 1 ? `regression, ${targetNames.length} outputs` : 'regression'}${notes.task ? `: ${notes.task}` : ''}`);
  if (members > 1) say(`split    ${trainingRows} rows in ${members} folds (seed ${o.seed}): network k trains on the others and holds out fold k, about ${Math.round(trainingRows / members)} rows`);
  else say(`split    ${trainingRows} training rows, ${validationRows} validation rows (seed ${o.seed})`);
  const watched = members > 1 || validationRows ? 'validation' : 'training';
  // The networks fit trains, as the plan has them (model/train.ts baggedRuns): the mixed set, one per fold, then on a
  // small table a second network on the values for each fold whose first reads the bins.
  const runs = plan.runs ?? [];
  const unbinned = runs.slice(0, members).flatMap((r, k) => (r.unbinned ? [k + 1] : []));
  const again = runs.slice(members).map((r) => r.fold + 1);
  // The network on the values for fold k (from 0): its first, or its second.
  const valuesRun = (k: number): number => (runs[k].unbinned ? k : runs.findIndex((r, i) => i >= members && r.fold === k));
  say(`network  ${members > 1 ? `${members} × ` : ''}${[net.inputs, ...net.layers.map((l) => l.units)].join('-')} (${net.layers.map((l) => l.activation.name).join(', ')}), loss ${loss}, ${o.optimizer} η=${s.lr}, batch ${o.batchSize}, ${s.stop ? `up to ${s.epochs} epochs (until the ${watched} loss stops falling)` : `${s.epochs} epoch${s.epochs === 1 ? '' : 's'}`}, ${kernelsLabel(net, Math.min(o.batchSize, trainingRows))} kernels${unbinned.length ? `; network${unbinned.length === 1 ? '' : 's'} ${unbinned.join(', ')} on the ${encodedWidth(prep.features)} values without their bins${again.length ? `, and ${again.map((_, i) => members + i + 1).join(', ')} on the values for fold${again.length === 1 ? '' : 's'} ${again.join(', ')} (${members + again.length} networks; the ${members} of the lower out-of-fold loss kept)` : ''}` : ''}${members > 1 ? `; averaged into one network of ${net.layers.slice(0, -1).map((l) => l.units * members).join('-') || 'no hidden'} units` : ''}`);
  const threads = threadsLine(net, Math.min(o.batchSize, trainingRows));
  if (threads) say(threads);
  const steps = stepKey(net);
  const controls = [
    o.optimizer === 'adamw' ? `weight decay ${o.weightDecay ?? 0.01}` : '', o.l1 ? `l1 ${o.l1}` : '', s.l2 ? `l2 ${+s.l2.toPrecision(3)}${o.l2 === undefined ? (s.l2 === defaultL2(trainingRows, s.optimizer, target.task) ? ' (3/n)' : ` (${DEFAULT_L2_BOUND[target.task]}/Σw² of the initial weights, below 3/n)`) : ''}` : '',
    o.clipNorm ? `gradients clipped to norm ${o.clipNorm}` : '',
    o.dropout ? `dropout ${o.dropout.join(',')}` : '',
    o.classWeight ? `class weights ${o.classWeight === 'balanced' ? 'balanced' : [...o.classWeight].map(([k, v]) => `${k}=${v}`).join(',')}` : '',
    s.schedule ? `η ${s.schedule.type === 'step' ? `× ${s.schedule.factor} every ${s.schedule.every} epochs` : s.schedule.type === 'exponential' ? `× ${s.schedule.rate} each epoch` : s.schedule.type === 'cosine' ? `cosine down to ${s.schedule.minimum ?? 0}` : `× ${s.schedule.factor ?? 0.1} after ${s.schedule.patience ?? 10} epochs without a better ${validationRows ? 'validation ' : ''}loss`}` : '',
  ].filter(Boolean);
  if (controls.length) say(`controls ${controls.join(', ')}`);

  // Each kept network by the number its progress had, in fold order (fit chooses them before a second round).
  const keptRun = (k: number): number => (plan.bagChoice?.kept === 'values' ? valuesRun(k) : k);
  // A bagged run's networks by name: which fold each holds out, and what it reads where some read the bins; then
  // on a small table the kept ones again, on every row.
  const label = (j: number): string => j < runs.length
    ? `network ${j + 1}/${runs.length} (fold ${runs[j].fold + 1}${unbinned.length ? (runs[j].unbinned ? ', values' : ', bins') : ''})`
    : `network ${keptRun(j - runs.length) + 1} again, on all ${trainingRows} rows (${j - runs.length + 1}/${members})`;
  const history = await plan.fit({ callbacks: o.quiet || o.json ? [] : [progressCallback(report, runs.length ? label : [])], signal });
  if (history.stopReason === 'aborted') return interrupted(`in epoch ${history.epochsRun + 1}`, o);
  const reads = (j: number): 'bins' | 'values' => (prep.piecewise && !runs[j]?.unbinned ? 'bins' : 'values');
  if (plan.memberRuns) {
    plan.memberRuns.forEach((run, k) => {
      const name = `network ${keptRun(k) + 1} (fold ${k + 1})`;
      if (run.history.stopReason === 'early-stopping') say(`${name}: stopped early at epoch ${run.history.epochsRun}; kept epoch ${run.history.finalEpoch}`);
      else if (run.stop) say(`${name}: ${stopLine(run.stop, run.history).replace(/^stopped +/, 'stopped ')}`);
    });
    const c = plan.bagChoice;
    const valuesSet = Array.from({ length: members }, (_, k) => valuesRun(k) + 1);
    if (c) {
      say(c.kept === 'values'
        ? `kept     networks ${valuesSet.join(', ')}, the values alone: out-of-fold loss ${c.values.toFixed(4)} against ${c.mixed.toFixed(4)} with ${again.join(', ')} on the bins`
        : `kept     networks ${again.join(', ')} on the bins and ${unbinned.join(', ')} on the values: out-of-fold loss ${c.mixed.toFixed(4)} against ${c.values.toFixed(4)} for ${valuesSet.join(', ')}, the values alone`);
    }
    if (plan.refit) say(`refit    each kept network trained again from its start on all ${plan.refit.rows} rows for its kept epochs (${plan.refit.epochs.join(', ')})`);
  } else if (history.stopReason === 'early-stopping') say(`stopped early: validation loss stopped improving; kept the weights of epoch ${history.finalEpoch}`);
  else if (plan.stop) say(stopLine(plan.stop, history));
  const stepLine = stepThreadsLine(net.kernels, steps);
  if (stepLine) say(stepLine);
  const { train: trainMetrics, validation: valMetrics } = plan.metrics(history);

  // Every output is written whole beside its target first; only when all are, and no interrupt came
  // meanwhile, are they renamed into place. A failure or Ctrl-C before that leaves every old file as it was.
  // With bagging the plan's network is now the members' average.
  const model = plan.network;
  const modelText = o.out ? stringifyModel(model, prep) : '';
  const staged: StagedFile[] = [];
  try {
    if (o.out && o.out !== '-') staged.push(stageFile(o.out, modelText));
    if (o.plot) {
      const boundary = frame && plan.split ? boundaryFor(model, prep, frame, plan.split.test) : undefined;
      staged.push(stageFile(o.plot, renderPlot({ title: `backprop train ${data}`, epochs: history.epochs, boundary })));
    }
  } catch (e) {
    discardFiles(staged);
    if (e instanceof BackpropError && staged.length > 0) {
      throw new BackpropError(`${e.message}, and ${staged.map((s) => s.path).join(' and ')} ${staged.length === 1 ? 'was' : 'were'} not written either`);
    }
    throw e;
  }
  // A signal is delivered between turns of the event loop: give it one before deciding.
  await new Promise((resolve) => setImmediate(resolve));
  if (signal.aborted) {
    discardFiles(staged);
    return interrupted('before the outputs were written', o);
  }
  commitFiles(staged);
  const plotWritten = o.plot !== undefined;
  // With --out -, the model itself is the output.
  if (o.out === '-') out.write(modelText);

  if (o.json) {
    out.write(JSON.stringify({
      data: {
        source, rows, features: prep.features.map((f) => f.name), inputs: model.inputs, target: target.name, ...(targetNames.length > 1 ? { targets: targetNames } : {}), task: target.task, classes,
        taskReason: plan.description.taskReason, missing: plan.description.missing, leftOut: plan.description.leftOut, notDates: plan.description.notDates,
        mixed: plan.description.mixed,
      },
      network: model.toSpec(),
      training: {
        trainRows: trainingRows, validationRows, epochs: s.epochs, learningRate: s.lr, batchSize: o.batchSize, l2: s.l2, stopReason: history.stopReason, finalEpoch: history.finalEpoch, epochsRun: history.epochsRun,
        ...(plan.memberRuns ? {
          // The top-level history is the first of these.
          bagging: plan.memberRuns.map((r, k) => ({
            network: keptRun(k) + 1, fold: k + 1, reads: reads(keptRun(k)), trainRows: r.rows, validationRows: r.validationRows, epochs: r.history.epochsRun, finalEpoch: r.history.finalEpoch, stopReason: r.history.stopReason,
            valLoss: r.history.epochs.find((e) => e.epoch === r.history.finalEpoch)?.valLoss ?? null,
          })),
        } : {}),
        ...(plan.bagChoice ? { bagChoice: plan.bagChoice } : {}),
        ...(plan.refit ? { refit: plan.refit } : {}),
      },
      metrics: { train: trainMetrics, validation: valMetrics },
      history: history.epochs,
      model: o.out && o.out !== '-' ? o.out : null,
      plot: plotWritten ? o.plot : null,
    }) + '\n');
  } else {
    say(`final    train ${formatMetrics(trainMetrics)}`);
    if (valMetrics) say(`         validation${members > 1 ? ' (out of fold)' : ''} ${formatMetrics(valMetrics)}`);
    say(o.out === '-' ? 'model    written to standard output' : o.out ? `model    written to ${o.out}` : 'model    not saved (add --out model.json to keep it)');
    if (plotWritten) say(`plot     written to ${o.plot}`);
  }
  return { interrupted: false };
}

function interrupted(when: string, o: TrainOptions): TrainResult {
  const kept = [o.out && o.out !== '-' ? o.out : null, o.plot ?? null].filter((f): f is string => f !== null);
  process.stderr.write(`backprop: interrupted ${when}; nothing was written${kept.length ? ` (${kept.join(' and ')} unchanged)` : ''}\n`);
  return { interrupted: true };
}

export function formatMetrics(m: Metrics): string {
  const parts = [`loss ${m.loss.toFixed(4)}`];
  if (m.accuracy !== undefined) parts.push(`accuracy ${(100 * m.accuracy).toFixed(1)}%`);
  if (m.mae !== undefined) parts.push(`MAE ${m.mae.toPrecision(4)}`, `RMSE ${Math.sqrt(m.mse!).toPrecision(4)}`, `R² ${Number.isNaN(m.r2) ? 'undefined (constant target)' : m.r2!.toFixed(3)}`);
  return parts.join('  ');
}

/** For two numeric features: the model's answer over a 60×60 grid of the input plane, and the data points. */
function boundaryFor(net: Network, prep: Preprocessing, frame: DataFrame, held: ArrayLike<number>): BoundaryPlot | undefined {
  const f = prep.features;
  const target = prep.target!;
  if (f.length !== 2 || f.some((x) => x.type !== 'numeric') || target.task !== 'classification') return undefined;
  const numbers = (name: string): Float64Array => (frame.columns.find((c) => c.name === name) as { values: Float64Array }).values;
  const xs = numbers(f[0].name), ys = numbers(f[1].name);
  const range = (v: Float64Array): [number, number] => {
    let lo = Infinity, hi = -Infinity;
    for (const x of v) {
      lo = Math.min(lo, x);
      hi = Math.max(hi, x);
    }
    return [lo - 0.05 * (hi - lo || 1), hi + 0.05 * (hi - lo || 1)];
  };
  const [x0, x1] = range(xs);
  const [y0, y1] = range(ys);
  const n = 60;
  const grid: number[][] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) grid.push(encodeRecord(prep, [x0 + ((j + 0.5) / n) * (x1 - x0), y1 - ((i + 0.5) / n) * (y1 - y0)]));
  }
  const outputs = toRows(net.predict(grid)).map((o) => decodeOutput(prep, o));
  const heldSet = new Set(Array.from(held));
  const classes = target.classes;
  const cells = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => {
    const d = outputs[i * n + j] as { label: string | number; probabilities: number[] };
    const cls = classes.indexOf(d.label);
    return { cls, p: d.probabilities[cls] };
  }));
  const { classIndex } = encodeFrameTargets(prep, frame);
  const points = Array.from({ length: frame.rows }, (_, r) => ({ x: xs[r], y: ys[r], cls: classIndex![r], held: heldSet.has(r) }));
  return { xLabel: f[0].name, yLabel: f[1].name, x0, x1, y0, y1, cells, classes: classes.map(String), points };
}
