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
    const [i, rss, wasm, backends, heap] = line.split(' ').map(Number);
    return [i, { rss, wasm, backends, heap }];
  }));
  const first = at.get(1_000)!, warm = at.get(2_000)!, last = at.get(10_000)!;
  // Two backends in all (Network.create's and createKernels'), however many networks asked for one.
  expect(last.backends).toBe(2);
  // The backends' memory, which never shrinks once grown, is where dropped networks' weights would pile up.
  expect(last.wasm).toBeLessThanOrEqual(first.wasm * 1.1);
  // The JavaScript heap in use, after a collection, once the engine has compiled the hot code (the first 2,000
  // networks): nothing of a dropped network stays reachable.
  expect(last.heap).toBeLessThan(warm.heap * 1.1);
  // The whole process. V8 sizes its own heap over the first few thousand networks, which moves RSS by some tens
  // of MB whatever the program does; a leak of even 10 KB a network would add 90 MB more.
  expect(last.rss).toBeLessThan(first.rss + 64 * 1024 * 1024);
}, 120_000);
