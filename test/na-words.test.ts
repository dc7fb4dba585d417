// Words for "no value" that travel with the model, and numbers with a few words among them (issue: tables, fifth
// round). The references are the user's own other path: the same file predicted with the flag given, a cell left
// empty instead of a word, a row count made by hand; and onnxruntime and the standalone module against the library.
import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as ort from 'onnxruntime-node';
import { backprop, BIN, ROOT, tempDir } from './cli-helpers.js';
import { DEFAULT_NA_VALUES, Model, train, type TableRecord } from '../src/index.js';
import { createKernels, readTable } from '../src/node/index.js';
import { exportONNX, exportStandalone } from '../src/interop/index.js';

const dir = tempDir();

/** A seeded stream of numbers in [0, 1). */
function random(seed: number): () => number {
  let s = seed;
  return () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
}

/** Years of experience ("none" and "10+" in some rows), a city, and a salary; `late`: the words only after that row. */
function salaries(n: number, seed: number, late = 0): { header: string; lines: string[]; words: Map<string, number> } {
  const next = random(seed);
  const words = new Map<string, number>();
  const lines = Array.from({ length: n }, (_, i) => {
    const years = Math.floor(next() * 10), r = next(), city = ['york', 'leeds', 'hull'][Math.floor(next() * 3)];
    const word = i >= late ? (r < 0.06 ? 'none' : r < 0.1 ? '10+' : null) : null;
    if (word) words.set(word, (words.get(word) ?? 0) + 1);
    const value = word === 'none' ? 0 : word === '10+' ? 12 : years;
    const salary = 30 + 3 * value + (city === 'york' ? 5 : 0) + next();
    return `${word ?? years},${city},${salary.toFixed(2)}`;
  });
  return { header: 'years,city,salary', lines, words };
}

const write = (name: string, header: string, lines: readonly string[]): string => {
  const path = join(dir, name);
  writeFileSync(path, [header, ...lines].join('\n') + '\n');
  return path;
};

