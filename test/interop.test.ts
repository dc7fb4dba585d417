// Models that travel: ONNX (run by onnxruntime), TensorFlow.js's layers format (loaded by @tensorflow/tfjs), PyTorch's
// ONNX exports (fixtures with PyTorch's own outputs, made by test/fixtures/onnx/make_torch_onnx.py) and the
// standalone module, each checked against backprop's own predictions on every row.
import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as ort from 'onnxruntime-node';
import * as tf from '@tensorflow/tfjs';
import { backprop, ROOT, tempDir } from './cli-helpers.js';
import { readDataFile } from '../src/node/read.js';
import { decodeOutput, encodeFrameInputs, Model, fit, gradientCheck, modelFromJSON, parseModel, stringifyModel, type DataFrame, type Matrix, type Network, type Preprocessing } from '../src/index.js';
import { exportONNX, exportStandalone, exportTFJS, importONNX, importTFJS, type TFJSModelJSON } from '../src/interop/index.js';

// TensorFlow.js's own tests run in its test mode, which keeps its advice to install tfjs-node off the output.
tf.env().set('IS_TEST', true);

const dir = tempDir();
const fixtures = join(ROOT, 'test/fixtures/onnx');

/** Seeded rows with a text column: two numbers, a colour, and a class or value that depends on all three. */
function textCsv(rows: number, regression: boolean): string {
  let s = 12345;
  const random = (): number => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296);
  const colours = ['red', 'green', 'blue'];
  const lines = [`a,colour,b,${regression ? 'price' : 'kind'}`];
  for (let i = 0; i < rows; i++) {
    const a = random() * 10, b = random() * 4 - 2, c = colours[Math.floor(random() * 3)];
    const v = a * 0.3 + b * b + (c === 'red' ? 2 : c === 'green' ? -1 : 0);
    lines.push(`${a.toFixed(3)},${c},${b.toFixed(3)},${regression ? (100 * v + 500).toFixed(2) : v > 2.5 ? 'high' : 'low'}`);
  }
  return lines.join('\n') + '\n';
}

/** Three features and two numeric targets of different scales, for a multi-output regression. */
function twoTargetCsv(rows: number): string {
  let s = 777;
  const random = (): number => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296);
  const lines = ['a,u,b,v,c'];
  for (let i = 0; i < rows; i++) {
    const a = random() * 2 - 1, b = random() * 2 - 1, c = random() * 2 - 1;
    lines.push(`${a.toFixed(4)},${(300 * a - 50 * b * c + 1000).toFixed(3)},${b.toFixed(4)},${(Math.sin(2 * a) - 0.2 * b).toFixed(4)},${c.toFixed(4)}`);
  }
  return lines.join('\n') + '\n';
}

interface Trained {
  name: string;
  model: string;
  data: string;
}

/** Models trained by the CLI, as a user would: iris (three classes), two classes with a text column, regression with one. */
const trained: Trained[] = (() => {
  const sets: [string, string, string[]][] = [
    ['iris', join(ROOT, 'data/iris.csv'), ['--layers', '8']],
    ['two-class-text', (writeFileSync(join(dir, 'two.csv'), textCsv(400, false)), join(dir, 'two.csv')), ['--layers', '6', '--activation', 'tanh']],
    ['regression-text', (writeFileSync(join(dir, 'reg.csv'), textCsv(400, true)), join(dir, 'reg.csv')), ['--layers', '8,4', '--activation', 'leaky-relu']],
    ['circle', 'circle', ['--layers', '5', '--activation', 'sigmoid']],
    ['two-targets', (writeFileSync(join(dir, 'two-targets.csv'), twoTargetCsv(300)), join(dir, 'two-targets.csv')), ['--layers', '8', '--target', 'u', '--target', 'v']],
  ];
  const models = sets.map(([name, data, extra]) => {
    const model = join(dir, `${name}.json`);
    const r = backprop(['train', data, '--epochs', '15', '--out', model, '--quiet', ...extra]);
    if (r.code !== 0) throw new Error(r.stderr);
    return { name, model, data };
  });
  // The same iris network behind a min-max scaler (the CLI fits standard ones), so both kinds are exported.
  const iris = JSON.parse(readFileSync(models[0].model, 'utf8'));
  const { mean, std } = iris.preprocessing.scaler;
  iris.preprocessing.scaler = { kind: 'minmax', min: mean.map((m: number, j: number) => m - 2 * std[j]), max: mean.map((m: number, j: number) => m + 2 * std[j]) };
  writeFileSync(join(dir, 'iris-minmax.json'), JSON.stringify(iris) + '\n');
  return [...models, { name: 'iris-minmax', model: join(dir, 'iris-minmax.json'), data: models[0].data }];
})();

