// Tables as they come (issue 32): missing values in every form and every format, categories never seen in
// training, identifier and date columns, and numeric targets read as users mean them. The references are
// independent of the code under test: medians by sorting, dates by JavaScript's Date, one table given in every form.
import { describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import * as ort from 'onnxruntime-node';
import { tableFromJSON } from 'apache-arrow';
import { DuckDBInstance } from '@duckdb/node-api';
import { backprop, BIN, ROOT, tempDir } from './cli-helpers.js';
import {
  datePart, describeFrame, encodeRecord, MISSING, Model, parseDate, parseDateIn, planTraining, toFrame, train,
  type DataFrame, type FrameColumn, type TableRecord,
} from '../src/index.js';
import { loadModel, readTable } from '../src/node/index.js';
import { exportONNX, exportStandalone } from '../src/interop/index.js';
import { isNumberText } from '../src/data/missing.js';

const dir = tempDir();

/** A seeded table of houses: size (some missing), rooms, city (some missing), built (a date, some missing), an id; sold. */
function houses(n: number, seed = 7): { rows: Record<string, unknown>[]; gaps: { size: number[]; city: number[]; built: number[] } } {
  let s = seed;
  const next = (): number => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
  // Every way a record can say "no value": in the size column, a number's; in the city column, text's.
  const noNumber = [null, undefined, NaN, 'NA', '', '?', 'N/A', 'missing key'];
  const noText = [null, '', '  ', 'NA', '?', 'null', 'missing key'];
  const gaps = { size: [] as number[], city: [] as number[], built: [] as number[] };
  const rows = Array.from({ length: n }, (_, i) => {
    const size = 40 + Math.round(next() * 160), rooms = 1 + Math.floor(next() * 6), city = ['Oslo', 'Paris', 'Rome', 'Lima'][Math.floor(next() * 4)];
    const day = 1 + Math.floor(next() * 28), month = 1 + Math.floor(next() * 12), year = 1950 + Math.floor(next() * 70);
    const built = `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
    const sold = size / 40 + rooms / 3 + (city === 'Rome' ? 1.5 : 0) - (year - 1950) / 35 + next() > 4 ? 'yes' : 'no';
    const row: Record<string, unknown> = { size, rooms, city, built, id: `h${(i * 7919) % 100_003}`, sold };
    if (i % 9 === 4) {
      const v = noNumber[(i / 9) % noNumber.length | 0];
      if (v === 'missing key') delete row.size;
      else row.size = v;
      gaps.size.push(i);
    }
    if (i % 11 === 3) {
      const v = noText[(i / 11) % noText.length | 0];
      if (v === 'missing key') delete row.city;
      else row.city = v;
      gaps.city.push(i);
    }
    if (i % 13 === 5) {
      row.built = i % 2 ? '' : null;
      gaps.built.push(i);
    }
    return row;
  });
  return { rows, gaps };
}

/** A frame's column as plain values, null where missing: what every reader must agree on. */
function plain(c: FrameColumn): (number | string | null)[] {
  return c.kind === 'numeric' ? Array.from(c.values, (v) => (Number.isNaN(v) ? null : v)) : Array.from(c.codes, (k) => (k === MISSING ? null : c.dictionary[k]));
}

const median = (values: number[]): number => {
  const v = [...values].sort((a, b) => a - b);
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};

/** The houses as CSV text, a missing value written as `blank` (or as the record's own word, where it had one). */
function houseCsv(rows: Record<string, unknown>[], delimiter = ',', blank = ''): string {
  const names = ['size', 'rooms', 'city', 'built', 'id', 'sold'];
  const cell = (v: unknown): string => (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v)) ? blank : String(v).trim());
  return [names.join(delimiter), ...rows.map((r) => names.map((n) => cell(r[n])).join(delimiter))].join('\n') + '\n';
}

describe('missing values, by default', () => {
  const { rows, gaps } = houses(600);

  it('records with every form of a missing value train: medians of the training rows, indicators, a level for text, the identifier left out', async () => {
    const frame = toFrame(rows);
    const column = (name: string): FrameColumn => frame.columns.find((c) => c.name === name)!;
    // Every form is read as missing, and nothing else is.
    for (const name of ['size', 'city', 'built'] as const) {
      const missing = plain(column(name)).flatMap((v, i) => (v === null ? [i] : []));
      expect(missing, name).toEqual(gaps[name]);
    }
    const plan = await planTraining(frame, { target: 'sold', epochs: 2, layers: [8], bins: 0, bagging: 1 });
    const train = Array.from(plan.split!.train);
    const present = (name: string): number[] => train.map((i) => rows[i][name]).filter((v): v is number => typeof v === 'number' && !Number.isNaN(v));
    const [size, rooms, city, built] = ['size', 'rooms', 'city', 'built'].map((n) => plan.prep.features.find((f) => f.name === n)!);
    expect(size).toEqual({ name: 'size', type: 'numeric', indicator: true, fill: median(present('size')) });
    // No missing value in rooms: no indicator, yet a fill for one that comes later.
    expect(rooms).toEqual({ name: 'rooms', type: 'numeric', fill: median(present('rooms')) });
    expect(city).toEqual({ name: 'city', type: 'categorical', categories: ['Lima', 'Oslo', 'Paris', 'Rome'], missing: true });
    const days = train.map((i) => rows[i].built).filter((v): v is string => typeof v === 'string' && v !== '').map((v) => Date.parse(`${v}T00:00:00Z`) / 86_400_000);
    expect(built).toEqual({ name: 'built', type: 'date', parts: ['year', 'month', 'weekday', 'days'], indicator: true, fill: median(days) });
    expect(plan.prep.leftOut).toEqual([{ name: 'id', reason: 'identifier' }]);
    expect(plan.description.missing).toEqual([{ column: 'size', count: gaps.size.length }, { column: 'city', count: gaps.city.length }, { column: 'built', count: gaps.built.length }]);
    // A missing value is encoded as its fill with the indicator on; a missing city as its own level.
    const scale = plan.prep.scaler as { mean: number[]; std: number[] };
    const encoded = encodeRecord(plan.prep, plan.prep.features.map((f) => (f.name === 'rooms' ? 3 : null)));
    expect(encoded.slice(0, 2)).toEqual([((size as { fill: number }).fill - scale.mean[0]) / scale.std[0], 1]);
    expect(encoded.slice(3, 8)).toEqual([0, 0, 0, 0, 1]);
  }, 60_000);

  it('a table in every form and every file format reads to the same columns, and trains to the same model file', async () => {
    const reference = toFrame(rows);
    const mixed = houseCsv(rows.map((r, i) => (i % 3 ? r : { ...r, size: r.size ?? 'NA' })), ',', 'NA');
    writeFileSync(join(dir, 'houses.csv'), houseCsv(rows));
    writeFileSync(join(dir, 'houses-na.csv'), mixed);
    writeFileSync(join(dir, 'houses.tsv'), houseCsv(rows, '\t', '?'));
    writeFileSync(join(dir, 'houses.csv.gz'), gzipSync(houseCsv(rows, ';', 'N/A')));
    mkdirSync(join(dir, 'parts'));
    const text = houseCsv(rows).split('\n');
    writeFileSync(join(dir, 'parts', 'a.csv'), text.slice(0, 301).join('\n') + '\n');
    writeFileSync(join(dir, 'parts', 'b.csv'), [text[0], ...text.slice(301)].join('\n'));
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    // Parquet has nulls of its own: the words for "no value" become nulls on the way in.
    await connection.run(`COPY (SELECT * FROM read_csv('${join(dir, 'houses.csv')}', nullstr = ['', 'NA', '?', 'N/A', 'null'], types = {'built': 'VARCHAR', 'sold': 'VARCHAR'})) TO '${join(dir, 'houses.parquet')}' (FORMAT parquet)`);
    connection.closeSync();
    instance.closeSync();
    const forms: [string, DataFrame][] = [
      ['columns', toFrame(Object.fromEntries(['size', 'rooms', 'city', 'built', 'id', 'sold'].map((n) => [n, rows.map((r) => r[n])])))],
      // Arrow's numbers are numbers or null; its text may hold the words.
      ['arrow', toFrame(tableFromJSON(rows.map((r) => ({ ...r, size: typeof r.size === 'number' && !Number.isNaN(r.size) ? r.size : null, city: r.city ?? null }))) as never)],
      ...await Promise.all(['houses.csv', 'houses-na.csv', 'houses.tsv', 'houses.csv.gz', 'houses.parquet', 'parts'].map(async (f): Promise<[string, DataFrame]> => [f, await readTable(join(dir, f))])),
    ];
    for (const [name, frame] of forms) {
      for (const c of reference.columns) {
        const other = frame.columns.find((x) => x.name === c.name)!;
        expect(other?.kind, `${name}: ${c.name}`).toBe(c.kind);
        expect(plain(other), `${name}: ${c.name}`).toEqual(plain(c));
      }
    }
    // number[][] with gaps: NaN and null are missing there too.
    const matrix = toFrame([[1, NaN], [null, 2], [3, 4]] as never, { y: [0, 1, 0] });
    expect(matrix.columns.map(plain)).toEqual([[1, null, 3], [null, 2, 4], [0, 1, 0]]);
    // The same data gives the same model, byte for byte, from records and from a file.
    const options = { target: 'sold', epochs: 3, layers: [8], seed: 2, bagging: 1 } as const;
    const fromRecords = await train(rows as TableRecord[], options);
    const fromFile = await train(forms.find(([n]) => n === 'houses.csv.gz')![1], options);
    expect(fromFile.stringify()).toBe(fromRecords.stringify());
  }, 120_000);

  it('the command line says what it filled; --missing error refuses, naming the line; --na-values sets the words', () => {
    const path = join(dir, 'plan.csv');
    writeFileSync(path, houseCsv(rows, ',', 'NA'));
    const r = backprop(['train', path, '--target', 'sold', '--epochs', '1', '--layers', '4', '--bins', '0', '--bagging', '1']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    const values = gaps.size.length + gaps.city.length + gaps.built.length;
    expect(lines[0]).toBe(`data     ${path}: 600 rows, 4 features (2 numeric, standardized; 1 text, one-hot encoded; 1 date: year, month, day of week, days since 1970-01-01) → 13 inputs`);
    expect(lines[1]).toBe(`missing  ${values} values in 3 columns: numbers filled with training medians, dates with the training median date (2 indicator inputs), text as its own level`);
    expect(lines[2]).toBe('columns  id: 600 distinct values in 600 rows, left out as an identifier; --keep id to use it');
    const strict = backprop(['train', path, '--target', 'sold', '--epochs', '1', '--missing', 'error']);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toBe(`backprop: ${path}, line ${gaps.size[0] + 2}, column 1 (size): missing value; fill it in or remove the row (missing values are errors here: missing "error")\n`);
    // With no words for "no value", NA is a word: a word among numbers, read as missing there (named in the plan).
    const none = backprop(['train', path, '--target', 'sold', '--epochs', '1', '--na-values', '']);
    expect(none.stdout).toMatch(/\ncolumns  size: numbers, with "NA" \(\d+ rows\), "\?" \(\d+ rows\), "N\/A" \(\d+ rows\) read as missing values\n/);
  }, 60_000);

  it('--stream fits the same medians in its first pass, exactly, past its sample', async () => {
    const { scanForTraining } = await import('../src/node/streaming.js');
    const { readDataFile } = await import('../src/node/read.js');
    const { fitFramePreprocessing } = await import('../src/index.js');
    const { closeDuckDB } = await import('../src/node/readers/duckdb.js');
    const big = houses(90_000, 3).rows;
    const path = join(dir, 'big.csv');
    writeFileSync(path, houseCsv(big, ',', 'NA'));
    const streamed = await scanForTraining(path, path, {}, { target: 'sold', validation: 0, seed: 1 });
    await closeDuckDB();
    const frame = await readDataFile(path);
    const inMemory = fitFramePreprocessing(describeFrame(frame, 'sold'), frame, Uint32Array.from({ length: frame.rows }, (_, i) => i));
    expect(streamed.prep.features).toEqual(inMemory.features);
    expect(streamed.prep.leftOut).toEqual(inMemory.leftOut);
    const r = backprop(['train', path, '--target', 'sold', '--stream', '--epochs', '1', '--layers', '4']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^missing  [\d,]+ values in 3 columns: /m);
  }, 120_000);
});

describe('categories never seen in training', () => {
  const { rows } = houses(300);

  it('are all zeros and counted by evaluate and predict (--json too); unknown "error" refuses them by row', async () => {
    const model = await train(rows as TableRecord[], { target: 'sold', epochs: 2, layers: [8], bins: 0, bagging: 1 });
    const path = join(dir, 'unseen-model.json');
    writeFileSync(path, model.stringify());
    const fresh = rows.slice(0, 20).map((r, i) => ({ ...r, city: i % 4 ? r.city : 'Berlin' }));
    const report = model.evaluate(fresh as TableRecord[]);
    expect(report.unseen).toEqual({ city: 5 });
    // The one-hot block of an unseen value is all zeros: a known city's encoding with its block cleared.
    expect(model.features).toEqual(['size', 'rooms', 'city', 'built']);
    const [berlin] = model.predict([{ size: 80, rooms: 3, city: 'Berlin', built: '2000-01-01' }]);
    const x = encodeRecord(model.preprocessing, [80, 3, 'Oslo', '2000-01-01']);
    // size and its indicator, rooms, then city's four categories and its missing level.
    x.fill(0, 3, 8);
    expect(berlin.probabilities!.yes).toBeCloseTo(model.network.predict([x]).data[0], 6);
    expect(() => model.evaluate(fresh as TableRecord[], { unknown: 'error' })).toThrow(/evaluate, row 1, field "city": the value "Berlin", which the model never saw; known values: Lima, Oslo, Paris, Rome/);
    const data = join(dir, 'unseen.csv');
    writeFileSync(data, houseCsv(fresh));
    const evaluated = backprop(['evaluate', path, data, '--json']);
    expect(JSON.parse(evaluated.stdout).unseen).toEqual({ city: 5 });
    const predicted = backprop(['predict', path, data]);
    expect(predicted.stderr).toContain(`backprop: note: ${data}: 5 values the model never saw, encoded as all zeros: city 5\n`);
    const strict = backprop(['predict', path, data, '--unknown', 'error']);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toBe(`backprop: ${data}, line 2, column 3 (city): the value "Berlin", which the model never saw; known values: Lima, Oslo, Paris, Rome\n`);
  }, 60_000);

  it('a category seen only in validation rows is known', async () => {
    const only = houses(200).rows.map((r) => ({ ...r, city: r.city === 'Lima' ? 'Oslo' : r.city }));
    // The seed whose validation rows hold row 0, which alone is in Lima.
    only[0].city = 'Lima';
    const frame = toFrame(only);
    let seed = 1;
    for (; seed < 50; seed++) if ((await planTraining(frame, { target: 'sold', seed, epochs: 1, layers: [2], bagging: 1 })).split!.test.includes(0)) break;
    const plan = await planTraining(frame, { target: 'sold', seed, epochs: 1, layers: [2], bagging: 1 });
    expect(plan.split!.test).toContain(0);
    expect(plan.prep.features.find((f) => f.name === 'city')).toMatchObject({ categories: ['Lima', 'Oslo', 'Paris', 'Rome'] });
  }, 60_000);
});

describe('columns users do not mean as features', () => {
  it('an identifier column of 30,000 values is left out, and training takes bounded memory', () => {
    const path = join(dir, 'ids.csv');
    const lines = ['id,x,label'];
    for (let i = 0; i < 30_000; i++) lines.push(`customer-${(i * 7919) % 1_000_003},${(i % 97) / 10},${i % 3 ? 'a' : 'b'}`);
    writeFileSync(path, lines.join('\n') + '\n');
    const rss = join(dir, 'rss.txt');
    writeFileSync(rss, '');
    const run = spawnSync(process.execPath, ['--import', join(ROOT, 'test/programs/report-rss.mjs'), BIN, 'train', path, '--epochs', '1', '--bins', '0', '--bagging', '1', '--out', join(dir, 'ids.json')],
      { cwd: ROOT, encoding: 'utf8', env: { ...process.env, BACKPROP_TEST_RSS_FILE: rss } });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('columns  id: 30,000 distinct values in 30,000 rows, left out as an identifier; --keep id to use it\n');
    expect(run.stdout).toMatch(/1 features \(1 numeric, standardized\) → 1 inputs/);
    // One-hot encoded, the column would be 30,000 inputs: 24,000 training rows of them take 2.9 GB in float32.
    expect(Number(readFileSync(rss, 'utf8'))).toBeLessThan(400 * 1024 * 1024);
    expect(JSON.parse(readFileSync(join(dir, 'ids.json'), 'utf8')).preprocessing.leftOut).toEqual([{ name: 'id', reason: 'identifier' }]);
  }, 60_000);

  it('a row number named as an identifier (PassengerId: 1, 2, 3, ...) is left out, in memory and streamed; --keep uses it', async () => {
    const path = join(dir, 'passengers.csv');
    writeFileSync(path, ['PassengerId,Pclass,Age,Survived', ...Array.from({ length: 200 }, (_, i) => `${i + 1},${1 + (i % 3)},${(i * 37) % 71},${(i * 7) % 5 > 1 ? 1 : 0}`)].join('\n') + '\n');
    const line = 'columns  PassengerId: whole numbers rising row by row (1 to 200), named as an identifier: left out; --keep PassengerId to use it\n';
    for (const how of [[], ['--stream']]) {
      const model = join(dir, `passengers${how.length}.json`);
      const r = backprop(['train', path, ...how, '--epochs', '1', '--bagging', '1', '--out', model]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout, how.join()).toContain(line);
      const prep = (JSON.parse(readFileSync(model, 'utf8')) as { preprocessing: { features: { name: string }[]; leftOut: unknown } }).preprocessing;
      expect([prep.features.map((f) => f.name), prep.leftOut]).toEqual([['Pclass', 'Age'], [{ name: 'PassengerId', reason: 'identifier' }]]);
    }
    // keep uses it.
    expect(describeFrame(await readTable(path), undefined, undefined, { keep: ['PassengerId'] }).features.map((f) => f.name)).toEqual(['PassengerId', 'Pclass', 'Age']);
    // Past 999 written "1,000": the same, streamed too (the first pass followed only columns read as numbers).
    const grouped = join(dir, 'passengers-grouped.csv');
    writeFileSync(grouped, ['PassengerId,Pclass,Survived', ...Array.from({ length: 1050 }, (_, i) => `"${(i + 1).toLocaleString('en-US')}",${1 + (i % 3)},${(i * 7) % 5 > 1 ? 1 : 0}`)].join('\n') + '\n');
    expect(describeFrame(toFrame(await readTable(grouped))).leftOut).toMatchObject([{ name: 'PassengerId', reason: 'identifier', rising: { from: 1, to: 1050 } }]);
    const r = backprop(['train', grouped, '--stream', '--epochs', '1', '--bagging', '1', '--out', join(dir, 'passengers-grouped.json')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('columns  PassengerId: whole numbers rising row by row (1 to 1050), named as an identifier: left out; --keep PassengerId to use it\n');
  }, 60_000);

  it('only a column that is both a row number and named as an identifier is left out', () => {
    const n = 60;
    const leftOut = (name: string, values: (number | null)[]): string[] =>
      describeFrame(toFrame(Array.from({ length: n }, (_, i) => ({ [name]: values[i], x: (i * 13) % 7, y: i % 2 })), { naValues: [] }), 'y').leftOut.map((l) => l.name);
    const rows = Array.from({ length: n }, (_, i) => i + 1);
    for (const name of ['id', 'ID', 'Id', 'index', 'PassengerId', 'CustomerID', 'customer_id', 'order id', 'row.id', 'Unnamed: 0', 'rownames', '...1', 'row number']) {
      expect(leftOut(name, rows), name).toEqual([name]);
      // Counted from 0, by tens, from a thousand: still row numbers.
      expect(leftOut(name, rows.map((r) => 1000 + 10 * r)), name).toEqual([name]);
    }
    // Named otherwise, a rising column is a feature: years, a time, a sequence number of a measurement.
    for (const name of ['year', 'acid', 'valid', 'paid', 'Idle', 'identity', 'grid', 'ACID', 'x1']) expect(leftOut(name, rows), name).toEqual([]);
    // Named so but no row number: shuffled, repeated, a fraction, a gap, falling.
    const shuffled = rows.map((r) => (r * 17) % 61);
    for (const values of [shuffled, rows.map((r) => Math.ceil(r / 2)), rows.map((r) => r + 0.5), rows.map((r) => (r === 30 ? null : r)), [...rows].reverse()]) {
      expect(leftOut('id', values)).toEqual([]);
    }
  });

  it('ISO 8601 dates become year, month, weekday, hour and days, as JavaScript\'s Date reads them', () => {
    fc.assert(fc.property(fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2100-12-31T23:59:59Z'), noInvalidDate: true }), (d) => {
      const iso = d.toISOString();
      const days = parseDate(iso.replace(/\.\d+Z$/, 'Z'));
      expect(datePart(days, 'year')).toBe(d.getUTCFullYear());
      expect(datePart(days, 'month')).toBe(d.getUTCMonth() + 1);
      expect(datePart(days, 'weekday')).toBe((d.getUTCDay() + 6) % 7);
      expect(datePart(days, 'hour')).toBeCloseTo(d.getUTCHours() + d.getUTCMinutes() / 60 + d.getUTCSeconds() / 3600, 6);
      expect(days).toBeCloseTo(Math.floor(d.getTime() / 1000) / 86_400, 8);
      expect(parseDate(iso.slice(0, 10))).toBe(Math.floor(d.getTime() / 86_400_000));
    }), { numRuns: 300 });
    for (const bad of ['2023-02-29', '2024-13-01', '2024-01-01T25:00', '15/03/2024', 'yesterday']) expect(parseDate(bad), bad).toBeNaN();
    // A date column with times gets the hour; its plan says so.
    const frame = toFrame(Array.from({ length: 40 }, (_, i) => ({ at: `2024-03-${String(1 + (i % 28)).padStart(2, '0')} ${String(i % 24).padStart(2, '0')}:30`, y: i % 2 })));
    expect(describeFrame(frame).features).toEqual([{ name: 'at', type: 'date', parts: ['year', 'month', 'weekday', 'hour', 'days'] }]);
  });
});

describe('dates written as spreadsheets write them', () => {
  // Daily sales: the date (a weekend sells more), the temperature; the same table with ISO 8601 dates is the reference.
  const days = Array.from({ length: 240 }, (_, i) => new Date(Date.UTC(2023, 0, 1) + Math.round(i * 1.3) * 86_400_000 + (i % 4) * 3_600_000 * 5));
  const rows = days.map((d, i) => ({ d, temp: 10 + ((i * 7) % 20), sales: 100 + 2 * ((i * 7) % 20) + ((d.getUTCDay() + 6) % 7 >= 5 ? 40 : 0) + (i % 5) }));
  const pad = (n: number): string => String(n).padStart(2, '0');
  const clock = (d: Date): string => `${d.getUTCHours() % 12 || 12}:${pad(d.getUTCMinutes())} ${d.getUTCHours() < 12 ? 'AM' : 'PM'}`;
  const written = {
    iso: (d: Date): string => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:00`,
    mdy: (d: Date): string => `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()} ${clock(d)}`,
    dmy: (d: Date): string => `${pad(d.getUTCDate())}.${pad(d.getUTCMonth() + 1)}.${d.getUTCFullYear()} ${pad(d.getUTCHours())}:00`,
  };
  const file = (how: keyof typeof written): string => {
    const path = join(dir, `sales-${how}.csv`);
    writeFileSync(path, ['day,temp,sales', ...rows.map((r, i) => `${i % 23 === 4 ? '' : written[how](r.d)},${r.temp},${r.sales}`)].join('\n') + '\n');
    return path;
  };

  it('month/day/year and day.month.year read as the same dates as ISO 8601, in memory and streamed, by predict and the standalone module', async () => {
    const paths = { iso: file('iso'), mdy: file('mdy'), dmy: file('dmy') };
    // In memory (the library: readTable and train, what backprop train runs): the same model from each.
    const trained = await Promise.all((['iso', 'mdy', 'dmy'] as const).map(async (how) => train(await readTable(paths[how]), { epochs: 3, bagging: 1, seed: 4 })));
    expect(trained.map((m) => m.preprocessing.features.find((f) => f.name === 'day'))).toMatchObject([{ type: 'date' }, { type: 'date', order: 'mdy' }, { type: 'date', order: 'dmy' }]);
    const strip = (m: Model): unknown => JSON.parse(m.stringify(), (k, v: unknown) => (k === 'order' ? undefined : v));
    expect(strip(trained[1])).toEqual(strip(trained[0]));
    expect(strip(trained[2])).toEqual(strip(trained[0]));
    writeFileSync(join(dir, 'sales-mdy0.json'), trained[1].stringify());
    writeFileSync(join(dir, 'sales-iso0.json'), trained[0].stringify());
    // The command line, streamed: the plan says the order, and predict reads the file as its ISO twin.
    const predictions: string[] = [];
    for (const how of ['iso', 'mdy'] as const) {
      const model = join(dir, `sales-${how}1.json`);
      const r = backprop(['train', paths[how], '--stream', '--epochs', '3', '--bagging', '1', '--seed', '4', '--out', model]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.split('\n').find((l) => l.startsWith('columns  day:')), how).toBe(how === 'iso' ? undefined : 'columns  day: dates written month/day/year (03/15/2024)');
      expect(r.stdout).toContain('1 date: year, month, day of week, hour, days since 1970-01-01');
      const p = backprop(['predict', model, paths[how], '--digits', '17']);
      expect(p.code, p.stderr).toBe(0);
      predictions.push(p.stdout);
    }
    expect(predictions[1]).toBe(predictions[0]);
    // The library's records and the standalone module read the model's order.
    const model = loadModel(join(dir, 'sales-mdy0.json'));
    const iso = loadModel(join(dir, 'sales-iso0.json'));
    const records = rows.slice(0, 30).map((r) => ({ day: written.mdy(r.d), temp: r.temp }));
    expect(model.predict(records).map((p) => p!.value)).toEqual(iso.predict(rows.slice(0, 30).map((r) => ({ day: written.iso(r.d), temp: r.temp }))).map((p) => p!.value));
    const modulePath = join(dir, 'sales.mjs');
    writeFileSync(modulePath, exportStandalone(JSON.parse(readFileSync(join(dir, 'sales-mdy0.json'), 'utf8')), 'sales').js);
    const standalone = await import(pathToFileURL(modulePath).href) as { predict(row: Record<string, unknown>): { value: number } };
    for (const r of records) expect(Math.abs(standalone.predict(r).value - model.predict([r])[0]!.value!)).toBeLessThan(1e-4);
    expect(() => standalone.predict({ day: '2/30/2023', temp: 3 })).toThrow('expects a date written month/day/year (03/15/2024) or ISO 8601, got "2/30/2023"');
    expect(() => model.predict([{ day: '13/01/2023', temp: 3 }])).toThrow('"13/01/2023" is not a date; the model expects dates written month/day/year (03/15/2024) there, or ISO 8601 (2024-03-15)');
    expect(standalone.predict({ day: '2023-03-15', temp: 3 })).toEqual(standalone.predict({ day: '3/15/2023', temp: 3 }));
  }, 180_000);

  it('read as JavaScript\'s Date reads them; a column whose day and month cannot be told apart stays text, and says so', () => {
    fc.assert(fc.property(fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2100-12-31T23:59:00Z'), noInvalidDate: true }), (d) => {
      const whole = Math.floor(d.getTime() / 60_000) * 60_000 / 86_400_000;
      const [m, day, y] = [d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCFullYear()];
      expect(parseDateIn(`${m}/${day}/${y} ${clock(d)}`, 'mdy')).toBeCloseTo(whole, 8);
      expect(parseDateIn(`${pad(day)}.${pad(m)}.${y} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`, 'dmy')).toBeCloseTo(whole, 8);
      expect(parseDateIn(`${pad(day)}-${pad(m)}-${y}`, 'dmy')).toBe(Math.floor(d.getTime() / 86_400_000));
    }), { numRuns: 300 });
    for (const bad of ['2/29/2023', '13/13/2024', '1/1/24', '1/2-2024', '3/4/2024 13:00 PM', '3/4/2024 24:00']) expect(parseDateIn(bad, 'mdy'), bad).toBeNaN();
    // Both orders read every value, and some differently: text, with a line naming such a value.
    const frame = toFrame(Array.from({ length: 40 }, (_, i) => ({ on: `${1 + (i % 12)}/${1 + (i % 7)}/2024`, x: i % 3, y: i % 2 })));
    const d = describeFrame(frame);
    expect(d.features.find((f) => f.name === 'on')?.type).not.toBe('date');
    expect(d.notDates[0]).toMatchObject({ column: 'on', either: true });
    expect(parseDateIn(d.notDates[0]!.value, 'mdy')).not.toBe(parseDateIn(d.notDates[0]!.value, 'dmy'));
    // One day above 12 decides; dots are day first.
    expect(describeFrame(toFrame([...Array.from({ length: 40 }, (_, i) => ({ on: `${1 + (i % 12)}/${1 + (i % 7)}/2024`, x: i % 3, y: i % 2 })), { on: '1/13/2024', x: 0, y: 0 }])).features[0]).toMatchObject({ type: 'date', order: 'mdy' });
    expect(describeFrame(toFrame(Array.from({ length: 40 }, (_, i) => ({ on: `${1 + (i % 12)}.${1 + (i % 7)}.2024`, x: i % 3, y: i % 2 })))).features[0]).toMatchObject({ type: 'date', order: 'dmy' });
  });

  it('a model file keeps the order, and refuses any other', async () => {
    const model = await train(rows.slice(0, 60).map((r) => ({ day: written.mdy(r.d), temp: r.temp, sales: r.sales })), { target: 'sales', epochs: 1, bagging: 1 });
    const file = JSON.parse(model.stringify()) as { preprocessing: { features: { name: string; order?: string }[] } };
    expect(file.preprocessing.features[0]).toMatchObject({ name: 'day', order: 'mdy' });
    expect(Model.parse(JSON.stringify(file)).predict([{ day: '3/15/2024', temp: 3 }])).toEqual(model.predict([{ day: '3/15/2024', temp: 3 }]));
    // ISO 8601 text and Date objects are read too (no order changes them); a day the order has not is refused.
    const march = (day: unknown): number => model.predict([{ day, temp: 3 }] as never)[0]!.value!;
    expect([march('2024-03-15'), march(new Date(Date.UTC(2024, 2, 15)))]).toEqual([march('3/15/2024'), march('3/15/2024')]);
    expect(() => march('15/03/2024')).toThrow('"15/03/2024" is not a date; the model expects dates written month/day/year (03/15/2024) there, or ISO 8601 (2024-03-15)');
    file.preprocessing.features[0].order = 'ymd';
    expect(() => Model.parse(JSON.stringify(file))).toThrow(/features\[0\]\.order/);
  });

  it('one value that is no date among them is named, in memory and streamed, as for ISO 8601 dates', () => {
    const path = file('mdy').replace('.csv', '-word.csv');
    const lines = readFileSync(file('mdy'), 'utf8').split('\n');
    lines.splice(100, 0, 'unknown,12,150');
    writeFileSync(path, lines.join('\n'));
    const said = `columns  day: read as text, not dates, for "unknown" (${path}, line 101, column 1 (day)), which is no date written as the others are (03/15/2024 or 15/03/2024, day and month in one order); correct it or mark it missing (--na-values) to read the column as dates\n`;
    for (const how of [[], ['--stream']]) {
      const r = backprop(['train', path, ...how, '--epochs', '1', '--bagging', '1', '--out', join(dir, 'never.json')]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout, how.join()).toContain(said);
    }
  }, 60_000);
});

