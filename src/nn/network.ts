// A sequential multilayer perceptron trained by backpropagation, in the seeds' four steps:
// forward pass, network error and output error term, hidden error terms carried back, weight steps.
import { BackpropError, checkOptions, shown } from '../core/errors.js';
import { chooseKernels, defaultKernels, type BackendChoice } from '../core/backends.js';
import { allocateFor, viewOf, type Kernels, type ProductPlan } from '../core/kernels.js';
import { finiteIn, FLOAT32_MAX, toRows, zeros, type DType, type Matrix } from '../core/matrix.js';
import { Random } from '../core/random.js';
import { getActivation } from './activations.js';
import { Dense, type DenseBuffers, type LayerStorage } from './dense.js';
import { applyMask, fillMask, maskInPlace, type DropoutMasks } from './dropout.js';
import { toBatch, type BatchInput } from './input.js';
import { getLoss, type Loss } from './losses.js';
import { resolveSpec, type NetworkSpec, type ResolvedSpec } from './spec.js';

export interface NetworkOptions {
  /** The arithmetic backend; the plain TypeScript reference by default (see Network.create for 'auto'). */
  kernels?: Kernels;
}

/** One layer's parameters as plain arrays: weights[i][j] connects input i to unit j. */
export interface LayerWeights {
  weights: number[][];
  bias: number[] | null;
}

/** ‖∂E/∂W‖ and ‖∂E/∂b‖ of one layer after a backward pass: the vanishing-gradient diagnostic. */
export interface LayerGradientNorm {
  layer: number;
  weights: number;
  bias: number | null;
}

/** One trainable matrix with its gradient, both live: optimizers update value in place. */
export interface Parameter {
  layer: number;
  kind: 'weights' | 'bias';
  value: Matrix;
  /** ∂E/∂value from the last backward pass. */
  grad: Matrix;
}

/** Buffers for one batch size: every layer's h, a, δ and e, plus scratch for −∂E/∂ŷ. */
interface Workspace {
  readonly layers: DenseBuffers[];
  readonly g: Matrix;
  /** a ⊙ m of the layers that drop units, made the first time a pass has masks. */
  readonly dropped: (Matrix | null)[];
}

/**
 * Every weight and bias of a network in one block and every gradient in another, laid out alike: all the layers'
 * weights first, then their biases, each part starting on 64 bytes (the gaps hold zeros, in values and gradients alike,
 * so every update leaves them zero). An optimizer steps the whole network in one kernel call, and the weight penalties
 * see the weights as one run.
 */
export interface FlatParameters {
  /** Every parameter: 1 × size. */
  readonly values: Matrix;
  /** ∂E/∂ of every parameter, in the same places. */
  readonly grads: Matrix;
  /** The weights alone: the first elements of values (biases are not penalised or decayed). */
  readonly weights: Matrix;
  /** Their gradients: the first elements of grads. */
  readonly weightGrads: Matrix;
}

/** The network's parameters, in layer order, and where the network keeps them all in one block. */
export type ParameterList = readonly Parameter[] & { readonly block?: FlatParameters };

/** How the backend runs one layer's three products for a batch size (see Network.productPlans). */
export interface LayerProducts {
  layer: number;
  /** h = x·W */
  forward: ProductPlan;
  /** ∂E/∂W = −(1/N) xᵀ·δ */
  gradient: ProductPlan;
  /** e = δ·Wᵀ, carried to the layer below: null for the first layer, which has no layer below to carry it to. */
  back: ProductPlan | null;
}

