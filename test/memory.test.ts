// Training allocates its buffers once: the heap after 200 epochs is where it was after 20; and a process that
// creates, trains and drops thousands of networks keeps its memory flat.
import { expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
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

it('10,000 networks created, trained and dropped on the wasm backend: memory plateaus', () => {
  const run = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(new URL('./programs/many-networks.mjs', import.meta.url)), '10000'], { encoding: 'utf8' });
  expect(run.status, run.stderr).toBe(0);
  const at = new Map(run.stdout.trim().split('\n').map((line) => {
    const [i, rss, wasm, backends] = line.split(' ').map(Number);
    return [i, { rss, wasm, backends }];
  }));
  // Two backends in all (Network.create's and createKernels'), however many networks asked for one.
  expect(at.get(10_000)!.backends).toBe(2);
  // The backends' memory, which never shrinks once grown, is where a leak of dropped networks would show.
  expect(at.get(10_000)!.wasm).toBeLessThanOrEqual(at.get(1_000)!.wasm * 1.1);
  // The whole process: V8 settles its heap size over the first couple of thousand networks, then RSS is flat.
  expect(at.get(10_000)!.rss).toBeLessThan(at.get(2_000)!.rss * 1.1);
}, 120_000);
