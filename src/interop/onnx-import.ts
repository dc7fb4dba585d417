// An ONNX graph of a multilayer perceptron as a backprop model: graphs that backprop exported (read back exactly,
// preprocessing included, from their metadata) and MLPs as PyTorch and Keras export them: Gemm, or MatMul then
// Add, each optionally followed by Relu, Sigmoid, Tanh, LeakyRelu (slope 0.01, backprop's) or Softmax, with
// Identity, Flatten, Reshape and Dropout passed over where they leave a row as it is. Anything else is one error
// naming the node and its operator.
import { BackpropError } from '../core/errors.js';
import type { Preprocessing } from '../data/preprocessing.js';
import { MODEL_FORMAT, MODEL_VERSION, type ModelFile } from '../io/model-file.js';
import { LEAKY_RELU_SLOPE, type ActivationName } from '../nn/activations.js';
import type { ResolvedSpec } from '../nn/spec.js';
import { DataType, decodeModel, type Attribute, type Model, type Node, type Tensor } from './onnx-schema.js';
import { ONNX_METADATA } from './onnx-export.js';
import { foreignModel, type ImportedLayer, type ImportOptions } from './foreign.js';

export type { ImportOptions };

const ACTIVATIONS: Record<string, ActivationName> = { Relu: 'relu', Sigmoid: 'sigmoid', Tanh: 'tanh', LeakyRelu: 'leaky-relu', Softmax: 'softmax' };
const PASS_THROUGH = new Set(['Identity', 'Flatten', 'Reshape', 'Dropout']);
const SUPPORTED = 'Gemm, MatMul + Add, Relu, Sigmoid, Tanh, LeakyRelu, Softmax, Identity, Flatten, Reshape, Dropout';

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
    return fail(`not an ONNX model (${String((e as Error).message).split('\n')[0]})`);
  }
  const graph = model.graph;
  if (!graph || !graph.node?.length) return fail('not an ONNX model: it has no graph');
  const metadata = new Map((model.metadata_props ?? []).map((p) => [p.key ?? '', p.value ?? '']));
  const initializers = new Map((graph.initializer ?? []).map((t) => [t.name ?? '', t]));
  const constant = (name: string, node: Node): { dims: number[]; values: number[] } => {
    const t = initializers.get(name);
    if (!t) return fail(`node ${nodeName(node)} (${node.op_type}): its input "${name}" is computed, not a stored weight; backprop reads weights from initializers`);
    return tensorValues(t, fail);
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
    const weights = (spec.layers ?? []).map((layer, l) => {
      const node = (graph.node ?? []).find((n) => n.name === `layer${l + 1}/Gemm` || n.name === `layer${l + 1}/MatMul`);
      if (!node) return fail(`the node of layer ${l + 1} (layer${l + 1}/Gemm) is missing`);
      const w = constant(node.input![1], node);
      const b = node.input![2] ? constant(node.input![2], node).values : null;
      return { weights: rows(w.values, w.dims[0], w.dims[1]), bias: b };
    });
    return { format: MODEL_FORMAT, version: MODEL_VERSION, network: spec, weights, preprocessing };
  }

  // A foreign graph: follow the one path from the one input to an output.
  const inputs = (graph.input ?? []).filter((v) => !initializers.has(v.name ?? ''));
  if (inputs.length !== 1) return fail(`expected one input (a batch of feature rows), found ${inputs.length}: ${inputs.map((v) => v.name).join(', ')}`);
  const outputs = new Set((graph.output ?? []).map((v) => v.name));
  const consumers = new Map<string, Node[]>();
  for (const node of graph.node) for (const name of node.input ?? []) consumers.set(name, [...(consumers.get(name) ?? []), node]);
  const inputDims = inputs[0].type?.tensor_type?.shape?.dim ?? [];
  const float64 = inputs[0].type?.tensor_type?.elem_type === DataType.DOUBLE;

  const layers: ImportedLayer[] = [];
  let width = inputDims.length === 2 && inputDims[1].dim_value ? inputDims[1].dim_value : -1;
  let current = inputs[0].name!;
  let pendingMatMul = false; // the last layer came from a MatMul, so an Add may give its bias
  for (;;) {
    const next = consumers.get(current) ?? [];
    if (next.length === 0) break;
    if (next.length > 1) return fail(`the value "${current}" feeds ${next.length} nodes (${next.map(nodeName).join(', ')}); backprop reads a chain of layers`);
    const node = next[0];
    const op = node.op_type ?? '';
    if (node.domain && node.domain !== 'ai.onnx') return fail(`node ${nodeName(node)}: the operator ${node.domain}.${op} is not supported; an MLP graph uses ${SUPPORTED}`);
    const data = (node.input ?? []).filter((name) => name !== current);
    const last = layers[layers.length - 1];
    if (op === 'Gemm') {
      if (node.input![0] !== current || (attribute(node, 'transA')?.i ?? 0) !== 0) return fail(`node ${nodeName(node)} (Gemm): expected the rows as its first input, untransposed`);
      const w = constant(node.input![1], node);
      if (w.dims.length !== 2) return fail(`node ${nodeName(node)} (Gemm): expected a 2-D weight, got ${w.dims.length}-D`);
      const transB = (attribute(node, 'transB')?.i ?? 0) !== 0;
      const alpha = attribute(node, 'alpha')?.f ?? 1, beta = attribute(node, 'beta')?.f ?? 1;
      const [inputsOf, units] = transB ? [w.dims[1], w.dims[0]] : w.dims;
      let weights = transB ? transpose(w.values, w.dims[0], w.dims[1]) : rows(w.values, w.dims[0], w.dims[1]);
      if (alpha !== 1) weights = weights.map((r) => r.map((v) => alpha * v));
      let bias: number[] | null = null;
      if (node.input![2]) {
        const c = constant(node.input![2], node);
        if (c.values.length !== units) return fail(`node ${nodeName(node)} (Gemm): expected a bias of ${units} values (one per unit), got shape [${c.dims.join(', ')}]`);
        bias = c.values.map((v) => beta * v);
      }
      checkWidth(node, inputsOf);
      layers.push({ units, weights, bias, activation: 'linear' });
      pendingMatMul = false;
    } else if (op === 'MatMul') {
      if (node.input![0] !== current) return fail(`node ${nodeName(node)} (MatMul): expected the rows as its first input`);
      const w = constant(node.input![1], node);
      if (w.dims.length !== 2) return fail(`node ${nodeName(node)} (MatMul): expected a 2-D weight, got ${w.dims.length}-D`);
      checkWidth(node, w.dims[0]);
      layers.push({ units: w.dims[1], weights: rows(w.values, w.dims[0], w.dims[1]), bias: null, activation: 'linear' });
      pendingMatMul = true;
    } else if (op === 'Add' && pendingMatMul && data.length === 1) {
      const b = constant(data[0], node);
      if (b.values.length !== last.units) return fail(`node ${nodeName(node)} (Add): expected a bias of ${last.units} values after the MatMul, got shape [${b.dims.join(', ')}]`);
      last.bias = b.values;
      pendingMatMul = false;
    } else if (op in ACTIVATIONS) {
      if (!last || last.activation !== 'linear') {
        return fail(`node ${nodeName(node)} (${op}): an activation must follow a Gemm or MatMul layer${last ? ', and one per layer' : ''}`);
      }
      if (op === 'LeakyRelu') {
        const alpha = attribute(node, 'alpha')?.f ?? 0.01;
        if (Math.abs(alpha - LEAKY_RELU_SLOPE) > 1e-7) return fail(`node ${nodeName(node)} (LeakyRelu): alpha ${alpha}; backprop's leaky-relu has slope ${LEAKY_RELU_SLOPE}`);
      }
      if (op === 'Softmax') {
        const axis = attribute(node, 'axis')?.i ?? -1;
        if (axis !== 1 && axis !== -1) return fail(`node ${nodeName(node)} (Softmax): axis ${axis}; backprop's softmax runs over each row (axis 1)`);
      }
      last.activation = ACTIVATIONS[op];
      pendingMatMul = false;
    } else if (PASS_THROUGH.has(op)) {
      if (op === 'Flatten' && (attribute(node, 'axis')?.i ?? 1) !== 1) return fail(`node ${nodeName(node)} (Flatten): only axis 1, which leaves rows as they are`);
      if (op === 'Reshape') {
        const shape = constant(node.input![1], node).values;
        const keeps = shape.length === 2 && (shape[0] === -1 || shape[0] === 0) && (shape[1] === -1 || shape[1] === (last?.units ?? width));
        if (!keeps) return fail(`node ${nodeName(node)} (Reshape): to [${shape.join(', ')}]; backprop passes over a Reshape only where it keeps each row`);
      }
    } else {
      return fail(`node ${nodeName(node)}: the operator ${op} is not supported; an MLP graph uses ${SUPPORTED}`);
    }
    current = node.output![0];
    if (outputs.has(current) && !(consumers.get(current)?.length)) break;
  }
  if (!outputs.has(current)) return fail(`the chain of layers ends at "${current}", which is not an output of the graph`);
  if (layers.length === 0) return fail('the graph has no Gemm or MatMul layer');

  function checkWidth(node: Node, inputsOf: number): void {
    const expected = layers.length ? layers[layers.length - 1].units : width;
    if (expected >= 0 && inputsOf !== expected) fail(`node ${nodeName(node)} (${node.op_type}): its weight takes ${inputsOf} inputs, but ${expected} arrive`);
    if (layers.length === 0) width = inputsOf;
  }

  return foreignModel(width, layers, float64 ? 'float64' : 'float32', { ...options, source });
}

