// tune's trials on worker threads: one per core (never more: each holds a copy of the data and its networks), each
// training and scoring one trial at a time on a single-threaded backend. Importing backprop/node makes tune use it.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { DataFrame } from '../data/frame.js';
import { registerTrialRunner, type TrialOptions, type TrialRunner } from '../model/tune.js';

/** What a worker is sent: the data once (as it starts), then one job per trial. */
export interface TuneWorkerData {
  source: string;
  rows: number;
  columns: DataFrame['columns'];
}
export interface TuneJob {
  id: number;
  options: TrialOptions;
}
export type TuneReply = { id: number; score: number } | { id: number; error: string } | { ready: true };

export function workerRunner(frame: DataFrame, workers: number | undefined, trials: number): TrialRunner {
  const cores = availableParallelism();
  const size = Math.max(1, Math.min(workers ?? cores, cores, trials));
  const data: TuneWorkerData = { source: frame.source, rows: frame.rows, columns: frame.columns };
  const pool = Array.from({ length: size }, () => new Worker(new URL('./tune-worker.js', import.meta.url), { workerData: data }));
  // Each worker says when it has loaded its backend (see tune-worker.ts): until then it is not ended, since ending a
  // thread while a native addon registers aborts the process. Jobs may be posted before; they wait in its queue.
  const ready = new Map(pool.map((w) => [w, new Promise<void>((resolve) => {
    const done = (): void => resolve();
    w.on('message', (m: TuneReply) => 'ready' in m && done());
    w.once('exit', done);
    w.once('error', done);
  })]));
  const end = async (w: Worker): Promise<void> => {
    await ready.get(w);
    await w.terminate();
  };
  const idle = [...pool];
  const waiting = new Map<number, { resolve: (r: { score: number }) => void; reject: (e: Error) => void; worker: Worker }>();
  const queue: (() => void)[] = [];
  let nextId = 0;
  let closed = false;
  for (const w of pool) {
    w.on('message', (reply: TuneReply) => {
      if ('ready' in reply) return;
      const job = waiting.get(reply.id);
      waiting.delete(reply.id);
      idle.push(w);
      queue.shift()?.();
      if ('error' in reply) job?.reject(new Error(reply.error));
      else job?.resolve({ score: reply.score });
    });
    w.on('error', (e) => {
      for (const [id, job] of waiting) {
        if (job.worker === w) {
          waiting.delete(id);
          job.reject(e);
        }
      }
    });
  }
  return {
    size,
    async run(options, signal) {
      while (idle.length === 0 && !closed) await new Promise<void>((resolve) => queue.push(resolve));
      if (signal?.aborted || closed) throw new Error('stopped');
      const w = idle.pop()!;
      const id = nextId++;
      return new Promise((resolve, reject) => {
        // A stop ends the trial where it is: its worker is ended (close() ends the rest). The listener goes when the
        // trial ends, however it ends: a search's trials share one signal, which would otherwise gather one per trial.
        const onAbort = (): void => {
          if (!waiting.delete(id)) return;
          reject(new Error('stopped'));
          void end(w);
        };
        const ended = (): void => signal?.removeEventListener('abort', onAbort);
        waiting.set(id, { resolve: (r) => (ended(), resolve(r)), reject: (e) => (ended(), reject(e)), worker: w });
        w.postMessage({ id, options } satisfies TuneJob);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
    close: async () => {
      closed = true;
      for (const [id, job] of waiting) {
        waiting.delete(id);
        job.reject(new Error('stopped'));
      }
      for (const wake of queue.splice(0)) wake();
      await Promise.all(pool.map(end));
    },
  };
}

registerTrialRunner(workerRunner);
