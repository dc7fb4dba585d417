// `backprop evaluate` and `backprop predict`: a saved model on labelled or new rows.
import { fromRows, toRows, type Matrix } from '../core/matrix.js';
import { encodeInputs, encodeTargets, unusedColumns } from '../data/columns.js';
import { decodeOutput, type Preprocessing } from '../data/preprocessing.js';
import { loadModel } from '../node/files.js';
import { evaluate } from '../train/fit.js';
import { classScores, confusionMatrix, classesOf as predictedClasses, regressionScores } from '../train/metrics.js';
import { BackpropError } from '../core/errors.js';
import { readTableFile, type Table } from './table.js';
import { UsageError } from './errors.js';
import type { Network } from '../nn/network.js';

export interface PredictOptions {
  /** Input columns copied into the output, before the predictions. */
  keep?: string[];
  /** Significant digits of probabilities and regression values. */
  digits: number;
  json: boolean;
}

/** Names, once, the columns a model does not use; they are left out. */
function noteUnused(prep: Preprocessing, table: Table, skip: readonly string[] = []): void {
  const unused = unusedColumns(prep, table).filter((c) => !skip.includes(c));
  if (unused.length) process.stderr.write(`backprop: ${table.source}: not used by the model, left out: ${unused.join(', ')}\n`);
}

/** Every output finite, or an error: a model whose weights overflow must not print NaN and succeed. */
function checkFinite(outputs: Matrix, modelPath: string): void {
  const bad = outputs.data.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) {
    throw new BackpropError(`${modelPath}: the network's output for row ${Math.floor(bad / outputs.cols) + 1} is ${outputs.data[bad]}, not a finite number; ` +
      'its weights are too large for its dtype or the input is far outside the training data');
  }
}

function modelWithPreprocessing(path: string): { network: Network; prep: Preprocessing } {
  const { network, preprocessing } = loadModel(path);
  if (!preprocessing) {
    throw new BackpropError(`${path}: this model has no column description (it was not trained from a CSV file), so it cannot read CSV data`);
  }
  return { network, prep: preprocessing };
}

export function evaluateCommand(modelPath: string, dataPath: string, json: boolean, out: NodeJS.WriteStream): void {
  const { network, prep } = modelWithPreprocessing(modelPath);
  const table = readTableFile(dataPath);
  const x = encodeInputs(prep, table);
  const { y, classIndex } = encodeTargets(prep, table);
  noteUnused(prep, table);
  const target = prep.target!;
  const predictions = network.predict(x);
  checkFinite(predictions, modelPath);
  const { loss, accuracy } = evaluate(network, x, y, { accuracy: target.task === 'classification' });
  if (target.task === 'classification' && classIndex) {
    const predicted = predictedClasses(predictions);
    const confusion = confusionMatrix(classIndex, predicted, target.classes.length);
    const scores = classScores(confusion);
    if (json) {
      out.write(JSON.stringify({ rows: x.length, loss, accuracy, classes: target.classes, confusion, perClass: scores }) + '\n');
      return;
    }
    const names = target.classes.map(String);
    const width = Math.max(9, ...names.map((n) => n.length)) + 2;
    out.write(`${table.source}: ${x.length} rows\nloss      ${loss.toFixed(4)}\naccuracy  ${(100 * accuracy!).toFixed(2)}%\n\n`);
    out.write(`confusion matrix (rows: true class, columns: predicted)\n${''.padEnd(width)}${names.map((n) => n.padStart(width)).join('')}\n`);
    confusion.forEach((r, i) => out.write(`${names[i].padEnd(width)}${r.map((v) => String(v).padStart(width)).join('')}\n`));
    out.write(`\n${'class'.padEnd(width)}${['precision', 'recall', 'f1', 'support'].map((h) => h.padStart(11)).join('')}\n`);
    scores.forEach((s, i) => out.write(`${names[i].padEnd(width)}${[s.precision, s.recall, s.f1].map((v) => v.toFixed(3).padStart(11)).join('')}${String(s.support).padStart(11)}\n`));
    return;
  }
  const unscale = (r: number[]) => [(decodeOutput(prep, r) as { value: number }).value];
  const scores = regressionScores(fromRows(y.map(unscale), 'float64'), fromRows(toRows(predictions).map(unscale), 'float64'));
  if (json) {
    out.write(JSON.stringify({ rows: x.length, loss, ...scores }) + '\n');
    return;
  }
  out.write(`${table.source}: ${x.length} rows\nloss  ${loss.toFixed(4)}\nMSE   ${scores.mse.toPrecision(5)}\nMAE   ${scores.mae.toPrecision(5)}\nR²    ${scores.r2.toFixed(4)}\n`);
}

const csvCell = (v: string | number): string => {
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export function predictCommand(modelPath: string, dataPath: string, o: PredictOptions, out: NodeJS.WriteStream): void {
  const { network, prep } = modelWithPreprocessing(modelPath);
  const table = readTableFile(dataPath);
  const keep = o.keep ?? [];
  const target = prep.target;
  const name = target?.name ?? 'prediction';
  if (keep.includes(name)) throw new UsageError(`--keep: "${name}" is the name of the prediction column; keep another column`, '--keep');
  const keepIndex = keep.map((name) => {
    const j = table.header.indexOf(name);
    if (j < 0) throw new UsageError(`--keep: ${table.source} has no column "${name}"; its columns are: ${table.header.join(', ')}`, '--keep');
    return j;
  });
  const predictions = network.predict(encodeInputs(prep, table));
  checkFinite(predictions, modelPath);
  noteUnused(prep, table, keep);
  const outputs = toRows(predictions).map((r) => decodeOutput(prep, r));
  const round = (v: number): number => Number(v.toPrecision(o.digits));
  const kept = (i: number): string[] => keepIndex.map((j) => table.rows[i][j]);
  const lines: string[] = [];
  if (target?.task === 'classification') {
    const classes = target.classes;
    if (o.json) {
      const rows = outputs.map((d, i) => {
        const { label, probabilities } = d as { label: string | number; probabilities: number[] };
        return {
          ...Object.fromEntries(keep.map((k, c) => [k, kept(i)[c]])),
          [name]: label,
          probabilities: Object.fromEntries(classes.map((c, k) => [String(c), round(probabilities[k])])),
        };
      });
      out.write(JSON.stringify(rows) + '\n');
      return;
    }
    lines.push([...keep, name, ...classes.map((c) => `p(${c})`)].map(csvCell).join(','));
    outputs.forEach((d, i) => {
      const { label, probabilities } = d as { label: string | number; probabilities: number[] };
      lines.push([...kept(i).map(csvCell), csvCell(label), ...probabilities.map((p) => String(round(p)))].join(','));
    });
  } else {
    const values = outputs.map((d) => round((d as { value: number }).value));
    if (o.json) {
      out.write(JSON.stringify(values.map((v, i) => ({ ...Object.fromEntries(keep.map((k, c) => [k, kept(i)[c]])), [name]: v }))) + '\n');
      return;
    }
    lines.push([...keep, name].map(csvCell).join(','));
    values.forEach((v, i) => lines.push([...kept(i).map(csvCell), String(v)].join(',')));
  }
  out.write(lines.join('\n') + '\n');
}
