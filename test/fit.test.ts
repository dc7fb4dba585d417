// fit on real data, and the controls around it: validation, callbacks, early stopping, abort, divergence.
import { describe, expect, it } from 'vitest';
import {
  DivergenceError, evaluate, fit, fitAsync, fitBatches, generate, Network, prepareClassification, Random, referenceKernels, stringifyModel,
  Trainer, type Batch, type Callback, type EpochLogs, type FitBatchesOptions, type NetworkSpec,
} from '../src/index.js';
import { loadBuiltin } from '../src/node/index.js';

/** A seeded stratified 80/20 split of a built-in data set, standardized on the training rows. */
function prepared(name: 'iris' | 'digits', seed: number) {
  const data = loadBuiltin(name);
  return { inputs: data.features.length, ...prepareClassification(data.x, data.labels, { seed }) };
}

describe('real data sets', () => {
  it('iris: 4-8-3 reaches at least 95% held-out accuracy, averaged over 20 seeded 20% splits', () => {
    const accuracies: number[] = [];
    for (let seed = 1; seed <= 20; seed++) {
      const d = prepared('iris', seed);
      const net = new Network({ inputs: 4, layers: [{ units: 8, activation: 'tanh' }, { units: 3, activation: 'softmax' }], loss: 'categorical-cross-entropy' });
      fit(net, d.train.x, d.train.y, { epochs: 100, batchSize: 8, learningRate: 0.1 });
      accuracies.push(evaluate(net, d.test.x, d.test.y).accuracy!);
    }
    const mean = accuracies.reduce((s, a) => s + a, 0) / accuracies.length;
    expect(mean).toBeGreaterThanOrEqual(0.95);
    // Every split is within a few flowers of that: 30 held out, at most 3 wrong.
    accuracies.forEach((a) => expect(a).toBeGreaterThanOrEqual(0.9));
  });

  it('digits: 64-64-10 reaches at least 96% held-out accuracy on the seeded 20% split', () => {
    const d = prepared('digits', 1);
    const net = new Network({ inputs: 64, layers: [{ units: 64, activation: 'relu' }, { units: 10, activation: 'softmax' }], loss: 'categorical-cross-entropy' });
    const history = fit(net, d.train.x, d.train.y, { epochs: 30, batchSize: 32, optimizer: 'adam', learningRate: 0.003 });
    expect(history.epochs).toHaveLength(30);
    expect(history.epochs[29].loss).toBeLessThan(history.epochs[0].loss / 10);
    expect(evaluate(net, d.test.x, d.test.y).accuracy).toBeGreaterThanOrEqual(0.96);
  });
});

const circle = generate('circle', { samples: 200, noise: 0.05, seed: 4 });
const x = circle.x.map((r) => r.map((v) => v / 5));
const spec: NetworkSpec = {
  inputs: 2,
  layers: [{ units: 8, activation: 'tanh' }, { units: 1, activation: 'sigmoid' }],
  loss: 'binary-cross-entropy',
  seed: 5,
};

describe('determinism', () => {
  it('the same seed, data and options give bit-identical weights, history, predictions and model files', () => {
    const run = () => {
      const net = new Network(spec);
      const history = fit(net, x, circle.y, { epochs: 15, batchSize: 16, optimizer: 'adam', validationSplit: 0.25, learningRate: 0.01 });
      return { net, history };
    };
    const a = run(), b = run();
    expect(b.history).toEqual(a.history);
    expect(Array.from(b.net.predict(x).data)).toEqual(Array.from(a.net.predict(x).data));
    expect(stringifyModel(b.net)).toBe(stringifyModel(a.net));
    const other = new Network(spec);
    fit(other, x, circle.y, { epochs: 15, batchSize: 16, optimizer: 'adam', validationSplit: 0.25, learningRate: 0.01, seed: 99 });
    expect(stringifyModel(other)).not.toBe(stringifyModel(a.net));
  });
});

