// A worker thread of tune (tune-pool.ts): trains and scores one trial's settings at a time on the data it was
// started with, on a single-threaded backend (the pool runs one worker per core).
import { parentPort, workerData } from 'node:worker_threads';
import type { DataFrame } from '../data/frame.js';
import { trialScore } from '../model/tune.js';
import { createKernels } from './backends.js';
import type { TuneJob, TuneReply, TuneWorkerData } from './tune-pool.js';

const data = workerData as TuneWorkerData;
const frame: DataFrame = { ...data, where: (row) => `row ${row + 1}` };

// The default backend is made first, and the pool told: it loads a native addon (koffi, for BLAS), and a thread
// ended while an addon registers aborts the whole process (napi_throw, a fatal error), so the pool ends a worker
// only once this is done. A failure here is no failure of the worker: a trial says it when it asks for the backend.
try {
  await createKernels('auto', { threads: 1 });
} catch {
  // said by the trial that needs it
}
parentPort!.postMessage({ ready: true });

parentPort!.on('message', async (job: TuneJob) => {
  try {
    const kernels = await createKernels(job.options.backend ?? 'auto', { threads: 1 });
    const score = await trialScore(frame, { ...job.options, kernels });
    parentPort!.postMessage({ id: job.id, score } satisfies TuneReply);
  } catch (e) {
    parentPort!.postMessage({ id: job.id, error: (e as Error).message } satisfies TuneReply);
  }
});
