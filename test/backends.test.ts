// Every backend against the plain TypeScript reference: the WebAssembly SIMD backend (one thread, two, and
// without shared memory) and the BLAS backend (one thread and two, float32 and float64): products in every
// form, element-wise kernels, optimizer steps, gradients of random networks, and training on digits.
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  evaluate, fit, getActivation, Network, prepareClassification, type ElementwiseLoss, Random, referenceKernels, zeros, type Kernels, type Matrix, type NetworkSpec, type ActivationName,
} from '../src/index.js';
import { createKernels, createNodeBlasKernels, loadBuiltin, type BlasKernels } from '../src/node/index.js';
// The helper threads run the built worker script, so the threaded backend comes from dist/.
import { createNodeWasmKernels } from '../dist/node/wasm.js';
import { createWasmKernels, wasmSupported, type WasmKernels } from '../src/core/wasm/backend.js';

const backends: Record<string, WasmKernels | BlasKernels> = {};
beforeAll(async () => {
  backends.wasm1 = await createNodeWasmKernels({ threads: 1 });
  backends.wasm2 = await createNodeWasmKernels({ threads: 2 });
  // The variant for engines without shared memory: ordinary, fixed memory and one thread.
  backends.unshared = await createWasmKernels({ shared: false });
  // The system's BLAS (the test command installs Debian's OpenBLAS), on one thread and on two.
  backends.blas1 = (await createNodeBlasKernels({ threads: 1 }))!;
  backends.blas2 = (await createNodeBlasKernels({ threads: 2 }))!;
}, 30_000);
const ALL = ['wasm1', 'wasm2', 'unshared', 'blas1', 'blas2'];

function randomMatrix(rows: number, cols: number, random: Random): Matrix {
  const m = zeros(rows, cols);
  for (let i = 0; i < m.data.length; i++) m.data[i] = random.uniform(-1, 1);
  return m;
}

// The element losses by the names the backends know, written out here as the reference would compute them.
const squaredError: ElementwiseLoss = { name: 'mse', value: (y, p) => 0.5 * (y - p) ** 2, der: (y, p) => y - p };
const binaryFromLogits: ElementwiseLoss = {
  name: 'binary-cross-entropy', value: (y, _p, h) => Math.max(h, 0) - h * y + Math.log1p(Math.exp(-Math.abs(h))), der: (y, p) => y / p - (1 - y) / (1 - p),
};
const categorical: ElementwiseLoss = { name: 'categorical-cross-entropy', value: (y, p) => (y === 0 ? 0 : -y * Math.log(p)), der: (y, p) => y / p };

/** A fresh matrix from make() holding m's values. */
function copyInto(m: Matrix, make: (rows: number, cols: number) => Matrix): Matrix {
  const c = make(m.rows, m.cols);
  c.data.set(m.data);
  return c;
}

function maxRelative(a: Matrix, b: Matrix): number {
  let scale = 0, diff = 0;
  for (let i = 0; i < a.data.length; i++) {
    scale = Math.max(scale, Math.abs(b.data[i]));
    diff = Math.max(diff, Math.abs(a.data[i] - b.data[i]));
  }
  return diff / Math.max(scale, 1e-30);
}

/**
 * Random networks (1–3 hidden layers of any element-wise activation, softmax output) on random data: the loss
 * and every gradient on backend k agree with the reference's, relative to the largest gradient of each matrix.
 */
