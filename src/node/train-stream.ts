// Training on a file larger than memory, as a TrainingPlan (model/train.ts): the preprocessing from a first pass
// over the file (streaming.ts), then every epoch read again through a seeded shuffle buffer. The defaults are the
// same as in memory: the piecewise-linear bins, and bagged networks (each row's fold from a seeded hash of its
// number), each stopped on its own fold, trained again on every row on a small file, and averaged into one network
// at the end.
import { BackpropError } from '../core/errors.js';
import { checkTrainOptions, resolveOptions, settle, sumOfSquaredWeights, trainingControls, OptionError, DEFAULTS, baggingFor, BAGGING_MAX_ROWS, REFIT_MAX_ROWS, type TrainOptions } from '../model/options.js';
import { averageInputs, baggedRuns, checkAverage, chooseBagged, keptLoss, networkFor, withoutPiecewise, type BagChoice, type BaggedRun, type Metrics, type TrainingPlan } from '../model/train.js';
import { averageNetworks } from '../nn/ensemble.js';
import type { Network } from '../nn/network.js';
import { LossStop, type EpochLogs, type History } from '../train/callbacks.js';
import { fitBatches } from '../train/batches.js';
import type { DuckReadOptions } from './readers/duckdb.js';
import { foldOf, rowPart, scanForTraining, trainingBatches, validationBatches } from './streaming.js';

