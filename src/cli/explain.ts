// `backprop explain` and `backprop gradcheck`: backpropagation itself, number by number, and its check
// against finite differences. A table model is asked through src/model; a bare network (the seeds' examples)
// takes its input and target as numbers.
import { BackpropError } from '../core/errors.js';
import { Model } from '../model/model.js';
import { traceUpdate, type LayerTrace, type UpdateTrace } from '../nn/trace.js';
import { loadModelOrNetwork } from '../node/files.js';
import { UsageError } from './errors.js';
import { readDataFile, type DataOptions } from '../node/read.js';
import { openModel } from './evaluate.js';

export interface ExplainOptions {
  input: (number | string)[];
  target: (number | string)[];
  lr: number;
  json: boolean;
  digits: number;
  /** A text value the model never saw: encoded as all zeros, as predict does (ignore, the default), or an error. */
  unknown?: 'ignore' | 'error';
}

export function explainCommand(modelPath: string, o: ExplainOptions, out: NodeJS.WriteStream): void {
  const loaded = loadModelOrNetwork(modelPath);
  const network = loaded instanceof Model ? loaded.network : loaded;
  let trace: UpdateTrace;
  if (loaded instanceof Model) {
    // --input holds raw feature values, encoded as in training; --target a class name or the target values.
    const classes = loaded.classes?.map(String) ?? null;
    let target: string | number | number[];
    if (classes && o.target.length === 1 && classes.includes(String(o.target[0]))) target = o.target[0];
    else if (classes && o.target.length === 1 && typeof o.target[0] === 'string') {
      throw new UsageError(`--target: "${o.target[0]}" is not a class of this model; its classes are: ${classes.join(', ')}`, '--target');
    } else target = checkTargetWidth(numbersOnly(o.target, '--target'), network.outputs);
    const report = loaded.explainValues(o.input, target, { learningRate: o.lr, unknown: o.unknown ?? 'ignore', source: '--input' });
    // Said as predict says it (one line on stderr), so the trace is read knowing which inputs are all zeros.
    // A word among a numeric column's values is read as a missing one.
    const numeric = new Set(loaded.preprocessing.features.filter((f) => f.type === 'numeric').map((f) => f.name));
    for (const name of report.unseen) {
      process.stderr.write(`backprop: note: --input: column "${name}" has a value the model never saw, ${numeric.has(name) ? 'a word among numbers, read as a missing value' : 'encoded as all zeros'}\n`);
    }
    trace = report.trace;
  } else {
    const x = numbersOnly(o.input, '--input');
    if (x.length !== network.inputs) {
      throw new UsageError(`--input: ${network.describeLayer(0)} expects ${network.inputs} input values, got ${x.length}`, '--input');
    }
    trace = traceUpdate(network, x, checkTargetWidth(numbersOnly(o.target, '--target'), network.outputs), { learningRate: o.lr });
  }
  if (![...trace.output, trace.lossBefore].every(Number.isFinite)) {
    throw new BackpropError(`${modelPath}: the network's output for this input is ${trace.output.find((v) => !Number.isFinite(v)) ?? trace.lossBefore}, not a finite number; ` +
      'its weights are too large for its dtype or the input is far outside the training data');
  }
  out.write(o.json ? JSON.stringify(trace) + '\n' : formatTrace(trace, o.digits));
}

/** --target's values, one per output unit. */
function checkTargetWidth(y: number[], outputs: number): number[] {
  if (y.length !== outputs) {
    throw new UsageError(`--target: the output layer has ${outputs} unit${outputs === 1 ? '' : 's'}, so the target needs ${outputs} value${outputs === 1 ? '' : 's'}, got ${y.length}`, '--target');
  }
  return y;
}

function numbersOnly(values: (number | string)[], option: string): number[] {
  const bad = values.find((v) => typeof v !== 'number');
  if (bad === '') throw new UsageError(`${option}: expected numbers, got an empty value (a network without a table's preprocessing has no missing values)`, option);
  if (bad !== undefined) throw new UsageError(`${option}: expected numbers, got "${bad}"`, option);
  return values as number[];
}

