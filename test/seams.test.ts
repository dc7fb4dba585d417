// The seams between the table layer and its callers, and small refusals at them: the model file refused where it
// would make every prediction an error, DataFrames that throw, dates that are not, the streamed text coder's bound,
// the command line's options refused as the library refuses them, and predict --json's unseen values by row.
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { BackpropError, describeFrame, fitFramePreprocessing, Model, Random, tableNotes, toFrame, train } from '../src/index.js';
import { saveModel } from '../src/node/index.js';
import { readDataFile } from '../src/node/read.js';
import { scanForTraining } from '../src/node/streaming.js';
import { tableChunks } from '../src/node/readers/duckdb.js';
import { naValuesOption } from '../src/cli/options.js';
import { UsageError } from '../src/cli/errors.js';
import { backprop, BIN, ROOT, tempDir, writeFile } from './cli-helpers.js';

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
  }, 60_000);
});

describe('evaluate, predict, explain and gradcheck reach the network through the table model', () => {
  it('their modules import no network loader and no frame encoder', () => {
    for (const file of ['evaluate', 'explain']) {
      const imports = readFileSync(join(ROOT, `src/cli/${file}.ts`), 'utf8').split('\n').filter((l) => l.startsWith('import'));
      expect(imports.join('\n')).not.toMatch(/loadNetwork|encodeFrame|encodeRecord|newTally|checkFinite|Evaluation\b|import \{[^}]*\} from '\.\.\/data\//);
    }
  });

  it('explain scales each target of a multi-output regression by its own scale, as Model.explain does', async () => {
    const rng = new Random(5);
    const table = Array.from({ length: 40 }, () => {
      const a = rng.next(), b = rng.next();
      return { a, b, small: a + b, large: 1000 * (a - b) + 5000 };
    });
    const model = await train(table, { target: ['small', 'large'], epochs: 2, bagging: 1, bins: 0 });
    const path = join(dir, 'two-targets.json');
    saveModel(path, model);
    const cli = backprop(['explain', path, '--input', '0.25,0.5', '--target', '0.75,4750', '--json']);
    expect(cli.code, cli.stderr).toBe(0);
    const library = model.explain({ a: 0.25, b: 0.5, small: 0.75, large: 4750 });
    expect(JSON.parse(cli.stdout).target).toEqual(library.target);
    expect(JSON.parse(cli.stdout)).toEqual(JSON.parse(JSON.stringify(library)));
  }, 60_000);
});

describe('predict --json names, row by row, the values the model never saw', () => {
  it('an "unseen" object on the rows that have one, as the library\'s unseenValues lists them', async () => {
    const model = await train(rows, { target: 'y', epochs: 2, bagging: 1, bins: 0 });
    const path = join(dir, 'cities.json');
    saveModel(path, model);
    const fresh = [
      { a: 1, day: '2024-02-11', city: 'oslo' },
      { a: 2, day: '2024-02-12', city: 'bergen' },
      { a: 3, day: '2024-02-13', city: 'rome' },
      { a: 4, day: '2024-02-14', city: 'paris' },
    ];
    const report = model.predictWithReport(fresh);
    expect(report.unseenValues).toEqual([{ row: 2, column: 'city', value: 'bergen' }, { row: 4, column: 'city', value: 'paris' }]);
    expect(report.unseen).toEqual({ city: 2 });
    const csv = writeFile(dir, 'fresh.csv', 'a,day,city\n' + fresh.map((f) => `${f.a},${f.day},${f.city}`).join('\n') + '\n');
    const run = backprop(['predict', path, csv, '--json']);
    expect(run.code, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout) as { y: string; unseen?: Record<string, string> }[];
    expect(out.map((o) => o.unseen)).toEqual([undefined, { city: 'bergen' }, undefined, { city: 'paris' }]);
    expect(out.map((o) => o.y)).toEqual(report.predictions.map((p) => p!.label));
    // The text output keeps its count by column on stderr.
    expect(run.stderr).toBe(`backprop: note: ${csv}: 2 values the model never saw, encoded as all zeros: city 2\n`);
    // A kept column may not take the field's name.
    expect(backprop(['predict', path, csv, '--json', '--keep', 'unseen']).stderr).toBe('backprop: --keep: "unseen" is a field of every --json row; keep another column\n');
  }, 60_000);
});