async function frameOf(t: Trained): Promise<DataFrame> {
  if (t.data !== 'circle') return readDataFile(t.data);
  // The synthetic set, as a CSV the test can read back.
  const path = join(dir, 'circle.csv');
  const { generate } = await import('../src/index.js');
  const d = generate('circle', { samples: 200, seed: 1 });
  writeFileSync(path, ['x1,x2,label', ...d.x.map((x, i) => `${x[0]},${x[1]},${d.y[i][0]}`)].join('\n') + '\n');
  return readDataFile(path);
}

/** backprop's predictions for a frame: the network's outputs, and the decoded rows. */
function ours(network: Network, prep: Preprocessing, frame: DataFrame): { outputs: Matrix; decoded: ReturnType<typeof decodeOutput>[] } {
  const outputs = network.predict(encodeFrameInputs(prep, frame, network.dtype));
  const decoded = Array.from({ length: outputs.rows }, (_, i) => decodeOutput(prep, Array.from(outputs.data.subarray(i * outputs.cols, (i + 1) * outputs.cols))));
  return { outputs, decoded };
}

describe('ONNX export, run by onnxruntime', () => {
  it.each(trained.map((t) => [t.name, t] as const))('%s: probabilities and labels (or values) equal backprop\'s predict on every row', async (_, t) => {
    const { network, preprocessing } = parseModel(readFileSync(t.model, 'utf8'), t.model);
    const prep = preprocessing!;
    const frame = await frameOf(t);
    const session = await ort.InferenceSession.create(exportONNX(JSON.parse(readFileSync(t.model, 'utf8'))));
    expect(session.inputNames).toEqual(prep.features.map((f) => f.name));
    // The raw columns, as predict reads them: numbers as float32, text as strings.
    const feeds: Record<string, ort.Tensor> = {};
    for (const f of prep.features) {
      const column = frame.columns.find((c) => c.name === f.name)!;
      feeds[f.name] = column.kind === 'numeric'
        ? new ort.Tensor('float32', Float32Array.from(column.values), [frame.rows, 1])
        : new ort.Tensor('string', Array.from(column.codes, (k) => column.dictionary[k]), [frame.rows, 1]);
    }
    const result = await session.run(feeds);
    const { decoded } = ours(network, prep, frame);
    if (prep.target!.task === 'classification') {
      const probabilities = result.probabilities.data as Float32Array;
      const k = prep.target!.classes.length;
      expect(result.probabilities.dims).toEqual([frame.rows, k]);
      decoded.forEach((d, i) => {
        if (!('label' in d)) throw new Error('expected a class');
        d.probabilities.forEach((p, j) => expect(Math.abs(probabilities[i * k + j] - p)).toBeLessThan(1e-5));
        expect(result.label.data[i]).toBe(String(d.label));
      });
    } else {
      const values = result.value.data as Float32Array;
      const k = network.outputs;
      expect(result.value.dims).toEqual([frame.rows, k]);
      decoded.forEach((d, i) => {
        if (!('value' in d)) throw new Error('expected a value');
        expect(d.values.length).toBe(k);
        d.values.forEach((v, j) => expect(Math.abs(values[i * k + j] - v)).toBeLessThan(1e-5 * Math.max(1, Math.abs(v))));
      });
    }
  });

  it('an unknown text value is all zeros in the graph, as backprop predict encodes it', async () => {
    const t = trained.find((m) => m.name === 'two-class-text')!;
    const file = JSON.parse(readFileSync(t.model, 'utf8'));
    const session = await ort.InferenceSession.create(exportONNX(file));
    const one = (v: number): ort.Tensor => new ort.Tensor('float32', Float32Array.of(v), [1, 1]);
    const out = await session.run({ a: one(1), b: one(0), colour: new ort.Tensor('string', ['purple'], [1, 1]) });
    const [p] = Model.fromJSON(file).predict([{ a: 1, b: 0, colour: 'purple' }]);
    Object.values(p.probabilities!).forEach((v, k) => expect(Math.abs((out.probabilities.data as Float32Array)[k] - v)).toBeLessThan(1e-6));
  });

  it('carries its metadata: feature names, classes, version; a dynamic batch dimension', async () => {
    const t = trained.find((m) => m.name === 'iris')!;
    const bytes = exportONNX(JSON.parse(readFileSync(t.model, 'utf8')));
    const session = await ort.InferenceSession.create(bytes);
    const text = Buffer.from(bytes).toString('latin1');
    // The lists as JSON, so a comma or a line break in a name cannot blur where one ends.
    expect(text).toContain('["sepal_length","sepal_width","petal_length","petal_width"]');
    expect(text).toContain('["setosa","versicolor","virginica"]');
    expect(text).toContain('backprop.version');
    for (const rows of [1, 5]) {
      const feeds = Object.fromEntries(['sepal_length', 'sepal_width', 'petal_length', 'petal_width'].map((n) => [n, new ort.Tensor('float32', new Float32Array(rows).fill(5), [rows, 1])]));
      expect((await session.run(feeds)).probabilities.dims).toEqual([rows, 3]);
    }
  });
});

