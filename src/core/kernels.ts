// The narrow seam between the network and the arithmetic. Layers, losses and training call only
// these functions, so a faster backend (WASM SIMD, worker threads) replaces this object and nothing else.
import { zeros, type DType, type Matrix } from './matrix.js';

/** Leaky relu's slope below 0: shared by the activation and every backend's version of it. */
export const LEAKY_RELU_SLOPE = 0.01;

/** A scalar function applied element by element, with its derivative beside it. */
export interface ElementwiseFunction {
  /** Backends may recognise the name and run a specialised loop instead of calling output/der. */
  readonly name: string;
  /** a = f(h) */
  output(h: number): number;
  /** f′(h); a = f(h) is passed too because some derivatives are cheapest from it (σ′ = a(1 − a)). */
  der(h: number, a: number): number;
}

/** A per-element error between target y and prediction ŷ, with the seeds' error term beside it. */
export interface ElementwiseLoss {
  readonly name: string;
  /** E(y, ŷ) for one element; h is the output unit's input, for forms that are stable only from it. */
  value(y: number, yHat: number, h: number): number;
  /** −∂E/∂ŷ: the network error that the output error term scales (y − ŷ for the seeds' squared error). */
  der(y: number, yHat: number): number;
}

/** One dense layer as the fused per-example kernel sees it. */
export interface FusedLayer {
  readonly W: Matrix;
  readonly b: Matrix | null;
  readonly activation: string;
}

/** How a backend runs the training steps of one network shape (see Kernels.step). */
export interface StepPlan {
  /** Threads every shareable product of a step runs on. */
  readonly threads: number;
  /** Whether they are the backend's own threads, each running a block of the output. */
  readonly team: boolean;
  /** How that was chosen: by timing whole steps ('measured'), or not yet ('untimed': the first round runs). */
  readonly how: 'measured' | 'untimed';
  /** The fastest mean step of each way in the last round, in milliseconds, by name ("1", "2 (team)"); null before. */
  readonly times: Readonly<Record<string, number>> | null;
  /** Rounds of timing so far. */
  readonly rounds: number;
}

/** How a backend runs a matrix product of some shape (see Kernels.planProduct). */
export interface ProductPlan {
  /** Threads the product runs on. */
  readonly threads: number;
  /** Whether they are the backend's own threads, each running a block of the output (else the library's, or one). */
  readonly team: boolean;
  /**
   * How that was chosen: by timing the candidates here ('measured'), fixed by whoever made the backend ('pinned'),
   * too small a product to be worth timing or sharing ('small'), the only way that gives the one-thread result to the
   * bit ('only'), or not yet timed ('untimed').
   */
  readonly how: 'measured' | 'pinned' | 'small' | 'only' | 'untimed';
  /**
   * The fastest time of each way timed in the last round, in milliseconds, by name ("1", "2 (team)", "2 (BLAS)"); a way
   * far slower than the others on its first run is left out of the round.
   */
  readonly times: Readonly<Record<string, number>> | null;
}

