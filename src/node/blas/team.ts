// A team of threads for the BLAS backend: each helper binds the same BLAS library and, given a job, runs one block of
// rows (or columns) of a product's output as a one-thread BLAS call, or a share of an element-wise WebAssembly kernel,
// on operands in the backend's shared WebAssembly memory, while the calling thread runs the first block. A BLAS computes each output element of a block
// exactly as it does in the whole product, so the result is the one-thread product's to the bit (checked for every
// shape before use: see the BLAS backend's probe); the BLAS's own threads do not promise that (OpenBLAS 0.3.21
// blocks the sums of a 128×784 · 784×128 product differently on two threads than on one).
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';


// Control block: the job counter, helpers done with the current job, helpers ready, and each helper's job.
const GENERATION = 0, DONE = 1, READY = 2;
/**
 * Ints per helper's job: its kind (0 none, 1 a product's block, 2 a call of a WebAssembly kernel), then for a block
 * f64, transA, transB, m, n, k, a, lda, b, ldb, c, ldc (byte offsets for a, b, c) and alpha and beta as f64 from int
 * 16; for a call, the kernel's number in TEAM_CALLS, the number of arguments, and the arguments as f64 from int 16.
 */
const JOB_INTS = 32;
const JOB_BASE = 32;
const ARGS = 16;

/** The WebAssembly kernels a helper may run a share of: element-wise ones, whose every output element is one thread's. */
export const TEAM_CALLS = ['gatherRows', 'axpy', 'axpy64'] as const;
export type TeamCall = (typeof TEAM_CALLS)[number];

/**
 * How long a helper keeps watching for the next job before it sleeps, in milliseconds. Products come in quick
 * succession while a network trains (the next one within a hundred microseconds or so); a sleeping helper takes tens
 * of microseconds to wake, a watching one none. A helper that sees no job for this long sleeps, and takes no core.
 */
const WATCH_MS = 0.5;

/** The helper's code: run as an eval'd worker, so it needs no file of its own beside the compiled module. */
const HELPER = `
const { workerData } = require('node:worker_threads');
const { koffiPath, library, memory, module, calls, control, index, watchMs } = workerData;
const koffi = require(koffiPath);
const lib = koffi.load(library);
const signature = (type, name) => 'void ' + name + '(int order, int transA, int transB, int m, int n, int k, ' + type + ' alpha, const ' +
  type + ' *a, int lda, const ' + type + ' *b, int ldb, ' + type + ' beta, _Inout_ ' + type + ' *c, int ldc)';
const sgemm = lib.func(signature('float', 'cblas_sgemm')), dgemm = lib.func(signature('double', 'cblas_dgemm'));
// The backend's WebAssembly kernels on the same memory, for shares of element-wise work.
const instance = module ? new WebAssembly.Instance(module, { env: { memory, abort: () => { throw new Error('wasm abort'); } } }) : null;
const kernels = instance ? calls.map((name) => instance.exports[name]) : [];
const ints = new Int32Array(control), reals = new Float64Array(control);
let buffer = memory.buffer;
const job = ${JOB_BASE} + index * ${JOB_INTS}, at = (job + ${ARGS}) / 2;
let seen = Atomics.load(ints, ${GENERATION});
Atomics.add(ints, ${READY}, 1);
Atomics.notify(ints, ${READY});
for (;;) {
  let spins = 0;
  const until = performance.now() + watchMs;
  while (Atomics.load(ints, ${GENERATION}) === seen) {
    if ((++spins & 255) === 0 && performance.now() > until) {
      Atomics.wait(ints, ${GENERATION}, seen);
      break;
    }
  }
  seen = Atomics.load(ints, ${GENERATION});
  const kind = ints[job];
  if (kind === 2) {
    const f = kernels[ints[job + 1]], argc = ints[job + 2];
    if (argc === 5) f(reals[at], reals[at + 1], reals[at + 2], reals[at + 3], reals[at + 4]);
    else if (argc === 4) f(reals[at], reals[at + 1], reals[at + 2], reals[at + 3]);
  } else if (kind === 1) {
    const f64 = ints[job + 1], ta = ints[job + 2], tb = ints[job + 3], m = ints[job + 4], n = ints[job + 5], k = ints[job + 6];
    const a = ints[job + 7], lda = ints[job + 8], b = ints[job + 9], ldb = ints[job + 10], c = ints[job + 11], ldc = ints[job + 12];
    const alpha = reals[at], beta = reals[at + 1];
    const Float = f64 ? Float64Array : Float32Array, size = f64 ? 8 : 4;
    const lengthA = ((ta ? k : m) - 1) * lda + (ta ? m : k), lengthB = ((tb ? n : k) - 1) * ldb + (tb ? k : n), lengthC = (m - 1) * ldc + n;
    if (Math.max(a + lengthA * size, b + lengthB * size, c + lengthC * size) > buffer.byteLength) buffer = memory.buffer;
    (f64 ? dgemm : sgemm)(101, ta ? 112 : 111, tb ? 112 : 111, m, n, k, alpha, new Float(buffer, a, lengthA), lda, new Float(buffer, b, lengthB), ldb,
      beta, new Float(buffer, c, lengthC), ldc);
  }
  Atomics.add(ints, ${DONE}, 1);
  Atomics.notify(ints, ${DONE});
}
`;