describe('targets read as users mean them', () => {
  it('15 house prices in 15 rows are a regression, and say why; classes a split cannot hold name the cause', async () => {
    const prices = Array.from({ length: 15 }, (_, i) => ({ size: 50 + 7 * i, price: 150_000 + 53_000 * i + 1000 * i * i }));
    const plan = await planTraining(toFrame(prices), { epochs: 1 });
    expect(plan.prep.target).toMatchObject({ name: 'price', task: 'regression' });
    expect(plan.description.taskReason).toBe('15 distinct whole numbers spread over 150000–1088000: amounts, not labels');
    await expect(planTraining(toFrame(prices), { task: 'classification', epochs: 1, bagging: 1 })).rejects.toThrow("validation: 0.2 of 15 rows leaves no validation rows: the split keeps each class's share on both sides, and none of the target's 15 classes has rows enough (at most 1)");
    // Labels: few whole numbers close together with rows to spare.
    const grades = Array.from({ length: 60 }, (_, i) => ({ x: i, grade: 1 + (i % 3) }));
    expect((await planTraining(toFrame(grades), { epochs: 1 })).prep.target).toMatchObject({ task: 'classification', classes: [1, 2, 3] });
    const path = join(dir, 'prices.csv');
    writeFileSync(path, ['size,price', ...prices.map((p) => `${p.size},${p.price}`)].join('\n') + '\n');
    expect(backprop(['train', path, '--epochs', '1']).stdout.split('\n')[1])
      .toBe('target   price: regression: 15 distinct whole numbers spread over 150000–1088000: amounts, not labels; --task classification reads them as classes');
    // Classes asked of measurements, nearly one value a row: said, with the way back. Twenty classes or fewer, or
    // classes with rows to spare, are not.
    const measured = join(dir, 'measured.csv');
    writeFileSync(measured, ['x,y', ...Array.from({ length: 60 }, (_, i) => `${i},${(i * 0.37 + 1).toFixed(2)}`)].join('\n') + '\n');
    expect(backprop(['train', measured, '--task', 'classification', '--epochs', '1', '--bagging', '1', '--validation', '0']).stdout.split('\n')[1])
      .toMatch(/^target {3}y: classification, 60 classes \(.*\): as asked, though 60 classes in 60 rows leave most of them a row or two; --task regression predicts them as numbers$/);
    const graded = join(dir, 'graded.csv');
    writeFileSync(graded, ['x,grade', ...grades.map((g) => `${g.x},${g.grade}`)].join('\n') + '\n');
    expect(backprop(['train', graded, '--task', 'classification', '--epochs', '1']).stdout.split('\n')[1]).toBe('target   grade: classification, 3 classes (1, 2, 3)');
    // Prices written "$1,007": text, one class a row, which the default's five networks cannot hold out. The data's
    // fault (exit 1, as the flag the user gave is not at fault), and the flag that helps is named as a flag.
    const dollars = join(dir, 'dollars.csv');
    writeFileSync(dollars, ['x,price', ...Array.from({ length: 40 }, (_, i) => `${i},"$${(i * 1000 + 7).toLocaleString('en-US')}"`)].join('\n') + '\n');
    const d = backprop(['train', dollars, '--out', join(dir, 'never.json')]);
    expect([d.code, d.stderr]).toEqual([1, `backprop: ${dollars}: the default's 5 networks each hold out a fold of 40 rows, a share of each class, and none of the target's 40 classes has rows enough (at most 1) for a fold to hold one of them. 40 classes in 40 rows look more like an identifier or free text than classes (is the target the right column?); or use --bagging 1\n`]);
    expect(backprop(['train', dollars, '--bagging', '5', '--out', join(dir, 'never.json')]).code).toBe(2);
  }, 60_000);
});

