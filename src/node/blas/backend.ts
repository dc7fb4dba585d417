// The BLAS backend: matrix products, nearly all of the arithmetic, go to the system's optimized BLAS
// (sgemm for float32, dgemm for float64). Matrices live in a WebAssembly memory whose SIMD kernels do the
// element-wise work (bias add, activations and their derivatives, softmax, losses, optimizer steps, the fused
// per-example loop; f64 versions of the ones float64 networks need), and BLAS reads and writes that same memory in
// place, so nothing is copied. How many threads each product shape runs on, and whose (blocks of the output on this
// backend's own threads, or the BLAS's threads), is chosen by timing the candidates on this machine (see Planner).
import type { Kernels, ProductPlan, StepPlan } from '../../core/kernels.js';
import type { DType, FloatArray, Matrix } from '../../core/matrix.js';
import { Planner } from '../../core/planner.js';
import { referenceKernels } from '../../core/reference.js';
import { createWasmKernelsSync, type WasmKernels } from '../../core/wasm/backend.js';
import { CBLAS_NO_TRANS, CBLAS_ROW_MAJOR, CBLAS_TRANS, type BlasLibrary } from './library.js';
import { startTeam, type BlasTeam, type GemmBlock, type Job, type KernelShare, type TeamCall } from './team.js';

export interface BlasKernels extends Kernels {
  readonly library: BlasLibrary;
  /** The most threads a product runs on: the cores, or the pinned count. */
  readonly threads: number;
  /** Whether every product large enough to share runs on exactly `threads` threads, rather than on as many as timing chose for its shape. */
  readonly pinned: boolean;
  planProduct(m: number, n: number, k: number, transA: boolean, transB: boolean, dtype: DType, alpha?: number, beta?: number): ProductPlan;
  /** The plan of every product shape met so far, for tests and the bench to read. */
  productPlans(): { shape: string; plan: ProductPlan }[];
  step<T>(key: string, rows: number, body: () => T): T;
  stepPlan(key: string): StepPlan | null;
  prefetchRows(src: Matrix, order: Uint32Array, start: number, dst: Matrix): void;
  /**
   * Batches that gatherRows took from a background gather (prefetchRows) with the same arguments, their rows, and how
   * many of those the team's helper had put in place by then, since the backend was made: for the bench and tests.
   */
  backgroundGathers(): { batches: number; rows: number; ahead: number };
}

/** Which library call's thread setting is in force, so a backend that wants another count sets it before its call. */
const threadSetting = new WeakMap<BlasLibrary, number>();

/**
 * Products of fewer multiply-adds than this run on one thread without being timed: OpenBLAS keeps them on one thread
 * whatever it is told (so its candidates would be the same call, and timing could only pick noise), at a few
 * microseconds each they gain nothing from a second thread anywhere, and the planner's bookkeeping would be a visible
 * share of the smallest.
 */
export const TIMED_MULTIPLY_ADDS = 1 << 18;

/**
 * How the output is cut into blocks for the team: along its rows or its columns, each block a whole multiple of
 * `align` of them. A BLAS computes an element the same way in a block as in the whole product only where the blocks
 * keep its kernel's tiles whole (OpenBLAS's tiles are 16 rows for AVX-512, 24 for Haswell's float32 kernel), so the
 * probe tries these in turn, evenest first, and keeps the first that gives the one-thread result.
 */
interface Blocks {
  readonly byRows: boolean;
  readonly align: number;
}
const BLOCKINGS = [16, 24, 32, 48, 64, 8].flatMap((align) => [{ larger: true, align }, { larger: false, align }]);

/** How long gemm waits, at most, for the team's threads to start before it plans without them (milliseconds). */
const TEAM_START_MS = 5000;

/**
 * Milliseconds of products large enough to share that run on one thread before the team's threads are started (each
 * costs tens of milliseconds of a core to start), and their shapes timed: a run whose products would not repay that, a
 * small table's, never starts them. A caller that asks for a plan (planProduct) starts them at once.
 */
const TEAM_AFTER_MS = 50;

/**
 * Only products of at least this many multiply-adds count toward TEAM_AFTER_MS: a table's network with the default
 * bins (digits: 489 inputs, 100 units, batch 32, 1.6 million) has products large enough to share but gains nothing
 * from the team (its step took 189 µs on one thread, 207 on two), and starting the team and its first round of trials
 * cost 40% more CPU time than one thread. W1's first layer has 12.8 million.
 */
export const TEAM_START_MULTIPLY_ADDS = 1 << 22;

/**
 * A trial of a way of running training steps is this many milliseconds of steps at least (at most STEPS_PER_TRIAL
 * steps), after one untimed step where a step is short: the first step after a change of way pays for it (the helpers
 * waking, caches filling), and steps that stay on one way do not.
 */
const TRIAL_MS = 8, STEPS_PER_TRIAL = 16;
/**
 * Milliseconds of untimed steps (one at least) before the first trial of a way in a round that runs on more threads
 * than the step before: helper threads woken after a while asleep start slow on a shared machine (a woken thread is
 * often placed on its waker's core until the scheduler moves it, and where processes are scheduled by group, as
 * Linux's autogroups do, a thread's share of a core builds up with its recent load, over about a hundred
 * milliseconds). A way on fewer threads needs no warming.
 */
