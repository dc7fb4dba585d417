// Prediction throughput by block size: node bench/systems/predict.mjs reference|wasm1|blas1|blas2 [float32|float64].
// For two networks (the end-to-end bench's model, 33 → 100 → 3, on 100,000 rows, and 784 → 512 → 10 on 20,000),
// rows per second predicted in blocks of 24, 48, 96 (what Network.predict uses, so that a row's outputs do not depend
// on its batch) and 192 rows, and in one block of every row (the whole batch in one product, as predict ran before);
// then the time of one row alone, in a block of 96 and as a one-row product (before). Medians of 3 after a warm-up.
import { Network, PREDICT_BLOCK_ROWS, Random } from '../../dist/index.js';
import { createKernels } from '../../dist/node/index.js';

const [backend, dtype = 'float32'] = process.argv.slice(2);
const threads = /1$/.test(backend) ? 1 : 2;
const kernels = await createKernels(backend.replace(/\d$/, ''), { threads });
const NETWORKS = [
  { name: '33 → 100 → 3', inputs: 33, hidden: [100], outputs: 3, rows: backend === 'reference' ? 20_000 : 100_000 },
  { name: '784 → 512 → 10', inputs: 784, hidden: [512], outputs: 10, rows: backend === 'reference' ? 1_000 : 20_000 },
];

function median(run, times = 3) {
  run();
  const t = [];
  for (let i = 0; i < times; i++) {
    const start = performance.now();
    run();
    t.push(performance.now() - start);
  }
  return t.sort((a, b) => a - b)[1];
}

const result = { backend: kernels.name, dtype, networks: [] };
for (const { name, inputs, hidden, outputs, rows } of NETWORKS) {
  const network = new Network({
    inputs, layers: [...hidden.map((units) => ({ units, activation: 'relu' })), { units: outputs, activation: 'softmax' }], loss: 'categorical-cross-entropy', dtype, seed: 1,
  }, { kernels });
  const random = new Random(2);
  const x = network.inputBatch({ rows, cols: inputs, data: Float64Array.from({ length: rows * inputs }, () => random.uniform(-2, 2)) });
  const rowsPerSecond = {};
  for (const block of [rows, 24, 48, 96, 192]) rowsPerSecond[block === rows ? 'whole' : block] = rows / (median(() => network.predictInBlocks(x, block)) / 1000);
  const one = network.inputBatch({ rows: 1, cols: inputs, data: x.data.slice(0, inputs) });
  const repeat = (f) => () => {
    for (let i = 0; i < 200; i++) f();
  };
  const oneRow = {
    block: (median(repeat(() => network.predictInBlocks(one, PREDICT_BLOCK_ROWS))) / 200) * 1000,
    alone: (median(repeat(() => network.predictInBlocks(one, 1))) / 200) * 1000,
  };
  result.networks.push({ name, rows, rowsPerSecond, oneRowMicroseconds: oneRow });
}
console.log(JSON.stringify(result));
process.exit(0);
