// Choosing a backend: 'auto' takes WebAssembly SIMD where the engine runs it and the reference otherwise.
// One WebAssembly backend per process (or page) serves every network that asks for it.
import { BackpropError, unknownName } from './errors.js';
import type { Kernels } from './kernels.js';
import { referenceKernels } from './reference.js';
import { createWasmKernels, wasmSupported } from './wasm/backend.js';

export type BackendChoice = 'auto' | 'wasm' | 'reference';
export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'wasm', 'reference'];

let wasm: Promise<Kernels> | null = null;

/** Kernels for a choice. In Node, `createKernels` from backprop/node adds helper threads on every core. */
export async function chooseKernels(choice: BackendChoice = 'auto'): Promise<Kernels> {
  if (!BACKEND_CHOICES.includes(choice)) throw unknownName('backend', choice, BACKEND_CHOICES, 'backend');
  if (choice === 'reference') return referenceKernels;
  if (!wasmSupported()) {
    if (choice === 'wasm') throw new BackpropError('backend: this engine does not run WebAssembly SIMD', 'backend');
    return referenceKernels;
  }
  wasm ??= createWasmKernels();
  return wasm;
}
