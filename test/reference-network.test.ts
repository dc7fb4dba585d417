// Forward values, losses and gradients against networks computed independently in numpy
// (test/fixtures/make_fixtures.py): batches, biases, every activation and loss.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { Network, toRows, type ActivationName, type LossName } from '../src/index.js';

interface ReferenceNetwork {
  sizes: number[];
  activations: ActivationName[];
  loss: LossName;
  x: number[][];
  y: number[][];
  weights: { weights: number[][]; bias: number[] }[];
  output: number[][];
  lossValue: number;
  gradWeights: number[][][];
  gradBias: number[][];
}

const fixture = JSON.parse(readFileSync(new URL('./fixtures/numpy-reference.json', import.meta.url), 'utf8'));
const networks: ReferenceNetwork[] = fixture.networks;

function expectClose(actual: number[], expected: number[], tolerance: number): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((v, i) => {
    const scale = Math.max(1, Math.abs(expected[i]));
    expect(Math.abs(v - expected[i]) / scale, `element ${i}: ${v} vs ${expected[i]}`).toBeLessThan(tolerance);
  });
}

describe.each(networks.map((n) => [`${n.sizes.join('-')} ${n.activations.join('/')} ${n.loss}`, n] as const))(
  'numpy reference %s',
  (_name, ref) => {
    const build = (dtype: 'float32' | 'float64'): Network => {
      const net = new Network({
        inputs: ref.sizes[0],
        layers: ref.activations.map((activation, l) => ({ units: ref.sizes[l + 1], activation })),
        loss: ref.loss,
        dtype,
      });
      net.setWeights(ref.weights);
      return net;
    };

    it('predicts the same outputs', () => {
      expectClose(toRows(build('float64').predict(ref.x)).flat(), ref.output.flat(), 1e-13);
    });

    it('computes the same loss and gradients in float64', () => {
      const net = build('float64');
      const loss = net.computeGradients(ref.x, ref.y);
      expect(Math.abs(loss - ref.lossValue)).toBeLessThan(1e-12 * Math.max(1, ref.lossValue));
      net.layers.forEach((layer, l) => {
        expectClose(Array.from(layer.gradW.data), ref.gradWeights[l].flat(), 1e-12);
        expectClose(Array.from(layer.gradB!.data), ref.gradBias[l], 1e-12);
      });
    });

    it('float32 agrees with float64 within 1e-4 relative', () => {
      const net = build('float32');
      const loss = net.computeGradients(ref.x, ref.y);
      expect(Math.abs(loss - ref.lossValue) / Math.abs(ref.lossValue)).toBeLessThan(1e-4);
      net.layers.forEach((layer, l) => {
        const expected = ref.gradWeights[l].flat();
        const norm = Math.max(...expected.map(Math.abs));
        Array.from(layer.gradW.data).forEach((g, i) => expect(Math.abs(g - expected[i]) / norm).toBeLessThan(1e-4));
      });
    });
  },
);
