// The README's way of building a network: node bench/systems/readme-way.mjs plain|node|reference. Milliseconds per
// epoch of fit on digits (the 1437 training rows of a seeded 80/20 split, 64-256-10 with the spec's default sigmoid hidden units, adam, batch 32): `new Network(spec)` as the README writes it,
// importing only 'backprop' (plain) or also 'backprop/node' (node), against the reference kernels that
// `new Network(spec)` ran on before it took the fastest ones at hand.
import { fit, Network, prepareClassification, referenceKernels } from '../../dist/index.js';

const [how] = process.argv.slice(2);
const { loadBuiltin } = await import('../../dist/node/datasets.js');
if (how === 'node') await import('../../dist/node/index.js');
const data = loadBuiltin('digits');
const { train } = prepareClassification(data.x, data.labels, { seed: 1, testFraction: 0.2 });
const spec = { inputs: 64, layers: [{ units: 256 }, { units: 10, activation: 'softmax' }], loss: 'categorical-cross-entropy' };
const net = how === 'reference' ? new Network(spec, { kernels: referenceKernels }) : new Network(spec);
const options = { epochs: 1, batchSize: 32, optimizer: 'adam', learningRate: 0.001 };
fit(net, train.x, train.y, options); // warm-up
const times = [];
for (let i = 0; i < 3; i++) {
  const start = performance.now();
  fit(net, train.x, train.y, options);
  times.push(performance.now() - start);
}
times.sort((a, b) => a - b);
console.log(JSON.stringify({ msPerEpoch: times[1], kernels: net.kernels.name }));
