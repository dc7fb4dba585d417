// Where one W1 batch's time goes with the BLAS backend: the matrix products, the batch's row gather, the other
// kernels (element-wise work: bias, activations, softmax, loss, optimizer), and the JavaScript between calls
// (the rest of the step's wall time). Each kernel call is timed around itself, so the split costs a little.
// node bench/systems/profile.mjs [W1] [threads|auto] [float32|float64]
import { Network, fit } from '../../dist/index.js';
import { createKernels } from '../../dist/node/index.js';
import { WORKLOADS, syntheticData, workloadSpec } from '../workloads.mjs';

const [name = 'W1', threadsArg = '2', dtype = 'float32'] = process.argv.slice(2);
const w = WORKLOADS[name];
const blas = await createKernels('blas', { threads: threadsArg === 'auto' ? 'auto' : Number(threadsArg) });
const spent = { products: 0, gather: 0, elementwise: 0 };
const perKernel = {};
const untimed = new Set(['name', 'library', 'threads', 'allocate', 'release', 'owns', 'memory', 'module', 'step', 'stepPlan', 'planProduct', 'productPlans']);
const timed = { ...blas };
for (const [key, value] of Object.entries(blas)) {
  if (typeof value !== 'function' || untimed.has(key)) continue;
  const bucket = key === 'gemm' ? 'products' : key === 'gatherRows' ? 'gather' : 'elementwise';
  timed[key] = (...args) => {
    const start = performance.now();
    const r = value(...args);
    const t = performance.now() - start;
    spent[bucket] += t;
    perKernel[key] = (perKernel[key] ?? 0) + t;
    return r;
  };
}
const data = syntheticData(w, w.samples, dtype);
const net = new Network(workloadSpec(w, dtype), { kernels: timed });
const epochs = [];
let began = 0;
fit(net, { rows: data.samples, cols: data.inputs, data: data.x }, { rows: data.samples, cols: data.outputs, data: data.y }, {
  epochs: 6, batchSize: w.batch, learningRate: 0.01, accuracy: false,
  callbacks: [{
    onEpochBegin: () => {
      for (const k of Object.keys(spent)) spent[k] = 0;
      for (const k of Object.keys(perKernel)) perKernel[k] = 0;
      began = performance.now();
    },
    onEpochEnd: () => epochs.push({ total: performance.now() - began, ...spent, kernels: { ...perKernel } }),
  }],
});
// The fastest epoch after the warm-up, per batch.
const best = epochs.slice(1).reduce((a, b) => (b.total < a.total ? b : a));
const batches = Math.ceil(data.samples / w.batch);
const perBatch = Object.fromEntries(Object.entries(best).filter(([k]) => k !== 'kernels').map(([k, v]) => [k, (1000 * v) / batches]));
perBatch.javascript = perBatch.total - perBatch.products - perBatch.gather - perBatch.elementwise;
const kernels = Object.fromEntries(Object.entries(best.kernels).map(([k, v]) => [k, Math.round((10000 * v) / batches) / 10]));
console.log(JSON.stringify({ backend: net.kernels.name, dtype, microsecondsPerBatch: perBatch, kernels }));
