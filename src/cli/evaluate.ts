// `backprop evaluate` and `backprop predict`: a saved model on labelled or new rows. Both go through the table
// model (src/model): the command reads the file, hands each part to the model and prints what it answers.
import type { DataFrame } from '../data/frame.js';
import { BackpropError, printable, printableLines, thousands } from '../core/errors.js';
import { Model } from '../model/model.js';
import { loadModelOrNetwork } from '../node/files.js';
import { readFrames, type DataOptions } from '../node/read.js';
import { UsageError } from './errors.js';

export interface PredictOptions extends DataOptions {
  /** Read the data in chunks and write predictions as they come, in bounded memory. */
  stream?: boolean;
  /** Input columns copied into the output, before the predictions. */
  keep?: string[];
  /** Significant digits of probabilities and regression values. */
  digits: number;
  json: boolean;
  /** A text value the model never saw: encoded as all zeros (ignore), or an error. */
  unknown?: 'ignore' | 'error';
}

/** One line on stderr for what reading met: values the model never saw, and missing values filled. */
function noteMet(model: Model, source: string, unseen: ReadonlyMap<string, number> | Record<string, number>, missing: ReadonlyMap<string, number> | Record<string, number>): void {
  const list = (m: ReadonlyMap<string, number> | Record<string, number>): [string, number][] => (m instanceof Map ? [...m] : Object.entries(m));
  const say = (entries: [string, number][], what: readonly [string, string]): void => {
    if (!entries.length) return;
    const total = entries.reduce((n, [, c]) => n + c, 0);
    process.stderr.write(printableLines(`backprop: note: ${source}: ${thousands(total)} ${total === 1 ? what[0] : what[1]}: ${entries.map(([c, k]) => `${c} ${thousands(k)}`).join(', ')}\n`));
  };
  // A word among a numeric column's numbers that the model never saw is read as a missing value; an unseen text value is all zeros.
  const numeric = new Set(model.preprocessing.features.filter((f) => f.type === 'numeric').map((f) => f.name));
  const words = list(unseen).filter(([c]) => numeric.has(c)).length, texts = list(unseen).length - words;
  const how = !words ? 'encoded as all zeros' : !texts ? 'words among numbers, read as missing values' : 'encoded as all zeros (text) or read as missing values (words among numbers)';
  say(list(unseen), [`value the model never saw, ${how}`, `values the model never saw, ${how}`]);
  // A text column whose training rows had no gap has no level for one: its block is all zeros, as for an unseen value.
  const encoded = 'encoded as in training (numbers filled; text as its missing level, or all zeros where training had none)';
  say(list(missing), [`missing value, ${encoded}`, `missing values, ${encoded}`]);
}

/** Names, once, the columns a model does not use; they are left out. */
function noteUnused(model: Model, frame: DataFrame, skip: readonly string[] = []): void {
  const unused = model.unused(frame.columns.map((c) => c.name)).filter((c) => !skip.includes(c));
  if (unused.length) process.stderr.write(`backprop: note: ${frame.source}: not used by the model, left out: ${unused.join(', ')}\n`);
}

/** The table model in a model file, named after the file; a bare network (no column description) cannot read CSV data. */
export function openModel(path: string): Model {
  const loaded = loadModelOrNetwork(path);
  if (!(loaded instanceof Model)) {
    throw new BackpropError(`${path}: this model has no column description (it was not trained from a CSV file), so it cannot read CSV data`);
  }
  return loaded;
}

