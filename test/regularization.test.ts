// Dropout and class weights in the library: masks, scale, determinism, gradients under a fixed mask, and the
// weighted loss against its formula computed here from the predictions.
import { describe, expect, it } from 'vitest';
import {
  classWeights, fit, fromRows, gradientCheck, Network, Random, rowWeights, toRows, Trainer, type NetworkSpec,
} from '../src/index.js';

const spec = (extra: Partial<NetworkSpec> = {}): NetworkSpec => ({
  inputs: 3,
  layers: [{ units: 6, activation: 'tanh' }, { units: 5, activation: 'sigmoid' }, { units: 3, activation: 'softmax' }],
  loss: 'categorical-cross-entropy',
  dtype: 'float64',
  seed: 7,
  ...extra,
});

function data(rows: number, seed: number): { x: number[][]; y: number[][]; labels: number[] } {
  const r = new Random(seed);
  const x = Array.from({ length: rows }, () => [r.uniform(-1, 1), r.uniform(-1, 1), r.uniform(-1, 1)]);
  const labels = x.map(([a, b]) => (a + b > 0.6 ? 2 : a - b > 0.3 ? 1 : 0));
  return { x, y: labels.map((c) => [0, 1, 2].map((k) => (k === c ? 1 : 0))), labels };
}

