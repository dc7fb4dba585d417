// The model file: a network's architecture, weights and preprocessing as versioned JSON (format below,
// documented in the README). Reading treats the text as untrusted: every field is checked before use.
import { BackpropError, shown } from '../core/errors.js';
import { SCALER_KINDS, type Scaler } from '../data/scaling.js';
import { MAX_PIECEWISE_WIDTH, piecewiseWidth, wideEnough, type Piecewise } from '../data/piecewise.js';
import { encodedWidth, scaledCount, scaledInputs, targetColumns, type FeatureSpec, type LeftOut, type Preprocessing, type TargetSpec } from '../data/preprocessing.js';
import { DATE_PARTS, datePart } from '../data/dates.js';
import { MAX_NA_LENGTH, MAX_NA_VALUES, MAX_NUMERIC_WORDS } from '../data/missing.js';
import { Network, type LayerWeights, type NetworkOptions } from '../nn/network.js';
import { resolveSpec, type ResolvedSpec } from '../nn/spec.js';
import { FieldReader } from './validate.js';
import { JsonScan, scanError, type ListBound, type PathPart } from './json-scan.js';
import type { Label } from '../data/encoding.js';

export const MODEL_FORMAT = 'backprop-model';
/**
 * The newest version this release writes and reads. Version 2 adds what missing values, dates and left-out columns
 * need (a feature's fill and indicator, a text feature's missing level, date features, leftOut) and the
 * piecewise-linear encoding of the scaled inputs (piecewise), the words that meant "no value" in the training data
 * where they were not the default list (naValues) and a numeric column's words read as missing (naWords); a model
 * that uses none of it is written as version 1,
 * byte for byte as before, so older releases still read it.
 */
export const MODEL_VERSION = 2;
export type ModelVersion = 1 | 2;

/** The lowest version that holds this preprocessing. */
export function modelVersion(p: Preprocessing | null): ModelVersion {
  // Also asked of preprocessing read from an import's metadata, not yet checked: anything odd is left to the reader.
  if (typeof p !== 'object' || p === null || !Array.isArray(p.features)) return 1;
  const newer = (Array.isArray(p.leftOut) && p.leftOut.length > 0) || p.piecewise !== undefined || p.naValues !== undefined || p.decimalComma !== undefined ||
    p.features.some((f) => typeof f === 'object' && f !== null && (f.type === 'date' || (f.type === 'numeric' ? f.fill !== undefined || f.indicator !== undefined || f.naWords !== undefined : (f as { missing?: unknown }).missing !== undefined)));
  return newer ? 2 : 1;
}
/** Larger files are refused before parsing: 256 MiB holds a network far bigger than this library trains. */
export const MAX_MODEL_BYTES = 256 * 1024 * 1024;
/**
 * The most characters one number takes in a model file's JSON, with its separator: 17 significant digits after
 * "-0.00000" (-0.0000012345678901234567, 25 characters) is the longest a double is written, exponents included.
 */
export const MAX_NUMBER_CHARS = 26;
const MAX_LAYERS = 1000;
const MAX_FEATURES = 100_000;
const MAX_NAME_LENGTH = 10_000;

export interface ModelFile {
  format: typeof MODEL_FORMAT;
  version: ModelVersion;
  network: ResolvedSpec;
  weights: LayerWeights[];
  preprocessing: Preprocessing | null;
}

/** A model file's data, or anything that gives it (a table Model's toJSON): what the exports take. */
export type ModelSource = ModelFile | { toJSON(): ModelFile };

/** The model file's data of a ModelSource. */
export function modelData(model: ModelSource): ModelFile {
  return 'toJSON' in model && typeof model.toJSON === 'function' ? model.toJSON() : (model as ModelFile);
}

export interface LoadedModel {
  network: Network;
  preprocessing: Preprocessing | null;
}

