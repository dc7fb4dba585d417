// Data at scale and in the formats users have: a million-row CSV with the default validation split, delimiters
// other than the comma, decimal commas, gzip, Parquet written by an independent writer (DuckDB's COPY), folders,
// and streams that never end. The data is generated here, never committed.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { backprop, BIN, ROOT, tempDir } from './cli-helpers.js';

const dir = tempDir();

/** Seeded rows: three numbers and a class that depends on them (a, b as labels, never read as booleans). */
function rows(count: number, seed = 7): { numbers: number[][]; labels: string[] } {
  let a = seed >>> 0;
  const random = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const numbers: number[][] = [], labels: string[] = [];
  for (let i = 0; i < count; i++) {
    const r = [random() * 4 - 2, random() * 4 - 2, random() * 4 - 2].map((v) => Math.round(v * 1000) / 1000);
    numbers.push(r);
    labels.push(r[0] * r[1] + 0.5 * r[2] > 0 ? 'a' : 'b');
  }
  return { numbers, labels };
}

function csv(count: number, delimiter = ',', decimalComma = false): string {
  const { numbers, labels } = rows(count);
  const cell = (v: number): string => (decimalComma ? String(v).replace('.', ',') : String(v));
  return [['x', 'y', 'z', 'label'].join(delimiter), ...numbers.map((r, i) => [...r.map(cell), labels[i]].join(delimiter))].join('\n') + '\n';
}

