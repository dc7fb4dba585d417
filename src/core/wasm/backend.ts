// The WebAssembly SIMD backend: matrix products run in the compiled kernels (kernels/assembly), split
// over threads that share the module's memory when a team is given; every other kernel has a WebAssembly
// version too, for float32 matrices in the module's memory. float64 matrices live there too, with f64 versions
// of the element-wise kernels a float64 network spends its time in (relu family, bias add and sum, axpy, the
// output error); their products and the rest take the reference. Short vectors, matrices that live elsewhere,
// and activations and losses it does not know by name take the reference implementation.
import { BackpropError } from '../errors.js';
import { LEAKY_RELU_SLOPE, type FusedLayer, type Kernels } from '../kernels.js';
import { dtypeOf, zeros, type DType, type FloatArray, type Matrix } from '../matrix.js';
import { Planner } from '../planner.js';
import { referenceKernels } from '../reference.js';
import { KERNELS_WASM } from './binary.js';

export interface KernelExports {
  gemm(m: number, n: number, k: number, a: number, lda: number, transA: number, b: number, ldb: number, transB: number,
    c: number, ldc: number, alpha: number, beta: number, n0: number, n1: number, work: number): void;
  workBytes(): number;
  axpy(n: number, alpha: number, x: number, y: number): void;
  relu(n: number, h: number, a: number): void;
  reluBackward(n: number, h: number, g: number, out: number): void;
  addRowVector(rows: number, cols: number, m: number, v: number): void;
  fillRows(rows: number, rowBytes: number, v: number, out: number): void;
  sumRows(rows: number, cols: number, m: number, out: number, alpha: number, beta: number): void;
  sub(n: number, x: number, y: number, out: number): void;
  addPenaltyGradient(n: number, w: number, g: number, l1: number, l2: number): void;
  momentumStep(n: number, w: number, g: number, v: number, lr: number, mu: number, nesterov: number): void;
  rmspropStep(n: number, w: number, g: number, c: number, lr: number, rho: number, eps: number): void;
  adamStep(n: number, w: number, g: number, m: number, v: number, lr: number, beta1: number, beta2: number, eps: number, c1: number, c2: number): void;
  sigmoid(n: number, h: number, a: number): void;
  tanh(n: number, h: number, a: number): void;
  leakyRelu(n: number, h: number, a: number, slope: number): void;
  activationBackward(kind: number, n: number, h: number, a: number, g: number, out: number, slope: number): void;
  softmax(rows: number, cols: number, x: number, out: number): void;
  softmaxCrossEntropy(rows: number, cols: number, h: number, y: number, a: number, delta: number): number;
  softmax64(rows: number, cols: number, x: number, out: number): void;
  softmaxCrossEntropy64(rows: number, cols: number, h: number, y: number, a: number, delta: number): number;
  softmaxBackward(rows: number, cols: number, a: number, g: number, out: number): void;
  lossSum(kind: number, n: number, y: number, yHat: number, h: number): number;
  reduce(kind: number, n: number, x: number): number;
  gatherRows(count: number, rowBytes: number, src: number, order: number, dst: number): void;
  axpy64(n: number, alpha: number, x: number, y: number): void;
  sub64(n: number, x: number, y: number, out: number): void;
  relu64(n: number, h: number, a: number, slope: number): void;
  reluBackward64(n: number, h: number, g: number, out: number, slope: number): void;
  addRowVector64(rows: number, cols: number, m: number, v: number): void;
  sumRows64(rows: number, cols: number, m: number, out: number, alpha: number): void;
  trainExamples(layers: number, spec: number, lossKind: number, x: number, y: number, order: number, count: number,
    inputs: number, outputs: number, lr: number, slope: number, scratch: number, width: number, correct: number): number;
}

/** Activation kinds of the fused per-example kernel. */
const FUSED_ACTIVATION: Record<string, number> = { sigmoid: 0, tanh: 1, relu: 2, 'leaky-relu': 3, linear: 4, softmax: 5 };

/** The activations with a WebAssembly version, by name, and their kind for activationBackward. */
const BACKWARD_KIND: Record<string, number> = { sigmoid: 0, tanh: 1, 'leaky-relu': 2, linear: 3 };
/** The element losses with a WebAssembly version, by name. */
const LOSS_KIND: Record<string, number> = { mse: 0, 'binary-cross-entropy': 1, 'categorical-cross-entropy': 2 };

/** Layout of the shared memory: a control block, one packing area per thread, then the operands. */
export const CONTROL = 65536;
const CONTROL_INTS = 64;
const WORK = CONTROL + CONTROL_INTS * 4;
// Control block slots.
const GENERATION = 0, DONE = 1, READY = 2, PARAMS = 8, RANGES = 24;
/** The control block has room for this many helpers' column ranges. */
export const MAX_HELPERS = (CONTROL_INTS - RANGES) / 2 - 1;
/** Products smaller than this many multiply-adds stay in JavaScript: the copy in and out would cost more. */
const SMALL = 2048;
/** Element-wise work on fewer values than this stays in JavaScript, where a call costs nothing. */
const SHORT = 256;
/**
 * Products at least this large may be split across the team: whether they are is timed per shape (see Planner), since
 * what a helper's wake-up costs against what it saves differs from machine to machine and with the load.
 */
