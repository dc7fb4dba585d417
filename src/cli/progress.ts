// Training progress for a person: a progress bar on a terminal, plain periodic lines elsewhere (CI, pipes).
import cliProgress from 'cli-progress';
import type { Callback, EpochLogs } from '../train/callbacks.js';

/** An epoch's figures, each with its name and a rank: the figure a narrow terminal keeps longest has the highest. */
function epochFigures(e: EpochLogs): { text: string; rank: number }[] {
  const figures = [{ text: `loss ${e.loss.toFixed(4)}`, rank: 2 }];
  if (e.accuracy !== undefined) figures.push({ text: `accuracy ${(100 * e.accuracy).toFixed(1)}%`, rank: 0 });
  if (e.valLoss !== undefined) figures.push({ text: `val loss ${e.valLoss.toFixed(4)}`, rank: 3 });
  if (e.valAccuracy !== undefined) figures.push({ text: `val accuracy ${(100 * e.valAccuracy).toFixed(1)}%`, rank: 1 });
  return figures;
}

export function describeEpoch(e: EpochLogs): string {
  return epochFigures(e).map((f) => f.text).join('  ');
}

const BAR = 24, NARROWEST_BAR = 10;

/**
 * The progress bar's line on a terminal `width` columns wide. A line as wide as the terminal or wider would be cut
 * (or wrap and repeat at every redraw), so it keeps to width − 1: the bar shrinks first, down to 10 cells, then the
 * figures go, accuracy first and the validation loss last; a label longer than all that is cut.
 */
export function barLine(label: string, epoch: number, epochs: number, logs: EpochLogs | null, width: number): string {
  const room = Math.max(1, width - 1);
  const figures = logs ? epochFigures(logs) : [];
  let size = BAR;
  const line = (): string => {
    const filled = epochs > 0 ? Math.round((size * Math.min(epoch, epochs)) / epochs) : 0;
    const shown = figures.map((f) => f.text).join('  ');
    return `  ${label ? `${label}  ` : ''}${'\u2588'.repeat(filled)}${'\u2591'.repeat(size - filled)} epoch ${epoch}/${epochs}${shown ? `  ${shown}` : ''}`;
  };
  while (line().length > room && size > NARROWEST_BAR) size--;
  while (line().length > room && figures.length > 0) figures.splice(figures.indexOf(figures.reduce((a, b) => (b.rank < a.rank ? b : a))), 1);
  return line().slice(0, room);
}

/**
 * Training progress. With `labels` (a bagged run's networks, in the order they train; or the label of run k, from
 * 0, asked for as it begins), each network's epochs come under its own label, so that eight runs of "epoch 1/300"
 * say whose they are.
 */
export function progressCallback(stream: NodeJS.WriteStream, labels: readonly string[] | ((run: number) => string) = []): Callback {
  let run = -1;
  let label = '';
  const begin = (): void => {
    run++;
    label = typeof labels === 'function' ? labels(run) : labels[run] ?? '';
  };
  if (stream.isTTY) {
    let logs: EpochLogs | null = null;
    const bar = new cliProgress.SingleBar({
      format: (_options, params) => barLine(label, params.value, params.total, logs, params.maxWidth),
      hideCursor: true, clearOnComplete: false, stream,
    });
    return {
      onTrainBegin: (control) => {
        begin();
        logs = null;
        bar.start(control.epochs, 0);
      },
      onEpochEnd: (e) => {
        logs = e;
        bar.update(e.epoch);
      },
      onTrainEnd: () => bar.stop(),
    };
  }
  let every = 1;
  return {
    onTrainBegin: (control) => {
      begin();
      if (label) stream.write(`  ${label}\n`);
      every = Math.max(1, Math.round(control.epochs / 10));
    },
    onEpochEnd: (logs, control) => {
      if (logs.epoch === 1 || logs.epoch % every === 0 || logs.epoch === control.epochs) {
        stream.write(`  epoch ${String(logs.epoch).padStart(String(control.epochs).length)}/${control.epochs}  ${describeEpoch(logs)}\n`);
      }
    },
  };
}