/** The model as plain data, with keys in a fixed order so equal models give equal bytes. */
export function modelToJSON(net: Network, preprocessing: Preprocessing | null = null): ModelFile {
  const spec = net.toSpec();
  return {
    format: MODEL_FORMAT,
    version: modelVersion(preprocessing),
    network: {
      inputs: spec.inputs,
      layers: spec.layers.map((l) => ({ units: l.units, activation: l.activation, bias: l.bias })),
      loss: spec.loss,
      dtype: spec.dtype,
      seed: spec.seed,
    },
    weights: net.getWeights(),
    preprocessing: preprocessing && copyPreprocessing(preprocessing),
  };
}

/** The model file's text. Numbers are written so that reading them back gives the same bits. */
export function stringifyModel(net: Network, preprocessing: Preprocessing | null = null): string {
  return JSON.stringify(modelToJSON(net, preprocessing)) + '\n';
}

/** Parses and checks a model file's text; `source` (a file name) starts every error message. */
export function parseModel(text: string, source = 'model file', options: NetworkOptions = {}): LoadedModel {
  if (typeof text !== 'string') throw new BackpropError(`${source}: expected the text of a model file`);
  if (text.length > MAX_MODEL_BYTES) throw new BackpropError(`${source}: ${text.length} bytes is larger than the ${MAX_MODEL_BYTES}-byte limit for model files`);
  const scan = modelScan(source);
  scan.feed(text);
  scan.end();
  return modelFromJSON(parseScanned(text, source), source, options);
}

/**
 * A scan of a model file's text, piece by piece, before it is parsed (io/json-scan.ts): the JSON's syntax, and every
 * list's length against what the file's own network needs, learnt from its "network" member as soon as that ends.
 * A file that declares millions of categories for a network of four inputs is refused there, at the first category
 * too many, in time and memory the network's size bounds, not the file's.
 */
export function modelScan(source: string): JsonScan {
  let spec: ResolvedSpec | null = null;
  let categories: ListBound['pool'], edges: ListBound['pool'];
  const scan: JsonScan = new JsonScan(scanError(source, 'a model file'), {
    capture: ['network'],
    captured: (_key, text) => {
      spec = readSpec(new FieldReader(source), JSON.parse(text));
      categories = { items: 0, max: spec.inputs, why: `the features' categories add up to more than the network's ${spec.inputs} inputs (network.inputs)` };
      // Each bin's edges give one input, and each binned column one edge more than its inputs.
      edges = { items: 0, max: 2 * spec.inputs, why: `the piecewise encoding's edges add up to more than the network's ${spec.inputs} inputs allow (network.inputs)` };
      scan.limitValues(valuesBound(spec));
    },
    list: (path) => (spec ? listBound(spec, path, categories!, edges!) : undefined),
  });
  return scan;
}

