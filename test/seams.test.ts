// The seams between the table layer and its callers, and small refusals at them: the model file refused where it
// would make every prediction an error, DataFrames that throw, dates that are not, the streamed text coder's bound,
// the command line's options refused as the library refuses them, and predict --json's unseen values by row.
import { afterAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { BackpropError, Model, Random, train } from '../src/index.js';
import { tempDir } from './cli-helpers.js';

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const r = new Random(3);
// 60 rows: a number with a gap (so it has a fill), a date, a city; bins on.
const rows = Array.from({ length: 60 }, (_, i) => ({
  a: i === 7 ? null : r.next() * 10,
  day: `2024-0${1 + (i % 9)}-1${i % 10}`,
  city: ['oslo', 'rome', 'lima'][i % 3],
  y: i % 2 ? 'p' : 'n',
}));

describe('a model file that would make every prediction an error is refused at load, naming the field', () => {
  it('bins narrower than doubles can tell apart, a fill far past the training rows, a std no column has', async () => {
    const model = await train(rows, { target: 'y', epochs: 2, bagging: 1, bins: 4 });
    const file = model.toJSON() as unknown as { preprocessing: { piecewise: { columns: { edges: number[] }[] }; features: { fill?: number }[]; scaler: { mean: number[]; std: number[] } } };
    // What trains, loads, and predicts.
    expect(Model.fromJSON(file).predict([{ a: null, day: '2024-01-01', city: 'oslo' }])[0]).toHaveProperty('label');
    const altered = (change: (f: typeof file) => void): typeof file => {
      const f = structuredClone(file);
      change(f);
      return f;
    };
    const edges = file.preprocessing.piecewise.columns[0].edges;
    const tiny = altered((f) => (f.preprocessing.piecewise.columns[0].edges = edges.map((_, t) => t * 1e-300)));
    expect(() => Model.fromJSON(tiny)).toThrow(/^model: preprocessing\.piecewise\.columns\[0\]\.edges\[1\]: expected a number above edges\[0\] = 0 by at least 2⁻⁵² × max\(1, \|edges\|\).*got 1e-300$/);
    const fill = file.preprocessing.features.findIndex((f) => f.fill !== undefined);
    expect(fill).toBe(0);
    const far = altered((f) => (f.preprocessing.features[0].fill = 1e308));
    expect(() => Model.fromJSON(far)).toThrow(/^model: preprocessing\.features\[0\]\.fill: expected a fill within 1000000 standard deviations of the column's mean .*got 1e\+308$/);
    // The date's fill is a day: one of 1e300 days has no year to scale.
    const date = file.preprocessing.features.findIndex((f, i) => i > 0 && f.fill !== undefined);
    const farDay = altered((f) => (f.preprocessing.features[date].fill = 1e300));
    expect(() => Model.fromJSON(farDay)).toThrow(new RegExp(`^model: preprocessing\\.features\\[${date}\\]\\.fill: expected a fill within`));
    const flat = altered((f) => (f.preprocessing.scaler.std[0] = 1e-300));
    expect(() => Model.fromJSON(flat)).toThrow(/^model: preprocessing\.scaler\.std\[0\]: expected a spread the values about mean\[0\] = .* can have .*got 1e-300$/);
    // Each is one error with the field, as every other refusal of a model file.
    try {
      Model.fromJSON(far);
    } catch (e) {
      expect(e).toBeInstanceOf(BackpropError);
      expect((e as BackpropError).field).toBe('preprocessing.features[0].fill');
    }
  });
});
