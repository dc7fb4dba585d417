// backprop/node: the parts that need Node (files on disk, the system's BLAS, worker threads). Everything else
// comes from 'backprop'. Importing it also gives train, loadModel and Network.create the 'blas' backend, and tune
// its worker threads.
export { commitFiles, discardFiles, loadModel, loadNetwork, saveModel, stageFile, writeFileAtomic, type StagedFile } from './files.js';
export { readTable, type ReadTableOptions } from './read.js';
export { planStreamedTraining } from './train-stream.js';
// tune from here runs its trials on worker threads, one per core (importing this module sets that up).
export { workerRunner } from './tune-pool.js';
export { tune, type TuneOptions, type TuneResult } from '../model/tune.js';
export { BUILTIN_DESCRIPTIONS, BUILTIN_NAMES, builtinPath, loadBuiltin, type BuiltinName, type LabelledData } from './datasets.js';
export { BACKEND_CHOICES, createKernels, createNodeBlasKernels, type BackendChoice, type NodeBackendOptions } from './backends.js';
export { createNodeWasmKernels, type NodeWasmOptions } from './wasm.js';
export { candidateLibraries, loadBlas, type BlasLibrary } from './blas/library.js';
export type { BlasKernels } from './blas/backend.js';