/** What a training pass may add to the plain forward and backward (see Network.pass). */
export interface PassOptions {
  /** Dropout masks, one per layer (null for none), each rows × units: a layer's output is a ⊙ m. */
  masks?: DropoutMasks;
  /**
   * A weight per row: the loss becomes E = (1/N) Σₙ wₙ Eₙ, so each row's δᵒ is multiplied by wₙ.
   * Class weights give every row of a class the same wₙ.
   */
  rowWeights?: ArrayLike<number>;
  /**
   * Plain gradient descent at this learning rate, taken inside the backward pass, each layer's step as soon as its
   * gradient is there (see Dense.backward): a large layer adds its weight step into W inside the gradient product (W
   * += (η/N) xᵀ·δ, β = 1), so its weight gradient is not kept (gradW holds an earlier pass's). The same step as sgd's
   * W −= η ∂E/∂W, rounded once fewer. A loss that is not finite takes no step, and every gradient is then kept.
   */
  sgdStep?: number;
}

/** How many batch sizes keep their buffers: the training batch, the last partial batch, validation, and predictions. */
const WORKSPACES_KEPT = 4;

/**
 * Rows predicted at a time. A matrix product's result for one row can depend on the rows beside it: BLAS kernels
 * compute rows in groups (of 2, 4, 6, 8 or 12 by CPU), the last group by other code, and gemv for a single row, so
 * the same record came out differently alone and in a batch (by up to 6e-8 in float32, a few units in the last place
 * in float64, on WebAssembly too). Predictions go through products of one shape, blocks of this many rows, the last
 * one padded with zero rows, so a row's outputs are bit for bit the same whatever shares its batch. 96 is a multiple
 * of every such grouping, also when two threads split a block. Where a kernel also sums rows within a group
 * differently by their place in it, the backend says so (Kernels.predicting) and takes another way for the block.
 */
export const PREDICT_BLOCK_ROWS = 96;

export class Network {
  readonly spec: ResolvedSpec;
  readonly layers: readonly Dense[];
  readonly loss: Loss;
  readonly kernels: Kernels;
  /** Every weight and bias matrix with its gradient, in layer order (and all of them in one block: parameters.block). */
  readonly parameters: ParameterList;
  private readonly workspaces = new Map<number, Workspace>();
  /** Input buffers of prediction blocks, by rows. */
  private readonly blockInputs = new Map<number, Matrix>();

  constructor(spec: NetworkSpec, options: NetworkOptions = {}) {
    options = checkOptions(options, ['kernels'], 'Network options');
    this.spec = resolveSpec(spec);
    // Without kernels named: the fastest had at once (BLAS with backprop/node, else WebAssembly SIMD), so the
    // plain `new Network(spec)` is fast, and a network saved and loaded predicts alike.
    this.kernels = options.kernels ?? defaultKernels();
    this.loss = getLoss(this.spec.loss);
    const { dtype } = this.spec;
    const { storage, flat } = this.placeParameters();
    let inputs = this.spec.inputs;
    this.layers = this.spec.layers.map((l, i) => {
      const layer = new Dense(inputs, l.units, getActivation(l.activation), l.bias, dtype, this.kernels, this, storage[i]);
      inputs = l.units;
      return layer;
    });
    const random = new Random(this.spec.seed);
    for (const layer of this.layers) layer.initialize(random);
    const parameters = this.layers.flatMap((layer, l): Parameter[] => {
      const weights: Parameter = { layer: l, kind: 'weights', value: layer.W, grad: layer.gradW };
      return layer.b && layer.gradB ? [weights, { layer: l, kind: 'bias', value: layer.b, grad: layer.gradB }] : [weights];
    });
    this.parameters = Object.assign(parameters, { block: flat });
  }