const PARALLEL = 1 << 15;

/**
 * Bytes of network matrices this memory hands out between two turns of the event loop. Blocks come back only through
 * finalizers, which run only when the event loop gets a turn: a script that creates, trains and drops networks in a
 * loop of awaits (microtasks alone) would otherwise pile up every dropped network's blocks. Past this many bytes
 * without a turn, networks get ordinary arrays, which the garbage collector frees itself (slower arithmetic, bounded
 * memory); after a turn, this memory serves again. A group this memory has served in the current turn is served whole
 * (a network's weights, then its gradients: each half of a network past this size), and so is the first group after
 * a turn: what piles up between turns is at most this many bytes and one network.
 */
export const TURN_BYTES = 64 * 1024 * 1024;

/** Matrices outside this memory of at most this many bytes are copied in (and back) for a call of the fused loop. */
const VISITING_BYTES = 16384;

/** Memory for the single-threaded variant: ordinary memory cannot grow without detaching every array on it, so it is fixed. */
const PLAIN_PAGES = 1024;

/** The compiled kernels: for shared memory (helper threads), or for ordinary memory. */
export function kernelBytes(shared = true): Uint8Array<ArrayBuffer> {
  const bytes = Uint8Array.from(atob(KERNELS_WASM), (c) => c.charCodeAt(0));
  if (!shared) {
    // The two builds differ in one byte: the memory import's limits flag, 3 (shared, with a maximum) or 1 (not
    // shared). One module is shipped, so a page carries it once, and the other is this byte away.
    const at = memoryImportFlag(bytes);
    if (bytes[at] !== 3) throw new Error('wasm kernels: the memory import is not a shared memory with a maximum');
    bytes[at] = 1;
  }
  return bytes;
}

/** Where the limits flag of the import "env" "memory" (a memory) sits in the module's bytes. */
function memoryImportFlag(bytes: Uint8Array): number {
  const entry = [3, 0x65, 0x6e, 0x76, 6, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 2]; // "env", "memory", kind memory
  for (let i = 8; i + entry.length < bytes.length; i++) {
    if (entry.every((b, k) => bytes[i + k] === b)) return i + entry.length;
  }
  throw new Error('wasm kernels: no memory import');
}

/** Whether this engine shares WebAssembly memory between threads (a cross-origin-isolated page, Node). */
export function sharedMemorySupported(): boolean {
  try {
    return typeof SharedArrayBuffer !== 'undefined' && new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true }).buffer instanceof SharedArrayBuffer;
  } catch {
    return false;
  }
}

/** What a helper thread runs: wait for a job, compute its columns, report, repeat. Never returns. */
export async function helperLoop(module: WebAssembly.Module, memory: WebAssembly.Memory, index: number): Promise<never> {
  const instance = await WebAssembly.instantiate(module, { env: { memory, abort: () => { throw new Error('wasm abort'); } } });
  const k = instance.exports as unknown as KernelExports;
  const control = new Int32Array(memory.buffer, CONTROL, CONTROL_INTS);
  const floats = new Float32Array(memory.buffer, CONTROL, CONTROL_INTS);
  const work = WORK + index * k.workBytes();
  // Read the job counter before saying ready: a job posted right after cannot then be missed.
  let seen = Atomics.load(control, GENERATION);
  Atomics.add(control, READY, 1);
  Atomics.notify(control, READY);
  for (;;) {
    Atomics.wait(control, GENERATION, seen);
    seen = Atomics.load(control, GENERATION);
    const p = PARAMS;
    const n0 = control[RANGES + 2 * index], n1 = control[RANGES + 2 * index + 1];
    if (n1 > n0) {
      k.gemm(control[p], control[p + 1], control[p + 2], control[p + 3], control[p + 4], control[p + 5], control[p + 6], control[p + 7],
        control[p + 8], control[p + 9], control[p + 10], floats[p + 11], floats[p + 12], n0, n1, work);
    }
    Atomics.add(control, DONE, 1);
    Atomics.notify(control, DONE);
  }
}

export interface WasmKernels extends Kernels {
  readonly threads: number;
  readonly memory: WebAssembly.Memory;
  readonly module: WebAssembly.Module;
  /** The compiled kernels themselves, for a backend that runs shares of them on threads of its own (the BLAS backend). */
  readonly exports: KernelExports;
  /** Copies order[start..start+count) into this memory (a scratch block kept for it) and answers its address; -1 if it cannot. */
  placeOrder(order: Uint32Array, start: number, count: number): number;
}

