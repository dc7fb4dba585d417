// The BLAS backend: matrix products, nearly all of the arithmetic, go to the system's optimized BLAS
// (sgemm for float32, dgemm for float64, on the library's own threads); everything else runs where it is
// cheapest. float32 matrices live in a WebAssembly memory whose SIMD kernels do the element-wise work (bias
// add, activations and their derivatives, softmax, losses, optimizer steps, the fused per-example loop), and
// BLAS reads and writes that same memory, so nothing is copied. float64 matrices are ordinary arrays with
// element-wise loops of their own below.
import type { ElementwiseFunction, Kernels } from '../../core/kernels.js';
import { LEAKY_RELU_SLOPE } from '../../core/kernels.js';
import type { Matrix } from '../../core/matrix.js';
import { referenceKernels } from '../../core/reference.js';
import { createWasmKernels, type WasmKernels } from '../../core/wasm/backend.js';
import { CBLAS_NO_TRANS, CBLAS_ROW_MAJOR, CBLAS_TRANS, type BlasLibrary } from './library.js';

export interface BlasKernels extends Kernels {
  readonly library: BlasLibrary;
  /** Threads the BLAS runs products on. */
  readonly threads: number;
}

/** Which library call's thread setting is in force, so a backend that wants another count sets it before its call. */
const threadSetting = new WeakMap<BlasLibrary, number>();

export async function createBlasKernels(library: BlasLibrary, threads: number): Promise<BlasKernels> {
  const wasm: WasmKernels = await createWasmKernels({ helpers: 0 });
  const useThreads = (): void => {
    if (library.setThreads && threadSetting.get(library) !== threads) {
      library.setThreads(threads);
      threadSetting.set(library, threads);
    }
  };

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
    useThreads();
    const ta = transA ? CBLAS_TRANS : CBLAS_NO_TRANS, tb = transB ? CBLAS_TRANS : CBLAS_NO_TRANS;
    // Row-major leading dimensions are the stored row lengths, whatever the transposition.
    if (f32) library.sgemm(CBLAS_ROW_MAJOR, ta, tb, m, n, k, alpha, A as Float32Array, a.cols, B as Float32Array, b.cols, beta, C as Float32Array, n);
    else library.dgemm(CBLAS_ROW_MAJOR, ta, tb, m, n, k, alpha, A as Float64Array, a.cols, B as Float64Array, b.cols, beta, C as Float64Array, n);
  }

  const f64 = (m: Matrix): m is Matrix & { data: Float64Array } => m.data instanceof Float64Array;

  return {
    ...wasm,
    name: `blas (${library.description}, ${threads} thread${threads === 1 ? '' : 's'})`,
    library,
    threads,
    gemm,
    // float64 element-wise work in tight loops of its own; float32 goes to the WebAssembly kernels.
    addRowVector: (m, v) => (f64(m) && f64(v) ? addRowVector64(m.data, v.data, m.rows, m.cols) : wasm.addRowVector(m, v)),
    sumRows: (m, out, alpha, beta) => (f64(m) && f64(out) ? sumRows64(m.data, out.data, m.rows, m.cols, alpha, beta) : wasm.sumRows(m, out, alpha, beta)),
    map: (f, x, out) => (f64(x) && f64(out) ? map64(f, x.data, out.data) : wasm.map(f, x, out)),
    mapBackward: (f, h, a, g, out) => (f64(h) && f64(a) && f64(g) && f64(out) ? mapBackward64(f, h.data, a.data, g.data, out.data) : wasm.mapBackward(f, h, a, g, out)),
    axpy: (alpha, x, y) => (f64(x) && f64(y) ? axpy64(alpha, x.data, y.data) : wasm.axpy(alpha, x, y)),
    sub: (x, y, out) => (f64(x) && f64(y) && f64(out) ? sub64(x.data, y.data, out.data) : wasm.sub(x, y, out)),
  };
}

function addRowVector64(M: Float64Array, V: Float64Array, rows: number, cols: number): void {
  for (let i = 0, base = 0; i < rows; i++, base += cols) {
    for (let j = 0; j < cols; j++) M[base + j] += V[j];
  }
}

/** Column sums for sumRows64, kept between calls so a batch allocates nothing. */
let sumScratch = new Float64Array(64);

function sumRows64(M: Float64Array, O: Float64Array, rows: number, cols: number, alpha: number, beta: number): void {
  // Row by row, so memory is read in order; each column's sum adds the same terms in the same order as the reference.
  if (sumScratch.length < cols) sumScratch = new Float64Array(Math.max(cols, 2 * sumScratch.length));
  const sums = sumScratch;
  sums.fill(0, 0, cols);
  for (let i = 0, base = 0; i < rows; i++, base += cols) {
    for (let j = 0; j < cols; j++) sums[j] += M[base + j];
  }
  for (let j = 0; j < cols; j++) O[j] = beta === 0 ? alpha * sums[j] : alpha * sums[j] + beta * O[j];
}

function map64(f: ElementwiseFunction, X: Float64Array, O: Float64Array): void {
  const n = X.length;
  switch (f.name) {
    case 'relu':
      for (let i = 0; i < n; i++) O[i] = X[i] > 0 ? X[i] : 0;
      return;
    case 'leaky-relu':
      for (let i = 0; i < n; i++) O[i] = X[i] > 0 ? X[i] : LEAKY_RELU_SLOPE * X[i];
      return;
    case 'linear':
      O.set(X);
      return;
    default:
      for (let i = 0; i < n; i++) O[i] = f.output(X[i]);
  }
}

function mapBackward64(f: ElementwiseFunction, H: Float64Array, A: Float64Array, G: Float64Array, O: Float64Array): void {
  const n = H.length;
  switch (f.name) {
    case 'relu':
      for (let i = 0; i < n; i++) O[i] = H[i] > 0 ? G[i] : 0;
      return;
    case 'sigmoid':
      for (let i = 0; i < n; i++) O[i] = G[i] * (A[i] * (1 - A[i]));
      return;
    case 'tanh':
      for (let i = 0; i < n; i++) O[i] = G[i] * (1 - A[i] * A[i]);
      return;
    default:
      for (let i = 0; i < n; i++) O[i] = G[i] * f.der(H[i], A[i]);
  }
}

function axpy64(alpha: number, X: Float64Array, Y: Float64Array): void {
  for (let i = 0; i < X.length; i++) Y[i] += alpha * X[i];
}

function sub64(X: Float64Array, Y: Float64Array, O: Float64Array): void {
  for (let i = 0; i < X.length; i++) O[i] = X[i] - Y[i];
}
