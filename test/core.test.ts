// The numerical core: kernels against hand-made references, numerically stable forms, seeded randomness.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  fromRows, getActivation, getLoss, Network, Random, referenceKernels as k, toRows, zeros,
} from '../src/index.js';

const fixture = JSON.parse(readFileSync(new URL('./fixtures/numpy-reference.json', import.meta.url), 'utf8'));

/** An explicit transpose, so the product below is written without the kernels' stride tricks. */
const transpose = (m: number[][]): number[][] => m[0].map((_, j) => m.map((r) => r[j]));
const product = (a: number[][], b: number[][]): number[][] =>
  a.map((r) => b[0].map((_, j) => r.reduce((s, v, p) => s + v * b[p][j], 0)));

describe('gemm', () => {
  it('computes a 2×3 by 3×2 product by hand', () => {
    const out = zeros(2, 2, 'float64');
    k.gemm(fromRows([[1, 2, 3], [4, 5, 6]], 'float64'), false, fromRows([[7, 8], [9, 10], [11, 12]], 'float64'), false, out, 1, 0);
    expect(toRows(out)).toEqual([[58, 64], [139, 154]]);
  });

  it('agrees with an explicit product in all four transposition forms, with alpha and beta', () => {
    const dims = fc.integer({ min: 1, max: 7 });
    const value = fc.integer({ min: -9, max: 9 }); // small integers keep float64 sums exact
    fc.assert(
      fc.property(dims, dims, dims, fc.boolean(), fc.boolean(), fc.integer({ min: -3, max: 3 }), fc.integer({ min: -3, max: 3 }), fc.infiniteStream(value),
        (m, kk, n, ta, tb, alpha, beta, values) => {
          const it = values[Symbol.iterator]();
          const next = (): number => it.next().value as number;
          const A = Array.from({ length: m }, () => Array.from({ length: kk }, next));
          const B = Array.from({ length: kk }, () => Array.from({ length: n }, next));
          const C = Array.from({ length: m }, () => Array.from({ length: n }, next));
          const out = fromRows(C, 'float64');
          k.gemm(fromRows(ta ? transpose(A) : A, 'float64'), ta, fromRows(tb ? transpose(B) : B, 'float64'), tb, out, alpha, beta);
          const expected = product(A, B).map((r, i) => r.map((v, j) => alpha * v + beta * C[i][j]));
          const noNegativeZero = (rows: number[][]): number[][] => rows.map((r) => r.map((v) => v + 0));
          expect(noNegativeZero(toRows(out))).toEqual(noNegativeZero(expected));
        }),
      { numRuns: 200 },
    );
  });

  it('names both shapes when they do not fit', () => {
    expect(() => k.gemm(zeros(2, 3), false, zeros(2, 3), false, zeros(2, 3), 1, 0)).toThrow('cannot multiply 2×3 by 2×3 into 2×3');
  });
});

describe('element-wise kernels and reductions', () => {
  it('adds a bias row to every row and sums rows back', () => {
    const m = fromRows([[1, 2], [3, 4], [5, 6]], 'float64');
    k.addRowVector(m, fromRows([[10, 20]], 'float64'));
    expect(toRows(m)).toEqual([[11, 22], [13, 24], [15, 26]]);
    const sums = fromRows([[1, 1]], 'float64');
    k.sumRows(m, sums, 0.5, 2);
    expect(toRows(sums)).toEqual([[(11 + 13 + 15) / 2 + 2, (22 + 24 + 26) / 2 + 2]]);
  });

  it('axpy, sub and sumSquares', () => {
    const y = fromRows([[1, 2, 3]], 'float64');
    k.axpy(-2, fromRows([[1, 1, 1]], 'float64'), y);
    expect(toRows(y)).toEqual([[-1, 0, 1]]);
    const d = zeros(1, 3, 'float64');
    k.sub(fromRows([[5, 5, 5]], 'float64'), y, d);
    expect(toRows(d)).toEqual([[6, 5, 4]]);
    expect(k.sumSquares(y)).toBe(2);
  });
});

