// Saving and loading models: bit-identical round trips, byte-identical files, atomic writes,
// and hostile or broken files that must give one clear error and never a crash or a hang.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BackpropError, fit, fitScaler, generate, modelToJSON, Network, parseModel, stringifyModel, type Preprocessing,
} from '../src/index.js';
import { loadModel, saveModel } from '../src/node/index.js';

const circle = generate('circle', { samples: 100, noise: 0.05, seed: 2 });
const preprocessing: Preprocessing = {
  features: [{ name: 'x1', type: 'numeric' }, { name: 'x2', type: 'numeric' }],
  scaler: { kind: 'standard', mean: [0.1, -0.2], std: [3, 3.5] },
  target: { name: 'inside', task: 'classification', classes: ['out', 'in'] },
};

function trained(dtype: 'float32' | 'float64'): Network {
  const net = new Network({
    inputs: 2, layers: [{ units: 5, activation: 'tanh' }, { units: 3, activation: 'relu', bias: false }, { units: 1, activation: 'sigmoid' }],
    loss: 'binary-cross-entropy', dtype, seed: 3,
  });
  fit(net, circle.x, circle.y, { epochs: 5, learningRate: 0.1, optimizer: 'adam' });
  return net;
}

const dir = mkdtempSync(join(tmpdir(), 'backprop-model-'));

describe.each([['float32'], ['float64']] as const)('round trip in %s', (dtype) => {
  it('save → load → predict is bit-identical, and the preprocessing comes back', () => {
    const net = trained(dtype);
    const path = join(dir, `model-${dtype}.json`);
    saveModel(path, net, preprocessing);
    const loaded = loadModel(path);
    expect(loaded.network.dtype).toBe(dtype);
    expect(loaded.network.toSpec()).toEqual(net.toSpec());
    expect(loaded.preprocessing).toEqual(preprocessing);
    const a = net.predict(circle.x).data, b = loaded.network.predict(circle.x).data;
    expect(Buffer.from(b.buffer, b.byteOffset, b.byteLength).equals(Buffer.from(a.buffer, a.byteOffset, a.byteLength))).toBe(true);
    loaded.network.parameters.forEach((p, i) => expect(Array.from(p.value.data)).toEqual(Array.from(net.parameters[i].value.data)));
  });

  it('saving twice gives byte-identical files', () => {
    expect(stringifyModel(trained(dtype), preprocessing)).toBe(stringifyModel(trained(dtype), preprocessing));
  });
});

describe('atomic saves', () => {
  it('a failed save leaves the existing file as it was and no temporary files behind', () => {
    const sub = join(dir, 'atomic');
    mkdirSync(sub);
    const path = join(sub, 'model.json');
    saveModel(path, trained('float32'));
    const before = readFileSync(path, 'utf8');
    // A directory where the model should go: the final rename fails after the temporary file was written.
    const blocked = join(sub, 'blocked.json');
    mkdirSync(blocked);
    writeFileSync(join(blocked, 'keep'), 'x');
    expect(() => saveModel(blocked, trained('float32'))).toThrow(BackpropError);
    expect(readdirSync(sub).sort()).toEqual(['blocked.json', 'model.json']);
    expect(readFileSync(path, 'utf8')).toBe(before);
  });
});

