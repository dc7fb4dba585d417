// backprop on one workload with one backend:
// node bench/systems/backprop.mjs W1 reference|wasm|wasm2|blas|blas1 [samples] [float32|float64]
import { Network, fit } from '../../dist/index.js';
import { createKernels } from '../../dist/node/index.js';
import { WORKLOADS, syntheticData, workloadSpec } from '../workloads.mjs';

const [name, backend, samplesArg, dtype = 'float32'] = process.argv.slice(2);
const w = WORKLOADS[name];
const threads = /1$/.test(backend) ? 1 : 2; // wasm1, blas1: one thread; wasm2, blas2: two
const kernels = await createKernels(backend.replace(/\d$/, ''), { threads });
const data = syntheticData(w, samplesArg && samplesArg !== '-' ? Number(samplesArg) : w.samples, dtype);
const net = new Network(workloadSpec(w, dtype), { kernels });
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