function gradientsAgree(k: Kernels, dtype: 'float32' | 'float64', relative: number, absolute: number): void {
  const activations: ActivationName[] = ['sigmoid', 'tanh', 'relu', 'leaky-relu', 'linear'];
  fc.assert(fc.property(
    fc.array(fc.integer({ min: 1, max: 70 }), { minLength: 1, maxLength: 3 }), fc.constantFrom(...activations),
    fc.integer({ min: 1, max: 40 }), fc.integer({ min: 2, max: 12 }), fc.integer({ min: 1, max: 80 }), fc.nat(),
    (hidden, activation, inputs, classes, rows, seed) => {
      const spec: NetworkSpec = {
        inputs, layers: [...hidden.map((units) => ({ units, activation })), { units: classes, activation: 'softmax' }],
        loss: 'categorical-cross-entropy', seed, dtype,
      };
      const random = new Random(seed);
      const x = Array.from({ length: rows }, () => Array.from({ length: inputs }, () => random.uniform(-2, 2)));
      const y = Array.from({ length: rows }, () => {
        const hot = random.int(classes);
        return Array.from({ length: classes }, (_, j) => (j === hot ? 1 : 0));
      });
      const ref = new Network(spec), fast = new Network(spec, { kernels: k });
      const lossRef = ref.computeGradients(x, y), lossFast = fast.computeGradients(x, y);
      // A relu or leaky-relu unit whose input is within rounding of 0 can fall on the kink's other side on another
      // backend, where its derivative is another number: no backend is wrong there, and such a case is left out. A
      // side taken differently farther from 0 than rounding explains stays in, and fails below.
      if (activation === 'relu' || activation === 'leaky-relu') {
        const r = ref.pass(ref.inputBatch(x), ref.targetBatch(y, rows), false), f = fast.pass(fast.inputBatch(x), fast.targetBatch(y, rows), false);
        const roundingOnly = r.buffers.slice(0, -1).every((b, l) => {
          let scale = 0;
          for (const v of b.h.data) scale = Math.max(scale, Math.abs(v));
          return b.h.data.every((v, j) => (v > 0) === (f.buffers[l].h.data[j] > 0) || Math.abs(v) <= 1e-5 * scale);
        });
        const flips = r.buffers.slice(0, -1).some((b, l) => b.h.data.some((v, j) => (v > 0) !== (f.buffers[l].h.data[j] > 0)));
        fc.pre(!(flips && roundingOnly));
      }
      expect(Math.abs(lossFast - lossRef) / lossRef).toBeLessThan(relative);
      ref.parameters.forEach((p, i) => {
        const q = fast.parameters[i].grad;
        let scale = 0, diff = 0;
        for (let j = 0; j < q.data.length; j++) {
          scale = Math.max(scale, Math.abs(p.grad.data[j]));
          diff = Math.max(diff, Math.abs(q.data[j] - p.grad.data[j]));
        }
        expect(diff).toBeLessThanOrEqual(relative * scale + absolute);
      });
    }), { numRuns: 40 });
}

it('this engine supports WebAssembly SIMD with shared memory', () => {
  expect(wasmSupported()).toBe(true);
  expect(backends.wasm2.name).toBe('wasm-simd×2');
  expect(backends.unshared.name).toBe('wasm-simd (unshared)');
  expect((backends.unshared as WasmKernels).memory.buffer).toBeInstanceOf(ArrayBuffer);
});

it('without shared memory, matrices that do not fit are ordinary arrays and their products still agree', () => {
  const k = backends.unshared as WasmKernels;
  const big = k.allocate!(9000, 2000, 'float32'); // 72 MB: more than the fixed memory holds
  expect(big.data.buffer).not.toBe(k.memory.buffer);
  const random = new Random(4);
  const a = randomMatrix(200, 2000, random), b = k.allocate!(2000, 30, 'float32');
  b.data.set(randomMatrix(2000, 30, random).data);
  const want = zeros(200, 30), got = zeros(200, 30);
  referenceKernels.gemm(a, false, b, false, want, 1, 0);
  k.gemm(a, false, b, false, got, 1, 0);
  expect(maxRelative(got, want)).toBeLessThan(1e-4);
});