  /** One block for every parameter and one for every gradient (see FlatParameters), and each layer's views of them. */
  private placeParameters(): { storage: LayerStorage[]; flat: FlatParameters } {
    const k = this.kernels, dtype = this.spec.dtype;
    const ALIGN = 16; // elements: 64 bytes of float32 (128 of float64)
    const up = (n: number): number => Math.ceil(n / ALIGN) * ALIGN;
    let inputs = this.spec.inputs, size = 0;
    const weightAt = this.spec.layers.map((l) => {
      const at = size;
      size += up(inputs * l.units);
      inputs = l.units;
      return at;
    });
    const weightsEnd = size;
    const biasAt = this.spec.layers.map((l) => {
      const at = size;
      if (l.bias) size += up(l.units);
      return at;
    });
    const values = allocateFor(k, 1, Math.max(1, size), dtype, this), grads = allocateFor(k, 1, Math.max(1, size), dtype, this);
    inputs = this.spec.inputs;
    const storage = this.spec.layers.map((l, i) => {
      const rows = inputs;
      inputs = l.units;
      return {
        W: viewOf(k, values, weightAt[i], rows, l.units), gradW: viewOf(k, grads, weightAt[i], rows, l.units),
        b: l.bias ? viewOf(k, values, biasAt[i], 1, l.units) : null, gradB: l.bias ? viewOf(k, grads, biasAt[i], 1, l.units) : null,
      };
    });
    return {
      storage,
      flat: { values, grads, weights: viewOf(k, values, 0, 1, weightsEnd), weightGrads: viewOf(k, grads, 0, 1, weightsEnd) },
    };
  }

  /**
   * Builds a network on a chosen backend: 'auto' (the default) takes WebAssembly SIMD where the engine runs it
   * and the reference otherwise; 'wasm' or 'reference' force one. `new Network(spec)` is the reference.
   */
  static async create(spec: NetworkSpec, options: { backend?: BackendChoice } = {}): Promise<Network> {
    options = checkOptions(options, ['backend'], 'Network.create options');
    return new Network(spec, { kernels: await chooseKernels(options.backend ?? 'auto') });
  }

  get dtype(): DType {
    return this.spec.dtype;
  }

  get inputs(): number {
    return this.spec.inputs;
  }

  get outputs(): number {
    return this.layers[this.layers.length - 1].units;
  }

  /**
   * A zero-filled matrix of this network's dtype, where its backend keeps matrices (buffers for batches, say),
   * taken back with the network's own matrices once it and they are unreachable.
   */
  allocate(rows: number, cols: number): Matrix {
    return allocateFor(this.kernels, rows, cols, this.dtype, this);
  }

  /** Describes layer l (0-based) for messages, e.g. "layer 2 (3 inputs → 1 unit, sigmoid)". */
  describeLayer(l: number): string {
    const layer = this.layers[l];
    const units = `${layer.units} unit${layer.units === 1 ? '' : 's'}`;
    return `layer ${l + 1} (${layer.inputs} input${layer.inputs === 1 ? '' : 's'} → ${units}, ${layer.activation.name})`;
  }

  /**
   * How the backend runs each layer's products for batches of `rows` (threads, and how they were chosen), timing
   * them now where the backend chooses by timing (Kernels.planProduct); null for a backend that does not say.
   */
  productPlans(rows: number): LayerProducts[] | null {
    const plan = this.kernels.planProduct;
    if (!plan) return null;
    const k = this.kernels, dtype = this.dtype;
    return this.layers.map((layer, l) => ({
      layer: l,
      forward: plan.call(k, rows, layer.units, layer.inputs, false, false, dtype, 1, layer.b && k.fillRows ? 1 : 0),
      gradient: plan.call(k, layer.inputs, layer.units, rows, true, false, dtype, -1 / rows, 0),
      back: l === 0 ? null : plan.call(k, rows, layer.inputs, layer.units, false, true, dtype, 1, 0),
    }));
  }

  /** Checks a batch of inputs and converts it to this network's dtype. */
  inputBatch(x: BatchInput): Matrix {
    return toBatch(x, this.inputs, this.dtype, 'inputs', (got) =>
      `${this.describeLayer(0)} expects ${this.inputs} input value${this.inputs === 1 ? '' : 's'} per example, but got ${got}`);
  }