describe('round trips give identical weights', () => {
  it.each(trained.map((t) => [t.name, t] as const))('%s: backprop → ONNX → backprop and backprop → tfjs → backprop', (_, t) => {
    const text = readFileSync(t.model, 'utf8');
    const file = JSON.parse(text);
    const viaOnnx = modelFromJSON(importONNX(exportONNX(file)));
    expect(stringifyModel(viaOnnx.network, viaOnnx.preprocessing)).toBe(text);
    const { modelJSON, weights } = exportTFJS(file);
    const viaTfjs = modelFromJSON(importTFJS(JSON.parse(JSON.stringify(modelJSON)), weights));
    expect(stringifyModel(viaTfjs.network, viaTfjs.preprocessing)).toBe(text);
  });

  it('a float64 network through ONNX keeps its float64 weights', () => {
    const t = trained.find((m) => m.name === 'iris')!;
    const path = join(dir, 'iris64.json');
    expect(backprop(['train', t.data, '--epochs', '3', '--bagging', '1', '--out', path, '--quiet', '--backend', 'reference']).code).toBe(0);
    const file = JSON.parse(readFileSync(path, 'utf8'));
    file.network.dtype = 'float64';
    file.weights[0].weights[0][0] = 0.1234567890123456789; // not a float32 value
    const text = JSON.stringify(file) + '\n';
    const loaded = parseModel(text);
    const back = modelFromJSON(importONNX(exportONNX(JSON.parse(text))));
    expect(back.network.dtype).toBe('float64');
    expect(stringifyModel(back.network, back.preprocessing)).toBe(stringifyModel(loaded.network, loaded.preprocessing));
  }, 30_000);
});

