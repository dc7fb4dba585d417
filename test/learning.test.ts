// Learning end to end: XOR, determinism, the vanishing gradient, and float32 against float64.
import { describe, expect, it } from 'vitest';
import { generate, Network, Random, toRows, type ActivationName, type NetworkSpec } from '../src/index.js';

const XOR_X = [[0, 0], [0, 1], [1, 0], [1, 1]];
const XOR_Y = [[0], [1], [1], [0]];
const xorSpec: NetworkSpec = {
  inputs: 2,
  layers: [{ units: 4, activation: 'tanh' }, { units: 1, activation: 'sigmoid' }],
  loss: 'binary-cross-entropy',
  seed: 3,
};

function trainXor(): Network {
  const net = new Network(xorSpec);
  for (let epoch = 0; epoch < 2000; epoch++) net.trainBatch(XOR_X, XOR_Y, 0.5);
  return net;
}

describe('XOR with a 2-4-1 network', () => {
  it('learns all four cases', () => {
    const net = trainXor();
    const predictions = toRows(net.predict(XOR_X)).map(([p]) => (p > 0.5 ? 1 : 0));
    expect(predictions).toEqual([0, 1, 1, 0]);
    expect(net.evaluateLoss(XOR_X, XOR_Y)).toBeLessThan(0.05);
  });

  it('the same seed gives bit-identical weights after training', () => {
    const a = trainXor().layers.map((l) => Array.from(l.W.data));
    const b = trainXor().layers.map((l) => Array.from(l.W.data));
    expect(b).toEqual(a);
    const other = new Network({ ...xorSpec, seed: 4 });
    expect(Array.from(other.layers[0].W.data)).not.toEqual(Array.from(new Network(xorSpec).layers[0].W.data));
  });

  it('per-example updates (the seeds\' loop) learn it too', () => {
    const net = new Network(xorSpec);
    for (let epoch = 0; epoch < 1000; epoch++) XOR_X.forEach((x, i) => net.trainExample(x, XOR_Y[i], 0.5));
    expect(toRows(net.predict(XOR_X)).map(([p]) => Math.round(p))).toEqual([0, 1, 1, 0]);
  });
});

describe('the vanishing gradient', () => {
  const deep = (activation: ActivationName): Network =>
    new Network({
      inputs: 8,
      layers: [...Array.from({ length: 5 }, () => ({ units: 16, activation })), { units: 1, activation: 'sigmoid' as const }],
      loss: 'binary-cross-entropy',
      seed: 11,
    });
  const random = new Random(5);
  const x = Array.from({ length: 32 }, () => Array.from({ length: 8 }, () => random.uniform(-1, 1)));
  const y = x.map((r) => [r[0] * r[1] > 0 ? 1 : 0]);

  function firstOverLast(activation: ActivationName): number {
    const net = deep(activation);
    net.computeGradients(x, y);
    const norms = net.gradientNorms();
    expect(norms).toHaveLength(6);
    norms.forEach((n) => expect(n.weights).toBeGreaterThan(0));
    return norms[0].weights / norms[5].weights;
  }

  it('shrinks the first layer\'s gradient at least 10× in a 6-layer sigmoid network', () => {
    expect(firstOverLast('sigmoid')).toBeLessThan(0.1);
  });

  it('does not collapse in a relu network of the same shape', () => {
    expect(firstOverLast('relu')).toBeGreaterThan(0.1);
  });
});

describe('float32 against float64', () => {
  it('agree within 1e-4 relative on the same network and data, after training', () => {
    const data = generate('circle', { samples: 64, noise: 0.1, seed: 2 });
    const spec: NetworkSpec = {
      inputs: 2,
      layers: [{ units: 6, activation: 'tanh' }, { units: 4, activation: 'relu' }, { units: 1, activation: 'sigmoid' }],
      loss: 'binary-cross-entropy',
      seed: 9,
    };
    const single = new Network({ ...spec, dtype: 'float32' });
    const double = new Network({ ...spec, dtype: 'float64' });
    for (let epoch = 0; epoch < 20; epoch++) {
      const lossSingle = single.trainBatch(data.x, data.y, 0.1);
      const lossDouble = double.trainBatch(data.x, data.y, 0.1);
      expect(Math.abs(lossSingle - lossDouble) / lossDouble).toBeLessThan(1e-4);
    }
    const ps = toRows(single.predict(data.x)).flat();
    const pd = toRows(double.predict(data.x)).flat();
    ps.forEach((p, i) => expect(Math.abs(p - pd[i]) / Math.abs(pd[i])).toBeLessThan(1e-4));
    single.layers.forEach((layer, l) => {
      const w64 = double.layers[l].W.data;
      const scale = Math.max(...Array.from(w64, Math.abs));
      layer.W.data.forEach((w, i) => expect(Math.abs(w - w64[i]) / scale).toBeLessThan(1e-4));
    });
  });

  it('float32 is the default and stores Float32Array; float64 stores Float64Array', () => {
    expect(new Network(xorSpec).layers[0].W.data).toBeInstanceOf(Float32Array);
    expect(new Network({ ...xorSpec, dtype: 'float64' }).layers[0].W.data).toBeInstanceOf(Float64Array);
  });
});
