// Each optimizer's first two steps against values worked out scalar by scalar (test/fixtures/make_fixtures.py),
// penalties and learning-rate schedules against hand arithmetic.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import {
  BackpropError, createOptimizer, fit, fromRows, learningRateAt, Network, rateSchedule, referenceKernels, OPTIMIZER_NAMES,
  type OptimizerName, type Parameter,
} from '../src/index.js';

const fixture = JSON.parse(readFileSync(new URL('./fixtures/numpy-reference.json', import.meta.url), 'utf8')).optimizers;

const torchPlateau = JSON.parse(readFileSync(new URL('./fixtures/plateau-torch.json', import.meta.url), 'utf8')) as {
  cases: { initial: number; factor: number; patience: number; threshold: number; minimum: number; losses: number[]; rates: number[] }[];
};

const torchAdamW = JSON.parse(readFileSync(new URL('./fixtures/adamw-torch.json', import.meta.url), 'utf8'));

describe.each(OPTIMIZER_NAMES.filter((n) => n !== 'adamw').map((n) => [n] as const))('%s', (name: OptimizerName) => {
  it('takes the two steps worked out by hand', () => {
    const value = fromRows([fixture.w0], 'float64');
    const grad = fromRows([[0, 0]], 'float64');
    const parameters: Parameter[] = [{ layer: 0, kind: 'weights', value, grad }];
    const optimizer = createOptimizer(name);
    fixture.grads.forEach((g: number[], t: number) => {
      grad.data.set(g);
      optimizer.step(referenceKernels, parameters, fixture.learningRate);
      const expected: number[] = fixture.steps[name][t];
      Array.from(value.data).forEach((w, i) => expect(Math.abs(w - expected[i]), `step ${t + 1}, weight ${i}`).toBeLessThan(1e-14));
    });
  });
});

describe('adamw', () => {
  it('takes the two steps PyTorch\'s AdamW takes (test/fixtures/make_adamw.py), decaying weights but not biases', () => {
    const value = fromRows([fixture.w0], 'float64'), grad = fromRows([[0, 0]], 'float64');
    const bias = fromRows([fixture.w0], 'float64'), biasGrad = fromRows([[0, 0]], 'float64');
    const parameters: Parameter[] = [{ layer: 0, kind: 'weights', value, grad }, { layer: 0, kind: 'bias', value: bias, grad: biasGrad }];
    const optimizer = createOptimizer({ name: 'adamw', weightDecay: torchAdamW.weightDecay });
    fixture.grads.forEach((g: number[], t: number) => {
      grad.data.set(g);
      biasGrad.data.set(g);
      optimizer.step(referenceKernels, parameters, torchAdamW.learningRate);
      Array.from(value.data).forEach((w, i) => expect(Math.abs(w - torchAdamW.steps[t][i]), `step ${t + 1}, weight ${i}`).toBeLessThan(1e-14));
      // A bias takes Adam's step alone.
      Array.from(bias.data).forEach((b, i) => expect(Math.abs(b - fixture.steps.adam[t][i])).toBeLessThan(1e-14));
    });
    expect(() => createOptimizer({ name: 'adamw', weightDecay: -1 })).toThrow('optimizer.weightDecay: expected a number ≥ 0, got -1');
  });
});