/** Text the scan passed, parsed (a byte-order mark is no part of the JSON: other tools skip it, and so does this one). */
export function parseScanned(text: string, source: string): unknown {
  try {
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (e) {
    // The scan passed it, so this is not expected; the parser's words are not repeated, since they quote the text.
    throw new BackpropError(`${source}: not a model file: the JSON is invalid (${(e as Error).name})`);
  }
}

/** The most JSON values (of any kind, containers too) a model file of this network holds. */
function valuesBound(spec: ResolvedSpec): number {
  let most = 64 + 4 * spec.layers.length;
  let fanIn = spec.inputs;
  for (const l of spec.layers) {
    most += 3 + fanIn + fanIn * l.units + l.units;
    fanIn = l.units;
  }
  // Features, scaler and a piecewise encoding together: under 10 values an input (each bin is an input).
  // naValues and the numeric columns' naWords: bounded lists of short text.
  return most + 10 * spec.inputs + 6 * Math.max(2, fanIn) + MAX_NA_VALUES + MAX_NUMERIC_WORDS * spec.inputs;
}

/** How many items the list at `path` may have in a model file of this network, and why. */
function listBound(spec: ResolvedSpec, path: readonly PathPart[], categories: NonNullable<ListBound['pool']>, edges: NonNullable<ListBound['pool']>): ListBound | undefined {
  const [a, b, c, d, e] = path;
  const layers = spec.layers.length, outputs = spec.layers[layers - 1].units;
  const inputs = (l: number): number => (l === 0 ? spec.inputs : spec.layers[l - 1].units);
  if (a === 'weights') {
    if (path.length === 1) return { max: layers, why: `but the network has ${layers} layers` };
    if (typeof b !== 'number' || b >= layers) return undefined;
    if (c === 'weights' && path.length === 3) return { max: inputs(b), why: `but layer ${b} has ${inputs(b)} inputs` };
    if ((c === 'weights' && typeof d === 'number' && path.length === 4) || (c === 'bias' && path.length === 3)) {
      return { max: spec.layers[b].units, why: `but layer ${b} has ${spec.layers[b].units} units` };
    }
    return undefined;
  }
  if (a !== 'preprocessing') return undefined;
  const allInputs = `but the network has ${spec.inputs} inputs in all (network.inputs)`;
  if (b === 'features' && path.length === 2) return { max: spec.inputs, why: allInputs };
  if (b === 'features' && d === 'categories' && path.length === 4) {
    return { max: spec.inputs, why: allInputs, pool: categories };
  }
  if (b === 'features' && d === 'naWords' && path.length === 4) return { max: MAX_NUMERIC_WORDS, why: 'but a numeric column reads at most that many words as missing values' };
  if (b === 'naValues' && path.length === 2) return { max: MAX_NA_VALUES, why: 'but a model reads at most that many words as "no value"' };
  if (b === 'scaler' && path.length === 3) return { max: spec.inputs, why: allInputs };
  if (b === 'piecewise' && c === 'columns' && path.length === 3) return { max: spec.inputs, why: allInputs };
  if (b === 'piecewise' && c === 'columns' && e === 'edges' && path.length === 5) return { max: spec.inputs + 1, why: allInputs, pool: edges };
  if (b === 'target' && c === 'classes' && path.length === 3) return { max: Math.max(2, outputs), why: `but the network's outputs tell ${Math.max(2, outputs)} classes apart` };
  if (b === 'target' && c === 'extra' && path.length === 3) return { max: outputs, why: `but the network has ${outputs} outputs` };
  return undefined;
}

export function modelFromJSON(value: unknown, source = 'model file', options: NetworkOptions = {}): LoadedModel {
  const r = new FieldReader(source);
  if (typeof value === 'string') {
    throw new BackpropError(`${source}: expected a model file's data (an object), got text; Model.parse (or parseModel) reads a model file's text`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new BackpropError(`${source}: not a model file: expected an object, got ${shown(value)}`);
  }
  // The format first: JSON that is some other file's says so, rather than which of its fields are unknown here.
  const format = Object.prototype.hasOwnProperty.call(value, 'format') ? (value as Record<string, unknown>).format : undefined;
  if (format === undefined) throw new BackpropError(`${source}: not a model file: its JSON has no "format": "${MODEL_FORMAT}"`);
  if (format !== MODEL_FORMAT) r.fail('format', `"${MODEL_FORMAT}"`, format);
  const top = r.object(value, 'model', ['format', 'version', 'network', 'weights', 'preprocessing']);
  if (top.version !== 1 && top.version !== 2) r.fail('version', `1 or 2 (the versions this release reads)`, top.version);

  // Everything is checked against the declared architecture before the network, whose size it declares, is built.
  const spec = readSpec(r, top.network);
  const weights = readWeights(r, top.weights, spec);
  const preprocessing = top.preprocessing === null ? null : readPreprocessing(r, top.preprocessing, spec);
  if (top.version === 1 && modelVersion(preprocessing) === 2) {
    r.fail('version', '2, since the preprocessing fills missing values, has dates, leaves columns out or bins its numbers (what version 2 added)', top.version);
  }
  const network = new Network(spec, options);
  network.setWeights(weights);
  return { network, preprocessing };
}

function readSpec(r: FieldReader, value: unknown): ResolvedSpec {
  const net = r.object(value, 'network', ['inputs', 'layers', 'loss', 'dtype', 'seed']);
  const layers = r.array(net.layers, 'network.layers');
  if (layers.length > MAX_LAYERS) r.fail('network.layers', `at most ${MAX_LAYERS} layers, got ${layers.length}`);
  // Every field is present and of its type: a model file is never completed with defaults.
  layers.forEach((l, i) => {
    const layer = r.object(l, `network.layers[${i}]`, ['units', 'activation', 'bias']);
    r.string(layer.activation, `network.layers[${i}].activation`);
    if (typeof layer.bias !== 'boolean') r.fail(`network.layers[${i}].bias`, 'true or false', layer.bias);
  });
  r.string(net.loss, 'network.loss');
  r.string(net.dtype, 'network.dtype');
  if (typeof net.seed !== 'number') r.fail('network.seed', 'an integer', net.seed);
  try {
    return resolveSpec(net);
  } catch (e) {
    if (e instanceof BackpropError) throw new BackpropError(`${r.source}: network.${e.message}`, `network.${e.field ?? ''}`);
    throw e;
  }
}

function readWeights(r: FieldReader, value: unknown, spec: ResolvedSpec): LayerWeights[] {
  const list = r.array(value, 'weights', spec.layers.length);
  let inputs = spec.inputs;
  return list.map((entry, l) => {
    const field = `weights[${l}]`;
    const { units, bias } = spec.layers[l];
    const w = r.object(entry, field, ['weights', 'bias']);
    // resolveSpec bounded every size, so these loops are bounded too.
    const rows = r.array(w.weights, `${field}.weights`, inputs).map((row, i) => r.numbers(row, `${field}.weights[${i}]`, units, spec.dtype));
    const b = bias ? r.numbers(w.bias, `${field}.bias`, units, spec.dtype) : null;
    if (!bias && w.bias !== null) r.fail(`${field}.bias`, 'null, since this layer has no bias', w.bias);
    inputs = units;
    return { weights: rows, bias: b };
  });
}

/** A list of distinct words that mean "no value" (naValues, a column's naWords): short, trimmed, not empty. */
function readWords(r: FieldReader, value: unknown, field: string, most: number): string[] {
  const list = r.array(value, field);
  if (list.length > most) r.fail(field, `at most ${most} words`, `${list.length} of them`);
  const words = list.map((w, i) => {
    const word = r.string(w, `${field}[${i}]`);
    if (word === '' || word !== word.trim() || word.length > MAX_NA_LENGTH) r.fail(`${field}[${i}]`, `a word of 1 to ${MAX_NA_LENGTH} characters with no space around it`, word);
    return word;
  });
  checkUnique(r, words, field);
  return words;
}

function readName(r: FieldReader, value: unknown, field: string): string {
  const name = r.string(value, field);
  if (name === '') r.fail(field, 'a name, not an empty string');
  if (name.length > MAX_NAME_LENGTH) r.fail(field, `a name of at most ${MAX_NAME_LENGTH} characters`);
  return name;
}

/** Names that must tell things apart (features, categories, classes): a repeat would make one shadow another. */
function checkUnique(r: FieldReader, names: readonly (string | number)[], field: string): void {
  const first = new Map<string | number, number>();
  names.forEach((name, i) => {
    const j = first.get(name);
    if (j !== undefined) r.fail(`${field}[${i}]`, `a name different from ${field}[${j}]; both are ${JSON.stringify(name)}`);
    first.set(name, i);
  });
}

function readPreprocessing(r: FieldReader, value: unknown, spec: ResolvedSpec): Preprocessing {
  const p = r.object(value, 'preprocessing', ['features', 'scaler', 'target', 'leftOut', 'piecewise', 'naValues', 'decimalComma'], ['features', 'scaler', 'target']);
  const list = r.array(p.features, 'preprocessing.features');
  if (list.length > MAX_FEATURES) r.fail('preprocessing.features', `at most ${MAX_FEATURES} features`);
  // The widths so far against network.inputs before each feature's categories are read: a list of millions of them
  // for a network of four inputs is refused at once, not after every one is checked.
  let width = 0;
  const features = list.map((f, i): FeatureSpec => {
    const field = `preprocessing.features[${i}]`;
    const type = r.oneOf(r.object(f, field, ['name', 'type', 'categories', 'missing', 'parts', 'order', 'fill', 'indicator', 'naWords'], ['name', 'type']).type, `${field}.type`, ['numeric', 'categorical', 'date'] as const);
    const o = r.object(f, field, type === 'numeric' ? ['name', 'type', 'fill', 'indicator', 'naWords'] : type === 'date' ? ['name', 'type', 'parts', 'order', 'fill', 'indicator'] : ['name', 'type', 'categories', 'missing'],
      type === 'numeric' ? ['name', 'type'] : type === 'date' ? ['name', 'type', 'parts'] : ['name', 'type', 'categories']);
    const name = readName(r, o.name, `${field}.name`);
    const flag = (key: string): { [k: string]: true } => {
      if (o[key] === undefined) return {};
      if (typeof o[key] !== 'boolean') r.fail(`${field}.${key}`, 'true or false', o[key]);
      return o[key] ? { [key]: true } : {};
    };
    const fill = o.fill === undefined ? {} : { fill: r.number(o.fill, `${field}.fill`) };
    const grow = (given: number, what: string): void => {
      width += given;
      if (width > spec.inputs) r.fail(what, `features that encode to ${spec.inputs} inputs, as network.inputs says; with ${what.endsWith('.categories') ? `these ${given} categories` : 'this one'} they pass it`);
    };
    if (type === 'numeric') {
      const indicator = flag('indicator');
      grow(1 + (indicator.indicator ? 1 : 0), field);
      return { name, type, ...fill, ...indicator, ...(o.naWords === undefined ? {} : { naWords: readWords(r, o.naWords, `${field}.naWords`, MAX_NUMERIC_WORDS) }) };
    }
    if (type === 'date') {
      const listed = r.array(o.parts, `${field}.parts`);
      if (listed.length > DATE_PARTS.length) r.fail(`${field}.parts`, `at most ${DATE_PARTS.length} parts (${DATE_PARTS.join(', ')})`);
      const parts = listed.map((part, j) => r.oneOf(part, `${field}.parts[${j}]`, DATE_PARTS));
      if (parts.length === 0) r.fail(`${field}.parts`, 'at least one part');
      checkUnique(r, parts, `${field}.parts`);
      const indicator = flag('indicator');
      grow(parts.length + (indicator.indicator ? 1 : 0), field);
      const order = o.order === undefined ? {} : { order: r.oneOf(o.order, `${field}.order`, ['mdy', 'dmy'] as const) };
      return { name, type, parts, ...order, ...fill, ...indicator };
    }
    const level = flag('missing');
    grow(r.array(o.categories, `${field}.categories`).length + (level.missing ? 1 : 0), `${field}.categories`);
    const categories = (o.categories as unknown[]).map((c, j) => readName(r, c, `${field}.categories[${j}]`));
    if (categories.length === 0) r.fail(`${field}.categories`, 'at least one category');
    checkUnique(r, categories, `${field}.categories`);
    return { name, type, categories, ...level };
  });
  checkUnique(r, features.map((f) => f.name), 'preprocessing.features');
  const piecewise = p.piecewise === undefined ? undefined : readPiecewise(r, p.piecewise, features);
  const encoded = piecewise ? piecewiseWidth(piecewise) : encodedWidth(features);
  if (encoded !== spec.inputs) {
    r.fail('preprocessing.features', `features that encode to ${spec.inputs} inputs, as network.inputs says; they encode to ${encoded}`);
  }
  const scaler = p.scaler === null ? null : readScaler(r, p.scaler, scaledCount(features));
  checkFills(r, features, scaler);
  const target = p.target === null ? null : readTarget(r, p.target, spec);
  for (const t of target ? targetColumns(target) : []) {
    if (features.some((f) => f.name === t.name)) r.fail('preprocessing.target.name', `a name that is not also a feature's; ${JSON.stringify(t.name)} is both`);
  }
  if (p.decimalComma !== undefined && typeof p.decimalComma !== 'boolean') r.fail('preprocessing.decimalComma', 'true or false', p.decimalComma);
  const binned = {
    ...(piecewise ? { piecewise } : {}), ...(p.naValues === undefined ? {} : { naValues: readWords(r, p.naValues, 'preprocessing.naValues', MAX_NA_VALUES) }),
    ...(p.decimalComma ? { decimalComma: true as const } : {}),
  };
  if (p.leftOut === undefined) return { features, scaler, target, ...binned };
  const leftOut = r.array(p.leftOut, 'preprocessing.leftOut').map((l, i): LeftOut => {
    const o = r.object(l, `preprocessing.leftOut[${i}]`, ['name', 'reason']);
    return { name: readName(r, o.name, `preprocessing.leftOut[${i}].name`), reason: r.oneOf(o.reason, `preprocessing.leftOut[${i}].reason`, ['identifier', 'no values'] as const) };
  });
  if (leftOut.length > MAX_FEATURES) r.fail('preprocessing.leftOut', `at most ${MAX_FEATURES} columns`);
  checkUnique(r, [...features.map((f) => f.name), ...leftOut.map((l) => l.name)], 'preprocessing.features and leftOut');
  return { features, scaler, target, leftOut, ...binned };
}

/** A piecewise-linear encoding: scaled numeric inputs in increasing order, each with at least three increasing finite edges. */
function readPiecewise(r: FieldReader, value: unknown, features: readonly FeatureSpec[]): Piecewise {
  const p = r.object(value, 'preprocessing.piecewise', ['inputs', 'columns', 'value'], ['inputs', 'columns']);
  if (p.value !== undefined && typeof p.value !== 'boolean') r.fail('preprocessing.piecewise.value', 'true or false', p.value);
  const inputs = encodedWidth(features);
  if (p.inputs !== inputs) r.fail('preprocessing.piecewise.inputs', `${inputs}, the features' encoded width`, p.inputs);
  const numeric = new Set(scaledInputs(features));
  let total = 0, previous = -1;
  const columns = r.array(p.columns, 'preprocessing.piecewise.columns').map((c, i) => {
    const field = `preprocessing.piecewise.columns[${i}]`;
    const o = r.object(c, field, ['input', 'edges']);
    const input = r.number(o.input, `${field}.input`);
    if (!Number.isInteger(input) || !numeric.has(input) || input <= previous) r.fail(`${field}.input`, `a scaled numeric input after ${previous}, below ${inputs}`, input);
    previous = input;
    const edges = r.array(o.edges, `${field}.edges`);
    total += edges.length;
    if (edges.length < 3 || total > MAX_PIECEWISE_WIDTH + 2 * inputs) r.fail(`${field}.edges`, `3 or more edges (all columns together at most ${MAX_PIECEWISE_WIDTH + 2 * inputs})`, `${edges.length} of them`);
    const e = r.numbers(edges, `${field}.edges`, edges.length);
    e.forEach((v, t) => {
      if (t > 0 && !(v > e[t - 1] && wideEnough(e[t - 1], v))) {
        r.fail(`${field}.edges[${t}]`, `a number above edges[${t - 1}] = ${e[t - 1]} by at least 2⁻⁵² × max(1, |edges|) (a narrower bin encodes values past it to overflows)`, v);
      }
    });
    return { input, edges: e };
  });
  return { inputs, columns, ...(p.value ? { value: true } : {}) };
}

/**
 * A value of n training rows lies within √(n − 1) standard deviations of their mean (Samuelson's inequality), and so
 * does a fill, their median: 10⁶ covers any table (√(2³¹) ≈ 46 341). A fill past it, scaled, is no training median
 * and makes every row it fills a non-finite prediction (fill 1e308 is 1e308 standard deviations out).
 */
const MAX_SCALED_FILL = 1e6;
/** Where no scaler applies, a fill the products can take. */
const MAX_UNSCALED_FILL = 1e15;

/** Each feature's fill, as encoded (scaled, each date part), within the bounds above. */
function checkFills(r: FieldReader, features: readonly FeatureSpec[], scaler: Scaler | null): void {
  let n = 0;
  features.forEach((f, i) => {
    if (f.type === 'categorical') return;
    for (const part of f.type === 'numeric' ? [null] : f.parts) {
      if (f.fill !== undefined) {
        const raw = part === null ? f.fill : datePart(f.fill, part);
        const scaled = !scaler ? raw : scaler.kind === 'standard' ? (raw - scaler.mean[n]) / scaler.std[n] : (raw - scaler.min[n]) / (scaler.max[n] - scaler.min[n]);
        const bound = scaler ? MAX_SCALED_FILL : MAX_UNSCALED_FILL;
        if (!(Math.abs(scaled) <= bound)) {
          r.fail(`preprocessing.features[${i}].fill`, scaler
            ? `a fill within ${bound} ${scaler.kind === 'standard' ? `standard deviations of the column's mean (scaler.mean[${n}] = ${scaler.mean[n]}, std ${scaler.std[n]})` : `ranges of the column's minimum (scaler.min[${n}] = ${scaler.min[n]}, max ${scaler.max[n]})`}, as a training median is; it is ${scaled} out${part === null ? '' : ` (its ${part})`}`
            : `a fill of at most ${bound} in size${part === null ? '' : ` (its ${part} is ${raw})`}`, f.fill);
        }
      }
      n++;
    }
  });
}

function readScaler(r: FieldReader, value: unknown, width: number): Scaler {
  const kind = r.oneOf(r.object(value, 'preprocessing.scaler', ['kind', 'mean', 'std', 'min', 'max'], ['kind']).kind, 'preprocessing.scaler.kind', SCALER_KINDS);
  if (kind === 'standard') {
    const s = r.object(value, 'preprocessing.scaler', ['kind', 'mean', 'std']);
    const std = r.numbers(s.std, 'preprocessing.scaler.std', width);
    std.forEach((v, j) => usableScale(v) || r.fail(`preprocessing.scaler.std[${j}]`, USABLE_SCALE, v));
    const mean = r.numbers(s.mean, 'preprocessing.scaler.mean', width);
    // Values that differ in their last bit have a spread of 2⁻⁵³|mean|, over 2⁻⁶⁹|mean| among 2³¹ rows: a std far
    // below that is no column's, and scales every other value to an overflow (std 1e-300 about a mean of 0.5).
    std.forEach((v, j) => v >= 2 ** -80 * Math.abs(mean[j]) || r.fail(`preprocessing.scaler.std[${j}]`, `a spread the values about mean[${j}] = ${mean[j]} can have (at least 2⁻⁸⁰ × |mean|)`, v));
    return { kind, mean, std };
  }
  const s = r.object(value, 'preprocessing.scaler', ['kind', 'min', 'max']);
  const min = r.numbers(s.min, 'preprocessing.scaler.min', width), max = r.numbers(s.max, 'preprocessing.scaler.max', width);
  max.forEach((v, j) => {
    if (!(v > min[j])) r.fail(`preprocessing.scaler.max[${j}]`, `a number above min[${j}] = ${min[j]}`, v);
    if (!usableScale(v - min[j])) r.fail(`preprocessing.scaler.max[${j}]`, `a range max − min that is ${USABLE_SCALE}`, v);
  });
  return { kind, min, max };
}

function readTarget(r: FieldReader, value: unknown, spec: ResolvedSpec): TargetSpec {
  const t = r.object(value, 'preprocessing.target', ['name', 'task', 'classes', 'scale', 'extra'], ['name', 'task']);
  const name = readName(r, t.name, 'preprocessing.target.name');
  const task = r.oneOf(t.task, 'preprocessing.target.task', ['classification', 'regression'] as const);
  if (task === 'regression') {
    r.object(value, 'preprocessing.target', ['name', 'task', 'scale', 'extra'], ['name', 'task']);
    const readScale = (v: unknown, field: string): { mean: number; std: number } => {
      const scale = r.object(v, field, ['mean', 'std']);
      const std = r.number(scale.std, `${field}.std`);
      if (!usableScale(std)) r.fail(`${field}.std`, USABLE_SCALE, std);
      return { mean: r.number(scale.mean, `${field}.mean`), std };
    };
    const target: TargetSpec = { name, task, ...(t.scale === undefined ? {} : { scale: readScale(t.scale, 'preprocessing.target.scale') }) };
    if (t.extra === undefined) return target;
    // A multi-output regression: one more output per extra column.
    const outputs = spec.layers[spec.layers.length - 1].units;
    const extra = r.array(t.extra, 'preprocessing.target.extra', outputs - 1).map((c, i) => {
      const field = `preprocessing.target.extra[${i}]`;
      const o = r.object(c, field, ['name', 'scale'], ['name']);
      return { name: readName(r, o.name, `${field}.name`), ...(o.scale === undefined ? {} : { scale: readScale(o.scale, `${field}.scale`) }) };
    });
    checkUnique(r, [name, ...extra.map((c) => c.name)], 'preprocessing.target');
    return { ...target, extra };
  }
  r.object(value, 'preprocessing.target', ['name', 'task', 'classes']);
  const outputs = spec.layers[spec.layers.length - 1].units;
  const expected = outputs === 1 ? 2 : outputs;
  const classes = r.array(t.classes, 'preprocessing.target.classes', expected).map((c, i): Label => {
    if (typeof c === 'number') return r.number(c, `preprocessing.target.classes[${i}]`);
    return readName(r, c, `preprocessing.target.classes[${i}]`);
  });
  checkUnique(r, classes, 'preprocessing.target.classes');
  if (new Set(classes.map(String)).size !== classes.length) {
    r.fail('preprocessing.target.classes', 'class names that differ as text too (1 and "1" would print the same)');
  }
  return { name, task, classes };
}

const USABLE_SCALE = 'a positive, normal (not subnormal), finite number';
/** A divisor for scaling: positive, finite and not subnormal, so that dividing by it cannot overflow to Infinity by itself. */
function usableScale(v: number): boolean {
  return v >= 2.2250738585072014e-308 && Number.isFinite(v);
}

/** A feature as the file writes it: keys in a fixed order, the version-2 fields only where they say something. */
function copyFeature(f: FeatureSpec): FeatureSpec {
  const fill = f.type !== 'categorical' && f.fill !== undefined ? { fill: f.fill } : {};
  if (f.type === 'numeric') return { name: f.name, type: f.type, ...fill, ...(f.indicator ? { indicator: true } : {}), ...(f.naWords ? { naWords: [...f.naWords] } : {}) };
  if (f.type === 'date') return { name: f.name, type: f.type, parts: [...f.parts], ...(f.order ? { order: f.order } : {}), ...fill, ...(f.indicator ? { indicator: true } : {}) };
  return { name: f.name, type: f.type, categories: [...f.categories], ...(f.missing ? { missing: true } : {}) };
}

function copyPreprocessing(p: Preprocessing): Preprocessing {
  return {
    features: p.features.map(copyFeature),
    scaler: p.scaler && (p.scaler.kind === 'standard'
      ? { kind: 'standard', mean: [...p.scaler.mean], std: [...p.scaler.std] }
      : { kind: 'minmax', min: [...p.scaler.min], max: [...p.scaler.max] }),
    target: p.target && (p.target.task === 'regression'
      ? {
        name: p.target.name, task: 'regression', ...(p.target.scale ? { scale: { ...p.target.scale } } : {}),
        ...(p.target.extra ? { extra: p.target.extra.map((c) => ({ name: c.name, ...(c.scale ? { scale: { ...c.scale } } : {}) })) } : {}),
      }
      : { name: p.target.name, task: 'classification', classes: [...p.target.classes] }),
    ...(p.leftOut?.length ? { leftOut: p.leftOut.map((l) => ({ name: l.name, reason: l.reason })) } : {}),
    ...(p.piecewise ? { piecewise: { inputs: p.piecewise.inputs, columns: p.piecewise.columns.map((c) => ({ input: c.input, edges: [...c.edges] })), ...(p.piecewise.value ? { value: true } : {}) } } : {}),
    ...(p.naValues ? { naValues: [...p.naValues] } : {}),
    ...(p.decimalComma ? { decimalComma: true } : {}),
  };
}
