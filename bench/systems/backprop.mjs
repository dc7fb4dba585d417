// backprop on one workload with one backend: node bench/systems/backprop.mjs W1 reference|wasm|wasm2
import { Network, fit } from '../../dist/index.js';
import { createNodeWasmKernels } from '../../dist/node/wasm.js';
import { WORKLOADS, syntheticData } from '../workloads.mjs';

const [name, backend, samplesArg] = process.argv.slice(2);
const w = WORKLOADS[name];
const kernels = backend === 'reference' ? undefined : await createNodeWasmKernels({ threads: backend === 'wasm2' ? 2 : 1 });
const data = syntheticData(w, samplesArg ? Number(samplesArg) : w.samples);
const last = w.sizes.length - 1;
const net = new Network({
  inputs: w.sizes[0],
  layers: w.sizes.slice(1).map((units, i) => ({ units, activation: i + 1 === last ? w.output : w.hidden })),
  loss: w.output === 'softmax' ? 'categorical-cross-entropy' : 'mse',
  seed: 1,
}, { kernels });
const x = { rows: data.samples, cols: data.inputs, data: data.x };
const y = { rows: data.samples, cols: data.outputs, data: data.y };
// One run of four epochs, timed epoch by epoch: the first is the warm-up.
const times = [];
let began = 0;
fit(net, x, y, {
  epochs: 4, batchSize: w.batch, learningRate: 0.01, shuffle: true, accuracy: false,
  callbacks: [{ onEpochBegin: () => (began = performance.now()), onEpochEnd: () => times.push((performance.now() - began) / 1000) }],
});
const median = [...times.slice(1)].sort((a, b) => a - b)[1];
console.log(JSON.stringify({ samplesPerSecond: data.samples / median, epochSeconds: times, samples: data.samples, backend: net.kernels.name }));