describe('gradient clipping', () => {
  it('scales the gradient to the global norm asked for, and leaves a smaller one alone', async () => {
    const { Network, Trainer } = await import('../src/index.js');
    const net = new Network({ inputs: 3, layers: [{ units: 4, activation: 'tanh' }, { units: 2, activation: 'linear' }], dtype: 'float64', seed: 2 });
    const x = fromRows([[1, -2, 3], [0.5, 4, -1]], 'float64'), y = fromRows([[30, -20], [10, 40]], 'float64');
    const norm = (): number => Math.sqrt(net.parameters.reduce((s, p) => s + Array.from(p.grad.data).reduce((a, g) => a + g * g, 0), 0));
    net.computeGradients(x, y);
    const before = norm();
    const grads = net.parameters.map((p) => Array.from(p.grad.data));
    const trainer = new Trainer(net, { clipNorm: before / 4 });
    expect(trainer.clip()).toBeCloseTo(before, 12);
    expect(norm()).toBeCloseTo(before / 4, 10);
    // The direction is kept: every component scaled by the same 1/4.
    net.parameters.forEach((p, i) => Array.from(p.grad.data).forEach((g, j) => expect(g).toBeCloseTo(grads[i][j] / 4, 12)));
    const loose = new Trainer(net, { clipNorm: before });
    loose.clip();
    expect(norm()).toBeCloseTo(before / 4, 10);
    expect(() => new Trainer(net, { clipNorm: 0 })).toThrow('clipNorm: expected a positive number');
  });
});

describe('optimizer options', () => {
  it('reject constants out of range, naming them', () => {
    expect(() => createOptimizer({ name: 'momentum', momentum: 1.5 })).toThrow('optimizer.momentum: expected a number in [0, 1), got 1.5');
    expect(() => createOptimizer({ name: 'adam', epsilon: -1 })).toThrow('optimizer.epsilon: expected a positive number, got -1');
    expect(() => createOptimizer('adagrad' as OptimizerName)).toThrow(BackpropError);
    expect(() => createOptimizer('adagrad' as OptimizerName)).toThrow('expected one of: sgd, momentum, nesterov, rmsprop, adam');
  });
});

describe('weight penalties', () => {
  it('add l1·sign(w) + 2·l2·w to the gradient', () => {
    const w = fromRows([[2, -3, 0]], 'float64');
    const g = fromRows([[1, 1, 1]], 'float64');
    referenceKernels.addPenaltyGradient(w, g, 0.1, 0.5);
    expect(Array.from(g.data)).toEqual([1 + 0.1 + 2, 1 - 0.1 - 3, 1]);
    expect(referenceKernels.sumAbs(w)).toBe(5);
  });
});

describe('learning-rate schedules', () => {
  it('step decay halves η every 10 epochs', () => {
    const s = { type: 'step', every: 10, factor: 0.5 } as const;
    expect([0, 9, 10, 25].map((e) => learningRateAt(s, 0.8, e))).toEqual([0.8, 0.8, 0.4, 0.2]);
  });

  it('cosine decay follows PyTorch\'s CosineAnnealingLR: η₀ at epoch 0, half-way at epochs/2, the minimum at the end', () => {
    const s = { type: 'cosine', epochs: 10, minimum: 0.1 } as const;
    expect(learningRateAt(s, 1, 0)).toBe(1);
    expect(learningRateAt(s, 1, 5)).toBeCloseTo(0.55, 12);
    expect(learningRateAt(s, 1, 1)).toBeCloseTo(0.1 + 0.9 * (1 + Math.cos(Math.PI / 10)) / 2, 12);
    expect(learningRateAt(s, 1, 10)).toBeCloseTo(0.1, 12);
  });

  it('exponential decay multiplies η by the rate each epoch', () => {
    const s = { type: 'exponential', rate: 0.5 } as const;
    expect([0, 1, 3].map((e) => learningRateAt(s, 1, e))).toEqual([1, 0.5, 0.125]);
  });

  it('reduce-on-plateau gives PyTorch 1.13\'s ReduceLROnPlateau rates for the same losses', () => {
    for (const c of torchPlateau.cases) {
      const s = rateSchedule({ type: 'plateau', factor: c.factor, patience: c.patience, threshold: c.threshold, minimum: c.minimum }, c.initial);
      const rates = c.losses.map((loss, e) => {
        const rate = s.at(e);
        s.observe(loss);
        return rate;
      });
      rates.forEach((r, e) => expect(r, `epoch ${e}`).toBeCloseTo(c.rates[e], 15));
    }
  });

  it('fit under reduce-on-plateau: each epoch\'s η follows from the losses logged before it', () => {
    const net = new Network({ inputs: 2, layers: [{ units: 4, activation: 'tanh' }, { units: 1, activation: 'sigmoid' }], loss: 'binary-cross-entropy', seed: 3 });
    const x = [[0, 0], [0, 1], [1, 0], [1, 1]], y = [[0], [1], [1], [0]];
    const schedule = { type: 'plateau', factor: 0.5, patience: 1, threshold: 0.2 } as const;
    const history = fit(net, x, y, { epochs: 12, batchSize: 4, learningRate: 0.5, schedule, validationData: [x, y] });
    const replay = rateSchedule(schedule, 0.5);
    history.epochs.forEach((e, i) => {
      expect(e.learningRate).toBe(replay.at(i));
      replay.observe(e.valLoss!);
    });
    // The losses fall by less than 20% an epoch here, so η is halved along the way.
    expect(history.epochs[11].learningRate).toBeLessThan(0.5);
    expect(() => rateSchedule({ type: 'plateau', factor: 2 }, 1)).toThrow('schedule.factor: expected a number in (0, 1)');
  });

  it('a function gets the epoch and η₀, and its answer is checked', () => {
    expect(learningRateAt((e, lr) => lr / (1 + e), 1, 3)).toBe(0.25);
    expect(() => learningRateAt(() => -1, 1, 0)).toThrow('schedule: the function returned -1 for epoch 1; expected a positive number');
  });
});

