// The library's front door, used as a package user would: train(records) → a Model that predicts records by class
// name, evaluates, explains, round-trips through JSON and files; the same run through `backprop train` writes the
// same bytes; options and records are checked with the command line's messages.
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromArrays } from 'apache-arrow';
import { BackpropError, crossValidate, Model, Random, train, type TableRecord } from '../src/index.js';
import { loadModel, readTable, saveModel } from '../src/node/index.js';
import { backprop, ROOT, tempDir } from './cli-helpers.js';

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Buyers: yes when (age > 40) differs from (city is Rome), the rule the model must find; 400 seeded rows. */
function buyers(n = 400, seed = 7): { age: number; city: string; bought: string }[] {
  const r = new Random(seed);
  const cities = ['Oslo', 'Paris', 'Rome'];
  return Array.from({ length: n }, () => {
    const age = 18 + Math.floor(r.next() * 60), city = cities[Math.floor(r.next() * 3)];
    return { age, city, bought: (age > 40) !== (city === 'Rome') ? 'yes' : 'no' };
  });
}

describe('the tasks of a new user, each in at most six lines', () => {
  it('classifies records with a number and a text column, by class name', async () => {
    const rows = buyers(), held = buyers(200, 99);
    // --- user code (4 lines)
    const model = await train(rows, { target: 'bought' });
    const [p] = model.predict([{ age: 60, city: 'Paris' }]);
    const report = model.evaluate(held);
    // ---
    expect(p.label).toBe('yes');
    expect(p.probabilities.yes).toBeGreaterThan(0.5);
    expect(p.probabilities.yes + p.probabilities.no).toBeCloseTo(1, 6);
    expect(report.task === 'classification' && report.accuracy).toBeGreaterThanOrEqual(0.95);
    // The model is the one the CLI would make: one sigmoid output for two classes, the defaults' five networks of
    // 100 relu units averaged into one of 500.
    expect(model.network.layers.map((l) => `${l.units} ${l.activation.name}`)).toEqual(['500 relu', '1 sigmoid']);
    // The default epochs (the history is the first network's): run until its fold's loss stops falling (320 rows,
    // 320 of the 400 rows training each: patience 500 steps, 50 epochs, cap 1000), the weights those of the epoch with the lowest validation loss.
    const h = model.history!, valLosses = h.epochs.map((e) => e.valLoss!);
    expect(h.stopReason).toBe('converged');
    expect(h.epochs.length).toBeLessThan(1000);
    expect(valLosses[h.finalEpoch - 1]).toBe(Math.min(...valLosses));
    expect(model.classes).toEqual(['no', 'yes']);
  }, 60_000);

  it('fits a regression from number[][] and number[], the target scaled as the CLI does', async () => {
    const r = new Random(3);
    const x = Array.from({ length: 400 }, () => [r.uniform(-1, 1), r.uniform(-1, 1)]);
    const f = ([a, b]: number[]): number => 300 + 100 * a - 50 * b * b;
    // --- user code (2 lines)
    const model = await train(x, { y: x.map(f) });
    const report = model.evaluate({ x1: x.map((v) => v[0]), x2: x.map((v) => v[1]), y: x.map(f) });
    // ---
    // Held-out rows as number[][], their targets apart.
    const held = Array.from({ length: 100 }, () => [r.uniform(-1, 1), r.uniform(-1, 1)]);
    const heldReport = model.evaluate(held, { y: held.map(f) });
    expect(heldReport.r2).toBeGreaterThanOrEqual(0.9);
    expect(report.task === 'regression' && report.r2).toBeGreaterThanOrEqual(0.9);
    expect(model.target).toMatchObject({ task: 'regression', scale: { mean: expect.any(Number), std: expect.any(Number) } });
    const [p] = model.predict([[0.5, 0.5]]);
    expect(Math.abs(p.value! - f([0.5, 0.5]))).toBeLessThan(15);
  }, 60_000);

  it('trains on a CSV file from code, saves it, and another process loads it and predicts the same to the last digit', async () => {
    const path = join(dir, 'iris-lib.json');
    // --- user code (3 lines)
    const iris = await train(await readTable(join(ROOT, 'data/iris.csv')), { target: 'species', layers: [32, 16], epochs: 50, seed: 3 });
    saveModel(path, iris);
    // ---
    const flower = { sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 };
    const program = `import { loadModel } from ${JSON.stringify(join(ROOT, 'dist/node/index.js'))};\n` +
      `console.log(JSON.stringify(loadModel(${JSON.stringify(path)}).predict([${JSON.stringify(flower)}])));`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', program], { encoding: 'utf8' });
    expect(child.stderr).toBe('');
    const there = JSON.parse(child.stdout);
    expect(there).toEqual(iris.predict([flower]));
    expect(there[0].label).toBe('setosa');
    expect(loadModel(path).predict([flower])).toEqual(there);
  }, 60_000);

  it('exports a Model as ONNX that onnxruntime runs to the same probabilities, and as TF.js and a standalone module', async () => {
    const rows = buyers(200);
    const model = await train(rows, { target: 'bought', epochs: 10, layers: [8] });
    const { exportONNX, exportTFJS, exportStandalone } = await import('../src/interop/index.js');
    const ort = await import('onnxruntime-node');
    const session = await ort.InferenceSession.create(exportONNX(model));
    // The graph takes the raw columns (its preprocessing is inside it) and gives each class's probability.
    const five = rows.slice(0, 5);
    const out = await session.run({
      age: new ort.Tensor('float32', Float32Array.from(five, (r) => r.age), [5, 1]),
      city: new ort.Tensor('string', five.map((r) => r.city), [5, 1]),
    });
    const probabilities = Array.from(out.probabilities.data as Float32Array);
    const ours = model.predict(five).map((p) => p.probabilities.yes);
    ours.forEach((p, i) => expect(Math.abs(probabilities[2 * i + 1] - p)).toBeLessThan(1e-5));
    expect(exportTFJS(model).modelJSON.format).toBe('layers-model');
    expect(exportStandalone(model).js).toContain('export function predict');
  }, 60_000);

  it('round-trips through toJSON and fromJSON (and JSON text) to identical predictions', async () => {
    const rows = buyers(120);
    const model = await train(rows, { target: 'bought', epochs: 5 });
    const again = Model.fromJSON(JSON.parse(JSON.stringify(model.toJSON())));
    expect(again.predict(rows)).toEqual(model.predict(rows));
    expect(Model.parse(model.stringify()).predict(rows)).toEqual(model.predict(rows));
  }, 60_000);
});

