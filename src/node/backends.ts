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
  /** Threads in all, the caller's included (for blas, the library's threads). Default: the number of cores. */
  threads?: number;
  /** For blas: the BLAS library to load, a file name or path. Default: BACKPROP_BLAS, else the usual names. */
  library?: string;
}

const blasBackends = new Map<string, BlasKernels>();

/** The BLAS backend, or null where no BLAS loads (with `required`, an error naming what was looked for). */
export async function createNodeBlasKernels(options: NodeBackendOptions = {}, required = true): Promise<BlasKernels | null> {
  return createNodeBlasKernelsSync(options, required);
}

/** createNodeBlasKernels without waiting: the library is bound and the backend made at once. */
export function createNodeBlasKernelsSync(options: NodeBackendOptions = {}, required = true): BlasKernels | null {
  options = checkOptions(options, ['threads', 'library'], 'options');
  const library = loadBlasSync(options.library, required);
  if (!library) return null;
  const threads = Math.max(1, Math.floor(options.threads ?? availableParallelism()));
  const key = `${library.path}\u0000${threads}`;
  let backend = blasBackends.get(key);
  if (!backend) {
    backend = createBlasKernels(library, threads);
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
  if (wasmSupported()) return createNodeWasmKernels({ threads: options.threads });
  if (choice === 'wasm') throw new BackpropError('backend: WebAssembly SIMD with shared memory is not available in this Node', 'backend');
  return referenceKernels;
}

// Network.create(spec, { backend: 'blas' | 'auto' }) finds the BLAS backend once backprop/node is imported.
registerBackend('blas', (required) => createNodeBlasKernels({}, required));
// And the kernels had without waiting (Model.fromJSON, loadModel, new Network) are the same BLAS backend.
// Asked on every `new Network`, so answered once.
let defaultBlas: BlasKernels | null | undefined;
registerDefaultBackend(() => (defaultBlas === undefined ? (defaultBlas = createNodeBlasKernelsSync({}, false)) : defaultBlas));
