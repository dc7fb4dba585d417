// The plain TypeScript kernels: the reference every faster backend is tested against.
// They favour obviously-correct loops over speed; arithmetic is done in double precision and
// rounded only when stored, so float32 and float64 networks differ by storage alone.
import type { ElementwiseFunction, ElementwiseLoss, Kernels } from './kernels.js';
import type { Matrix } from './matrix.js';

function gemm(a: Matrix, transA: boolean, b: Matrix, transB: boolean, out: Matrix, alpha: number, beta: number): void {
  const m = transA ? a.cols : a.rows;
  const k = transA ? a.rows : a.cols;
  const kB = transB ? b.cols : b.rows;
  const n = transB ? b.rows : b.cols;
  if (k !== kB || out.rows !== m || out.cols !== n) {
    throw new RangeError(
      `gemm: cannot multiply ${m}×${k} by ${kB}×${n} into ${out.rows}×${out.cols}`,
    );
  }
  const A = a.data, B = b.data, C = out.data;
  // Strides that turn op(A)[i, p] into A[i * aRow + p * aCol] without branching in the loop.
  const aRow = transA ? 1 : a.cols, aCol = transA ? a.cols : 1;
  const bRow = transB ? 1 : b.cols, bCol = transB ? b.cols : 1;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let p = 0; p < k; p++) sum += A[i * aRow + p * aCol] * B[p * bRow + j * bCol];
      const c = i * n + j;
      C[c] = beta === 0 ? alpha * sum : alpha * sum + beta * C[c];
    }
  }
}

function addRowVector(m: Matrix, v: Matrix): void {
  const { rows, cols, data } = m;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) data[i * cols + j] += v.data[j];
  }
}

function sumRows(m: Matrix, out: Matrix, alpha: number, beta: number): void {
  const { rows, cols, data } = m;
  for (let j = 0; j < cols; j++) {
    let sum = 0;
    for (let i = 0; i < rows; i++) sum += data[i * cols + j];
    out.data[j] = beta === 0 ? alpha * sum : alpha * sum + beta * out.data[j];
  }
}

function map(f: ElementwiseFunction, x: Matrix, out: Matrix): void {
  const X = x.data, O = out.data;
  for (let i = 0; i < X.length; i++) O[i] = f.output(X[i]);
}

function mapBackward(f: ElementwiseFunction, h: Matrix, a: Matrix, g: Matrix, out: Matrix): void {
  const H = h.data, A = a.data, G = g.data, O = out.data;
  for (let i = 0; i < H.length; i++) O[i] = G[i] * f.der(H[i], A[i]);
}

function softmax(x: Matrix, out: Matrix): void {
  const { rows, cols } = x;
  const X = x.data, O = out.data;
  for (let i = 0; i < rows; i++) {
    const base = i * cols;
    let max = -Infinity;
    for (let j = 0; j < cols; j++) max = Math.max(max, X[base + j]);
    let sum = 0;
    for (let j = 0; j < cols; j++) {
      const e = Math.exp(X[base + j] - max);
      O[base + j] = e;
      sum += e;
    }
    for (let j = 0; j < cols; j++) O[base + j] /= sum;
  }
}

function fillRows(v: Matrix, out: Matrix): void {
  const { rows, cols, data } = out;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) data[i * cols + j] = v.data[j];
  }
}

function softmaxCrossEntropy(h: Matrix, y: Matrix, a: Matrix, delta: Matrix): number {
  softmax(h, a);
  const Y = y.data, A = a.data, D = delta.data;
  let loss = 0;
  for (let i = 0; i < Y.length; i++) {
    D[i] = Y[i] - A[i];
    if (Y[i] !== 0) loss -= Y[i] * Math.log(A[i] < 1e-12 ? 1e-12 : A[i] > 1 - 1e-12 ? 1 - 1e-12 : A[i]);
  }
  return loss;
}

