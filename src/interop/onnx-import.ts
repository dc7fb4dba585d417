// An ONNX graph of a multilayer perceptron as a backprop model: graphs that backprop exported (read back exactly,
// preprocessing included, from their metadata) and MLPs as PyTorch and Keras export them: Gemm, or MatMul then
// Add, each optionally followed by Relu, Sigmoid, Tanh, LeakyRelu (slope 0.01, backprop's) or Softmax, with
// Identity, Flatten, Reshape and Dropout passed over where they leave a row as it is. Anything else is one error
// naming the node and its operator.
//
// The bytes come from strangers, so the graph is checked before it is followed: initializer and output names
// unique, no cycles (in linear time, however many nodes read one value), every attribute read by its declared
// type (an attribute set to 0 is set), every tensor's data exactly the size its shape says. Names from the
// file are printed through `quoted`, and long lists are cut to a few names and a count.
import { BackpropError, printable, quoted } from '../core/errors.js';
import type { Preprocessing } from '../data/preprocessing.js';
import { MAX_MODEL_BYTES, MAX_NUMBER_CHARS, MODEL_FORMAT, modelVersion, type ModelFile } from '../io/model-file.js';
import { LEAKY_RELU_SLOPE, type ActivationName } from '../nn/activations.js';
import type { ResolvedSpec } from '../nn/spec.js';
import type { DType } from '../core/matrix.js';
import { AttributeType, DataType, decodeModel, type Attribute, type Model, type Node, type Tensor } from './onnx-schema.js';
import { ONNX_METADATA } from './onnx-export.js';
import { foreignModel, type ImportedLayer, type ImportOptions } from './foreign.js';

export type { ImportOptions };

const ACTIVATIONS: Record<string, ActivationName> = { Relu: 'relu', Sigmoid: 'sigmoid', Tanh: 'tanh', LeakyRelu: 'leaky-relu', Softmax: 'softmax' };
const PASS_THROUGH = new Set(['Identity', 'Flatten', 'Reshape', 'Dropout']);
const SUPPORTED = 'Gemm, MatMul + Add, Relu, Sigmoid, Tanh, LeakyRelu, Softmax, Identity, Flatten, Reshape, Dropout';

/** How many inputs each operator takes (least, most), as ONNX defines them. */
const ARITY: Record<string, [number, number]> = {
  Gemm: [2, 3], MatMul: [2, 2], Add: [2, 2], Relu: [1, 1], Sigmoid: [1, 1], Tanh: [1, 1], LeakyRelu: [1, 1], Softmax: [1, 1],
  Identity: [1, 1], Flatten: [1, 1], Reshape: [2, 2], Dropout: [1, 3],
};
const TYPE_NAMES: Record<number, string> = {
  0: 'UNDEFINED (no type, no value)', 1: 'FLOAT', 2: 'INT', 3: 'STRING', 4: 'TENSOR', 5: 'GRAPH', 6: 'FLOATS', 7: 'INTS', 8: 'STRINGS', 9: 'TENSORS', 10: 'GRAPHS',
  11: 'SPARSE_TENSOR', 12: 'SPARSE_TENSORS', 13: 'TYPE_PROTO', 14: 'TYPE_PROTOS',
};
/** Tensors larger than this many values are refused before their data is read (2^28 floats is 1 GiB). */
const MAX_TENSOR_VALUES = 2 ** 28;

/** A few names and how many there are: "a", "b", "c" and 39997 more. */
function someNames(names: readonly string[], shown = 3): string {
  const list = names.slice(0, shown).map((n) => quoted(n, 40)).join(', ');
  return names.length > shown ? `${list} and ${names.length - shown} more` : list;
}