describe('one model, four ways to run it', () => {
  it('a model trained with missing values predicts the same through the library, backprop predict, ONNX in onnxruntime and the standalone module', async () => {
    const { rows } = houses(400, 11);
    const model = await train(rows as TableRecord[], { target: 'sold', epochs: 20, layers: [16], seed: 3 });
    const file = model.toJSON();
    const session = await ort.InferenceSession.create(exportONNX(file));
    const modulePath = join(dir, 'houses-model.mjs');
    writeFileSync(modulePath, exportStandalone(file, 'houses').js);
    const standalone = await import(pathToFileURL(modulePath).href) as { predict(row: Record<string, unknown>): { probabilities: number[] } };
    const modelPath = join(dir, 'houses-model.json');
    writeFileSync(modelPath, model.stringify());
    const absent = fc.constantFrom(null, undefined, NaN, '', 'NA', '?');
    const row = fc.record({
      size: fc.oneof(fc.integer({ min: 20, max: 300 }), absent),
      rooms: fc.oneof(fc.integer({ min: 1, max: 8 }), absent),
      city: fc.oneof(fc.constantFrom('Oslo', 'Paris', 'Rome', 'Lima', 'Berlin'), fc.constantFrom(null, '', 'NA')),
      built: fc.oneof(fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2030-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)), fc.constantFrom(null, '')),
    });
    const isAbsent = (v: unknown): boolean => v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v)) || (typeof v === 'string' && ['', 'NA', '?'].includes(v.trim()));
    const all: Record<string, unknown>[] = [];
    await fc.assert(fc.asyncProperty(fc.array(row, { minLength: 1, maxLength: 12 }), async (batch) => {
      const expected = model.predict(batch as never).map((p) => p.probabilities!.yes);
      // ONNX takes missing numbers as NaN, a missing text as "", and a date as days since 1970-01-01.
      const number = (name: string): ort.Tensor => new ort.Tensor('float32', Float32Array.from(batch, (r) => (isAbsent(r[name as keyof typeof r]) ? NaN : Number(r[name as keyof typeof r]))), [batch.length, 1]);
      const out = await session.run({
        size: number('size'), rooms: number('rooms'),
        city: new ort.Tensor('string', batch.map((r) => (isAbsent(r.city) ? '' : String(r.city))), [batch.length, 1]),
        built: new ort.Tensor('float64', Float64Array.from(batch, (r) => (isAbsent(r.built) ? NaN : parseDate(String(r.built)))), [batch.length, 1]),
      });
      const probabilities = out.probabilities.data as Float32Array;
      batch.forEach((r, i) => {
        expect(Math.abs(probabilities[2 * i + 1] - expected[i])).toBeLessThan(1e-5);
        expect(Math.abs(standalone.predict(r).probabilities[1] - expected[i])).toBeLessThan(1e-5);
      });
      all.push(...batch);
    }), { numRuns: 40, seed: 5 });
    // backprop predict on the same rows from a CSV file (missing values written as the words a file uses).
    const data = join(dir, 'four-ways.csv');
    writeFileSync(data, ['size,rooms,city,built', ...all.map((r) => ['size', 'rooms', 'city', 'built'].map((n) => (isAbsent(r[n]) ? ['', 'NA', '?'][all.indexOf(r) % 3] : String(r[n]))).join(','))].join('\n') + '\n');
    const r = backprop(['predict', modelPath, data, '--digits', '17']);
    expect(r.code, r.stderr).toBe(0);
    const cli = r.stdout.trim().split('\n').slice(1).map((line) => Number(line.split(',')[2]));
    const library = model.predict(all as never).map((p) => p.probabilities!.yes);
    expect(cli).toHaveLength(library.length);
    cli.forEach((p, i) => expect(Math.abs(p - library[i])).toBeLessThan(1e-6));
    expect(Model.parse(model.stringify()).predict(all as never).map((p) => p.probabilities!.yes)).toEqual(library);
  }, 120_000);
});

