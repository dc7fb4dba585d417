// backprop/node: the parts that need Node (files on disk). Everything else comes from 'backprop'.
export { loadModel, saveModel, writeFileAtomic } from './files.js';
export { BUILTIN_DESCRIPTIONS, BUILTIN_NAMES, builtinPath, loadBuiltin, type BuiltinName, type LabelledData } from './datasets.js';
export { BACKEND_CHOICES, createKernels, createNodeWasmKernels, type BackendChoice, type NodeWasmOptions } from './wasm.js';
