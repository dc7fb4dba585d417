// The WebAssembly backend in Node, with helper threads on worker_threads sharing its memory.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { checkOptions } from '../core/errors.js';
import { createWasmKernels, type WasmKernels } from '../core/wasm/backend.js';

export interface NodeWasmOptions {
  /** Threads in all, the caller's included. Default: the number of cores. */
  threads?: number;
}

/** One backend per thread count for the whole process: each has its own memory and helper threads, which are never given back. */
const backends = new Map<number, Promise<WasmKernels>>();

/**
 * The WebAssembly backend with `threads` threads in all (the caller's included). Every call with the same count
 * returns the same backend, so creating networks in a loop never starts new threads or new memory.
 */
export function createNodeWasmKernels(options: NodeWasmOptions = {}): Promise<WasmKernels> {
  options = checkOptions(options, ['threads'], 'options');
  const threads = Math.max(1, Math.floor(options.threads ?? availableParallelism()));
  let backend = backends.get(threads);
  if (!backend) {
    backend = startBackend(threads);
    backends.set(threads, backend);
    // A failed start is not kept: the next call tries again.
    backend.catch(() => backends.delete(threads));
  }
  return backend;
}

function startBackend(threads: number): Promise<WasmKernels> {
  return createWasmKernels({
    helpers: threads - 1,
    startHelpers: async (module, memory, count) => {
      for (let index = 1; index <= count; index++) {
        const worker = new Worker(new URL('./wasm-helper.js', import.meta.url), { workerData: { module, memory, index } });
        // Helpers wait on shared memory forever; they must not keep the process alive.
        worker.unref();
      }
    },
  });
}