  /** Checks a batch of targets against the output layer and the number of input rows. */
  targetBatch(y: BatchInput, rows: number): Matrix {
    const out = this.layers.length - 1;
    const m = toBatch(y, this.outputs, this.dtype, 'targets', (got) =>
      `${this.describeLayer(out)} is the output layer with ${this.outputs} unit${this.outputs === 1 ? '' : 's'}, ` +
      `so each target needs ${this.outputs} value${this.outputs === 1 ? '' : 's'}, but got ${got}`);
    if (m.rows !== rows) throw new BackpropError(`got ${rows} input rows but ${m.rows} target rows; they must pair up one to one`);
    return m;
  }

  private workspace(rows: number): Workspace {
    let ws = this.workspaces.get(rows);
    if (ws) return ws;
    if (this.workspaces.size >= WORKSPACES_KEPT) {
      // The oldest batch size's buffers go back to the backend: batches of ever new sizes (validation chunks
      // read from a stream, say) must not pile them up.
      const oldest = this.workspaces.keys().next().value as number;
      this.releaseWorkspace(this.workspaces.get(oldest)!);
      this.workspaces.delete(oldest);
    }
    ws = {
      layers: this.layers.map((layer, l) => layer.allocate(rows, this.dtype, l === 0)),
      g: this.allocate(rows, this.outputs),
      dropped: this.layers.map(() => null),
    };
    this.workspaces.set(rows, ws);
    return ws;
  }

  /**
   * Hands every batch buffer back to the backend; the next pass makes them again. fit calls this at its end,
   * so that buffers do not wait for the garbage collector after the network is dropped.
   */
  releaseBuffers(): void {
    for (const ws of this.workspaces.values()) this.releaseWorkspace(ws);
    this.workspaces.clear();
    for (const x of this.blockInputs.values()) this.kernels.release?.(x);
    this.blockInputs.clear();
  }

  private releaseWorkspace(ws: Workspace): void {
    const release = this.kernels.release;
    if (!release) return;
    for (const buffers of ws.layers) for (const m of Object.values(buffers)) if (m) release(m);
    for (const m of ws.dropped) if (m) release(m);
    release(ws.g);
  }

  // Step 0, the forward pass: each layer's h = x·W + b and a = f(h), the output a being ŷ.
  // With dropout masks, the layer above reads a ⊙ m instead of a. With `output` false the output layer stops at h.
  private forward(x: Matrix, masks?: DropoutMasks, output = true): Workspace {
    const ws = this.workspace(x.rows);
    const last = this.layers.length - 1;
    let input = x;
    for (let l = 0; l <= last; l++) {
      this.layers[l].forward(this.kernels, input, ws.layers[l], output || l < last);
      input = ws.layers[l].a;
      const mask = masks?.[l];
      if (mask) {
        const dropped = (ws.dropped[l] ??= this.allocate(x.rows, this.layers[l].units));
        applyMask(input, mask, dropped);
        input = dropped;
      }
    }
    return ws;
  }

  /** What layer l + 1 read in the last forward pass: x, a, or a ⊙ m under dropout. */
  private inputOf(l: number, x: Matrix, ws: Workspace, masks?: DropoutMasks): Matrix {
    if (l === 0) return x;
    return masks?.[l - 1] ? (ws.dropped[l - 1] as Matrix) : ws.layers[l - 1].a;
  }

  // Steps 1–4: the network error and output error term δᵒ, the hidden error terms δʰ carried back
  // through the weights, and the gradients that give each layer's weight step.
  // With `deltaDone` δᵒ is already there (the fused softmax with cross-entropy left it).
  // With `sgdStep`, plain gradient descent's step is taken as it goes (see PassOptions.sgdStep).
  private backward(x: Matrix, y: Matrix, ws: Workspace, options: PassOptions, deltaDone = false, sgdStep?: number): void {
    const k = this.kernels;
    const last = this.layers.length - 1;
    const out = ws.layers[last];
    if (!deltaDone) this.loss.outputDelta(k, y, out.a, out.h, this.layers[last].activation, ws.g, out.delta);
    if (options.rowWeights) scaleRows(out.delta, options.rowWeights);
    for (let l = last; l >= 0; l--) {
      this.layers[l].backward(k, this.inputOf(l, x, ws, options.masks), ws.layers[l], sgdStep);
      if (l > 0) {
        this.layers[l - 1].errorTerm(k, ws.layers[l].back as Matrix, ws.layers[l - 1]);
        const mask = options.masks?.[l - 1];
        if (mask) maskInPlace(ws.layers[l - 1].delta, mask);
      }
    }
  }