describe.each(ALL)('%s', (name) => {
  it('products agree with the reference in all four forms, with alpha and beta (relative 1e-4)', () => {
    const k = backends[name];
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 600 }),
      fc.boolean(), fc.boolean(), fc.constantFrom(1, -0.5, 2), fc.constantFrom(0, 1, 0.25), fc.nat(),
      (m, n, kk, ta, tb, alpha, beta, seed) => {
        const random = new Random(seed);
        const a = ta ? randomMatrix(kk, m, random) : randomMatrix(m, kk, random);
        const b = tb ? randomMatrix(n, kk, random) : randomMatrix(kk, n, random);
        const c = randomMatrix(m, n, random);
        const want = { ...c, data: Float32Array.from(c.data) };
        referenceKernels.gemm(a, ta, b, tb, want, alpha, beta);
        k.gemm(a, ta, b, tb, c, alpha, beta);
        expect(maxRelative(c, want)).toBeLessThan(1e-4);
      }), { numRuns: 60 });
  }, 60_000);

  it('large products that cross every block edge, in matrices the backend allocated', () => {
    const k = backends[name];
    const random = new Random(3);
    for (const [m, n, kk] of [[300, 520, 700], [129, 1030, 257]]) {
      const a = k.allocate!(m, kk, 'float32'), b = k.allocate!(kk, n, 'float32'), c = k.allocate!(m, n, 'float32');
      a.data.set(randomMatrix(m, kk, random).data);
      b.data.set(randomMatrix(kk, n, random).data);
      const want = zeros(m, n);
      referenceKernels.gemm(a, false, b, false, want, 1, 0);
      k.gemm(a, false, b, false, c, 1, 0);
      expect(maxRelative(c, want)).toBeLessThan(1e-4);
    }
  }, 60_000);

  it('element-wise kernels agree with the reference on matrices in their memory, tails included', () => {
    const k = backends[name];
    const random = new Random(11);
    const inMemory = (rows: number, cols: number): Matrix => {
      const m = k.allocate!(rows, cols, 'float32');
      m.data.set(randomMatrix(rows, cols, random).data);
      return m;
    };
    const copy = (m: Matrix): Matrix => ({ rows: m.rows, cols: m.cols, data: Float32Array.from(m.data) });
    const fn = (name: ActivationName) => getActivation(name).scalar!;
    for (const [rows, cols] of [[37, 13], [64, 128], [3, 1001]]) {
      const x = inMemory(rows, cols), y = inMemory(rows, cols), g = inMemory(rows, cols), v = inMemory(1, cols), out = inMemory(1, cols);
      const cases: [string, (kk: Kernels, m: Record<string, Matrix>) => void, string][] = [
        ['axpy', (kk, m) => kk.axpy(-0.3, m.x, m.y), 'y'],
        ...(['relu', 'sigmoid', 'tanh', 'leaky-relu', 'linear'] as const).flatMap((a): [string, (kk: Kernels, m: Record<string, Matrix>) => void, string][] => [
          [a, (kk, m) => kk.map(fn(a), m.x, m.y), 'y'],
          // f′ from both h (relu family) and a = f(h) (sigmoid, tanh): a is computed first, by the reference.
          [`${a} backward`, (kk, m) => {
            referenceKernels.map(fn(a), m.x, m.v2);
            kk.mapBackward(fn(a), m.x, m.v2, m.g, m.y);
          }, 'y'],
        ]),
        ['softmax', (kk, m) => kk.softmax(m.x, m.y), 'y'],
        // Inputs 100 times wider: e^(x − max) far below f32's smallest normal number for most of a row.
        ['softmax of a wide range', (kk, m) => {
          referenceKernels.axpy(99, m.x, m.x);
          kk.softmax(m.x, m.y);
        }, 'y'],
        // Fused with the loss: a, δ = y − a and Σ −y log a, for targets that sum to 1 (the softmax of g).
        ...(['y', 'g', 'out'] as const).map((result): [string, (kk: Kernels, m: Record<string, Matrix>) => void, string] => [`softmax with cross-entropy: ${result}`, (kk, m) => {
          referenceKernels.softmax(m.g, m.v2);
          m.out.data[0] = kk.softmaxCrossEntropy!(m.x, m.v2, m.y, m.g);
        }, result]),
        ['bias fill', (kk, m) => kk.fillRows!(m.v, m.y), 'y'],
        ['softmax backward', (kk, m) => {
          referenceKernels.softmax(m.x, m.v2);
          kk.softmaxBackward(m.v2, m.g, m.y);
        }, 'y'],
        ['mse error', (kk, m) => kk.lossBackward(squaredError, m.x, m.g, m.y), 'y'],
        ['loss sums', (kk, m) => {
          // Targets and predictions in (0, 1), as cross-entropy needs them.
          referenceKernels.map(fn('sigmoid'), m.x, m.v2);
          referenceKernels.map(fn('sigmoid'), m.g, m.y);
          m.out.data[0] = kk.lossSum(squaredError, m.v2, m.y, m.g);
          m.out.data[1] = kk.lossSum(binaryFromLogits, m.v2, m.y, m.g);
          m.out.data[2] = kk.lossSum(categorical, m.v2, m.y, m.g);
        }, 'out'],
        ['sums', (kk, m) => {
          m.out.data[0] = kk.sumSquares(m.x);
          m.out.data[1] = kk.sumAbs(m.x);
        }, 'out'],
        ['bias add', (kk, m) => kk.addRowVector(m.x, m.v), 'x'],
        ['bias gradient', (kk, m) => kk.sumRows(m.g, m.out, -0.5, 0.25), 'out'],
      ];
      for (const [what, run, result] of cases) {
        const mine = { x: copyInto(x, inMemory), y: copyInto(y, inMemory), g, v, out: copyInto(out, inMemory), v2: inMemory(rows, cols) };
        const theirs = { x: copy(x), y: copy(y), g: copy(g), v: copy(v), out: copy(out), v2: zeros(rows, cols) };
        run(k, mine);
        run(referenceKernels, theirs);
        expect(maxRelative(mine[result as keyof typeof mine], theirs[result as keyof typeof theirs]), `${what} ${rows}×${cols}`).toBeLessThan(1e-5);
      }
    }
  });

  it('gathers the rows of a shuffled batch, short rows and long, float32 and float64', () => {
    const k = backends[name];
    const random = new Random(21);
    for (const dtype of ['float32', 'float64'] as const) {
      for (const cols of [1, 3, 33, 127, 128, 784]) {
        const src = k.allocate!(300, cols, dtype), dst = k.allocate!(37, cols, dtype);
        for (let i = 0; i < src.data.length; i++) src.data[i] = random.uniform(-1, 1);
        const order = Uint32Array.from(random.shuffle(Array.from({ length: 300 }, (_, i) => i)));
        expect(k.gatherRows!(src, order, 50, dst)).toBe(true);
        for (let r = 0; r < 37; r++) {
          expect(Array.from(dst.data.subarray(r * cols, (r + 1) * cols)), `${dtype}, ${cols} columns, row ${r}`)
            .toEqual(Array.from(src.data.subarray(order[50 + r] * cols, (order[50 + r] + 1) * cols)));
        }
      }
    }
  });

  it('optimizer updates and penalties agree with the reference over two steps', () => {
    const k = backends[name];
    const random = new Random(12);
    const steps: [string, (kk: Kernels, w: Matrix, g: Matrix, m: Matrix, v: Matrix, t: number) => void][] = [
      ['momentum', (kk, w, g, m, _v, _t) => kk.momentumStep(w, g, m, 0.1, 0.9, false)],
      ['nesterov', (kk, w, g, m, _v, _t) => kk.momentumStep(w, g, m, 0.1, 0.9, true)],
      ['rmsprop', (kk, w, g, _m, v, _t) => kk.rmspropStep(w, g, v, 0.01, 0.9, 1e-7)],
      ['adam', (kk, w, g, m, v, t) => kk.adamStep(w, g, m, v, 0.01, 0.9, 0.999, 1e-8, t)],
      ['penalty', (kk, w, g) => kk.addPenaltyGradient(w, g, 0.01, 0.003)],
      ['sub', (kk, w, g, m) => kk.sub(w, g, m)],
    ];
    for (const [what, step] of steps) {
      const start = [randomMatrix(33, 31, random), randomMatrix(33, 31, random), randomMatrix(33, 31, random), randomMatrix(33, 31, random)];
      start[3].data.forEach((x, i) => (start[3].data[i] = Math.abs(x))); // a second moment is never negative
      const mine = start.map((m) => copyInto(m, (r, c) => k.allocate!(r, c, 'float32')));
      const theirs = start.map((m) => copyInto(m, zeros));
      for (let t = 1; t <= 2; t++) {
        step(k, mine[0], mine[1], mine[2], mine[3], t);
        step(referenceKernels, theirs[0], theirs[1], theirs[2], theirs[3], t);
      }
      mine.forEach((m, i) => expect(maxRelative(m, theirs[i]), `${what}, matrix ${i}`).toBeLessThan(1e-5));
    }
  });

  it('gradients of random networks agree with the reference backend (relative 1e-4)', () => {
    gradientsAgree(backends[name], 'float32', 1e-4, 1e-7);
  }, 60_000);
});

