// Exports of the trained network, loaded only when asked for (ONNX's protobuf writer is large): backprop's own
// model file (what `backprop train --out` writes and `backprop predict` reads: the network, and the table's
// columns, scaling and one-hot encoding as the page fitted them), ONNX and a standalone ES module through
// backprop/interop, and the TypeScript that rebuilds and trains the same network with the library.
import { jsComment, jsLiteral } from '../../src/core/escape.js';
import { exportONNX, exportStandalone } from '../../src/interop/index.js';
import { Model } from '../../src/model/model.js';
import { Network } from '../../src/nn/network.js';
import { stringifyModel } from '../../src/io/model-file.js';
import type { Preprocessing } from '../../src/data/preprocessing.js';
import type { App } from './app.js';
import { lesson } from './lessons.js';
import { dataSeed, FEATURES, layerActivation, networkSpec, SAMPLES } from './problem.js';

/**
 * What a generated set's model takes and gives: one column per input as the network sees it, named by the
 * feature (x1 is x₁/5, x1sq is (x₁/5)², sinx1 is sin x₁; a lesson's x1, x2, … as typed), unscaled; the class
 * 0 or 1, or the value.
 */
export function planePreprocessing(app: App): Preprocessing {
  const l = lesson(app.state.lesson);
  const names = l ? l.x.map((_, i) => `x${i + 1}`) : [...app.state.features];
  return {
    features: names.map((name) => ({ name, type: 'numeric' as const })),
    scaler: null,
    target: app.problem.task === 'classification' ? { name: 'label', task: 'classification', classes: [0, 1] } : { name: 'value', task: 'regression' },
  };
}

/** The page's network as a library Model: the worker's latest weights with the table's preprocessing (or the plane's). */
export function pageModel(app: App): Model {
  if (!app.snapshot) throw new Error('Export: the network is not ready yet');
  const net = new Network(networkSpec(app.state, app.problem.task, app.problem));
  net.setWeights(app.snapshot.weights);
  return new Model(net, app.problem.table?.prep ?? planePreprocessing(app));
}

const stem = (app: App): string => (app.problem.table?.name ?? (app.state.lesson ? `lesson-${app.state.lesson}` : app.state.dataset)).replace(/\.[^.]*$/, '').replace(/[^\w-]+/g, '-') || 'model';

export function exportFile(app: App, kind: 'model' | 'onnx' | 'module' | 'types'): { name: string; type: string; data: string | Uint8Array } {
  const model = pageModel(app);
  const name = stem(app);
  if (kind === 'model') return { name: `${name}-model.json`, type: 'application/json', data: stringifyModel(model.network, model.preprocessing) };
  if (kind === 'onnx') return { name: `${name}.onnx`, type: 'application/octet-stream', data: exportONNX(model) };
  const { js, dts } = exportStandalone(model, name.replace(/\W/g, '_'));
  return kind === 'module' ? { name: `${name}-model.js`, type: 'text/javascript', data: js } : { name: `${name}-model.d.ts`, type: 'text/plain', data: dts };
}

/**
 * TypeScript that rebuilds the page's network and trains it as the page does, with the library (in Node). The file's
 * and the target's names come from the user's file, so they enter the code only through jsLiteral and jsComment.
 */
export function codeFor(app: App): string {
  const s = app.state, table = app.problem.table;
  if (s.lesson) throw new Error('Copy as code: a lesson is one point of the seed\'s; pick a data set first');
  const spec = networkSpec(s, app.problem.task, app.problem);
  const epochs = Math.max(1, app.snapshot?.epoch ?? 1);
  const hidden = s.layers.map((units, l) => `{ units: ${units}, activation: '${layerActivation(s, l)}', bias: ${s.biases} }`);
  const output = spec.layers[spec.layers.length - 1];
  const testFraction = Number((1 - s.trainRatio).toFixed(2));
  let data: string, imports: string, result: string;
  if (table) {
    const target = table.prep.target!.name;
    imports = `import { describeFrame, encodeFrameInputs, encodeFrameTargets, fit, fitFramePreprocessing, Model, Network, splitRows, stringifyModel, toFrame } from 'backprop';
import { readTable } from 'backprop/node';`;
    // toFrame reads the table as the page does: numbers written 1,217 are numbers (a target of them a regression).
    data = `const frame = toFrame(await readTable(${jsLiteral(table.name)}));
// The target "${jsComment(target)}"; ${Math.round(testFraction * 100)}% of the rows held out (stratified, seeded), as the page splits them.
const description = describeFrame(frame, ${jsLiteral(target)});
const rows = splitRows(frame.rows, { testFraction: ${testFraction}, seed: ${dataSeed(s)}${table.classes ? ', stratify: description.classIndex ?? undefined' : ''} });
// Numbers standardized and text one-hot encoded, fitted on the training rows (backprop train's rules).
const prep = fitFramePreprocessing(description, frame, rows.train);
const x = encodeFrameInputs(prep, frame, 'float32', rows.train);
const y = encodeFrameTargets(prep, frame, 'float32', rows.train).y;`;
    result = `const model = new Model(net, prep);
console.log(model.evaluate(frame));`;
  } else {
    const features = s.features.map((f) => `${f}: ${FEATURES[f].code}`).join(', ');
    const target = app.problem.task === 'classification' ? "{ name: 'label', task: 'classification', classes: [0, 1] }" : "{ name: 'value', task: 'regression' }";
    imports = `import { fit, generate, Model, Network, stringifyModel, takeRows, trainTestSplit, type Preprocessing } from 'backprop';`;
    data = `// The page's ${SAMPLES} points of "${s.dataset}" (noise ${s.noise}), ${Math.round(testFraction * 100)}% held out, and the features as the network sees them.
const points = generate('${s.dataset}', { samples: ${SAMPLES}, noise: ${s.noise}, seed: ${dataSeed(s)} });
const split = trainTestSplit(${SAMPLES}, { testFraction: ${testFraction}, seed: ${dataSeed(s)} });
const featurize = ([x1, x2]: number[]) => Object.values({ ${features} });
const x = takeRows(points.x, split.train).map(featurize);
const y = takeRows(points.y, split.train);
const prep: Preprocessing = { features: ${jsLiteral(s.features)}.map((name) => ({ name, type: 'numeric' as const })), scaler: null, target: ${target} };`;
    result = `const model = new Model(net, prep);
console.log(model.evaluate(takeRows(points.x, split.test).map(featurize), { y: takeRows(points.y, split.test).map(([v]) => v) }));`;
  }
  return `// The playground's network on ${table ? jsComment(table.name) : `the "${s.dataset}" points`}, rebuilt and trained with backprop (npm install backprop; run with Node):
// the same data split, ${table ? 'encoding' : 'features'}, layers, activations, loss, seed, η and batch size (fit shuffles the batches its own way).
import { writeFileSync } from 'node:fs';
${imports}

${data}

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

${result}
writeFileSync(${jsLiteral(`${stem(app)}-model.json`)}, stringifyModel(net, prep)); // backprop predict reads it
`;
}