export interface WasmOptions {
  /**
   * Starts `count` helper threads, each running helperLoop(module, memory, index) for index 1..count;
   * resolves once they are started. Without it, products run on the calling thread alone.
   */
  startHelpers?: (module: WebAssembly.Module, memory: WebAssembly.Memory, count: number) => Promise<void>;
  /** Helper threads to start. Default 0. */
  helpers?: number;
  /**
   * Use shared memory. Default: where the engine has it. Without it the backend runs on one thread, in a fixed
   * 64 MiB of memory; matrices that do not fit there are ordinary arrays, and their products are copied in.
   */
  shared?: boolean;
}

/** Whether this engine runs WebAssembly SIMD (with threads or without). */
export function wasmSupported(): boolean {
  if (supported === null) {
    try {
      supported = typeof WebAssembly === 'object' && WebAssembly.validate(kernelBytes(false));
    } catch {
      supported = false;
    }
  }
  return supported;
}
/** The engine's answer, asked once: the network constructor asks on every call. */
let supported: boolean | null = null;

/** The WebAssembly backend: SIMD kernels, with helper threads where shared memory and startHelpers allow. */
export async function createWasmKernels(options: WasmOptions = {}): Promise<WasmKernels> {
  const shared = options.shared ?? sharedMemorySupported();
  const helpers = shared && options.startHelpers ? Math.min(MAX_HELPERS, Math.max(0, Math.floor(options.helpers ?? 0))) : 0;
  const module = await WebAssembly.compile(kernelBytes(shared));
  const memory = newMemory(shared);
  const instance = await WebAssembly.instantiate(module, { env: { memory, abort: () => { throw new Error('wasm abort'); } } });
  if (helpers > 0) {
    const control = new Int32Array(memory.buffer, CONTROL, CONTROL_INTS);
    await options.startHelpers!(module, memory, helpers);
    while (Atomics.load(control, READY) < helpers) await new Promise((r) => setTimeout(r, 1));
  }
  return wasmKernels(module, memory, instance, helpers);
}

function newMemory(shared: boolean): WebAssembly.Memory {
  try {
    return shared
      ? new WebAssembly.Memory({ initial: 64, maximum: 16384, shared: true })
      : new WebAssembly.Memory({ initial: PLAIN_PAGES, maximum: PLAIN_PAGES });
  } catch (e) {
    // A WebAssembly memory reserves far more addresses than it uses (guard regions of several GB in V8): a limit on
    // the process's address space (ulimit -v) refuses it, which was an internal error with a stack trace.
    if (!(e instanceof RangeError)) throw e;
    throw new BackpropError(`the WebAssembly kernels could not reserve their memory (${e.message}); WebAssembly reserves several GB of addresses, which a limit on this process's (ulimit -v) may refuse`, 'backend');
  }
}

/**
 * The WebAssembly backend on the calling thread alone, made without waiting (a synchronous compile: fine in Node
 * and in workers; browsers allow it on the main thread for modules as small as these kernels).
 */
export function createWasmKernelsSync(options: { shared?: boolean } = {}): WasmKernels {
  const shared = options.shared ?? sharedMemorySupported();
  const module = new WebAssembly.Module(kernelBytes(shared));
  const memory = newMemory(shared);
  const instance = new WebAssembly.Instance(module, { env: { memory, abort: () => { throw new Error('wasm abort'); } } });
  return wasmKernels(module, memory, instance, 0);
}

