// A backprop model as an ONNX graph that needs nothing of backprop's to run: one input per feature column as
// `backprop predict` reads them (numbers as float, text as strings), scaling and one-hot encoding in the graph,
// the network as Gemm nodes with their activations, and outputs in the model's terms: class probabilities and
// the label, or the regression value in the target's units.
import { BackpropError } from '../core/errors.js';
import { jsLiteral } from '../core/escape.js';
import type { DatePart } from '../data/dates.js';
import { modelNaValues } from '../data/missing.js';
import type { Piecewise } from '../data/piecewise.js';
import { targetColumns, type FeatureSpec, type Preprocessing } from '../data/preprocessing.js';
import { modelData, type ModelSource } from '../io/model-file.js';
import type { ActivationName } from '../nn/activations.js';
import { LEAKY_RELU_SLOPE } from '../nn/activations.js';
import { VERSION } from '../version.js';
import { AttributeType, DataType, encodeModel, type Attribute, type Node, type Tensor, type ValueInfo } from './onnx-schema.js';

/** The opsets the graph uses: the standard one (Gemm, Softmax, ...) and ai.onnx.ml (OneHotEncoder, LabelEncoder). */
export const ONNX_OPSET = 13;
export const ONNX_ML_OPSET = 2;
/** Metadata keys: the model's description, for people and for `importONNX` to read back exactly. */
export const ONNX_METADATA = { network: 'backprop.network', preprocessing: 'backprop.preprocessing', version: 'backprop.version' } as const;

const ACTIVATION_OPS: Record<Exclude<ActivationName, 'linear'>, string> = {
  sigmoid: 'Sigmoid', tanh: 'Tanh', relu: 'Relu', 'leaky-relu': 'LeakyRelu', softmax: 'Softmax',
};

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const NOT_IN_ONNX_NAMES = /\0|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

class GraphBuilder {
  readonly nodes: Node[] = [];
  readonly initializers: Tensor[] = [];
  private count = 0;
  /**
   * Every value name in the graph, the inputs' (the feature columns', which come from outside) among them: a
   * feature named `label` or `layer1.weight` must not redefine an output or feed over a weight, so the graph's
   * own names step aside (`label_2`) instead.
   */
  private readonly taken = new Set<string>();

  constructor(private readonly elemType: number) {}

  /**
   * Claims a graph input's name: the feature's own, but with a NUL (where onnxruntime's C API cuts a name) or a
   * lone surrogate (which UTF-8 cannot hold) as U+FFFD, and a suffix should two features then share it.
   */
  input(name: string): string {
    return this.fresh(name.replace(NOT_IN_ONNX_NAMES, '\ufffd'));
  }

  /** `base`, or `base_2`, `base_3`, … when an input or an earlier value has that name. */
  fresh(base: string): string {
    let name = base;
    for (let k = 2; this.taken.has(name); k++) name = `${base}_${k}`;
    this.taken.add(name);
    return name;
  }

  /** A constant tensor of the network's float type (or of `type`: DOUBLE, INT64); answers its name. */
  constant(base: string, dims: number[], values: ArrayLike<number>, type: number = this.elemType): string {
    const name = this.fresh(base);
    const data = Array.from(values);
    this.initializers.push(type === DataType.DOUBLE
      ? { name, dims, data_type: DataType.DOUBLE, double_data: data }
      : type === DataType.INT64 ? { name, dims, data_type: DataType.INT64, int64_data: data }
        : { name, dims, data_type: DataType.FLOAT, float_data: data });
    return name;
  }

  /** Adds a node; answers its (first) output's name, which is `output` when given. */
  node(op: string, inputs: string[], attributes: Attribute[] = [], options: { output?: string; domain?: string; name?: string } = {}): string {
    const name = options.name ?? `${op.toLowerCase()}_${++this.count}`;
    const output = this.fresh(options.output ?? `/${name}`);
    this.nodes.push({ op_type: op, name, input: inputs, output: [output], attribute: attributes, ...(options.domain ? { domain: options.domain } : {}) });
    return output;
  }
}

