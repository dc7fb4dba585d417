// A team of threads for the BLAS backend's products: each helper binds the same BLAS library and, given a job, runs
// one block of rows (or columns) of the output as a one-thread BLAS call, on operands in the backend's shared
// WebAssembly memory, while the calling thread runs the first block. A BLAS computes each output element of a block
// exactly as it does in the whole product, so the result is the one-thread product's to the bit (checked for every
// shape before use: see the BLAS backend's probe); the BLAS's own threads do not promise that (OpenBLAS 0.3.21
// blocks the sums of a 128×784 · 784×128 product differently on two threads than on one).
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

// Control block: the job counter, helpers done with the current job, helpers ready, and each helper's job.
const GENERATION = 0, DONE = 1, READY = 2;
/** Ints per helper's job: f64, transA, transB, m, n, k, a, lda, b, ldb, c, ldc (byte offsets for a, b, c), then alpha and beta as f64. */
const JOB_INTS = 16;
const JOB_BASE = 16;

/**
 * How long a helper keeps watching for the next job before it sleeps, in milliseconds. Products come in quick
 * succession while a network trains (the next one within a hundred microseconds or so); a sleeping helper takes tens
 * of microseconds to wake, a watching one none. A helper that sees no job for this long sleeps, and takes no core.
 */
const WATCH_MS = 0.5;

/** The helper's code: run as an eval'd worker, so it needs no file of its own beside the compiled module. */
const HELPER = `
const { workerData } = require('node:worker_threads');
const { koffiPath, library, memory, control, index, watchMs } = workerData;
const koffi = require(koffiPath);
const lib = koffi.load(library);
const signature = (type, name) => 'void ' + name + '(int order, int transA, int transB, int m, int n, int k, ' + type + ' alpha, const ' +
  type + ' *a, int lda, const ' + type + ' *b, int ldb, ' + type + ' beta, _Inout_ ' + type + ' *c, int ldc)';
const sgemm = lib.func(signature('float', 'cblas_sgemm')), dgemm = lib.func(signature('double', 'cblas_dgemm'));
const ints = new Int32Array(control), reals = new Float64Array(control);
let buffer = memory.buffer;
const job = ${JOB_BASE} + index * ${JOB_INTS};
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
  const f64 = ints[job], ta = ints[job + 1], tb = ints[job + 2], m = ints[job + 3], n = ints[job + 4], k = ints[job + 5];
  const a = ints[job + 6], lda = ints[job + 7], b = ints[job + 8], ldb = ints[job + 9], c = ints[job + 10], ldc = ints[job + 11];
  const alpha = reals[(job + 12) / 2], beta = reals[(job + 14) / 2];
  if (m > 0 && n > 0) {
    const Float = f64 ? Float64Array : Float32Array, size = f64 ? 8 : 4;
    const rowsA = ta ? k : m, rowsB = tb ? n : k;
    const end = Math.max(a + ((rowsA - 1) * lda + (ta ? m : k)) * size, b + ((rowsB - 1) * ldb + (tb ? k : n)) * size, c + ((m - 1) * ldc + n) * size);
    if (end > buffer.byteLength) buffer = memory.buffer;
    const A = new Float(buffer, a, (rowsA - 1) * lda + (ta ? m : k)), B = new Float(buffer, b, (rowsB - 1) * ldb + (tb ? k : n));
    const C = new Float(buffer, c, (m - 1) * ldc + n);
    (f64 ? dgemm : sgemm)(101, ta ? 112 : 111, tb ? 112 : 111, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc);
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
}

/** Starts `helpers` threads that bind the BLAS at `library` and share `memory`; they never keep the process alive. */
export function startTeam(library: string, memory: WebAssembly.Memory, helpers: number): BlasTeam {
  const control = new SharedArrayBuffer(4 * (JOB_BASE + (helpers + 1) * JOB_INTS));
  const ints = new Int32Array(control), reals = new Float64Array(control);
  const koffiPath = createRequire(import.meta.url).resolve('koffi');
  let started = false, broken = false;
  for (let index = 1; index <= helpers; index++) {
    const worker = new Worker(HELPER, { eval: true, workerData: { koffiPath, library, memory, control, index, watchMs: WATCH_MS } });
    worker.on('error', () => (broken = true));
    worker.unref();
  }
  const ready = (): boolean => started || (started = Atomics.load(ints, READY) >= helpers);
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
        const job = JOB_BASE + i * JOB_INTS;
        const block = blocks[i];
        if (!block) {
          ints[job + 3] = 0; // nothing for this helper: it reports done at once
          continue;
        }
        ints[job] = block.f64 ? 1 : 0;
        ints[job + 1] = block.transA ? 1 : 0;
        ints[job + 2] = block.transB ? 1 : 0;
        ints[job + 3] = block.m;
        ints[job + 4] = block.n;
        ints[job + 5] = block.k;
        ints[job + 6] = block.a;
        ints[job + 7] = block.lda;
        ints[job + 8] = block.b;
        ints[job + 9] = block.ldb;
        ints[job + 10] = block.c;
        ints[job + 11] = block.ldc;
        reals[(job + 12) / 2] = block.alpha;
        reals[(job + 14) / 2] = block.beta;
      }
      Atomics.store(ints, DONE, 0);
      Atomics.add(ints, GENERATION, 1);
      Atomics.notify(ints, GENERATION);
      here(blocks[0]);
      // The helpers' blocks take about as long as this one: watch for them rather than sleep.
      for (let done = Atomics.load(ints, DONE), spins = 0; done < helpers; done = Atomics.load(ints, DONE)) {
        if (++spins > 4096) Atomics.wait(ints, DONE, done, 1);
      }
    },
  };
}