describe('dropout', () => {
  it('the same seed gives the same masks; entries are 0 or 1/(1 − p), kept with probability 1 − p', () => {
    const net = new Network(spec());
    const a = net.dropoutMasks(2000, [0.3, 0.5, 0], new Random(11));
    const b = net.dropoutMasks(2000, [0.3, 0.5, 0], new Random(11));
    const c = net.dropoutMasks(2000, [0.3, 0.5, 0], new Random(12));
    expect(a[2]).toBeNull();
    expect(Array.from(a[0]!.data)).toEqual(Array.from(b[0]!.data));
    expect(Array.from(a[0]!.data)).not.toEqual(Array.from(c[0]!.data));
    for (const [m, p] of [[a[0]!, 0.3], [a[1]!, 0.5]] as const) {
      const values = new Set(m.data);
      expect([...values].sort()).toEqual([0, 1 / (1 - p)].sort());
      const kept = Array.from(m.data).filter((v) => v > 0).length / m.data.length;
      expect(kept).toBeGreaterThan(1 - p - 0.02);
      expect(kept).toBeLessThan(1 - p + 0.02);
      // Inverted dropout: the mask's mean is 1, so a unit's expected output is what it is without dropout.
      const mean = Array.from(m.data).reduce((s, v) => s + v, 0) / m.data.length;
      expect(Math.abs(mean - 1)).toBeLessThan(0.03);
    }
  });

  it('keeps each hidden unit\'s mean output: the layer above sees a ⊙ m, whose average over many rows is a\'s', () => {
    // One row repeated: the hidden outputs are the same for every row, so the average of a ⊙ m over the rows
    // estimates E[a ⊙ m] = a.
    const net = new Network({ inputs: 3, layers: [{ units: 4, activation: 'sigmoid' }, { units: 1, activation: 'linear' }], dtype: 'float64', seed: 3 });
    const rows = 20000;
    const x = fromRows(Array.from({ length: rows }, () => [0.2, -0.5, 0.9]), 'float64');
    const y = fromRows(Array.from({ length: rows }, () => [0]), 'float64');
    const plain = net.pass(x, y, false);
    const a = Array.from(plain.buffers[0].a.data.slice(0, 4));
    const outPlain = plain.buffers[1].a.data[0];
    const masks = net.dropoutMasks(rows, [0.4, 0], new Random(5));
    const dropped = net.pass(x, y, false, { masks });
    // The output is linear in the hidden outputs, so its mean under dropout is the output without it.
    const outs = Array.from(dropped.buffers[1].a.data);
    const meanOut = outs.reduce((s, v) => s + v, 0) / rows;
    const spread = Math.sqrt(outs.reduce((s, v) => s + (v - meanOut) ** 2, 0) / rows / rows);
    expect(Math.abs(meanOut - outPlain)).toBeLessThan(4 * spread);
    expect(spread).toBeGreaterThan(0);
    // Dropout leaves a itself alone; only what the layer above reads is masked.
    expect(Array.from(dropped.buffers[0].a.data.slice(0, 4))).toEqual(a);
  });

  it('gradients with a fixed mask equal finite differences; the mask is really applied', () => {
    const net = new Network(spec());
    const { x, y } = data(6, 1);
    for (const rates of [0.5, [0.2, 0.6]] as const) {
      const report = gradientCheck(net, x, y, { dropout: rates, seed: 9 });
      expect(report.ok, JSON.stringify(report.checks.map((c) => c.maxRelError))).toBe(true);
      expect(report.maxRelError).toBeLessThan(1e-7);
    }
    // The loss under the masks is not the loss without them.
    const masks = net.dropoutMasks(6, [0.5, 0.5, 0], new Random(9));
    const xs = net.inputBatch(x), ys = net.targetBatch(y, 6);
    expect(net.pass(xs, ys, false, { masks }).loss).not.toBeCloseTo(net.pass(xs, ys, false).loss, 6);
  });

  it('fit with dropout: reproducible with its seed, different from no dropout, and off at prediction', () => {
    const { x, y } = data(120, 2);
    const train = (dropout?: number): Network => {
      const net = new Network(spec({ dtype: 'float32' }));
      fit(net, x, y, { epochs: 5, batchSize: 16, optimizer: 'adam', learningRate: 0.01, seed: 4, dropout });
      return net;
    };
    const [a, b, none] = [train(0.3), train(0.3), train()];
    expect(a.getWeights()).toEqual(b.getWeights());
    expect(a.getWeights()).not.toEqual(none.getWeights());
    // Prediction has no randomness: twice the same, and the same as a forward pass done by hand.
    const p1 = toRows(a.predict(x)), p2 = toRows(a.predict(x));
    expect(p1).toEqual(p2);
    const w = a.getWeights();
    const dense = (v: number[], l: number, f: (h: number) => number): number[] =>
      w[l].weights[0].map((_, j) => f(v.reduce((s, xi, i) => s + xi * w[l].weights[i][j], w[l].bias![j])));
    const h1 = dense(x[0], 0, Math.tanh), h2 = dense(h1, 1, (h) => 1 / (1 + Math.exp(-h))), h3 = dense(h2, 2, (h) => h);
    const z = Math.max(...h3), e = h3.map((v) => Math.exp(v - z)), sum = e.reduce((s, v) => s + v, 0);
    e.forEach((v, j) => expect(p1[0][j]).toBeCloseTo(v / sum, 5));
  });

  it('rates are checked', () => {
    const net = new Network(spec());
    const { x, y } = data(4, 3);
    expect(() => fit(net, x, y, { dropout: 1 })).toThrow('dropout: expected a rate in [0, 1), got 1');
    expect(() => fit(net, x, y, { dropout: [0.1] })).toThrow('dropout: expected one rate for every hidden layer or one per hidden layer (2), got 1');
  });
});