const int = (name: string, i: number): Attribute => ({ name, type: AttributeType.INT, i });
const float = (name: string, f: number): Attribute => ({ name, type: AttributeType.FLOAT, f });
const strings = (name: string, values: string[]): Attribute => ({ name, type: AttributeType.STRINGS, strings: values.map(utf8) });
const ints = (name: string, values: number[]): Attribute => ({ name, type: AttributeType.INTS, ints: values });

function valueInfo(name: string, elemType: number, dims: (number | string)[]): ValueInfo {
  return {
    name,
    type: { tensor_type: { elem_type: elemType, shape: { dim: dims.map((d) => (typeof d === 'string' ? { dim_param: d } : { dim_value: d })) } } },
  };
}

/**
 * The model as ONNX bytes (opset 13, with ai.onnx.ml). With preprocessing: inputs named by the feature columns,
 * each [N, 1] (float, or double for a float64 network; string for text columns); outputs `probabilities`
 * [N, classes] and `label` [N] (the class name as a string) for classification, `value` [N, 1] for regression.
 * Without preprocessing: one input `input` [N, inputs] and one output `output`, the network's own.
 */
export function exportONNX(model: ModelSource): Uint8Array {
  const { network: spec, weights, preprocessing } = modelData(model);
  const elemType = spec.dtype === 'float64' ? DataType.DOUBLE : DataType.FLOAT;
  const g = new GraphBuilder(elemType);
  const inputs: ValueInfo[] = [];
  const outputs: ValueInfo[] = [];

  let x: string;
  if (preprocessing) {
    x = encodeInputs(g, preprocessing, elemType, inputs);
    if (preprocessing.piecewise) x = encodePiecewise(g, preprocessing.piecewise, elemType, x);
  }
  else {
    inputs.push(valueInfo('input', elemType, ['N', spec.inputs]));
    x = 'input';
  }

  // The network: h = x·W + b (Gemm, W stored [inputs, units] as backprop keeps it), then the activation.
  spec.layers.forEach((layer, l) => {
    const w = weights[l];
    const name = `layer${l + 1}`;
    const W = g.constant(`${name}.weight`, [w.weights.length, layer.units], w.weights.flat());
    x = w.bias
      ? g.node('Gemm', [x, W, g.constant(`${name}.bias`, [layer.units], w.bias)], [], { name: `${name}/Gemm` })
      : g.node('MatMul', [x, W], [], { name: `${name}/MatMul` });
    if (layer.activation === 'linear') return;
    const attributes = layer.activation === 'leaky-relu' ? [float('alpha', LEAKY_RELU_SLOPE)] : layer.activation === 'softmax' ? [int('axis', 1)] : [];
    x = g.node(ACTIVATION_OPS[layer.activation], [x], attributes, { name: `${name}/${ACTIVATION_OPS[layer.activation]}` });
  });

  const target = preprocessing?.target ?? null;
  const units = spec.layers[spec.layers.length - 1].units;
  if (target?.task === 'classification') {
    // One sigmoid output is P(classes[1]); the probabilities are [1 − p, p].
    const probabilities = units === 1
      ? g.node('Concat', [g.node('Sub', [g.constant('one', [1], [1]), x]), x], [int('axis', 1)], { output: 'probabilities' })
      : g.node('Identity', [x], [], { output: 'probabilities' });
    const best = g.node('ArgMax', [probabilities], [int('axis', 1), int('keepdims', 0)]);
    const classes = target.classes.map(String);
    const label = g.node('LabelEncoder', [best], [ints('keys_int64s', classes.map((_, k) => k)), strings('values_strings', classes),
      { name: 'default_string', type: AttributeType.STRING, s: utf8('') }], { output: 'label', domain: 'ai.onnx.ml' });
    outputs.push(valueInfo(probabilities, elemType, ['N', classes.length]), valueInfo(label, DataType.STRING, ['N']));
  } else if (target?.task === 'regression') {
    // One scale per output (several for a multi-output regression), broadcast over the rows.
    const columns = targetColumns(target);
    let value: string;
    if (columns.some((c) => c.scale)) {
      const std = columns.map((c) => c.scale?.std ?? 1), mean = columns.map((c) => c.scale?.mean ?? 0);
      value = g.node('Add', [g.node('Mul', [x, g.constant('target.std', [std.length], std)]), g.constant('target.mean', [mean.length], mean)], [], { output: 'value' });
    } else value = g.node('Identity', [x], [], { output: 'value' });
    outputs.push(valueInfo(value, elemType, ['N', units]));
  } else {
    outputs.push(valueInfo(g.node('Identity', [x], [], { output: 'output' }), elemType, ['N', units]));
  }

  // Names from the model file enter the description as string literals, so none can pass for the text around it.
  const features = preprocessing?.features ?? [];
  const names = (list: readonly (string | number)[]): string => list.map((v) => jsLiteral(v)).join(', ');
  const summary = preprocessing
    ? `Inputs: ${features.map((f, j) => `${jsLiteral(inputs[j].name!)} (${f.type === 'numeric' ? 'number, NaN where missing' : f.type === 'date' ? 'date as days since 1970-01-01, NaN where missing' : `text: ${f.categories.map((c) => jsLiteral(c)).join(' | ')}${f.missing ? ', or "" (or NA, None, …) where missing' : ''}`})`).join(', ')}. ` +
      (target?.task === 'classification' ? `Outputs: ${jsLiteral(outputs[0].name!)}, the probabilities of ${names(target.classes)}; ${jsLiteral(outputs[1].name!)}, the class.`
        : `Output: ${jsLiteral(outputs[0].name!)}.`)
    : 'Input: the network\'s input vector; output: the network\'s output.';
  return encodeModel({
    ir_version: 8,
    producer_name: 'backprop',
    producer_version: VERSION,
    doc_string: `A multilayer perceptron trained with backprop. ${summary}`,
    opset_import: [{ domain: '', version: ONNX_OPSET }, { domain: 'ai.onnx.ml', version: ONNX_ML_OPSET }],
    graph: { name: 'backprop', node: g.nodes, initializer: g.initializers, input: inputs, output: outputs },
    metadata_props: [
      { key: ONNX_METADATA.version, value: VERSION },
      { key: ONNX_METADATA.network, value: JSON.stringify(spec) },
      { key: ONNX_METADATA.preprocessing, value: JSON.stringify(preprocessing) },
      ...(preprocessing ? [{ key: 'features', value: jsLiteral(features.map((f) => f.name)) }] : []),
      ...(target?.task === 'classification' ? [{ key: 'classes', value: jsLiteral(target.classes) }] : []),
    ],
  });
}