describe('fit options', () => {
  it('reports loss and accuracy per epoch, and validation metrics with validationSplit', () => {
    const history = fit(new Network(spec), x, circle.y, { epochs: 5, validationSplit: 0.2, learningRate: 0.5 });
    expect(history.stopReason).toBe('completed');
    expect(history.finalEpoch).toBe(5);
    for (const e of history.epochs) {
      expect(Object.keys(e).sort()).toEqual(['accuracy', 'epoch', 'learningRate', 'loss', 'valAccuracy', 'valLoss']);
    }
    expect(history.epochs[4].loss).toBeLessThan(history.epochs[0].loss);
  });

  it('validationData is evaluated exactly as evaluate() would', () => {
    const net = new Network(spec);
    const history = fit(net, x.slice(0, 150), circle.y.slice(0, 150), { epochs: 3, validationData: [x.slice(150), circle.y.slice(150)], learningRate: 0.5 });
    const direct = evaluate(net, x.slice(150), circle.y.slice(150));
    expect(history.epochs[2].valLoss).toBe(direct.loss);
    expect(history.epochs[2].valAccuracy).toBe(direct.accuracy);
  });

  it('batch sizes: one update per example with 1, one per epoch with "all"', () => {
    let batches = 0;
    const count: Callback = { onBatchEnd: () => void batches++ };
    fit(new Network(spec), x.slice(0, 20), circle.y.slice(0, 20), { epochs: 2, batchSize: 1, callbacks: [count] });
    expect(batches).toBe(40);
    batches = 0;
    fit(new Network(spec), x, circle.y, { epochs: 3, batchSize: 'all', callbacks: [count] });
    expect(batches).toBe(3);
    batches = 0;
    fit(new Network(spec), x.slice(0, 50), circle.y.slice(0, 50), { epochs: 1, batchSize: 16, callbacks: [count] });
    expect(batches).toBe(4); // 16 + 16 + 16 + 2
  });

  it('full-batch sgd over one epoch is exactly one trainBatch step', () => {
    const a = new Network(spec), b = new Network(spec);
    fit(a, x, circle.y, { epochs: 1, batchSize: 'all', learningRate: 0.3, shuffle: false });
    b.trainBatch(x, circle.y, 0.3);
    expect(a.getWeights()).toEqual(b.getWeights());
  });

  it('a callback can stop training; the history says so', () => {
    const history = fit(new Network(spec), x, circle.y, {
      epochs: 50,
      callbacks: [{ onEpochEnd: (logs, control) => { if (logs.epoch === 3) control.stop(); } }],
    });
    expect(history.epochs).toHaveLength(3);
    expect(history.stopReason).toBe('callback');
  });

  it('early stopping restores the weights of the best validation epoch', () => {
    const net = new Network(spec);
    const seen: EpochLogs[] = [];
    // A learning rate this large makes the validation loss wander, so there is a best epoch to go back to.
    const history = fit(net, x, circle.y, {
      epochs: 200, learningRate: 3, optimizer: 'momentum', validationSplit: 0.3, earlyStopping: { patience: 4 },
      callbacks: [{ onEpochEnd: (logs) => void seen.push(logs) }],
    });
    expect(history.stopReason).toBe('early-stopping');
    const best = seen.reduce((a, b) => (b.valLoss! < a.valLoss! ? b : a));
    expect(history.finalEpoch).toBe(best.epoch);
    expect(history.epochs.length).toBe(best.epoch + 4);
    // Evaluate the restored network on the same validation rows: fit's split with the same seed.
    const again = new Network(spec);
    const replay = fit(again, x, circle.y, { epochs: best.epoch, learningRate: 3, optimizer: 'momentum', validationSplit: 0.3 });
    expect(replay.epochs[best.epoch - 1].valLoss).toBe(best.valLoss);
    expect(net.getWeights()).toEqual(again.getWeights());
  });

  it('an AbortSignal stops training and keeps the last whole epoch', () => {
    const controller = new AbortController();
    const net = new Network(spec);
    const history = fit(net, x, circle.y, {
      epochs: 100, batchSize: 10,
      callbacks: [{ onBatchEnd: (logs) => { if (logs.epoch === 3 && logs.batch === 5) controller.abort(); } }],
      signal: controller.signal,
    });
    expect(history.stopReason).toBe('aborted');
    expect(history.epochs).toHaveLength(2);
    const twoEpochs = new Network(spec);
    fit(twoEpochs, x, circle.y, { epochs: 2, batchSize: 10 });
    expect(net.getWeights()).toEqual(twoEpochs.getWeights());
  });

  it('divergence stops with a clear error and keeps the last good epoch', () => {
    const net = new Network({ ...spec, layers: [{ units: 8, activation: 'relu' }, { units: 1, activation: 'linear' }], loss: 'mse' });
    const good = new Network(net.toSpec());
    let caught: unknown;
    try {
      fit(net, x, circle.y, { epochs: 50, learningRate: 50, batchSize: 'all' });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(DivergenceError);
    const error = caught as DivergenceError;
    expect(error.message).toMatch(/^training diverged: (the loss became (NaN|Infinity) in epoch \d+, batch 1|the weights overflowed in epoch \d+), with learning rate 50; the weights of (epoch \d+|the start) were kept\. Try a smaller learning rate\.$/);
    const lastGood = error.history.epochs.length;
    expect(error.history.finalEpoch).toBe(lastGood);
    if (lastGood > 0) fit(good, x, circle.y, { epochs: lastGood, learningRate: 50, batchSize: 'all' });
    expect(net.getWeights()).toEqual(good.getWeights());
    net.getWeights().forEach((l) => l.weights.flat().forEach((w) => expect(Number.isFinite(w)).toBe(true)));
  });

  it('names the option at fault', () => {
    const net = new Network(spec);
    expect(() => fit(net, x, circle.y, { epochs: 0 })).toThrow('epochs: expected a positive integer, got 0');
    expect(() => fit(net, x, circle.y, { batchSize: 2.5 })).toThrow('batchSize: expected a positive integer, got 2.5');
    expect(() => fit(net, x, circle.y, { learningRate: -1 })).toThrow('learningRate: expected a positive number, got -1');
    expect(() => fit(net, x, circle.y, { validationSplit: 1.5 })).toThrow('validationSplit: expected a number between 0 and 1, got 1.5');
    expect(() => fit(net, x, circle.y, { l2: -0.1 })).toThrow('l2: expected a number ≥ 0, got -0.1');
    expect(() => fit(net, x, circle.y, { earlyStopping: { patience: 3, monitor: 'valLoss' } })).toThrow('earlyStopping.monitor: valLoss needs validation data');
    expect(() => fit(net, x, circle.y, { earlyStopping: 0 })).toThrow('earlyStopping.patience: expected a positive integer, got 0');
  });

  it('L2 shrinks the weights', () => {
    const plain = new Network(spec), penalised = new Network(spec);
    fit(plain, x, circle.y, { epochs: 30, learningRate: 0.5 });
    fit(penalised, x, circle.y, { epochs: 30, learningRate: 0.5, l2: 0.01 });
    const norm = (n: Network) => n.layers.reduce((s, l) => s + Array.from(l.W.data).reduce((t, w) => t + w * w, 0), 0);
    expect(norm(penalised)).toBeLessThan(0.8 * norm(plain));
  });
});

describe('plain sgd inside the backward pass', () => {
  // 300 inputs × 128 units: 38,400 weights, a layer large enough to take its step inside the gradient product; the
  // output layer's 1,280 take it as the optimizer does. 100 rows, so η/N is no power of two and the rounding differs.
  const wide: NetworkSpec = { inputs: 300, layers: [{ units: 128, activation: 'relu' }, { units: 10, activation: 'softmax' }], loss: 'categorical-cross-entropy', dtype: 'float64', seed: 3 };
  const random = new Random(8);
  const xs = Array.from({ length: 100 }, () => Array.from({ length: 300 }, () => random.uniform(-1, 1)));
  const ys = xs.map((r) => Array.from({ length: 10 }, (_, c) => (Math.floor(Math.abs(r[0] * r[1]) * 10) === c ? 1 : 0)));

  it('steps as the optimizer does, within rounding, leaving the large layer\'s gradient untaken', () => {
    const a = new Network(wide), b = new Network(wide);
    const inPass = new Trainer(a), plain = new Trainer(b);
    expect(inPass.stepsInPass).toBe(true);
    for (let t = 0; t < 8; t++) {
      const la = inPass.step(a.inputBatch(xs), a.targetBatch(ys, 100), 0.2, undefined, false).loss;
      const lb = plain.step(b.inputBatch(xs), b.targetBatch(ys, 100), 0.2).loss;
      expect(Math.abs(la - lb)).toBeLessThan(1e-12);
    }
    let moved = 0;
    a.parameters.forEach((p, i) => Array.from(p.value.data).forEach((w, j) => {
      const other = b.parameters[i].value.data[j];
      moved = Math.max(moved, Math.abs(w - b.parameters[i].value.data[j]));
      expect(Math.abs(w - other)).toBeLessThanOrEqual(1e-14 * Math.max(1, Math.abs(other)));
    }));
    expect(moved).toBeGreaterThan(0); // the weights did move apart by rounding: the step went another way
    // The first layer's step went into W: its gradient was never written. The output layer's was, as the optimizer's.
    expect(a.layers[0].gradW.data.every((g) => g === 0)).toBe(true);
    expect(a.layers[1].gradW.data.some((g) => g !== 0)).toBe(true);
    expect(a.layers[1].gradB!.data.some((g) => g !== 0)).toBe(true);
  });

  it('only for plain sgd, and a loss that is not finite takes no step', () => {
    expect(new Trainer(new Network(wide), { optimizer: 'momentum' }).stepsInPass).toBe(false);
    expect(new Trainer(new Network(wide), { l2: 0.01 }).stepsInPass).toBe(false);
    expect(new Trainer(new Network(wide), { clipNorm: 1 }).stepsInPass).toBe(false);
    const net = new Network(wide), before = net.parameters.map((p) => Array.from(p.value.data));
    const input = net.inputBatch(xs), target = net.targetBatch(ys, 100);
    target.data[5] = NaN;
    const { loss } = new Trainer(net).step(input, target, 0.2, undefined, false);
    expect(loss).toBeNaN();
    net.parameters.forEach((p, i) => expect(Array.from(p.value.data)).toEqual(before[i]));
    expect(() => net.pass(input, target, true, { sgdStep: -1 })).toThrow('sgdStep: expected a positive number, got -1');
  });

  it('fit leaves every epoch\'s last gradients, and every batch\'s where a callback sees each batch', () => {
    const norms: number[] = [];
    const net = new Network(wide);
    fit(net, xs, ys, { epochs: 2, batchSize: 32, learningRate: 0.2, callbacks: [{ onEpochEnd: () => norms.push(net.gradientNorms()[0].weights) }] });
    expect(norms).toHaveLength(2);
    norms.forEach((n) => expect(n).toBeGreaterThan(0));
    const seen = new Network(wide), perBatch: number[] = [];
    fit(seen, xs, ys, { epochs: 2, batchSize: 32, learningRate: 0.2, callbacks: [{ onBatchEnd: () => perBatch.push(seen.gradientNorms()[0].weights) }] });
    expect(perBatch).toHaveLength(8);
    // Each batch's own gradient: none left over from another batch (or never written).
    perBatch.forEach((n, i) => {
      expect(n).toBeGreaterThan(0);
      if (i > 0) expect(n).not.toBe(perBatch[i - 1]);
    });
  });
});

describe('fitAsync', () => {
  it('gives the event loop turns while training and ends with the same weights as fit', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    // On the reference kernels, so that the run lasts long enough to need turns (the fast ones finish in a few).
    const net = new Network(spec, { kernels: referenceKernels });
    const history = await fitAsync(net, x, circle.y, { epochs: 300, batchSize: 1, learningRate: 0.1 });
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(3);
    const same = new Network(spec, { kernels: referenceKernels });
    expect(fit(same, x, circle.y, { epochs: 300, batchSize: 1, learningRate: 0.1 })).toEqual(history);
    expect(same.getWeights()).toEqual(net.getWeights());
  });
});

