// TensorFlow.js's layers format, both ways: a Sequential of Dense layers (model.json, the topology and a weights
// manifest) and one binary file of float32 weights, which tf.loadLayersModel loads. Exports carry backprop's
// preprocessing in userDefinedMetadata, so they import back exactly; imports read Sequential models saved by
// TensorFlow.js or converted from Keras (tensorflowjs_converter): Dense, Activation, ReLU, LeakyReLU (slope
// 0.01), Softmax, and InputLayer, Dropout and Flatten passed over.
import { BackpropError } from '../core/errors.js';
import type { Preprocessing } from '../data/preprocessing.js';
import { MODEL_FORMAT, MODEL_VERSION, type ModelFile } from '../io/model-file.js';
import { LEAKY_RELU_SLOPE, type ActivationName } from '../nn/activations.js';
import type { ResolvedSpec } from '../nn/spec.js';
import { VERSION } from '../version.js';
import { foreignModel, type ImportOptions } from './foreign.js';

export interface TFJSWeightEntry {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: unknown;
}

/** model.json of the layers format, as TensorFlow.js writes and reads it. */
export interface TFJSModelJSON {
  format: 'layers-model';
  generatedBy: string;
  convertedBy: string | null;
  modelTopology: unknown;
  weightsManifest: { paths: string[]; weights: TFJSWeightEntry[] }[];
  userDefinedMetadata?: Record<string, unknown>;
}

const TFJS_ACTIVATIONS: Partial<Record<ActivationName, string>> = { sigmoid: 'sigmoid', tanh: 'tanh', relu: 'relu', linear: 'linear', softmax: 'softmax' };
const FROM_TFJS: Record<string, ActivationName> = { sigmoid: 'sigmoid', tanh: 'tanh', relu: 'relu', linear: 'linear', softmax: 'softmax' };

/**
 * The model as TensorFlow.js files: `modelJSON` (model.json; its manifest names `weightsPath`) and `weights`, the
 * float32 weights in the manifest's order. The network's inputs are the encoded feature vector (numbers scaled,
 * text one-hot), as in backprop; how to encode them is in userDefinedMetadata.backprop.preprocessing.
 */
export function exportTFJS(model: ModelFile, weightsPath = 'model.weights.bin'): { modelJSON: TFJSModelJSON; weights: Uint8Array } {
  const { network: spec, weights, preprocessing } = model;
  const layers: unknown[] = [];
  const entries: TFJSWeightEntry[] = [];
  const values: number[] = [];
  let inputs = spec.inputs;
  spec.layers.forEach((layer, l) => {
    const name = `dense_${l + 1}`;
    const leaky = layer.activation === 'leaky-relu';
    layers.push({
      class_name: 'Dense',
      config: {
        name, units: layer.units, activation: leaky ? 'linear' : TFJS_ACTIVATIONS[layer.activation], use_bias: layer.bias,
        trainable: true, dtype: 'float32', ...(l === 0 ? { batch_input_shape: [null, inputs] } : {}),
      },
    });
    if (leaky) layers.push({ class_name: 'LeakyReLU', config: { name: `leaky_re_lu_${l + 1}`, alpha: LEAKY_RELU_SLOPE, trainable: true } });
    entries.push({ name: `${name}/kernel`, shape: [inputs, layer.units], dtype: 'float32' });
    for (const row of weights[l].weights) values.push(...row);
    if (layer.bias) {
      entries.push({ name: `${name}/bias`, shape: [layer.units], dtype: 'float32' });
      values.push(...weights[l].bias!);
    }
    inputs = layer.units;
  });
  const bytes = new Uint8Array(Float32Array.from(values).buffer);
  return {
    modelJSON: {
      format: 'layers-model',
      generatedBy: `backprop ${VERSION}`,
      convertedBy: null,
      modelTopology: { class_name: 'Sequential', config: { name: 'backprop', layers }, keras_version: 'tfjs-layers 4.22.0', backend: 'tensor_flow.js' },
      weightsManifest: [{ paths: [weightsPath], weights: entries }],
      userDefinedMetadata: { backprop: { version: VERSION, network: spec, preprocessing } },
    },
    weights: bytes,
  };
}

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

interface Layer {
  name: string;
  units: number;
  bias: boolean;
  activation: ActivationName;
}

/**
 * A backprop model file from TensorFlow.js's model.json (parsed) and its weight files' bytes, concatenated in the
 * manifest's order (the way TensorFlow.js reads them).
 */
