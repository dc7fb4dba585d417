// A model as one dependency-free ES module: `predict(features)` takes a record of raw feature values (numbers,
// and text for text columns), scales and one-hot encodes them as the model's preprocessing says, runs the
// network's forward pass (h = x·W + b, then the activation, layer by layer) and answers the class with its
// probabilities, or the value in the target's units. The text is meant to be read: the weights are plain arrays
// and the code is the forward pass and nothing else. A declaration file gives it types.
import { BackpropError, printable } from '../core/errors.js';
import { jsComment, jsLiteral } from '../core/escape.js';
import { targetColumns } from '../data/preprocessing.js';
import { modelData, type ModelSource } from '../io/model-file.js';
import { LEAKY_RELU_SLOPE } from '../nn/activations.js';
import { VERSION } from '../version.js';

const list = (values: readonly number[]): string => `[${values.map((v) => (Object.is(v, -0) ? '0' : String(v))).join(', ')}]`;
// Names from the model file (features, categories, classes, targets) and the module's name enter only through jsLiteral.
const q = jsLiteral;

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
  const featureType = features.map((f) => `${q(f.name)}: ${f.type === 'numeric' ? 'number' : f.categories.map(q).join(' | ')}`).join('; ');
  const columns = targetColumns(target);
  const multi = !classification && columns.length > 1;
  const resultType = classification ? `{ label: ${target.classes.map((c) => q(c)).join(' | ')}; probabilities: number[] }` : multi ? '{ value: number; values: number[] }' : '{ value: number }';
  const js = `// ${jsComment(name)}: a multilayer perceptron trained with backprop ${VERSION}, as a module with no dependencies.
// predict(features) takes one row of raw values by column name, encodes it as the model was trained to read
// it (numbers scaled${piecewise ? ' and binned piecewise-linearly' : ''}, text one-hot), runs the forward pass and ${classification ? 'answers the class and the probability of each' : 'answers the predicted value'}.

/** The module's name, which its error messages begin with. */
const moduleName = ${q(name)};

/** The feature columns, in the model's order; text columns list the values the model knows. */
export const features = ${q(features.map((f) => (f.type === 'numeric' ? { name: f.name, type: f.type } : { name: f.name, type: f.type, categories: f.categories })))};
${classification ? `/** The classes, in the order of the probabilities. */\nexport const classes = ${q(target.classes)};\n` : ''}
/** Numeric columns are scaled as (x − shift) / divide, in the order they appear in \`features\`. */
const scale = ${shift ? `{ shift: ${list(shift)}, divide: ${list(divide!)} }` : 'null'};
${multi ? `/** The targets, in the order of the values; the network predicts (y − mean) / std of each. */\nexport const targets = ${q(columns.map((c) => c.name))};\nconst target = { mean: ${list(columns.map((c) => c.scale?.mean ?? 0))}, std: ${list(columns.map((c) => c.scale?.std ?? 1))} };\n`
    : !classification && target.scale ? `/** The network predicts (y − mean) / std. */\nconst target = { mean: ${target.scale.mean}, std: ${target.scale.std} };\n` : ''}
/**
 * The piecewise-linear encoding of the scaled vector (null for none): input \`input\` becomes one value per bin
 * [edges[t − 1], edges[t]], (x − edges[t − 1]) / (edges[t] − edges[t − 1]) clipped to [0, 1] (the first bin not
 * clipped below, the last not above); the other inputs pass through.
 */
const piecewise = ${piecewise ? q(piecewise.columns) : 'null'};

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

/** One row of raw values as the network's input vector. */
export function encode(row) {
  const x = [];
  let n = 0;
  for (const f of features) {
    if (!(f.name in row)) throw new Error(\`\${moduleName}: missing the feature "\${f.name}"\`);
    const value = row[f.name];
    if (f.type === 'numeric') {
      const v = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(\`\${moduleName}: the feature "\${f.name}" expects a number, got \${JSON.stringify(value)}\`);
      x.push(scale ? (v - scale.shift[n]) / scale.divide[n] : v);
      n++;
    } else {
      const k = f.categories.indexOf(String(value));
      if (k < 0) throw new Error(\`\${moduleName}: the feature "\${f.name}" has the value \${JSON.stringify(value)}, which the model never saw; known values: \${f.categories.join(', ')}\`);
      for (let j = 0; j < f.categories.length; j++) x.push(j === k ? 1 : 0);
    }
  }
  if (!piecewise) return x;
  const out = [];
  let next = 0;
  for (const { input, edges } of piecewise) {
    while (next < input) out.push(x[next++]);
    const v = x[next++], last = edges.length - 1;
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
export declare const features: ({ name: string; type: 'numeric' } | { name: string; type: 'categorical'; categories: string[] })[];
${classification ? `export declare const classes: Prediction['label'][];\n` : ''}export declare function encode(row: Features): number[];
export declare function forward(x: number[]): number[];
export declare function predict(row: Features): Prediction;
`;
  return { js, dts };
}