describe('numbers written with a decimal comma, read without it', () => {
  // A semicolon file of wine ratings: two measurements and the rating with decimal commas, a colour, a name.
  const lines = ['weingut;alkohol;saeure;farbe;bewertung'];
  for (let i = 0; i < 200; i++) {
    const a = 9 + ((i * 37) % 50) / 10, s = 5 + ((i * 13) % 40) / 10;
    lines.push(`Gut ${i};${a.toFixed(2).replace('.', ',')};${s.toFixed(2).replace('.', ',')};${i % 3 ? 'weiss' : 'rot'};${(0.3 * a + 0.1 * s).toFixed(2).replace('.', ',')}`);
  }
  const wine = join(dir, 'wein.csv');
  writeFileSync(wine, lines.join('\n') + '\n');
  const said = `backprop: ${wine}, line 2, column 2 (alkohol): the column's values are numbers written with a decimal comma (9,00), which were read as text; read the file with a decimal comma (--decimal-comma, or readTable's decimalComma: true)\n`;

  it('are refused in training and by a model that reads them as numbers, naming the column and the option; with it they are numbers', async () => {
    // 301 classes of a regression's target and a measurement left out as an identifier, with exit 0, before.
    const refused = backprop(['train', wine, '--epochs', '1', '--bagging', '1', '--out', join(dir, 'never.json')]);
    expect([refused.code, refused.stderr]).toEqual([1, said]);
    const model = join(dir, 'wein.json');
    const made = backprop(['train', wine, '--decimal-comma', '--epochs', '2', '--bagging', '1', '--out', model, '--quiet']);
    expect(made.code, made.stderr).toBe(0);
    const { preprocessing } = JSON.parse(readFileSync(model, 'utf8')) as { preprocessing: { target: { task: string }; decimalComma?: boolean } };
    expect([preprocessing.target.task, preprocessing.decimalComma]).toEqual(['regression', true]);
    const p = backprop(['predict', model, wine, '--decimal-comma', '--json']);
    expect(p.code, p.stderr).toBe(0);
    // The model remembers the comma: its commands read the file so without the flag (they read every row's value as
    // the training median, with a note and exit 0, and then refused it, before).
    for (const [command, flagged] of [['predict', p.stdout], ['evaluate', backprop(['evaluate', model, wine, '--decimal-comma']).stdout]]) {
      const r = backprop([command, model, wine, ...(command === 'predict' ? ['--json'] : [])]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout, command).toBe(flagged);
    }
    // The library: the same frame refused by train; the model of decimal commas reads its text "9,00" as 9 (records
    // too), as the file read with the comma.
    const frame = await readTable(wine);
    await expect(train(frame, { epochs: 1, bagging: 1 })).rejects.toThrow(said.slice('backprop: '.length, -1));
    const loaded = loadModel(model);
    const read = await readTable(wine, { decimalComma: true });
    const printed = (JSON.parse(p.stdout) as { bewertung: number }[]).map((q) => q.bewertung);
    loaded.predict(read).forEach((q, i) => expect(q!.value).toBeCloseTo(printed[i], 4));
    expect(loaded.predict(frame)).toEqual(loaded.predict(read));
    const text = lines.slice(1, 6).map((l) => Object.fromEntries(l.split(';').slice(0, 4).map((v, j) => [['weingut', 'alkohol', 'saeure', 'farbe'][j], v])));
    expect(loaded.predict(text).map((q) => q!.value)).toEqual(loaded.predict(read).slice(0, 5).map((q) => q!.value));
  }, 60_000);

  it('leave alone text that only looks like numbers in part, and thousands written with commas', async () => {
    const rows = ['size,code,kind', ...Array.from({ length: 60 }, (_, i) => `"${1 + (i % 9)},${String(100 + i * 7).slice(-3)}",${i % 4 ? `"${i},5"` : 'seven'},${i % 2 ? 'a' : 'b'}`)];
    const path = join(dir, 'thousands.csv');
    writeFileSync(path, rows.join('\n') + '\n');
    const frame = await readTable(path);
    // size: 1,100 to 9,513, thousands; code: "3,5" but also the word "seven" — neither is a column of decimal-comma numbers.
    const model = await train(frame, { epochs: 1, bagging: 1, keep: ['size'] });
    expect(model.features).toContain('size');
    // The check can fail: the same codes without the word are a decimal comma's numbers.
    const numbers = rows.map((r) => r.replace(/,seven,/, ',"1,5",')).join('\n') + '\n';
    writeFileSync(path, numbers);
    await expect(train(await readTable(path), { epochs: 1, bagging: 1 })).rejects.toThrow(/line \d+, column 2 \(code\): the column's values are numbers written with a decimal comma \(\d+,5\)/);
  }, 60_000);
});

describe('a column left out', () => {
  it('is said once, as left out, not also as read as categories (reference codes with numbers among them)', () => {
    const rows = ['ref,rooms,price', ...Array.from({ length: 300 }, (_, i) => `${i % 3 ? `R-${(i * 617) % 3500}` : 10 + i},${1 + (i % 6)},${(i * 150) % 997}`)];
    const path = join(dir, 'refs.csv');
    writeFileSync(path, rows.join('\n') + '\n');
    const r = backprop(['train', path, '--epochs', '1', '--bagging', '1', '--out', join(dir, 'refs.json')]);
    expect(r.code, r.stderr).toBe(0);
    const about = r.stdout.split('\n').filter((l) => /^(columns)? +ref:/.test(l));
    expect(about).toHaveLength(1);
    expect(about[0]).toMatch(/^columns {2}ref: \d+ distinct values in 300 rows, left out as an identifier; --keep ref to use it$/);
  }, 60_000);
});

describe('numbers written with thousands separators', () => {
  // Flats: floor space (whole square feet, "1,234" from a thousand on, as spreadsheets export them; a few "ask"),
  // rooms, and the price, every one past a thousand; the same table with the numbers written plainly is the reference.
  const flats = Array.from({ length: 240 }, (_, i) => {
    const sqft = 400 + ((i * 617) % 2600), rooms = 1 + (i % 5);
    return { sqft: i % 17 === 5 ? null : sqft, rooms, price: 150 * sqft + 9000 * rooms + ((i * 7919) % 20011) + 20_000 };
  });
  const grouped = (v: number | null): string => (v === null ? 'ask' : `"${v.toLocaleString('en-US')}"`);
  const write = (name: string, cell: (v: number | null) => string): string => {
    const path = join(dir, name);
    writeFileSync(path, ['sqft,rooms,price', ...flats.map((f) => `${cell(f.sqft)},${f.rooms},${cell(f.price)}`)].join('\n') + '\n');
    return path;
  };
  const withCommas = write('flats.csv', grouped);
  const plainly = write('flats-plain.csv', (v) => (v === null ? 'ask' : String(v)));

  it('are numbers, a feature or the target, in training, predict, the library and the standalone module, as the same numbers written plainly', async () => {
    const model = join(dir, 'flats.json'), twin = join(dir, 'flats-plain.json');
    const args = ['--epochs', '5', '--bagging', '1', '--seed', '3'];
    const made = backprop(['train', withCommas, ...args, '--out', model]);
    expect(made.code, made.stderr).toBe(0);
    // Before: the floor space was left out as an identifier, and the price was 240 classes.
    expect(made.stdout).toContain('columns  sqft: numbers written with thousands separators ("1,017" read as 1017), with "ask" (14 rows) read as missing values\n');
    expect(made.stdout).toContain('columns  price: numbers written with thousands separators ("');
    expect(made.stdout).toMatch(/\ntarget {3}price: regression/);
    expect(backprop(['train', plainly, ...args, '--out', twin]).code).toBe(0);
    const predict = (m: string, data: string): number[] => {
      const r = backprop(['predict', m, data, '--digits', '17']);
      expect(r.code, r.stderr).toBe(0);
      return r.stdout.trim().split('\n').slice(1).map(Number);
    };
    const reference = predict(twin, plainly);
    expect(predict(model, plainly)).toEqual(reference);
    expect(predict(model, withCommas)).toEqual(reference);
    // The library: the file read by readTable, and records with the numbers as text.
    const loaded = loadModel(model);
    expect(loaded.predict(await readTable(withCommas)).map((p) => p!.value)).toEqual(reference);
    const records = flats.map((f) => ({ sqft: f.sqft === null ? 'ask' : f.sqft.toLocaleString('en-US'), rooms: String(f.rooms) }));
    loaded.predict(records).forEach((p, i) => expect(p!.value).toBeCloseTo(reference[i], 6));
    const fromRecords = await train(flats.map((f, i) => ({ ...records[i], price: f.price.toLocaleString('en-US') })), { target: 'price', epochs: 1, bagging: 1 });
    expect([fromRecords.task, fromRecords.preprocessing.features.map((f) => f.type)]).toEqual(['regression', ['numeric', 'numeric']]);
    // The standalone module reads them as the library does.
    const modulePath = join(dir, 'flats.mjs');
    writeFileSync(modulePath, exportStandalone(JSON.parse(readFileSync(model, 'utf8')), 'flats').js);
    const standalone = await import(pathToFileURL(modulePath).href) as { predict(row: Record<string, unknown>): { value: number } };
    // (It computes in 64-bit floats, the library in 32: within 1e-6 of the price.)
    records.forEach((r, i) => expect(Math.abs(standalone.predict(r).value - reference[i])).toBeLessThan(1e-6 * reference[i]));
  }, 120_000);

  it('streamed: a feature as in memory; a target is refused, naming the column and what to do', () => {
    const featureOnly = write('flats-stream.csv', (v) => (v === null || v < 10_000 ? grouped(v) : String(v)));
    const a = backprop(['train', featureOnly, '--stream', '--epochs', '2', '--bagging', '1', '--out', join(dir, 'stream-a.json')]);
    expect(a.code, a.stderr).toBe(0);
    expect(a.stdout).toContain('columns  sqft: numbers written with thousands separators ("1,017" read as 1017), with "ask" (14 rows) read as missing values\n');
    const b = backprop(['train', plainly, '--stream', '--epochs', '2', '--bagging', '1', '--out', join(dir, 'stream-b.json')]);
    expect(b.code, b.stderr).toBe(0);
    const weights = (path: string): unknown => (JSON.parse(readFileSync(path, 'utf8')) as { network: unknown }).network;
    expect(weights(join(dir, 'stream-a.json'))).toEqual(weights(join(dir, 'stream-b.json')));
    const refused = backprop(['train', withCommas, '--stream', '--epochs', '1', '--out', join(dir, 'never.json')]);
    expect([refused.code, refused.stderr]).toEqual([1, `backprop: ${withCommas}, column 3 (price): the target's numbers are written with thousands separators ("${flats[0].price.toLocaleString('en-US')}"), which a streamed file's target may not be; remove the separators, or read the file whole (without --stream, with --memory large enough)\n`]);
  }, 120_000);

  it('a slip among them is a word read as missing, not a decimal comma; text features and classes written so stay text', async () => {
    // 18,36 among 18,683 and its like: before, the whole column was called decimal commas, and --decimal-comma,
    // as advised, read every 290,299 as 290.299.
    const typo = join(dir, 'typo.csv');
    writeFileSync(typo, ['area,rooms,price', ...flats.map((f, i) => `"${i === 7 ? '18,36' : (f.price / 10).toLocaleString('en-US')}",${f.rooms},${f.price}`)].join('\n') + '\n');
    const r = backprop(['train', typo, '--epochs', '1', '--bagging', '1', '--out', join(dir, 'typo.json')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\ncolumns {2}area: numbers written with thousands separators \("[\d,]+" read as \d+\), with "18,36" \(1 row\) read as missing values\n/);
    // A text feature with "1,000" among its words, and classes of the same form ("100,000+" among them): a file of
    // such values alone reads them as text still (predict refused them: "holds numbers, but the model expects text").
    const plans = join(dir, 'plans.csv');
    const tiers = ['Basic', '"1,000"', '"2,500"', 'Gold'], bands = ['"10,000"', '"50,000"', '"100,000+"'];
    writeFileSync(plans, ['tier,x,band', ...Array.from({ length: 90 }, (_, i) => `${tiers[i % 4]},${(i * 37) % 11},${bands[(i + (i % 4)) % 3]}`)].join('\n') + '\n');
    const model = join(dir, 'plans.json');
    const made = backprop(['train', plans, '--epochs', '2', '--bagging', '1', '--out', model]);
    expect(made.code, made.stderr).toBe(0);
    expect(made.stdout).toMatch(/target {3}band: classification, 3 classes \(10,000, 100,000\+, 50,000\)/);
    const only = join(dir, 'plans-only.csv');
    writeFileSync(only, ['tier,x,band', '"1,000",3,"10,000"', '"2,500",4,"50,000"'].join('\n') + '\n');
    for (const command of ['predict', 'evaluate']) {
      const p = backprop([command, model, only]);
      expect([p.code, p.stderr], command).toEqual([0, '']);
    }
    const loaded = loadModel(model);
    expect(loaded.predict(await readTable(only)).map((p) => typeof p!.label)).toEqual(['string', 'string']);
  }, 60_000);

  it('with --decimal-comma, 1,250 is 1.25 in memory and streamed, a stray 1,250,500 a word; the model remembers the comma', async () => {
    const path = join(dir, 'komma.csv');
    writeFileSync(path, ['a;b;y', ...Array.from({ length: 200 }, (_, i) => `${i === 9 ? '1,250,500' : `${1 + (i % 9)},${String((i * 137) % 1000).padStart(3, '0')}`};${(i % 10) / 10};${i % 2 ? 'x' : 'z'}`.replace(/;(\d)\.(\d)/, ';$1,$2'))].join('\n') + '\n');
    const features: unknown[] = [];
    for (const how of [[], ['--stream']]) {
      const model = join(dir, `komma${how.length}.json`);
      const r = backprop(['train', path, '--decimal-comma', ...how, '--epochs', '1', '--bagging', '1', '--validation', '0', '--out', model]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout, how.join()).toContain('columns  a: numbers, with "1,250,500" (1 row) read as missing values\n');
      const prep = (JSON.parse(readFileSync(model, 'utf8')) as { preprocessing: { features: unknown[]; scaler: { mean: number[] }; decimalComma: boolean } }).preprocessing;
      expect(prep.decimalComma).toBe(true);
      expect(prep.scaler.mean[0]).toBeGreaterThan(1);
      expect(prep.scaler.mean[0]).toBeLessThan(10);
      features.push(prep.features);
    }
    expect(features[1]).toEqual(features[0]);
    // Rows read without the comma: for this model 1,250 is 1.25 (it was read as a thousand, silently).
    const loaded = loadModel(join(dir, 'komma0.json'));
    expect(loaded.predict([{ a: '1,250', b: 0.5 }])).toEqual(loaded.predict([{ a: 1.25, b: 0.5 }]));
    expect(loaded.predict(await readTable(path))).toEqual(loaded.predict(await readTable(path, { decimalComma: true })));
    expect(loaded.predict([{ a: 1.25, b: 0.5 }])).toEqual(loaded.predict([{ a: '1,25', b: '0,5' }]));
    // Points between thousands with the decimal comma (1.525,79) are numbers too (the advice to use --decimal-comma
    // was given again with it).
    const german = join(dir, 'preise.csv');
    writeFileSync(german, ['flaeche;preis', ...Array.from({ length: 40 }, (_, i) => `${(50 + i).toString()},5;${(1000 + 37.5 * i).toFixed(2).replace('.', ',').replace(/^(\d)(\d{3})/, '$1.$2')}`)].join('\n') + '\n');
    const preise = await train(await readTable(german, { decimalComma: true }), { epochs: 1, bagging: 1, validation: 0 });
    expect(preise.task).toBe('regression');
    expect((preise.preprocessing.target as { scale: { mean: number } }).scale.mean).toBeCloseTo(1000 + 37.5 * 19.5, 6);
    expect(preise.predict([{ flaeche: '69,5' }])).toEqual(preise.predict([{ flaeche: 69.5 }]));
    // predict --stream reads the file as predict does (it refused the decimal commas DuckDB left as text).
    const whole = backprop(['predict', join(dir, 'komma0.json'), path]), streamed = backprop(['predict', join(dir, 'komma0.json'), path, '--stream']);
    expect([streamed.code, streamed.stdout]).toEqual([0, whole.stdout]);
    // The standalone module reads the model's decimal comma too.
    const modulePath = join(dir, 'komma.mjs');
    writeFileSync(modulePath, exportStandalone(JSON.parse(readFileSync(join(dir, 'komma0.json'), 'utf8')), 'komma').js);
    const standalone = await import(pathToFileURL(modulePath).href) as { predict(row: Record<string, unknown>): { probabilities: number[] } };
    expect(standalone.predict({ a: '1,25', b: '0,5' })).toEqual(standalone.predict({ a: 1.25, b: 0.5 }));
    expect(() => standalone.predict({ a: '1,250', b: 0.5 })).not.toThrow();
    expect(standalone.predict({ a: '1,250', b: 0.5 })).toEqual(standalone.predict({ a: 1.25, b: 0.5 }));
    // Points between thousands before the comma, as the library reads them.
    expect(standalone.predict({ a: '1.250,5', b: 0.5 })).toEqual(standalone.predict({ a: 1250.5, b: 0.5 }));
    expect(loaded.predict([{ a: '1.250,5', b: 0.5 }])[0]!.probabilities).toEqual(loaded.predict([{ a: 1250.5, b: 0.5 }])[0]!.probabilities);
  }, 60_000);

  it('a plan hint names a column as a shell reads it; a caller\'s own thousands field is not taken as a reading', async () => {
    const path = join(dir, 'pandas.csv');
    writeFileSync(path, ['Unnamed: 0,x,y', ...Array.from({ length: 50 }, (_, i) => `${i},${(i * 7) % 5},${i % 2}`)].join('\n') + '\n');
    const r = backprop(['train', path, '--epochs', '1', '--bagging', '1', '--out', join(dir, 'pandas.json')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("columns  Unnamed: 0: whole numbers rising row by row (0 to 49), named as an identifier: left out; --keep 'Unnamed: 0' to use it\n");
    // The same file as pandas writes it, the index's name left empty: refused, saying what it likely is.
    const unnamed = join(dir, 'pandas-index.csv');
    writeFileSync(unnamed, readFileSync(path, 'utf8').replace('Unnamed: 0,', ','));
    expect(backprop(['train', unnamed]).stderr).toBe(`backprop: ${unnamed}, line 1, column 1: the header has an empty column name; a row index written by pandas (to_csv) or R (write.csv)? write the file without it (index=False, row.names = FALSE), or name the column\n`);
    const frame: DataFrame = {
      source: 'mine', rows: 40, where: (i) => `row ${i + 1}`,
      columns: [{ name: 'x', kind: 'numeric', values: Float64Array.from({ length: 40 }, (_, i) => i % 7), thousands: 'zzz' } as FrameColumn, { name: 'y', kind: 'numeric', values: Float64Array.from({ length: 40 }, (_, i) => i % 2) }],
    };
    const plan = await planTraining(toFrame(frame), { epochs: 1, bagging: 1 });
    expect(plan.description.mixed).toEqual([]);
    // A long run of digits is no number, and reading it takes no time to speak of (the old pattern backtracked
    // quadratically: a 200 KB cell took minutes).
    expect(isNumberText(`${'1'.repeat(1_000_000)}x`)).toBe(false);
  }, 60_000);

  it('a comma no thousands separator puts there (0,125) is a decimal comma, refused as before', async () => {
    const path = join(dir, 'fractions.csv');
    writeFileSync(path, ['share,kind', ...Array.from({ length: 60 }, (_, i) => `"${i % 2 ? '0' : '1'},${String(125 * (i % 8)).padStart(3, '0')}",${i % 3 ? 'a' : 'b'}`)].join('\n') + '\n');
    await expect(train(await readTable(path), { epochs: 1, bagging: 1 })).rejects.toThrow(/line 3, column 1 \(share\): the column's values are numbers written with a decimal comma \(0,\d{3}\)/);
  }, 60_000);
});
