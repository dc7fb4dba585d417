// Training allocates its buffers once: the heap after 200 epochs is where it was after 20.
import { expect, it } from 'vitest';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { applyScaler, classesOf, fit, fitScaler, Network, oneHot } from '../src/index.js';
import { loadBuiltin } from '../src/node/index.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

it('heap use stays flat over 200 epochs on digits', () => {
  const digits = loadBuiltin('digits');
  const x = applyScaler(fitScaler('standard', digits.x), digits.x);
  const y = oneHot(digits.labels, classesOf(digits.labels));
  const net = new Network({ inputs: 64, layers: [{ units: 64, activation: 'relu' }, { units: 10, activation: 'softmax' }], loss: 'categorical-cross-entropy' });
  const heap: Record<number, number> = {};
  fit(net, x, y, {
    epochs: 200, batchSize: 32, optimizer: 'adam', learningRate: 0.001, validationSplit: 0.2,
    callbacks: [{
      onEpochEnd: ({ epoch }) => {
        if (epoch === 20 || epoch === 200) {
          gc();
          heap[epoch] = process.memoryUsage().heapUsed;
        }
      },
    }],
  });
  // History entries add a few hundred bytes per epoch; anything that grew per batch would show as megabytes.
  expect(Math.abs(heap[200] - heap[20]) / heap[20]).toBeLessThan(0.03);
}, 60_000);