describe('the library and the command line are one', () => {
  it('train(readTable(file)) + saveModel and `backprop train file` write byte-identical model files', async () => {
    const csv = join(dir, 'buyers.csv');
    writeFileSync(csv, 'age,city,bought\n' + buyers(300).map((b) => `${b.age},${b.city},${b.bought}`).join('\n') + '\n');
    const cli = join(dir, 'cli.json'), lib = join(dir, 'lib.json');
    const run = backprop(['train', csv, '--seed', '3', '--layers', '16,8', '--epochs', '20', '--dropout', '0.1', '--class-weight', 'balanced', '--out', cli, '--quiet']);
    expect(run.stderr).toBe('');
    saveModel(lib, await train(await readTable(csv), { seed: 3, layers: [16, 8], epochs: 20, dropout: 0.1, classWeight: 'balanced' }));
    expect(readFileSync(lib).equals(readFileSync(cli))).toBe(true);
  }, 60_000);

  it('crossValidate gives what `backprop cv --json` prints', async () => {
    const run = backprop(['cv', 'iris', '--folds', '3', '--epochs', '10', '--layers', '8', '--json']);
    expect(run.stderr).toBe('');
    const result = await crossValidate(await readTable('iris'), { folds: 3, epochs: 10, layers: [8] });
    expect(JSON.parse(run.stdout)).toEqual(JSON.parse(JSON.stringify(result)));
  }, 60_000);

  it('tune gives what `backprop tune --json` prints, and importance what `backprop importance --json` does', async () => {
    const run = backprop(['tune', 'iris', '--trials', '3', '--epochs', '6', '--json']);
    expect(run.stderr).toBe('');
    // From the build, whose worker threads run the built worker module.
    const { tune } = await import('../dist/node/index.js');
    const result = await tune(await readTable('iris'), { trials: 3, epochs: 6 });
    expect(JSON.parse(run.stdout)).toEqual({ ...JSON.parse(JSON.stringify(result)), model: null });

    const path = join(dir, 'iris-imp.json');
    expect(backprop(['train', 'iris', '--epochs', '20', '--out', path, '--quiet']).code).toBe(0);
    const cli = JSON.parse(backprop(['importance', path, 'iris', '--json', '--repeats', '3']).stdout);
    expect(loadModel(path).importance(await readTable('iris'), { repeats: 3 })).toEqual(cli);
  }, 60_000);

  it('evaluate gives what `backprop evaluate --json` prints', async () => {
    const path = join(dir, 'iris-eval.json');
    expect(backprop(['train', 'iris', '--epochs', '20', '--out', path, '--quiet']).code).toBe(0);
    const cli = JSON.parse(backprop(['evaluate', path, 'data/iris.csv', '--json']).stdout);
    const { task: _task, ...report } = loadModel(path).evaluate(await readTable('data/iris.csv')) as unknown as Record<string, unknown>;
    expect(report).toEqual(cli);
  }, 60_000);

  it('explain gives the update `backprop explain --json` shows', async () => {
    const path = join(dir, 'iris-explain.json');
    expect(backprop(['train', 'iris', '--epochs', '5', '--layers', '4', '--out', path, '--quiet']).code).toBe(0);
    const cli = JSON.parse(backprop(['explain', path, '--input', '5.1,3.5,1.4,0.2', '--target', 'setosa', '--lr', '0.5', '--json']).stdout);
    const trace = loadModel(path).explain({ sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2, species: 'setosa' });
    expect(JSON.parse(JSON.stringify(trace))).toEqual(cli);
  }, 60_000);
});

