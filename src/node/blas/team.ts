// The BLAS backend's own threads. Each helper binds the same BLAS library and instantiates the backend's WebAssembly
// kernels on its shared memory; given a job it runs one block of a product's output as a one-thread BLAS call, or a
// share of an element-wise kernel, while the calling thread runs the first. A BLAS computes each element of a block
// as it does in the whole product where the blocks keep its tiles whole, so the result is the one-thread product's to
// the bit (the backend checks that for every shape before use); the BLAS's own threads do not promise it (OpenBLAS
// 0.3.21 sums a 128×784 · 784×128 product in another order on two threads than on one).
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

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

/** The WebAssembly kernels a helper may run a share of: element-wise ones, whose every output element is one thread's. */
export const TEAM_CALLS = ['gatherRows', 'axpy', 'axpy64'] as const;
export type TeamCall = (typeof TEAM_CALLS)[number];

/** A share of a kernel's work: the kernel and its arguments (addresses in the shared memory, counts, scalars). */
export interface KernelShare {
  kernel: TeamCall;
  args: number[];
}

export type Job = GemmBlock | KernelShare;

/**
 * Rows the first helper gathers in the background (see BlasTeam.gatherInBackground): rows 0.. of a batch, each rowBytes
 * long, row r from src + order[r] · rowBytes to dst + r · rowBytes, where order is the address of the batch's row
 * indices (Uint32) in the shared memory; `chunk` rows per kernel call, between which the helper looks for other work.
 */
export interface BackgroundGather {
  rowBytes: number;
  src: number;
  order: number;
  dst: number;
  rows: number;
  chunk: number;
}

export interface BlasTeam {
  /** Helper threads (the calling thread is one more). */
  readonly helpers: number;
  /** Whether every helper has started. */
  ready(): boolean;
  /** Whether a helper failed to start or to run a job: the team is not to be used again. */
  failed(): boolean;
  /** Waits (blocking) until every helper has started or one has failed, at most `ms`; answers ready() && !failed(). */
  waitUntilReady(ms: number): boolean;
  /**
   * Hands jobs[1..] to helpers 1.. (at most `helpers` of them), runs jobs[0] with `here`, and returns when all are
   * done. A job whose helper failed is run with `here` too, so the work is always done.
   */
  run(jobs: readonly Job[], here: (job: Job) => void): void;
  /**
   * Has the first helper gather rows in the background whenever it has no share to run (stopping any earlier
   * background gather first): between the jobs that `run` hands it, and after it has reported its share of one done,
   * so that the rows fill the time it would otherwise wait for the calling thread's work alone. A job handed to it
   * waits for at most the chunk in hand.
   */
  gatherInBackground(gather: BackgroundGather): void;
  /**
   * Stops the background gather, if any, waiting for the chunk in hand, and answers how many of its rows (from 0) are
   * in place: every row below that count is, and nothing of the gather is written after this returns.
   */
  stopBackground(): number;
}

// Shared with the helpers: four Int32 counters (jobs posted, helpers done with the current one, helpers started, and
// whether one failed), and each helper's job as float64 values (every field is a whole number below 2⁵³ or a double).
// Five more: what sleeping helpers wait on (counted up with every job posted and every background gather set, so that
// a helper that looked for either before sleeping cannot miss one), and for the background gather: whether one is
// set, whether the caller asks it to stop, whether the first helper is gathering now, and the rows in place.
const COUNTER = { GENERATION: 0, DONE: 1, READY: 2, FAILED: 3, WAKE: 4, GATHER: 5, STOP: 6, BUSY: 7, PROGRESS: 8 } as const;
const { GENERATION, DONE, READY, FAILED, WAKE, GATHER, STOP, BUSY, PROGRESS } = COUNTER;
/**
 * Values per helper's job: [kind, ...fields]. Kind 0: nothing (or done); 1: a product's block, its GEMM_FIELDS in
 * order; 2: a kernel share, the kernel's index in TEAM_CALLS, the number of arguments and the arguments. Slot 0 (the
 * calling thread's, which is never posted) holds the background gather's BACKGROUND_FIELDS.
 */