/** The seeds' four steps as text, one layer and one unit at a time. */
export function formatTrace(t: UpdateTrace, digits: number): string {
  const n = (v: number): string => (v === 0 ? '0' : Number(v.toPrecision(digits)).toString().replace(/-/g, '−'));
  // A factor in a product: negatives in parentheses, so "0.4×0.1 + (−0.2)×0.3" reads as arithmetic.
  const f = (v: number): string => (v < 0 ? `(${n(v)})` : n(v));
  const list = (vs: number[]): string => `[${vs.map(n).join(', ')}]`;
  // Updated weights differ from the old ones in late digits, so they get three more.
  const wide = (vs: number[]): string => `[${vs.map((v) => Number(v.toPrecision(digits + 3)).toString().replace(/-/g, '−')).join(', ')}]`;
  const lines: string[] = [];
  const last = t.layers.length - 1;
  const name = (l: LayerTrace): string => `layer ${l.layer + 1} (${l.role}, ${l.activation})`;
  lines.push(`One step of gradient descent on x = ${list(t.input)}, target y = ${list(t.target)}, η = ${n(t.learningRate)}, loss ${t.loss}`, '');
  lines.push('Forward pass: h = Σᵢ wᵢ·xᵢ (+ b), a = f(h)');
  for (const l of t.layers) {
    lines.push(`  ${name(l)}, inputs ${list(l.input)}`);
    l.h.forEach((h, j) => {
      const terms = l.input.length <= 6 ? l.before.weights.map((w, i) => `${f(w[j])}×${f(l.input[i])}`).join(' + ') : '';
      const bias = l.before.bias ? ` + ${f(l.before.bias[j])}` : '';
      lines.push(`    unit ${j + 1}: h = ${terms ? terms + bias + ' = ' : ''}${n(h)}   a = ${l.activation}(h) = ${n(l.a[j])}${l.layer === last ? ' = ŷ' : ''}`);
    });
  }
  lines.push('', `Step 1, the network's error: y − ŷ = ${list(t.error)}   loss E = ${n(t.lossBefore)}`);
  const out = t.layers[last];
  lines.push('', `Step 2, the output error term δᵒ = −∂E/∂h${t.loss === 'mse' ? ' = (y − ŷ)·f′(h)' : ''}:`);
  out.delta.forEach((d, k) => lines.push(`    unit ${k + 1}: δᵒ = ${t.loss === 'mse' && out.derivative ? `${f(t.error[k])} × ${f(out.derivative[k])} = ` : ''}${n(d)}`));
  lines.push('', 'Step 3, the hidden error terms δʰⱼ = (Σₖ Wⱼₖ·δₖ) × f′(hⱼ), carried back through the weights:');
  if (last === 0) lines.push('    (no hidden layers)');
  for (let l = last - 1; l >= 0; l--) {
    const layer = t.layers[l], above = t.layers[l + 1];
    lines.push(`  ${name(layer)}`);
    layer.delta.forEach((d, j) => {
      const sum = above.delta.map((dk, k) => `${f(above.before.weights[j][k])}×${f(dk)}`).join(' + ');
      const fPrime = layer.derivative ? ` × ${f(layer.derivative[j])}` : '';
      lines.push(`    unit ${j + 1}: δʰ = (${above.delta.length <= 6 ? sum : '…'})${fPrime} = ${n(d)}`);
    });
  }
  lines.push('', 'Step 4, the weight steps ΔW = η·δ·V_in (and Δb = η·δ), and the updated weights:');
  for (const l of t.layers) {
    lines.push(`  ${name(l)}`);
    l.deltaW.forEach((r, i) => lines.push(`    from input ${i + 1}: ΔW = ${list(r)}   W → ${wide(l.after.weights[i])}`));
    if (l.deltaB && l.after.bias) lines.push(`    bias:         Δb = ${list(l.deltaB)}   b → ${wide(l.after.bias)}`);
  }
  lines.push('', `Loss on this example: ${n(t.lossBefore)} before the step, ${n(t.lossAfter)} after.`, '');
  return lines.join('\n');
}

export async function gradcheckCommand(modelPath: string, dataPath: string, rows: number, parameters: number, json: boolean, out: NodeJS.WriteStream, data: DataOptions = {}): Promise<boolean> {
  const model = openModel(modelPath);
  const frame = await readDataFile(dataPath, { ...data, naValues: model.naValuesWith(data.naValues), decimalComma: data.decimalComma || model.decimalComma });
  const report = model.gradientCheck(frame, { rows, ...(parameters > 0 ? { parameters } : {}) });
  if (json) {
    out.write(JSON.stringify(report) + '\n');
    return report.ok;
  }
  out.write(`Gradient check on ${report.rows} rows of ${frame.source}: backpropagation against central differences (ε = ${report.epsilon}), in float64\n\n`);
  const header = ['layer', 'parameter', 'compared', 'skipped', 'in all', 'max abs error', 'max rel error'];
  out.write(header.map((h, i) => (i < 2 ? h.padEnd(10) : h.padStart(14))).join('') + '\n');
  for (const c of report.checks) {
    out.write([String(c.layer + 1).padEnd(10), c.parameter.padEnd(10), String(c.count).padStart(14), String(c.skipped).padStart(14), String(c.total).padStart(14),
      c.maxAbsError.toExponential(2).padStart(14), c.maxRelError.toExponential(2).padStart(14)].join('') + '\n');
  }
  const worst = report.checks.reduce((a, b) => (b.maxRelError > a.maxRelError ? b : a));
  out.write(`\nworst relative error ${report.maxRelError.toExponential(2)} (layer ${worst.layer + 1} ${worst.parameter}` +
    `${worst.worst ? ` [${worst.worst.index.join(', ')}]: analytic ${worst.worst.analytic.toExponential(6)}, numeric ${worst.worst.numeric.toExponential(6)}` : ''})\n`);
  out.write(report.ok ? `OK: below the tolerance ${report.tolerance}\n` : `FAILED: above the tolerance ${report.tolerance}\n`);
  return report.ok;
}
