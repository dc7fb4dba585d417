// Training allocates its buffers once: the heap after 200 epochs is where it was after 20; and a process that
// creates, trains and drops thousands of networks keeps its memory flat.
import { expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { applyScaler, chooseKernels, classesOf, fit, fitScaler, frameFromTable, Network, oneHot, planTraining, Random, type Kernels } from '../src/index.js';
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

it('a bagged run whose networks pass 64 MiB together keeps every one of them in the backend\'s memory', async () => {
  // 5 networks of 600-3300-1 (2 million weights: 15.8 MB of weights and gradients each, 79 MB together), made one
  // after another. A backend serves 64 MiB of network memory between turns of the event loop (more would pile up
  // where dropped networks wait for a turn to be taken back): the plan gives one before each network.
  const wasm = await chooseKernels('wasm');
  let ordinary = 0;
  const kernels: Kernels = {
    ...wasm,
    allocate: (rows, cols, dtype, group) => {
      const m = wasm.allocate!(rows, cols, dtype, group);
      if (!wasm.owns!(m)) ordinary += rows * cols;
      return m;
    },
  };
  const random = new Random(4);
  const header = [...Array.from({ length: 600 }, (_, j) => `c${j}`), 'y'];
  const rows = Array.from({ length: 20 }, (_, i) => [...Array.from({ length: 600 }, () => random.uniform(0, 1).toFixed(3)), i % 2 ? 'a' : 'b']);
  const frame = frameFromTable({ source: 'wide.csv', header, rows, lines: rows.map((_, i) => i + 2) });
  const plan = await planTraining(frame, { target: 'y', bagging: 5, layers: [3300], bins: 0, kernels });
  expect(plan.members).toBe(5);
  // Before: the fifth network's weights and gradients were ordinary arrays (its arithmetic 2–3 times slower).
  expect(ordinary).toBe(0);
}, 60_000);

it('a backend serves a network past half of 64 MiB whole, and the first network after a turn, but not more between turns', async () => {
  const k = await chooseKernels('wasm');
  const MB = 1024 * 1024 / 4; // float32 elements
  const turn = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));
  await turn();
  // Weights, then gradients: 2 × 40 MB, one network.
  const big = {};
  expect([k.allocate!(1, 40 * MB, 'float32', big), k.allocate!(1, 40 * MB, 'float32', big)].every((m) => k.owns!(m))).toBe(true);
  // Another network before a turn is past the bound: ordinary arrays (memory that piles up stays bounded).
  expect(k.owns!(k.allocate!(1, MB, 'float32', {}))).toBe(false);
  await turn();
  // After a turn: served again, even one block past the bound alone.
  expect(k.owns!(k.allocate!(1, 70 * MB, 'float32', {}))).toBe(true);
  expect(k.owns!(k.allocate!(1, MB, 'float32', {}))).toBe(false);
});