/** A backprop model file (plain data, to check with `modelFromJSON` or save) from an ONNX model's bytes. */
export function importONNX(bytes: Uint8Array, options: ImportOptions = {}): ModelFile {
  const source = options.source ?? 'ONNX model';
  const fail = (message: string): never => {
    throw new BackpropError(`${source}: ${message}`);
  };
  let model: Model;
  try {
    model = decodeModel(bytes);
  } catch (e) {
    return fail(`not an ONNX model (${printable(String((e as Error).message).split('\n')[0], 160)})`);
  }
  const graph = model.graph;
  if (!graph || !graph.node?.length) return fail('not an ONNX model: it has no graph');
  const nodes = graph.node;
  const metadata = new Map((model.metadata_props ?? []).map((p) => [p.key ?? '', p.value ?? '']));
  const initializers = new Map<string, Tensor>();
  for (const t of graph.initializer ?? []) {
    const name = t.name ?? '';
    if (initializers.has(name)) return fail(`two initializers are named ${quoted(name)}; each stored tensor needs its own name`);
    initializers.set(name, t);
  }
  const { consumers } = checkGraph(nodes, (graph.input ?? []).map((v) => v.name ?? ''), fail);
  const constant = (name: string, node: Node): { dims: number[]; values: ArrayLike<number> } => {
    const t = initializers.get(name);
    if (!t) return fail(`node ${nodeName(node)} (${opName(node)}): its input ${quoted(name)} is computed, not a stored weight; backprop reads weights from initializers`);
    return tensorValues(t, fail);
  };
  const attributes = (node: Node) => readAttributes(node, fail);
  // The model file's text must stay within what backprop reads back; count it as the weights are read. Writing
  // every number to count it cost a quarter of a large import: tensors are counted only once the longest their
  // numbers could be written (MAX_NUMBER_CHARS each) might pass the limit, and then exactly.
  let textBytes = 0, uncounted = 0;
  const waiting: { values: ArrayLike<number>; dtype: DType }[] = [];
  const counted = (values: ArrayLike<number>, dtype: DType): void => {
    waiting.push({ values, dtype });
    uncounted += values.length;
    if (textBytes + uncounted * MAX_NUMBER_CHARS <= MAX_MODEL_BYTES) return;
    for (const w of waiting.splice(0)) {
      textBytes += jsonLength(w.values, w.dtype, MAX_MODEL_BYTES - textBytes);
      if (textBytes > MAX_MODEL_BYTES) {
        fail(`its weights would take more than the ${MAX_MODEL_BYTES}-byte limit for model files as backprop's JSON; backprop could not read the result`);
      }
    }
    uncounted = 0;
  };

  // Our own export: the network and preprocessing are in the metadata; the weights are read from the graph.
  const ownSpec = metadata.get(ONNX_METADATA.network);
  if (ownSpec !== undefined && metadata.has(ONNX_METADATA.preprocessing)) {
    let spec: ResolvedSpec, preprocessing: Preprocessing | null;
    try {
      spec = JSON.parse(ownSpec) as ResolvedSpec;
      preprocessing = JSON.parse(metadata.get(ONNX_METADATA.preprocessing)!) as Preprocessing | null;
    } catch {
      return fail(`its ${ONNX_METADATA.network} metadata is not valid JSON`);
    }
    // The rest of the description is checked by modelFromJSON, as any model file is; here only what is needed to find the weights.
    const layerList: unknown = typeof spec === 'object' && spec !== null && !Array.isArray(spec) ? (spec as { layers?: unknown }).layers : undefined;
    if (!Array.isArray(layerList)) return fail(`its ${ONNX_METADATA.network} metadata is not a network description (expected an object with a list of layers)`);
    if (layerList.length > nodes.length) return fail(`its ${ONNX_METADATA.network} metadata lists ${layerList.length} layers, but the graph has only ${nodes.length} nodes`);
    const dtype: DType = spec.dtype === 'float64' ? 'float64' : 'float32';
    const byName = new Map<string, Node>();
    for (const n of nodes) if (n.name && !byName.has(n.name)) byName.set(n.name, n);
    const weights = layerList.map((_, l) => {
      const node = byName.get(`layer${l + 1}/Gemm`) ?? byName.get(`layer${l + 1}/MatMul`);
      if (!node) return fail(`the node of layer ${l + 1} (layer${l + 1}/Gemm) is missing`);
      const inputs = node.input ?? [];
      if (inputs.length < 2 || inputs.length > 3) return fail(`node ${nodeName(node)} (${opName(node)}): ${inputs.length} inputs; expected the rows, a weight and maybe a bias`);
      const w = constant(inputs[1], node);
      if (w.dims.length !== 2) return fail(`node ${nodeName(node)} (${opName(node)}): expected a 2-D weight, got shape [${w.dims.join(', ')}]`);
      counted(w.values, dtype);
      const b = inputs[2] ? constant(inputs[2], node).values : null;
      if (b) counted(b, dtype);
      return { weights: rows(w.values, w.dims[0], w.dims[1]), bias: b && Array.from(b) };
    });
    return { format: MODEL_FORMAT, version: modelVersion(preprocessing), network: spec, weights, preprocessing };
  }

  // A foreign graph: follow the one path from the one input to an output.
  const inputs = (graph.input ?? []).filter((v) => !initializers.has(v.name ?? ''));
  if (inputs.length !== 1) return fail(`expected one input (a batch of feature rows), found ${inputs.length}${inputs.length ? `: ${someNames(inputs.map((v) => v.name ?? ''))}` : ''}`);
  const outputs = new Set((graph.output ?? []).map((v) => v.name));
  const inputDims = inputs[0].type?.tensor_type?.shape?.dim ?? [];
  const float64 = inputs[0].type?.tensor_type?.elem_type === DataType.DOUBLE;
  const dtype: DType = float64 ? 'float64' : 'float32';
  for (const d of inputDims) {
    if (d.dim_value !== undefined && !(Number.isSafeInteger(d.dim_value) && d.dim_value >= 0)) {
      return fail(`the input ${quoted(inputs[0].name)} has shape [${inputDims.map((e) => e.dim_value ?? printable(e.dim_param ?? '?', 20)).join(', ')}]; a dimension is ${d.dim_value}, where a size of 1 or more belongs`);
    }
  }

  const layers: ImportedLayer[] = [];
  let width = inputDims.length === 2 && inputDims[1].dim_value ? inputDims[1].dim_value : -1;
  let current = inputs[0].name!;
  let pendingMatMul = false; // the last layer came from a MatMul, so an Add may give its bias
  for (;;) {
    const next = consumers.get(current) ?? [];
    if (next.length === 0) break;
    if (next.length > 1) return fail(`the value ${quoted(current)} feeds ${next.length} nodes (${someNames(next.map(rawName))}); backprop reads a chain of layers`);
    const node = next[0];
    const op = node.op_type ?? '';
    if (node.domain && node.domain !== 'ai.onnx') return fail(`node ${nodeName(node)}: the operator ${printable(node.domain, 40)}.${printable(op, 40)} is not supported; an MLP graph uses ${SUPPORTED}`);
    if (!(op in ARITY)) return fail(`node ${nodeName(node)}: the operator ${printable(op, 40)} is not supported; an MLP graph uses ${SUPPORTED}`);
    const given = node.input ?? [];
    const [least, most] = ARITY[op];
    if (given.length < least || given.length > most) {
      return fail(`node ${nodeName(node)} (${op}): ${given.length} inputs; ${op} takes ${least === most ? least : `${least} to ${most}`}`);
    }
    if (!node.output?.length || !node.output[0]) return fail(`node ${nodeName(node)} (${op}): it has no output`);
    const attrs = attributes(node);
    const data = given.filter((name) => name !== current);
    const last = layers[layers.length - 1];
    if (op === 'Gemm') {
      if (given[0] !== current || attrs.int('transA', 0) !== 0) return fail(`node ${nodeName(node)} (Gemm): expected the rows as its first input, untransposed`);
      if (given[1] === current) return fail(`node ${nodeName(node)} (Gemm): its weight is the rows themselves; backprop reads weights from initializers`);
      const w = constant(given[1], node);
      if (w.dims.length !== 2) return fail(`node ${nodeName(node)} (Gemm): expected a 2-D weight, got ${w.dims.length}-D`);
      const transB = attrs.int('transB', 0) !== 0;
      const alpha = attrs.float('alpha', 1), beta = attrs.float('beta', 1);
      const [inputsOf, units] = transB ? [w.dims[1], w.dims[0]] : w.dims;
      checkWidth(node, inputsOf);
      counted(w.values, dtype);
      const weights = transB ? transpose(w.values, w.dims[0], w.dims[1], alpha) : rows(w.values, w.dims[0], w.dims[1], alpha);
      let bias: number[] | null = null;
      // With beta 0 the bias takes no part (onnxruntime does not read it), so the layer has none.
      if (given[2] && beta !== 0) {
        const c = constant(given[2], node);
        if (c.values.length !== units) return fail(`node ${nodeName(node)} (Gemm): expected a bias of ${units} values (one per unit), got shape [${c.dims.join(', ')}]`);
        counted(c.values, dtype);
        bias = Array.from(c.values, (v) => beta * v);
      }
      layers.push({ units, weights, bias, activation: 'linear' });
      pendingMatMul = false;
    } else if (op === 'MatMul') {
      if (given[0] !== current) return fail(`node ${nodeName(node)} (MatMul): expected the rows as its first input`);
      const w = constant(given[1], node);
      if (w.dims.length !== 2) return fail(`node ${nodeName(node)} (MatMul): expected a 2-D weight, got ${w.dims.length}-D`);
      checkWidth(node, w.dims[0]);
      counted(w.values, dtype);
      layers.push({ units: w.dims[1], weights: rows(w.values, w.dims[0], w.dims[1]), bias: null, activation: 'linear' });
      pendingMatMul = true;
    } else if (op === 'Add' && pendingMatMul && data.length === 1) {
      const b = constant(data[0], node);
      if (b.values.length !== last.units) return fail(`node ${nodeName(node)} (Add): expected a bias of ${last.units} values after the MatMul, got shape [${b.dims.join(', ')}]`);
      counted(b.values, dtype);
      last.bias = Array.from(b.values);
      pendingMatMul = false;
    } else if (op in ACTIVATIONS) {
      if (!last || last.activation !== 'linear') {
        return fail(`node ${nodeName(node)} (${op}): an activation must follow a Gemm or MatMul layer${last ? ', and one per layer' : ''}`);
      }
      let activation = ACTIVATIONS[op];
      if (op === 'LeakyRelu') {
        const alpha = attrs.float('alpha', 0.01);
        // A slope of 0 is a ReLU exactly.
        if (alpha === 0) activation = 'relu';
        else if (Math.abs(alpha - LEAKY_RELU_SLOPE) > 1e-7) return fail(`node ${nodeName(node)} (LeakyRelu): alpha ${alpha}; backprop's leaky-relu has slope ${LEAKY_RELU_SLOPE} (and relu slope 0)`);
      }
      if (op === 'Softmax') {
        const axis = attrs.int('axis', -1);
        if (axis !== 1 && axis !== -1) return fail(`node ${nodeName(node)} (Softmax): axis ${axis}; backprop's softmax runs over each row (axis 1 or -1), not across the batch`);
      }
      last.activation = activation;
      pendingMatMul = false;
    } else if (PASS_THROUGH.has(op)) {
      if (op === 'Flatten' && attrs.int('axis', 1) !== 1) return fail(`node ${nodeName(node)} (Flatten): axis ${attrs.int('axis', 1)}; only axis 1 leaves rows as they are`);
      if (op === 'Reshape') {
        const shape = constant(given[1], node).values;
        const keeps = shape.length === 2 && (shape[0] === -1 || shape[0] === 0) && (shape[1] === -1 || shape[1] === (last?.units ?? width));
        if (!keeps) return fail(`node ${nodeName(node)} (Reshape): to [${Array.from(shape.length > 8 ? Array.from(shape).slice(0, 8) : shape).join(', ')}${shape.length > 8 ? ', ...' : ''}]; backprop passes over a Reshape only where it keeps each row`);
      }
    } else {
      return fail(`node ${nodeName(node)}: the operator ${printable(op, 40)} is not supported here; an MLP graph uses ${SUPPORTED}`);
    }
    current = node.output[0];
    if (outputs.has(current) && !(consumers.get(current)?.length)) break;
  }
  if (!outputs.has(current)) return fail(`the chain of layers ends at ${quoted(current)}, which is not an output of the graph`);
  if (layers.length === 0) return fail('the graph has no Gemm or MatMul layer');

  function checkWidth(node: Node, inputsOf: number): void {
    const expected = layers.length ? layers[layers.length - 1].units : width;
    if (expected >= 0 && inputsOf !== expected) fail(`node ${nodeName(node)} (${node.op_type}): its weight takes ${inputsOf} inputs, but ${expected} arrive`);
    if (layers.length === 0) width = inputsOf;
  }

  return foreignModel(width, layers, dtype, { ...options, source });
}

