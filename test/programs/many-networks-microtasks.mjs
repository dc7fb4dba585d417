// Creates, trains for one epoch and drops networks in a loop that awaits only promises: no timer or I/O turn
// ever comes, so FinalizationRegistry callbacks never run while it lasts (a script searching over settings).
// Prints, after every 1,000th network (and a garbage collection, still without leaving the loop's microtasks),
// the process's RSS and the size of the backend's WebAssembly memory. Run by test/untrusted-misc.test.ts.
import { fit, Network } from '../../dist/index.js';
import '../../dist/node/index.js';

const count = Number(process.argv[2] ?? 4_000);
const x = Array.from({ length: 64 }, (_, i) => Array.from({ length: 64 }, (_, j) => Math.sin(i * 7 + j)));
const y = x.map((r) => [r[0] + r[1] > 0 ? 1 : 0]);
for (let i = 1; i <= count; i++) {
  const spec = { inputs: 64, layers: [{ units: 64, activation: 'relu' }, { units: 1, activation: 'sigmoid' }], loss: 'binary-cross-entropy', seed: i };
  const net = await Network.create(spec, { backend: 'wasm' });
  fit(net, x, y, { epochs: 1, batchSize: 16, optimizer: 'adam' });
  if (i % 1000 === 0) {
    globalThis.gc();
    const { rss } = process.memoryUsage();
    process.stdout.write(`${i} ${rss} ${net.kernels.memory.buffer.byteLength}\n`);
  }
}
