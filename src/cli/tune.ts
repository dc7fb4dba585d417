// `backprop tune <data>`: the library's search (model/tune.ts) on trials run in worker threads (backprop/node's
// pool), its progress printed, and the winner trained as its trial was and written as train writes a model.
import '../node/tune-pool.js';
import { printableLines } from '../core/errors.js';
import { tune } from '../model/tune.js';
import type { HiddenActivation } from '../model/options.js';
import { UsageError } from './errors.js';
import { loadFrame } from '../node/read.js';
import { checkOutputs } from './options.js';
import { train, type TrainOptions } from './train.js';

export type TuneOptions = Omit<TrainOptions, 'layers' | 'activation' | 'lr' | 'batchSize' | 'l2' | 'dropout' | 'epochs' | 'target'> & {
  target?: string;
  trials: number;
  folds?: number;
  /** Milliseconds the search may take, its trials included. */
  budget?: number;
  epochs?: number;
  /** Worker threads; default one per core (never more than the cores). */
  workers?: number;
};

export { durationOption } from './options.js';

export async function tuneCommand(data: string, o: TuneOptions, out: NodeJS.WriteStream, signal: AbortSignal): Promise<boolean> {
  const say = (line: string): void => {
    if (!o.json && !o.quiet) out.write(printableLines(line) + '\n');
  };
  if (data === '-') throw new UsageError('tune: reads the data into every worker; give a file or a data set name, not standard input', 'data');
  // The search can take its budget's hours: an output it could not write is said before it starts.
  checkOutputs([['--out', o.out]], [data]);
  const frame = await loadFrame(data, { samples: o.samples, noise: o.noise, seed: o.seed }, { delimiter: o.delimiter, decimalComma: o.decimalComma, naValues: o.naValues });
  const result = await tune(frame, {
    trials: o.trials, folds: o.folds, epochs: o.epochs, budget: o.budget, workers: o.workers, target: o.target, task: o.task, seed: o.seed, backend: o.backend,
    missing: o.missing, ...(o.keep ? { keep: o.keep } : {}),
    onProgress: say, signal,
  });
  if (result.interrupted) {
    process.stderr.write(`backprop: interrupted during the search; nothing was written${o.out && o.out !== '-' ? ` (${o.out} unchanged)` : ''}\n`);
    return false;
  }
  const b = result.best!;
  const rows = result.rows;
  if (result.stoppedByBudget) {
    const cut = result.trials.filter((t) => t.cutShort).map((t) => t.trial);
    const unstarted = result.trials.filter((t) => t.score === null && !t.cutShort).length;
    say(`budget   reached: ${cut.length ? `${cut.length === 1 ? `trial ${cut[0]}` : `trials ${cut.join(', ')}`} cut short, ` : ''}${unstarted} trial${unstarted === 1 ? '' : 's'} that had not started left out`);
  }
  say(`best     trial ${b.trial}: ${b.flags === '' ? 'the defaults (no options)' : b.settings.l2 === null ? `the defaults with ${b.flags}` : b.flags}`);
  say(`         ${result.metric === 'accuracy' ? `accuracy ${(100 * b.score).toFixed(2)}%` : `R² ${b.score.toFixed(4)}`} on rows its networks did not train on`);
  let interrupted = false;
  if (o.out) {
    // Trained as its trial was, on the same rows with the same options, and written as train writes a model (the
    // defaults by the default rule: no l2 unless given); on a small table its kept networks then train again on
    // every row, as train's do (the trial's score is its fold networks').
    const w = b.options;
    const r = await train(data, {
      ...o, target: o.target ? [o.target] : undefined, bins: b.settings.bins, layers: b.settings.layers, activation: w.activation as HiddenActivation, lr: b.settings.lr, batchSize: b.settings.batchSize,
      l2: w.l2, ...(typeof w.dropout === 'number' ? { dropout: [w.dropout] } : {}), epochs: w.epochs, bagging: w.bagging, validation: undefined,
      quiet: true, json: false, plot: undefined,
    }, out, signal);
    interrupted = r.interrupted;
    if (!interrupted) say(`model    written to ${o.out} (trained as trial ${b.trial} was, on the ${rows} rows of the data)`);
  }
  if (o.json) out.write(JSON.stringify({ ...result, model: o.out && !interrupted ? o.out : null }) + '\n');
  return !interrupted;
}
