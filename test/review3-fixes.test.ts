// Fixes from the third review of the day (a new user's and an attacker's run over main): each test fails without
// its fix.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { BackpropError, train } from '../src/index.js';
import { quoted } from '../src/core/errors.js';
import { exportONNX } from '../src/interop/index.js';
import { loadBlasSync } from '../src/node/blas/library.js';
import { BIN, ROOT, tempDir } from './cli-helpers.js';

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('BACKPROP_BLAS naming what is no library file', () => {
  it('a FIFO is refused from its stat (the loader opened it and waited for a writer forever)', () => {
    const fifo = join(dir, 'blas-fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const run = spawnSync(process.execPath, [BIN, 'train', 'xor', '--epochs', '1', '--quiet', '--out', join(dir, 'never.json')],
      { cwd: ROOT, encoding: 'utf8', timeout: 30_000, killSignal: 'SIGKILL', env: { ...process.env, BACKPROP_BLAS: fifo } });
    expect(run.signal).toBeNull(); // not killed by the timeout
    expect(run.stderr).toBe(`backprop: BACKPROP_BLAS: "${fifo}" is a FIFO, not a library file; expected the file name or path of one with cblas_sgemm and cblas_dgemm (such as libopenblas.so.0), or leave BACKPROP_BLAS unset to use the usual names\n`);
    expect(run.status).toBe(2);
  }, 60_000);

  it('a folder, a missing file and a long name with a newline say which, in one bounded line', () => {
    const saved = process.env.BACKPROP_BLAS;
    const message = (value: string): string => {
      process.env.BACKPROP_BLAS = value;
      try {
        loadBlasSync();
        return 'loaded';
      } catch (error) {
        expect(error).toBeInstanceOf(BackpropError);
        return (error as Error).message;
      } finally {
        if (saved === undefined) delete process.env.BACKPROP_BLAS; else process.env.BACKPROP_BLAS = saved;
      }
    };
    mkdirSync(join(dir, 'lib'), { recursive: true });
    expect(message(join(dir, 'lib'))).toMatch(/^BACKPROP_BLAS: ".*lib" is a folder, not a library file; /);
    expect(message('/no/such/libblas.so')).toMatch(/^BACKPROP_BLAS: "\/no\/such\/libblas.so" does not exist; /);
    const long = message(`/tmp/a\n${'x'.repeat(100_000)}`);
    expect(long).toMatch(/^BACKPROP_BLAS: "\/tmp\/a\\nxxx+\.\.\." is longer than a path can be; /);
    expect(long.length).toBeLessThan(400);
  });
});

describe('names quoted in messages', () => {
  it('a quote or backslash in a name is escaped, so the closing quote ends it (export printed "a"b" for the column a"b)', () => {
    expect(quoted('a"b')).toBe('"a\\"b"');
    expect(quoted('x", "y')).toBe('"x\\", \\"y"');
    expect(quoted('C:\\lib\u0007')).toBe('"C:\\\\lib\\u0007"');
    expect(quoted('line\nbreak')).toBe('"line\\nbreak"');
  });
});

describe('evaluate with a target too large to score', () => {
  it('is an error naming the row and field, not Infinity and NaN (and null in --json, the word for a constant target)', async () => {
    const rows = Array.from({ length: 60 }, (_, i) => ({ x: i % 10, y: 2 * (i % 10) + 1 }));
    const model = await train(rows, { target: 'y', task: 'regression', layers: [4], epochs: 2, bagging: 1, validation: 0 });
    expect(model.evaluate(rows).r2).not.toBeNull();
    const bad = [{ x: 1, y: 3 }, { x: 2, y: 5 }, { x: 3, y: 1e308 }];
    expect(() => model.evaluate(bad)).toThrow(/^evaluate, row 3, field "y": the target 1e\+308 is too far from the model's prediction \(.+\) for its squared error to be a number; correct it or leave the row out$/);
    // Summed in parts (as evaluate --stream): the part with the bad row is named.
    const parts = model.evaluation();
    parts.add(rows);
    expect(() => parts.add(bad)).toThrow(/row 3, field "y": the target 1e\+308/);
  });
});

describe('ONNX text inputs with the words for "no value"', () => {
  it('NA, None and ? in a text input are its missing level, as predict reads them (they were values never seen: all zeros)', async () => {
    const cities = ['Oslo', 'Paris', 'Rome', null];
    const rows = Array.from({ length: 200 }, (_, i) => {
      const age = 18 + ((i * 37) % 60), city = cities[i % 4];
      return { age, city, bought: city === null || (age > 40 && city === 'Paris') ? 'yes' : 'no' };
    });
    const model = await train(rows, { target: 'bought', layers: [8], epochs: 60, bagging: 1, validation: 0, bins: 0, seed: 2 });
    const asked = ['NA', 'None', '?', '', 'Paris', 'Lima'].map((city) => ({ age: 60, city }));
    const expected = model.predict(asked).map((p) => p.probabilities.yes);
    // The missing level matters to this model: a missing city reads otherwise than an unseen one (all zeros).
    expect(Math.abs(expected[0] - expected[5])).toBeGreaterThan(0.2);
    const session = await ort.InferenceSession.create(exportONNX(model));
    const out = await session.run({
      age: new ort.Tensor('float32', Float32Array.from(asked, (r) => r.age), [asked.length, 1]),
      city: new ort.Tensor('string', asked.map((r) => r.city), [asked.length, 1]),
    });
    const p = out.probabilities.data as Float32Array;
    asked.forEach((_, i) => expect(Math.abs(p[2 * i + 1] - expected[i])).toBeLessThan(1e-5));
  });
});

describe('a line break in a name from the file cannot start a line of the report', () => {
  it('train and cv plans, evaluate\'s tables and importance\'s rows print it escaped, inside their own line', () => {
    // The target's name and a class and a feature's name each try to fake a line of their own.
    const fake = 'backprop: FAKE';
    const rows = Array.from({ length: 60 }, (_, i) => `${((i * 37) % 60) / 30 - 1},${((i * 11) % 60) / 30 - 1},"${i % 2 ? 'yes' : `no\n${fake} class`}"`);
    const csv = join(dir, 'names.csv');
    writeFileSync(csv, `a,"b\n${fake} feature","label\n${fake} target"\n${rows.join('\n')}\n`);
    const model = join(dir, 'names.json');
    const target = `label\n${fake} target`;
    const cli = (args: string[]): string => {
      const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
      expect(r.status, r.stderr).toBe(0);
      return r.stdout + r.stderr;
    };
    const outputs = {
      train: cli(['train', csv, '--target', target, '--epochs', '1', '--out', model]),
      cv: cli(['cv', csv, '--target', target, '--epochs', '1', '--folds', '2']),
      evaluate: cli(['evaluate', model, csv]),
      importance: cli(['importance', model, csv, '--repeats', '1']),
    };
    for (const [command, text] of Object.entries(outputs)) {
      const lines = text.split('\n');
      expect(lines.filter((l) => l.startsWith(fake)), `${command}:\n${text}`).toEqual([]);
      if (command !== 'cv') expect(text, command).toContain('\\nbackprop: FAKE');
    }
    expect(outputs.train).toContain('target   label\\nbackprop: FAKE target: classification');
    expect(outputs.evaluate).toMatch(/^no\\nbackprop: FAKE class +\d/m);
  }, 120_000);
});