function softmaxBackward(a: Matrix, g: Matrix, out: Matrix): void {
  const { rows, cols } = a;
  const A = a.data, G = g.data, O = out.data;
  for (let i = 0; i < rows; i++) {
    const base = i * cols;
    let dot = 0;
    for (let j = 0; j < cols; j++) dot += G[base + j] * A[base + j];
    for (let j = 0; j < cols; j++) O[base + j] = A[base + j] * (G[base + j] - dot);
  }
}

function lossSum(loss: ElementwiseLoss, y: Matrix, yHat: Matrix, h: Matrix): number {
  const Y = y.data, P = yHat.data, H = h.data;
  let sum = 0;
  for (let i = 0; i < Y.length; i++) sum += loss.value(Y[i], P[i], H[i]);
  return sum;
}

function lossBackward(loss: ElementwiseLoss, y: Matrix, yHat: Matrix, out: Matrix): void {
  const Y = y.data, P = yHat.data, O = out.data;
  for (let i = 0; i < Y.length; i++) O[i] = loss.der(Y[i], P[i]);
}

function sub(x: Matrix, y: Matrix, out: Matrix): void {
  const X = x.data, Y = y.data, O = out.data;
  for (let i = 0; i < X.length; i++) O[i] = X[i] - Y[i];
}

function axpy(alpha: number, x: Matrix, y: Matrix): void {
  const X = x.data, Y = y.data;
  for (let i = 0; i < X.length; i++) Y[i] += alpha * X[i];
}

function sumSquares(x: Matrix): number {
  const X = x.data;
  let sum = 0;
  for (let i = 0; i < X.length; i++) sum += X[i] * X[i];
  return sum;
}

function sumAbs(x: Matrix): number {
  const X = x.data;
  let sum = 0;
  for (let i = 0; i < X.length; i++) sum += Math.abs(X[i]);
  return sum;
}

function addPenaltyGradient(w: Matrix, g: Matrix, l1: number, l2: number): void {
  const W = w.data, G = g.data;
  for (let i = 0; i < W.length; i++) G[i] += l1 * Math.sign(W[i]) + 2 * l2 * W[i];
}

function momentumStep(w: Matrix, g: Matrix, v: Matrix, learningRate: number, momentum: number, nesterov: boolean): void {
  const W = w.data, G = g.data, V = v.data;
  for (let i = 0; i < W.length; i++) {
    V[i] = momentum * V[i] - learningRate * G[i];
    W[i] += nesterov ? momentum * V[i] - learningRate * G[i] : V[i];
  }
}

function rmspropStep(w: Matrix, g: Matrix, c: Matrix, learningRate: number, rho: number, epsilon: number): void {
  const W = w.data, G = g.data, C = c.data;
  for (let i = 0; i < W.length; i++) {
    C[i] = rho * C[i] + (1 - rho) * G[i] * G[i];
    W[i] -= (learningRate * G[i]) / (Math.sqrt(C[i]) + epsilon);
  }
}

function adamStep(w: Matrix, g: Matrix, m: Matrix, v: Matrix, learningRate: number, beta1: number, beta2: number, epsilon: number, t: number): void {
  const W = w.data, G = g.data, M = m.data, V = v.data;
  const c1 = 1 / (1 - beta1 ** t), c2 = 1 / (1 - beta2 ** t);
  for (let i = 0; i < W.length; i++) {
    M[i] = beta1 * M[i] + (1 - beta1) * G[i];
    V[i] = beta2 * V[i] + (1 - beta2) * G[i] * G[i];
    W[i] -= (learningRate * M[i] * c1) / (Math.sqrt(V[i] * c2) + epsilon);
  }
}

export const referenceKernels: Kernels = {
  name: 'reference',
  gemm,
  addRowVector,
  fillRows,
  sumRows,
  map,
  mapBackward,
  softmax,
  softmaxCrossEntropy,
  softmaxBackward,
  lossSum,
  lossBackward,
  sub,
  axpy,
  sumSquares,
  sumAbs,
  addPenaltyGradient,
  momentumStep,
  rmspropStep,
  adamStep,
};