const WARM_MS = 100;
/** A trial whose steps so far took this many times the round's best trial ends early (see step). */
const CUT_STEPS = 3;
/**
 * Milliseconds after a first round of step timing that chose one thread, for a step with products of
 * TEAM_START_MULTIPLY_ADDS or more, before a second round (rather than the planner's 5 s): on two free cores the team
 * runs such steps in about 0.6 times one thread's time, so that choice says the round met a busy moment (the team's
 * first trial timed at 2,127 µs against one thread's 770 in a W1 run at load 3, which then ran on one thread until its
 * first recheck after 5 s, longer than the run). Only the first round: a machine that stays busy pays for one more
 * round, not one every half second (early rechecks at every round cost 8% of a busy run's steps).
 */
const RECHECK_SOON_MS = 500;

/** Element-wise work of fewer bytes than this runs on one thread, untimed: sharing it could not repay a hand-off. */
const SHARED_BYTES = 1 << 16;

/**
 * The ways a product can run, as planner candidates, cheapest first: 1 is one BLAS thread; −t is t threads of this
 * backend's team, each running a block of the output as a one-thread BLAS call; +t (t ≥ 2) is the BLAS's own t threads.
 */
export function productWays(most: number): number[] {
  const ways = [1];
  for (let t = 2; t < most; t *= 2) ways.push(-t, t);
  if (most > 1) ways.push(-most, most);
  return ways;
}

/**
 * The BLAS backend on `threads` threads at most. Each product shape's way of running (see productWays) is first
 * checked to give the one-thread product's result to the bit, on random operands of the shape (a way that does not is
 * never used for it: OpenBLAS's own threads sum some shapes in another order), and then, unpinned, chosen by timing the
 * candidates on the shape's first calls and again every few seconds, so that it follows the machine and its load.
 * Pinned, every product large enough to share runs on exactly `threads` threads (the team's where they give the same
 * result, else the BLAS's where those do, else one), for timings that repeat. In a training step (Kernels.step) every
 * shareable product and kernel share runs one way, the step's, chosen by timing whole steps; `trialMs` sets how many
 * milliseconds of steps a trial of a way takes at least, `warmMs` those of untimed steps before a way's first trial in
 * a round (defaults TRIAL_MS, WARM_MS; tests take less), `soonMs` the wait before a second round where the first
 * contradicts the product sizes (RECHECK_SOON_MS), and `now` the clock steps are timed by (tests skew it).
 */