describe('numerically stable forms', () => {
  const sigmoid = getActivation('sigmoid').scalar!;

  it('sigmoid neither overflows nor loses tiny values for large |h|', () => {
    expect(sigmoid.output(1000)).toBe(1);
    expect(sigmoid.output(-1000)).toBe(0);
    // e^−700 is representable: the naive 1 / (1 + e^700) would still give it, but 1 − σ(700) would not.
    expect(sigmoid.output(-700) / Math.exp(-700)).toBeCloseTo(1, 12);
    expect(sigmoid.output(0)).toBe(0.5);
    expect(sigmoid.der(0, 0.5)).toBe(0.25); // the largest σ′ can be
  });

  it('softmax of large logits is finite and sums to 1', () => {
    const out = zeros(2, 3, 'float64');
    k.softmax(fromRows([[1000, 1000, 1000], [1000, 1001, -1000]], 'float64'), out);
    const [a, b] = toRows(out);
    a.forEach((v) => expect(v).toBeCloseTo(1 / 3, 15));
    expect(b[1] / b[0]).toBeCloseTo(Math.E, 12);
    expect(b[2]).toBe(0);
    expect(b.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 15);
  });

  it('binary cross-entropy of a saturated sigmoid stays exact: E(y=1, h=−800) = 800', () => {
    const net = new Network({ inputs: 1, layers: [{ units: 1, activation: 'sigmoid', bias: false }], loss: 'binary-cross-entropy', dtype: 'float64' });
    net.setWeights([{ weights: [[-800]], bias: null }]);
    expect(net.evaluateLoss([[1]], [[1]])).toBe(800);
    expect(net.evaluateLoss([[1]], [[0]])).toBe(0);
  });

  it('categorical cross-entropy never takes log(0)', () => {
    const net = new Network({ inputs: 1, layers: [{ units: 2, activation: 'softmax', bias: false }], loss: 'categorical-cross-entropy', dtype: 'float64' });
    net.setWeights([{ weights: [[-2000, 2000]], bias: null }]);
    const loss = net.evaluateLoss([[1]], [[1, 0]]);
    expect(Number.isFinite(loss)).toBe(true);
    expect(loss).toBeGreaterThan(20);
  });

  it('mse is the seeds\' ½(y − ŷ)², averaged over examples', () => {
    const loss = getLoss('mse');
    const y = fromRows([[1, 0], [0, 0]], 'float64');
    const p = fromRows([[0.5, 0.5], [0, 1]], 'float64');
    expect(loss.value(k, y, p, p, getActivation('linear'))).toBe((0.5 * (0.25 + 0.25) + 0.5 * 1) / 2);
  });
});

describe('seeded random numbers', () => {
  it('produce the same stream as an independent implementation (fixture)', () => {
    for (const [seed, expected] of Object.entries(fixture.random as Record<string, number[]>)) {
      const random = new Random(Number(seed));
      expect(Array.from({ length: expected.length }, () => random.nextUint32())).toEqual(expected);
    }
  });

  it('give the same initial weights for the same seed, Glorot or He scaled', () => {
    const spec = { inputs: 50, layers: [{ units: 30, activation: 'tanh' as const }, { units: 20, activation: 'relu' as const }] };
    const a = new Network({ ...spec, seed: 5 }).getWeights();
    expect(new Network({ ...spec, seed: 5 }).getWeights()).toEqual(a);
    const glorot = Math.sqrt(6 / (50 + 30));
    const he = Math.sqrt(6 / 30);
    const w0 = a[0].weights.flat(), w1 = a[1].weights.flat();
    expect(Math.max(...w0.map(Math.abs))).toBeLessThanOrEqual(glorot);
    expect(Math.max(...w0.map(Math.abs))).toBeGreaterThan(0.9 * glorot);
    expect(Math.max(...w1.map(Math.abs))).toBeLessThanOrEqual(he);
    expect(Math.max(...w1.map(Math.abs))).toBeGreaterThan(0.9 * he);
    expect(a[0].bias!.every((b) => b === 0)).toBe(true);
  });

  it('shuffles as a permutation', () => {
    const items = Array.from({ length: 100 }, (_, i) => i);
    const shuffled = new Random(3).shuffle([...items]);
    expect(shuffled).not.toEqual(items);
    expect([...shuffled].sort((x, y) => x - y)).toEqual(items);
  });
});

describe('the library runs in a browser', () => {
  it('has no Node-only imports and no dependencies outside src/node and src/cli (src/interop: protobufjs, which runs in browsers)', () => {
    const files = (dir: string): string[] =>
      readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : [join(dir, f)]));
    const root = new URL('../src', import.meta.url).pathname;
    const library = files(root).filter((f) => !f.includes('/cli/') && !f.includes('/node/'));
    expect(library.length).toBeGreaterThan(5);
    for (const file of library) {
      const text = readFileSync(file, 'utf8');
      expect(text, file).not.toMatch(/from ['"](node:|fs|path|os|child_process|worker_threads)/);
      expect(text, file).not.toMatch(/\bprocess\.|\brequire\(/);
      const allowed = file.includes('/interop/') ? /^(\.\.?\/|protobufjs$)/ : /^\.\.?\//;
      for (const [, from] of text.matchAll(/from '([^']+)'/g)) expect(from, file).toMatch(allowed);
      // The core entry point ships without the interop formats' dependency.
      if (!file.includes('/interop/')) expect(text, file).not.toMatch(/from '[^']*interop\//);
    }
  });
});
