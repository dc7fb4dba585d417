// Tables that lie about their size or contents, and tables too wide to encode: every way into the table layer
// (train, predict, evaluate, crossValidate, tune) checks a table as a file is read, before anything of the size it
// declares is made, and refuses in one line that names the column. The WebAssembly allocator's sizes do not wrap.
import { afterAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { BackpropError, crossValidate, train, tune, type DataFrame } from '../src/index.js';
import { align, createWasmKernelsSync } from '../src/core/wasm/backend.js';
import { backprop, tempDir, writeFile } from './cli-helpers.js';

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HUGE = 2 ** 31 - 1;
const ten = Array.from({ length: 10 }, (_, i) => i);
const labels = ten.map((i) => (i % 2 ? 'p' : 'q'));

type Column = DataFrame['columns'][number];
const frame = (columns: unknown[], rows = 10): DataFrame => ({ source: 'df', rows, columns: columns as Column[], where: (i) => `row ${i + 1}` });
const numeric = (name: string, values: unknown): Column => ({ name, kind: 'numeric', values } as Column);
const text = (name: string, codes: unknown, dictionary: unknown): Column => ({ name, kind: 'text', codes, dictionary } as Column);
const a = numeric('a', Float64Array.from(ten, (i) => i / 3));
const y = text('y', Uint32Array.from(ten, (i) => i % 2), ['p', 'q']);

/** The message of what `run` rejects with, which must be a BackpropError. */
async function refusal(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
  } catch (e) {
    expect(e, String(e)).toBeInstanceOf(BackpropError);
    expect((e as Error).message).not.toContain('\n');
    return (e as Error).message;
  }
  throw new Error('expected a refusal');
}

describe('the WebAssembly allocator', () => {
  it('rounds sizes of 2 GiB and more up without wrapping', () => {
    // (bytes + 63) & ~63 gave 0 for 2³² and a negative number for 2³¹.
    for (const [bytes, aligned] of [[1, 64], [64, 64], [2 ** 31, 2 ** 31], [2 ** 31 + 1, 2 ** 31 + 64], [2 ** 32, 2 ** 32], [720_024_000 * 4, 2_880_096_000]]) {
      expect(align(bytes)).toBe(aligned);
    }
  });

  it('gives a matrix too large for its memory as an ordinary array, rather than a RangeError', () => {
    const k = createWasmKernelsSync({ shared: false });
    // The training matrix of 24,000 rows of a 30,000-value identifier one-hot encoded: 2.9 GB, past the 64 MiB memory.
    const m = k.allocate!(24_000, 30_001, 'float32');
    expect(m.data).toBeInstanceOf(Float32Array);
    expect(m.data.length).toBe(24_000 * 30_001);
    expect(k.owns!(m)).toBe(false);
    // The memory still serves matrices that fit.
    expect(k.owns!(k.allocate!(16, 16, 'float32'))).toBe(true);
  });
});

