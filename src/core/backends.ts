// Choosing a backend: 'auto' takes the fastest one this environment has. Browsers have WebAssembly SIMD and
// the reference; an environment may add more (backprop/node adds 'blas', the system's BLAS through FFI).
// One WebAssembly backend per process (or page) serves every network that asks for it.
import { BackpropError, unknownName } from './errors.js';
import type { Kernels } from './kernels.js';
import { referenceKernels } from './reference.js';
import { createWasmKernelsSync, wasmSupported } from './wasm/backend.js';

export type BackendChoice = 'auto' | 'blas' | 'wasm' | 'reference';
export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'blas', 'wasm', 'reference'];

/**
 * A backend an environment provides: with `required` false it answers null where it cannot run (auto then
 * tries the next); with `required` true it throws a BackpropError that says why.
 */
export type BackendProvider = (required: boolean) => Promise<Kernels | null>;

const providers = new Map<string, BackendProvider>();

/** Adds a backend by name; backprop/node registers 'blas' when it is imported. */
export function registerBackend(name: 'blas', provider: BackendProvider): void {
  providers.set(name, provider);
}

/** Kernels had without waiting, where an environment can make its fastest backend so (backprop/node: BLAS). */
let defaultProvider: (() => Kernels | null) | null = null;

export function registerDefaultBackend(provider: () => Kernels | null): void {
  defaultProvider = provider;
}

/** The one single-threaded WebAssembly backend of this process or page, made on first use. */
let wasm: Kernels | null = null;

function wasmKernels(): Kernels {
  wasm ??= createWasmKernelsSync();
  return wasm;
}

/**
 * The kernels 'auto' chooses, had without waiting: the environment's fastest that can be made at once (in Node
 * with backprop/node imported, the system's BLAS), else WebAssembly SIMD on this thread, else the reference.
 * Models that are loaded or trained without a backend named use these, so they predict alike everywhere.
 */
export function defaultKernels(): Kernels {
  return defaultProvider?.() ?? (wasm ?? (wasmSupported() ? wasmKernels() : referenceKernels));
}

/** Kernels for a choice. In Node, import backprop/node first for 'blas', and for threads on every core (`createKernels`). */
export async function chooseKernels(choice: BackendChoice = 'auto'): Promise<Kernels> {
  if (!BACKEND_CHOICES.includes(choice)) throw unknownName('backend', choice, BACKEND_CHOICES, 'backend');
  if (choice === 'reference') return referenceKernels;
  if (choice === 'blas') {
    const blas = providers.get('blas');
    if (!blas) throw new BackpropError("backend: 'blas' runs in Node, through backprop/node: import it (import 'backprop/node') before asking for it", 'backend');
    return (await blas(true))!;
  }
  if (choice === 'auto') {
    const blas = await providers.get('blas')?.(false);
    if (blas) return blas;
  }
  if (!wasmSupported()) {
    if (choice === 'wasm') throw new BackpropError('backend: this engine does not run WebAssembly SIMD', 'backend');
    return referenceKernels;
  }
  return wasmKernels();
}