export interface Kernels {
  readonly name: string;
  /**
   * Where this backend wants matrices to live (in its own memory, so products need no copies), zero-filled.
   * Optional: without it, matrices are ordinary typed arrays. Matrices allocated with the same `group` object (a
   * network, say) are taken back together, once the group and every one of them are unreachable; without a
   * group, each is taken back on its own.
   */
  allocate?(rows: number, cols: number, dtype: DType, group?: object): Matrix;
  /** Optional: hands back a matrix from allocate that will not be used again, so its memory is reused at once. */
  release?(m: Matrix): void;
  /**
   * Optional: a rows × cols matrix over elements offset.. of m (which allocate made), living where m does, as the
   * kernels see it; it keeps m's memory while it lives, and is never released on its own. Without it: a subarray.
   */
  view?(m: Matrix, offset: number, rows: number, cols: number): Matrix;
  /** Optional: whether a matrix lives where allocate puts them (so it need not be copied there). */
  owns?(m: Matrix): boolean;
  /** out = alpha · op(A) · op(B) + beta · out, where op transposes when asked. beta = 0 ignores out's contents. */
  gemm(a: Matrix, transA: boolean, b: Matrix, transB: boolean, out: Matrix, alpha: number, beta: number): void;
  /**
   * Optional: how this backend runs the product out (m × n) = α op(A) (m × k) · op(B) (k × n) + β out in this dtype, timing the
   * candidates now (on scratch matrices) where it chooses by timing and has not yet; gemm makes the same choice by
   * itself at first use. For showing what runs where (the command line's plan).
   */
  planProduct?(m: number, n: number, k: number, transA: boolean, transB: boolean, dtype: DType, alpha?: number, beta?: number): ProductPlan;
  /**
   * Optional: runs one training step (`body`: the batch's gather, forward, backward and optimizer step) and may choose
   * how every product and shared kernel in it runs, timing whole steps of `key` (a network's shape and dtype) on the
   * machine. Whatever it chooses gives the same results to the bit.
   */
  step?<T>(key: string, rows: number, body: () => T): T;
  /** Optional: how the training steps of `key` run (see step): null before any has been planned. */
  stepPlan?(key: string): StepPlan | null;
  /**
   * Optional: runs a prediction's forward pass over one block of rows (`body`), inside which every product must give a
   * row the same bits wherever the row sits in the block (see PREDICT_BLOCK_ROWS). A backend whose fastest products
   * do not (OpenBLAS's float32 kernel for Haswell sums rows 6–11 of every 12 otherwise than rows 0–5) computes those
   * shapes another way inside. Without it, the products are taken to be so already.
   */
  predicting?<T>(body: () => T): T;
  /** m[i, :] += v[0, :] for every row i: the bias add. */
  addRowVector(m: Matrix, v: Matrix): void;
  /**
   * Optional: out[i, :] = v[0, :] for every row i, so that a product with β = 1 adds onto the bias (h = b + x·W in
   * one pass over h, where gemm and then addRowVector take two).
   */
  fillRows?(v: Matrix, out: Matrix): void;
  /** out[0, j] = alpha · Σᵢ m[i, j] + beta · out[0, j]: the bias gradient. */
  sumRows(m: Matrix, out: Matrix, alpha: number, beta: number): void;
  /** out = f(x) element-wise. */
  map(f: ElementwiseFunction, x: Matrix, out: Matrix): void;
  /** out = g ⊙ f′(h), where a = f(h): the chain rule through an element-wise activation. */
  mapBackward(f: ElementwiseFunction, h: Matrix, a: Matrix, g: Matrix, out: Matrix): void;
  /** out = softmax(x) row by row, computed as exp(x − max) / Σ exp(x − max) so that nothing overflows. */
  softmax(x: Matrix, out: Matrix): void;
  /**
   * Optional, fused: the output of softmax with categorical cross-entropy in one call: a = softmax(h), δ = y − a (what
   * the pair's Jacobian collapses to for targets that sum to 1), and the returned Σ −y log a (a kept in
   * [1e-12, 1 − 1e-12], as the loss keeps it).
   */
  softmaxCrossEntropy?(h: Matrix, y: Matrix, a: Matrix, delta: Matrix): number;
  /** out = a ⊙ (g − (g·a)): softmax's Jacobian times g, row by row, where a = softmax(h). */
  softmaxBackward(a: Matrix, g: Matrix, out: Matrix): void;
  /** Σ over all elements of loss.value(y, ŷ, h). */
  lossSum(loss: ElementwiseLoss, y: Matrix, yHat: Matrix, h: Matrix): number;
  /** out = −∂E/∂ŷ element-wise. */
  lossBackward(loss: ElementwiseLoss, y: Matrix, yHat: Matrix, out: Matrix): void;
  /** out = x − y element-wise. */
  sub(x: Matrix, y: Matrix, out: Matrix): void;
  /** y += alpha · x: the weight update. */
  axpy(alpha: number, x: Matrix, y: Matrix): void;
  /** Σ x², for gradient norms and the L2 penalty. */
  sumSquares(x: Matrix): number;
  /** Σ |x|, for the L1 penalty. */
  sumAbs(x: Matrix): number;
  /** g += l1 · sign(w) + 2 · l2 · w: the gradient of the penalty l1 Σ|w| + l2 Σw². */
  addPenaltyGradient(w: Matrix, g: Matrix, l1: number, l2: number): void;
  /** Momentum: v = μv − ηg, then w += v, or w += μv − ηg with Nesterov's look-ahead. */
  momentumStep(w: Matrix, g: Matrix, v: Matrix, learningRate: number, momentum: number, nesterov: boolean): void;
  /** RMSprop: c = ρc + (1 − ρ)g², w −= ηg / (√c + ε). */
  rmspropStep(w: Matrix, g: Matrix, c: Matrix, learningRate: number, rho: number, epsilon: number): void;
  /** Adam at step t ≥ 1: m = β₁m + (1 − β₁)g, v = β₂v + (1 − β₂)g², w −= η m̂ / (√v̂ + ε) with m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ). */
  adamStep(w: Matrix, g: Matrix, m: Matrix, v: Matrix, learningRate: number, beta1: number, beta2: number, epsilon: number, t: number): void;
  /**
   * Optional: copies rows order[start..start+dst.rows) of src into dst, the gathering of a shuffled batch.
   * Returns false, having done nothing, where it cannot (matrices outside its memory).
   */
  gatherRows?(src: Matrix, order: Uint32Array, start: number, dst: Matrix): boolean;
  /**
   * Optional: may start gathering rows order[start..start+dst.rows) of src into dst in the background (on a thread
   * that would otherwise wait, as the next batch's while this one trains), for a gatherRows call with the same
   * arguments that is to follow and finishes the job. Until that call (or one of gatherRows or release with any
   * arguments, which stops it), dst is neither to be read nor written, nor src and those entries of order changed.
   */
  prefetchRows?(src: Matrix, order: Uint32Array, start: number, dst: Matrix): void;
  /**
   * Optional, fused: the seeds' loop of plain gradient descent one example at a time through a whole dense
   * network, over the rows order[start..start+count) of x and y. Returns the sum of the examples' losses, each
   * before its own step, and how many were classified right; or null, having done nothing, where it cannot
   * (an activation or loss it does not know, matrices outside its memory): callers then take the general path.
   */
  trainExamples?(layers: readonly FusedLayer[], loss: string, x: Matrix, y: Matrix, order: Uint32Array, start: number, count: number,
    learningRate: number): { loss: number; correct: number } | null;
}

/** A rows × cols matrix over elements offset.. of m, as the backend sees it (see Kernels.view). */
export function viewOf(k: Kernels, m: Matrix, offset: number, rows: number, cols: number): Matrix {
  return k.view ? k.view(m, offset, rows, cols) : { rows, cols, data: m.data.subarray(offset, offset + rows * cols) };
}

/** A zero-filled matrix where the backend wants it. */
export function allocateFor(k: Kernels, rows: number, cols: number, dtype: DType, group?: object): Matrix {
  return k.allocate ? k.allocate(rows, cols, dtype, group) : zeros(rows, cols, dtype);
}