  private lossOf(y: Matrix, ws: Workspace, rowWeights?: ArrayLike<number>): number {
    const last = this.layers.length - 1;
    const out = ws.layers[last];
    if (rowWeights) return weightedLoss(this.loss, y, out.a, out.h, rowWeights);
    return this.loss.value(this.kernels, y, out.a, out.h, this.layers[last].activation);
  }

  /**
   * The network's outputs ŷ, one row per example; each row's the same bit for bit whatever rows share the batch
   * (see PREDICT_BLOCK_ROWS).
   */
  predict(x: BatchInput): Matrix {
    return this.predictInBlocks(this.inputBatch(x), PREDICT_BLOCK_ROWS);
  }

  /**
   * ŷ for checked inputs, `block` rows at a time through one buffer (the last block padded with zero rows), so
   * every row goes through products of one shape and memory stays that of one block. For the bench (block sizes).
   */
  predictInBlocks(input: Matrix, block: number): Matrix {
    const n = input.rows, inputs = this.inputs, outputs = this.outputs;
    const out = zeros(n, outputs, this.dtype);
    const x = this.allocateBlock(block);
    for (let start = 0; start < n; start += block) {
      const count = Math.min(block, n - start);
      x.data.set(input.data.subarray(start * inputs, (start + count) * inputs));
      if (count < block) x.data.fill(0, count * inputs);
      const k = this.kernels;
      const ws = k.predicting ? k.predicting(() => this.forward(x)) : this.forward(x);
      const yHat = ws.layers[this.layers.length - 1].a;
      out.data.set(yHat.data.subarray(0, count * outputs), start * outputs);
    }
    return out;
  }

  /** The input buffer of a prediction block, kept with the workspaces. */
  private allocateBlock(rows: number): Matrix {
    let x = this.blockInputs.get(rows);
    if (!x) {
      if (this.blockInputs.size >= 2) {
        for (const old of this.blockInputs.values()) this.kernels.release?.(old);
        this.blockInputs.clear();
      }
      x = this.allocate(rows, this.inputs);
      this.blockInputs.set(rows, x);
    }
    return x;
  }

  /** The mean loss E over a batch, without changing anything. */
  evaluateLoss(x: BatchInput, y: BatchInput): number {
    const input = this.inputBatch(x);
    const target = this.targetBatch(y, input.rows);
    return this.lossOf(target, this.forward(input));
  }

  /** Runs forward and backward over a batch, leaving ∂E/∂W and ∂E/∂b in each layer; returns the loss before any step. */
  computeGradients(x: BatchInput, y: BatchInput): number {
    const input = this.inputBatch(x);
    return this.pass(input, this.targetBatch(y, input.rows)).loss;
  }

