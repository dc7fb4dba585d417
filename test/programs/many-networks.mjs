// Creates, trains for one epoch and drops networks on the WebAssembly backend, as a server that trains a
// small model per request would; prints, after every 1,000th (and a garbage collection), the process's RSS,
// the size of the backends' WebAssembly memories, how many backends there are, and the JavaScript heap in use. Half come from Network.create, half from a
// fresh createKernels call, the two ways the README offers. Run by test/memory.test.ts on the built library.
import { fit, Network } from '../../dist/index.js';
import { createKernels } from '../../dist/node/index.js';

const count = Number(process.argv[2] ?? 10_000);
const x = Array.from({ length: 64 }, (_, i) => Array.from({ length: 16 }, (_, j) => Math.sin(i * 7 + j)));
const y = x.map((r) => [r[0] + r[1] > 0 ? 1 : 0]);
const memories = new Set();
for (let i = 1; i <= count; i++) {
  const spec = { inputs: 16, layers: [{ units: 32, activation: 'relu' }, { units: 1, activation: 'sigmoid' }], loss: 'binary-cross-entropy', seed: i };
  const net = i % 2 ? await Network.create(spec, { backend: 'wasm' }) : new Network(spec, { kernels: await createKernels('wasm') });
  fit(net, x, y, { epochs: 1, batchSize: 16, optimizer: 'adam' });
  memories.add(net.kernels.memory);
  // A server answers requests on the event loop, which lets the garbage collector's finalizers run.
  if (i % 10 === 0) await new Promise((resolve) => setImmediate(resolve));
  if (i % 1000 === 0) {
    globalThis.gc();
    await new Promise((resolve) => setTimeout(resolve, 0));
    const wasm = [...memories].reduce((sum, m) => sum + m.buffer.byteLength, 0);
    const { rss, heapUsed } = process.memoryUsage();
    process.stdout.write(`${i} ${rss} ${wasm} ${memories.size} ${heapUsed}\n`);
  }
}