describe('the fused per-example loop (batch size 1, plain gradient descent)', () => {
  const random = new Random(21);
  const x = Array.from({ length: 150 }, () => [random.uniform(-2, 2), random.uniform(-2, 2), random.uniform(-2, 2)]);
  const label = (r: number[]): number => (r[0] * r[1] > 0 ? 1 : 0) + (r[2] > 0.5 ? 1 : 0);
  const cases: [string, NetworkSpec, number[][]][] = [
    ['sigmoid, mse (the seeds\' network)', { inputs: 3, layers: [{ units: 8, activation: 'sigmoid' }, { units: 8, activation: 'sigmoid' }, { units: 1, activation: 'sigmoid' }], loss: 'mse' },
      x.map((r) => [label(r) > 0 ? 1 : 0])],
    ['tanh and relu, binary cross-entropy, no biases', { inputs: 3, layers: [{ units: 6, activation: 'tanh', bias: false }, { units: 5, activation: 'relu', bias: false }, { units: 1, activation: 'sigmoid', bias: false }], loss: 'binary-cross-entropy' },
      x.map((r) => [label(r) > 0 ? 1 : 0])],
    ['leaky relu, softmax, categorical cross-entropy', { inputs: 3, layers: [{ units: 7, activation: 'leaky-relu' }, { units: 3, activation: 'softmax' }], loss: 'categorical-cross-entropy' },
      x.map((r) => [0, 1, 2].map((k) => (k === label(r) ? 1 : 0)))],
    ['linear output, mse', { inputs: 3, layers: [{ units: 4, activation: 'tanh' }, { units: 2, activation: 'linear' }], loss: 'mse' },
      x.map((r) => [r[0] - r[1], r[2] * 0.5])],
  ];

  it.each(cases)('%s: the same weights and history as the reference', (_name, spec, y) => {
    const k = backends.wasm1;
    let fusedCalls = 0;
    const spied: Kernels = { ...k, trainExamples: (...args) => {
      const r = k.trainExamples!(...args);
      if (r) fusedCalls++;
      return r;
    } };
    const fast = new Network(spec, { kernels: spied }), ref = new Network(spec);
    const options = { epochs: 4, batchSize: 1, learningRate: 0.05, validationSplit: 0.2 };
    const hFast = fit(fast, x, y, options), hRef = fit(ref, x, y, options);
    expect(fusedCalls).toBe(4); // 120 training rows: one call of up to 256 examples per epoch
    hFast.epochs.forEach((e, i) => {
      expect(Math.abs(e.loss - hRef.epochs[i].loss) / hRef.epochs[i].loss).toBeLessThan(1e-4);
      expect(e.accuracy).toBe(hRef.epochs[i].accuracy);
    });
    fast.parameters.forEach((p, i) => expect(maxRelative(p.value, ref.parameters[i].value)).toBeLessThan(1e-4));
  });

  it('is not used when a callback wants every batch, or for another optimizer', () => {
    let fusedCalls = 0;
    const k = backends.wasm1;
    const spied: Kernels = { ...k, trainExamples: (...args) => (fusedCalls++, k.trainExamples!(...args)) };
    const [, spec, y] = cases[0];
    fit(new Network(spec, { kernels: spied }), x, y, { epochs: 1, batchSize: 1, callbacks: [{ onBatchEnd: () => undefined }] });
    fit(new Network(spec, { kernels: spied }), x, y, { epochs: 1, batchSize: 1, optimizer: 'adam' });
    fit(new Network(spec, { kernels: spied }), x, y, { epochs: 1, batchSize: 2 });
    expect(fusedCalls).toBe(0);
  });

  it('stops a diverging run with the usual error', () => {
    const net = new Network({ inputs: 3, layers: [{ units: 8, activation: 'relu' }, { units: 1, activation: 'linear' }], loss: 'mse' }, { kernels: backends.wasm1 });
    expect(() => fit(net, x, x.map((r) => [1e3 * r[0]]), { epochs: 20, batchSize: 1, learningRate: 10 }))
      .toThrow(/^training diverged: (the loss became (NaN|Infinity) in epoch \d+, within examples \d+ to \d+|the weights overflowed in epoch \d+), with learning rate 10;/);
    net.parameters.forEach((p) => p.value.data.forEach((w) => expect(Number.isFinite(w)).toBe(true)));
  });
});