/**
 * The piecewise-linear encoding (data/piecewise.ts) of the scaled vector x: Gather copies each input to its slots
 * (one per bin, and one for its value where kept; one for an input passed through), then z = (x − lower) / width, clipped below by Max and above
 * by Min with bounds that are the largest finite numbers where a side is open (the first and last bins, inputs
 * passed through).
 */
function encodePiecewise(g: GraphBuilder, p: Piecewise, elemType: number, x: string): string {
  // In float64, as backprop bins the held values, then held in the network's type.
  const huge = Number.MAX_VALUE;
  const index: number[] = [], lower: number[] = [], width: number[] = [], floor: number[] = [], ceiling: number[] = [];
  const pass = (input: number): void => {
    index.push(input); lower.push(0); width.push(1); floor.push(-huge); ceiling.push(huge);
  };
  let next = 0;
  for (const c of p.columns) {
    while (next < c.input) pass(next++);
    const T = c.edges.length - 1;
    if (p.value) pass(c.input);
    for (let t = 1; t <= T; t++) {
      index.push(c.input); lower.push(c.edges[t - 1]); width.push(c.edges[t] - c.edges[t - 1]);
      floor.push(t > 1 ? 0 : -huge); ceiling.push(t < T ? 1 : huge);
    }
    next = c.input + 1;
  }
  while (next < p.inputs) pass(next++);
  const n = index.length;
  let z = g.node('Gather', [x, g.constant('piecewise.index', [n], index, DataType.INT64)], [int('axis', 1)], { name: 'piecewise/Gather' });
  if (elemType !== DataType.DOUBLE) z = g.node('Cast', [z], [int('to', DataType.DOUBLE)]);
  z = g.node('Sub', [z, g.constant('piecewise.lower', [n], lower, DataType.DOUBLE)]);
  z = g.node('Div', [z, g.constant('piecewise.width', [n], width, DataType.DOUBLE)]);
  z = g.node('Max', [z, g.constant('piecewise.floor', [n], floor, DataType.DOUBLE)]);
  z = g.node('Min', [z, g.constant('piecewise.ceiling', [n], ceiling, DataType.DOUBLE)]);
  return elemType === DataType.DOUBLE ? z : g.node('Cast', [z], [int('to', elemType)]);
}