function wasmKernels(module: WebAssembly.Module, memory: WebAssembly.Memory, instance: WebAssembly.Instance, helpers: number): WasmKernels {
  const wasm = instance.exports as unknown as KernelExports;
  const workBytes = wasm.workBytes();
  const control = new Int32Array(memory.buffer, CONTROL, CONTROL_INTS);
  const floats = new Float32Array(memory.buffer, CONTROL, CONTROL_INTS);
  // The memory's buffer, read once and again only after this thread grows it: each read of a shared memory's
  // buffer makes a new buffer object, which is not free when it happens on every allocation.
  let buffer = memory.buffer;
  let heap = new Float32Array(buffer);
  // The arrays allocate() made over this memory. (Not the buffers: a shared memory may show a new buffer
  // object at any time, so identity says nothing about where an array lives.)
  const owned = new WeakSet<FloatArray>();
  // The float64 arrays allocate() made here: the element-wise kernels that float64 networks spend their time in
  // have f64 versions; products and the rest take the reference (or, in the BLAS backend, dgemm).
  const owned64 = new WeakSet<FloatArray>();
  let top = align(WORK + (helpers + 1) * workBytes);

  /** Makes sure memory reaches `end`, and keeps the whole-memory view current. */
  function reach(end: number): void {
    if (end <= buffer.byteLength) return;
    memory.grow(Math.ceil((end - buffer.byteLength) / 65536));
    buffer = memory.buffer;
    heap = new Float32Array(buffer);
  }

  // Matrices in this memory, handed out by allocate and taken back when the garbage collector drops them (or
  // at once, by release). Free blocks are kept sorted by address and merged with their neighbours, so memory
  // given back by a network of one shape serves the next network of any shape, and the top comes down again.
  const free: { offset: number; bytes: number }[] = [];
  const reclaim = new FinalizationRegistry<[number, number]>(([offset, bytes]) => giveBack(offset, bytes));
  // A group's blocks (a network's weights, gradients and buffers) are taken back together, by one finalizer on
  // an arena object that each of its arrays holds: the arena, and so every block, lives while the group or any
  // of its arrays does. One registration per network rather than one per matrix keeps the garbage collector's
  // bookkeeping small for processes that make many networks.
  // Each group holds its arena under a symbol of this backend's (a WeakMap from group to arena would do the same,
  // but the garbage collector pays dearly for weak tables whose keys die young, as networks in a loop do).
  const ARENA = Symbol('arena');
  const reclaimArena = new FinalizationRegistry<Map<number, number>>((blocks) => {
    for (const [offset, bytes] of blocks) giveBack(offset, bytes);
  });

  /** A block of `bytes` (the smallest free one that fits, else new memory at the top); -1 when memory cannot grow that far. */
  function claim(bytes: number): number {
    let best = -1;
    for (let i = 0; i < free.length; i++) {
      if (free[i].bytes >= bytes && (best < 0 || free[i].bytes < free[best].bytes)) best = i;
    }
    if (best >= 0) {
      const block = free[best];
      const offset = block.offset;
      if (block.bytes === bytes) free.splice(best, 1);
      else {
        block.offset += bytes;
        block.bytes -= bytes;
      }
      return offset;
    }
    try {
      reach(top + bytes);
    } catch {
      return -1;
    }
    const start = top;
    top += bytes;
    return start;
  }

  function giveBack(offset: number, bytes: number): void {
    // Binary search for the first free block above this one.
    let lo = 0, hi = free.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (free[mid].offset < offset) lo = mid + 1;
      else hi = mid;
    }
    const before = lo > 0 ? free[lo - 1] : null, after = lo < free.length ? free[lo] : null;
    if (before && before.offset + before.bytes === offset) {
      before.bytes += bytes;
      if (after && before.offset + before.bytes === after.offset) {
        before.bytes += after.bytes;
        free.splice(lo, 1);
      }
    } else if (after && offset + bytes === after.offset) {
      after.offset = offset;
      after.bytes += bytes;
    } else {
      free.splice(lo, 0, { offset, bytes });
    }
    // A free block that reaches the top lowers the top instead.
    const last = free[free.length - 1];
    if (last && last.offset + last.bytes === top) {
      top = last.offset;
      free.pop();
    }
  }


  function allocate(rows: number, cols: number, dtype: DType, group?: object): Matrix {
    const width = dtype === 'float64' ? 8 : 4;
    const bytes = Math.max(64, align(rows * cols * width));
    const served = group ? (group as { [ARENA]?: Arena })[ARENA] ?? null : null;
    if (group && claimedSinceTurn > 0 && claimedSinceTurn + bytes > TURN_BYTES && served?.turn !== turn) return zeros(rows, cols, dtype);
    // Where this memory is full, an ordinary array does: products copy it in, the rest runs on the reference.
    const offset = claim(bytes);
    if (offset < 0) return zeros(rows, cols, dtype);
    const data = dtype === 'float64' ? new Float64Array(buffer, offset, rows * cols) : new Float32Array(buffer, offset, rows * cols);
    data.fill(0);
    (dtype === 'float64' ? owned64 : owned).add(data);
    let arena: Arena | null = null;
    if (group) {
      noteClaim(bytes);
      arena = (group as { [ARENA]?: Arena })[ARENA] ?? null;
      if (!arena) {
        arena = { blocks: new Map(), turn };
        Object.defineProperty(group, ARENA, { value: arena });
        reclaimArena.register(arena, arena.blocks);
      }
      arena.blocks.set(offset, bytes);
      arena.turn = turn;
    } else {
      reclaim.register(data, [offset, bytes], data);
    }
    // Where the block is, on the array itself: a side table (a WeakMap) of every array ever made would cost the
    // garbage collector far more. The block also holds the arena, keeping the group's blocks while the array lives.
    Object.defineProperty(data, BLOCK, { value: { offset, bytes, arena } satisfies Block, writable: true });
    return { rows, cols, data };
  }

  // Network bytes handed out since the event loop last turned: a timer, which runs only on a turn, resets the count.
  let claimedSinceTurn = 0;
  let turnAwaited = false;
  /** Turns of the event loop counted (those after a claim). */
  let turn = 0;
  function noteClaim(bytes: number): void {
    claimedSinceTurn += bytes;
    if (turnAwaited) return;
    turnAwaited = true;
    setTimeout(() => {
      claimedSinceTurn = 0;
      turn++;
      turnAwaited = false;
    }, 0);
  }

  /** Takes a block back at once, rather than when the garbage collector gets to it. */
  function release(m: Matrix): void {
    const block = (m.data as FloatArray & { [BLOCK]?: Block | null })[BLOCK];
    // A view (see view) is taken back with the matrix it views, never on its own.
    if (!block || block.offset < 0 || !(owned.has(m.data) || owned64.has(m.data))) return;
    (m.data as FloatArray & { [BLOCK]?: Block | null })[BLOCK] = null;
    owned.delete(m.data);
    owned64.delete(m.data);
    if (block.arena) block.arena.blocks.delete(block.offset);
    else reclaim.unregister(m.data);
    giveBack(block.offset, block.bytes);
  }

  /** A matrix over elements offset.. of one from allocate, which the kernels take as theirs; it keeps that one's block. */
  function view(m: Matrix, offset: number, rows: number, cols: number): Matrix {
    const data = m.data.subarray(offset, offset + rows * cols);
    const block = (m.data as FloatArray & { [BLOCK]?: Block | null })[BLOCK];
    const set = owned64.has(m.data) ? owned64 : owned.has(m.data) ? owned : null;
    if (!block || !set) return { rows, cols, data };
    set.add(data);
    Object.defineProperty(data, BLOCK, { value: { offset: -1, bytes: 0, arena: block.arena, parent: m.data } satisfies Block });
    return { rows, cols, data };
  }

  /** The choice between running a product alone and with the team, per shape; none without helpers. */
  const planner = helpers > 0 ? new Planner<number>() : null;

  // Operands that live elsewhere are copied into scratch blocks, kept and grown as needed.
  const scratch: { offset: number; bytes: number }[] = [0, 1, 2].map(() => ({ offset: 0, bytes: 0 }));
  /** The operand's address in this memory, copying it into scratch if it lives elsewhere; -1 if it cannot fit. */
  function place(m: Matrix, slot: number, copy: boolean): number {
    if (owned.has(m.data)) return m.data.byteOffset;
    const s = scratch[slot];
    const bytes = align(m.data.length * 4);
    if (s.bytes < bytes) {
      const offset = claim(Math.max(bytes, 2 * s.bytes));
      if (offset < 0) return -1;
      if (s.bytes > 0) giveBack(s.offset, s.bytes);
      s.offset = offset;
      s.bytes = Math.max(bytes, 2 * s.bytes);
    }
    if (copy) heap.set(m.data, s.offset >> 2);
    return s.offset;
  }

  function gemm(a: Matrix, transA: boolean, b: Matrix, transB: boolean, out: Matrix, alpha: number, beta: number): void {
    const m = transA ? a.cols : a.rows, k = transA ? a.rows : a.cols;
    const n = transB ? b.rows : b.cols, kB = transB ? b.cols : b.rows;
    if (m * n * k < SMALL || dtypeOf(a) !== 'float32' || dtypeOf(b) !== 'float32' || dtypeOf(out) !== 'float32' ||
      k !== kB || out.rows !== m || out.cols !== n) {
      referenceKernels.gemm(a, transA, b, transB, out, alpha, beta);
      return;
    }
    const pa = place(a, 0, true), pb = place(b, 1, true), pc = place(out, 2, beta !== 0);
    if (pa < 0 || pb < 0 || pc < 0) {
      referenceKernels.gemm(a, transA, b, transB, out, alpha, beta);
      return;
    }
    const lda = a.cols, ldb = b.cols, ldc = n;
    // Alone or with the team: the faster, timed on the shape's first calls (the same result either way: each column
    // strip is one thread's, summed in the same order).
    let team = 0, key = -1, trial = false;
    if (planner && m * n * k >= PARALLEL && n >= 16 && m < 65536 && n < 65536 && k < 65536) {
      key = ((m * 65536 + n) * 65536 + k) * 4 + (transA ? 1 : 0) + (transB ? 2 : 0);
      if (!planner.has(key)) planner.add(key, [0, helpers]);
      const next = planner.next(key);
      team = next.candidate;
      trial = next.trial;
    }
    const start = trial ? performance.now() : 0;
    if (team === 0) {
      wasm.gemm(m, n, k, pa, lda, transA ? 1 : 0, pb, ldb, transB ? 1 : 0, pc, ldc, alpha, beta, 0, n, WORK);
    } else {
      // Columns in whole strips of 8, as even as they come; the caller takes the first share.
      const strips = Math.ceil(n / 8), per = Math.ceil(strips / (team + 1));
      const params = [m, n, k, pa, lda, transA ? 1 : 0, pb, ldb, transB ? 1 : 0, pc, ldc];
      params.forEach((v, i) => (control[PARAMS + i] = v));
      floats[PARAMS + 11] = alpha;
      floats[PARAMS + 12] = beta;
      for (let t = 1; t <= team; t++) {
        control[RANGES + 2 * t] = Math.min(n, t * per * 8);
        control[RANGES + 2 * t + 1] = Math.min(n, (t + 1) * per * 8);
      }
      Atomics.store(control, DONE, 0);
      Atomics.add(control, GENERATION, 1);
      Atomics.notify(control, GENERATION);
      wasm.gemm(m, n, k, pa, lda, transA ? 1 : 0, pb, ldb, transB ? 1 : 0, pc, ldc, alpha, beta, 0, Math.min(n, per * 8), WORK);
      for (let done = Atomics.load(control, DONE); done < team; done = Atomics.load(control, DONE)) Atomics.wait(control, DONE, done);
    }
    if (trial) planner!.record(key, team, performance.now() - start);
    if (!owned.has(out.data)) out.data.set(heap.subarray(pc >> 2, (pc >> 2) + out.data.length));
  }

  /**
   * All operands float32 and in this memory (so no copies), and enough of them to be worth a call. Fixed
   * arity, not a rest parameter: this runs on every kernel call, and should make no garbage.
   */
  const here = (a: Matrix, b?: Matrix, c?: Matrix, d?: Matrix): boolean => a.data.length >= SHORT && owned.has(a.data) &&
    (b === undefined || owned.has(b.data)) && (c === undefined || owned.has(c.data)) && (d === undefined || owned.has(d.data));
  /**
   * All operands in this memory, whatever their length: for the kernels whose work per value (an exponential, a
   * logarithm) costs more than a call does, so that the WebAssembly version wins even on a short output layer's values.
   */
  const ours = (a: Matrix, b: Matrix, c?: Matrix, d?: Matrix): boolean => owned.has(a.data) && owned.has(b.data) &&
    (c === undefined || owned.has(c.data)) && (d === undefined || owned.has(d.data));
  const ours64 = (a: Matrix, b: Matrix, c?: Matrix, d?: Matrix): boolean => owned64.has(a.data) && owned64.has(b.data) &&
    (c === undefined || owned64.has(c.data)) && (d === undefined || owned64.has(d.data));
  /** The same for float64 matrices. */
  const here64 = (a: Matrix, b?: Matrix, c?: Matrix, d?: Matrix): boolean => a.data.length >= SHORT && owned64.has(a.data) &&
    (b === undefined || owned64.has(b.data)) && (c === undefined || owned64.has(c.data)) && (d === undefined || owned64.has(d.data));

  // The fused kernel's own scratch: the layer table, the row order, per-layer h, a and δ, and a counter.
  let fusedScratch = { offset: 0, bytes: 0 };

  function trainExamples(layers: readonly FusedLayer[], loss: string, x: Matrix, y: Matrix, order: Uint32Array, start: number, count: number,
    learningRate: number): { loss: number; correct: number } | null {
    const last = layers[layers.length - 1];
    const lossKind = LOSS_KIND[loss];
    const fits = lossKind === 0 ? last.activation !== 'softmax' : lossKind === 1 ? last.activation === 'sigmoid' : last.activation === 'softmax';
    const matrices = layers.flatMap((l) => (l.b ? [l.W, l.b] : [l.W]));
    // Small float32 matrices that live outside this memory (see TURN_BYTES) are copied in for the call, and
    // the parameters back out after it; anything else outside takes the general loop.
    const visiting = [x, y, ...matrices].filter((m) => !owned.has(m.data));
    if (visiting.some((m) => !(m.data instanceof Float32Array) || m.data.byteLength > VISITING_BYTES)) return null;
    if (lossKind === undefined || !fits || layers.some((l) => FUSED_ACTIVATION[l.activation] === undefined)) return null;
    const width = Math.max(...layers.map((l) => l.W.cols));
    const copies = visiting.reduce((sum, m) => sum + align(m.data.byteLength), 0);
    const bytes = align(layers.length * 20) + align(count * 4) + align(layers.length * 3 * width * 4) + 64 + copies;
    if (fusedScratch.bytes < bytes) {
      const offset = claim(align(2 * bytes));
      if (offset < 0) return null;
      if (fusedScratch.bytes > 0) giveBack(fusedScratch.offset, fusedScratch.bytes);
      fusedScratch = { offset, bytes: align(2 * bytes) };
    }
    const spec = fusedScratch.offset, rows = spec + align(layers.length * 20);
    const scratch = rows + align(count * 4), counter = scratch + align(layers.length * 3 * width * 4);
    // Where each operand is during the call: its own place, or a copy after the counter.
    const at = new Map<Matrix, number>();
    let next = counter + 64;
    for (const m of visiting) {
      at.set(m, next);
      heap.set(m.data as Float32Array, next >> 2);
      next += align(m.data.byteLength);
    }
    const address = (m: Matrix): number => at.get(m) ?? m.data.byteOffset;
    const ints = new Int32Array(buffer);
    layers.forEach((l, i) => {
      ints.set([l.W.rows, l.W.cols, FUSED_ACTIVATION[l.activation], address(l.W), l.b ? address(l.b) : 0], (spec >> 2) + 5 * i);
    });
    ints.set(order.subarray(start, start + count), rows >> 2);
    const sum = wasm.trainExamples(layers.length, spec, lossKind, address(x), address(y), rows, count,
      x.cols, y.cols, learningRate, LEAKY_RELU_SLOPE, scratch, width, counter);
    for (const m of matrices) {
      const offset = at.get(m);
      if (offset !== undefined) m.data.set(heap.subarray(offset >> 2, (offset >> 2) + m.data.length));
    }
    return { loss: sum, correct: ints[counter >> 2] };
  }

  let orderScratch = { offset: 0, bytes: 0 };
  /** Copies order[start..start+count) into a scratch block of this memory, kept and grown as needed; its address, or -1. */
  function placeOrder(order: Uint32Array, start: number, count: number): number {
    const bytes = align(count * 4);
    if (orderScratch.bytes < bytes) {
      const offset = claim(align(2 * bytes));
      if (offset < 0) return -1;
      if (orderScratch.bytes > 0) giveBack(orderScratch.offset, orderScratch.bytes);
      orderScratch = { offset, bytes: align(2 * bytes) };
    }
    new Uint32Array(buffer, orderScratch.offset, count).set(order.subarray(start, start + count));
    return orderScratch.offset;
  }

  function gatherRows(src: Matrix, order: Uint32Array, start: number, dst: Matrix): boolean {
    const same = (owned.has(src.data) && owned.has(dst.data)) || (owned64.has(src.data) && owned64.has(dst.data));
    if (!same || src.cols !== dst.cols) return false;
    const at = placeOrder(order, start, dst.rows);
    if (at < 0) return false;
    wasm.gatherRows(dst.rows, dst.cols * dst.data.BYTES_PER_ELEMENT, src.data.byteOffset, at, dst.data.byteOffset);
    return true;
  }

  const kernels: WasmKernels = {
    ...referenceKernels,
    name: helpers > 0 ? `wasm-simd×${helpers + 1}` : typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer ? 'wasm-simd' : 'wasm-simd (unshared)',
    allocate,
    release,
    view,
    owns: (m) => owned.has(m.data) || owned64.has(m.data),
    gemm,
    axpy: (alpha, x, y) => (here(x, y) ? wasm.axpy(x.data.length, alpha, x.data.byteOffset, y.data.byteOffset)
      : here64(x, y) ? wasm.axpy64(x.data.length, alpha, x.data.byteOffset, y.data.byteOffset)
      : referenceKernels.axpy(alpha, x, y)),
    addRowVector: (m, v) => (here(m, v) ? wasm.addRowVector(m.rows, m.cols, m.data.byteOffset, v.data.byteOffset)
      : here64(m, v) ? wasm.addRowVector64(m.rows, m.cols, m.data.byteOffset, v.data.byteOffset)
      : referenceKernels.addRowVector(m, v)),
    sumRows: (m, out, alpha, beta) => (here(m, out) ? wasm.sumRows(m.rows, m.cols, m.data.byteOffset, out.data.byteOffset, alpha, beta)
      : here64(m, out) && beta === 0 ? wasm.sumRows64(m.rows, m.cols, m.data.byteOffset, out.data.byteOffset, alpha)
      : referenceKernels.sumRows(m, out, alpha, beta)),
    // Activations by name; any other function falls back to the reference, which calls it per element.
    map: (f, x, out) => {
      if (here64(x, out) && (f.name === 'relu' || f.name === 'leaky-relu')) {
        return wasm.relu64(x.data.length, x.data.byteOffset, out.data.byteOffset, f.name === 'relu' ? 0 : LEAKY_RELU_SLOPE);
      }
      if (!here(x, out)) return referenceKernels.map(f, x, out);
      const n = x.data.length, h = x.data.byteOffset, a = out.data.byteOffset;
      switch (f.name) {
        case 'relu': return wasm.relu(n, h, a);
        case 'sigmoid': return wasm.sigmoid(n, h, a);
        case 'tanh': return wasm.tanh(n, h, a);
        case 'leaky-relu': return wasm.leakyRelu(n, h, a, LEAKY_RELU_SLOPE);
        default: return referenceKernels.map(f, x, out);
      }
    },
    mapBackward: (f, h, a, g, out) => {
      if (here64(h, g, out) && (f.name === 'relu' || f.name === 'leaky-relu')) {
        return wasm.reluBackward64(h.data.length, h.data.byteOffset, g.data.byteOffset, out.data.byteOffset, f.name === 'relu' ? 0 : LEAKY_RELU_SLOPE);
      }
      if (!here(h, a, g, out)) return referenceKernels.mapBackward(f, h, a, g, out);
      if (f.name === 'relu') return wasm.reluBackward(h.data.length, h.data.byteOffset, g.data.byteOffset, out.data.byteOffset);
      const kind = BACKWARD_KIND[f.name];
      if (kind === undefined) return referenceKernels.mapBackward(f, h, a, g, out);
      wasm.activationBackward(kind, h.data.length, h.data.byteOffset, a.data.byteOffset, g.data.byteOffset, out.data.byteOffset, LEAKY_RELU_SLOPE);
    },
    fillRows: (v, out) => ((here(out, v) || here64(out, v)) && v.cols === out.cols
      ? wasm.fillRows(out.rows, out.cols * out.data.BYTES_PER_ELEMENT, v.data.byteOffset, out.data.byteOffset)
      : referenceKernels.fillRows!(v, out)),
    softmax: (x, out) => (ours(x, out) ? wasm.softmax(x.rows, x.cols, x.data.byteOffset, out.data.byteOffset)
      : ours64(x, out) ? wasm.softmax64(x.rows, x.cols, x.data.byteOffset, out.data.byteOffset)
      : referenceKernels.softmax(x, out)),
    softmaxCrossEntropy: (h, y, a, delta) => (ours(h, y, a, delta)
      ? wasm.softmaxCrossEntropy(h.rows, h.cols, h.data.byteOffset, y.data.byteOffset, a.data.byteOffset, delta.data.byteOffset)
      : ours64(h, y, a, delta) ? wasm.softmaxCrossEntropy64(h.rows, h.cols, h.data.byteOffset, y.data.byteOffset, a.data.byteOffset, delta.data.byteOffset)
      : referenceKernels.softmaxCrossEntropy!(h, y, a, delta)),
    softmaxBackward: (a, g, out) => (here(a, g, out)
      ? wasm.softmaxBackward(a.rows, a.cols, a.data.byteOffset, g.data.byteOffset, out.data.byteOffset)
      : referenceKernels.softmaxBackward(a, g, out)),
    lossSum: (loss, y, yHat, h) => {
      const kind = LOSS_KIND[loss.name];
      return kind !== undefined && ours(y, yHat, h)
        ? wasm.lossSum(kind, y.data.length, y.data.byteOffset, yHat.data.byteOffset, h.data.byteOffset)
        : referenceKernels.lossSum(loss, y, yHat, h);
    },
    lossBackward: (loss, y, yHat, out) => (loss.name === 'mse' && here(y, yHat, out)
      ? wasm.sub(y.data.length, y.data.byteOffset, yHat.data.byteOffset, out.data.byteOffset)
      : referenceKernels.lossBackward(loss, y, yHat, out)),
    sumSquares: (x) => (here(x) ? wasm.reduce(0, x.data.length, x.data.byteOffset) : referenceKernels.sumSquares(x)),
    sumAbs: (x) => (here(x) ? wasm.reduce(1, x.data.length, x.data.byteOffset) : referenceKernels.sumAbs(x)),
    sub: (x, y, out) => (here(x, y, out) ? wasm.sub(x.data.length, x.data.byteOffset, y.data.byteOffset, out.data.byteOffset)
      : here64(x, y, out) ? wasm.sub64(x.data.length, x.data.byteOffset, y.data.byteOffset, out.data.byteOffset)
      : referenceKernels.sub(x, y, out)),
    addPenaltyGradient: (w, g, l1, l2) => (here(w, g)
      ? wasm.addPenaltyGradient(w.data.length, w.data.byteOffset, g.data.byteOffset, l1, l2)
      : referenceKernels.addPenaltyGradient(w, g, l1, l2)),
    momentumStep: (w, g, v, lr, mu, nesterov) => (here(w, g, v)
      ? wasm.momentumStep(w.data.length, w.data.byteOffset, g.data.byteOffset, v.data.byteOffset, lr, mu, nesterov ? 1 : 0)
      : referenceKernels.momentumStep(w, g, v, lr, mu, nesterov)),
    rmspropStep: (w, g, c, lr, rho, eps) => (here(w, g, c)
      ? wasm.rmspropStep(w.data.length, w.data.byteOffset, g.data.byteOffset, c.data.byteOffset, lr, rho, eps)
      : referenceKernels.rmspropStep(w, g, c, lr, rho, eps)),
    adamStep: (w, g, m, v, lr, beta1, beta2, eps, t) => (here(w, g, m, v)
      ? wasm.adamStep(w.data.length, w.data.byteOffset, g.data.byteOffset, m.data.byteOffset, v.data.byteOffset, lr, beta1, beta2, eps,
        1 / (1 - beta1 ** t), 1 / (1 - beta2 ** t))
      : referenceKernels.adamStep(w, g, m, v, lr, beta1, beta2, eps, t)),
    gatherRows,
    trainExamples,
    exports: wasm,
    placeOrder,
    threads: helpers + 1,
    memory,
    module,
  };
  return kernels;
}

/** The blocks of one allocation group, by offset. */
interface Arena {
  readonly blocks: Map<number, number>;
  /** The turn of the event loop (see TURN_BYTES) in which this memory last served the group. */
  turn: number;
}

/** Where an array allocate() made lives, and the arena of its group, if it has one; a view's offset is −1, and it holds its parent. */
interface Block {
  readonly offset: number;
  readonly bytes: number;
  readonly arena: Arena | null;
  readonly parent?: FloatArray;
}

/** The property of an array that holds its Block. */
const BLOCK = Symbol('block');

/**
 * Bytes rounded up to a whole number of 64-byte lines. In floating point, not `(bytes + 63) & ~63`: the bitwise form
 * works on 32-bit integers and wraps for 2 GiB or more, which made a 2.9 GB matrix look like a small block.
 */
export function align(bytes: number): number {
  return Math.ceil(bytes / 64) * 64;
}