it.each([['wasm1', 'wasm2'], ['blas1', 'blas2']])('%s and %s give bit-identical training: every output sums in the same order', (oneThread, twoThreads) => {
  const random = new Random(8);
  const x = Array.from({ length: 512 }, () => Array.from({ length: 300 }, () => random.uniform(-1, 1)));
  const y = x.map((r) => [0, 1, 2, 3].map((k) => (k === (r[0] > 0 ? 1 : 0) + (r[1] > 0 ? 2 : 0) ? 1 : 0)));
  const train = (kernels: Kernels): Float32Array[] => {
    const net = new Network({ inputs: 300, layers: [{ units: 256, activation: 'relu' }, { units: 4, activation: 'softmax' }], loss: 'categorical-cross-entropy' }, { kernels });
    fit(net, x, y, { epochs: 2, batchSize: 128, learningRate: 0.05 });
    return net.parameters.map((p) => Float32Array.from(p.value.data));
  };
  const one = train(backends[oneThread]), two = train(backends[twoThreads]);
  // The BLAS backend checks every way of running a product against the one-thread product before using it (OpenBLAS's
  // own threads sum some shapes in another order, more so with OPENBLAS_CORETYPE forcing another processor's kernels).
  one.forEach((w, i) => expect(Buffer.from(two[i].buffer).equals(Buffer.from(w.buffer))).toBe(true));
});

