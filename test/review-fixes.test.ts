// Fixes from an independent review of issues 31–35 as a new user and an attacker would try them: each case failed
// before its fix.
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { createNodeBlasKernels } from '../src/node/index.js';
import * as ort from 'onnxruntime-node';
import { BackpropError, train } from '../src/index.js';
import { doubleInputs, exportONNX } from '../src/interop/index.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { backprop, tempDir } from './cli-helpers.js';

describe('hostile settings', () => {
  it('a pinned thread count past the cores runs on the cores (--threads 1024 started 1,023 helper threads)', async () => {
    const k = (await createNodeBlasKernels({ threads: 1024 }))!;
    expect(k.threads).toBe(availableParallelism());
    expect(k.name).toContain(`${availableParallelism()} thread`);
  });
});

describe('hostile records', () => {
  it('records with more different fields than a model holds are refused at the first field too many', async () => {
    const rows: Record<string, unknown>[] = Array.from({ length: 10 }, (_, i) => ({ a: i, y: i % 2 ? 'p' : 'q' }));
    const wide = rows[3];
    for (let j = 0; j < 100_001; j++) wide[`k${j}`] = j;
    // Before: every record got a value in each of the 100,003 columns, and the refusal came from the first layer's size.
    await expect(train(rows, { target: 'y', epochs: 1, bagging: 1 })).rejects.toThrow(/^data, row 4: the records have more than 100000 different fields, more columns than a model holds$/);
  });
});

