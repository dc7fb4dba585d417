// Exports of the trained network, loaded only when asked for (ONNX's protobuf writer is large): backprop's own
// model file (what `backprop train --out` writes and `backprop predict` reads: the network, and the table's
// columns, scaling and one-hot encoding as the page fitted them), ONNX and a standalone ES module through
// backprop/interop, and the TypeScript that rebuilds and trains the same network with the library.
import { exportONNX, exportStandalone } from '../../src/interop/index.js';
import { Model } from '../../src/model/model.js';
import { Network } from '../../src/nn/network.js';
import { stringifyModel } from '../../src/io/model-file.js';
import type { App } from './app.js';
import { dataSeed, layerActivation, networkSpec } from './problem.js';

/** The page's network as a library Model: the worker's latest weights with the table's preprocessing. */
export function pageModel(app: App): Model {
  const table = app.problem.table;
  if (!table || !app.snapshot) throw new Error('Export: train on a table first (iris, the digits or your own CSV file)');
  const net = new Network(networkSpec(app.state, app.problem.task, app.problem));
  net.setWeights(app.snapshot.weights);
  return new Model(net, table.prep);
}

const stem = (app: App): string => (app.problem.table?.name ?? 'model').replace(/\.[^.]*$/, '').replace(/[^\w-]+/g, '-') || 'model';

export function exportFile(app: App, kind: 'model' | 'onnx' | 'module' | 'types'): { name: string; type: string; data: string | Uint8Array } {
  const model = pageModel(app);
  const name = stem(app);
  if (kind === 'model') return { name: `${name}-model.json`, type: 'application/json', data: stringifyModel(model.network, model.preprocessing) };
  if (kind === 'onnx') return { name: `${name}.onnx`, type: 'application/octet-stream', data: exportONNX(model) };
  const { js, dts } = exportStandalone(model, name.replace(/\W/g, '_'));
  return kind === 'module' ? { name: `${name}-model.js`, type: 'text/javascript', data: js } : { name: `${name}-model.d.ts`, type: 'text/plain', data: dts };
}

/** TypeScript that rebuilds the page's network and trains it as the page does, with the library (in Node). */
export function codeFor(app: App): string {
  const s = app.state, table = app.problem.table;
  if (!table) throw new Error('Copy as code: train on a table first (iris, the digits or your own CSV file)');
  const spec = networkSpec(s, app.problem.task, app.problem);
  const epochs = Math.max(1, app.snapshot?.epoch ?? 1);
  const target = table.prep.target!.name;
  const hidden = s.layers.map((units, l) => `{ units: ${units}, activation: '${layerActivation(s, l)}', bias: ${s.biases} }`);
  const output = spec.layers[spec.layers.length - 1];
  return `// The playground's network on ${table.name}, rebuilt and trained with backprop (npm install backprop; run with Node):
// the same data split, encoding, layers, activations, loss, seed, η and batch size (fit shuffles the batches its own way).
import { writeFileSync } from 'node:fs';
import { describeFrame, encodeFrameInputs, encodeFrameTargets, fit, fitFramePreprocessing, Model, Network, splitRows, stringifyModel } from 'backprop';
import { readTable } from 'backprop/node';

const frame = await readTable(${JSON.stringify(table.name)});
// The target "${target}"; ${Math.round((1 - s.trainRatio) * 100)}% of the rows held out (stratified, seeded), as the page splits them.
const description = describeFrame(frame, ${JSON.stringify(target)});
const rows = splitRows(frame.rows, { testFraction: ${Number((1 - s.trainRatio).toFixed(2))}, seed: ${dataSeed(s)}${table.classes ? ', stratify: description.classIndex ?? undefined' : ''} });
// Numbers standardized and text one-hot encoded, fitted on the training rows (backprop train's rules).
const prep = fitFramePreprocessing(description, frame, rows.train);
const x = encodeFrameInputs(prep, frame, 'float32', rows.train);
const y = encodeFrameTargets(prep, frame, 'float32', rows.train).y;

const net = new Network({
  inputs: ${spec.inputs},
  layers: [
    ${[...hidden, `{ units: ${output.units}, activation: '${output.activation}', bias: ${s.biases} }`].join(',\n    ')},
  ],
  loss: '${spec.loss}',
  seed: ${spec.seed},
});
fit(net, x, y, {
  epochs: ${epochs}, learningRate: ${s.learningRate}, batchSize: ${s.batchSize}, optimizer: '${s.optimizer}',
  l1: ${s.regularization === 'l1' ? s.regularizationRate : 0}, l2: ${s.regularization === 'l2' ? s.regularizationRate : 0}, seed: ${s.seed + 1},
});

const model = new Model(net, prep);
console.log(model.evaluate(frame));
writeFileSync(${JSON.stringify(`${stem(app)}-model.json`)}, stringifyModel(net, prep)); // backprop predict reads it
`;
}
