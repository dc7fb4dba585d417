// A network described as plain data (Keras's get_config idea): the same object builds a network,
// round-trips through JSON, and later backs the CLI flags, the model file and the playground URL.
import { BackpropError, checkOptions, shown, unknownName } from '../core/errors.js';
import { DTYPES, type DType } from '../core/matrix.js';
import { getActivation, type ActivationName, ACTIVATION_NAMES } from './activations.js';
import { checkLossFitsOutput, getLoss, type LossName, LOSS_NAMES } from './losses.js';

export interface LayerSpec {
  /** Number of units (neurons) in the layer. */
  units: number;
  /** Default "sigmoid", the seeds' activation. */
  activation?: ActivationName;
  /** Whether the layer adds a bias b to h = x·W + b. Default true; the seeds' worked examples have none. */
  bias?: boolean;
}

export interface NetworkSpec {
  /** Number of input features per example. */
  inputs: number;
  /** Hidden layers, then the output layer. */
  layers: LayerSpec[];
  /** Default "mse", the seeds' squared error. */
  loss?: LossName;
  /** Storage precision of weights and activations. Default "float32". */
  dtype?: DType;
  /** Seed of the initial weights. Default 1, so that two runs agree unless asked otherwise. */
  seed?: number;
}

/** A spec with every default filled in. */
export interface ResolvedSpec {
  inputs: number;
  layers: Required<LayerSpec>[];
  loss: LossName;
  dtype: DType;
  seed: number;
}

/** The largest layer the library will build: 2²⁴ weights per layer keeps a bad spec from exhausting memory. */
export const MAX_WEIGHTS_PER_LAYER = 1 << 24;
/** The largest network: 2²⁶ weights in all. */
export const MAX_WEIGHTS = 1 << 26;

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function positiveInteger(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new BackpropError(`${field}: expected a positive integer, got ${shown(value)}`, field);
  }
  return value;
}

/** Checks a description field by field and fills in defaults; throws BackpropError naming the field at fault. */
export function resolveSpec(raw: unknown): ResolvedSpec {
  if (!isRecord(raw)) throw new BackpropError('network spec: expected an object like { inputs: 2, layers: [{ units: 1 }] }');
  checkOptions(raw, ['inputs', 'layers', 'loss', 'dtype', 'seed'], 'network spec');
  // Leaving a field out takes its default; null is not a way to ask for it, so it is refused like any bad value.
  for (const key of ['loss', 'dtype', 'seed'] as const) {
    if (raw[key] === null) throw new BackpropError(`${key}: expected a value or nothing (for the default), got null`, key);
  }
  const inputs = positiveInteger(raw.inputs, 'inputs');
  if (!Array.isArray(raw.layers) || raw.layers.length === 0) {
    throw new BackpropError('layers: expected a non-empty list of { units, activation }', 'layers');
  }
  let fanIn = inputs;
  let total = 0;
  const rawLayers: unknown[] = raw.layers;
  const layers = rawLayers.map((layer: unknown, i: number): Required<LayerSpec> => {
    const field = `layers[${i}]`;
    if (!isRecord(layer)) throw new BackpropError(`${field}: expected an object like { units: 4, activation: "relu" }`, field);
    checkOptions(layer, ['units', 'activation', 'bias'], field);
    for (const key of ['activation', 'bias'] as const) {
      if (layer[key] === null) throw new BackpropError(`${field}.${key}: expected a value or nothing (for the default), got null`, `${field}.${key}`);
    }
    const units = positiveInteger(layer.units, `${field}.units`);
    if (fanIn * units > MAX_WEIGHTS_PER_LAYER) {
      throw new BackpropError(`${field}.units: ${fanIn}×${units} weights exceed the limit of ${MAX_WEIGHTS_PER_LAYER}`, `${field}.units`);
    }
    total += fanIn * units;
    if (total > MAX_WEIGHTS) throw new BackpropError(`${field}.units: the network would exceed ${MAX_WEIGHTS} weights in all`, `${field}.units`);
    fanIn = units;
    const activation = layer.activation ?? 'sigmoid';
    getActivation(activation, `${field}.activation`);
    if (activation === 'softmax' && i !== rawLayers.length - 1) {
      throw new BackpropError(`${field}.activation: softmax is only supported on the output layer`, `${field}.activation`);
    }
    const bias = layer.bias ?? true;
    if (typeof bias !== 'boolean') throw new BackpropError(`${field}.bias: expected true or false`, `${field}.bias`);
    return { units, activation: activation as ActivationName, bias };
  });
  const loss = raw.loss ?? 'mse';
  const output = layers[layers.length - 1].activation;
  checkLossFitsOutput(getLoss(loss, 'loss'), getActivation(output), 'loss');
  const dtype = raw.dtype ?? 'float32';
  if (!DTYPES.includes(dtype as DType)) throw unknownName('dtype', dtype, DTYPES, 'dtype');
  const seed = raw.seed ?? 1;
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed)) {
    throw new BackpropError(`seed: expected an integer, got ${shown(seed)}`, 'seed');
  }
  return { inputs, layers, loss: loss as LossName, dtype: dtype as DType, seed };
}

export { ACTIVATION_NAMES, LOSS_NAMES };