export function createBlasKernels(library: BlasLibrary, threads: number, pinned = false,
  options: { trialMs?: number; warmMs?: number; soonMs?: number; now?: () => number } = {}): BlasKernels {
  const trialMs = options.trialMs ?? TRIAL_MS, warmMs = options.warmMs ?? WARM_MS, soonMs = options.soonMs ?? RECHECK_SOON_MS;
  const now = options.now ?? (() => performance.now());
  const wasm: WasmKernels = createWasmKernelsSync();
  const most = library.setThreads ? Math.max(1, threads) : 1;
  const planner = new Planner<number | string>();
  const ways = productWays(most);
  const shared = typeof SharedArrayBuffer !== 'undefined' && wasm.memory.buffer instanceof SharedArrayBuffer;
  const useThreads = (wanted: number): void => {
    if (library.setThreads && threadSetting.get(library) !== wanted) {
      library.setThreads(wanted);
      threadSetting.set(library, wanted);
    }
  };
  // The team starts once TEAM_AFTER_MS of shareable products have run (pinned: at the first), and runs only where every
  // operand is in the shared memory. Until it has started, those products run on one thread, their shapes unplanned
  // (pinned ones wait for it: a pinned count is a promise).
  let team: BlasTeam | null = null;
  let teamStarted = 0;
  /** Milliseconds of shareable products run before the team was started. */
  let unplannedMs = 0;
  /** Whether a team could run here: more than one thread, and a memory its threads can share. */
  const teamWanted = most > 1 && shared;
  /** Whether the team can take work now; starts it the first time it is asked for. */
  function teamReady(wait: boolean): boolean | null {
    if (!teamWanted) return false;
    if (!team) {
      try {
        team = startTeam(library.path, wasm.memory, wasm.module, most - 1);
      } catch {
        teamStarted = -1;
        return false;
      }
      teamStarted = performance.now();
    }
    if (teamStarted < 0 || team.failed()) return false;
    if (team.ready() || (wait && team.waitUntilReady(TEAM_START_MS))) return true;
    if (performance.now() - teamStarted > TEAM_START_MS) {
      teamStarted = -1; // it never started: plan without it
      return false;
    }
    return null; // still starting
  }

  /**
   * The plan's key: the shape, the dtype, and whether β is 0, 1 or another value (a BLAS may take other paths for each,
   * and a way exact for one need not be for another); small shapes (nearly all) as one exact number, others as a string.
   */
  function keyOf(m: number, n: number, k: number, transA: boolean, transB: boolean, f64: boolean, beta: number): number | string {
    const flags = (transA ? 1 : 0) + (transB ? 2 : 0) + (f64 ? 4 : 0) + 8 * betaClass(beta);
    return m < 65536 && n < 65536 && k < 65536 ? ((m * 65536 + n) * 65536 + k) * 32 + flags : `${m} ${n} ${k} ${flags}`;
  }

  function call(f32: boolean, transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number, A: FloatArray, lda: number,
    B: FloatArray, ldb: number, beta: number, C: FloatArray, ldc: number): void {
    const ta = transA ? CBLAS_TRANS : CBLAS_NO_TRANS, tb = transB ? CBLAS_TRANS : CBLAS_NO_TRANS;
    if (f32) library.sgemm(CBLAS_ROW_MAJOR, ta, tb, m, n, k, alpha, A as Float32Array, lda, B as Float32Array, ldb, beta, C as Float32Array, ldc);
    else library.dgemm(CBLAS_ROW_MAJOR, ta, tb, m, n, k, alpha, A as Float64Array, lda, B as Float64Array, ldb, beta, C as Float64Array, ldc);
  }

  /**
   * Runs the product one way (the team's in `blocks`); false, having done nothing, where that way cannot run this call
   * (the team's threads only see matrices in the shared memory).
   */
  function runWay(way: number, f32: boolean, a: Matrix, transA: boolean, b: Matrix, transB: boolean, out: Matrix, m: number, n: number, k: number,
    alpha: number, beta: number, blocking?: Blocks): boolean {
    if (way > 0) {
      useThreads(way);
      call(f32, transA, transB, m, n, k, alpha, a.data, a.cols, b.data, b.cols, beta, out.data, n);
      return true;
    }
    if (!team || team.failed() || !blocking || !wasm.owns!(a) || !wasm.owns!(b) || !wasm.owns!(out)) return false;
    useThreads(1);
    const parts = -way, byRows = blocking.byRows, extent = byRows ? m : n;
    const step = Math.ceil(extent / parts / blocking.align) * blocking.align;
    const size = f32 ? 4 : 8;
    const blocks: GemmBlock[] = [];
    const A = a.data, B = b.data, C = out.data;
    for (let from = 0; from < extent; from += step) {
      const count = Math.min(step, extent - from);
      // Where the block's operands start: op(A)'s rows from, or op(B)'s columns from.
      const aAt = byRows ? (transA ? from : from * a.cols) : 0, bAt = byRows ? 0 : transB ? from * b.cols : from;
      const cAt = byRows ? from * n : from;
      blocks.push({
        f64: !f32, transA, transB, m: byRows ? count : m, n: byRows ? n : count, k, alpha, beta,
        a: A.byteOffset + aAt * size, lda: a.cols, b: B.byteOffset + bAt * size, ldb: b.cols, c: C.byteOffset + cAt * size, ldc: n,
      });
    }
    // This thread runs the first block (and any a helper could not) on its part of the matrices themselves.
    const from = (x: FloatArray, at: number): FloatArray => x.subarray((at - x.byteOffset) / size);
    team.run(blocks, (job) => {
      const block = job as GemmBlock;
      call(f32, transA, transB, block.m, block.n, k, alpha, from(A, block.a), a.cols, from(B, block.b), b.cols, beta, from(C, block.c), n);
    });
    return true;
  }

  /** A matrix in the backend's memory of values in [−0.5, 0.5) drawn from `seed`, for checking a way on. */
  function randomMatrix(rows: number, cols: number, seed: number, f32: boolean): Matrix {
    const s = wasm.allocate!(rows, cols, f32 ? 'float32' : 'float64');
    let x = seed;
    for (let i = 0; i < s.data.length; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      s.data[i] = x / 4294967296 - 0.5;
    }
    return s;
  }

  /**
   * The ways that give the one-thread product's result to the bit for this shape, on random operands of it (a way
   * that sums in another order shows it in some of the m·n sums, as good as certainly), and the team's blocking.
   */
  function exactWays(f32: boolean, m: number, n: number, k: number, transA: boolean, transB: boolean, alpha: number, beta: number,
    wanted: readonly number[]): { ways: number[]; blocking: Blocks | undefined; ms: number[] } {
    if (wanted.length === 1 && wanted[0] === 1) return { ways: [1], blocking: undefined, ms: [0] };
    const scratch = (rows: number, cols: number, seed: number): Matrix => randomMatrix(rows, cols, seed, f32);
    const a = transA ? scratch(k, m, 1) : scratch(m, k, 1), b = transB ? scratch(n, k, 2) : scratch(k, n, 3);
    const start = scratch(m, n, 4), one = scratch(m, n, 4), other = scratch(m, n, 4);
    const bytes = (x: Matrix): Uint8Array => new Uint8Array(x.data.buffer, x.data.byteOffset, x.data.byteLength);
    // How long each exact way's check took: a first run, for the planner to leave out a way far slower than the rest.
    const took = new Map<number, number>();
    const exact = (way: number, blocking?: Blocks): boolean => {
      other.data.set(start.data);
      const began = performance.now();
      if (!runWay(way, f32, a, transA, b, transB, other, m, n, k, alpha, beta, blocking)) return false;
      took.set(way, performance.now() - began);
      const x = bytes(one), y = bytes(other);
      for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
      return true;
    };
    try {
      const began = performance.now();
      runWay(1, f32, a, transA, b, transB, one, m, n, k, alpha, beta);
      took.set(1, performance.now() - began);
      let blocking: Blocks | undefined;
      const ways = wanted.filter((way) => {
        if (way > 0) return way === 1 || exact(way);
        if (blocking) return exact(way, blocking);
        for (const { larger, align } of BLOCKINGS) {
          const byRows = larger === m >= n;
          if ((byRows ? m : n) < 2 * align) continue; // too few rows (or columns) for two whole blocks
          if (exact(way, { byRows, align })) {
            blocking = { byRows, align };
            return true;
          }
        }
        return false;
      });
      return { ways, blocking, ms: ways.map((w) => took.get(w)!) };
    } finally {
      for (const s of [a, b, start, one, other]) wasm.release!(s);
    }
  }

  /** Shapes met once and not yet planned. */
  const seen = new Set<number | string>();
  /** What is kept beside each key the planner holds: its name for productPlans, and a product's blocking on the team. */
  const shapes = new Map<number | string, { name: string; blocking?: Blocks; ways: readonly number[] }>();
  /** Adds a key to the planner, and forgets what was kept beside the key it forgets to make room, if any. */
  function addPlan(key: number | string, name: string, candidates: readonly number[], blocking?: Blocks, seen?: readonly number[], trials?: number): void {
    shapes.set(key, { name, blocking, ways: candidates });
    const forgotten = planner.add(key, candidates, seen, trials);
    if (forgotten !== undefined) shapes.delete(forgotten);
  }

  /** Adds a shape to the planner: its exact ways (pinned: the one way of `threads` threads), or false if the team is still starting. */
  function planShape(key: number | string, f32: boolean, m: number, n: number, k: number, transA: boolean, transB: boolean, alpha: number, beta: number,
    wait: boolean): boolean {
    const withTeam = teamReady(wait);
    if (withTeam === null) return false;
    const possible = ways.filter((w) => w > 0 || withTeam);
    const checked = exactWays(f32, m, n, k, transA, transB, alpha, beta, pinned ? possible.filter((w) => Math.abs(w) === most || w === 1) : possible);
    const { blocking } = checked;
    // The BLAS's own threads only where the team's blocks are not exact for the shape: once used, OpenBLAS's threads
    // keep spinning for a while after their call (2²⁸ cycles by default), taking a core from the team's helpers and
    // from whatever runs next.
    const keep = checked.ways.map((w) => w <= 1 || !checked.ways.some((t) => t < 0));
    const exact = checked.ways.filter((_, i) => keep[i]), ms = checked.ms.filter((_, i) => keep[i]);
    const name = shapeName(m, n, k, transA, transB, f32, beta);
    // Two trials a way for products of milliseconds (a W3 layer's), where noise is a small share and each trial costs.
    if (pinned) addPlan(key, name, [exact.find((w) => w === -most) ?? exact.find((w) => w === most) ?? 1], blocking);
    else addPlan(key, name, exact, blocking, ms, ms[0] > 2 ? 2 : 3);
    return true;
  }

  function gemm(a: Matrix, transA: boolean, b: Matrix, transB: boolean, out: Matrix, alpha: number, beta: number): void {
    const m = transA ? a.cols : a.rows, k = transA ? a.rows : a.cols;
    const n = transB ? b.rows : b.cols, kB = transB ? b.cols : b.rows;
    const A = a.data, B = b.data, C = out.data;
    const f32 = A instanceof Float32Array && B instanceof Float32Array && C instanceof Float32Array;
    const f64 = A instanceof Float64Array && B instanceof Float64Array && C instanceof Float64Array;
    // Mixed dtypes, shapes that do not fit (the reference says how), or nothing to add up: the reference's loops.
    if ((!f32 && !f64) || k !== kB || out.rows !== m || out.cols !== n || m === 0 || n === 0 || k === 0) {
      referenceKernels.gemm(a, transA, b, transB, out, alpha, beta);
      return;
    }
    const key = keyOf(m, n, k, transA, transB, f64, beta);
    if (predictingNow && !transA && !transB && predictOtherwise(key, f32, a, b, out, m, n, k, alpha, beta)) return;
    if (m * n * k < TIMED_MULTIPLY_ADDS || most === 1) {
      runWay(1, f32, a, transA, b, transB, out, m, n, k, alpha, beta);
      return;
    }
    if (stepWay !== null) {
      if (m * n * k >= TEAM_START_MULTIPLY_ADDS) largeInStep = true;
      // In a training step: the step's way, where it gives this shape the one-thread result (checked at the shape's
      // first call with the team), else one thread.
      if (stepWay !== 1 && (planner.has(key) || planShape(key, f32, m, n, k, transA, transB, alpha, beta, false))) {
        const shape = shapes.get(key)!;
        if (shape.ways.includes(stepWay) && runWay(stepWay, f32, a, transA, b, transB, out, m, n, k, alpha, beta, shape.blocking)) return;
      }
      runWay(1, f32, a, transA, b, transB, out, m, n, k, alpha, beta);
      return;
    }
    if (!planner.has(key)) {
      // A shape is planned at its second call: one met once (a batch of a size that does not come back) is not worth
      // the check and the trials.
      const once = !pinned && !seen.has(key);
      if (once) {
        if (seen.size >= 4096) seen.clear();
        seen.add(key);
      }
      if (once || (!team && !pinned && teamWanted && (unplannedMs < TEAM_AFTER_MS || m * n * k < TEAM_START_MULTIPLY_ADDS))) {
        const start = performance.now();
        runWay(1, f32, a, transA, b, transB, out, m, n, k, alpha, beta);
        if (m * n * k >= TEAM_START_MULTIPLY_ADDS) unplannedMs += performance.now() - start;
        return;
      }
      if (!planShape(key, f32, m, n, k, transA, transB, alpha, beta, pinned)) {
        runWay(1, f32, a, transA, b, transB, out, m, n, k, alpha, beta);
        return;
      }
    }
    const { candidate, trial } = planner.next(key);
    const blocking = candidate < 0 ? shapes.get(key)!.blocking : undefined;
    if (!trial) {
      if (!runWay(candidate, f32, a, transA, b, transB, out, m, n, k, alpha, beta, blocking)) runWay(1, f32, a, transA, b, transB, out, m, n, k, alpha, beta);
      return;
    }
    const start = performance.now();
    if (runWay(candidate, f32, a, transA, b, transB, out, m, n, k, alpha, beta, blocking)) planner.record(key, candidate, performance.now() - start);
    else {
      // A way that cannot take this call (operands outside the shared memory) counts as a trial it lost.
      runWay(1, f32, a, transA, b, transB, out, m, n, k, alpha, beta);
      planner.record(key, candidate, Infinity);
    }
  }

  // Predictions (Kernels.predicting): in a block's forward pass a product must give each row the same bits wherever the
  // row sits in the block. OpenBLAS's kernels compute the rows of a row-major product in groups, and some sum the rows
  // of a group otherwise by their place in it (its float32 kernel for Haswell, chosen where OPENBLAS_CORETYPE=Haswell:
  // rows 6–11 of every 12 otherwise than rows 0–5, up to 6e-8 apart after a softmax). In a prediction such a shape
  // runs on loops that sum every row alike (WebAssembly's for float32, the reference's for float64); whether a shape
  // is such is checked once, on random operands (rowExact). (The product turned round, Bᵀ·Aᵀ, which puts the rows
  // along the kernel's vector lanes, was tried: that kernel sums it by place too.)
  /** Whether a prediction block's forward pass is running now. */
  let predictingNow = false;
  /** Per product shape met in a prediction: whether its BLAS call is row-exact, once checked. */
  const rowExactShapes = new Map<number | string, boolean>();

  function predicting<T>(body: () => T): T {
    if (predictingNow) return body();
    predictingNow = true;
    try {
      return body();
    } finally {
      predictingNow = false;
    }
  }

  /**
   * Whether the one-thread BLAS call gives each row of the product out (m × n) = α A (m × k) · B (k × n) + β out the
   * same bits at every place: on random operands, the product of A with its rows moved one place up (and the same done
   * to out's rows) must be the first product's rows moved. A kernel that sums rows by their place otherwise shows it in
   * some of the m · n sums, as good as certainly.
   */
  function rowExact(f32: boolean, m: number, n: number, k: number, alpha: number, beta: number): boolean {
    if (m < 2) return true;
    const made: Matrix[] = [];
    const scratch = (rows: number, cols: number, seed: number): Matrix => {
      const s = randomMatrix(rows, cols, seed, f32);
      made.push(s);
      return s;
    };
    const moved = (x: Matrix): Matrix => {
      const y = scratch(x.rows, x.cols, 0);
      y.data.set(x.data.subarray(x.cols));
      y.data.set(x.data.subarray(0, x.cols), (x.rows - 1) * x.cols);
      return y;
    };
    try {
      const a = scratch(m, k, 5), b = scratch(k, n, 6), one = scratch(m, n, 7), two = moved(one);
      runWay(1, f32, a, false, b, false, one, m, n, k, alpha, beta);
      runWay(1, f32, moved(a), false, b, false, two, m, n, k, alpha, beta);
      // Row i of the moved product is row i + 1 of the first (the last, row 0).
      for (let i = 0; i < m; i++) {
        const from = ((i + 1) % m) * n;
        for (let j = 0; j < n; j++) if (!Object.is(two.data[i * n + j], one.data[from + j])) return false;
      }
      return true;
    } finally {
      for (const s of made) wasm.release!(s);
    }
  }

  /**
   * In a prediction: runs a shape whose BLAS call is not row-exact on loops that sum every row alike (true), or leaves
   * it to gemm (false).
   */
  function predictOtherwise(key: number | string, f32: boolean, a: Matrix, b: Matrix, out: Matrix, m: number, n: number, k: number,
    alpha: number, beta: number): boolean {
    let exact = rowExactShapes.get(key);
    if (exact === undefined) {
      exact = rowExact(f32, m, n, k, alpha, beta);
      if (rowExactShapes.size >= 256) rowExactShapes.clear();
      rowExactShapes.set(key, exact);
    }
    if (exact) return false;
    if (f32 && wasm.owns!(a) && wasm.owns!(b) && wasm.owns!(out)) wasm.gemm(a, false, b, false, out, alpha, beta);
    else referenceKernels.gemm(a, false, b, false, out, alpha, beta);
    return true;
  }

  // Element-wise work large enough to share (the batch's row gather, the optimizer step over every parameter) runs in
  // shares on the team where the team is running and timing says it pays: each output value is one thread's either way.
  /** Whether the team is running and ready; element-wise work never starts it. */
  const teamRunning = (): boolean => team !== null && teamStarted > 0 && !team.failed() && team.ready();
  const teamWays = ways.filter((w) => w < 0);

  /**
   * Runs `kernel` over [0, count) in as many shares (each a multiple of `align` long, but the last) as the planner picks
   * for `key` (timed like the products), `args(from, to)` giving a share's arguments; `name` says what it is in a plan.
   */
  function inShares(key: string, name: string, count: number, align: number, kernel: TeamCall, args: (from: number, to: number) => number[]): void {
    let candidate: number, trial: boolean;
    // In a training step, the step's way (its team, or one thread); elsewhere this work's own plan.
    if (stepWay !== null) [candidate, trial] = [stepWay < 0 ? stepWay : 1, false];
    else {
      if (!planner.has(key)) addPlan(key, name, pinned ? [-most] : [1, ...teamWays]);
      ({ candidate, trial } = planner.next(key));
    }
    const start = trial ? performance.now() : 0;
    const call = wasm.exports[kernel] as (...a: number[]) => void;
    if (candidate === 1) call(...args(0, count));
    else {
      const parts = -candidate, step = Math.ceil(count / parts / align) * align;
      const shares: KernelShare[] = [];
      for (let p = 0; p * step < count; p++) shares.push({ kernel, args: args(p * step, Math.min(count, (p + 1) * step)) });
      team!.run(shares, (job: Job) => call(...(job as KernelShare).args));
    }
    if (trial) planner.record(key, candidate, performance.now() - start);
  }

  // The next batch's rows, gathered by a helper in the background (prefetchRows) in the time it would otherwise wait
  // for the calling thread's work alone (element-wise kernels, small products, the JavaScript between steps), until
  // the gatherRows that asks for them takes what is done and gathers the rest.
  /** The batch being gathered in the background: its source, destination, first row in the order, and row indices. */
  let prefetch: { src: FloatArray; dst: FloatArray; start: number; order: Uint32Array } | null = null;
  /** Batches gatherRows took from a background gather, their rows, and how many of those were in place by then. */
  const counts = { batches: 0, rows: 0, ahead: 0 };
  /** Where the background gather's row indices live in the shared memory (its own: placeOrder's are the next call's). */
  let prefetchOrder: Matrix | null = null;

  /** Stops the background gather, if any: answers how many of its rows are in place (0 where there was none). */
  function stopPrefetch(): number {
    if (!prefetch) return 0;
    prefetch = null;
    return team ? team.stopBackground() : 0;
  }

  /** Whether rows of `src` may be gathered into `dst` on the team (sizes, types, and both in the shared memory). */
  const shareableGather = (src: Matrix, dst: Matrix): boolean => {
    const size = dst.data.BYTES_PER_ELEMENT;
    return dst.rows * dst.cols * size >= SHARED_BYTES && teamRunning() && src.cols === dst.cols && src.data.BYTES_PER_ELEMENT === size &&
      wasm.owns!(src) && wasm.owns!(dst);
  };

  function prefetchRows(src: Matrix, order: Uint32Array, start: number, dst: Matrix): void {
    stopPrefetch();
    // Only where the step runs on the team (outside steps: where products are pinned to it), whose helper waits between
    // its shares: a step on one thread keeps to one thread.
    const onTeam = stepWay !== null ? stepWay < 0 : pinned;
    if (!onTeam || !shareableGather(src, dst) || start < 0 || start + dst.rows > order.length) return;
    const rows = dst.rows, rowBytes = dst.cols * dst.data.BYTES_PER_ELEMENT;
    if (!prefetchOrder || prefetchOrder.data.length < rows) {
      if (prefetchOrder) wasm.release!(prefetchOrder);
      prefetchOrder = wasm.allocate!(1, rows, 'float32');
    }
    const indices = new Uint32Array(prefetchOrder.data.buffer, prefetchOrder.data.byteOffset, rows);
    indices.set(order.subarray(start, start + rows));
    prefetch = { src: src.data, dst: dst.data, start, order: indices };
    // About 4 KB a chunk: the helper looks whether to stop between chunks, and the caller waits for at most one.
    team!.gatherInBackground({ rowBytes, src: src.data.byteOffset, order: indices.byteOffset, dst: dst.data.byteOffset, rows,
      chunk: Math.max(1, Math.floor(4096 / rowBytes)) });
  }

  function gatherRows(src: Matrix, order: Uint32Array, start: number, dst: Matrix): boolean {
    // Rows a background gather has put in place for exactly this call are not gathered again.
    const ahead = prefetch;
    let from = stopPrefetch();
    const same = ahead !== null && ahead.src === src.data && ahead.dst === dst.data && ahead.start === start && ahead.order.length === dst.rows;
    if (!same) from = 0;
    // (Rows gathered by an order that has changed since are gathered again.)
    else for (let r = 0; r < from; r++) if (ahead.order[r] !== order[start + r]) from = 0;
    if (same) {
      counts.batches++;
      counts.rows += dst.rows;
      counts.ahead += from;
    }
    if (from >= dst.rows) return true;
    const size = dst.data.BYTES_PER_ELEMENT, rowBytes = dst.cols * size;
    const rest = from === 0 ? dst : { rows: dst.rows - from, cols: dst.cols, data: dst.data.subarray(from * dst.cols) };
    if (!shareableGather(src, dst)) {
      if (from === 0) return wasm.gatherRows!(src, order, start, dst);
      const at = wasm.placeOrder(order, start + from, rest.rows);
      if (at < 0) return false;
      wasm.exports.gatherRows(rest.rows, rowBytes, src.data.byteOffset, at, rest.data.byteOffset);
      return true;
    }
    const at = wasm.placeOrder(order, start + from, rest.rows);
    if (at < 0) return false;
    inShares(`gather ${rowBytes} ${dst.rows}`, `gathering ${dst.rows} rows of ${rowBytes} bytes`, rest.rows, 1, 'gatherRows',
      (a, b) => [b - a, rowBytes, src.data.byteOffset, at + 4 * a, rest.data.byteOffset + a * rowBytes]);
    return true;
  }

  function axpy(alpha: number, x: Matrix, y: Matrix): void {
    const n = x.data.length, f64 = x.data instanceof Float64Array;
    if (n < SHARED_BYTES / 4 || !teamRunning() || y.data.length !== n || !(y.data instanceof (f64 ? Float64Array : Float32Array)) ||
      !wasm.owns!(x) || !wasm.owns!(y)) {
      wasm.axpy(alpha, x, y);
      return;
    }
    const size = f64 ? 8 : 4;
    inShares(`axpy ${n} ${size}`, `axpy of ${n} ${f64 ? 'float64' : 'float32'}s`, n, 16, f64 ? 'axpy64' : 'axpy',
      (from, to) => [to - from, alpha, x.data.byteOffset + from * size, y.data.byteOffset + from * size]);
  }

  // Training steps: where the team is running, each step runs one way throughout (every shareable product and kernel
  // share on one thread, or on t of the team's threads), and whole steps are timed in turn to choose it. A product's
  // own timing misses what a step pays for changing ways from one product to the next (helpers waking, caches), so
  // the whole step is what is timed.
  /** The way of the training step running now, or null outside one (each product then follows its shape's plan). */
  let stepWay: number | null = null;
  // Each way counts as the median of its trials: the team's steps vary with the other jobs on the cores, and its
  // fastest trial promises more than a run of steps gets.
  const stepPlanner = new Planner<string>({ keep: 64, blocks: true, clockEvery: 1, estimate: 'median', now });
  /**
   * Per step key: the batch rows its steps are timed at (other sizes, a last short batch, take the choice untimed), its
   * trial length, and whether its steps have a product of TEAM_START_MULTIPLY_ADDS or more (the team should win).
   */
  const stepShape = new Map<string, { rows: number; steps: number; large: boolean }>();
  /** Whether the step running now has met a product of TEAM_START_MULTIPLY_ADDS or more. */
  let largeInStep = false;
  /** The trial running for a step key: its way, the milliseconds of untimed steps still to run, the timed steps done, their milliseconds. */
  const stepTrials = new Map<string, { way: number; warm: number; done: number; ms: number }>();
  /** The way the last step ran (of any key): a trial of a way on more threads warms up first. */
  let lastStepWay = 1;
  const stepWays = [1, ...teamWays];

  function runStep<T>(way: number, body: () => T): T {
    stepWay = lastStepWay = way;
    largeInStep = false;
    try {
      return body();
    } finally {
      stepWay = null;
    }
  }

  function step<T>(key: string, rows: number, body: () => T): T {
    if (pinned || stepWay !== null || !teamRunning()) return body();
    const shape = stepShape.get(key);
    if (!shape || !stepPlanner.has(key)) {
      // The first step of this key with the team running: on one thread, timed, to size the trials.
      const start = now();
      const result = runStep(1, body);
      const ms = now() - start;
      if (stepShape.size >= 64) stepShape.clear();
      stepShape.set(key, { rows, steps: Math.max(1, Math.min(STEPS_PER_TRIAL, Math.ceil(trialMs / ms))), large: largeInStep });
      const forgotten = stepPlanner.add(key, stepWays);
      if (forgotten !== undefined) stepTrials.delete(forgotten);
      return result;
    }
    if (rows !== shape.rows) return runStep(stepPlanner.plan(key)!.chosen, body);
    let trial = stepTrials.get(key);
    if (!trial) {
      const next = stepPlanner.next(key);
      if (!next.trial) return runStep(next.candidate, body);
      // The first round warms twice as long: it runs just after the team's threads started.
      const warm = Math.abs(next.candidate) > Math.abs(lastStepWay) ? warmMs * (stepPlanner.plan(key)!.rounds === 0 ? 2 : 1) : 0;
      trial = { way: next.candidate, warm, done: 0, ms: 0 };
      stepTrials.set(key, trial);
    }
    const start = now();
    const result = runStep(trial.way, body);
    const ms = now() - start;
    if (trial.warm > 0) trial.warm = ms > 0 ? Math.max(0, trial.warm - ms) : 0;
    else {
      trial.ms += ms;
      trial.done++;
      // A trial already CUT_STEPS times slower than the round's best ends now (on a loaded machine a way whose
      // helpers wait for a core can take tens of times the step): its mean so far is what it records.
      if (trial.done === shape.steps || trial.ms > CUT_STEPS * shape.steps * stepPlanner.bestInRound(key)) {
        stepTrials.delete(key);
        stepPlanner.record(key, trial.way, trial.ms / trial.done);
        // A first round that kept one thread for steps whose products the team should speed up: look again soon.
        const plan = stepPlanner.plan(key)!;
        if (plan.rounds === 1 && plan.chosen === 1 && shape.large) stepPlanner.recheckIn(key, soonMs);
      }
    }
    return result;
  }

  function stepPlan(key: string): StepPlan | null {
    const plan = stepPlanner.plan(key);
    if (!plan) return null;
    const times = timesByWay(plan);
    return { threads: Math.abs(plan.chosen), team: plan.chosen < 0, how: plan.measured ? 'measured' : 'untimed', times, rounds: plan.rounds };
  }

  const describe = (plan: { candidates: readonly number[]; chosen: number; measured: boolean; times: readonly number[] } | null): ProductPlan => {
    if (!plan) return { threads: 1, team: false, how: 'small', times: null };
    const threads = Math.abs(plan.chosen), team = plan.chosen < 0;
    if (pinned) return { threads, team, how: 'pinned', times: null };
    const times = timesByWay(plan);
    return { threads, team, how: plan.candidates.length === 1 ? 'only' : plan.times.length ? 'measured' : 'untimed', times };
  };

  function planProduct(m: number, n: number, k: number, transA: boolean, transB: boolean, dtype: DType, alpha = 1, beta = 0): ProductPlan {
    if (m * n * k < TIMED_MULTIPLY_ADDS || most === 1) return describe(null);
    const f32 = dtype === 'float32';
    const key = keyOf(m, n, k, transA, transB, !f32, beta);
    if (!planner.has(key)) planShape(key, f32, m, n, k, transA, transB, alpha, beta, true);
    if (!planner.plan(key)!.measured) {
      // Time it now, on scratch matrices of the shape (what gemm would otherwise do on its first calls).
      const scratch = (rows: number, cols: number): Matrix => {
        const s = wasm.allocate!(rows, cols, dtype);
        for (let i = 0; i < s.data.length; i++) s.data[i] = ((i * 7919) % 1000) / 1000 - 0.5;
        return s;
      };
      const sa = transA ? scratch(k, m) : scratch(m, k), sb = transB ? scratch(n, k) : scratch(k, n), sc = scratch(m, n);
      for (let calls = 0; !planner.plan(key)!.measured && calls < 100; calls++) gemm(sa, transA, sb, transB, sc, alpha, beta);
      for (const s of [sa, sb, sc]) wasm.release!(s);
    }
    return describe(planner.plan(key)!);
  }

  function productPlans(): { shape: string; plan: ProductPlan }[] {
    return [...planner.plans()].map(([key, plan]) => ({ shape: shapes.get(key)!.name, plan: describe(plan) }));
  }

  return {
    ...wasm,
    name: `blas (${library.description}, ${pinned || most === 1 ? `${most} thread${most === 1 ? '' : 's'}` : `1–${most} threads, timed per training step`})`,
    library,
    threads: most,
    pinned,
    gemm,
    gatherRows,
    prefetchRows,
    backgroundGathers: () => ({ ...counts }),
    // Memory going back may be where a background gather writes: it stops first.
    release: (m: Matrix) => {
      stopPrefetch();
      wasm.release!(m);
    },
    axpy,
    planProduct,
    productPlans,
    step,
    stepPlan,
    predicting,
  };
}