describe('TensorFlow.js layers format', () => {
  it.each(trained.map((t) => [t.name, t] as const))('%s: the export loads in tf.loadLayersModel and predicts the same', async (_, t) => {
    const { network, preprocessing } = parseModel(readFileSync(t.model, 'utf8'), t.model);
    const frame = await frameOf(t);
    const x = encodeFrameInputs(preprocessing!, frame, network.dtype);
    const { modelJSON, weights } = exportTFJS(JSON.parse(readFileSync(t.model, 'utf8')));
    const json = JSON.parse(JSON.stringify(modelJSON)) as TFJSModelJSON;
    const model = await tf.loadLayersModel(tf.io.fromMemory({
      modelTopology: json.modelTopology as tf.io.ModelJSON['modelTopology'],
      weightSpecs: json.weightsManifest.flatMap((g) => g.weights) as tf.io.WeightsManifestEntry[],
      weightData: weights.slice().buffer,
    }));
    const y = model.predict(tf.tensor2d(Float32Array.from(x.data), [x.rows, x.cols])) as tf.Tensor;
    const theirs = await y.data();
    const outputs = network.predict(x);
    expect(theirs.length).toBe(outputs.data.length);
    theirs.forEach((v, i) => expect(Math.abs(v - outputs.data[i])).toBeLessThan(1e-5));
  });

  it('a Sequential built and saved by TensorFlow.js imports and predicts the same', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [4], units: 7, activation: 'relu' }),
        tf.layers.dense({ units: 5 }),
        tf.layers.leakyReLU({ alpha: 0.01 }),
        tf.layers.dropout({ rate: 0.2 }),
        tf.layers.dense({ units: 6, useBias: false }),
        tf.layers.activation({ activation: 'tanh' }),
        tf.layers.dense({ units: 3, activation: 'softmax' }),
      ],
    });
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }));
    // model.json as TensorFlow.js writes it to disk, and its one weights file.
    const modelJSON = { format: 'layers-model', generatedBy: saved!.generatedBy, convertedBy: null, modelTopology: saved!.modelTopology,
      weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: saved!.weightSpecs }] };
    const weightData = new Uint8Array(saved!.weightData as ArrayBuffer);
    const path = join(dir, 'tfjs-model');
    writeFileSync(`${path}.json`, JSON.stringify(modelJSON));
    writeFileSync(join(dir, 'group1-shard1of1.bin'), weightData);

    const file = importTFJS(JSON.parse(JSON.stringify(modelJSON)), weightData, { features: ['a', 'b', 'c', 'd'], classes: ['x', 'y', 'z'] });
    expect(file.network.layers.map((l) => `${l.units} ${l.activation} ${l.bias}`)).toEqual(['7 relu true', '5 leaky-relu true', '6 tanh false', '3 softmax true']);
    const { network } = modelFromJSON(file);
    const rows = Array.from({ length: 9 }, (_, i) => [i - 4, Math.sin(i) * 3, (i * 7) % 5, 1 - i / 3]);
    const theirs = await (model.predict(tf.tensor2d(rows)) as tf.Tensor).data();
    const outputs = network.predict(rows);
    theirs.forEach((v, i) => expect(Math.abs(v - outputs.data[i])).toBeLessThan(1e-5));

    // The same through the command: model.json and its weights file beside it.
    const r = backprop(['import', `${path}.json`, '--features', 'a,b,c,d', '--classes', 'x,y,z', '--out', join(dir, 'from-tfjs.json')]);
    expect(r.code, r.stderr).toBe(0);
    const viaCli = parseModel(readFileSync(join(dir, 'from-tfjs.json'), 'utf8'));
    expect(Array.from(viaCli.network.predict(rows).data)).toEqual(Array.from(outputs.data));
  });
  it('a Keras model as tensorflowjs_converter writes it (model_config, InputLayer, Activation) imports as TensorFlow.js loads it', async () => {
    const dense = (name: string, units: number, activation: string) => ({ class_name: 'Dense', config: { name, trainable: true, dtype: 'float32', units, activation, use_bias: true } });
    const modelTopology = {
      keras_version: '2.11.0', backend: 'tensorflow',
      model_config: { class_name: 'Sequential', config: { name: 'sequential', layers: [
        { class_name: 'InputLayer', config: { batch_input_shape: [null, 3], dtype: 'float32', sparse: false, ragged: false, name: 'input_1' } },
        dense('dense', 4, 'linear'),
        { class_name: 'Activation', config: { name: 'activation', trainable: true, dtype: 'float32', activation: 'sigmoid' } },
        dense('dense_1', 2, 'softmax'),
      ] } },
    };
    // Keras's names, listed here out of layer order: the import matches them by name.
    const weightSpecs = [
      { name: 'dense_1/kernel', shape: [4, 2], dtype: 'float32' as const }, { name: 'dense_1/bias', shape: [2], dtype: 'float32' as const },
      { name: 'dense/kernel', shape: [3, 4], dtype: 'float32' as const }, { name: 'dense/bias', shape: [4], dtype: 'float32' as const },
    ];
    const values = Float32Array.from({ length: 8 + 2 + 12 + 4 }, (_, i) => Math.sin(i * 1.7) * 0.8);
    const reference = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology, weightSpecs, weightData: values.slice().buffer }));
    const file = importTFJS({ format: 'layers-model', modelTopology, weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: weightSpecs }] }, new Uint8Array(values.buffer));
    const { network } = modelFromJSON(file);
    const rows = [[0.5, -1, 2], [3, 0, -0.25], [-2, 2, 1]];
    const theirs = await (reference.predict(tf.tensor2d(rows)) as tf.Tensor).data();
    const outputs = network.predict(rows);
    theirs.forEach((v, i) => expect(Math.abs(v - outputs.data[i])).toBeLessThan(1e-6));
  });
});

