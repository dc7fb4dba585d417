// The default rule's stop (LossStop, issue 26): it ends a run within the patience window after the loss stalls,
// never passes the cap, keeps the best epoch by validation loss, and is what train, cv and the command line run.
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_L2_BOUND, defaultEpochs, defaultL2, defaultPatience, fit, planTraining, LossStop, Network, prepareClassification, referenceKernels, settle, resolveOptions,
  generate, sumOfSquaredWeights, toFrame, train, type EpochLogs,
} from '../src/index.js';

function circleData() {
  const data = generate('circle', { samples: 300, seed: 1 });
  return prepareClassification(data.x, data.y.map((r) => r[0]), { seed: 1 });
}

function network(seed = 1): Network {
  return new Network({ inputs: 2, layers: [{ units: 16, activation: 'relu' }, { units: 2, activation: 'softmax' }], loss: 'categorical-cross-entropy', seed }, { kernels: referenceKernels });
}

describe('LossStop', () => {
  // From epoch STALL on the learning rate is 10⁻¹² of itself: the weights, and so the losses, stop moving there.
  const STALL = 30, PATIENCE = 5;
  const frozenAfter = { type: 'step', every: STALL, factor: 1e-12 } as const;

  it('stops within the patience window after the validation loss stalls, and keeps the best epoch', () => {
    const d = circleData();
    const stop = new LossStop({ patience: PATIENCE });
    const h = fit(network(), d.train.x, d.train.y, { epochs: 500, learningRate: 0.05, optimizer: 'adam', schedule: frozenAfter, validationData: [d.test.x, d.test.y], callbacks: [stop], seed: 1 });
    expect(h.stopReason).toBe('converged');
    // The loss falls until the freeze (so the rule does not stop before it) and then goes flat.
    expect(h.epochs.length).toBeGreaterThan(STALL);
    expect(h.epochs.length).toBeLessThanOrEqual(STALL + PATIENCE + 1);
    const best = Math.min(...h.epochs.map((e) => e.valLoss!));
    expect(h.finalEpoch).toBeLessThanOrEqual(STALL + 1);
    expect(h.epochs[h.finalEpoch - 1].valLoss).toBe(best);
    expect(stop.monitor).toBe('valLoss');
  });

  it('without validation rows watches the training objective and keeps the last epoch', () => {
    const d = circleData();
    const stop = new LossStop({ patience: PATIENCE });
    const h = fit(network(), d.train.x, d.train.y, { epochs: 500, learningRate: 0.005, optimizer: 'adam', schedule: frozenAfter, l2: 1e-3, callbacks: [stop], seed: 1 });
    expect(h.stopReason).toBe('converged');
    expect(stop.monitor).toBe('loss');
    expect(h.epochs.length).toBeGreaterThan(STALL);
    // The epoch after the freeze is the first whose mean loss is flat (the freeze's own epoch still moved).
    expect(h.epochs.length).toBeLessThanOrEqual(STALL + PATIENCE + 2);
    expect(h.finalEpoch).toBe(h.epochs.length);
  });

  it('never passes a cap of N epochs, and stops at N while the loss still falls', () => {
    const d = circleData();
    for (const cap of [1, 7, 25]) {
      const stop = new LossStop({ patience: 3 });
      const h = fit(network(2), d.train.x, d.train.y, { epochs: cap, learningRate: 0.01, optimizer: 'adam', validationData: [d.test.x, d.test.y], callbacks: [stop], seed: 2 });
      expect(h.epochs.length).toBeLessThanOrEqual(cap);
      if (h.stopReason === 'completed') expect(h.epochs.length).toBe(cap);
    }
  });

  it('counts an epoch that falls by no more than the tolerance as one without a fall (scikit-learn\'s rule)', () => {
    const seen: number[] = [];
    const stop = new LossStop({ patience: 3, tolerance: 0.1 });
    const control = { network: network(), epochs: 100, batchesPerEpoch: 1, hasValidation: false, history: [], stop: () => seen.push(-1), setFinalEpoch: () => undefined };
    stop.onTrainBegin(control);
    // 1.0, then falls of 0.05 each: each is within 0.1 of the best, so the third ends the run.
    [1, 0.95, 0.9, 0.85].forEach((loss, i) => {
      stop.onEpochEnd({ epoch: i + 1, loss, learningRate: 0.1 } as EpochLogs, control);
      seen.push(i + 1);
    });
    expect(seen).toEqual([1, 2, 3, -1, 4]);
    expect(stop.best).toBe(0.85);
  });
});