it('fit gives its buffers back: repeated runs do not grow the backend\'s memory', async () => {
  const k = await createNodeWasmKernels({ threads: 1 });
  const random = new Random(5);
  const x = Array.from({ length: 2000 }, () => Array.from({ length: 100 }, () => random.uniform(-1, 1)));
  const y = x.map((r) => [r[0] > 0 ? 1 : 0]);
  const net = new Network({ inputs: 100, layers: [{ units: 32, activation: 'relu' }, { units: 1, activation: 'sigmoid' }], loss: 'binary-cross-entropy' }, { kernels: k });
  fit(net, x, y, { epochs: 1, batchSize: 64 });
  const after = k.memory.buffer.byteLength;
  for (let i = 0; i < 10; i++) fit(net, x, y, { epochs: 1, batchSize: 64 });
  expect(k.memory.buffer.byteLength).toBe(after);
});

it('digits trains to the same held-out accuracy on every backend, within 0.5 points', () => {
  const data = loadBuiltin('digits');
  const { train, test } = prepareClassification(data.x, data.labels, { seed: 1 });
  const accuracy = (kernels: Kernels): number => {
    const net = new Network({ inputs: 64, layers: [{ units: 64, activation: 'relu' }, { units: 10, activation: 'softmax' }], loss: 'categorical-cross-entropy' }, { kernels });
    fit(net, train.x, train.y, { epochs: 30, batchSize: 32, optimizer: 'adam', learningRate: 0.003 });
    return evaluate(net, test.x, test.y).accuracy!;
  };
  const reference = accuracy(referenceKernels);
  expect(reference).toBeGreaterThanOrEqual(0.96);
  for (const name of ALL) expect(Math.abs(accuracy(backends[name]) - reference), name).toBeLessThanOrEqual(0.005);
}, 60_000);