describe('the words for "no value" travel with the model', () => {
  // A table whose gaps are written "?" in a number column and "unknown" in a text column.
  const next = random(3);
  const lines = Array.from({ length: 200 }, (_, i) => {
    const x = next() * 10, color = ['red', 'blue', 'unknown'][Math.floor(next() * 3)];
    return `${i % 7 === 0 ? '?' : x.toFixed(3)},${color},${(x > 5) !== (color === 'blue') ? 'a' : 'b'}`;
  });

  it('backprop predict reads a file with the words it was trained with, without the flag, in memory and --stream', () => {
    const data = write('na.csv', 'x,color,y', lines);
    const modelPath = join(dir, 'na.json');
    // --threads " 1 ": spaces trimmed, as BACKPROP_THREADS's are.
    const t = backprop(['train', data, '--na-values', '?,unknown', '--epochs', '5', '--bagging', '1', '--bins', '0', '--threads', ' 1 ', '--out', modelPath, '--quiet']);
    expect(t.code, t.stderr).toBe(0);
    expect(JSON.parse(readFileSync(modelPath, 'utf8')).preprocessing.naValues).toEqual(['?', 'unknown']);
    const given = backprop(['predict', modelPath, data, '--na-values', '?,unknown']);
    expect(given.code, given.stderr).toBe(0);
    // "unknown" is a missing value (the model's own level for it), counted as one: 200 rows, 29 "?" and the unknowns.
    const unknowns = lines.filter((l) => l.includes(',unknown,')).length;
    expect(given.stderr).toContain(`${29 + unknowns} missing values`);
    expect(given.stderr).not.toContain('never saw');
    for (const stream of [[], ['--stream']]) {
      const r = backprop(['predict', modelPath, data, ...stream]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe(given.stdout);
      expect(r.stderr).toBe(given.stderr);
    }
  }, 120_000);

  it('the library, ONNX in onnxruntime and the standalone module read the model\'s words; an old file reads the default ones', async () => {
    const records: TableRecord[] = lines.map((l) => {
      const [x, color, y] = l.split(',');
      return { x, color, y };
    });
    const model = await train(records, { target: 'y', naValues: ['?', 'unknown'], epochs: 5, bagging: 1, bins: 0, seed: 2 });
    expect(model.preprocessing.naValues).toEqual(['?', 'unknown']);
    expect(model.naValuesWith(['n.a.'])).toEqual(['?', 'unknown', 'n.a.']);
    const rows = [{ x: '?', color: 'unknown' }, { x: '', color: '' }, { x: 3, color: 'red' }, { x: 'NA', color: 'blue' }];
    const report = model.predictWithReport(rows.slice(0, 3));
    expect(report.missing).toEqual({ x: 2, color: 2 });
    expect(report.unseen).toEqual({});
    const p = report.predictions.map((r) => r!.probabilities!.a);
    expect(p[0]).toBe(p[1]);
    // "NA" is no word of this model's: among numbers, a word it never saw (read as missing, counted as unseen).
    expect(model.predictWithReport([rows[3]]).unseen).toEqual({ x: 1 });
    expect(model.predictWithReport([rows[3]], { naValues: ['NA'] }).unseen).toEqual({});
    // A parsed file keeps them; one written without them (an older release's) reads the default words.
    expect(Model.parse(model.stringify()).predict(rows.slice(0, 1))[0].probabilities).toEqual(report.predictions[0]!.probabilities);
    const old = model.toJSON();
    delete (old.preprocessing as { naValues?: string[] }).naValues;
    const older = Model.fromJSON(old);
    expect(older.naValuesWith()).toEqual([...DEFAULT_NA_VALUES]);
    // "?" is a default word; "unknown" is not.
    expect(older.predictWithReport([rows[0]])).toMatchObject({ unseen: { color: 1 }, missing: { x: 1 } });
    // ONNX: the text input's "unknown" goes to the missing level; the standalone module reads it as missing.
    const session = await ort.InferenceSession.create(exportONNX(model));
    const out = await session.run({
      x: new ort.Tensor('float32', Float32Array.of(NaN, NaN, 3), [3, 1]),
      color: new ort.Tensor('string', ['unknown', '', 'red'], [3, 1]),
    });
    const probabilities = out.probabilities.data as Float32Array;
    p.forEach((v, i) => expect(Math.abs(probabilities[2 * i] - v)).toBeLessThan(1e-6));
    const modulePath = join(dir, 'na-module.mjs');
    writeFileSync(modulePath, exportStandalone(model, 'na').js);
    const standalone = await import(pathToFileURL(modulePath).href) as { predict(row: Record<string, unknown>): { probabilities: number[] }; naValues: string[] };
    expect(standalone.naValues).toEqual(['?', 'unknown']);
    rows.slice(0, 3).forEach((r, i) => expect(Math.abs(standalone.predict(r).probabilities[0] - p[i])).toBeLessThan(1e-6));
  }, 60_000);
});

describe('numbers with a few words among them', () => {
  it('are read as numbers, the words as missing values, in memory, streamed and from records; predict reads them the same', async () => {
    const { header, lines, words } = salaries(600, 5);
    const data = write('years.csv', header, lines);
    const modelPath = join(dir, 'years.json');
    const t = backprop(['train', data, '--epochs', '20', '--bagging', '1', '--out', modelPath]);
    expect(t.code, t.stderr).toBe(0);
    const counted = [...words].sort((a, b) => b[1] - a[1]);
    expect(t.stdout).toContain(`columns  years: numbers, with ${counted.map(([w, n]) => `"${w}" (${n} rows)`).join(', ')} read as missing values\n`);
    const feature = JSON.parse(readFileSync(modelPath, 'utf8')).preprocessing.features[0];
    expect(feature).toMatchObject({ name: 'years', type: 'numeric', indicator: true, naWords: counted.map(([w]) => w) });
    // The fill is the median of the numbers alone (the training rows').
    const model = Model.parse(readFileSync(modelPath, 'utf8'));
    // From records (numbers as numbers, the words as text) and from readTable: the same features.
    const records = lines.map((l) => {
      const [years, city, salary] = l.split(',');
      return { years: /^\d+$/.test(years) ? Number(years) : years, city, salary: Number(salary) };
    });
    const fromRecords = await train(records, { target: 'salary', epochs: 1, bagging: 1 });
    expect(fromRecords.preprocessing.features[0]).toEqual(model.preprocessing.features[0]);
    const fromFile = await train(await readTable(data), { target: 'salary', epochs: 1, bagging: 1 });
    expect(fromFile.preprocessing.features[0]).toEqual(model.preprocessing.features[0]);
    // A word the model knows predicts as an empty cell does; one it never saw as well, counted, or refused where asked.
    const rows = write('years-new.csv', 'years,city', ['none,york', ',york', 'lots,york', '3,hull', '10+,leeds']);
    const r = backprop(['predict', modelPath, rows]);
    expect(r.code, r.stderr).toBe(0);
    const values = r.stdout.trim().split('\n').slice(1);
    expect(values[0]).toBe(values[1]);
    expect(values[2]).toBe(values[1]);
    expect(r.stderr).toContain('1 value the model never saw, words among numbers, read as missing values: years 1');
    const strict = backprop(['predict', modelPath, rows, '--unknown', 'error']);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toBe(`backprop: ${rows}, line 4, column 1 (years): the word "lots", which the model never saw in this column of numbers (it reads "none", "10+" as missing)\n`);
    // Streamed: the same message, naming the file's line as the whole file's reader does.
    expect(backprop(['predict', modelPath, rows, '--unknown', 'error', '--stream']).stderr).toBe(strict.stderr);
    expect(model.predictWithReport([{ years: 'none', city: 'york' }, { years: null, city: 'york' }]).predictions.map((p) => Number(p!.value!.toPrecision(6))))
      .toEqual([Number(values[0]), Number(values[0])]);
  }, 120_000);

  it('streamed, a word past DuckDB\'s sample is read as in memory: the same features and fills', async () => {
    const { header, lines } = salaries(30_000, 9, 25_000);
    const data = write('years-late.csv', header, lines);
    const { scanForTraining } = await import('../src/node/streaming.js');
    const { closeDuckDB } = await import('../src/node/readers/duckdb.js');
    const { describeFrame, fitFramePreprocessing } = await import('../src/index.js');
    const streamed = await scanForTraining(data, data, {}, { target: 'salary', validation: 0, seed: 1 });
    await closeDuckDB();
    const frame = await readTable(data);
    const inMemory = fitFramePreprocessing(describeFrame(frame, 'salary'), frame, Uint32Array.from({ length: frame.rows }, (_, i) => i));
    expect(streamed.prep.features).toEqual(inMemory.features);
    expect(streamed.prep.features[0]).toMatchObject({ naWords: ['none', '10+'] });
    expect(streamed.description.mixed[0]).toMatchObject({ column: 'years', as: 'numbers', numbers: 30_000 - streamed.description.mixed[0].wordRows });
  }, 120_000);

  it('a column of words with a few numbers stays text; a column of numbers alone (zip codes) stays numbers; a target with words is refused', async () => {
    const next = random(8);
    const rows = Array.from({ length: 120 }, (_, i) => ({
      size: i % 10 === 3 ? String(38 + (i % 4)) : ['S', 'M', 'L'][i % 3],
      zip: String(10000 + Math.floor(next() * 80000)).padStart(5, '0'),
      y: i % 2 ? 'a' : 'b',
    }));
    const model = await train(rows, { target: 'y', epochs: 1, bagging: 1 });
    const [size, zip] = model.preprocessing.features;
    expect(size).toMatchObject({ name: 'size', type: 'categorical' });
    expect((size as { categories: string[] }).categories).toEqual(['39', '41', 'L', 'M', 'S']);
    expect(zip).toMatchObject({ name: 'zip', type: 'numeric' });
    expect(zip).not.toHaveProperty('naWords');
    const prices = Array.from({ length: 40 }, (_, i) => ({ x: i, price: i === 7 ? 'call' : 100 + i }));
    await expect(train(prices, { target: 'price' })).rejects.toThrow('data, row 8, field "price": "call" is not a number, though the target\'s other values are (1 of 40 rows have words: "call" (1 row)); a row to learn from needs its target: correct or remove those rows');
  }, 60_000);
});

describe('small ones', () => {
  it('a validation share that leaves next to nothing to learn from is refused, naming the option', async () => {
    const rows = Array.from({ length: 100 }, (_, i) => ({ x: i, y: i * 1.5 }));
    await expect(train(rows, { validation: 0.99, bagging: 1 })).rejects.toThrow('validation: 0.99 of 100 rows leaves 1 training row against 99 for validation; a network needs more to learn from: use a smaller share (at most 0.5), or validation 0');
    // A small table with a small share still trains.
    await expect(train(rows.slice(0, 4), { validation: 0.25, bagging: 1, epochs: 1 })).resolves.toBeInstanceOf(Model);
    // The command line refuses it as a bad option (exit 2), read in memory or streamed (streamed said exit 1).
    const data = write('share.csv', 'x,y', rows.map((r) => `${r.x},${r.y}`));
    for (const extra of [[], ['--stream']]) {
      const r = backprop(['train', data, '--validation', '0.99', '--out', join(dir, 'share.json'), ...extra]);
      // (Streamed, the split is drawn row by row: 2 training rows against 98.)
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/^backprop: --validation: 0\.99 of 100 rows leaves [12] training rows? against 9[89] for validation; a network needs more to learn from: use a smaller share \(at most 0\.5\), or --validation 0\n$/);
    }
  }, 60_000);

  it('a streamed 1e400 is quoted as written; export needs no BLAS; a BLAS library named wrongly is quoted and shortened', async () => {
    const lines = Array.from({ length: 3000 }, (_, i) => `${i},${i % 7},${i % 2}`);
    lines.push('5,1e400,1');
    const data = write('huge.csv', 'a,b,label', lines);
    const message = `backprop: ${data}, line 3002, column 2 (b): 1e400 is too large to be a finite number\n`;
    expect(backprop(['train', data, '--stream', '--epochs', '1']).stderr).toBe(message);
    expect(backprop(['train', data, '--epochs', '1']).stderr).toBe(message);
    const model = join(dir, 'tiny.json');
    writeFileSync(model, (await train([{ x: 1, y: 'a' }, { x: 2, y: 'b' }, { x: 3, y: 'a' }, { x: 4, y: 'b' }], { epochs: 1, bagging: 1, validation: 0 })).stringify());
    const exported = spawnSync(process.execPath, [BIN, 'export', model, '--to', 'js', '--out', join(dir, 'tiny.js'), '--quiet'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, BACKPROP_BLAS: '/no/such/libblas.so' } });
    expect(exported.stderr).toBe('');
    expect(exported.status).toBe(0);
    const long = `/no/such/${'x'.repeat(500)}.so`;
    await expect(createKernels('blas', { library: long })).rejects.toThrow(/^backend: blas: no BLAS library could be loaded \(tried "\/no\/such\/x{150,200}\.\.\."\); on Debian/);
  }, 60_000);
});
