// A helper thread of the WebAssembly backend: it shares the module's memory and computes its share of
// each large matrix product (see helperLoop).
import { workerData } from 'node:worker_threads';
import { helperLoop } from '../core/wasm/backend.js';

const { module, memory, index } = workerData as { module: WebAssembly.Module; memory: WebAssembly.Memory; index: number };
void helperLoop(module, memory, index);
