// A model as one dependency-free ES module: `predict(features)` takes a record of raw feature values (numbers,
// and text for text columns), scales and one-hot encodes them as the model's preprocessing says, runs the
// network's forward pass (h = x·W + b, then the activation, layer by layer) and answers the class with its
// probabilities, or the value in the target's units. The text is meant to be read: the weights are plain arrays
// and the code is the forward pass and nothing else. A declaration file gives it types.
import { BackpropError, printable } from '../core/errors.js';
import { jsComment, jsLiteral } from '../core/escape.js';
import { DECIMAL_COMMA_TEXT, GROUPED_NUMBER_TEXT, modelNaValues } from '../data/missing.js';
import { WRITTEN_DATE } from '../data/dates.js';
import { targetColumns } from '../data/preprocessing.js';
import { modelData, type ModelSource } from '../io/model-file.js';
import { LEAKY_RELU_SLOPE } from '../nn/activations.js';
import { VERSION } from '../version.js';

const list = (values: readonly number[]): string => `[${values.map((v) => (Object.is(v, -0) ? '0' : String(v))).join(', ')}]`;
// Names from the model file (features, categories, classes, targets) and the module's name enter only through jsLiteral.
const q = jsLiteral;

/** Dates as days since 1970-01-01 and their parts: the library's data/dates.ts, written out for the module. */
const DATE_CODE = `
/**
 * An ISO 8601 date or date-time as days since 1970-01-01 (the time as written; an offset is not applied), or NaN;
 * with order 'mdy' or 'dmy', a date written 03/15/2024 or 15/03/2024 (or with '.' or '-'), a time after it.
 */
function parseDate(text, order) {
  // (ISO 8601 text is read for any order: no order changes it.)
  if (order && !Number.isNaN(parseWritten(text, order))) return parseWritten(text, order);
  const m = /^(\\d{4})-(\\d{2})-(\\d{2})(?:[T ](\\d{2}):(\\d{2})(?::(\\d{2})(?:[.,](\\d{1,9}))?)?\\s*(Z|[+-]\\d{2}(?::?\\d{2})?)?)?$/.exec(text.trim());
  if (!m) return NaN;
  const y = Number(m[1]), mo = Number(m[2]), d = Number(m[3]);
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  if (mo < 1 || mo > 12 || d < 1 || d > (mo === 2 && leap ? 29 : [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1])) return NaN;
  const h = m[4] === undefined ? 0 : Number(m[4]), mi = m[5] === undefined ? 0 : Number(m[5]);
  const s = m[6] === undefined ? 0 : Number(m[6]) + (m[7] === undefined ? 0 : Number('0.' + m[7]));
  if (h > 23 || mi > 59 || s >= 61) return NaN;
  return daysFromCivil(y, mo, d) + (h * 3600 + mi * 60 + Math.min(s, 59.999)) / 86400;
}

function parseWritten(text, order) {
  const m = ${WRITTEN_DATE}.exec(text.trim());
  if (!m) return NaN;
  const y = Number(m[4]), mo = Number(order === 'mdy' ? m[1] : m[3]), d = Number(order === 'mdy' ? m[3] : m[1]);
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  if (mo < 1 || mo > 12 || d < 1 || d > (mo === 2 && leap ? 29 : [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1])) return NaN;
  let h = m[5] === undefined ? 0 : Number(m[5]);
  const mi = m[6] === undefined ? 0 : Number(m[6]), s = m[7] === undefined ? 0 : Number(m[7]);
  if (m[8] !== undefined) {
    if (h < 1 || h > 12) return NaN;
    h = (h % 12) + (/p/i.test(m[8]) ? 12 : 0);
  }
  if (h > 23 || mi > 59 || s > 59) return NaN;
  return daysFromCivil(y, mo, d) + (h * 3600 + mi * 60 + s) / 86400;
}

function daysFromCivil(y, m, d) {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400), yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  return era * 146097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719468;
}

/** One part of a date given as days since 1970-01-01 (weekday: Monday 0). */
function datePart(days, part) {
  const whole = Math.floor(days);
  if (part === 'days') return days;
  if (part === 'hour') return (days - whole) * 24;
  if (part === 'weekday') return whole + 3 - 7 * Math.floor((whole + 3) / 7);
  const z = whole + 719468, era = Math.floor(z / 146097), doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  return part === 'month' ? (mp < 10 ? mp + 3 : mp - 9) : yoe + era * 400 + (mp >= 10 ? 1 : 0);
}
`;

