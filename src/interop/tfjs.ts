// TensorFlow.js's layers format, both ways: a Sequential of Dense layers (model.json, the topology and a weights
// manifest) and one binary file of float32 weights, which tf.loadLayersModel loads. Exports carry backprop's
// preprocessing in userDefinedMetadata, so they import back exactly; imports read Sequential models saved by
// TensorFlow.js or converted from Keras (tensorflowjs_converter): Dense, Activation, ReLU, LeakyReLU (slope
// 0.01), Softmax, and InputLayer, Dropout and Flatten passed over.
import { BackpropError, quoted, shown } from '../core/errors.js';
import type { Preprocessing } from '../data/preprocessing.js';
import { MAX_MODEL_BYTES, MODEL_FORMAT, modelVersion, modelData, type ModelFile, type ModelSource } from '../io/model-file.js';
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
export function exportTFJS(model: ModelSource, weightsPath = 'model.weights.bin'): { modelJSON: TFJSModelJSON; weights: Uint8Array } {
  const { network: spec, weights, preprocessing } = modelData(model);
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

/** One manifest entry, checked: where its float32 values start in the concatenated weight bytes, and how many. */
interface Entry {
  name: string;
  shape: number[];
  offset: number;
  size: number;
}

/** A weight group of the manifest: the files that hold it, concatenated, and how many bytes its weights need. */
export interface TFJSWeightGroup {
  paths: string[];
  /** Where the group sits in weightsManifest, for messages: "weightsManifest[0]". */
  label: string;
  bytes: number;
}

interface Plan {
  inputs: number;
  layers: Layer[];
  groups: TFJSWeightGroup[];
  /** Each Dense layer's kernel and bias, as matched by name; null for a layer without a bias. */
  kernels: Entry[];
  biases: (Entry | null)[];
  bytes: number;
}

/** A list of non-negative integers, or why not; never stringifies a deeply nested value (that overflows the stack). */
function dims(value: unknown): number[] | null {
  if (!Array.isArray(value) || value.length > 8) return null;
  return value.every((d) => Number.isSafeInteger(d) && d >= 0) ? (value as number[]) : null;
}

const shapeText = (shape: readonly number[]): string => `[${shape.join(', ')}]`;

/**
 * Everything model.json says, checked before any weight byte is read: the layers, the manifest's entries and files,
 * and which entry each layer takes. Weights are matched to layers as TensorFlow.js's loadLayersModel matches them:
 * by full name (`dense/kernel` belongs to the layer named `dense`, never to `my_dense`), with its one fallback (a
 * name with a scope in front, `outer/dense/kernel`, drops its next-to-last part); every entry must find its layer
 * and every layer its weights, with the layer's shape.
 */
function plan(modelJSON: unknown, source: string): Plan {
  const fail = (message: string): never => {
    throw new BackpropError(`${source}: ${message}`);
  };
  if (!isRecord(modelJSON) || !isRecord(modelJSON.modelTopology)) return fail('not a TensorFlow.js layers model: no modelTopology');
  let topology = modelJSON.modelTopology;
  // tensorflowjs_converter wraps Keras's model config.
  if (isRecord(topology.model_config)) topology = topology.model_config;
  if (topology.class_name !== 'Sequential') return fail(`a ${shown(topology.class_name)} model; backprop imports Sequential models of Dense layers`);
  const config = topology.config;
  const list = Array.isArray(config) ? config : isRecord(config) && Array.isArray(config.layers) ? config.layers : fail('modelTopology.config: expected a list of layers');

  const layers: Layer[] = [];
  const names = new Set<string>();
  let inputs = -1;
  for (const [i, entry] of list.entries()) {
    if (!isRecord(entry) || !isRecord(entry.config)) return fail(`modelTopology layer ${i + 1}: expected { class_name, config }`);
    const c = entry.config;
    if (typeof entry.class_name !== 'string') return fail(`modelTopology layer ${i + 1}: class_name: expected a string, got ${shown(entry.class_name)}`);
    if (c.name !== undefined && typeof c.name !== 'string') return fail(`modelTopology layer ${i + 1}: name: expected a string, got ${shown(c.name)}`);
    const kind = entry.class_name;
    const name = c.name === undefined ? `layer ${i + 1}` : `layer ${quoted(c.name)}`;
    const described = `${name} (${quoted(kind)})`;
    if (typeof c.name === 'string') {
      // TensorFlow.js refuses two layers of one name: their weights would share names.
      if (names.has(c.name)) return fail(`${name}: two layers have this name; each weight belongs to one layer by name`);
      names.add(c.name);
    }
    const activationOf = (value: unknown): ActivationName => {
      if (value !== undefined && value !== null && typeof value !== 'string') return fail(`${described}: activation: expected a name, got ${shown(value)}`);
      const activation = Object.hasOwn(FROM_TFJS, value ?? 'linear') ? FROM_TFJS[value ?? 'linear'] : undefined;
      return activation ?? fail(`${described}: the activation ${quoted(value)} is not one backprop has (${Object.keys(FROM_TFJS).join(', ')})`);
    };
    const last = layers[layers.length - 1];
    const setActivation = (activation: ActivationName): void => {
      if (activation === 'linear') return;
      if (!last || last.activation !== 'linear') fail(`${described}: an activation must follow a Dense layer without one`);
      last.activation = activation;
    };
    const shape = c.batch_input_shape ?? c.batch_shape;
    if (shape !== undefined && shape !== null) {
      if (!Array.isArray(shape) || shape.length !== 2 || shape[0] !== null || !Number.isSafeInteger(shape[1]) || (shape[1] as number) < 1) {
        return fail(`${name}: input shape ${shown(shape)}; backprop reads rows of numbers ([null, n])`);
      }
      if (inputs < 0) inputs = shape[1] as number;
    }
    if (kind === 'Dense') {
      if (typeof c.name !== 'string') return fail(`${described}: no name; TensorFlow.js matches weights to layers by name`);
      const activation = activationOf(c.activation);
      if (!Number.isSafeInteger(c.units) || (c.units as number) < 1) return fail(`${described}: units: expected a positive whole number, got ${shown(c.units)}`);
      if (c.use_bias !== undefined && typeof c.use_bias !== 'boolean') return fail(`${described}: use_bias: expected true or false, got ${shown(c.use_bias)}`);
      layers.push({ name: c.name, units: c.units as number, bias: c.use_bias !== false, activation });
    } else if (kind === 'Activation') {
      setActivation(activationOf(c.activation));
    } else if (kind === 'ReLU') {
      if ((c.max_value ?? null) !== null || (c.negative_slope ?? 0) !== 0 || (c.threshold ?? 0) !== 0) return fail(`${described}: only the plain relu (no max_value, slope or threshold)`);
      setActivation('relu');
    } else if (kind === 'LeakyReLU') {
      const alpha = c.alpha ?? c.negative_slope ?? 0.3;
      if (typeof alpha !== 'number' || Math.abs(alpha - LEAKY_RELU_SLOPE) > 1e-7) return fail(`${described}: alpha ${shown(alpha)}; backprop's leaky-relu has slope ${LEAKY_RELU_SLOPE}`);
      setActivation('leaky-relu');
    } else if (kind === 'Softmax') {
      setActivation('softmax');
    } else if (!['InputLayer', 'Dropout', 'Flatten'].includes(kind)) {
      return fail(`${name}: the layer type ${quoted(kind)} is not supported; backprop imports Dense, Activation, ReLU, LeakyReLU, Softmax, InputLayer, Dropout and Flatten`);
    }
  }
  if (layers.length === 0) return fail('the model has no Dense layer');
  if (inputs < 0) return fail('the model does not say its input size (batch_input_shape of its first layer)');

  // What each layer needs, by the weight names TensorFlow.js gives them.
  const wanted = new Map<string, { layer: number; part: 'kernel' | 'bias'; shape: number[] }>();
  let width = inputs;
  let parameters = 0;
  layers.forEach((layer, l) => {
    wanted.set(`${layer.name}/kernel`, { layer: l, part: 'kernel', shape: [width, layer.units] });
    if (layer.bias) wanted.set(`${layer.name}/bias`, { layer: l, part: 'bias', shape: [layer.units] });
    parameters += (width + (layer.bias ? 1 : 0)) * layer.units;
    width = layer.units;
  });
  if (4 * parameters > MAX_MODEL_BYTES) return fail(`the layers need ${4 * parameters} bytes of weights, more than the ${MAX_MODEL_BYTES}-byte limit for model files`);

  // The manifest: groups of entries, each group's values in the files it lists, concatenated, the groups in order.
  const manifest = Array.isArray(modelJSON.weightsManifest) ? modelJSON.weightsManifest : fail('weightsManifest: expected a list');
  const groups: TFJSWeightGroup[] = [];
  const kernels: Entry[] = [];
  const biases: (Entry | null)[] = layers.map(() => null);
  const seen = new Set<string>();
  let offset = 0;
  for (const [g, group] of manifest.entries()) {
    const label = `weightsManifest[${g}]`;
    if (!isRecord(group) || !Array.isArray(group.paths) || !Array.isArray(group.weights)) return fail(`${label}: expected { paths, weights }`);
    const paths = group.paths.map((p: unknown, k) => (typeof p === 'string' && p !== '' ? p : fail(`${label}.paths[${k}]: expected a file name, got ${shown(p)}`)));
    const start = offset;
    for (const [k, e] of group.weights.entries()) {
      const at = `${label}.weights[${k}]`;
      if (!isRecord(e)) return fail(`${at}: expected { name, shape, dtype }, got ${shown(e)}`);
      if (typeof e.name !== 'string') return fail(`${at}: name: expected a string, got ${shown(e.name)}`);
      const weight = `weight ${quoted(e.name)}`;
      if (e.dtype !== 'float32' || (e.quantization !== undefined && e.quantization !== null)) {
        return fail(`${weight}: ${e.quantization ? 'quantized' : `dtype ${shown(e.dtype)}`}; backprop reads float32 weights`);
      }
      const shape = dims(e.shape);
      if (!shape) return fail(`${weight}: shape: expected a list of whole numbers, 0 or more, got ${shown(e.shape)}`);
      if (seen.has(e.name)) return fail(`${weight}: listed twice in weightsManifest; each weight has one entry`);
      seen.add(e.name);
      // TensorFlow.js's fallback for a name it does not know: drop the next-to-last part (outer/dense/kernel → outer/kernel).
      const parts = e.name.split('/');
      const target = wanted.has(e.name) ? e.name : [...parts.slice(0, -2), parts[parts.length - 1]].join('/');
      const want = wanted.get(target);
      if (!want) return fail(`${weight}: no layer has a weight of this name (TensorFlow.js matches by full name, e.g. ${quoted(`${layers[0].name}/kernel`)})`);
      wanted.delete(target);
      const size = shape.reduce((a, b) => a * b, 1);
      if (shapeText(shape) !== shapeText(want.shape)) return fail(`${weight}: shape ${shapeText(shape)}; layer ${quoted(layers[want.layer].name)} needs ${shapeText(want.shape)}`);
      const entry = { name: e.name, shape, offset, size };
      if (want.part === 'kernel') kernels[want.layer] = entry;
      else biases[want.layer] = entry;
      offset += 4 * size;
    }
    groups.push({ paths, label, bytes: offset - start });
  }
  const missing = [...wanted.keys()];
  if (missing.length) return fail(`weightsManifest: no weight ${quoted(missing[0])}${missing.length > 1 ? ` (and ${missing.length - 1} more)` : ''}; TensorFlow.js matches weights to layers by full name`);
  return { inputs, layers, groups, kernels, biases, bytes: offset };
}

/**
 * The weight files model.json names, by group, and how many bytes each group's files must hold together, checked
 * against the layers before any file is read: a reader reads these and nothing more.
 */
export function tfjsWeightGroups(modelJSON: unknown, options: Pick<ImportOptions, 'source'> = {}): TFJSWeightGroup[] {
  return plan(modelJSON, options.source ?? 'model.json').groups;
}

/**
 * A backprop model file from TensorFlow.js's model.json (parsed) and its weight files' bytes, concatenated in the
 * manifest's order (the way TensorFlow.js reads them).
 */
export function importTFJS(modelJSON: unknown, weightData: Uint8Array, options: ImportOptions = {}): ModelFile {
  const source = options.source ?? 'model.json';
  const { inputs, layers, kernels, biases, bytes } = plan(modelJSON, source);
  if (weightData.byteLength !== bytes) throw new BackpropError(`${source}: the weight files hold ${weightData.byteLength} bytes; the manifest describes ${bytes}`);
  const view = new DataView(weightData.buffer, weightData.byteOffset, weightData.byteLength);
  const values = (e: Entry): number[] => Array.from({ length: e.size }, (_, i) => view.getFloat32(e.offset + 4 * i, true));
  let width = inputs;
  const weights = layers.map((layer, l) => {
    const kernel = values(kernels[l]);
    const w = Array.from({ length: width }, (_, i) => kernel.slice(i * layer.units, (i + 1) * layer.units));
    const b = biases[l] ? values(biases[l]!) : null;
    width = layer.units;
    return { weights: w, bias: b };
  });

  const json = modelJSON as Record<string, unknown>;
  const ours = isRecord(json.userDefinedMetadata) && isRecord(json.userDefinedMetadata.backprop) ? json.userDefinedMetadata.backprop : null;
  if (ours && isRecord(ours.network)) {
    return { format: MODEL_FORMAT, version: modelVersion((ours.preprocessing ?? null) as Preprocessing | null), network: ours.network as unknown as ResolvedSpec, weights, preprocessing: (ours.preprocessing ?? null) as Preprocessing | null };
  }
  return foreignModel(inputs, layers.map((l, i) => ({ units: l.units, activation: l.activation, ...weights[i] })), 'float32', { ...options, source });
}