/** 0 for β = 0 (the output is only written), 1 for β = 1 (added to), 2 for any other β. */
function betaClass(beta: number): number {
  return beta === 0 ? 0 : beta === 1 ? 1 : 2;
}

/** The ways timed in a plan's last round, by name (a way left out of the round, far slower on its first run, has none); null before any round. */
function timesByWay(plan: { candidates: readonly number[]; times: readonly number[] }): Record<string, number> | null {
  return plan.times.length ? Object.fromEntries(plan.candidates.flatMap((c, i) => (Number.isFinite(plan.times[i]) ? [[wayName(c), plan.times[i]]] : []))) : null;
}

/** A way's name in a plan's times: "1", "2 (team)" for blocks on this backend's threads, "2 (BLAS)" for the BLAS's own. */
function wayName(way: number): string {
  return way === 1 ? '1' : way < 0 ? `${-way} (team)` : `${way} (BLAS)`;
}

/** "128×784 · 784×128 float32": op(A)'s and op(B)'s shapes (ᵀ where transposed), and β where it is not 0. */
function shapeName(m: number, n: number, k: number, transA: boolean, transB: boolean, f32: boolean, beta: number): string {
  const b = betaClass(beta);
  return `${m}×${k}${transA ? ' (Aᵀ)' : ''} · ${k}×${n}${transB ? ' (Bᵀ)' : ''} ${f32 ? 'float32' : 'float64'}${b ? `, β ${b === 1 ? '1' : 'other'}` : ''}`;
}