const JOB_SLOTS = 16;
const GEMM_FIELDS = ['f64', 'transA', 'transB', 'm', 'n', 'k', 'a', 'lda', 'b', 'ldb', 'c', 'ldc', 'alpha', 'beta'] as const;
const BACKGROUND_FIELDS = ['rowBytes', 'src', 'order', 'dst', 'rows', 'chunk'] as const;

/**
 * How long a helper keeps watching for the next job before it sleeps, in milliseconds. Products come in quick
 * succession while a network trains (the next within a hundred microseconds or so); a sleeping helper takes tens of
 * microseconds to wake, a watching one none. A helper that sees no job for this long sleeps and takes no core.
 */
const WATCH_MS = 0.5;

interface HelperData {
  koffiPath: string;
  library: string;
  memory: WebAssembly.Memory;
  module: WebAssembly.Module;
  calls: readonly string[];
  counters: SharedArrayBuffer;
  counter: typeof COUNTER;
  jobs: SharedArrayBuffer;
  /** Where this helper's job starts in jobs. */
  slot: number;
  watchMs: number;
  /** Whether this helper runs the background gather (the first does). */
  gathers: boolean;
}

/**
 * A helper thread's whole program. It runs as an eval'd worker (its source is this function's text), so it refers to
 * nothing outside itself but globals, and the worker needs no file of its own (the tests run the TypeScript sources).
 */
