// TensorFlow.js on one workload: node bench/systems/tfjs.mjs W1 cpu|wasm [samples]
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { WORKLOADS, syntheticData, medianEpoch } from '../workloads.mjs';

const [name, backend, samplesArg] = process.argv.slice(2);
const w = WORKLOADS[name];
await tf.setBackend(backend);
await tf.ready();
const data = syntheticData(w, samplesArg ? Number(samplesArg) : w.samples);
const model = tf.sequential();
w.sizes.slice(1).forEach((units, i) => {
  const last = i + 2 === w.sizes.length;
  model.add(tf.layers.dense({ units, activation: last ? w.output : w.hidden, inputShape: i === 0 ? [w.sizes[0]] : undefined }));
});
model.compile({ optimizer: tf.train.sgd(0.01), loss: w.output === 'softmax' ? 'categoricalCrossentropy' : 'meanSquaredError' });
const x = tf.tensor2d(data.x, [data.samples, data.inputs]);
const y = tf.tensor2d(data.y, [data.samples, data.outputs]);
const { median, times } = await medianEpoch(() => model.fit(x, y, { epochs: 1, batchSize: w.batch, shuffle: true, verbose: 0 }));
console.log(JSON.stringify({ samplesPerSecond: data.samples / median, epochSeconds: times, samples: data.samples, backend: tf.getBackend() }));