describe('fitBatches: training from a source of batches', () => {
  const random = new Random(17);
  const x = Array.from({ length: 200 }, () => [random.uniform(-1, 1), random.uniform(-1, 1)]);
  const y = x.map((r) => [r[0] * r[1] > 0 ? 1 : 0]);
  const spec: NetworkSpec = { inputs: 2, layers: [{ units: 6, activation: 'tanh' }, { units: 1, activation: 'sigmoid' }], loss: 'binary-cross-entropy', seed: 4 };

  it('an async generator of the same batches gives the same weights and history as fit without shuffling', async () => {
    const a = new Network(spec), b = new Network(spec);
    const options = { epochs: 3, learningRate: 0.05, optimizer: 'adam' as const };
    const fromArrays = fit(a, x, y, { ...options, batchSize: 32, shuffle: false });
    async function* batches(): AsyncGenerator<Batch> {
      for (let start = 0; start < x.length; start += 32) {
        await Promise.resolve(); // as a cursor or a stream would
        yield { x: x.slice(start, start + 32), y: y.slice(start, start + 32) };
      }
    }
    const fromSource = await fitBatches(b, () => batches(), options);
    expect(fromSource.epochs.map((e) => e.loss)).toEqual(fromArrays.epochs.map((e) => e.loss));
    b.parameters.forEach((p, i) => expect(Array.from(p.value.data)).toEqual(Array.from(a.parameters[i].value.data)));
  });

  it('validation, early stopping and a plain iterable work as in fit; a bad batch is named', async () => {
    const net = new Network(spec);
    const history = await fitBatches(net, () => [{ x, y }], { epochs: 200, learningRate: 0.5, validationData: [x.slice(0, 50), y.slice(0, 50)], earlyStopping: 3 });
    expect(history.epochs[0].valLoss).toBeDefined();
    expect(['early-stopping', 'completed']).toContain(history.stopReason);
    await expect(fitBatches(new Network(spec), () => [{ x }] as unknown as Batch[], { epochs: 1 })).rejects.toThrow('fitBatches: epoch 1, batch 1: expected an object { x, y }');
    await expect(fitBatches(new Network(spec), () => [], { epochs: 1 })).rejects.toThrow('fitBatches: the source gave no batches in epoch 1');
    await expect(fitBatches(new Network(spec), () => [{ x, y }], { epoch: 2 } as FitBatchesOptions)).rejects.toThrow(/did you mean "epochs"\?/);
    // Divergence, as in fit: one clear error, and the weights of the last good epoch are kept.
    const wild = new Network({ inputs: 2, layers: [{ units: 8, activation: 'relu' }, { units: 1, activation: 'linear' }], loss: 'mse' });
    const huge = x.map((r) => [1e6 * r[0]]);
    await expect(fitBatches(wild, () => [{ x, y: huge }], { epochs: 50, learningRate: 10 })).rejects.toThrow(DivergenceError);
    wild.parameters.forEach((p) => p.value.data.forEach((w) => expect(Number.isFinite(w)).toBe(true)));
  });
});