export async function evaluateCommand(modelPath: string, dataPath: string, json: boolean, out: NodeJS.WriteStream, data: DataOptions & { stream?: boolean; unknown?: 'ignore' | 'error' } = {}): Promise<void> {
  const model = openModel(modelPath);
  if (data.stream && dataPath === '-') throw new UsageError('--stream: reads a file in passes; standard input cannot be streamed this way', '--stream');
  // The library's scores, summed over the whole file or chunk by chunk.
  const evaluation = model.evaluation({ unknown: data.unknown });
  let source = dataPath, first = true;
  // The file is read with the model's words for "no value" (its training data's), and any given here besides.
  for await (const frame of readFrames(dataPath, { ...data, naValues: model.naValuesWith(data.naValues), decimalComma: data.decimalComma || model.decimalComma }, data.stream ?? false)) {
    source = frame.source;
    evaluation.add(frame);
    // Said once the frame has been read as the model needs it, so a failure stays the only line.
    if (first) noteUnused(model, frame);
    first = false;
  }
  const report = evaluation.report();
  if (!json) noteMet(model, source, report.unseen, report.missing);
  // Class and column names come from files: shown with their control characters escaped.
  const text = { write: (t: string): boolean => out.write(printableLines(t)) };
  if (report.task === 'classification') {
    const { rows, loss, accuracy, classes, confusion, perClass } = report;
    if (json) {
      out.write(JSON.stringify({ rows, loss, accuracy, classes, confusion, perClass, unseen: report.unseen, missing: report.missing }) + '\n');
      return;
    }
    // A name with a line break in it stays on its own row of the table (escaped, as \n).
    const names = classes.map((c) => printable(String(c), Infinity));
    const width = Math.max(9, ...names.map((n) => n.length)) + 2;
    text.write(`${source}: ${rows} rows\nloss      ${loss.toFixed(4)}\naccuracy  ${(100 * accuracy).toFixed(2)}%\n\n`);
    text.write(`confusion matrix (rows: true class, columns: predicted)\n${''.padEnd(width)}${names.map((n) => n.padStart(width)).join('')}\n`);
    confusion.forEach((r, i) => text.write(`${names[i].padEnd(width)}${r.map((v) => String(v).padStart(width)).join('')}\n`));
    text.write(`\n${'class'.padEnd(width)}${['precision', 'recall', 'f1', 'support'].map((h) => h.padStart(11)).join('')}\n`);
    perClass.forEach((sc, i) => text.write(`${names[i].padEnd(width)}${[sc.precision, sc.recall, sc.f1].map((v) => v.toFixed(3).padStart(11)).join('')}${String(sc.support).padStart(11)}\n`));
    return;
  }
  const { rows, loss, mse, mae, r2, perTarget } = report;
  if (json) {
    out.write(JSON.stringify({ rows, loss, mse, mae, r2, ...(perTarget ? { perTarget } : {}), unseen: report.unseen, missing: report.missing }) + '\n');
    return;
  }
  // R² compares the errors with the target's spread: a target constant in these rows has none, and no R².
  const r2Text = (v: number | null): string => (v === null ? 'undefined (constant target)' : v.toFixed(4));
  // The loss is training's, ½Σ(y − ŷ)² over the targets standardized by their training rows' mean and spread: not in their units.
  // With several targets, MSE and MAE are means over targets each in its own units (the table below has each).
  const [scaled, mseUnits, maeUnits] = perTarget
    ? ['½ the squared errors on the standardized targets, summed', 'mean over the targets, each in its units squared', 'mean over the targets, each in its units']
    : ['½ the squared error on the standardized target', "in the target's units, squared", "in the target's units"];
  text.write(`${source}: ${rows} rows\nloss  ${loss.toFixed(4)}  (training's: ${scaled}, averaged over the rows)\nMSE   ${mse.toPrecision(5)}  (${mseUnits})\nMAE   ${mae.toPrecision(5)}  (${maeUnits})\nR²    ${r2Text(r2)}${perTarget && r2 !== null ? ` (mean over the ${perTarget.some((e) => e.r2 === null) ? 'targets where it is defined' : 'targets'})` : ''}\n`);
  if (perTarget) {
    const targetName = (e: { target: string }): string => printable(e.target, Infinity);
    const width = Math.max(6, ...perTarget.map((e) => targetName(e).length)) + 2;
    text.write(`\n${'target'.padEnd(width)}${['MSE', 'MAE', 'R²'].map((h) => h.padStart(12)).join('')}\n`);
    for (const e of perTarget) text.write(`${targetName(e).padEnd(width)}${[e.mse.toPrecision(5), e.mae.toPrecision(5), e.r2 === null ? 'undefined' : e.r2.toFixed(4)].map((v) => v.padStart(12)).join('')}\n`);
  }
}