describe('ONNX files exported by PyTorch', () => {
  const expected = JSON.parse(readFileSync(join(fixtures, 'torch-outputs.json'), 'utf8')) as { models: Record<string, { inputs: number[][]; outputs: number[][] }> };

  it.each(Object.keys(expected.models))('%s: imports and predicts what PyTorch computed', (name) => {
    const { inputs, outputs } = expected.models[name];
    const { network } = modelFromJSON(importONNX(readFileSync(join(fixtures, `${name}.onnx`)), { source: name }));
    const y = network.predict(inputs);
    outputs.forEach((row, i) => row.forEach((v, j) => expect(Math.abs(y.data[i * y.cols + j] - v)).toBeLessThan(1e-5)));
  });

  it('a graph with a convolution is refused with one line naming the node and operator', () => {
    const r = backprop(['import', join(fixtures, 'conv.onnx'), '--out', join(dir, 'conv.json')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^backprop: .*conv\.onnx: node "[^"]*Conv[^"]*": the operator Conv is not supported; an MLP graph uses Gemm, MatMul \+ Add, .*\n$/);
    expect(r.stderr.split('\n')).toHaveLength(2);
  });

  it('bytes that are not ONNX: one line', () => {
    writeFileSync(join(dir, 'junk.onnx'), Buffer.from([0xff, 0xff, 0xff, 0x01, 0x02]));
    const r = backprop(['import', join(dir, 'junk.onnx')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^backprop: .*junk\.onnx: not an ONNX model \(.*\)\n$/);
  });

  it('an imported model predicts from CSV, explains, gradient-checks and fine-tunes', () => {
    const model = join(dir, 'torch-classifier.json');
    const r = backprop(['import', join(fixtures, 'classifier.onnx'), '--out', model, '--features', 'p,q,r,s', '--classes', 'A,B,C', '--target', 'kind']);
    expect(r.code, r.stderr).toBe(0);
    const { inputs, outputs } = expected.models.classifier;
    const csv = join(dir, 'torch-rows.csv');
    writeFileSync(csv, ['p,q,r,s,kind', ...inputs.map((x, i) => `${x.join(',')},${'ABC'[outputs[i].indexOf(Math.max(...outputs[i]))]}`)].join('\n') + '\n');
    const predicted = backprop(['predict', model, csv, '--json']);
    expect(predicted.code, predicted.stderr).toBe(0);
    const rows = JSON.parse(predicted.stdout) as { label: string; probabilities: Record<string, number> }[];
    rows.forEach((row, i) => expect(Math.abs(row.probabilities.A - outputs[i][0])).toBeLessThan(1e-5));
    // Labels equal to its own predictions: accuracy 1.
    expect(JSON.parse(backprop(['evaluate', model, csv, '--json']).stdout).accuracy).toBe(1);
    expect(backprop(['explain', model, '--input', inputs[0].join(','), '--target', 'B']).code).toBe(0);
    expect(backprop(['gradcheck', model, csv]).code).toBe(0);

    const { network } = parseModel(readFileSync(model, 'utf8'));
    const y = inputs.map((_, i) => [0, 1, 2].map((k) => (k === i % 3 ? 1 : 0)));
    expect(gradientCheck(network, inputs, y).ok).toBe(true);
    const before = network.evaluateLoss(inputs, y);
    const start = network.getWeights()[0].weights[0][0];
    fit(network, inputs, y, { epochs: 30, learningRate: 0.05, batchSize: 7, optimizer: 'sgd' });
    expect(network.evaluateLoss(inputs, y)).toBeLessThan(before);
    expect(network.getWeights()[0].weights[0][0]).not.toBe(start);
  }, 30_000);
});

describe('standalone module', () => {
  it.each(trained.map((t) => [t.name, t] as const))('%s: predict() imported from the generated file equals the library within 1e-6', async (_, t) => {
    const out = join(dir, `${t.name}-standalone.js`);
    const r = backprop(['export', t.model, '--to', 'js', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(out.replace(/\.js$/, '.d.ts'), 'utf8')).toContain('export declare function predict(row: Features): Prediction;');
    const module = await import(pathToFileURL(out).href) as { predict(row: Record<string, unknown>): { label?: unknown; probabilities?: number[]; value?: number; values?: number[] } };
    const { network, preprocessing } = parseModel(readFileSync(t.model, 'utf8'));
    const frame = await frameOf(t);
    const { decoded } = ours(network, preprocessing!, frame);
    decoded.forEach((d, i) => {
      const row = Object.fromEntries(frame.columns.map((c) => [c.name, c.kind === 'numeric' ? c.values[i] : c.dictionary[c.codes[i]]]));
      const p = module.predict(row);
      if ('label' in d) {
        expect(p.label).toBe(d.label);
        d.probabilities.forEach((v, j) => expect(Math.abs(p.probabilities![j] - v)).toBeLessThan(1e-6));
      } else {
        expect(Math.abs(p.value! - d.value)).toBeLessThan(1e-6 * Math.max(1, Math.abs(d.value)));
        if (d.values.length > 1) d.values.forEach((v, j) => expect(Math.abs(p.values![j] - v)).toBeLessThan(1e-6 * Math.max(1, Math.abs(v))));
      }
    });
  }, 30_000);

  it('fills a missing feature and zeros an unknown value as the library does, and names a bad one', async () => {
    const t = trained.find((m) => m.name === 'two-class-text')!;
    const { js } = exportStandalone(JSON.parse(readFileSync(t.model, 'utf8')), 'shop');
    const path = join(dir, 'shop.mjs');
    writeFileSync(path, js);
    const module = await import(pathToFileURL(path).href) as { predict(row: Record<string, unknown>): { probabilities: number[] } };
    // A missing feature is filled, and an unknown value encoded as all zeros, as the library does.
    const model = Model.fromJSON(JSON.parse(readFileSync(t.model, 'utf8')));
    for (const row of [{ a: 1, b: 2 }, { a: 1, b: 2, colour: 'purple' }, { a: null, b: 2, colour: 'NA' }]) {
      const expected = Object.values(model.predict([row])[0].probabilities!);
      module.predict(row).probabilities.forEach((v, k) => expect(Math.abs(v - expected[k])).toBeLessThan(1e-6));
    }
    expect(() => module.predict({ a: 'x', b: 2, colour: 'red' })).toThrow('shop: the feature "a" expects a number, got "x"');
  });
});

describe('the commands', () => {
  it('export writes beside the model by default, replaces outputs whole, and refuses what it cannot do', () => {
    const t = trained.find((m) => m.name === 'iris')!;
    expect(backprop(['export', t.model, '--to', 'onnx']).stdout).toBe(`wrote ${t.model.replace(/\.json$/, '.onnx')}\n`);
    expect(backprop(['export', t.model, '--to', 'tfjs']).stdout).toBe(`wrote ${t.model.replace(/\.json$/, '-tfjs/model.json')} and ${t.model.replace(/\.json$/, '-tfjs/model.weights.bin')}\n`);
    const bad = backprop(['export', t.model, '--to', 'keras']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('backprop: --to: expected one of onnx, tfjs, js, got "keras"\n');
    const dash = backprop(['export', t.model, '--to', 'tfjs', '--out', '-']);
    expect(dash.code).toBe(2);
    const js = backprop(['export', t.model, '--to', 'js', '--out', '-']);
    expect(js.code).toBe(0);
    expect(js.stdout).toContain('export function predict(row)');
  }, 30_000);
});