describe('one call for the whole network', () => {
  it.each(['sgd', 'momentum', 'adam', 'adamw'] as const)('%s steps every parameter in one kernel call, to the same bits as matrix by matrix', async (name) => {
    const { Trainer, Random } = await import('../src/index.js');
    const spec = { inputs: 5, layers: [{ units: 7, activation: 'tanh' as const }, { units: 3, activation: 'softmax' as const }], loss: 'categorical-cross-entropy' as const, seed: 4 };
    const random = new Random(9);
    const x = fromRows(Array.from({ length: 16 }, () => Array.from({ length: 5 }, () => random.uniform(-1, 1))));
    const y = fromRows(Array.from({ length: 16 }, (_, i) => [0, 1, 2].map((k) => (k === i % 3 ? 1 : 0))));
    let calls = 0;
    const counted = { ...referenceKernels, axpy: (...a: Parameters<typeof referenceKernels.axpy>) => (calls++, referenceKernels.axpy(...a)),
      momentumStep: (...a: Parameters<typeof referenceKernels.momentumStep>) => (calls++, referenceKernels.momentumStep(...a)),
      adamStep: (...a: Parameters<typeof referenceKernels.adamStep>) => (calls++, referenceKernels.adamStep(...a)) };
    const whole = new Network(spec, { kernels: counted });
    expect(whole.parameters.block!.values.data.length).toBeGreaterThanOrEqual(5 * 7 + 7 + 7 * 3 + 3);
    const trainer = new Trainer(whole, { optimizer: name, l2: 0.01 });
    // The same steps taken matrix by matrix: the optimizer given the parameters as a plain list.
    const apart = new Network(spec, { kernels: referenceKernels });
    const optimizer = createOptimizer(name);
    for (let step = 0; step < 3; step++) {
      calls = 0;
      trainer.step(x, y, 0.05);
      // adamw decays the weights (one more call); the others: exactly one.
      expect(calls).toBe(name === 'adamw' ? 2 : 1);
      apart.computeGradients(x, y);
      for (const p of apart.parameters) if (p.kind === 'weights') referenceKernels.addPenaltyGradient(p.value, p.grad, 0, 0.01);
      optimizer.step(referenceKernels, [...apart.parameters], 0.05);
    }
    whole.parameters.forEach((p, i) => expect(Buffer.from(p.value.data.buffer, p.value.data.byteOffset, p.value.data.byteLength)
      .equals(Buffer.from(apart.parameters[i].value.data.buffer, apart.parameters[i].value.data.byteOffset, apart.parameters[i].value.data.byteLength))).toBe(true));
  });
});