function rawName(node: Node): string {
  return node.name || node.output?.[0] || '?';
}

function nodeName(node: Node): string {
  return quoted(rawName(node), 60);
}

function opName(node: Node): string {
  return printable(node.op_type ?? '', 40);
}

/**
 * Checks the graph's structure in time linear in its size: each value the output of one node at most, and no
 * cycle (ONNX graphs are acyclic; following one would never end). Answers who reads each value.
 */
function checkGraph(nodes: readonly Node[], graphInputs: readonly string[], fail: (message: string) => never): { consumers: Map<string, Node[]> } {
  const producer = new Map<string, number>();
  nodes.forEach((node, k) => {
    for (const name of node.output ?? []) {
      if (name === '') continue;
      const other = producer.get(name);
      if (other !== undefined) fail(`the value ${quoted(name)} is the output of two nodes (${nodeName(nodes[other])} and ${nodeName(node)}); each value has one`);
      producer.set(name, k);
    }
  });
  const consumers = new Map<string, Node[]>();
  const waiting = new Int32Array(nodes.length); // inputs still to be computed, per node
  const readers = new Map<string, number[]>();
  nodes.forEach((node, k) => {
    for (const name of node.input ?? []) {
      const list = consumers.get(name);
      if (list) list.push(node);
      else consumers.set(name, [node]);
      if (name !== '' && producer.has(name)) {
        waiting[k]++;
        const r = readers.get(name);
        if (r) r.push(k);
        else readers.set(name, [k]);
      }
    }
  });
  // Kahn's order: a node is ready once every input it reads is computed.
  const ready: number[] = [];
  waiting.forEach((w, k) => w === 0 && ready.push(k));
  let done = 0;
  while (ready.length) {
    const k = ready.pop()!;
    done++;
    for (const name of nodes[k].output ?? []) for (const j of readers.get(name) ?? []) if (--waiting[j] === 0) ready.push(j);
  }
  if (done < nodes.length) {
    // Every node left waits on another node left; walking back along such inputs must come round: that is a cycle.
    let k = waiting.findIndex((w) => w > 0);
    const seen = new Map<number, number>();
    const path: number[] = [];
    while (!seen.has(k)) {
      seen.set(k, path.length);
      path.push(k);
      const from = (nodes[k].input ?? []).map((name) => producer.get(name)).find((p) => p !== undefined && waiting[p] > 0);
      k = from!;
    }
    const cycle = path.slice(seen.get(k)!).reverse();
    const names = cycle.slice(0, 3).map((c) => nodeName(nodes[c]));
    return fail(`the graph has a cycle of ${cycle.length} node${cycle.length === 1 ? '' : 's'} (${names.join(' → ')}${cycle.length > 3 ? ' → ...' : ` → ${names[0]}`}); an ONNX graph computes each value once, in order`);
  }
  for (const name of graphInputs) {
    const p = producer.get(name);
    if (p !== undefined) fail(`the graph input ${quoted(name)} is also the output of node ${nodeName(nodes[p])}`);
  }
  return { consumers };
}