  /**
   * Forward and backward over checked matrices (see inputBatch, targetBatch). Returns the loss and each
   * layer's live buffers (h, a, δ), which stay valid until the next call (with the same number of rows, or with
   * a batch size the network has not kept buffers for).
   * With backward false it stops after the forward pass and the loss. Dropout masks and row weights (see
   * PassOptions) make it a training pass.
   */
  pass(x: Matrix, y: Matrix, backward = true, options: PassOptions = {}): { loss: number; buffers: readonly DenseBuffers[] } {
    if (options.masks) this.checkMasks(options.masks, x.rows);
    if (options.sgdStep !== undefined && !(typeof options.sgdStep === 'number' && options.sgdStep > 0 && Number.isFinite(options.sgdStep))) {
      throw new BackpropError(`sgdStep: expected a positive number, got ${shown(options.sgdStep)}`, 'sgdStep');
    }
    if (options.rowWeights && options.rowWeights.length !== x.rows) {
      throw new BackpropError(`rowWeights: expected ${x.rows} weights, one per row, got ${options.rowWeights.length}`, 'rowWeights');
    }
    // Softmax with cross-entropy, where the backend fuses them: the output's a, the loss and δᵒ = y − ŷ in one call.
    const last = this.layers.length - 1;
    const fused = this.kernels.softmaxCrossEntropy !== undefined && !options.rowWeights && this.loss.name === 'categorical-cross-entropy' &&
      this.layers[last].activation.name === 'softmax';
    const ws = this.forward(x, options.masks, !fused);
    const out = ws.layers[last];
    const loss = fused ? this.kernels.softmaxCrossEntropy!(out.h, y, out.a, out.delta) / x.rows : this.lossOf(y, ws, options.rowWeights);
    if (backward) this.backward(x, y, ws, options, fused, options.sgdStep !== undefined && Number.isFinite(loss) ? options.sgdStep : undefined);
    return { loss, buffers: ws.layers };
  }

  /** Fresh inverted-dropout masks for a batch of rows: rates per layer (see dropoutRates), drawn from random. */
  dropoutMasks(rows: number, rates: readonly number[], random: Random): DropoutMasks {
    return this.layers.map((layer, l) => {
      if (!(rates[l] > 0)) return null;
      const mask = this.allocate(rows, layer.units);
      fillMask(mask, rates[l], random);
      return mask;
    });
  }

  private checkMasks(masks: DropoutMasks, rows: number): void {
    if (masks.length !== this.layers.length) throw new BackpropError(`masks: expected ${this.layers.length}, one per layer (null for none), got ${masks.length}`, 'masks');
    masks.forEach((m, l) => {
      if (m && (m.rows !== rows || m.cols !== this.layers[l].units)) {
        throw new BackpropError(`masks[${l}]: expected ${rows} × ${this.layers[l].units} for ${this.describeLayer(l)}, got ${m.rows} × ${m.cols}`, 'masks');
      }
    });
    if (masks[masks.length - 1]) throw new BackpropError('masks: the output layer does not drop units; its mask must be null', 'masks');
  }

  /** Takes the seeds' gradient-descent step W += ΔW, ΔW = −η ∂E/∂W, in every layer. */
  applyGradients(learningRate: number): void {
    checkLearningRate(learningRate);
    for (const layer of this.layers) layer.step(this.kernels, learningRate);
  }

  /** One step of plain gradient descent on a batch (one row for the seeds' per-example update). Returns the loss before the step. */
  trainBatch(x: BatchInput, y: BatchInput, learningRate: number): number {
    checkLearningRate(learningRate);
    const loss = this.computeGradients(x, y);
    this.applyGradients(learningRate);
    return loss;
  }

  /** The seeds' update on a single example. */
  trainExample(x: readonly number[], y: readonly number[], learningRate: number): number {
    return this.trainBatch([x], [y], learningRate);
  }

  /** Per-layer gradient norms from the last backward pass; in a deep sigmoid network the first layers' are tiny. */
  gradientNorms(): LayerGradientNorm[] {
    const k = this.kernels;
    return this.layers.map((layer, l) => ({
      layer: l,
      weights: Math.sqrt(k.sumSquares(layer.gradW)),
      bias: layer.gradB ? Math.sqrt(k.sumSquares(layer.gradB)) : null,
    }));
  }

  getWeights(): LayerWeights[] {
    return this.layers.map((layer) => ({
      weights: toRows(layer.W),
      bias: layer.b ? Array.from(layer.b.data) : null,
    }));
  }