describe('hostile and broken model files', () => {
  const good = modelToJSON(trained('float32'), preprocessing);
  const text = JSON.stringify(good);
  /** A copy of the good model with one change made by `edit`. */
  const edited = (edit: (m: any) => void): string => {
    const m = JSON.parse(text);
    edit(m);
    return JSON.stringify(m);
  };
  const cases: [string, string, RegExp][] = [
    ['truncated JSON', text.slice(0, text.length / 2), /^bad\.json: not a model file: the JSON is invalid/],
    ['empty object', '{}', /^bad\.json: not a model file: its JSON has no "format": "backprop-model"$/],
    ['not an object', '[1, 2, 3]', /^bad\.json: not a model file: expected an object, got \[1,2,3\]$/],
    ['another format', edited((m) => (m.format = 'keras')), /^bad\.json: format: expected "backprop-model", got "keras"$/],
    ['unknown version', edited((m) => (m.version = 99)), /^bad\.json: version: expected 1 \(the only version this release reads\), got 99$/],
    ['weights of the wrong shape', edited((m) => m.weights[0].weights.pop()), /^bad\.json: weights\[0\]\.weights: expected a list of 2, got 1 items$/],
    // Found by the scan of the text, before the file is parsed, from the network the file declares.
    ['a row of the wrong length', edited((m) => m.weights[1].weights[2].push(0)), /^bad\.json: weights\[1\]\.weights\[2\]: more than 3 items, but layer 1 has 3 units$/],
    ['a NaN weight (as a string)', edited((m) => (m.weights[0].weights[1][2] = 'NaN')), /^bad\.json: weights\[0\]\.weights\[1\]\[2\]: expected a finite number within float32's range \(±3\.4028e\+38\), got "NaN"$/],
    ['an infinite weight (1e999)', text.replace(/"bias":\[([^\]]*?)\]/, '"bias":[1e999]'), /^bad\.json: weights\[0\]\.bias(\[0\])?: expected (a finite number.*, got Infinity|a list of 5, got 1 items)$/],
    ['a bias on a layer without one', edited((m) => (m.weights[1].bias = [0, 0, 0])), /^bad\.json: weights\[1\]\.bias: expected null, since this layer has no bias, got \[0,0,0\]$/],
    ['__proto__ key at the top', text.replace('{', '{"__proto__":{"polluted":true},'), /^bad\.json: model\.__proto__: expected no such field/],
    ['__proto__ key in a layer', edited((m) => (m.network.layers[0] = JSON.parse('{"__proto__":{"units":2},"units":5,"activation":"tanh","bias":true}'))),
      /^bad\.json: network\.layers\[0\]\.__proto__: expected no such field/],
    ['constructor key', edited((m) => (m.preprocessing.constructor = { prototype: {} })), /^bad\.json: preprocessing\.constructor: expected no such field/],
    ['huge dimension field', edited((m) => (m.network.inputs = 1e12)), /^bad\.json: network\.layers\[0\]\.units: 1000000000000×5 weights exceed the limit of 16777216$/],
    ['many huge layers', edited((m) => (m.network.layers = Array.from({ length: 900 }, () => ({ units: 4000, activation: 'relu', bias: true })))),
      /^bad\.json: network\.layers\[\d+\]\.units: the network would exceed 67108864 weights in all$/],
    ['an unknown activation', edited((m) => (m.network.layers[0].activation = 'swish')), /^bad\.json: network\.layers\[0\]\.activation: unknown activation "swish"; expected one of: /],
    ['features that do not match the inputs', edited((m) => m.preprocessing.features.pop()), /^bad\.json: preprocessing\.features: expected features that encode to 2 inputs, as network\.inputs says; they encode to 1$/],
    ['a zero standard deviation', edited((m) => (m.preprocessing.scaler.std[0] = 0)), /^bad\.json: preprocessing\.scaler\.std\[0\]: expected a positive, normal \(not subnormal\), finite number, got 0$/],
    ['a subnormal standard deviation', edited((m) => (m.preprocessing.scaler.std[1] = 5e-324)), /^bad\.json: preprocessing\.scaler\.std\[1\]: expected a positive, normal \(not subnormal\), finite number, got 5e-324$/],
    ['an activation of null', edited((m) => (m.network.layers[2].activation = null)), /^bad\.json: network\.layers\[2\]\.activation: expected a string, got null$/],
    ['a repeated feature name', edited((m) => (m.preprocessing.features[1].name = 'x1')), /^bad\.json: preprocessing\.features\[1\]: expected a name different from preprocessing\.features\[0\]; both are "x1"$/],
    ['too few class names', edited((m) => m.preprocessing.target.classes.pop()), /^bad\.json: preprocessing\.target\.classes: expected a list of 2, got 1 items$/],
    ['deeply nested arrays', '['.repeat(100_000) + ']'.repeat(100_000), /^bad\.json: /],
    ['binary garbage', '\u0000\u0001\u00ff\u00fe', /^bad\.json: not a model file: it holds binary data, not text/],
  ];

  it.each(cases)('%s', (_name, bad, message) => {
    const before = Object.getOwnPropertyNames(Object.prototype).length;
    let error: unknown;
    try {
      parseModel(bad, 'bad.json');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BackpropError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message.split('\n')).toHaveLength(1);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getOwnPropertyNames(Object.prototype)).toHaveLength(before);
  });

  it('the good file itself loads', () => {
    expect(parseModel(text, 'good.json').network.outputs).toBe(1);
  });

  it('missing, empty and oversized files are refused before parsing', () => {
    expect(() => loadModel(join(dir, 'nope.json'))).toThrow(/nope\.json: no such file$/);
    writeFileSync(join(dir, 'empty.json'), '');
    expect(() => loadModel(join(dir, 'empty.json'))).toThrow(/empty\.json: not a model file: the file is empty$/);
    expect(() => parseModel(' '.repeat(256 * 1024 * 1024 + 1), 'big.json')).toThrow(/big\.json: 268435457 bytes is larger than the 268435456-byte limit/);
  });
});

it('a min-max scaler fitted on a constant column saves and loads', () => {
  const rows = [[1, 5], [2, 5], [3, 5]];
  const scaler = fitScaler('minmax', rows);
  const net = new Network({ inputs: 2, layers: [{ units: 1, activation: 'sigmoid' }] });
  const prep: Preprocessing = { features: [{ name: 'a', type: 'numeric' }, { name: 'b', type: 'numeric' }], scaler, target: null };
  const loaded = parseModel(stringifyModel(net, prep), 'm.json');
  expect(loaded.preprocessing!.scaler).toEqual({ kind: 'minmax', min: [1, 5], max: [3, 6] });
});