describe('data in every form', () => {
  const rows = buyers(150);
  const columns = { age: rows.map((r) => r.age), city: rows.map((r) => r.city), bought: rows.map((r) => r.bought) };

  it('records, an object of columns and an Apache Arrow table train the same model', async () => {
    const options = { target: 'bought', epochs: 3, layers: [8] } as const;
    const a = await train(rows, options);
    const b = await train(columns, options);
    const c = await train(tableFromArrays({ age: Float64Array.from(columns.age), city: columns.city, bought: columns.bought }), options);
    expect(b.stringify()).toBe(a.stringify());
    expect(c.stringify()).toBe(a.stringify());
  }, 60_000);

  it('a misspelled option is an error that suggests the right one; a bad value names the option', async () => {
    await expect(train(rows, { target: 'bought', learningRat: 0.1 } as never)).rejects.toThrow(/options: unknown option "learningRat"/);
    await expect(train(rows, { target: 'bought', epoch: 3 } as never)).rejects.toThrow(/did you mean "epochs"\?/);
    await expect(train(rows, { target: 'bought', layers: [0] })).rejects.toThrow(/^layers: expected a list of positive integers/);
    await expect(train(rows, { target: 'bought', activation: 'relus' as never })).rejects.toThrow(/activation: .*did you mean "relu"/);
    await expect(train(rows, { target: 'boughtt' as never })).rejects.toThrow(/no column "boughtt" to use as the target/);
  }, 60_000);

  it('records are checked with the row and field at fault; unused fields are ignored', async () => {
    const model = await train(rows, { target: 'bought', epochs: 2 });
    // A category the model never saw: all zeros by default, counted; an error where asked.
    expect(model.predict([{ age: 30, city: 'Berlin' }])).toHaveLength(1);
    expect(model.predictWithReport([{ age: 30, city: 'Berlin' }, { age: 30, city: 'Lima' }]).unseen).toEqual({ city: 2 });
    expect(() => model.predict([{ age: 30, city: 'Berlin' }], { unknown: 'error' })).toThrow(/predict, row 1, field "city": the value "Berlin", which the model never saw; known values: Oslo, Paris, Rome/);
    // A word among the numbers, which the training rows never had there: as an unseen category, a missing value by
    // default (counted), an error where asked.
    expect(model.predictWithReport([{ age: 30, city: 'Oslo' }, { age: 'old', city: 'Oslo' } as never]).unseen).toEqual({ age: 1 });
    expect(() => model.predict([{ age: 30, city: 'Oslo' }, { age: 'old', city: 'Oslo' } as never], { unknown: 'error' })).toThrow(/predict, row 2, field "age": the word "old", which the model never saw in this column of numbers/);
    // A bad row skipped where asked: null in its place, the others predicted, the fault listed.
    const skipped = model.predictWithReport([{ age: 30, city: 'Oslo' }, { age: 'old', city: 'Oslo' } as never], { onInvalidRow: 'skip', unknown: 'error' });
    expect(skipped.predictions[0]).not.toBeNull();
    expect(skipped.predictions[1]).toBeNull();
    expect(skipped.invalid).toEqual([{ row: 2, message: 'predict, row 2, field "age": the word "old", which the model never saw in this column of numbers' }]);
    // A missing field is a missing value: filled (the training rows had none in city, so it has no level: all zeros).
    expect(model.predictWithReport([{ age: 30, city: 'Oslo' }, { age: 31 } as never]).missing).toEqual({ city: 1 });
    expect(model.predict([{ age: 30, city: 'Oslo', name: 'Ann' } as never])).toHaveLength(1);
    expect(() => model.predict([{ age: true, city: 'Oslo' } as never], { unknown: 'error' })).toThrow(/predict, row 1, field "age": the word "true", which the model never saw/);
    expect(() => model.predict([{ age: Infinity, city: 'Oslo' } as never])).toThrow(/predict, row 1, field "age": Infinity is not a finite number/);
    expect(() => model.predict({ age: 30, city: 'Oslo' } as never)).toThrow(/got one record; wrap it in a list: \[record\]/);
    await expect(train(rows, { target: 'Bought' as never })).rejects.toThrow(/no column "Bought" to use as the target; did you mean "bought"\?/);
    await expect(train([[1, 2], [3, 4]])).rejects.toThrow(/^y: rows given as number\[\]\[\] need their targets apart/);
    // A word among numbers in training rows: one word in one row is a missing value the model keeps (naWords).
    const oneWord = await train([...rows, { age: 'x', city: 'Oslo', bought: 'no' }], { target: 'bought', epochs: 1 });
    expect(oneWord.preprocessing.features[0]).toMatchObject({ name: 'age', type: 'numeric', indicator: true, naWords: ['x'] });
    // Words in more rows than a quarter, among mostly numbers: neither reading is safe, an error naming the first.
    const bad: TableRecord[] = [...rows, ...Array.from({ length: 60 }, (_, i) => ({ age: i % 2 ? 'x' : 'y', city: 'Oslo', bought: 'no' }))];
    await expect(train(bad, { target: 'bought' })).rejects.toThrow(BackpropError);
    await expect(train(bad, { target: 'bought' })).rejects.toThrow(/row 151, field "age": "y" is not a number, though most of the column's values are \(60 of 210 rows have words: "x" \(30 rows\), "y" \(30 rows\)\)/);
  }, 60_000);

  it('onEpoch sees every epoch, and a signal stops the run with the weights reached', async () => {
    const seen: number[] = [];
    const controller = new AbortController();
    const model = await train(rows, { target: 'bought', epochs: 50, signal: controller.signal, onEpoch: (logs) => {
      seen.push(logs.epoch);
      if (logs.epoch === 3) controller.abort();
    } });
    expect(seen).toEqual([1, 2, 3]);
    expect(model.history!.stopReason).toBe('aborted');
  }, 60_000);
});