  /** Replaces every layer's parameters; shapes must match the architecture exactly. */
  setWeights(values: readonly LayerWeights[]): void {
    if (!Array.isArray(values) || values.length !== this.layers.length || values.some((v) => typeof v !== 'object' || v === null)) {
      throw new BackpropError(`weights: expected ${this.layers.length} layers, got ${Array.isArray(values) ? values.length : typeof values}`, 'weights');
    }
    // Check everything before writing anything, so a bad argument leaves the network as it was.
    values.forEach((v, l) => {
      const layer = this.layers[l];
      const field = `weights[${l}]`;
      if (!Array.isArray(v.weights) || v.weights.length !== layer.inputs) {
        throw new BackpropError(`${field}.weights: ${this.describeLayer(l)} needs ${layer.inputs} rows of ${layer.units}`, field);
      }
      v.weights.forEach((r: unknown, i: number) => checkNumbers(r, layer.units, `${field}.weights[${i}]`, this.dtype));
      if (layer.b) checkNumbers(v.bias, layer.units, `${field}.bias`, this.dtype);
      else if (v.bias !== null && v.bias !== undefined) {
        throw new BackpropError(`${field}.bias: ${this.describeLayer(l)} has no bias, expected null`, field);
      }
    });
    values.forEach((v, l) => {
      const layer = this.layers[l];
      v.weights.forEach((r: number[], i: number) => layer.W.data.set(r, i * layer.units));
      if (layer.b && v.bias) layer.b.data.set(v.bias);
    });
  }

  /** A copy with the same architecture and weights, optionally in another dtype or backend. */
  clone(options: { dtype?: DType; kernels?: Kernels } = {}): Network {
    const copy = new Network({ ...this.spec, dtype: options.dtype ?? this.dtype }, { kernels: options.kernels ?? this.kernels });
    copy.parameters.forEach((p, i) => p.value.data.set(this.parameters[i].value.data));
    return copy;
  }

  /** The plain description this network was built from, with defaults filled in. */
  toSpec(): ResolvedSpec {
    return { ...this.spec, layers: this.spec.layers.map((l) => ({ ...l })) };
  }
}

/** δ row n ← wₙ · δ row n. */
function scaleRows(m: Matrix, w: ArrayLike<number>): void {
  const { cols, data } = m;
  for (let n = 0; n < m.rows; n++) for (let j = n * cols; j < (n + 1) * cols; j++) data[j] *= w[n];
}

/** (1/N) Σₙ wₙ Σⱼ E(yₙⱼ, ŷₙⱼ, hₙⱼ): the batch's loss with a weight per row. */
function weightedLoss(loss: Loss, y: Matrix, yHat: Matrix, h: Matrix, w: ArrayLike<number>): number {
  const e = loss.elementwise, cols = y.cols;
  let sum = 0;
  for (let n = 0; n < y.rows; n++) {
    let row = 0;
    for (let j = n * cols; j < (n + 1) * cols; j++) row += e.value(y.data[j], yHat.data[j], h.data[j]);
    sum += w[n] * row;
  }
  return sum / y.rows;
}

function checkLearningRate(learningRate: number): void {
  if (typeof learningRate !== 'number' || !Number.isFinite(learningRate) || learningRate <= 0) {
    throw new BackpropError(`learningRate: expected a positive number, got ${shown(learningRate)}`, 'learningRate');
  }
}

function checkNumbers(values: unknown, length: number, field: string, dtype: DType): void {
  if (!Array.isArray(values) || values.length !== length) {
    throw new BackpropError(`${field}: expected ${length} numbers`, field);
  }
  values.forEach((v, j) => {
    if (!finiteIn(v, dtype)) {
      throw new BackpropError(`${field}[${j}]: expected a finite ${dtype} number${dtype === 'float32' ? ` (at most ${FLOAT32_MAX.toExponential(4)} in size)` : ''}, got ${shown(v)}`, field);
    }
  });
}
