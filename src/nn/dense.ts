// A fully connected layer: weights W (inputs × units), an optional bias b, and an activation f.
// Forward and backward sit together so each line of the backward pass can be checked against the forward.
import { allocateFor, type Kernels } from '../core/kernels.js';
import type { DType, Matrix } from '../core/matrix.js';
import type { Random } from '../core/random.js';
import type { Activation } from './activations.js';

/** The per-batch values of one layer, allocated once per batch size and reused. */
export interface DenseBuffers {
  /** h = x·W + b: each unit's total input (N × units). */
  readonly h: Matrix;
  /** a = f(h): each unit's output (N × units). */
  readonly a: Matrix;
  /** δ = −∂E/∂h: the layer's error term (N × units). */
  readonly delta: Matrix;
  /** e = δ·Wᵀ: the error carried back to the layer below, before its own f′ (N × inputs); null for the first layer. */
  readonly back: Matrix | null;
}

/** A layer's parameters and gradients, placed by its network. */
export interface LayerStorage {
  readonly W: Matrix;
  readonly b: Matrix | null;
  readonly gradW: Matrix;
  readonly gradB: Matrix | null;
}

/**
 * Weights from which a plain gradient descent step taken in the backward pass goes inside the gradient product (see
 * Dense.backward). Below it the gradient is written and then added, as the optimizer would: a small layer's pass
 * over its weights costs little, and a BLAS may compute a small product's blocks by another path when it adds onto
 * its output (OpenBLAS's small-matrix kernels), so a shared small product would have to run on one thread.
 */
export const IN_PRODUCT_WEIGHTS = 1 << 15;

export class Dense {
  /** W[i, j] connects input i to unit j, as in the seeds' wᵢⱼ. */
  readonly W: Matrix;
  readonly b: Matrix | null;
  /** ∂E/∂W, averaged over the batch. The seeds' weight step is ΔW = −η · gradW. */
  readonly gradW: Matrix;
  /** ∂E/∂b, averaged over the batch. */
  readonly gradB: Matrix | null;

  constructor(
    readonly inputs: number,
    readonly units: number,
    readonly activation: Activation,
    useBias: boolean,
    dtype: DType,
    private readonly kernels: Kernels,
    /** The owner whose matrices the backend takes back together (the network). */
    private readonly group?: object,
    /** Where W, b and their gradients live, if the caller has placed them (a network keeps all its parameters in one block). */
    storage?: LayerStorage,
  ) {
    this.W = storage?.W ?? allocateFor(kernels, inputs, units, dtype, group);
    this.gradW = storage?.gradW ?? allocateFor(kernels, inputs, units, dtype, group);
    this.b = useBias ? storage?.b ?? allocateFor(kernels, 1, units, dtype, group) : null;
    this.gradB = useBias ? storage?.gradB ?? allocateFor(kernels, 1, units, dtype, group) : null;
  }

  /** Glorot uniform limit √(6 / (in + out)) for sigmoid-like units, He uniform √(6 / in) for the relu family; biases start at 0. */
  initialize(random: Random): void {
    const limit = this.activation.init === 'he'
      ? Math.sqrt(6 / this.inputs)
      : Math.sqrt(6 / (this.inputs + this.units));
    const w = this.W.data;
    for (let i = 0; i < w.length; i++) w[i] = random.uniform(-limit, limit);
    this.b?.data.fill(0);
  }

  allocate(rows: number, dtype: DType, first: boolean): DenseBuffers {
    return {
      h: allocateFor(this.kernels, rows, this.units, dtype, this.group),
      a: allocateFor(this.kernels, rows, this.units, dtype, this.group),
      delta: allocateFor(this.kernels, rows, this.units, dtype, this.group),
      back: first ? null : allocateFor(this.kernels, rows, this.inputs, dtype, this.group),
    };
  }

  // Forward: h = x·W + b, a = f(h). The product adds onto b where the backend fills rows (β = 1): one pass over h, not two.
  // With `output` false it stops at h (the output layer's softmax with cross-entropy is fused with the loss).
  forward(k: Kernels, x: Matrix, buf: DenseBuffers, output = true): void {
    if (this.b && k.fillRows) {
      k.fillRows(this.b, buf.h);
      k.gemm(x, false, this.W, false, buf.h, 1, 1);
    } else {
      k.gemm(x, false, this.W, false, buf.h, 1, 0);
      if (this.b) k.addRowVector(buf.h, this.b);
    }
    if (output) this.activation.forward(k, buf.h, buf.a);
  }

  // Error term from the layer above: δ = e ⊙ f′(h), the seeds' δʰⱼ = Σₖ Wⱼₖ δₖ f′(hⱼ) once e = δ·Wᵀ.
  errorTerm(k: Kernels, e: Matrix, buf: DenseBuffers): void {
    this.activation.backward(k, buf.h, buf.a, e, buf.delta);
  }

  // Backward, given δ: ∂E/∂W = −(1/N) xᵀ·δ, ∂E/∂b = −(1/N) Σₙ δ, and e = δ·Wᵀ for the layer below.
  // With `sgdStep` (η of plain gradient descent) the layer also takes its step, W −= η ∂E/∂W and b −= η ∂E/∂b, once e
  // is taken (from the W of the forward pass). A layer of IN_PRODUCT_WEIGHTS weights or more adds its step straight
  // into W inside the gradient product, W += (η/N) xᵀ·δ (β = 1): ∂E/∂W is then neither written nor read back.
  backward(k: Kernels, x: Matrix, buf: DenseBuffers, sgdStep?: number): void {
    const scale = -1 / x.rows;
    const inProduct = sgdStep !== undefined && this.W.data.length >= IN_PRODUCT_WEIGHTS;
    if (!inProduct) k.gemm(x, true, buf.delta, false, this.gradW, scale, 0);
    if (this.gradB) k.sumRows(buf.delta, this.gradB, scale, 0);
    if (buf.back) k.gemm(buf.delta, false, this.W, true, buf.back, 1, 0);
    if (sgdStep === undefined) return;
    if (inProduct) k.gemm(x, true, buf.delta, false, this.W, sgdStep / x.rows, 1);
    else k.axpy(-sgdStep, this.gradW, this.W);
    if (this.b && this.gradB) k.axpy(-sgdStep, this.gradB, this.b);
  }

  /** Plain gradient descent, the seeds' rule: W += ΔW with ΔW = −η ∂E/∂W. */
  step(k: Kernels, learningRate: number): void {
    k.axpy(-learningRate, this.gradW, this.W);
    if (this.b && this.gradB) k.axpy(-learningRate, this.gradB, this.b);
  }
}