interface Attributes {
  int(name: string, fallback: number): number;
  float(name: string, fallback: number): number;
}

/**
 * A node's attributes, each read by the type it declares (as ONNX specifies): a FLOAT attribute's value is its
 * `f` field, 0 when that is not on the wire. A repeated name, or an attribute of the wrong type, is an error.
 */
function readAttributes(node: Node, fail: (message: string) => never): Attributes {
  const byName = new Map<string, Attribute>();
  for (const a of node.attribute ?? []) {
    const name = a.name ?? '';
    if (byName.has(name)) fail(`node ${nodeName(node)} (${opName(node)}): the attribute ${quoted(name, 40)} is given twice`);
    byName.set(name, a);
  }
  const read = (name: string, type: number, field: 'i' | 'f', fallback: number): number => {
    const a = byName.get(name);
    if (!a) return fallback;
    const has = (key: keyof Attribute): boolean => {
      const v = a[key];
      return v !== undefined && (!Array.isArray(v) || v.length > 0);
    };
    // Old files may leave out the type; then the one field set says it.
    const declared = a.type || (['f', 'i', 's', 't', 'g', 'floats', 'ints', 'strings', 'tensors'] as const).map((k, j) => (has(k) ? j + 1 : 0)).find((t) => t > 0) || 0;
    if (declared !== type) {
      fail(`node ${nodeName(node)} (${opName(node)}): the attribute ${quoted(name, 40)} is stored as ${TYPE_NAMES[declared] ?? `type ${declared}`}; ONNX defines it as ${TYPE_NAMES[type]}`);
    }
    const value = Number(a[field] ?? 0);
    if (!Number.isFinite(value)) fail(`node ${nodeName(node)} (${opName(node)}): the attribute ${quoted(name, 40)} is ${value}`);
    return value;
  };
  return {
    int: (name, fallback) => read(name, AttributeType.INT, 'i', fallback),
    float: (name, fallback) => read(name, AttributeType.FLOAT, 'f', fallback),
  };
}