export function importTFJS(modelJSON: unknown, weightData: Uint8Array, options: ImportOptions = {}): ModelFile {
  const source = options.source ?? 'model.json';
  const fail = (message: string): never => {
    throw new BackpropError(`${source}: ${message}`);
  };
  if (!isRecord(modelJSON) || !isRecord(modelJSON.modelTopology)) return fail('not a TensorFlow.js layers model: no modelTopology');
  let topology = modelJSON.modelTopology;
  // tensorflowjs_converter wraps Keras's model config.
  if (isRecord(topology.model_config)) topology = topology.model_config;
  if (topology.class_name !== 'Sequential') return fail(`a ${String(topology.class_name)} model; backprop imports Sequential models of Dense layers`);
  const config = topology.config;
  const list = Array.isArray(config) ? config : isRecord(config) && Array.isArray(config.layers) ? config.layers : fail('modelTopology.config: expected a list of layers');

  const layers: Layer[] = [];
  let inputs = -1;
  const batchShape = (c: Record<string, unknown>): void => {
    const shape = (c.batch_input_shape ?? c.batch_shape) as unknown;
    if (Array.isArray(shape)) {
      if (shape.length !== 2 || typeof shape[1] !== 'number') fail(`layer ${JSON.stringify(c.name)}: input shape [${shape.join(', ')}]; backprop reads rows of numbers ([null, n])`);
      if (inputs < 0) inputs = shape[1] as number;
    }
  };
  for (const [i, entry] of list.entries()) {
    if (!isRecord(entry) || !isRecord(entry.config)) return fail(`modelTopology layer ${i + 1}: expected { class_name, config }`);
    const c = entry.config;
    const kind = String(entry.class_name);
    const name = JSON.stringify(c.name ?? `layer ${i + 1}`);
    const last = layers[layers.length - 1];
    const setActivation = (activation: ActivationName): void => {
      if (activation === 'linear') return;
      if (!last || last.activation !== 'linear') fail(`layer ${name} (${kind}): an activation must follow a Dense layer without one`);
      last.activation = activation;
    };
    batchShape(c);
    if (kind === 'Dense') {
      const activation = FROM_TFJS[String(c.activation ?? 'linear')];
      if (!activation) return fail(`layer ${name} (Dense): the activation ${JSON.stringify(c.activation)} is not one backprop has (${Object.keys(FROM_TFJS).join(', ')})`);
      if (typeof c.units !== 'number') return fail(`layer ${name} (Dense): expected units`);
      layers.push({ name: String(c.name ?? ''), units: c.units, bias: c.use_bias !== false, activation });
    } else if (kind === 'Activation') {
      const activation = FROM_TFJS[String(c.activation)];
      if (!activation) return fail(`layer ${name} (Activation): the activation ${JSON.stringify(c.activation)} is not one backprop has`);
      setActivation(activation);
    } else if (kind === 'ReLU') {
      if ((c.max_value ?? null) !== null || (c.negative_slope ?? 0) !== 0 || (c.threshold ?? 0) !== 0) return fail(`layer ${name} (ReLU): only the plain relu (no max_value, slope or threshold)`);
      setActivation('relu');
    } else if (kind === 'LeakyReLU') {
      const alpha = Number(c.alpha ?? c.negative_slope ?? 0.3);
      if (Math.abs(alpha - LEAKY_RELU_SLOPE) > 1e-7) return fail(`layer ${name} (LeakyReLU): alpha ${alpha}; backprop's leaky-relu has slope ${LEAKY_RELU_SLOPE}`);
      setActivation('leaky-relu');
    } else if (kind === 'Softmax') {
      setActivation('softmax');
    } else if (!['InputLayer', 'Dropout', 'Flatten'].includes(kind)) {
      return fail(`layer ${name}: the layer type ${kind} is not supported; backprop imports Dense, Activation, ReLU, LeakyReLU, Softmax, InputLayer, Dropout and Flatten`);
    }
  }
  if (layers.length === 0) return fail('the model has no Dense layer');
  if (inputs < 0) return fail('the model does not say its input size (batch_input_shape of its first layer)');

  // The weights: the manifest's entries in order, over the concatenated bytes.
  const manifest = Array.isArray(modelJSON.weightsManifest) ? modelJSON.weightsManifest : fail('weightsManifest: expected a list');
  const entries: TFJSWeightEntry[] = manifest.flatMap((group: unknown) => (isRecord(group) && Array.isArray(group.weights) ? group.weights : fail('weightsManifest: expected groups of weights')));
  const stored = new Map<string, number[]>();
  const order: string[] = [];
  let offset = 0;
  for (const e of entries) {
    if (e.dtype !== 'float32' || e.quantization) return fail(`weight ${e.name}: ${e.quantization ? 'quantized' : e.dtype}; backprop reads float32 weights`);
    const size = e.shape.reduce((a, b) => a * b, 1);
    if (offset + 4 * size > weightData.byteLength) return fail(`the weight files hold ${weightData.byteLength} bytes; the manifest needs more (at ${e.name})`);
    const view = new DataView(weightData.buffer, weightData.byteOffset + offset, 4 * size);
    stored.set(e.name, Array.from({ length: size }, (_, i) => view.getFloat32(4 * i, true)));
    order.push(e.name);
    offset += 4 * size;
  }
  if (offset !== weightData.byteLength) fail(`the weight files hold ${weightData.byteLength} bytes; the manifest describes ${offset}`);
  // By name where the names say which layer a weight belongs to, else in order.
  let next = 0;
  const take = (layer: Layer, part: 'kernel' | 'bias', size: number): number[] => {
    const named = order.find((n) => n.endsWith(`${layer.name}/${part}`) || n.endsWith(`${layer.name}/${part}:0`));
    const name = named ?? order[next];
    if (!named) next++;
    const values = name === undefined ? undefined : stored.get(name);
    if (!values || values.length !== size) return fail(`layer ${JSON.stringify(layer.name)}: expected a ${part} of ${size} values${name ? `, found ${name} with ${values?.length}` : ''}`);
    return values;
  };
  let width = inputs;
  const weights = layers.map((layer) => {
    const kernel = take(layer, 'kernel', width * layer.units);
    const w = Array.from({ length: width }, (_, i) => kernel.slice(i * layer.units, (i + 1) * layer.units));
    const b = layer.bias ? take(layer, 'bias', layer.units) : null;
    width = layer.units;
    return { weights: w, bias: b };
  });

  const ours = isRecord(modelJSON.userDefinedMetadata) && isRecord(modelJSON.userDefinedMetadata.backprop) ? modelJSON.userDefinedMetadata.backprop : null;
  if (ours && isRecord(ours.network)) {
    return { format: MODEL_FORMAT, version: MODEL_VERSION, network: ours.network as unknown as ResolvedSpec, weights, preprocessing: (ours.preprocessing ?? null) as Preprocessing | null };
  }
  return foreignModel(inputs, layers.map((l, i) => ({ units: l.units, activation: l.activation, ...weights[i] })), 'float32', { ...options, source });
}