const csvCell = (v: string | number): string => {
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** Writes text, waiting while the stream's buffer is full, so output of any size takes bounded memory. */
async function write(out: NodeJS.WriteStream, text: string): Promise<void> {
  if (!out.write(text)) await new Promise((resolve) => out.once('drain', resolve));
}

export async function predictCommand(modelPath: string, dataPath: string, o: PredictOptions, out: NodeJS.WriteStream): Promise<void> {
  const model = openModel(modelPath);
  // Kept columns that the model does not read are read as text, as written ("007" stays "007").
  const features = new Set(model.features);
  const keep = o.keep ?? [];
  const name = model.target.name;
  // A multi-output regression writes a column per target.
  const names = model.targetColumns;
  for (const n of names) if (keep.includes(n)) throw new UsageError(`--keep: "${n}" is the name of a prediction column; keep another column`, '--keep');
  // --json rows hold the model's answers under their own keys: a kept column may not take one of them.
  if (o.json) for (const n of ['probabilities', 'unseen']) if (keep.includes(n)) throw new UsageError(`--keep: "${n}" is a field of every --json row; keep another column`, '--keep');
  // Nor may the prediction's own key: a target named so would lose its answer to the field (on every row for
  // "probabilities", on the rows with an unseen value for "unseen").
  if (o.json) {
    const fields = model.classes ? ['probabilities', 'unseen'] : ['unseen'];
    for (const n of names) if (fields.includes(n)) throw new UsageError(`--json: the model's target is named "${n}", as a field of the --json rows (${fields.join(', ')}) is; leave out --json for CSV, whose columns do not clash`, '--json');
  }
  if (o.stream && dataPath === '-') throw new UsageError('--stream: reads a file in passes; standard input cannot be streamed this way', '--stream');
  const round = (v: number): number => Number(v.toPrecision(o.digits));
  const classes = model.classes?.map(String) ?? null;
  let rowsWritten = 0, source = dataPath;
  const unseen = new Map<string, number>(), missing = new Map<string, number>();
  const sum = (into: Map<string, number>, counts: Record<string, number>): void => {
    for (const [c, n] of Object.entries(counts)) into.set(c, (into.get(c) ?? 0) + n);
  };
  for await (const frame of readFrames(dataPath, { ...o, naValues: model.naValuesWith(o.naValues), decimalComma: o.decimalComma || model.decimalComma, textColumns: keep.filter((k) => !features.has(k)) }, o.stream ?? false)) {
    source = frame.source;
    const kept = keep.map((column) => {
      const c = frame.columns.find((col) => col.name === column);
      if (!c) throw new UsageError(`--keep: ${frame.source} has no column "${column}"; its columns are: ${frame.columns.map((col) => col.name).join(', ')}`, '--keep');
      return c;
    });
    const report = model.predictWithReport(frame, { unknown: o.unknown });
    sum(unseen, report.unseen);
    sum(missing, report.missing);
    const first = rowsWritten === 0;
    if (first) noteUnused(model, frame, keep);
    // Kept columns as the file wrote them, where the reader kept the text ("007" stays "007").
    const keptValues = (i: number): string[] => kept.map((c) => frame.text?.(frame.columns.indexOf(c), i) ??
      (c.kind === 'numeric' ? String(c.values[i]) : c.dictionary[c.codes[i]]));
    const lines: string[] = [];
    if (o.json) {
      // Each row's values the model never saw, by column (rows without any have no "unseen").
      const unseenByRow = new Map<number, Record<string, string>>();
      for (const u of report.unseenValues) {
        const row = unseenByRow.get(u.row - 1) ?? (Object.create(null) as Record<string, string>);
        row[u.column] = u.value;
        unseenByRow.set(u.row - 1, row);
      }
      const rows = report.predictions.map((p, i) => {
        // No prototype: a column or target named "__proto__" is a key like any other, not the object's prototype.
        const row: Record<string, unknown> = Object.assign(Object.create(null) as Record<string, unknown>, Object.fromEntries(keep.map((k, c) => [k, keptValues(i)[c]])));
        if (p!.label !== undefined) {
          row[name] = p!.label;
          row.probabilities = Object.fromEntries(classes!.map((c) => [c, round(p!.probabilities[c])]));
        } else names.forEach((n) => (row[n] = round(p!.values![n])));
        const met = unseenByRow.get(i);
        if (met) row.unseen = met;
        return JSON.stringify(row);
      });
      await write(out, (first ? '[' : ',') + rows.join(','));
    } else {
      if (first) lines.push([...keep, ...names, ...(classes ? classes.map((c) => `p(${c})`) : [])].map(csvCell).join(','));
      report.predictions.forEach((p, i) => {
        const cells = keptValues(i).map(csvCell);
        if (p!.label !== undefined) cells.push(csvCell(p!.label), ...classes!.map((c) => String(round(p!.probabilities[c]))));
        else cells.push(...names.map((n) => String(round(p!.values![n]))));
        lines.push(cells.join(','));
      });
      await write(out, lines.join('\n') + '\n');
    }
    rowsWritten += frame.rows;
  }
  if (o.json) await write(out, (rowsWritten === 0 ? '[' : '') + ']\n');
  noteMet(model, source, unseen, missing);
}
