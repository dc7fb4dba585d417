// Training progress for a person: a progress bar on a terminal, plain periodic lines elsewhere (CI, pipes).
import cliProgress from 'cli-progress';
import type { Callback, EpochLogs } from '../train/callbacks.js';

export function describeEpoch(e: EpochLogs): string {
  const parts = [`loss ${e.loss.toFixed(4)}`];
  if (e.accuracy !== undefined) parts.push(`accuracy ${(100 * e.accuracy).toFixed(1)}%`);
  if (e.valLoss !== undefined) parts.push(`val loss ${e.valLoss.toFixed(4)}`);
  if (e.valAccuracy !== undefined) parts.push(`val accuracy ${(100 * e.valAccuracy).toFixed(1)}%`);
  return parts.join('  ');
}

/**
 * Training progress. With `labels` (a bagged run's networks, in the order they train), each network's epochs come
 * under its own label, so that eight runs of "epoch 1/300" say whose they are.
 */
export function progressCallback(stream: NodeJS.WriteStream, labels: readonly string[] = []): Callback {
  let run = -1;
  const label = (): string => labels[run] ?? '';
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: '  {label}{bar} epoch {value}/{total}  {metrics}', barsize: 24, hideCursor: true, clearOnComplete: false, stream },
      cliProgress.Presets.shades_classic,
    );
    return {
      onTrainBegin: (control) => {
        run++;
        bar.start(control.epochs, 0, { metrics: '', label: label() ? `${label()}  ` : '' });
      },
      onEpochEnd: (logs) => bar.update(logs.epoch, { metrics: describeEpoch(logs) }),
      onTrainEnd: () => bar.stop(),
    };
  }
  let every = 1;
  return {
    onTrainBegin: (control) => {
      run++;
      if (label()) stream.write(`  ${label()}\n`);
      every = Math.max(1, Math.round(control.epochs / 10));
    },
    onEpochEnd: (logs, control) => {
      if (logs.epoch === 1 || logs.epoch % every === 0 || logs.epoch === control.epochs) {
        stream.write(`  epoch ${String(logs.epoch).padStart(String(control.epochs).length)}/${control.epochs}  ${describeEpoch(logs)}\n`);
      }
    },
  };
}
