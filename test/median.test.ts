// The fill value of a numeric column is the median of its present values, found by selection rather than a sort:
// checked against the sorted median on arrays with ties, NaNs, signed zeros, rows chosen, and orders made to be hard.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { medianOf } from '../src/index.js';

function sortedMedian(values: ArrayLike<number>, rows?: ArrayLike<number>): number {
  const present = Array.from(rows ?? { length: values.length }, (r, i) => values[rows ? (r as number) : i]).filter((v) => v === v).sort((a, b) => a - b);
  const n = present.length;
  if (n === 0) return NaN;
  return n % 2 ? present[(n - 1) / 2] : (present[n / 2 - 1] + present[n / 2]) / 2;
}

describe('medianOf', () => {
  it('equals the sorted median on arrays with ties, NaNs and signed zeros, over every row or some', () => {
    const value = fc.oneof(fc.double({ noNaN: false }), fc.integer({ min: -3, max: 3 }), fc.constantFrom(0, -0, NaN, Infinity, -Infinity));
    fc.assert(fc.property(fc.array(value, { maxLength: 300 }), fc.array(fc.nat(), { maxLength: 50 }), (values, picks) => {
      const x = Float64Array.from(values);
      // (−0 and 0 are one value here: the sorted median may be either.)
      const same = (got: number, expected: number): boolean => got === expected || Object.is(got, expected);
      const expected = sortedMedian(x), got = medianOf(x);
      expect(same(got, expected), `${got} against ${expected}`).toBe(true);
      if (x.length) {
        const rows = picks.map((p) => p % x.length);
        const e2 = sortedMedian(x, rows), g2 = medianOf(x, rows);
        expect(same(g2, e2), `${g2} against ${e2} over rows ${rows}`).toBe(true);
      }
      // The values themselves are not reordered.
      expect(Array.from(x).map(String)).toEqual(values.map((v) => String(Float64Array.of(v)[0])));
    }), { numRuns: 400, seed: 5 });
  });

  it('gives the median of 200,000 values in sorted, reversed, constant and organ-pipe orders (where a fixed pivot takes quadratic time)', () => {
    const n = 200_000;
    const orders: Float64Array[] = [
      Float64Array.from({ length: n }, (_, i) => i),
      Float64Array.from({ length: n }, (_, i) => n - i),
      new Float64Array(n).fill(7),
      Float64Array.from({ length: n }, (_, i) => Math.min(i, n - i)),
      Float64Array.from({ length: n }, (_, i) => i % 3),
    ];
    for (const x of orders) expect(medianOf(x)).toBe(sortedMedian(x));
  });
});