/**
 * The graph's inputs (one per feature column) and the nodes that turn them into the network's input vector, as
 * backprop encodes a table: runs of numeric columns joined, a missing value (NaN) replaced by the column's fill
 * (IsNaN, Where) and marked in its indicator input, then scaled as the model's scaler says; text columns one-hot
 * encoded over the model's categories (OneHotEncoder; a missing value, the empty string, is a category of its own
 * where the model has that level; a value the model never saw gives all zeros); a date column, given as days since
 * 1970-01-01, turned into its parts by the day arithmetic of data/dates.ts. Answers the encoded vector's name.
 */
function encodeInputs(g: GraphBuilder, prep: Preprocessing, elemType: number, inputs: ValueInfo[]): string {
  const pieces: string[] = [];
  let run: { f: Extract<FeatureSpec, { type: 'numeric' }>; name: string; double: boolean }[] = [];
  let scaled = 0; // scaled inputs before the run's start: the scaler's index
  const scaler = prep.scaler;
  const shifts = scaler ? (scaler.kind === 'standard' ? scaler.mean : scaler.min) : null;
  const divides = scaler ? (scaler.kind === 'standard' ? scaler.std : scaler.max.map((max, j) => max - scaler.min[j])) : null;
  /** x (k columns from the scaler's `first`) scaled, as the model's scaler says. */
  // backprop fills and scales in float64 and holds the result in the network's type: so does the graph (in float32, a
  // mean rounded to float32 and a float32 subtraction put Ames' Year_Built off by 2e-6 in scaled units, and a narrow
  // bin magnified that to 4.5 dollars of a house's price, 2.5e-5 of it).
  const scale = (x: string, first: number, k: number): string => {
    if (!shifts || !divides) return x;
    x = g.node('Sub', [x, g.constant(`scaler.shift_${first}`, [k], shifts.slice(first, first + k), DataType.DOUBLE)]);
    return g.node('Div', [x, g.constant(`scaler.divide_${first}`, [k], divides.slice(first, first + k), DataType.DOUBLE)]);
  };
  const held = (x: string): string => (elemType === DataType.DOUBLE ? x : g.node('Cast', [x], [int('to', elemType)]));
  /** The values (k columns) with a missing one filled from `fills`, and the mask of where they were missing. */
  const fillMissing = (x: string, fills: number[], name: string, type = elemType): { x: string; mask: string } => {
    const mask = g.node('IsNaN', [x]);
    return { x: g.node('Where', [mask, g.constant(`${name}.fill`, [fills.length], fills, type), x]), mask };
  };
  const flush = (): void => {
    if (run.length === 0) return;
    const k = run.length, first = scaled;
    // In double from here on: a float input cast up, a double one (a column float cannot hold finely) as it is.
    const up = run.map((r) => (elemType === DataType.DOUBLE || r.double ? r.name : g.node('Cast', [r.name], [int('to', DataType.DOUBLE)])));
    let x = k === 1 ? up[0] : g.node('Concat', up, [int('axis', 1)]);
    let mask: string | null = null;
    // A feature without a fill (trained to refuse missing values) keeps its NaN, as backprop refuses it.
    if (run.some((r) => r.f.fill !== undefined)) ({ x, mask } = fillMissing(x, run.map((r) => r.f.fill ?? NaN), `numeric_${first}`, DataType.DOUBLE));
    x = held(scale(x, first, k));
    if (mask && run.some((r) => r.f.indicator)) {
      // Each feature's indicator right after its value: [values | indicators], columns gathered into that order.
      const order: number[] = [];
      run.forEach((r, i) => order.push(i, ...(r.f.indicator ? [k + i] : [])));
      const both = g.node('Concat', [x, g.node('Cast', [mask], [int('to', elemType)])], [int('axis', 1)]);
      x = g.node('Gather', [both, g.constant(`numeric_${first}.order`, [order.length], order, DataType.INT64)], [int('axis', 1)]);
    }
    pieces.push(x);
    scaled += k;
    run = [];
  };
  // Every input's name is claimed before any node is named, so no node's output can take a later feature's name.
  const names = prep.features.map((f) => g.input(f.name));
  prep.features.forEach((f, j) => {
    const name = names[j];
    if (f.type === 'numeric') {
      const double = elemType === DataType.DOUBLE || finerThanFloat(scaler, scaled + run.length);
      inputs.push(valueInfo(name, double ? DataType.DOUBLE : elemType, ['N', 1]));
      run.push({ f, name, double });
      return;
    }
    flush();
    if (f.type === 'date') {
      inputs.push(valueInfo(name, DataType.DOUBLE, ['N', 1]));
      let days = name;
      let mask: string | null = null;
      if (f.fill !== undefined) ({ x: days, mask } = fillMissing(days, [f.fill], `date_${scaled}`, DataType.DOUBLE));
      let x = g.node('Concat', f.parts.map((part) => datePartNode(g, days, part, `date_${scaled}`)), [int('axis', 1)]);
      x = held(scale(x, scaled, f.parts.length));
      if (mask && f.indicator) x = g.node('Concat', [x, g.node('Cast', [mask], [int('to', elemType)])], [int('axis', 1)]);
      pieces.push(x);
      scaled += f.parts.length;
      return;
    }
    inputs.push(valueInfo(name, DataType.STRING, ['N', 1]));
    // Each text to its level's index (LabelEncoder): a category to its own; the empty string and the model's words for
    // "no value" (its training data's naValues: NA, None, ?, … by default, as `backprop predict` reads them) to the missing level where the
    // model has one; anything else to -1. OneHotEncoder gives [N, 1, levels] as float; Flatten makes it [N, levels].
    // zeros 1: -1, among none of the levels, gives all zeros, as backprop encodes a value the model never saw.
    const levels = f.categories.length + (f.missing ? 1 : 0);
    const known = new Set(f.categories);
    const absent = ['', ...modelNaValues(prep)].filter((word) => !known.has(word));
    const keys = [...f.categories, ...absent];
    const values = [...f.categories.map((_, k) => k), ...absent.map(() => (f.missing ? f.categories.length : -1))];
    const level = g.node('LabelEncoder', [name], [strings('keys_strings', keys), ints('values_int64s', values), int('default_int64', -1)], { domain: 'ai.onnx.ml' });
    const encoded = g.node('OneHotEncoder', [level], [ints('cats_int64s', Array.from({ length: levels }, (_, k) => k)), int('zeros', 1)], { domain: 'ai.onnx.ml' });
    let flat = g.node('Flatten', [encoded], [int('axis', 1)]);
    if (elemType === DataType.DOUBLE) flat = g.node('Cast', [flat], [int('to', DataType.DOUBLE)]);
    pieces.push(flat);
  });
  flush();
  if (pieces.length === 0) throw new BackpropError('export: the model has no features');
  return pieces.length === 1 ? pieces[0] : g.node('Concat', pieces, [int('axis', 1)]);
}