/** The weight matrix [r][c] (rows as stored), each value times `scale`. */
function rows(values: ArrayLike<number>, r: number, c: number, scale = 1): number[][] {
  const out: number[][] = new Array(r);
  for (let i = 0; i < r; i++) {
    const row: number[] = new Array(c);
    for (let j = 0; j < c; j++) row[j] = scale * values[i * c + j];
    out[i] = row;
  }
  return out;
}

/** The transposed matrix [c][r] of values stored [r][c], each value times `scale`. */
function transpose(values: ArrayLike<number>, r: number, c: number, scale = 1): number[][] {
  const out: number[][] = new Array(c);
  for (let j = 0; j < c; j++) {
    const row: number[] = new Array(r);
    for (let i = 0; i < r; i++) row[i] = scale * values[i * c + j];
    out[j] = row;
  }
  return out;
}

/** The characters the values take in a model file's JSON (with a separator each), counting no further than `limit`. */
function jsonLength(values: ArrayLike<number>, dtype: DType, limit: number): number {
  let n = 0;
  for (let i = 0; i < values.length && n <= limit; i++) n += String(dtype === 'float32' ? Math.fround(values[i]) : values[i]).length + 1;
  return n;
}

/**
 * A stored tensor's numbers: float or double (in their typed fields or as raw little-endian bytes), or int64.
 * The shape is checked first (sizes 0 or more), and the data must hold exactly that many values.
 */