describe('the command line refuses what the library refuses, as a usage error', () => {
  it('BACKPROP_THREADS exits 2 as --threads does, naming the variable', () => {
    const run = spawnSync(process.execPath, [BIN, 'train', 'xor', '--epochs', '1', '--quiet'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, BACKPROP_THREADS: 'two' } });
    expect(run.stderr).toBe('backprop: BACKPROP_THREADS: expected a whole number of threads from 1 to 1024, or auto, got "two"\n');
    expect(run.status).toBe(2);
  }, 60_000);

  it('BACKPROP_BLAS naming a library that does not load is refused (exit 2), not passed over for another backend', () => {
    const out = join(dir, 'never.json');
    const run = spawnSync(process.execPath, [BIN, 'train', 'xor', '--epochs', '1', '--quiet', '--out', out], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, BACKPROP_BLAS: '/etc/hostname' } });
    expect(run.stderr).toBe('backprop: BACKPROP_BLAS: "/etc/hostname" could not be loaded as a BLAS library; expected the file name or path of one with cblas_sgemm and cblas_dgemm (such as libopenblas.so.0), or leave BACKPROP_BLAS unset to use the usual names\n');
    expect(run.status).toBe(2);
    expect(existsSync(out)).toBe(false);
  }, 60_000);

  it('--na-values of more than 1,000 words, or of a word over 100 characters', () => {
    const many = Array.from({ length: 1200 }, (_, i) => `w${i}`).join(',');
    const run = backprop(['train', 'xor', '--epochs', '1', '--quiet', '--na-values', many]);
    expect(run.stderr).toBe('backprop: --na-values: at most 1000 values, got 1200\n');
    expect(run.code).toBe(2);
    expect(() => naValuesOption('NA,' + 'x'.repeat(101))).toThrow(UsageError);
    expect(() => naValuesOption('NA,' + 'x'.repeat(101))).toThrow(/^--na-values: "x{37}\.\.\." is longer than 100 characters$/);
    expect(naValuesOption(Array.from({ length: 1000 }, (_, i) => `w${i}`).join(','))).toHaveLength(1000);
  }, 60_000);
});

