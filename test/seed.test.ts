// Seed 001's two worked numbers, reproduced by the library's trace of one update.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { Network, traceUpdate } from '../src/index.js';

const fixture = JSON.parse(readFileSync(new URL('./fixtures/numpy-reference.json', import.meta.url), 'utf8'));

/** Rounds to the number of decimals the seed prints. */
const printed = (v: number, decimals: number): number => Number(v.toFixed(decimals));

describe("seed 001's worked example (2 inputs, 1 hidden unit, 1 output, sigmoid, no bias)", () => {
  const net = new Network({
    inputs: 2,
    layers: [{ units: 1, activation: 'sigmoid', bias: false }, { units: 1, activation: 'sigmoid', bias: false }],
    loss: 'mse',
    dtype: 'float64',
  });
  net.setWeights([{ weights: [[0.4], [-0.2]], bias: null }, { weights: [[0.1]], bias: null }]);
  const t = traceUpdate(net, [0.1, 0.3], [1], { learningRate: 0.5 });
  const [hidden, output] = t.layers;

  it('forward pass: h = −0.02, a = 0.495, ŷ = 0.512', () => {
    expect(printed(hidden.h[0], 2)).toBe(-0.02);
    expect(printed(hidden.a[0], 3)).toBe(0.495);
    expect(printed(t.output[0], 3)).toBe(0.512);
    expect(printed(output.a[0], 3)).toBe(0.512);
  });

  it('output error term δᵒ = (y − ŷ) f′(Wa) = 0.122', () => {
    expect(printed(t.error[0], 3)).toBe(0.488);
    expect(printed(output.delta[0], 3)).toBe(0.122);
    expect(output.role).toBe('output');
  });

  it('hidden error term δʰ = W δᵒ f′(h) = 0.003', () => {
    expect(printed(hidden.delta[0], 3)).toBe(0.003);
    expect(hidden.role).toBe('hidden');
    expect(printed(hidden.derivative![0], 3)).toBe(0.25);
  });

  it('weight steps ΔW = 0.0302 and Δw = (0.00015, 0.00045)', () => {
    expect(printed(output.deltaW[0][0], 4)).toBe(0.0302);
    // The seed multiplies the rounded δʰ = 0.003; done the same way, the steps are the seed's.
    const roundedDelta = printed(hidden.delta[0], 3);
    const seedSteps = hidden.input.map((x) => printed(t.learningRate * roundedDelta * x, 5));
    expect(seedSteps).toEqual([0.00015, 0.00045]);
    // Exactly, they are 0.000152 and 0.000457.
    expect(hidden.deltaW.map((r) => printed(r[0], 6))).toEqual([0.000152, 0.000457]);
  });

  it('the update is applied to a copy of the weights unless asked, and lowers the loss', () => {
    expect(net.getWeights()[0].weights).toEqual([[0.4], [-0.2]]);
    expect(hidden.after.weights[0][0]).toBeCloseTo(0.4 + hidden.deltaW[0][0], 15);
    expect(output.after.weights[0][0]).toBeCloseTo(0.1 + output.deltaW[0][0], 15);
    expect(t.lossAfter).toBeLessThan(t.lossBefore);
    expect(t.applied).toBe(false);
  });

  it('apply: true keeps the stepped weights', () => {
    const copy = net.clone();
    const applied = traceUpdate(copy, [0.1, 0.3], [1], { learningRate: 0.5, apply: true });
    expect(copy.getWeights()).toEqual(applied.layers.map((l) => l.after));
    expect(copy.evaluateLoss([[0.1, 0.3]], [[1]])).toBe(applied.lossAfter);
  });
});

describe("seed 001's exercise (3 inputs, 2 hidden, 1 output)", () => {
  const net = new Network({
    inputs: 3,
    layers: [{ units: 2, activation: 'sigmoid', bias: false }, { units: 1, activation: 'sigmoid', bias: false }],
    dtype: 'float64',
  });
  net.setWeights([
    { weights: [[0.5, -0.6], [0.1, -0.2], [0.1, 0.7]], bias: null },
    { weights: [[0.1], [-0.3]], bias: null },
  ]);
  const t = traceUpdate(net, [0.5, 0.1, -0.2], [0.6], { learningRate: 0.5 });
  const [hidden, output] = t.layers;
  const ref = fixture.exercise;

  it('matches the values the issue prints, at their printed precision', () => {
    const hiddenToOutput = output.deltaW.map((r) => r[0]);
    expect(hiddenToOutput.map((v) => printed(v, 8))).toEqual([0.00804047, 0.00555918]);
    const expected = [
      [1.77005547e-4, -5.11178506e-4],
      [3.54011093e-5, -1.02235701e-4],
      [-7.08022187e-5, 2.04471402e-4],
    ];
    hidden.deltaW.forEach((r, i) => r.forEach((v, j) => expect(Math.abs(v - expected[i][j])).toBeLessThan(1e-12)));
  });

  it('matches the seed solution run in numpy to 1e-9', () => {
    output.deltaW.forEach((r, j) => expect(Math.abs(r[0] - ref.deltaWeightsHiddenOutput[j])).toBeLessThan(1e-9));
    hidden.deltaW.forEach((r, i) =>
      r.forEach((v, j) => expect(Math.abs(v - ref.deltaWeightsInputHidden[i][j])).toBeLessThan(1e-9)));
    hidden.a.forEach((v, j) => expect(Math.abs(v - ref.hiddenOutput[j])).toBeLessThan(1e-12));
    expect(Math.abs(t.output[0] - ref.output)).toBeLessThan(1e-12);
    expect(Math.abs(t.error[0] - ref.error)).toBeLessThan(1e-12);
    expect(Math.abs(output.delta[0] - ref.outputDelta)).toBeLessThan(1e-12);
    hidden.delta.forEach((v, j) => expect(Math.abs(v - ref.hiddenDelta[j])).toBeLessThan(1e-12));
  });
});