function tensorValues(t: Tensor, fail: (message: string) => never): { dims: number[]; values: ArrayLike<number> } {
  const dims = (t.dims ?? []).map(Number);
  const name = quoted(t.name ?? '', 60);
  const shape = `[${dims.slice(0, 8).join(', ')}${dims.length > 8 ? ', ...' : ''}]`;
  if (dims.length > 8) fail(`the tensor ${name} has ${dims.length} dimensions; backprop's weights have at most 2`);
  const bad = dims.find((d) => !Number.isSafeInteger(d) || d < 0);
  if (bad !== undefined) fail(`the tensor ${name} has shape ${shape}: a size of ${bad} is not possible`);
  const size = dims.reduce((a, b) => a * b, 1);
  if (size > MAX_TENSOR_VALUES) fail(`the tensor ${name} has shape ${shape}: ${size} values, more than backprop reads (${MAX_TENSOR_VALUES})`);
  if (t.data_location === 1) fail(`the tensor ${name} is stored in an external file; save the model with its weights inside`);
  const raw = t.raw_data && t.raw_data.length ? t.raw_data : null;
  const width = t.data_type === DataType.FLOAT ? 4 : t.data_type === DataType.DOUBLE || t.data_type === DataType.INT64 ? 8 : 0;
  if (width === 0) fail(`the tensor ${name} has data type ${t.data_type}; backprop reads float, double and int64 tensors`);
  let values: ArrayLike<number>;
  if (raw) {
    if (raw.length !== size * width) fail(`the tensor ${name} has ${raw.length} bytes of raw data; its shape ${shape} needs ${size * width} (${size} values of ${width} bytes)`);
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    if (t.data_type === DataType.FLOAT) {
      const out = new Float32Array(size);
      for (let i = 0; i < size; i++) out[i] = view.getFloat32(4 * i, true);
      values = out;
    } else if (t.data_type === DataType.DOUBLE) {
      const out = new Float64Array(size);
      for (let i = 0; i < size; i++) out[i] = view.getFloat64(8 * i, true);
      values = out;
    } else {
      const out = new Float64Array(size);
      for (let i = 0; i < size; i++) out[i] = Number(view.getBigInt64(8 * i, true));
      values = out;
    }
  } else {
    const list = t.data_type === DataType.FLOAT ? t.float_data : t.data_type === DataType.DOUBLE ? t.double_data : t.int64_data;
    values = t.data_type === DataType.INT64 ? (list ?? []).map(Number) : (list ?? []);
  }
  if (values.length !== size) fail(`the tensor ${name} holds ${values.length} values for shape ${shape}`);
  return { dims, values };
}