describe('class weights', () => {
  it('balanced gives n / (k · n_c); explicit weights are checked against the classes', () => {
    const net = new Network(spec());
    const y = fromRows([...Array(6).fill([1, 0, 0]), ...Array(3).fill([0, 1, 0]), [0, 0, 1]]);
    expect(Array.from(classWeights(net, 'balanced', y))).toEqual([10 / 18, 10 / 9, 10 / 3]);
    expect(Array.from(rowWeights(classWeights(net, [1, 2, 3], y), y))).toEqual([1, 1, 1, 1, 1, 1, 2, 2, 2, 3]);
    expect(() => classWeights(net, [1, 2], y)).toThrow('classWeight: expected \'balanced\' or 3 weights, one per class, got 2');
    const binary = new Network({ inputs: 2, layers: [{ units: 1, activation: 'sigmoid' }], loss: 'binary-cross-entropy' });
    expect(Array.from(classWeights(binary, 'balanced', fromRows([[0], [0], [0], [1]])))).toEqual([4 / 6, 2]);
    const regression = new Network({ inputs: 2, layers: [{ units: 1, activation: 'linear' }] });
    expect(() => classWeights(regression, 'balanced', fromRows([[0.5]]))).toThrow('classWeight: class weights are for classification');
  });

  it('the loss is (1/N) Σₙ w_c(n) · (−log ŷₙ,c(n)), and its gradients equal finite differences', () => {
    const net = new Network(spec());
    const { x, y, labels } = data(9, 5);
    const weightOf = [0.5, 2, 3];
    const w = rowWeights(Float64Array.from(weightOf), fromRows(y));
    const p = toRows(net.predict(x));
    const expected = labels.reduce((s, c, n) => s + weightOf[c] * -Math.log(p[n][c]), 0) / labels.length;
    const xs = net.inputBatch(x), ys = net.targetBatch(y, x.length);
    expect(net.pass(xs, ys, false, { rowWeights: w }).loss).toBeCloseTo(expected, 12);
    const report = gradientCheck(net, x, y, { rowWeights: w });
    expect(report.ok).toBe(true);
    // With every weight 1 it is the plain loss.
    expect(net.pass(xs, ys, false, { rowWeights: new Float64Array(9).fill(1) }).loss).toBeCloseTo(net.pass(xs, ys, false).loss, 14);
  });

  it('balanced weights raise the recall of a rare class', () => {
    // 5% of the rows are class 1, found in one corner of the square.
    const r = new Random(8);
    const x = Array.from({ length: 600 }, () => [r.uniform(-1, 1), r.uniform(-1, 1)]);
    const labels = x.map(([a, b]) => (a > 0.55 && b > 0.55 && r.next() < 0.9 ? 1 : 0));
    const y = labels.map((c) => [c]);
    const recall = (classWeight?: 'balanced'): number => {
      const net = new Network({ inputs: 2, layers: [{ units: 8, activation: 'tanh' }, { units: 1, activation: 'sigmoid' }], loss: 'binary-cross-entropy', seed: 2 });
      fit(net, x, y, { epochs: 15, batchSize: 32, optimizer: 'adam', learningRate: 0.01, classWeight });
      const p = toRows(net.predict(x));
      const rare = labels.map((c, i) => (c === 1 ? i : -1)).filter((i) => i >= 0);
      return rare.filter((i) => p[i][0] > 0.5).length / rare.length;
    };
    expect(recall('balanced')).toBeGreaterThan(recall() + 0.2);
  });
});

describe('penalties changed between steps', () => {
  it('setPenalties takes effect from the next step: one l2 step equals the step of a trainer made with that l2', () => {
    const { x, y } = data(40, 3);
    const changed = new Network(spec()), fresh = new Network(spec());
    const a = new Trainer(changed, { optimizer: 'sgd' });
    a.setPenalties({ l2: 0.05 });
    const b = new Trainer(fresh, { optimizer: 'sgd', l2: 0.05 });
    const X = changed.inputBatch(x), Y = changed.targetBatch(y, x.length);
    a.step(X, Y, 0.1);
    b.step(fresh.inputBatch(x), fresh.targetBatch(y, x.length), 0.1);
    expect(changed.getWeights()).toEqual(fresh.getWeights());
    // The penalty really acted: without it the step differs.
    const plain = new Network(spec());
    new Trainer(plain, { optimizer: 'sgd' }).step(plain.inputBatch(x), plain.targetBatch(y, x.length), 0.1);
    expect(plain.getWeights()).not.toEqual(fresh.getWeights());
    expect(() => a.setPenalties({ l1: -1 })).toThrow('l1: expected a number ≥ 0, got -1');
  });
});