/** A plan that reads `path` in passes; `memory` bytes bound what it holds (a quarter of it is the shuffle buffer). */
export async function planStreamedTraining(path: string, read: DuckReadOptions, options: TrainOptions, memory: number): Promise<TrainingPlan> {
  const t = checkTrainOptions(options);
  if (Array.isArray(t.target) && t.target.length > 1) throw new OptionError('target: several targets (a multi-output regression) need the data in memory; drop --stream or raise --memory', 'target');
  if (t.callbacks?.length || t.onEpoch) throw new BackpropError('planStreamedTraining: give callbacks to fit, not to the plan', 'callbacks');
  const o = resolveOptions(t);
  let members = baggingFor(o, t.validation);
  // Bagged networks hold out their folds; the scan then fits the preprocessing on every row.
  const target = Array.isArray(t.target) ? t.target[0] : (t.target as string | undefined);
  const scan = (validation: number): ReturnType<typeof scanForTraining> =>
    scanForTraining(path, path, { ...read, ...(o.naValues ? { naValues: o.naValues } : {}) }, { target, task: o.task, validation, seed: o.seed, missing: o.missing, keep: o.keep, bins: o.bins });
  let scanned = await scan(members > 1 ? 0 : t.validation ?? DEFAULTS.validation);
  // As in memory, the default's networks fit the rows (at least two); past BAGGING_MAX_ROWS rows the default is one
  // network with the validation share, whose preprocessing is fitted without those rows: a second first pass.
  if (o.bagging === undefined && members > 1 && scanned.rows > BAGGING_MAX_ROWS) {
    members = 1;
    scanned = await scan(t.validation ?? DEFAULTS.validation);
  }
  if (o.bagging === undefined && members > 1) members = Math.max(2, Math.min(members, Math.floor(scanned.rows / 2)));
  const counts = new Array<number>(members).fill(0);
  if (members > 1) {
    for (let r = 0; r < scanned.rows; r++) counts[foldOf(r, o.seed, members)]++;
    if (counts.some((c) => c === 0 || c === scanned.rows)) throw new OptionError(`bagging: ${members} networks each hold out a fold of the rows; ${path} has ${scanned.rows} rows, too few; use fewer networks, or bagging 1`, 'bagging');
  }
  const nets: Network[] = [];
  // As in memory, every second network reads the values without their bins, and each fold whose network reads the
  // bins gets a second one on the values; fit keeps the set of the lower out-of-fold loss (model/train.ts baggedRuns).
  const trained: BaggedRun[] = members > 1 ? baggedRuns(scanned.prep, members, scanned.rows) : [{ fold: 0, unbinned: false }];
  const plain = withoutPiecewise(scanned.prep);
  const prepOf = (j: number): typeof plain => (trained[j].unbinned ? plain : scanned.prep);
  for (let j = 0; j < trained.length; j++) nets.push(await networkFor(prepOf(j), { ...o, seed: o.seed + trained[j].fold }, { source: path, rows: 0 }));
  checkAverage(nets, members);
  const trainRowsOf = (k: number): number => (members > 1 ? scanned.rows - counts[k] : scanned.trainRows);
  const settled = nets.map((net, j) => settle(o, trainRowsOf(trained[j].fold), scanned.prep.target!.task, sumOfSquaredWeights(net.parameters), members > 1));
  const stops = settled.map((s) => (s.stop ? new LossStop(s.stop) : null));
  const controls = trainingControls(settled[0], scanned.prep);
  // The shuffle buffer takes a quarter of the budget (its float32 inputs and targets).
  const bufferRows = Math.max(o.batchSize, Math.floor(memory / 4 / ((nets[0].inputs + nets[0].outputs) * 4)));
  let merged: Network | null = null;
  let runs: NonNullable<TrainingPlan['memberRuns']> | undefined;
  let choice: BagChoice | undefined;
  const kept = (history: History): EpochLogs | undefined => history.epochs.find((e) => e.epoch === history.finalEpoch) ?? history.epochs[history.epochs.length - 1];
  const last = (history: History, validation: boolean): Metrics | null => {
    const e = members > 1 ? kept(history) : history.epochs[history.epochs.length - 1];
    if (!e) return null;
    if (validation) return e.valLoss === undefined ? null : { loss: e.valLoss, ...(e.valAccuracy !== undefined ? { accuracy: e.valAccuracy } : {}) };
    return { loss: e.loss, ...(e.accuracy !== undefined ? { accuracy: e.accuracy } : {}) };
  };
  /** The members' figures at their kept epochs, weighed by their rows (validation: out of fold). */
  const pooled = (validation: boolean): Metrics | null => {
    const parts = (runs ?? []).map((r, k) => ({ m: last(r.history, validation), w: validation ? counts[k] : trainRowsOf(k) }));
    if (parts.length === 0 || parts.some((p) => !p.m)) return null;
    const total = parts.reduce((a, p) => a + p.w, 0);
    const loss = parts.reduce((a, p) => a + p.w * p.m!.loss, 0) / total;
    const accuracy = parts.every((p) => p.m!.accuracy !== undefined) ? parts.reduce((a, p) => a + p.w * p.m!.accuracy!, 0) / total : undefined;
    return { loss, ...(accuracy !== undefined ? { accuracy } : {}) };
  };
  const plan: TrainingPlan = {
    source: path, rows: scanned.rows, trainingRows: members > 1 ? scanned.rows : scanned.trainRows, validationRows: members > 1 ? 0 : scanned.validationRows, prep: scanned.prep,
    get network() {
      return merged ?? nets[0];
    },
    members, ...(members > 1 ? { runs: trained } : {}), options: settled[0], streamed: true, stop: stops[0], description: scanned.description,
    get memberRuns() {
      return members > 1 ? runs : undefined;
    },
    get bagChoice() {
      return choice;
    },
    fit: async (f = {}) => {
      plan.refit = undefined;
      const done: NonNullable<TrainingPlan['memberRuns']> = [];
      for (let j = 0; j < trained.length; j++) {
        const net = nets[j], s = settled[j], k = trained[j].fold;
        const part = members > 1 ? rowPart(o.seed, { folds: members, fold: k }) : rowPart(o.seed, { validation: scanned.validation });
        const data = { ...scanned, prep: prepOf(j) };
        const history = await fitBatches(net, trainingBatches({ ...data, seed: o.seed + k }, net.inputs, net.outputs, o.batchSize, bufferRows, part), {
          epochs: s.epochs, ...(j === 0 ? controls : trainingControls(s, scanned.prep)), learningRate: s.lr, earlyStopping: t.earlyStopping,
          callbacks: [...(stops[j] ? [stops[j]!] : []), ...(f.callbacks ?? [])], signal: f.signal ?? t.signal,
          validationBatches: members > 1 || scanned.validation > 0 ? validationBatches(data, net.inputs, net.outputs, part) : undefined,
        });
        done.push({ history, stop: stops[j], rows: trainRowsOf(k), validationRows: members > 1 ? counts[k] : scanned.validationRows });
        if (history.stopReason === 'aborted') break;
      }
      runs = done.slice(0, members);
      if (members > 1 && done.length === trained.length && done[done.length - 1].history.stopReason !== 'aborted') {
        const { kept: keep, choice: chosen } = chooseBagged(trained, done.map((r) => keptLoss(r.history)), counts);
        choice = chosen;
        runs = keep.map((j) => done[j]);
        const inputs = averageInputs(scanned.prep, keep.map((j) => trained[j].unbinned));
        // As in memory, on a small table each kept network trains again from its start on every row, for its kept epochs.
        const finals = keep.map((j) => nets[j]);
        if (scanned.rows <= REFIT_MAX_ROWS && f.refit !== false) {
          const epochs = runs.map((r) => Math.max(1, r.history.finalEpoch));
          for (const [i, j] of keep.entries()) {
            const k = trained[j].fold;
            const net = await networkFor(prepOf(j), { ...o, seed: o.seed + k }, { source: path, rows: 0 });
            const s = settle(o, scanned.rows, scanned.prep.target!.task, sumOfSquaredWeights(net.parameters), true);
            const history = await fitBatches(net, trainingBatches({ ...scanned, prep: prepOf(j), seed: o.seed + k }, net.inputs, net.outputs, o.batchSize, bufferRows, rowPart(o.seed, { validation: 0 })), {
              epochs: epochs[i], ...trainingControls(s, scanned.prep), learningRate: s.lr, signal: f.signal ?? t.signal,
            });
            if (history.stopReason === 'aborted') {
              merged = averageNetworks(keep.map((j2) => nets[j2]), { inputs });
              return { ...runs[0].history, stopReason: 'aborted' };
            }
            finals[i] = net;
          }
          plan.refit = { rows: scanned.rows, epochs };
        }
        merged = averageNetworks(finals, { inputs });
      }
      return (runs[0] ?? done[0]).history;
    },
    metrics: (history) => (members > 1
      ? { train: pooled(false)!, validation: pooled(true) }
      : { train: last(history, false)!, validation: last(history, true) }),
  };
  return plan;
}