describe('the default rule', () => {
  it('caps the epochs at 1000 or 200 000 steps, at least 100; waits 10 epochs or 500 steps', () => {
    expect(defaultEpochs(120, 32)).toBe(1000);
    expect(defaultEpochs(10_000, 32)).toBe(639);
    expect(defaultEpochs(100_000, 32)).toBe(100);
    expect(defaultPatience(120, 32)).toBe(125);
    expect(defaultPatience(1000, 32)).toBe(16);
    expect(defaultPatience(20_000, 32)).toBe(10);
  });

  it('bounds 3/n so the penalty at the start is at most 0.3 for classes, 2 for a regression: the circle problem\'s 2.71 becomes 0.3', () => {
    const net = new Network({ inputs: 2, layers: [{ units: 100, activation: 'relu' }, { units: 1, activation: 'sigmoid' }], loss: 'binary-cross-entropy', seed: 1 }, { kernels: referenceKernels });
    const s0 = sumOfSquaredWeights(net.parameters);
    expect(3 / 240 * s0).toBeGreaterThan(2);
    expect(DEFAULT_L2_BOUND).toEqual({ classification: 0.3, regression: 2 });
    expect(defaultL2(240, 'adam', 'classification', s0) * s0).toBeCloseTo(0.3, 12);
    expect(defaultL2(240, 'adam', 'regression', s0) * s0).toBeCloseTo(2, 12);
    expect(defaultL2(100_000, 'adam', 'classification', s0)).toBe(3 / 100_000);
    expect(defaultL2(100_000, 'adam', 'regression', s0)).toBe(3 / 100_000);
    expect(defaultL2(240, 'adam', 'classification')).toBe(3 / 240);
    expect(defaultL2(240, 'adamw', 'classification', s0)).toBe(0);
  });

  it('train takes the bound of the data\'s task: 0.3/Σw²₀ on the circle\'s classes, 2/Σw²₀ on a regression of the same inputs (none for bagged networks)', async () => {
    const data = generate('circle', { samples: 300, seed: 1 });
    const x = data.x.map((r) => [...r]);
    const classes = await planTraining(toFrame(x, { y: data.y.map((r) => r[0]) }), { backend: 'reference' });
    expect(classes.members).toBe(5);
    expect(classes.options.l2 * sumOfSquaredWeights(classes.network.parameters)).toBeCloseTo(0.3, 10);
    const regressionFrame = toFrame(x, { y: x.map((r) => r[0] * r[0] + r[1] * r[1]) });
    const regression = await planTraining(regressionFrame, { bagging: 1, backend: 'reference' });
    expect(regression.options.l2 * sumOfSquaredWeights(regression.network.parameters)).toBeCloseTo(2, 10);
    // Bagged networks stop on their own folds' loss; a regression then takes no default penalty.
    expect((await planTraining(regressionFrame, { backend: 'reference' })).options.l2).toBe(0);
    // Given, λ is as given for either task.
    expect((await planTraining(toFrame(x, { y: x.map((r) => r[0]) }), { l2: 0.05, backend: 'reference' })).options.l2).toBe(0.05);
  });

  it('stops by the loss when the epochs are the default; given epochs are run to the end', async () => {
    const o = resolveOptions({});
    expect(settle(o, 240, 'classification').stop).toEqual({ patience: 63, tolerance: 1e-4 });
    expect(settle(resolveOptions({ epochs: 40 }), 240, 'classification').stop).toBeUndefined();
    const data = generate('circle', { samples: 300, seed: 1 });
    const x = data.x, y = data.y.map((r) => r[0]);
    const given = await train(x, { y, epochs: 40 });
    expect(given.history!.epochs.length).toBe(40);
    expect(given.history!.stopReason).toBe('completed');
    const byDefault = await train(x, { y });
    expect(byDefault.history!.stopReason).toBe('converged');
    const losses = byDefault.history!.epochs.map((e) => e.valLoss!);
    expect(byDefault.history!.epochs[byDefault.history!.finalEpoch - 1].valLoss).toBe(Math.min(...losses));
  }, 240_000);
});