describe('records whose own code throws', () => {
  const rows = Array.from({ length: 40 }, (_, i) => ({ a: i % 5 === 0 ? null : i, c: ['p', 'q'][i % 2], y: i % 3 ? 'x' : 'z' }));
  const getter = (): Record<string, unknown> => {
    const o: Record<string, unknown> = { c: 'p', y: 'x' };
    Object.defineProperty(o, 'a', { enumerable: true, get() { throw new Error('boom'); } });
    return o;
  };
  const trap = new Proxy({}, { ownKeys() { throw new TypeError('no keys'); } }) as Record<string, unknown>;

  it('a getter or a Proxy trap that throws is one error naming the row and field, in train and predict', async () => {
    await expect(train([...rows, getter()], { target: 'y', epochs: 1, bagging: 1 })).rejects.toThrow(/^data, row 41, field "a": reading it threw Error: boom$/);
    await expect(train([...rows, trap], { target: 'y', epochs: 1, bagging: 1 })).rejects.toThrow(/^data, row 41: listing the record's fields threw TypeError: no keys$/);
    const model = await train(rows, { target: 'y', epochs: 1, bagging: 1 });
    expect(() => model.predict([{ a: 1, c: 'p' }, getter()])).toThrow(BackpropError);
    expect(() => model.predict([getter()])).toThrow(/^predict, row 1, field "a": reading it threw Error: boom$/);
  });
});

describe('exports of binned models', () => {
  it('ONNX fills, scales and bins in float64 as backprop does: a column far from zero with a narrow spread agrees to 1e-6', async () => {
    // Whole numbers (exact in float32) around 100,000 with a spread of 50: a float32 mean is off by up to 0.004, and
    // a float32 subtraction after it put the scaled value 3e-4 off, which the bins then magnify.
    const rows = Array.from({ length: 400 }, (_, i) => ({ year: 100_000 + ((i * 37) % 50), n: i % 5 === 0 ? null : (i * 13) % 31, y: ((i * 37) % 50) + ((i * 13) % 31) > 40 ? 'hi' : 'lo' }));
    const model = await train(rows, { target: 'y', epochs: 20, bagging: 1, seed: 3 });
    expect(model.toJSON().preprocessing!.piecewise!.columns.length).toBe(2);
    const session = await ort.InferenceSession.create(exportONNX(model));
    const [year, n] = session.inputNames;
    // year is large against its spread, so its input is double (float32's spacing there is 5e-4 of its deviation).
    expect(inputTypes(session)).toEqual({ [year]: 'float64', [n]: 'float32' });
    const out = await session.run({
      [year]: new ort.Tensor('float64', Float64Array.from(rows, (r) => r.year), [rows.length, 1]),
      [n]: new ort.Tensor('float32', Float32Array.from(rows, (r) => r.n ?? NaN), [rows.length, 1]),
    });
    const probabilities = out[session.outputNames[0]].data as Float32Array;
    const target = model.toJSON().preprocessing!.target!;
    const hi = target.task === 'classification' ? target.classes.indexOf('hi') : -1;
    expect(hi).toBeGreaterThanOrEqual(0);
    let worst = 0;
    model.predict(rows).forEach((p, i) => (worst = Math.max(worst, Math.abs((p as { probabilities: Record<string, number> }).probabilities.hi - probabilities[2 * i + hi]))));
    expect(worst).toBeLessThan(1e-6);
  });
});

/** Each ONNX input's element type, by name. */
const inputTypes = (session: ort.InferenceSession): Record<string, string> =>
  Object.fromEntries(session.inputMetadata.map((m) => [m.name, (m as { type?: string }).type ?? '']));

describe('ONNX inputs float32 cannot hold finely', () => {
  it('a column of fractions far from zero with a narrow spread (a longitude) is a double input, and the graph agrees to 1e-6', async () => {
    // Ames' Longitude: about −93.6 with a standard deviation of 0.026. As a float32 input, its values were rounded to
    // 7.6e-6 (2.9e-4 of the spread) before the graph saw them, and a narrow bin put a price 1.2e-4 off.
    const rows = Array.from({ length: 300 }, (_, i) => {
      const lon = -93.6 + 0.026 * Math.sin(i * 1.37), size = 50 + ((i * 29) % 200);
      return { lon, size, price: 1000 * Math.sin(400 * (lon + 93.6)) + 10 * size };
    });
    const model = await train(rows, { target: 'price', epochs: 40, bagging: 1, seed: 2 });
    const session = await ort.InferenceSession.create(exportONNX(model));
    expect(inputTypes(session)).toEqual({ lon: 'float64', size: 'float32' });
    expect(doubleInputs(model)).toEqual(['lon']); // what `backprop export` names
    const out = await session.run({
      lon: new ort.Tensor('float64', Float64Array.from(rows, (r) => r.lon), [rows.length, 1]),
      size: new ort.Tensor('float32', Float32Array.from(rows, (r) => r.size), [rows.length, 1]),
    });
    const values = out.value.data as Float32Array;
    const predicted = model.predict(rows).map((p) => p.value!);
    const largest = Math.max(...predicted.map(Math.abs));
    const worst = Math.max(...predicted.map((v, i) => Math.abs(v - values[i])));
    expect(worst / largest).toBeLessThan(1e-6);
  });
});

describe('explain reads a record as predict does', () => {
  /** A model trained by `backprop train` on 30 shops (size, city, sold); `gaps` leaves every fifth size empty. */
  const shopsModel = (name: string, gaps: boolean): string => {
    const dir = tempDir();
    const csv = join(dir, `${name}.csv`);
    writeFileSync(csv, 'size,city,sold\n' + Array.from({ length: 30 }, (_, i) => `${gaps && i % 5 === 0 ? '' : i % 7},${['oslo', 'lima'][i % 2]},${i % 3 ? 'yes' : 'no'}`).join('\n') + '\n');
    const model = join(dir, `${name}.json`);
    expect(backprop(['train', csv, '--epochs', '2', '--bagging', '1', '--bins', '0', '--out', model, '--quiet']).code).toBe(0);
    return model;
  };

  it('a category the model never saw: all zeros and one line on stderr (it was refused), --unknown error keeps the refusal', () => {
    const model = shopsModel('shops', false);
    const known = backprop(['explain', model, '--input', '3,oslo', '--target', 'yes', '--json']);
    const unseen = backprop(['explain', model, '--input', '3,rome', '--target', 'yes', '--json']);
    expect(unseen.code, unseen.stderr).toBe(0);
    expect(unseen.stderr).toBe('backprop: note: --input: column "city" has a value the model never saw, encoded as all zeros\n');
    // The city's one-hot block is all zeros; the size input is the same as for a known city.
    const inputs = (r: { stdout: string }): number[] => (JSON.parse(r.stdout) as { input: number[] }).input;
    expect(inputs(unseen).slice(1)).toEqual([0, 0]);
    expect(inputs(unseen)[0]).toBe(inputs(known)[0]);
    expect(inputs(known).slice(1).sort()).toEqual([0, 1]);
    const strict = backprop(['explain', model, '--input', '3,rome', '--target', 'yes', '--unknown', 'error']);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toMatch(/^backprop: --input, column "city": .*"rome", which the model never saw/);
  }, 60_000);

  it('an empty --input value is a missing one, as an empty field of a file is (the same as NA)', () => {
    const model = shopsModel('gaps', true);
    const empty = backprop(['explain', model, '--input', ',oslo', '--target', 'yes', '--json']);
    expect(empty.code, empty.stderr).toBe(0);
    const na = backprop(['explain', model, '--input', 'NA,oslo', '--target', 'yes', '--json']);
    expect(empty.stdout).toBe(na.stdout);
    // The size's missing indicator is set.
    expect((JSON.parse(empty.stdout) as { input: number[] }).input.slice(0, 2)).toEqual([expect.any(Number), 1]);
  }, 60_000);
});
