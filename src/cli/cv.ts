// `backprop cv <data> --folds K`: the library's crossValidate (model/cv.ts) on a file or a built-in set, each
// fold's metrics printed as it is scored, then their mean ± standard deviation.
import { printable } from '../core/errors.js';
import { crossValidate } from '../model/cv.js';
import { loadFrame } from '../node/read.js';
import { formatMetrics, libraryOptions, type TrainOptions } from './train.js';
import type { Metrics } from '../model/train.js';

export type CvOptions = Omit<TrainOptions, 'validation' | 'earlyStopping' | 'out' | 'plot' | 'stream' | 'memory'> & { folds: number };

export async function cvCommand(data: string, o: CvOptions & { json: boolean; quiet: boolean }, out: NodeJS.WritableStream): Promise<void> {
  const say = (line: string): void => {
    if (!o.json && !o.quiet) out.write(printable(line, Infinity) + '\n');
  };
  say(`cv       ${data}: ${o.folds} stratified folds (seed ${o.seed}); each trains ${[...o.layers].join(',') || 'no hidden'} ${o.activation}${o.epochs ? ` for ${o.epochs} epochs` : ''}`);
  const frame = await loadFrame(data, { samples: o.samples, noise: o.noise, seed: o.seed }, { delimiter: o.delimiter, decimalComma: o.decimalComma, naValues: o.naValues });
  const { validation: _v, ...options } = libraryOptions(o);
  const result = await crossValidate(frame, { ...options, folds: o.folds, onFold: (k, m) => say(`fold ${String(k).padStart(2)}  ${formatMetrics(m)}`) });
  if (o.json) {
    out.write(JSON.stringify(result) + '\n');
    return;
  }
  const parts = (Object.keys(result.mean) as (keyof Metrics)[]).map((key) => {
    const [m, s] = [result.mean[key]!, result.std[key]!];
    if (key === 'r2' && Number.isNaN(m)) return 'R² undefined (constant target)';
    return key === 'accuracy' ? `accuracy ${(100 * m).toFixed(1)}% ± ${(100 * s).toFixed(1)}` : `${key === 'r2' ? 'R²' : String(key)} ${m.toPrecision(4)} ± ${s.toPrecision(2)}`;
  });
  say(`mean     ${parts.join('  ')}`);
}
