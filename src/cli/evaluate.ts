// `backprop evaluate` and `backprop predict`: a saved model on labelled or new rows.
import { fromRows, toRows } from '../core/matrix.js';
import { encodeInputs, encodeTargets } from '../data/columns.js';
import { decodeOutput, type Preprocessing } from '../data/preprocessing.js';
import { loadModel } from '../node/files.js';
import { evaluate } from '../train/fit.js';
import { classScores, confusionMatrix, classesOf as predictedClasses, regressionScores } from '../train/metrics.js';
import { BackpropError } from '../core/errors.js';
import { readTableFile } from './table.js';
import type { Network } from '../nn/network.js';

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
  const target = prep.target!;
  const { loss, accuracy } = evaluate(network, x, y, { accuracy: target.task === 'classification' });
  if (target.task === 'classification' && classIndex) {
    const predicted = predictedClasses(network.predict(x));
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
  const scores = regressionScores(fromRows(y.map(unscale), 'float64'), fromRows(toRows(network.predict(x)).map(unscale), 'float64'));
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

export function predictCommand(modelPath: string, dataPath: string, json: boolean, out: NodeJS.WriteStream): void {
  const { network, prep } = modelWithPreprocessing(modelPath);
  const table = readTableFile(dataPath);
  const outputs = toRows(network.predict(encodeInputs(prep, table))).map((o) => decodeOutput(prep, o));
  const target = prep.target;
  const name = target?.name ?? 'prediction';
  if (target?.task === 'classification') {
    const classes = target.classes;
    if (json) {
      const rows = outputs.map((d) => {
        const { label, probabilities } = d as { label: string | number; probabilities: number[] };
        return { [name]: label, probabilities: Object.fromEntries(classes.map((c, k) => [String(c), probabilities[k]])) };
      });
      out.write(JSON.stringify(rows) + '\n');
      return;
    }
    out.write([name, ...classes.map((c) => `p(${c})`)].map(csvCell).join(',') + '\n');
    for (const d of outputs) {
      const { label, probabilities } = d as { label: string | number; probabilities: number[] };
      out.write([csvCell(label), ...probabilities.map((p) => String(p))].join(',') + '\n');
    }
    return;
  }
  const values = outputs.map((d) => (d as { value: number }).value);
  if (json) {
    out.write(JSON.stringify(values.map((v) => ({ [name]: v }))) + '\n');
    return;
  }
  out.write(csvCell(name) + '\n' + values.map((v) => `${v}\n`).join(''));
}