describe('a DataFrame whose getters throw', () => {
  it('is one error naming what was read, not the getter\'s own exception', async () => {
    const model = await train(rows, { target: 'y', epochs: 1, bagging: 1, bins: 0 });
    const throwing = (field: 'columns' | 'rows' | 'where') => {
      const frame = { source: 'df', rows: 1, columns: [], where: (i: number) => `row ${i + 1}` };
      return Object.defineProperty(frame, field, { get() { throw new RangeError('no ' + field); } });
    };
    expect(() => model.predict(throwing('columns') as never)).toThrow(/^data: reading the frame's columns threw RangeError: no columns$/);
    expect(() => model.predict(throwing('rows') as never)).toThrow(/^data: reading the frame's rows threw RangeError: no rows$/);
    await expect(train(throwing('columns') as never, { target: 'y' })).rejects.toThrow(BackpropError);
    // A getter that answers once and then throws is read once: the frame predicts.
    const columns = toFrame(rows.slice(0, 3)).columns;
    let reads = 0;
    const once = { source: 'df', rows: 3, where: (i: number) => `row ${i + 1}`, get columns() {
      if (reads++ > 0) throw new Error('read twice');
      return columns;
    } };
    expect(model.predict(once as never)).toHaveLength(3);
  }, 60_000);
});

describe('one value that is no date among 600 dates', () => {
  const days = Array.from({ length: 600 }, (_, i) => new Date(Date.UTC(2024, 0, 1 + i)).toISOString().slice(0, 10));
  days[417] = '2024-02-30';
  const table = days.map((day, i) => ({ day, x: i % 7, y: i % 2 ? 'a' : 'b' }));

  it('the plan names the column, the value and where it is, in memory and streamed', async () => {
    const frame = toFrame(table, { source: 'days' });
    const description = describeFrame(frame, 'y');
    // Text, and nearly every value distinct: left out as an identifier.
    expect(description.leftOut.map((l) => l.name)).toEqual(['day']);
    const all = Uint32Array.from({ length: 600 }, (_, i) => i);
    const notes = tableNotes({ description, prep: fitFramePreprocessing(description, frame, all) });
    expect(notes.notDates).toEqual(['day: read as text, not dates, for "2024-02-30" (days, row 418, field "day"), which is no ISO 8601 date; correct it or mark it missing (--na-values) to read the column as dates']);
    const path = writeFile(dir, 'days.csv', 'day,x,y\n' + table.map((t) => `${t.day},${t.x},${t.y}`).join('\n') + '\n');
    const streamed = await scanForTraining(path, path, {}, { validation: 0, seed: 1 });
    expect(streamed.description.notDates).toEqual([{ column: 'day', value: '2024-02-30', at: `${path}, line 419, column 1 (day)` }]);
    const read = describeFrame(await readDataFile(path), 'y');
    expect(read.notDates).toEqual([{ column: 'day', value: '2024-02-30', at: `${path}, line 419, column 1 (day)` }]);
    // A text column of names, with a date or two among them, is text and says nothing; all dates say nothing either.
    expect(describeFrame(toFrame(table.map((t, i) => ({ ...t, day: i < 2 ? t.day : `name ${i % 9}` }))), 'y').notDates).toEqual([]);
    expect(describeFrame(toFrame(table.map((t, i) => ({ ...t, day: i === 417 ? '2024-02-29' : t.day }))), 'y').notDates).toEqual([]);
    // The value quoted once: a control character as its escape, a backslash as it is; a value longer than an NA word
    // may be is not offered to --na-values.
    const noteFor = (bad: string): string => {
      const odd = toFrame(table.map((t, i) => ({ ...t, day: i === 417 ? bad : t.day })), { source: 'days' });
      const d = describeFrame(odd, 'y');
      return tableNotes({ description: d, prep: fitFramePreprocessing(d, odd, all) }).notDates[0];
    };
    expect(noteFor('2024-02-30\u0007\\')).toBe('day: read as text, not dates, for "2024-02-30\\u0007\\\\" (days, row 418, field "day"), which is no ISO 8601 date; correct it or mark it missing (--na-values) to read the column as dates');
    expect(noteFor('y'.repeat(150))).toBe(`day: read as text, not dates, for "${'y'.repeat(37)}..." (days, row 418, field "day"), which is no ISO 8601 date; correct it to read the column as dates`);
  }, 60_000);

  it('backprop train prints it as a plan line', () => {
    const path = writeFile(dir, 'days2.csv', 'day,x,y\n' + table.map((t) => `${t.day},${t.x},${t.y}`).join('\n') + '\n');
    const run = backprop(['train', path, '--epochs', '1', '--bagging', '1', '--layers', '2']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`columns  day: read as text, not dates, for "2024-02-30" (${path}, line 419, column 1 (day)), which is no ISO 8601 date`);
  }, 60_000);
});

describe('the streamed text coder', () => {
  it('keeps a chunk\'s dictionary, not the file\'s; past 100,000 distinct values the plan says "more than"', async () => {
    const n = 100_500;
    const path = writeFile(dir, 'ids.csv', 'id,x,y\n' + Array.from({ length: n }, (_, i) => `id${i},${i % 5},${i % 2 ? 'a' : 'b'}`).join('\n') + '\n');
    let rowsRead = 0, largest = 0;
    for await (const chunk of tableChunks(path, path)) {
      const id = chunk.columns[0] as { codes: Uint32Array; dictionary: readonly string[] };
      largest = Math.max(largest, id.dictionary.length);
      // Codes hold within the chunk: each row's value is its own.
      expect(id.dictionary[id.codes[chunk.rows - 1]]).toBe(`id${rowsRead + chunk.rows - 1}`);
      rowsRead += chunk.rows;
    }
    expect(rowsRead).toBe(n);
    expect(largest).toBeLessThanOrEqual(4096);
    const streamed = await scanForTraining(path, path, {}, { validation: 0, seed: 1, bins: 4 });
    expect(streamed.description.leftOut).toEqual([{ name: 'id', reason: 'identifier', distinct: 100_001, rows: n, distinctAtLeast: true }]);
    expect(tableNotes(streamed).leftOut).toEqual([`id: more than 100,000 distinct values in 100,500 rows, left out as an identifier; --keep id to use it`]);
    expect(streamed.prep.features.map((f) => f.name)).toEqual(['x']);
  }, 60_000);
});
