// backprop/node: the parts that need Node (files on disk, the system's BLAS, worker threads). Everything else
// comes from 'backprop'. Importing it also lets Network.create use the 'blas' backend.
export { commitFiles, discardFiles, loadModel, saveModel, stageFile, writeFileAtomic, type StagedFile } from './files.js';
export { BUILTIN_DESCRIPTIONS, BUILTIN_NAMES, builtinPath, loadBuiltin, type BuiltinName, type LabelledData } from './datasets.js';
export { BACKEND_CHOICES, createKernels, createNodeBlasKernels, type BackendChoice, type NodeBackendOptions } from './backends.js';
export { createNodeWasmKernels, type NodeWasmOptions } from './wasm.js';
export { candidateLibraries, loadBlas, type BlasLibrary } from './blas/library.js';
export type { BlasKernels } from './blas/backend.js';