const trainJson = (args: string[]): { data: { rows: number }; training: { trainRows: number; validationRows: number }; metrics: { validation: { accuracy: number } } } => {
  const r = backprop(['train', '--bagging', '1', '--bins', '0', ...args, '--json', '--epochs', '3', '--layers', '8']);
  if (r.code !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
};

// These tests are about reading and streaming data: one network on the scaled inputs (--bagging 1 --bins 0) keeps
// them short and their chunked sums equal to the last digit (wider inputs change how BLAS blocks a product by its
// rows); the defaults' bagging and bins are tested in bagging.test.ts, streamed too.
describe('a million rows', () => {
  it('train with the default validation split (once a stack overflow in the split), in bounded memory', () => {
    const path = join(dir, 'million.csv');
    writeFileSync(path, csv(1_000_000));
    const rssFile = join(dir, 'million-rss.txt');
    writeFileSync(rssFile, '');
    const run = spawnSync(process.execPath, ['--import', join(ROOT, 'test/programs/report-rss.mjs'), BIN, 'train', '--bagging', '1', '--bins', '0', path, '--epochs', '1', '--layers', '8', '--json'],
      { cwd: ROOT, encoding: 'utf8', env: { ...process.env, BACKPROP_TEST_RSS_FILE: rssFile } });
    expect(run.status, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.data.rows).toBe(1_000_000);
    expect(result.training.validationRows).toBe(200_000);
    expect(result.metrics.validation.accuracy).toBeGreaterThan(0.9);
    // The file is 25 MB; its columns take 24 MB as float64 and the input matrix 12 MB as float32.
    expect(Number(readFileSync(rssFile, 'utf8'))).toBeLessThan(600 * 1024 * 1024);
  }, 120_000);
});

describe('delimiters, decimal commas and compression', () => {
  const reference = (() => {
    writeFileSync(join(dir, 'comma.csv'), csv(2000));
    return trainJson([join(dir, 'comma.csv'), '--seed', '3']);
  })();

  it.each([
    ['semicolon', ';', false],
    ['tab', '\t', false],
    ['pipe', '|', false],
    ['semicolon with decimal commas', ';', true],
  ] as const)('%s: sniffed, and the same training as with commas', (name, delimiter, decimalComma) => {
    const path = join(dir, `${name.replace(/ /g, '-')}.csv`);
    writeFileSync(path, csv(2000, delimiter, decimalComma));
    const result = trainJson([path, '--seed', '3', ...(decimalComma ? ['--decimal-comma'] : [])]);
    expect(result.data.rows).toBe(2000);
    expect(result.metrics.validation.accuracy).toBe(reference.metrics.validation.accuracy);
  });

  it('a file large enough for DuckDB (semicolons, decimal commas) reads as its small twin does by csv-parse', () => {
    const big = join(dir, 'big-semi.csv'), small = join(dir, 'big-comma.csv');
    writeFileSync(big, csv(250_000, ';', true)); // about 6 MB: read by DuckDB
    expect(readFileSync(big).length).toBeGreaterThan(4 * 1024 * 1024);
    writeFileSync(small, csv(250_000));
    const a = backprop(['train', '--bagging', '1', '--bins', '0', big, '--decimal-comma', '--epochs', '1', '--layers', '4', '--out', join(dir, 'a.json'), '--quiet']);
    const b = backprop(['train', '--bagging', '1', '--bins', '0', small, '--epochs', '1', '--layers', '4', '--out', join(dir, 'b.json'), '--quiet']);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    // The same model, but that the one read with a decimal comma says so (its commands read their data so).
    const withComma = readFileSync(join(dir, 'a.json'), 'utf8');
    expect(withComma).toContain(',"decimalComma":true}');
    expect(withComma.replace(',"decimalComma":true}', '}')).toBe(readFileSync(join(dir, 'b.json'), 'utf8'));
  }, 60_000);

  it('a message about a row of a file read by DuckDB names its line, or its row where blank lines break the count', () => {
    const model = join(dir, 'ab-model.json');
    writeFileSync(join(dir, 'ab.csv'), csv(2000));
    expect(backprop(['train', '--bagging', '1', '--bins', '0', join(dir, 'ab.csv'), '--epochs', '1', '--out', model, '--quiet']).code).toBe(0);
    const lines = csv(250_000).split('\n');
    lines[200_000] = lines[200_000].replace(/,a$|,b$/, ',c'); // data row 200,000, on line 200,001
    const plain = join(dir, 'unknown-class.csv'), blank = join(dir, 'unknown-class-blank.csv');
    writeFileSync(plain, lines.join('\n'));
    writeFileSync(blank, [...lines.slice(0, 1000), '', ...lines.slice(1000)].join('\n'));
    const known = 'column 4 (label): the class "c" is not one the model knows; its classes are: a, b\n';
    const a = backprop(['evaluate', model, plain]);
    expect(a.stderr).toBe(`backprop: ${plain}, line 200001, ${known}`);
    const b = backprop(['evaluate', model, blank]);
    expect(b.stderr).toBe(`backprop: ${blank}, row 200000, ${known}`);
  }, 60_000);

  it('--delimiter forces one; a bad one is a usage error', () => {
    const path = join(dir, 'forced.csv');
    writeFileSync(path, csv(300, '|'));
    expect(trainJson([path, '--delimiter', '|']).data.rows).toBe(300);
    const r = backprop(['train', path, '--delimiter', 'x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('backprop: --delimiter: expected one of , ; tab | (or comma, semicolon, pipe), got "x"\n');
  });

  it('gzip-compressed CSV, small and large', () => {
    writeFileSync(join(dir, 'small.csv.gz'), gzipSync(csv(2000)));
    expect(trainJson([join(dir, 'small.csv.gz'), '--seed', '3']).metrics.validation.accuracy).toBe(reference.metrics.validation.accuracy);
    writeFileSync(join(dir, 'large.csv.gz'), gzipSync(csv(200_000)));
    expect(trainJson([join(dir, 'large.csv.gz')]).data.rows).toBe(200_000);
  }, 60_000);

  it('errors in a file read by DuckDB keep their line and column', () => {
    // Words from line 100,001 on, in a third of the rows: too many to be missing values of a numeric column.
    const lines = csv(150_000).split('\n');
    for (let i = 100_000; i < lines.length; i++) if (lines[i]) lines[i] = lines[i].replace(/^([^,]*),[^,]*,/, `$1,${i % 2 ? 'five' : 'four'},`);
    const path = join(dir, 'bad-big.csv');
    writeFileSync(path, lines.join('\n'));
    const r = backprop(['train', path, '--epochs', '1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`backprop: ${path}, line 100001, column 2 (y): "four" is not a number, though most of the column's values are ` +
      '(50,001 of 150,000 rows have words: "four" (25,001 rows), "five" (25,000 rows)); words among numbers are read as missing values where they are ' +
      'at most 5 different words in at most 25% of the rows: mark them missing with --na-values (naValues), or correct them\n');
  }, 60_000);
});

describe('text read from DuckDB\'s string records', () => {
  // Short values (12 bytes or fewer) are coded from their 16-byte records, longer ones from their text; both must
  // give the strict reader's values, row for row.
  const words = ['yes', ' no ', 'élan', '🙂 ok', 'twelve bytes', 'thirteen byte', 'a much longer category name', 'x'];
  const row = (i: number): string[] => [String(i % 7), words[(i * 5) % words.length], `id${(i * 7919) % 3001}`, `long value number ${i % 40} with padding`];

  it('short, long, trimmed, multibyte and thousands of distinct values: the same as the strict reader', async () => {
    const { readWithDuckDB, closeDuckDB } = await import('../src/node/readers/duckdb.js');
    const { readTableFile } = await import('../src/node/readers/csv.js');
    const path = join(dir, 'texts.csv');
    writeFileSync(path, ['n,word,id,long', ...Array.from({ length: 9000 }, (_, i) => row(i).join(','))].join('\n') + '\n');
    const frame = (await readWithDuckDB(path, path))!;
    await closeDuckDB();
    const table = readTableFile(path);
    expect(frame.rows).toBe(9000);
    const ids = frame.columns[2];
    expect(ids.kind === 'text' && ids.dictionary.length).toBe(3001);
    for (const [j, column] of frame.columns.entries()) {
      const values = column.kind === 'text' ? Array.from(column.codes, (k) => column.dictionary[k]) : Array.from(column.values, String);
      expect(values, column.name).toEqual(table.rows.map((r) => r[j]));
    }
  }, 60_000);

  it('a blank or NA text value, streamed, is a missing value in its row', async () => {
    const { tableChunks, closeDuckDB } = await import('../src/node/readers/duckdb.js');
    const { MISSING } = await import('../src/data/missing.js');
    const path = join(dir, 'blank-text.csv');
    const rows = Array.from({ length: 5000 }, (_, i) => row(i));
    rows[4321][1] = '   ';
    rows[17][1] = 'NA';
    writeFileSync(path, ['n,word,id,long', ...rows.map((r) => r.join(','))].join('\n') + '\n');
    const missing: number[] = [];
    let first = 0;
    for await (const chunk of tableChunks(path, path)) {
      const words = chunk.columns[1] as { codes: Uint32Array; dictionary: readonly string[] };
      words.codes.forEach((k, i) => (k === MISSING ? missing.push(first + i) : expect(words.dictionary[k]).toBe(rows[first + i][1].trim())));
      first += chunk.rows;
    }
    expect(missing).toEqual([17, 4321]);
    await closeDuckDB();
  }, 60_000);
});

describe('Parquet and folders', () => {
  it('a Parquet file written by DuckDB trains to the same model file as its CSV twin', async () => {
    const csvPath = join(dir, 'twin.csv'), parquetPath = join(dir, 'twin.parquet');
    writeFileSync(csvPath, csv(3000));
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    await connection.run(`COPY (SELECT * FROM read_csv('${csvPath}', types = {'label': 'VARCHAR'})) TO '${parquetPath}' (FORMAT parquet)`);
    connection.closeSync();
    instance.closeSync();
    for (const [data, out] of [[csvPath, 'from-csv.json'], [parquetPath, 'from-parquet.json']]) {
      const r = backprop(['train', '--bagging', '1', '--bins', '0', data, '--epochs', '3', '--out', join(dir, out), '--quiet']);
      expect(r.code, r.stderr).toBe(0);
    }
    expect(readFileSync(join(dir, 'from-parquet.json'), 'utf8')).toBe(readFileSync(join(dir, 'from-csv.json'), 'utf8'));
  }, 60_000);

  it('a folder (or glob) of CSV files of one schema reads as one table', () => {
    const folder = join(dir, 'parts');
    mkdirSync(folder);
    const text = csv(3000).split('\n');
    writeFileSync(join(folder, 'part-1.csv'), [text[0], ...text.slice(1, 1501)].join('\n') + '\n');
    writeFileSync(join(folder, 'part-2.csv'), [text[0], ...text.slice(1501, 3001)].join('\n') + '\n');
    expect(trainJson([folder]).data.rows).toBe(3000);
    expect(trainJson([join(folder, 'part-*.csv')]).data.rows).toBe(3000);
  }, 60_000);
});

describe('streams that never end', () => {
  it('an endless stream on standard input fails with one line, in bounded memory', () => {
    const rssFile = join(dir, 'stream-rss.txt');
    writeFileSync(rssFile, '');
    const run = spawnSync('bash', ['-c', `yes "1,2,x" | "${process.execPath}" --import "${join(ROOT, 'test/programs/report-rss.mjs')}" "${BIN}" train - --epochs 1`],
      { cwd: ROOT, encoding: 'utf8', env: { ...process.env, BACKPROP_TEST_RSS_FILE: rssFile } });
    expect(run.stderr).toBe('backprop: stdin: more than 128 MiB from a stream; is it endless? (put larger data in a file)\n');
    expect(Number(readFileSync(rssFile, 'utf8'))).toBeLessThan(400 * 1024 * 1024);
  }, 60_000);

  it('a device that never ends fails at once', () => {
    const r = backprop(['train', '/dev/zero']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('backprop: /dev/zero, line 1: not a text file (a zero byte at offset 0); expected CSV with a header row\n');
  });
});

describe('--stream: training on files larger than memory', () => {
  const path = join(dir, 'stream.csv');
  writeFileSync(path, csv(150_000));

  it('the first pass computes the statistics in-memory training computes (1e-6 relative): means, deviations, categories, classes', async () => {
    const { scanForTraining } = await import('../src/node/streaming.js');
    const { readDataFile } = await import('../src/node/read.js');
    const { describeFrame, fitFramePreprocessing } = await import('../src/index.js');
    const streamed = await scanForTraining(path, path, {}, { validation: 0, seed: 1 });
    const frame = await readDataFile(path);
    const all = Uint32Array.from({ length: frame.rows }, (_, i) => i);
    const inMemory = fitFramePreprocessing(describeFrame(frame), frame, all);
    expect(streamed.rows).toBe(150_000);
    expect(streamed.prep.features).toEqual(inMemory.features);
    expect(streamed.prep.target).toEqual(inMemory.target);
    const [a, b] = [streamed.prep.scaler, inMemory.scaler] as { mean: number[]; std: number[] }[];
    a.mean.forEach((m, j) => expect(Math.abs(m - b.mean[j])).toBeLessThanOrEqual(1e-6 * Math.max(1e-3, Math.abs(b.mean[j]))));
    a.std.forEach((s, j) => expect(Math.abs(s / b.std[j] - 1)).toBeLessThan(1e-6));
  }, 60_000);

  it('reaches the validation accuracy of in-memory training within 1 point, and a file over --memory streams by itself', () => {
    const streamed = JSON.parse(backprop(['train', '--bagging', '1', '--bins', '0', path, '--stream', '--epochs', '3', '--layers', '8', '--json']).stdout);
    const inMemory = trainJson([path]);
    expect(Math.abs(streamed.metrics.validation.accuracy - inMemory.metrics.validation.accuracy)).toBeLessThanOrEqual(0.01);
    expect(streamed.training.validationRows / streamed.data.rows).toBeCloseTo(0.2, 2);
    expect(backprop(['train', 'iris', '--stream']).stderr).toBe('backprop: --stream: reads a data file (or folder, or glob) in passes; "iris" cannot be streamed this way\n');
    const auto = backprop(['train', '--bagging', '1', '--bins', '0', path, '--memory', '1MB', '--epochs', '1', '--layers', '4']);
    expect(auto.code, auto.stderr).toBe(0);
    expect(auto.stdout).toMatch(/→ 3 inputs, streamed from the file/);
  }, 120_000);

  it('a million rows stream through a small budget in bounded memory, and the model loads', () => {
    const big = join(dir, 'million.csv');
    if (!existsSync(big)) writeFileSync(big, csv(1_000_000));
    const rssFile = join(dir, 'stream-million-rss.txt');
    writeFileSync(rssFile, '');
    const run = spawnSync(process.execPath, ['--import', join(ROOT, 'test/programs/report-rss.mjs'), BIN, 'train', '--bagging', '1', '--bins', '0', big, '--stream', '--memory', '8MB', '--epochs', '1', '--layers', '8', '--quiet', '--out', join(dir, 'streamed.json')],
      { cwd: ROOT, encoding: 'utf8', env: { ...process.env, BACKPROP_TEST_RSS_FILE: rssFile } });
    expect(run.status, run.stderr).toBe(0);
    expect(Number(readFileSync(rssFile, 'utf8'))).toBeLessThan(450 * 1024 * 1024);
    const evaluated = backprop(['evaluate', join(dir, 'streamed.json'), join(dir, 'stream.csv'), '--json']);
    expect(JSON.parse(evaluated.stdout).accuracy).toBeGreaterThan(0.9);
  }, 120_000);
});

describe('predict --stream', () => {
  it('writes, chunk by chunk, exactly what predict writes from the whole file (CSV and JSON, kept columns included)', () => {
    const lines = csv(60_000).split('\n');
    const withId = [`id,${lines[0]}`, ...lines.slice(1).filter(Boolean).map((l, i) => `${String(i).padStart(6, '0')},${l}`)].join('\n') + '\n';
    const path = join(dir, 'predict-me.csv');
    writeFileSync(path, withId);
    const model = join(dir, 'predict-model.json');
    expect(backprop(['train', '--bagging', '1', '--bins', '0', join(dir, 'stream.csv'), '--epochs', '1', '--layers', '4', '--quiet', '--out', model]).code).toBe(0);
    for (const format of [[], ['--json']]) {
      const whole = backprop(['predict', model, path, '--keep', 'id', ...format]);
      const streamed = backprop(['predict', model, path, '--keep', 'id', '--stream', ...format]);
      expect(whole.code, whole.stderr).toBe(0);
      expect(streamed.code, streamed.stderr).toBe(0);
      expect(streamed.stdout.length).toBeGreaterThan(60_000 * 10);
      expect(streamed.stdout).toBe(whole.stdout);
    }
    expect(backprop(['predict', model, '-', '--stream']).stderr).toBe('backprop: --stream: reads a file in passes; standard input cannot be streamed this way\n');
    // An output that overflows is named by its line in the file, streamed or not (not by its row within a chunk).
    const far = join(dir, 'predict-far.csv');
    writeFileSync(far, lines.map((l, i) => (i === 59_001 ? l.replace(/^[^,]*/, '1e300') : l)).join('\n'));
    const overflow = "is NaN, not a finite number; its weights are too large for its dtype or the input is far outside the training data\n";
    expect(backprop(['predict', model, far]).stderr).toBe(`backprop: ${model}: the network's output for ${far}, line 59002 ${overflow}`);
    const streamedFar = backprop(['predict', model, far, '--stream']);
    expect(streamedFar.code).toBe(1);
    expect(streamedFar.stderr).toBe(`backprop: ${model}: the network's output for ${far}, line 59002 ${overflow}`);
  }, 60_000);
});

describe('evaluate --stream', () => {
  it('gives the whole-file metrics, classification and regression, chunk by chunk', () => {
    const path = join(dir, 'evaluate-me.csv');
    const { numbers, labels } = rows(40_000, 11);
    writeFileSync(path, 'x,y,z,label,value\n' + numbers.map((r, i) => `${r.join(',')},${labels[i]},${(r[0] * 3 + r[1] * r[2]).toFixed(3)}`).join('\n') + '\n');
    for (const target of ['label', 'value']) {
      const model = join(dir, `evaluate-${target}.json`);
      expect(backprop(['train', '--bagging', '1', '--bins', '0', path, '--target', target, '--epochs', '2', '--layers', '4', '--quiet', '--out', model]).code).toBe(0);
      const whole = JSON.parse(backprop(['evaluate', model, path, '--json']).stdout);
      const streamed = JSON.parse(backprop(['evaluate', model, path, '--json', '--stream']).stdout);
      expect(streamed.rows).toBe(40_000);
      for (const [key, value] of Object.entries(whole)) {
        if (typeof value === 'number') expect(Math.abs((streamed[key] as number) - value), key).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(value)));
        else expect(streamed[key], key).toEqual(value);
      }
    }
  }, 60_000);
});

describe('a compressed file that holds far more than its size says', () => {
  // 60,000 rows of "1,2,3" in 1 KB of gzip: 1.4 MB as columns, which the size's estimate (4 × 1 KB) did not see.
  const path = join(dir, 'dense.csv.gz');
  writeFileSync(path, gzipSync('a,b,c\n' + '1,2,3\n4,5,6\n'.repeat(30_000), { level: 9 }));

  it('is refused whole past the memory allowed (the library), and train reads it in passes instead', async () => {
    const { readTable } = await import('../src/node/index.js');
    expect(readFileSync(path).length).toBeLessThan(64 * 1024);
    await expect(readTable(path, { memory: 2 ** 20 })).rejects.toThrow(`${path}: 60,000 rows of 3 columns would take 2 MB in memory, more than the 1 MB allowed; read it in passes (--stream) or allow more (--memory)`);
    expect((await readTable(path, { memory: 2 * 2 ** 20 })).rows).toBe(60_000);
    const r = backprop(['train', path, '--memory', '1MB', '--epochs', '1', '--bagging', '1', '--layers', '4', '--out', join(dir, 'dense.json')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^data {5}\S+dense\.csv\.gz: too large for --memory 1MB once read; streamed$/m);
    expect(r.stdout).toMatch(/^data {5}\S+dense\.csv\.gz: 60000 rows, .* streamed from the file$/m);
  }, 60_000);
});