function helper(): void {
  const d = (require('node:worker_threads') as typeof import('node:worker_threads')).workerData as HelperData;
  const counters = new Int32Array(d.counters), jobs = new Float64Array(d.jobs), job = d.slot;
  const { GENERATION, DONE, READY, FAILED, WAKE, GATHER, STOP, BUSY, PROGRESS } = d.counter;
  const fail = (): void => {
    Atomics.store(counters, FAILED, 1);
    Atomics.notify(counters, READY); // a caller waiting for the team to start looks again
  };
  let sgemm: (...args: unknown[]) => void, dgemm: (...args: unknown[]) => void;
  let kernels: ((...args: number[]) => void)[];
  try {
    const koffi = require(d.koffiPath) as { load(path: string): { func(signature: string): (...args: unknown[]) => void } };
    const lib = koffi.load(d.library);
    const signature = (type: string, name: string): string => `void ${name}(int order, int transA, int transB, int m, int n, int k, ${type} alpha, ` +
      `const ${type} *a, int lda, const ${type} *b, int ldb, ${type} beta, _Inout_ ${type} *c, int ldc)`;
    sgemm = lib.func(signature('float', 'cblas_sgemm'));
    dgemm = lib.func(signature('double', 'cblas_dgemm'));
    const instance = new WebAssembly.Instance(d.module, { env: { memory: d.memory, abort: () => { throw new Error('wasm abort'); } } });
    kernels = d.calls.map((name) => instance.exports[name] as (...args: number[]) => void);
  } catch {
    fail();
    return;
  }
  let buffer = d.memory.buffer;
  /** A typed array over `length` elements at byte `offset` of the shared memory, which may have grown since the last job. */
  const over = (f64: boolean, offset: number, length: number): Float32Array | Float64Array => {
    const bytes = offset + length * (f64 ? 8 : 4);
    if (bytes > buffer.byteLength) buffer = d.memory.buffer;
    return f64 ? new Float64Array(buffer, offset, length) : new Float32Array(buffer, offset, length);
  };
  // Read the job counter before saying ready: a job posted right after cannot then be missed.
  let seen = Atomics.load(counters, GENERATION);
  /**
   * The first helper's background gather (see BlasTeam.gatherInBackground), chunk by chunk from the rows in place on,
   * while one is set, the caller does not ask it to stop, and no job has been posted; true if it gathered any rows.
   * It says it is busy before it looks, and the caller asks it to stop before it looks whether it is busy, so that one
   * of them sees the other (the atomics are sequentially consistent).
   */
  const gatherRows = kernels[d.calls.indexOf('gatherRows')];
  const background = (): boolean => {
    // (Nothing written while there is nothing to gather: the counters' line is the caller's too.)
    if (!d.gathers || Atomics.load(counters, GATHER) === 0 || Atomics.load(counters, PROGRESS) >= jobs[4]) return false;
    let gathered = false;
    Atomics.store(counters, BUSY, 1);
    try {
      // rowBytes, src, order, dst, rows, chunk (BACKGROUND_FIELDS), in slot 0
      const rowBytes = jobs[0], src = jobs[1], order = jobs[2], dst = jobs[3], rows = jobs[4], chunk = jobs[5];
      for (let r = Atomics.load(counters, PROGRESS); r < rows; r = Atomics.load(counters, PROGRESS)) {
        if (Atomics.load(counters, STOP) !== 0 || Atomics.load(counters, GENERATION) !== seen || Atomics.load(counters, GATHER) === 0) break;
        const count = Math.min(chunk, rows - r);
        gatherRows(count, rowBytes, src, order + 4 * r, dst + r * rowBytes);
        Atomics.store(counters, PROGRESS, r + count);
        gathered = true;
      }
    } catch {
      fail();
    }
    Atomics.store(counters, BUSY, 0);
    if (gathered) Atomics.notify(counters, BUSY); // a caller waiting for it to stop
    return gathered;
  };
  Atomics.add(counters, READY, 1);
  Atomics.notify(counters, READY);
  for (;;) {
    // Watch for the next job for a while (gathering in the background meanwhile, where there is a gather to do), then
    // sleep until a job or a gather comes.
    let until = performance.now() + d.watchMs;
    for (let spins = 1, wake = Atomics.load(counters, WAKE); Atomics.load(counters, GENERATION) === seen; spins++, wake = Atomics.load(counters, WAKE)) {
      if (background()) until = performance.now() + d.watchMs;
      if ((spins & 255) === 0 && performance.now() > until) Atomics.wait(counters, WAKE, wake);
    }
    seen = Atomics.load(counters, GENERATION);
    const j = job + 1;
    try {
      if (jobs[job] === 1) {
        // f64, transA, transB, m, n, k, a, lda, b, ldb, c, ldc, alpha, beta (GEMM_FIELDS)
        const f64 = jobs[j] === 1, ta = jobs[j + 1] === 1, tb = jobs[j + 2] === 1, m = jobs[j + 3], n = jobs[j + 4], k = jobs[j + 5];
        const lda = jobs[j + 7], ldb = jobs[j + 9], ldc = jobs[j + 11];
        // Row-major operands end (rows − 1) leading dimensions and one row's length in.
        const a = over(f64, jobs[j + 6], ((ta ? k : m) - 1) * lda + (ta ? m : k));
        const b = over(f64, jobs[j + 8], ((tb ? n : k) - 1) * ldb + (tb ? k : n));
        const c = over(f64, jobs[j + 10], (m - 1) * ldc + n);
        (f64 ? dgemm : sgemm)(101, ta ? 112 : 111, tb ? 112 : 111, m, n, k, jobs[j + 12], a, lda, b, ldb, jobs[j + 13], c, ldc);
      } else if (jobs[job] === 2) {
        const argc = jobs[j + 1];
        kernels[jobs[j]](...Array.from(jobs.subarray(j + 2, j + 2 + argc)));
      }
      jobs[job] = 0; // done: the caller reruns a job left marked
    } catch {
      fail();
    }
    Atomics.add(counters, DONE, 1);
    Atomics.notify(counters, DONE);
  }
}

/**
 * Starts `helpers` threads that bind the BLAS at `library` and instantiate `module` (the backend's WebAssembly kernels)
 * on `memory`; they never keep the process alive.
 */
