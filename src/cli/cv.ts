// `backprop cv <data> --folds K`: the library's crossValidate (model/cv.ts) on a file or a built-in set, each
// fold's metrics printed as it is scored, then their mean ± standard deviation.
import { printable } from '../core/errors.js';
import { crossValidate } from '../model/cv.js';
import { loadFrame } from '../node/read.js';
import { describeFrame } from '../data/frame.js';
import { formatMetrics, libraryOptions, type TrainOptions } from './train.js';
import type { Metrics } from '../model/train.js';

export type CvOptions = Omit<TrainOptions, 'validation' | 'earlyStopping' | 'out' | 'plot' | 'stream' | 'memory'> & { folds: number };

export async function cvCommand(data: string, o: CvOptions & { json: boolean; quiet: boolean }, out: NodeJS.WritableStream): Promise<void> {
  const say = (line: string): void => {
    if (!o.json && !o.quiet) out.write(printable(line, Infinity) + '\n');
  };
  const frame = await loadFrame(data, { samples: o.samples, noise: o.noise, seed: o.seed }, { delimiter: o.delimiter, decimalComma: o.decimalComma, naValues: o.naValues });
  // Folds keep each class's share for classes; a regression's are dealt plainly (crossValidate's rule).
  const task = describeFrame(frame, o.target && (o.target.length === 1 ? o.target[0] : o.target), o.task, { keep: o.keep, missing: o.missing }).target.task;
  const hidden = [...o.layers].join('-');
  say(`cv       ${data}: ${o.folds} ${task === 'classification' ? 'stratified ' : ''}folds (seed ${o.seed}); each trains ${hidden ? `a network of ${hidden} ${o.activation} units` : 'a network with no hidden layer'}${o.epochs ? ` for ${o.epochs} epochs` : ''}`);
  const { validation: _v, ...options } = libraryOptions(o);
  const result = await crossValidate(frame, { ...options, folds: o.folds, onFold: (k, m) => say(`fold ${String(k).padStart(2)}  ${formatMetrics(m)}`) });
  if (o.json) {
    out.write(JSON.stringify(result) + '\n');
    return;
  }
  // Named as the fold lines name them (MAE, RMSE, R²); RMSE's mean and spread are over the folds' RMSE.
  const rmse = result.folds.map((f) => Math.sqrt(f.metrics.mse ?? NaN));
  const rmseMean = rmse.reduce((a, b) => a + b, 0) / rmse.length;
  const rmseStd = Math.sqrt(rmse.reduce((a, b) => a + (b - rmseMean) ** 2, 0) / rmse.length);
  const NAMES: Partial<Record<keyof Metrics, string>> = { mae: 'MAE', r2: 'R²' };
  const parts = (['loss', 'accuracy', 'mae', 'mse', 'r2'] as const).filter((key) => result.mean[key] !== undefined).map((key) => {
    const [m, s] = key === 'mse' ? [rmseMean, rmseStd] : [result.mean[key]!, result.std[key]!];
    if (key === 'r2' && Number.isNaN(m)) return 'R² undefined (constant target)';
    return key === 'accuracy' ? `accuracy ${(100 * m).toFixed(1)}% ± ${(100 * s).toFixed(1)}` : `${key === 'mse' ? 'RMSE' : NAMES[key] ?? String(key)} ${m.toPrecision(4)} ± ${s.toPrecision(2)}`;
  });
  say(`mean     ${parts.join('  ')}`);
}