describe('choosing a backend', () => {
  const spec: NetworkSpec = { inputs: 2, layers: [{ units: 3, activation: 'tanh' }, { units: 1, activation: 'sigmoid' }] };
  it('Network.create takes the BLAS backend by default here (backprop/node is imported), and the others when asked', async () => {
    const auto = await Network.create(spec);
    expect(auto.kernels.name).toMatch(/^blas \(OpenBLAS/);
    expect((await Network.create(spec)).kernels).toBe(auto.kernels); // one backend for every network
    expect((await Network.create(spec, { backend: 'blas' })).kernels).toBe(auto.kernels);
    expect((await Network.create(spec, { backend: 'wasm' })).kernels.name).toMatch(/^wasm-simd/);
    expect((await Network.create(spec, { backend: 'reference' })).kernels).toBe(referenceKernels);
    await expect(Network.create(spec, { backend: 'gpu' as never })).rejects.toThrow('backend: unknown backend "gpu"; expected one of: auto, blas, wasm, reference');
  });

  it('a BLAS library that does not exist: auto falls back to WebAssembly, blas says what it looked for', async () => {
    const fallback = await createKernels('auto', { library: '/no/such/libopenblas.so', threads: 1 });
    expect(fallback.name).toBe('wasm-simd');
    await expect(createKernels('blas', { library: '/no/such/libopenblas.so' })).rejects.toThrow(
      'backend: blas: no BLAS library could be loaded (tried "/no/such/libopenblas.so"); on Debian, apt-get install libopenblas0-pthread');
    // A file that loads but is no BLAS is passed over in the same way.
    await expect(createKernels('blas', { library: 'libc.so.6' })).rejects.toThrow(/no BLAS library could be loaded \(tried "libc\.so\.6"\)/);
    expect((await createKernels('auto')).name).toMatch(/^blas/);
  });
});

describe('the BLAS backend in float64: dgemm and the element-wise loops against the reference (relative 1e-12)', () => {
  const random64 = (rows: number, cols: number, random: Random): Matrix => {
    const m = zeros(rows, cols, 'float64');
    for (let i = 0; i < m.data.length; i++) m.data[i] = random.uniform(-1, 1);
    return m;
  };

  it.each(['blas1', 'blas2'])('%s: products in all four forms, with alpha and beta, odd sizes, single rows and columns', (name) => {
    const k = backends[name];
    fc.assert(fc.property(
      fc.constantFrom(1, 2, 7, 64, 129), fc.constantFrom(1, 3, 33, 130), fc.constantFrom(1, 5, 64, 257),
      fc.boolean(), fc.boolean(), fc.constantFrom(1, -0.5, 2), fc.constantFrom(0, 1, 0.25), fc.nat(),
      (m, n, kk, ta, tb, alpha, beta, seed) => {
        const random = new Random(seed);
        const a = ta ? random64(kk, m, random) : random64(m, kk, random);
        const b = tb ? random64(n, kk, random) : random64(kk, n, random);
        const c = random64(m, n, random);
        const want = { ...c, data: Float64Array.from(c.data) };
        referenceKernels.gemm(a, ta, b, tb, want, alpha, beta);
        k.gemm(a, ta, b, tb, c, alpha, beta);
        expect(maxRelative(c, want)).toBeLessThan(1e-12);
      }), { numRuns: 80 });
  });

  it('float64 softmax, alone and fused with cross-entropy, gives the reference\'s bits: e^x as fdlibm (and so Math.exp) computes it, two lanes at a time', () => {
    const k = backends.wasm1;
    // Rows [0, x]: e^x itself where it is below the rounding of 1 + e^x, e^x / (1 + e^x) above. Every branch of fdlibm's
    // exp: |x| below 2⁻²⁸, up to ½ ln 2 (by the high word's bits), to 1.5 ln 2, beyond, subnormal results and 0.
    const bits = (hex: bigint): number => new Float64Array(BigUint64Array.of(hex).buffer)[0];
    const edges = [0, -0, -1e-300, -(2 ** -28), -(2 ** -29), -(2 ** -28) * 1.000001, bits(0xBFD62E42FEFA39EFn), bits(0xBFD62E42FFFFFFFFn), bits(0xBFD62E4300000000n),
      bits(0xBFF0A2B1FFFFFFFFn), bits(0xBFF0A2B200000000n), -Math.LN2, -708.39, -708.4, -709, -744, -745.1332191019411, -745.14, -1000, -Infinity, NaN];
    const random = new Random(8);
    const values = [...edges, ...Array.from({ length: 40_000 }, (_, i) => -[760, 2, 40, 0.01][i % 4] * random.uniform(0, 1))];
    const x = k.allocate!(values.length, 2, 'float64'), a = k.allocate!(values.length, 2, 'float64');
    values.forEach((v, i) => x.data.set([0, v], 2 * i));
    const want = zeros(values.length, 2, 'float64');
    referenceKernels.softmax({ ...x, data: Float64Array.from(x.data) }, want);
    const differing = (m: Matrix): number => Array.from(m.data).filter((v, i) => !Object.is(v, want.data[i])).length;
    k.softmax(x, a);
    expect(differing(a)).toBe(0);
    // Ten classes (W1's), odd widths, and the fused form's a.
    for (const cols of [10, 7]) {
      const h = random64(64, cols, random), y = k.allocate!(64, cols, 'float64'), fused = k.allocate!(64, cols, 'float64'), delta = k.allocate!(64, cols, 'float64');
      for (let i = 0; i < h.data.length; i++) h.data[i] *= 40;
      const hIn = k.allocate!(64, cols, 'float64');
      hIn.data.set(h.data);
      const expected = zeros(64, cols, 'float64');
      referenceKernels.softmax(h, expected);
      k.softmaxCrossEntropy!(hIn, y, fused, delta);
      expect(fused.data.every((v, i) => Object.is(v, expected.data[i]))).toBe(true);
    }
  });

  it.each(['wasm1', 'blas2'])('%s: element-wise kernels on float64 matrices in the backend\'s memory, and outside it', (name) => {
    const k = backends[name];
    // float64 matrices live in the backend's (shared) WebAssembly memory, where its f64 kernels reach them.
    expect(k.allocate!(1, 4, 'float64').data.buffer).toBeInstanceOf(SharedArrayBuffer);
    const random = new Random(31);
    const fn = (a: ActivationName) => getActivation(a).scalar!;
    for (const [rows, cols] of [[1, 1], [37, 13], [3, 1001], [64, 128]]) {
      const x = random64(rows, cols, random), g = random64(rows, cols, random), v = random64(1, cols, random);
      // Some exact zeros, where relu's two branches meet.
      for (let i = 0; i < x.data.length; i += 7) x.data[i] = 0;
      const run = (kk: Kernels, make: (r: number, c: number) => Matrix): Matrix[] => {
        const copy = (m: Matrix): Matrix => copyInto(m, make);
        const out: Matrix[] = [];
        for (const a of ['relu', 'sigmoid', 'tanh', 'leaky-relu', 'linear'] as const) {
          const y = make(rows, cols), back = make(rows, cols);
          kk.map(fn(a), copy(x), y);
          kk.mapBackward(fn(a), copy(x), y, copy(g), back);
          out.push(y, back);
        }
        const biased = copy(x), filled = make(rows, cols);
        kk.addRowVector(biased, copy(v));
        kk.fillRows!(copy(v), filled);
        const soft = make(rows, cols), fusedA = make(rows, cols), fusedDelta = make(rows, cols), target = make(rows, cols), loss = make(1, 1);
        kk.softmax(copy(x), soft);
        referenceKernels.softmax(copy(g), target);
        loss.data[0] = kk.softmaxCrossEntropy!(copy(x), target, fusedA, fusedDelta);
        out.push(filled, soft, fusedA, fusedDelta, loss);
        const sums = copy(v), scaled = copy(v);
        kk.sumRows(copy(g), sums, -0.5, 0);
        kk.sumRows(copy(g), scaled, -0.5, 0.25);
        const stepped = copy(x);
        kk.axpy(-0.3, copy(g), stepped);
        const diff = make(rows, cols);
        kk.sub(copy(x), copy(g), diff);
        return [...out, biased, sums, scaled, stepped, diff];
      };
      const theirs = run(referenceKernels, (r, c) => zeros(r, c, 'float64'));
      for (const [where, make] of [['in memory', (r: number, c: number) => k.allocate!(r, c, 'float64')], ['ordinary arrays', (r: number, c: number) => zeros(r, c, 'float64')]] as const) {
        const mine = run(k, make);
        mine.forEach((m, i) => expect(maxRelative(m, theirs[i]), `result ${i}, ${rows}×${cols}, ${where}`).toBeLessThan(1e-12));
      }
    }
  });

  it.each(['blas1', 'blas2'])('%s: gradients of random float64 networks equal the reference\'s', (name) => {
    gradientsAgree(backends[name], 'float64', 1e-12, 1e-15);
  }, 60_000);

  it('a float64 network trains digits to the reference\'s weights and accuracy', () => {
    const data = loadBuiltin('digits');
    const { train, test } = prepareClassification(data.x, data.labels, { seed: 1 });
    const spec: NetworkSpec = { inputs: 64, layers: [{ units: 64, activation: 'relu' }, { units: 10, activation: 'softmax' }], loss: 'categorical-cross-entropy', dtype: 'float64' };
    const ref = new Network(spec), fast = new Network(spec, { kernels: backends.blas2 });
    const options = { epochs: 10, batchSize: 32, optimizer: 'adam' as const, learningRate: 0.003 };
    fit(ref, train.x, train.y, options);
    fit(fast, train.x, train.y, options);
    expect(Math.abs(evaluate(fast, test.x, test.y).accuracy! - evaluate(ref, test.x, test.y).accuracy!)).toBeLessThanOrEqual(0.005);
    fast.parameters.forEach((p, i) => expect(maxRelative(p.value, ref.parameters[i].value)).toBeLessThan(1e-9));
  }, 60_000);
});