describe('a column too wide to encode', () => {
  it('an identifier of 30,000 values in a 30,000-row file: one line naming the column, from the command line', () => {
    const rows = ['id,x,y', ...Array.from({ length: 30_000 }, (_, i) => `u${(i * 7919) % 1_000_003},${(i % 17) / 3},${i % 2 ? 'a' : 'b'}`)];
    const file = writeFile(dir, 'ids.csv', rows.join('\n') + '\n');
    // Left out as an identifier by default (test/tables.test.ts); kept, it is too wide.
    // Above 10,000 rows the default is one network with a 20% validation share: its 24,000 training rows are encoded.
    const r = backprop(['train', file, '--epochs', '1', '--keep', 'id']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^backprop: .*ids\.csv: column "id" has 30000 distinct values, an input each once one-hot encoded \(30001 inputs in all\): 24000 rows would take 2\.9 GB encoded, more than the 2\.1 GB a table may take in memory; leave the column out/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  }, 60_000);

  it('a first layer too wide for the largest layer names the column too', async () => {
    const records = Array.from({ length: 300 }, (_, i) => ({ word: `w${i}`, y: i % 2 }));
    const message = await refusal(() => train(records, { layers: [60_000], epochs: 1, validation: 0, keep: ['word'] }));
    expect(message).toMatch(/^data: column "word" has 300 distinct values.*a first layer of 60000 units would need 18000000 weights, more than the 16777216 of the largest layer/);
  });
});

describe('tables that lie about their size', () => {
  it('an Arrow-like table whose numRows and column length say 2³¹ − 1 but whose values are 10', async () => {
    const arrow = {
      numRows: HUGE, schema: { fields: [{ name: 'a' }, { name: 'y' }] },
      getChild: (name: string) => ({
        length: HUGE,
        get: (i: number) => (i < 10 ? (name === 'y' ? labels[i] : i) : undefined),
        toArray: () => (name === 'y' ? labels : ten),
      }),
    };
    // Today: V8 aborts, out of memory, after 26 s.
    expect(await refusal(() => train(arrow, { epochs: 1 }))).toBe('data: column "a" has 10 values, the table\'s numRows 2147483647');
  });

  it('an Arrow column whose values come several to a row (decimals) is read value by value, and stops where get has none', async () => {
    const arrow = (last: number) => ({
      numRows: 10, schema: { fields: [{ name: 'a' }, { name: 'y' }] },
      getChild: (name: string) => ({
        length: 10,
        get: (i: number) => (i >= last ? undefined : name === 'y' ? labels[i] : i),
        toArray: () => (name === 'y' ? labels : Array.from({ length: 40 }, (_, i) => i)), // 4 numbers a value
      }),
    });
    const model = await train(arrow(10), { epochs: 1, validation: 0 });
    expect(model.features).toEqual(['a']);
    expect(await refusal(() => train(arrow(7), { epochs: 1 }))).toBe('data: column "a" has no value at row 8, though the table\'s numRows is 10');
  });

  it('a DataFrame whose rows say 2³¹ − 1 but whose columns hold 10 values, at every way in', async () => {
    const lying = frame([a, y], HUGE);
    const expected = 'df: column "a" has 10 values, the frame\'s rows 2147483647; every column needs one per row';
    // Today: 16 GB and no error.
    expect(await refusal(() => train(lying, { epochs: 1 }))).toBe(expected);
    expect(await refusal(() => crossValidate(lying, { epochs: 1 }))).toBe(expected);
    expect(await refusal(() => tune(lying, { trials: 1, epochs: 1 }))).toBe(expected);
    const model = await train(frame([a, y]), { epochs: 1, validation: 0 });
    expect(await refusal(async () => model.predict(lying))).toBe(expected);
    expect(await refusal(async () => model.evaluate(lying))).toBe(expected);
    expect(await refusal(async () => model.importance(lying))).toBe(expected);
    for (const rows of [-1, 1.5, NaN, 2 ** 31]) expect(await refusal(() => train(frame([a, y], rows)))).toBe(`df: the frame's rows is ${rows}; expected a whole number of rows`);
  });
});

describe('DataFrame objects are checked as a file is', () => {
  it('numbers that are not numbers, codes outside the dictionary, repeated names, unknown kinds', async () => {
    const cases: [string, unknown[], string][] = [
      // Today this trains (the scaler's mean comes out 6.25).
      ['a string among the numbers', [numeric('a', [1, 2, '30', 4, 5, 6, 7, 8, 9, 10]), y], 'df, row 3, field "a": "30" is not a number, though the column\'s kind is numeric'],
      ['an infinite number', [numeric('a', Float64Array.from(ten, (i) => (i === 4 ? Infinity : i))), y], 'df, row 5, field "a": Infinity is not a finite number'],
      ['a code of 99 in a dictionary of 2', [a, text('y', Uint32Array.from(ten, (i) => (i === 3 ? 99 : i % 2)), ['p', 'q'])], 'df, row 4, field "y": the code 99 is not an index into the column\'s dictionary of 2'],
      ['a code of -1', [a, text('y', ten.map((i) => (i === 2 ? -1 : i % 2)), ['p', 'q'])], 'df, row 3, field "y": the code -1 is not an index into the column\'s dictionary of 2'],
      ['a repeated name', [a, numeric('a', Float64Array.from(ten)), y], 'df: two columns are named "a"; name them apart'],
      ['an unknown kind', [{ name: 'a', kind: 'categorical', values: Float64Array.from(ten) }, y], 'df: column "a" has kind "categorical"; expected "numeric" or "text"'],
      ['a dictionary that is not text', [a, text('y', Uint32Array.from(ten, (i) => i % 2), ['p', 2])], 'df: column "y": dictionary[1] is number, not text'],
      ['a dictionary entry twice', [a, text('y', Uint32Array.from(ten, (i) => i % 2), ['p', 'p'])], 'df: column "y": the dictionary holds "p" twice; each value once'],
      // A blank target is a missing one: a row to learn from needs it.
      ['an empty text value', [a, text('y', Uint32Array.from(ten, (i) => i % 3), ['p', 'q', ' '])], 'df, row 3, column 2 (y): missing value; a row to learn from needs its target; remove the row (3 of 10 rows have none)'],
      ['codes of the wrong length', [a, text('y', new Uint32Array(9), ['p', 'q'])], 'df: column "y" has 9 codes, the frame\'s rows 10; every column needs one per row'],
      ['values that are no list', [numeric('a', { length: 10 }), y], 'df: column "a": values is not a list of values'],
      ['a column that is null', [null, y], 'df: columns[0]: expected a column ({ name, kind, ... }), got null'],
    ];
    for (const [name, columns, message] of cases) expect(await refusal(() => train(frame(columns), { epochs: 1 })), name).toBe(message);
    // NaN, undefined and null are missing values, as in a file: filled.
    const gaps = await train(frame([numeric('a', [0, NaN, 2, undefined, 4, null, 6, 7, 8, 9]), y]), { epochs: 1, validation: 0 });
    expect(gaps.preprocessing.features).toEqual([{ name: 'a', type: 'numeric', indicator: true, fill: 6 }]);
  });

  it('numbers and codes in plain arrays train as the same table in typed arrays does', async () => {
    const plain = await train(frame([numeric('a', ten.map((i) => i / 3)), text('y', ten.map((i) => i % 2), ['p', 'q'])]), { epochs: 3, validation: 0 });
    const typed = await train(frame([a, y]), { epochs: 3, validation: 0 });
    expect(plain.stringify()).toBe(typed.stringify());
  });

  it('predict checks only the model\'s columns, as it reads only those of records', async () => {
    const model = await train(frame([a, y]), { epochs: 1, validation: 0 });
    const extra = numeric('notes', ['free', 'text', 'here']);
    expect(model.predict(frame([a, extra]))).toHaveLength(10);
  });
});
