// The table layer under careless and hostile input: lying tables, unbounded sizes, names the model file would
// refuse, async callbacks that fail, options of the wrong kind. Each is a BackpropError naming what is wrong, found
// before anything large is allocated; nothing trained is left unloadable.
import { afterAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { BackpropError, crossValidate, encodeRecord, Model, Random, toFrame, train, tune } from '../src/index.js';
import { saveModel } from '../src/node/index.js';
import { backprop, tempDir, writeFile } from './cli-helpers.js';

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const r = new Random(2);
const base = Array.from({ length: 40 }, (_, i) => ({ a: r.next(), b: r.next(), y: i % 2 ? 'p' : 'n' }));

describe('sizes are checked before anything is allocated', () => {
  it('an Arrow-like table whose numRows lies is refused, however large it claims to be', () => {
    const lying = (numRows: number) => ({
      numRows, schema: { fields: [{ name: 'a' }, { name: 'y' }] },
      getChild: () => ({ length: 3, get: () => 1, toArray: () => [1, 2, 3] }),
    });
    expect(() => toFrame(lying(1e9))).toThrow(/column "a" has 3 values, the table's numRows 1000000000/);
    for (const bad of [-1, NaN, Infinity, 2 ** 32, 1.5]) expect(() => toFrame(lying(bad))).toThrow(/numRows is .*; expected a whole number of rows/);
    expect(() => toFrame({ a: { length: 1.5 } as ArrayLike<number>, y: [1] })).toThrow(BackpropError);
    expect(() => toFrame({ numRows: 1, schema: { fields: [null] }, getChild: () => null } as never)).toThrow(/a column name must be text/);
    expect(() => toFrame({ numRows: 1, schema: { fields: [{ name: 'a' }] }, getChild: () => null })).toThrow(/no readable column "a"/);
  });

  it('tune bounds its trials, and train its hidden layers, as the command line does', async () => {
    await expect(tune(base, { trials: 1e7 })).rejects.toThrow(/^trials: expected an integer from 1 to 10000/);
    await expect(train(base, { layers: new Array(1000).fill(1) })).rejects.toThrow(/^layers: expected at most 999 hidden layers/);
  });
});

describe('names the model file would refuse are refused before training', () => {
  it('duplicate, empty, non-text or endless names', async () => {
    const x = base.map((b) => [b.a, b.b]), y = base.map((b) => b.y);
    await expect(train(x, { y, features: ['a', 'a'] })).rejects.toThrow(/two columns are named "a"/);
    await expect(train(x, { y, features: ['', 'b'] })).rejects.toThrow(/a column has an empty name/);
    await expect(train(x, { y, features: [1, 2] as never })).rejects.toThrow(/a column name must be text/);
    await expect(train(x, { y, features: 'ab' as never })).rejects.toThrow(/features: expected a list of column names/);
    await expect(train(base.map((b) => ({ ...b, ['n'.repeat(10_001)]: 1 })), { target: 'y' })).rejects.toThrow(/is 10001 characters long; at most 10000/);
    // What trains, loads.
    const model = await train(x, { y, features: ['first', 'second'], epochs: 2 });
    expect(Model.parse(model.stringify()).predict([[0.5, 0.5]])).toEqual(model.predict([[0.5, 0.5]]));
  });

  it('y and features belong to number[][] alone; typed-array rows and targets are number[][] too', async () => {
    await expect(train(base, { y: base.map((b) => b.y) })).rejects.toThrow(/^y: only for rows given as number\[\]\[\]/);
    await expect(crossValidate(base, { features: ['a'] })).rejects.toThrow(/^features: only for rows given as number\[\]\[\]/);
    const x = base.map((b) => Float64Array.of(b.a, b.b)), y = Float64Array.from(base, (b) => b.a + b.b);
    const model = await train(x, { y, epochs: 2 });
    expect(model.task).toBe('regression');
    expect(model.features).toEqual(['x1', 'x2']);
  });
});

describe('records: what predict and explain read', () => {
  it('predict reads only the model\'s fields; explain reads numbers as predict does', async () => {
    const model = await train(base, { target: 'y', epochs: 2 });
    expect(model.predict([{ a: 0.1, b: 0.2, junk: { deep: [1] }, other: null } as never])).toHaveLength(1);
    expect(() => model.explain({ a: 0.1, b: 0.2, y: null } as never)).toThrow(/explain, row 1, field "y": missing value; a labelled row needs its target/);
    // A word among the numbers is one the model never saw: missing by default, an error where asked.
    expect(() => model.explain({ a: '0x10', b: 0.2, y: 'p' } as never, { unknown: 'error' })).toThrow(/field "a": the word "0x10", which the model never saw in this column of numbers/);
    expect(model.explain({ a: '0x10', b: 0.2, y: 'p' } as never).input[0]).toBe(encodeRecord(model.preprocessing, [null, 0.2])[0]);
    // A missing feature is filled as predict fills it: the update on the training rows' median.
    expect(model.explain({ a: NaN, b: 0.2, y: 'p' } as never).input[0]).toBe(encodeRecord(model.preprocessing, [null, 0.2])[0]);
    expect(model.explain({ a: 0.1, b: 0.2, y: 'p' }).layers).toHaveLength(2);
  });
});

describe('callbacks and options of the wrong kind', () => {
  it('an async onEpoch that rejects makes train reject with its error', async () => {
    const error = new RangeError('from the callback');
    await expect(train(base, { target: 'y', epochs: 3, onEpoch: async () => { throw error; } })).rejects.toBe(error);
  });

  it('each is a BackpropError naming the option', async () => {
    await expect(train(base, { target: 'y', callbacks: [null] as never })).rejects.toThrow(/^callbacks\[0\]: expected an object whose hooks/);
    await expect(train(base, { target: 'y', callbacks: 'x' as never })).rejects.toThrow(/^callbacks: expected a list/);
    await expect(train(base, { target: 'y', kernels: {} as never })).rejects.toThrow(/^kernels: expected a backend's kernels/);
    await expect(train(base, { target: 'y', classWeight: { p: -1 } })).rejects.toThrow(/classWeight: .*got \{"p":-1\}/);
    await expect(tune(base, { seed: 'a' as never })).rejects.toThrow(/^seed: expected an integer/);
    await expect(tune(base, { onProgress: 'x' as never })).rejects.toThrow(/^onProgress: expected a function/);
    for (const budget of ['x', NaN, -1]) await expect(tune(base, { budget: budget as never })).rejects.toThrow(/^budget: expected a positive number/);
    await expect(crossValidate(base, { onFold: 'x' as never })).rejects.toThrow(/^onFold: expected a function/);
    const model = await train(base, { target: 'y', epochs: 1 });
    expect(() => Model.fromJSON(model.toJSON(), { kernels: 5 as never })).toThrow(/^kernels: expected a backend's kernels/);
    expect(() => saveModel(join(dir, 'm.json'), {} as never)).toThrow(/^saveModel: expected a Model/);
    expect(() => saveModel(model as never, join(dir, 'm.json') as never)).toThrow(/^saveModel: expected a file name first/);
  });

  it('a stop ends tune\'s running trials (on worker threads) and the search reports what finished', async () => {
    const { tune: tuneOnWorkers } = await import('../dist/node/index.js');
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 1000);
    const result = await tuneOnWorkers(base, { trials: 2, epochs: 1_000_000_000, signal: controller.signal });
    expect(result.interrupted).toBe(true);
    expect(result.best).toBeNull();
  }, 60_000);
});

describe('the command line shows names from a file with their control characters escaped', () => {
  it('in the training summary and the importance table', () => {
    const csv = writeFile(dir, 'ansi.csv', `\u001b[31mred,b,\u001b[2Jt\n${base.map((b) => `${b.a},${b.b},${b.y}`).join('\n')}\n`);
    const model = join(dir, 'ansi.json');
    const run = backprop(['train', csv, '--epochs', '2', '--out', model]);
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain('\u001b');
    expect(run.stdout).toContain('\\u001b[2Jt: classification');
    const importance = backprop(['importance', model, csv]);
    expect(importance.stdout).not.toContain('\u001b');
    expect(importance.stdout).toContain('\\u001b[31mred');
  }, 60_000);
});
