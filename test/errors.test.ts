// A user's mistakes get one clear message that names the field and what was expected.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { thousands } from '../src/core/errors.js';
import {
  BackpropError, fit, fromRows, generate, gradientCheck, Network, trainTestSplit, traceUpdate,
  type ActivationName, type FitOptions, type GradientCheckOptions, type LayerSpec, type NetworkSpec, type OptimizerConfig,
  type SplitOptions, type SyntheticOptions, type TraceOptions,
} from '../src/index.js';

const spec: NetworkSpec = { inputs: 3, layers: [{ units: 2, activation: 'sigmoid' }, { units: 1, activation: 'sigmoid' }] };

function errorOf(f: () => unknown): BackpropError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(BackpropError);
    return e as BackpropError;
  }
  throw new Error('expected an error');
}

describe('shape errors say which layer expected what', () => {
  const net = new Network(spec);

  it('inputs of the wrong width (the seeds\' "shapes (3,) (6,)")', () => {
    expect(errorOf(() => net.predict([[1, 2, 3, 4, 5, 6]])).message).toBe(
      'inputs row 1: layer 1 (3 inputs → 2 units, sigmoid) expects 3 input values per example, but got 6');
  });

  it('targets that do not fit the output layer', () => {
    expect(errorOf(() => net.trainBatch([[1, 2, 3]], [[1, 0]], 0.1)).message).toBe(
      'targets row 1: layer 2 (2 inputs → 1 unit, sigmoid) is the output layer with 1 unit, so each target needs 1 value, but got 2');
  });

  it('different numbers of input and target rows', () => {
    expect(errorOf(() => net.trainBatch([[1, 2, 3], [4, 5, 6]], [[1]], 0.1)).message).toBe(
      'got 2 input rows but 1 target rows; they must pair up one to one');
  });

  it('values that are not finite numbers', () => {
    expect(errorOf(() => net.predict([[1, NaN, 3]])).message).toBe('inputs row 1, column 2: expected a finite number, got NaN');
    expect(errorOf(() => net.predict([[1, '2' as unknown as number, 3]])).message).toBe(
      'inputs row 1, column 2: expected a finite number, got "2"');
  });

  it('a learning rate that is not a positive number', () => {
    expect(errorOf(() => net.trainBatch([[1, 2, 3]], [[1]], -0.5)).field).toBe('learningRate');
    expect(errorOf(() => traceUpdate(net, [1, 2, 3], [1], { learningRate: 0 })).message).toBe(
      'learningRate: expected a positive number, got 0');
  });

  it('weights of the wrong shape leave the network unchanged', () => {
    const before = net.getWeights();
    const bad = [before[0], { weights: [[1], [2], [3]], bias: [0] }];
    expect(errorOf(() => net.setWeights(bad)).message).toMatch(/^weights\[1\]\.weights: layer 2 .* needs 2 rows of 1/);
    expect(net.getWeights()).toEqual(before);
  });
});

describe('specs are validated field by field', () => {
  const cases: [string, unknown, string][] = [
    ['unknown activation', { inputs: 2, layers: [{ units: 2, activation: 'sigmod' }] },
      'layers[0].activation: unknown activation "sigmod"; expected one of: sigmoid, tanh, relu, leaky-relu, linear, softmax'],
    ['unknown loss', { inputs: 2, layers: [{ units: 1 }], loss: 'hinge' },
      'loss: unknown loss "hinge"; expected one of: mse, binary-cross-entropy, categorical-cross-entropy'],
    ['cross-entropy after tanh', { inputs: 2, layers: [{ units: 1, activation: 'tanh' }], loss: 'binary-cross-entropy' },
      'loss: loss "binary-cross-entropy" needs an output layer with values in (0, 1) (activation sigmoid), but the output activation is "tanh"'],
    ['zero units', { inputs: 2, layers: [{ units: 0 }] }, 'layers[0].units: expected a positive integer, got 0'],
    ['fractional inputs', { inputs: 2.5, layers: [{ units: 1 }] }, 'inputs: expected a positive integer, got 2.5'],
    ['no layers', { inputs: 2, layers: [] }, 'layers: expected a non-empty list of { units, activation }'],
    ['softmax in a hidden layer', { inputs: 2, layers: [{ units: 2, activation: 'softmax' }, { units: 1 }] },
      'layers[0].activation: softmax is only supported on the output layer'],
    ['unknown dtype', { inputs: 2, layers: [{ units: 1 }], dtype: 'float16' },
      'dtype: unknown dtype "float16"; expected one of: float32, float64'],
    ['huge layer', { inputs: 100000, layers: [{ units: 100000 }] },
      'layers[0].units: 100000×100000 weights exceed the limit of 16777216'],
  ];
  it.each(cases)('%s', (_name, bad, message) => {
    expect(errorOf(() => new Network(bad as NetworkSpec)).message).toBe(message);
  });
});