/**
 * How finely an input of a float32 model must hold a number column's values: float32 keeps 24 bits, so a column
 * whose values are large against their spread (Ames' Longitude, −93.6 with a standard deviation of 0.026: float32's
 * spacing there is 2.9e-4 of it) loses what the network reads, and a narrow bin magnifies it (1.2e-4 of a house's
 * price). Such a column's input is double, as backprop reads it; the others stay float. The rule: float32's spacing
 * at the column's magnitude (|mean| + 4 standard deviations, or the larger end of a min–max range) above
 * FLOAT_RESOLUTION of its spread. (Whole numbers such as years are exact in float32 anyway; the rule cannot tell them
 * from fractions, so a year column of small spread may be double too.)
 */
export const FLOAT_RESOLUTION = 1e-4;

/** The number columns of a float32 model whose ONNX inputs are double (finerThanFloat), by name. */
export function doubleInputs(model: ModelSource): string[] {
  const { network, preprocessing } = modelData(model);
  if (!preprocessing || network.dtype === 'float64') return [];
  const names: string[] = [];
  let j = 0; // the scaler's index: one per number column, one per date part
  for (const f of preprocessing.features) {
    if (f.type === 'numeric' && finerThanFloat(preprocessing.scaler, j)) names.push(f.name);
    j += f.type === 'numeric' ? 1 : f.type === 'date' ? f.parts.length : 0;
  }
  return names;
}