function nodeName(node: Node): string {
  return JSON.stringify(node.name || node.output?.[0] || '?');
}

function attribute(node: Node, name: string): Attribute | undefined {
  return node.attribute?.find((a) => a.name === name);
}

function rows(values: number[], r: number, c: number): number[][] {
  return Array.from({ length: r }, (_, i) => values.slice(i * c, (i + 1) * c));
}

function transpose(values: number[], r: number, c: number): number[][] {
  return Array.from({ length: c }, (_, j) => Array.from({ length: r }, (_, i) => values[i * c + j]));
}

/** A stored tensor's numbers: float or double (in their typed fields or as raw little-endian bytes), or int64. */
function tensorValues(t: Tensor, fail: (message: string) => never): { dims: number[]; values: number[] } {
  const dims = (t.dims ?? []).map(Number);
  const size = dims.reduce((a, b) => a * b, 1);
  if (t.data_location === 1) fail(`the tensor "${t.name}" is stored in an external file; save the model with its weights inside`);
  let values: number[];
  const raw = t.raw_data && t.raw_data.length ? t.raw_data : null;
  const view = raw ? new DataView(raw.buffer, raw.byteOffset, raw.byteLength) : null;
  switch (t.data_type) {
    case DataType.FLOAT:
      values = view ? Array.from({ length: raw!.length / 4 }, (_, i) => view.getFloat32(4 * i, true)) : (t.float_data ?? []);
      break;
    case DataType.DOUBLE:
      values = view ? Array.from({ length: raw!.length / 8 }, (_, i) => view.getFloat64(8 * i, true)) : (t.double_data ?? []);
      break;
    case DataType.INT64:
      values = view ? Array.from({ length: raw!.length / 8 }, (_, i) => Number(view.getBigInt64(8 * i, true))) : (t.int64_data ?? []).map(Number);
      break;
    default:
      return fail(`the tensor "${t.name}" has data type ${t.data_type}; backprop reads float, double and int64 tensors`);
  }
  if (values.length !== size) fail(`the tensor "${t.name}" holds ${values.length} values for shape [${dims.join(', ')}]`);
  return { dims, values: values.map(Number) };
}

