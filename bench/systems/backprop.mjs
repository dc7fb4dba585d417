// backprop on one workload with one backend:
// node bench/systems/backprop.mjs W1 reference|wasm1|wasm2|blas|blas1|blas2 [samples] [float32|float64]
// blas alone is the default backend (whole training steps timed on one thread and on the team's, the faster kept); blas1 and blas2 pin
// every product to one or two threads; wasm1 and wasm2 are the WebAssembly backend on one thread or two.
import { Network, fit } from '../../dist/index.js';
import { createKernels } from '../../dist/node/index.js';
import { WORKLOADS, syntheticData, workloadSpec } from '../workloads.mjs';

const [name, backend, samplesArg, dtype = 'float32'] = process.argv.slice(2);
const w = WORKLOADS[name];
const pinned = /\d$/.test(backend) ? Number(backend.slice(-1)) : 'auto';
const kernels = await createKernels(backend.replace(/\d$/, ''), { threads: pinned });
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
// How the training steps ran, as the training left the choice: the way, and each way's mean step in the last round.
const step = kernels.stepPlan?.(`${net.dtype} ${w.sizes.join('-')}`);
const threads = step ? `${step.threads}${step.team ? ' (team)' : ''} a step${step.times ? ` [${Object.entries(step.times).map(([k, v]) => `${k}: ${(1000 * v).toFixed(0)} µs`).join(', ')}; round ${step.rounds}]` : ''}` : 'untimed';
// The share of the batches' input rows that the team's helper had gathered in the background when their step began.
const background = kernels.backgroundGathers?.();
const ahead = background?.rows ? `; ${(100 * background.ahead / background.rows).toFixed(0)}% of ${background.batches} batches' rows gathered ahead` : '';
const blas = kernels.library ? `${kernels.library.description}, ${pinned === 'auto' ? `timed: ${threads}` : `pinned ${pinned}`}${ahead}` : `${net.kernels.name}`;
console.log(JSON.stringify({ samplesPerSecond: data.samples / median, epochSeconds: times, samples: data.samples, backend: net.kernels.name, blas }));