describe('every library call keeps to the error contract', () => {
  const x = [[0, 0, 1], [1, 0, 1], [0, 1, 0]];
  const y = [[0], [1], [1]];

  it.each([
    ['learning_rate', 'learningRate'],
    ['epoch', 'epochs'],
    ['batch_size', 'batchSize'],
    ['validation_split', 'validationSplit'],
    ['earlystopping', 'earlyStopping'],
    ['Shuffle', 'shuffle'],
  ])('fit with the misspelled option %s suggests %s', (wrong, right) => {
    const error = errorOf(() => fit(new Network(spec), x, y, { [wrong]: 1 } as FitOptions));
    expect(error.message).toMatch(new RegExp(`^fit options: unknown option "${wrong}"; did you mean "${right}"\\? \\(known: epochs, batchSize, `));
  });

  it('an option nothing is close to gets no suggestion', () => {
    expect(errorOf(() => fit(new Network(spec), x, y, { zzzzzz: 1 } as FitOptions)).message).toMatch(/^fit options: unknown option "zzzzzz" \(known: /);
  });

  it('fit(net, x, y, null) and fit(null, …) are BackpropErrors naming the argument', () => {
    expect(errorOf(() => fit(new Network(spec), x, y, null as unknown as FitOptions)).message).toBe('fit options: expected an object of options (or nothing), got null');
    expect(errorOf(() => fit(null as unknown as Network, x, y)).message).toBe('fit: the first argument must be a Network, got null');
  });

  it('spec keys, layer keys, optimizer constants and the other option objects are checked too', () => {
    expect(errorOf(() => new Network({ ...spec, dtyp: 'float64' } as NetworkSpec)).message).toMatch(/^network spec: unknown option "dtyp"; did you mean "dtype"\?/);
    expect(errorOf(() => new Network({ inputs: 3, layers: [{ unit: 2 } as unknown as LayerSpec] })).message).toMatch(/^layers\[0\]: unknown option "unit"; did you mean "units"\?/);
    expect(errorOf(() => fit(new Network(spec), x, y, { optimizer: { name: 'adam', beta: 0.9 } as OptimizerConfig })).message).toMatch(/^optimizer: unknown option "beta"; did you mean "beta1"\?/);
    expect(errorOf(() => traceUpdate(new Network(spec), [1, 2, 3], [1], { learningRate: 0.1, aply: true } as TraceOptions)).message).toMatch(/did you mean "apply"\?/);
    expect(errorOf(() => gradientCheck(new Network(spec), x, y, { epsilion: 1e-3 } as GradientCheckOptions)).message).toMatch(/did you mean "epsilon"\?/);
    expect(errorOf(() => trainTestSplit(10, { test_fraction: 0.2 } as SplitOptions)).message).toMatch(/did you mean "testFraction"\?/);
    expect(errorOf(() => generate('xor', { sample: 10 } as SyntheticOptions)).message).toMatch(/did you mean "samples"\?/);
  });

  it('null is not a default: an activation of null is refused', () => {
    expect(errorOf(() => new Network({ inputs: 3, layers: [{ units: 1, activation: null as unknown as ActivationName }] })).message)
      .toBe('layers[0].activation: expected a value or nothing (for the default), got null');
  });

  it('ragged rows for fromRows are a BackpropError', () => {
    expect(errorOf(() => fromRows([[1, 2], [3]])).message).toBe('rows[1]: has 1 values, expected 2 like rows[0]');
  });

  it('a learning rate passed as text is shown quoted', () => {
    expect(errorOf(() => new Network(spec).trainBatch(x, y, '0.1' as unknown as number)).message).toBe('learningRate: expected a positive number, got "0.1"');
  });

  it('setWeights refuses values beyond float32 in a float32 network, and takes them in float64', () => {
    const w = new Network(spec).getWeights();
    w[1].bias = [1e308];
    expect(errorOf(() => new Network(spec).setWeights(w)).message).toBe('weights[1].bias[0]: expected a finite float32 number (at most 3.4028e+38 in size), got 1e+308');
    expect(() => new Network({ ...spec, dtype: 'float64' }).setWeights(w)).not.toThrow();
  });
});

describe('counts in messages', () => {
  it('thousands writes a count as toLocaleString("en-US") does, without Intl', () => {
    for (const n of [0, 7, 999, 1000, -1000, 12345, 1_000_000, -987_654_321, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 2 ** 60, 1.5, 0.25]) {
      expect(thousands(n), String(n)).toBe(n.toLocaleString('en-US'));
    }
    fc.assert(fc.property(fc.maxSafeInteger(), (n) => thousands(n) === n.toLocaleString('en-US')), { numRuns: 2000 });
  });
});