export function startTeam(library: string, memory: WebAssembly.Memory, module: WebAssembly.Module, helpers: number): BlasTeam {
  const counters = new Int32Array(new SharedArrayBuffer(4 * Object.keys(COUNTER).length));
  const slots = new Float64Array(new SharedArrayBuffer(8 * JOB_SLOTS * (helpers + 1)));
  const koffiPath = createRequire(import.meta.url).resolve('koffi');
  for (let index = 1; index <= helpers; index++) {
    const workerData: HelperData = { koffiPath, library, memory, module, calls: TEAM_CALLS, counters: counters.buffer as SharedArrayBuffer,
      counter: COUNTER, jobs: slots.buffer as SharedArrayBuffer, slot: index * JOB_SLOTS, watchMs: WATCH_MS, gathers: index === 1 };
    const worker = new Worker(`(${helper.toString()})()`, { eval: true, workerData });
    // A helper that ends (it never should) leaves the team unusable rather than waited for.
    worker.on('error', () => Atomics.store(counters, FAILED, 1));
    worker.on('exit', () => Atomics.store(counters, FAILED, 1));
    worker.unref();
  }
  const failed = (): boolean => Atomics.load(counters, FAILED) !== 0;
  const ready = (): boolean => Atomics.load(counters, READY) >= helpers;

  /** Waits until the first helper is not gathering in the background: after the caller has set STOP (or posted a job). */
  function waitWhileGathering(): void {
    for (let spins = 0; Atomics.load(counters, BUSY) !== 0 && !failed(); spins++) if (spins > 4096) Atomics.wait(counters, BUSY, 1, 1);
  }

  /** Writes a job into helper i's slot. */
  function post(i: number, job: Job | undefined): void {
    const at = i * JOB_SLOTS;
    if (!job) {
      slots[at] = 0;
    } else if ('kernel' in job) {
      slots[at] = 2;
      slots[at + 1] = TEAM_CALLS.indexOf(job.kernel);
      slots[at + 2] = job.args.length;
      slots.set(job.args, at + 3);
    } else {
      slots[at] = 1;
      GEMM_FIELDS.forEach((field, f) => (slots[at + 1 + f] = +job[field]));
    }
  }

  return {
    helpers,
    ready,
    failed,
    waitUntilReady(ms) {
      const until = performance.now() + ms;
      for (let count = Atomics.load(counters, READY); count < helpers && !failed() && performance.now() < until; count = Atomics.load(counters, READY)) {
        Atomics.wait(counters, READY, count, Math.max(1, until - performance.now()));
      }
      return ready() && !failed();
    },
    run(jobs, here) {
      if (jobs.length - 1 > helpers) throw new Error(`team: ${jobs.length} jobs for ${helpers + 1} threads`);
      for (let i = 1; i <= helpers; i++) post(i, jobs[i]);
      Atomics.store(counters, DONE, 0);
      Atomics.add(counters, GENERATION, 1);
      Atomics.add(counters, WAKE, 1);
      Atomics.notify(counters, WAKE);
      here(jobs[0]);
      // The helpers' shares take about as long as this one: watch for them a little, then sleep until they report.
      for (let done = Atomics.load(counters, DONE), spins = 0; done < helpers; done = Atomics.load(counters, DONE)) {
        if (++spins > 4096) Atomics.wait(counters, DONE, done);
      }
      // The first helper goes back to a background gather by itself.
      // A share a helper could not run (its job still marked) is run here.
      for (let i = 1; i < jobs.length; i++) if (slots[i * JOB_SLOTS] !== 0) here(jobs[i]);
    },
    gatherInBackground(gather) {
      this.stopBackground();
      BACKGROUND_FIELDS.forEach((field, f) => (slots[f] = gather[field]));
      Atomics.store(counters, PROGRESS, 0);
      Atomics.store(counters, GATHER, 1);
      Atomics.add(counters, WAKE, 1);
      Atomics.notify(counters, WAKE); // a sleeping helper wakes and finds it
    },
    stopBackground() {
      if (Atomics.load(counters, GATHER) === 0) return 0;
      Atomics.store(counters, STOP, 1);
      waitWhileGathering();
      const done = Atomics.load(counters, PROGRESS);
      Atomics.store(counters, GATHER, 0);
      Atomics.store(counters, STOP, 0);
      return done;
    },
  };
}
