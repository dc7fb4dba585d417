// Memory on W1 with the fastest backend (auto): heap and RSS after epoch 5 and after epoch 20 (after a GC).
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Network, fit } from '../../dist/index.js';
import { createKernels } from '../../dist/node/index.js';
import { WORKLOADS, syntheticData } from '../workloads.mjs';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');
const w = WORKLOADS.W1;
const data = syntheticData(w);
const net = new Network({
  inputs: 784, layers: [{ units: 128, activation: 'relu' }, { units: 64, activation: 'relu' }, { units: 10, activation: 'softmax' }],
  loss: 'categorical-cross-entropy',
}, { kernels: await createKernels('auto') });
const at = {};
fit(net, { rows: data.samples, cols: 784, data: data.x }, { rows: data.samples, cols: 10, data: data.y }, {
  epochs: 20, batchSize: w.batch, learningRate: 0.01, accuracy: false,
  callbacks: [{ onEpochEnd: ({ epoch }) => {
    if (epoch === 5 || epoch === 20) {
      gc();
      const m = process.memoryUsage();
      at[epoch] = { heap: m.heapUsed, rss: m.rss };
    }
  } }],
});
console.log(JSON.stringify({ backend: net.kernels.name, epoch5: at[5], epoch20: at[20], heapChange: at[20].heap / at[5].heap - 1, rssChange: at[20].rss / at[5].rss - 1 }));