/** One block of a product, as a one-thread BLAS call sees it: byte offsets into the shared memory, and the rest. */
export interface GemmBlock {
  f64: boolean;
  transA: boolean;
  transB: boolean;
  m: number;
  n: number;
  k: number;
  a: number;
  lda: number;
  b: number;
  ldb: number;
  c: number;
  ldc: number;
  alpha: number;
  beta: number;
}

export interface BlasTeam {
  /** Helper threads (the calling thread is one more). */
  readonly helpers: number;
  /** Whether every helper has started. */
  ready(): boolean;
  /** Whether a helper failed to start (its thread threw): the team is not to be used. */
  failed(): boolean;
  /** Waits (blocking) until every helper has started, at most `ms`; answers ready(). */
  waitUntilReady(ms: number): boolean;
  /**
   * Hands blocks[1..] to helpers 1.., runs blocks[0] with `here` on the calling thread, and returns when all are done.
   * blocks.length − 1 must not exceed `helpers`.
   */
  run(blocks: readonly GemmBlock[], here: (block: GemmBlock) => void): void;
  /** Runs the kernel on helpers 1.. with shares[1..] as its arguments, and `here` on this thread; returns when all are done. */
  call(kernel: TeamCall, shares: readonly (readonly number[] | undefined)[], here: () => void): void;
}

/**
 * Starts `helpers` threads that bind the BLAS at `library`, instantiate `module` (the backend's WebAssembly kernels)
 * on `memory`, and share it; they never keep the process alive.
 */
export function startTeam(library: string, memory: WebAssembly.Memory, module: WebAssembly.Module | null, helpers: number): BlasTeam {
  const control = new SharedArrayBuffer(4 * (JOB_BASE + (helpers + 1) * JOB_INTS));
  const ints = new Int32Array(control), reals = new Float64Array(control);
  const koffiPath = createRequire(import.meta.url).resolve('koffi');
  let started = false, broken = false;
  for (let index = 1; index <= helpers; index++) {
    const worker = new Worker(HELPER, { eval: true, workerData: { koffiPath, library, memory, module, calls: TEAM_CALLS, control, index, watchMs: WATCH_MS } });
    worker.on('error', () => (broken = true));
    worker.unref();
  }
  const ready = (): boolean => started || (started = Atomics.load(ints, READY) >= helpers);
  /** Starts the jobs written for the helpers, runs `here`, and waits for the helpers. */
  const go = (here: () => void): void => {
    Atomics.store(ints, DONE, 0);
    Atomics.add(ints, GENERATION, 1);
    Atomics.notify(ints, GENERATION);
    here();
    // The helpers' shares take about as long as this one: watch for them rather than sleep.
    for (let done = Atomics.load(ints, DONE), spins = 0; done < helpers; done = Atomics.load(ints, DONE)) {
      if (++spins > 4096) Atomics.wait(ints, DONE, done, 1);
    }
  };
  return {
    helpers,
    ready,
    failed: () => broken,
    waitUntilReady(ms) {
      const until = performance.now() + ms;
      for (let count = Atomics.load(ints, READY); count < helpers && performance.now() < until; count = Atomics.load(ints, READY)) {
        Atomics.wait(ints, READY, count, Math.max(1, until - performance.now()));
      }
      return ready();
    },
    run(blocks, here) {
      for (let i = 1; i <= helpers; i++) {
        const job = JOB_BASE + i * JOB_INTS, at = (job + ARGS) / 2;
        const block = blocks[i];
        if (!block) {
          ints[job] = 0; // nothing for this helper: it reports done at once
          continue;
        }
        ints.set([1, block.f64 ? 1 : 0, block.transA ? 1 : 0, block.transB ? 1 : 0, block.m, block.n, block.k,
          block.a, block.lda, block.b, block.ldb, block.c, block.ldc], job);
        reals[at] = block.alpha;
        reals[at + 1] = block.beta;
      }
      go(() => here(blocks[0]));
    },
    call(kernel, shares, here) {
      for (let i = 1; i <= helpers; i++) {
        const job = JOB_BASE + i * JOB_INTS, at = (job + ARGS) / 2;
        const args = module ? shares[i] : undefined;
        if (!args) {
          ints[job] = 0;
          continue;
        }
        ints[job] = 2;
        ints[job + 1] = TEAM_CALLS.indexOf(kernel);
        ints[job + 2] = args.length;
        for (let j = 0; j < args.length; j++) reals[at + j] = args[j];
      }
      go(here);
    },
  };
}