export function finerThanFloat(scaler: Preprocessing['scaler'], j: number): boolean {
  if (!scaler) return false;
  const [magnitude, spread] = scaler.kind === 'standard'
    ? [Math.abs(scaler.mean[j]) + 4 * scaler.std[j], scaler.std[j]]
    : [Math.max(Math.abs(scaler.min[j]), Math.abs(scaler.max[j])), scaler.max[j] - scaler.min[j]];
  if (!(magnitude > 0) || !(spread > 0)) return false;
  const spacing = 2 ** (Math.floor(Math.log2(magnitude)) - 23);
  return spacing > FLOAT_RESOLUTION * spread;
}

/** One part of a date (days since 1970-01-01, double [N, 1]) as double [N, 1]: data/dates.ts's datePart, node by node. */
function datePartNode(g: GraphBuilder, days: string, part: DatePart, prefix: string): string {
  let count = 0;
  const c = (v: number): string => g.constant(`${prefix}.${part}_${count++}`, [], [v], DataType.DOUBLE);
  const floor = (x: string): string => g.node('Floor', [x]);
  const op = (name: string, a: string, b: string): string => g.node(name, [a, b]);
  const floorDiv = (a: string, b: number): string => floor(op('Div', a, c(b)));
  if (part === 'days') return g.node('Identity', [days]);
  const whole = floor(days);
  if (part === 'hour') return op('Mul', op('Sub', days, whole), c(24));
  if (part === 'weekday') {
    const shifted = op('Add', whole, c(3)); // 1970-01-01 was a Thursday: weekday 3, Monday 0
    return op('Sub', shifted, op('Mul', c(7), floorDiv(shifted, 7)));
  }
  // Howard Hinnant's civil_from_days.
  const z = op('Add', whole, c(719468));
  const era = floorDiv(z, 146097);
  const doe = op('Sub', z, op('Mul', era, c(146097)));
  const yoe = floorDiv(op('Sub', op('Add', op('Sub', doe, floorDiv(doe, 1460)), floorDiv(doe, 36524)), floorDiv(doe, 146096)), 365);
  const doy = op('Sub', doe, op('Sub', op('Add', op('Mul', c(365), yoe), floorDiv(yoe, 4)), floorDiv(yoe, 100)));
  const mp = floorDiv(op('Add', op('Mul', c(5), doy), c(2)), 153);
  const carry = floorDiv(mp, 10); // 1 for January and February, which count to the next year
  if (part === 'month') return op('Sub', op('Add', mp, c(3)), op('Mul', c(12), carry));
  return op('Add', op('Add', yoe, op('Mul', era, c(400))), carry);
}
