// Ends tune's search from backprop/node (trials on worker threads) in each way a search can end, then lets the
// process end by itself: a worker or port left behind would keep it alive. Prints one line per way. Run by
// test/bounded-runs.test.ts on the built library.
import { tune } from '../../dist/node/index.js';

const rows = Array.from({ length: 40 }, (_, i) => ({ a: (i * 7) % 11, b: (i * 3) % 5, y: i % 2 ? 'p' : 'q' }));
const base = { trials: 4, folds: 2, workers: 2 };

async function end(name, options) {
  try {
    const r = await tune(rows, { ...base, ...options });
    console.log(`${name}: resolved${r.interrupted ? ' (interrupted)' : ''}${r.stoppedByBudget ? ' (budget)' : ''}`);
  } catch (e) {
    console.log(`${name}: rejected: ${e.message}`);
  }
}

let lines = 0;
await end('a callback that throws at once', { onProgress: () => { throw new Error('thrown by onProgress'); } });
await end('a callback that throws at a rung', { epochs: 3, onProgress: () => { if (++lines > 1) throw new Error('thrown by onProgress'); } });
await end('an abort', { epochs: 100_000, signal: AbortSignal.timeout(300) });
await end('a budget', { epochs: 100_000, budget: 1000 });
await end('a trial that fails', { epochs: 3, classWeight: { nothing: 2 } });
await end('a search that finishes', { epochs: 3 });
// Stopped while its workers start: a thread ended while it loads the BLAS addon used to abort the process (napi_throw).
for (const ms of [40, 80, 120, 160, 200, 240]) await end(`an abort after ${ms} ms`, { epochs: 100_000, signal: AbortSignal.timeout(ms) });