/** The module's text (`js`) and its declarations (`dts`, for a .d.ts file of the same name). */
export function exportStandalone(model: ModelSource, name = 'model'): { js: string; dts: string } {
  const { network: spec, weights, preprocessing } = modelData(model);
  if (!preprocessing?.target) throw new BackpropError(`${printable(name)}: the model has no column description (it was not trained from a table), so a module cannot name its features`);
  const { features, scaler, target, piecewise } = preprocessing;
  const classification = target.task === 'classification';
  const layers = spec.layers.map((layer, l) => {
    const w = weights[l];
    return `  { activation: ${q(layer.activation)}, units: ${layer.units},\n    weights: ${list(w.weights.flat())},\n    bias: ${w.bias ? list(w.bias) : 'null'} }`;
  });
  const shift = scaler ? (scaler.kind === 'standard' ? scaler.mean : scaler.min) : null;
  const divide = scaler ? (scaler.kind === 'standard' ? scaler.std : scaler.max.map((max, j) => max - scaler.min[j])) : null;
  // A field may be left out or null (a missing value); a text field may hold a value the model never saw.
  const featureType = features.map((f) => `${q(f.name)}?: ${f.type === 'numeric' ? (f.naWords ? ['number', ...f.naWords.map(q)].join(' | ') : 'number') : f.type === 'date' ? 'string | Date' : `${f.categories.map(q).join(' | ')} | (string & {})`} | null`).join('; ');
  const dates = features.some((f) => f.type === 'date');
  const columns = targetColumns(target);
  const multi = !classification && columns.length > 1;
  const resultType = classification ? `{ label: ${target.classes.map((c) => q(c)).join(' | ')}; probabilities: number[] }` : multi ? '{ value: number; values: number[] }' : '{ value: number }';
  const js = `// ${jsComment(name)}: a multilayer perceptron trained with backprop ${VERSION}, as a module with no dependencies.
// predict(features) takes one row of raw values by column name, encodes it as the model was trained to read
// it (numbers scaled${piecewise ? ' and binned piecewise-linearly' : ''}, text one-hot), runs the forward pass and ${classification ? 'answers the class and the probability of each' : 'answers the predicted value'}.

/** The module's name, which its error messages begin with. */
const moduleName = ${q(name)};

/**
 * The feature columns, in the model's order: numbers, dates (ISO 8601 text, or written as order says: mdy, dmy; as parts) and text (one-hot over the
 * categories the model knows; a value it never saw gets all zeros). fill: what a missing value becomes (the training
 * rows' median), indicator: an input more that is 1 where the value was missing, missing: a text level for it,
 * naWords: words a numeric column's training rows had among its numbers, read as missing values.
 */
export const features = ${q(features)};

/** Values that mean "no value", besides a missing field, null, undefined, NaN and empty text (the training data's, as backprop reads tables for this model). */
export const naValues = ${q(modelNaValues(preprocessing))};

/** Whether the training data's numbers were written with a decimal comma (1,5): text numbers are read so. */
const decimalComma = ${preprocessing.decimalComma === true};
${classification ? `/** The classes, in the order of the probabilities. */\nexport const classes = ${q(target.classes)};\n` : ''}
/** Numeric columns are scaled as (x − shift) / divide, in the order they appear in \`features\`. */
const scale = ${shift ? `{ shift: ${list(shift)}, divide: ${list(divide!)} }` : 'null'};
${multi ? `/** The targets, in the order of the values; the network predicts (y − mean) / std of each. */\nexport const targets = ${q(columns.map((c) => c.name))};\nconst target = { mean: ${list(columns.map((c) => c.scale?.mean ?? 0))}, std: ${list(columns.map((c) => c.scale?.std ?? 1))} };\n`
    : !classification && target.scale ? `/** The network predicts (y − mean) / std. */\nconst target = { mean: ${target.scale.mean}, std: ${target.scale.std} };\n` : ''}
/**
 * The piecewise-linear encoding of the scaled vector (null for none): input \`input\` becomes one value per bin
 * [edges[t − 1], edges[t]], (x − edges[t − 1]) / (edges[t] − edges[t − 1]) clipped to [0, 1] (the first bin not
 * clipped below, the last not above), after the value itself where keepValue says so; the other inputs pass through.
 */
const piecewise = ${piecewise ? q(piecewise.columns) : 'null'};
/** Whether each binned input keeps its scaled value, just before its bins. */
const keepValue = ${piecewise?.value ? 'true' : 'false'};
${piecewise && spec.dtype === 'float32' ? `/** backprop holds the scaled values in float32 before it bins them: rounded here the same way (a narrow bin magnifies the difference). */\nconst stored = Math.fround;\n` : 'const stored = (v) => v;\n'}
/** Each layer's weights are [inputs × units], row by row: W[i][j] is weights[i * units + j]. */
const layers = [
${layers.join(',\n')},
];

function activate(name, h) {
  switch (name) {
    case 'sigmoid': return h.map((v) => (v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v))));
    case 'tanh': return h.map(Math.tanh);
    case 'relu': return h.map((v) => (v > 0 ? v : 0));
    case 'leaky-relu': return h.map((v) => (v > 0 ? v : ${LEAKY_RELU_SLOPE} * v));
    case 'softmax': {
      const top = Math.max(...h);
      const e = h.map((v) => Math.exp(v - top));
      const sum = e.reduce((a, b) => a + b, 0);
      return e.map((v) => v / sum);
    }
    default: return h;
  }
}

/** Text as a number: as written, or with its comma as the model's training data had it (decimal: 1,5; else between thousands: 1,217). */
function readNumber(text) {
  const t = text.trim();
  if (decimalComma) return Number(${DECIMAL_COMMA_TEXT}.test(t) ? t.replace(/\\./g, '').replace(',', '.') : t);
  return Number(${GROUPED_NUMBER_TEXT}.test(t) ? t.replace(/,/g, '') : t);
}

function isMissing(value) {
  if (value === null || value === undefined) return true;
  if (typeof value === 'number') return Number.isNaN(value);
  return typeof value === 'string' && (value.trim() === '' || naValues.includes(value.trim()));
}
${dates ? DATE_CODE : ''}
/** One row of raw values as the network's input vector. */
export function encode(row) {
  const x = [];
  let n = 0;
  const scaled = (v) => (scale ? (v - scale.shift[n]) / scale.divide[n++] : v);
  for (const f of features) {
    const value = Object.prototype.hasOwnProperty.call(row, f.name) ? row[f.name] : undefined;
    // In a numeric column, the words its training rows had among the numbers are missing values too.
    const missing = isMissing(value) || (f.naWords !== undefined && typeof value === 'string' && f.naWords.includes(value.trim()));
    if (missing && f.type !== 'categorical' && f.fill === undefined) throw new Error(\`\${moduleName}: the feature "\${f.name}" has no value, and this model refuses missing values\`);
    if (f.type === 'numeric') {
      const v = missing ? f.fill : typeof value === 'string' ? readNumber(value) : value;
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(\`\${moduleName}: the feature "\${f.name}" expects a number, got \${JSON.stringify(value)}\`);
      x.push(scaled(v));
    } else if (f.type === 'date') {
      const days = missing ? f.fill : value instanceof Date ? parseDate(value.toISOString()) : parseDate(String(value), f.order);
      if (Number.isNaN(days)) throw new Error(\`\${moduleName}: the feature "\${f.name}" expects \${f.order === 'mdy' ? 'a date written month/day/year (03/15/2024) or ISO 8601' : f.order === 'dmy' ? 'a date written day/month/year (15/03/2024) or ISO 8601' : 'an ISO 8601 date (2024-03-15, 2024-03-15T10:30)'}, got \${JSON.stringify(value)}\`);
      for (const part of f.parts) x.push(scaled(datePart(days, part)));
    } else {
      // A missing value is its own level where the model has one; a value it never saw, all zeros.
      const k = missing ? (f.missing ? f.categories.length : -1) : f.categories.indexOf(String(value));
      for (let j = 0; j < f.categories.length + (f.missing ? 1 : 0); j++) x.push(j === k ? 1 : 0);
      continue;
    }
    if (f.indicator) x.push(missing ? 1 : 0);
  }
  if (!piecewise) return x;
  const out = [];
  let next = 0;
  for (const { input, edges } of piecewise) {
    while (next < input) out.push(x[next++]);
    const v = stored(x[next++]), last = edges.length - 1;
    if (keepValue) out.push(v);
    for (let t = 1; t <= last; t++) {
      let z = (v - edges[t - 1]) / (edges[t] - edges[t - 1]);
      if (t > 1 && z < 0) z = 0;
      if (t < last && z > 1) z = 1;
      out.push(z);
    }
  }
  while (next < x.length) out.push(x[next++]);
  return out;
}

/** The network's outputs for an encoded input vector: h = x·W + b, then the activation, layer by layer. */
export function forward(x) {
  let a = x;
  for (const layer of layers) {
    const h = new Array(layer.units);
    for (let j = 0; j < layer.units; j++) {
      let sum = layer.bias ? layer.bias[j] : 0;
      for (let i = 0; i < a.length; i++) sum += a[i] * layer.weights[i * layer.units + j];
      h[j] = sum;
    }
    a = activate(layer.activation, h);
  }
  return a;
}

/** The prediction for one row of raw feature values, keyed by column name. */
export function predict(row) {
  const output = forward(encode(row));
${classification
    ? `  const probabilities = output.length === 1 ? [1 - output[0], output[0]] : output;
  let best = 0;
  for (let k = 1; k < probabilities.length; k++) if (probabilities[k] > probabilities[best]) best = k;
  return { label: classes[best], probabilities };`
    : multi ? `  const values = output.map((v, j) => v * target.std[j] + target.mean[j]);
  return { value: values[0], values };`
    : `  return { value: ${target.scale ? 'output[0] * target.std + target.mean' : 'output[0]'} };`}
}
`;
  const dts = `// Types of ${jsComment(name)}.js, generated by backprop ${VERSION}.
export interface Features { ${featureType} }
export type Prediction = ${resultType};
export declare const features: ({ name: string; type: 'numeric'; fill?: number; indicator?: boolean } | { name: string; type: 'categorical'; categories: string[]; missing?: boolean } | { name: string; type: 'date'; parts: string[]; fill?: number; indicator?: boolean })[];
export declare const naValues: string[];
${classification ? `export declare const classes: Prediction['label'][];\n` : ''}export declare function encode(row: Features): number[];
export declare function forward(x: number[]): number[];
export declare function predict(row: Features): Prediction;
`;
  return { js, dts };
}
