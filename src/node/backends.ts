// Choosing a backend in Node: 'auto' takes the system's BLAS where one is found, else WebAssembly SIMD on
// every core, else the reference. Each is made once per process (per library and thread count) and shared
// by every network that asks for it.
import { availableParallelism } from 'node:os';
import { BACKEND_CHOICES, registerBackend, registerDefaultBackend, type BackendChoice } from '../core/backends.js';
import { BackpropError, checkOptions, unknownName } from '../core/errors.js';
import type { Kernels } from '../core/kernels.js';
import { referenceKernels } from '../core/reference.js';
import { wasmSupported } from '../core/wasm/backend.js';
import { createBlasKernels, type BlasKernels } from './blas/backend.js';
import { loadBlasSync } from './blas/library.js';
import { createNodeWasmKernels } from './wasm.js';

export { BACKEND_CHOICES, type BackendChoice };

export interface NodeBackendOptions {
  /**
   * For blas: a number pins every product to that many BLAS threads, at most the cores (for timings that repeat); 'auto' times each
   * product shape on 1, 2, 4, … up to the cores, at its first calls and again every few seconds, and keeps the fastest.
   * For wasm: threads in all, the caller's included, at most the cores ('auto': the cores). Default: BACKPROP_THREADS where set, else 'auto'.
   */
  threads?: number | 'auto';
  /** For blas: the BLAS library to load, a file name or path. Default: BACKPROP_BLAS, else the usual names. */
  library?: string;
}

/** The thread setting asked for: the option, else BACKPROP_THREADS, else 'auto'. */
export function threadsWanted(option?: unknown): number | 'auto' {
  if (option !== undefined) return parseThreads(option, 'threads');
  const env = process.env.BACKPROP_THREADS;
  return env ? parseThreads(env.trim(), 'BACKPROP_THREADS') : 'auto';
}

/**
 * A pinned count run as at most the cores: threads past them only wait for each other (--threads 1024 on two cores
 * started 1,023 helper threads, each loading the BLAS, and took 60–100 s for a 2 s run, or aborted in a helper's load).
 * Results do not depend on the count, so the cap changes no number.
 */
export function threadsUsed(setting: number): number {
  return Math.min(setting, availableParallelism());
}

function parseThreads(value: unknown, field: string): number | 'auto' {
  if (value === 'auto') return 'auto';
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 1024) {
    throw new BackpropError(`${field}: expected a whole number of threads from 1 to 1024, or auto, got ${JSON.stringify(value)}`, field);
  }
  return n;
}

const blasBackends = new Map<string, BlasKernels>();

/** The BLAS backend, or null where no BLAS loads (with `required`, an error naming what was looked for). */
export async function createNodeBlasKernels(options: NodeBackendOptions = {}, required = true): Promise<BlasKernels | null> {
  return createNodeBlasKernelsSync(options, required);
}

/** createNodeBlasKernels without waiting: the library is bound and the backend made at once. */
export function createNodeBlasKernelsSync(options: NodeBackendOptions = {}, required = true): BlasKernels | null {
  options = checkOptions(options, ['threads', 'library'], 'options');
  const setting = threadsWanted(options.threads);
  const library = loadBlasSync(options.library, required);
  if (!library) return null;
  const pinned = setting !== 'auto';
  const threads = pinned ? threadsUsed(setting) : availableParallelism();
  const key = `${library.path}\u0000${threads}\u0000${pinned}`;
  let backend = blasBackends.get(key);
  if (!backend) {
    backend = createBlasKernels(library, threads, pinned);
    blasBackends.set(key, backend);
  }
  return backend;
}

/**
 * Kernels for a backend choice: 'auto' takes the system's BLAS where one is found, else WebAssembly SIMD on every
 * core where this Node runs it, else the reference; 'blas' and 'wasm' insist on theirs; 'reference' is the plain
 * TypeScript implementation.
 */
export async function createKernels(choice: BackendChoice = 'auto', options: NodeBackendOptions = {}): Promise<Kernels> {
  if (!BACKEND_CHOICES.includes(choice)) throw unknownName('backend', choice, BACKEND_CHOICES, 'backend');
  options = checkOptions(options, ['threads', 'library'], 'options');
  if (choice === 'reference') return referenceKernels;
  if (choice === 'blas' || choice === 'auto') {
    const blas = await createNodeBlasKernels(options, choice === 'blas');
    if (blas) return blas;
  }
  if (wasmSupported()) {
    const setting = threadsWanted(options.threads);
    return createNodeWasmKernels({ threads: setting === 'auto' ? undefined : threadsUsed(setting) });
  }
  if (choice === 'wasm') throw new BackpropError('backend: WebAssembly SIMD with shared memory is not available in this Node', 'backend');
  return referenceKernels;
}

// Network.create(spec, { backend: 'blas' | 'auto' }) finds the BLAS backend once backprop/node is imported.
registerBackend('blas', (required) => createNodeBlasKernels({}, required));
// And the kernels had without waiting (Model.fromJSON, loadModel, new Network) are the same BLAS backend.
// Asked on every `new Network`, so answered once.
let defaultBlas: BlasKernels | null | undefined;
registerDefaultBackend(() => (defaultBlas === undefined ? (defaultBlas = createNodeBlasKernelsSync({}, false)) : defaultBlas));
