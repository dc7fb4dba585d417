// The BLAS backend: matrix products, nearly all of the arithmetic, go to the system's optimized BLAS
// (sgemm for float32, dgemm for float64, on the library's own threads). Matrices live in a WebAssembly
// memory whose SIMD kernels do the element-wise work (bias add, activations and their derivatives, softmax,
// losses, optimizer steps, the fused per-example loop; f64 versions of the ones float64 networks need), and
// BLAS reads and writes that same memory in place, so nothing is copied.
import type { Kernels } from '../../core/kernels.js';
import type { Matrix } from '../../core/matrix.js';
import { referenceKernels } from '../../core/reference.js';
import { createWasmKernelsSync, type WasmKernels } from '../../core/wasm/backend.js';
import { CBLAS_NO_TRANS, CBLAS_ROW_MAJOR, CBLAS_TRANS, type BlasLibrary } from './library.js';

export interface BlasKernels extends Kernels {
  readonly library: BlasLibrary;
  /** Threads the BLAS runs products on. */
  readonly threads: number;
}

/** Which library call's thread setting is in force, so a backend that wants another count sets it before its call. */
const threadSetting = new WeakMap<BlasLibrary, number>();

/**
 * Products of fewer multiply-adds than this run on one thread. Splitting a product between threads costs a
 * wake-up and a join on every call, more than it saves below about this size: measured with OpenBLAS 0.3.21 on
 * two cores, W1's 128×784×128 products ran at 150-170 GFLOP/s on one thread and 70-130 on two, while W3's
 * 256×1024×1024 ones gain from both.
 */
export const PARALLEL_MULTIPLY_ADDS = 1 << 25;

export function createBlasKernels(library: BlasLibrary, threads: number): BlasKernels {
  const wasm: WasmKernels = createWasmKernelsSync();
  const useThreads = (wanted: number): void => {
    if (library.setThreads && threadSetting.get(library) !== wanted) {
      library.setThreads(wanted);
      threadSetting.set(library, wanted);
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
    useThreads(m * n * k >= PARALLEL_MULTIPLY_ADDS ? threads : 1);
    const ta = transA ? CBLAS_TRANS : CBLAS_NO_TRANS, tb = transB ? CBLAS_TRANS : CBLAS_NO_TRANS;
    // Row-major leading dimensions are the stored row lengths, whatever the transposition.
    if (f32) library.sgemm(CBLAS_ROW_MAJOR, ta, tb, m, n, k, alpha, A as Float32Array, a.cols, B as Float32Array, b.cols, beta, C as Float32Array, n);
    else library.dgemm(CBLAS_ROW_MAJOR, ta, tb, m, n, k, alpha, A as Float64Array, a.cols, B as Float64Array, b.cols, beta, C as Float64Array, n);
  }

  return {
    ...wasm,
    name: `blas (${library.description}, ${threads} thread${threads === 1 ? '' : 's'})`,
    library,
    threads,
    gemm,
  };
}
