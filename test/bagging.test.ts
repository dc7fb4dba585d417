// The defaults' new parts (issue 34): the piecewise-linear encoding of numeric inputs and the bagged networks merged
// into one. Checked against PyTorch (fixtures/bagging-torch.json, made by fixtures/make_bagging.py), finite
// differences, the model file's checks, and the rule that train, crossValidate and the command line run the same
// defaults.
import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  averageNetworks, crossValidate, encodeFrameInputs, fitPiecewise, encodePiecewise, gradientCheck, fromRows, Model, Network, valueSlots,
  parseModel, planTraining, referenceKernels, stringifyModel, train, zeros, type LayerWeights,
  BAGGING_MAX_ROWS, REFIT_MAX_ROWS, MAX_PIECEWISE_BYTES, piecewiseWidth, withPiecewise, baggedRuns, chooseBagged, keptLoss, type Preprocessing,
} from '../src/index.js';
import { readTable } from '../src/node/index.js';
import { backprop, ROOT, tempDir } from './cli-helpers.js';

const fixture = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/bagging-torch.json'), 'utf8'));
const dir = tempDir();

/** A seeded table: two numbers, a text column, and a class that depends on them unevenly (steps in a). */
function table(rows: number): string {
  let s = 99;
  const random = (): number => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296);
  const lines = ['a,b,colour,kind'];
  for (let i = 0; i < rows; i++) {
    const a = random() * 10, b = random() * 2 - 1, c = ['red', 'green', 'blue'][Math.floor(random() * 3)];
    const v = (a > 3 && a < 6 ? 1 : 0) + b + (c === 'red' ? 0.5 : 0);
    lines.push(`${a.toFixed(3)},${b.toFixed(3)},${c},${v > 0.8 ? 'yes' : 'no'}`);
  }
  return lines.join('\n') + '\n';
}

describe('the piecewise-linear encoding, against PyTorch\'s script', () => {
  const x = fromRows(fixture.x, 'float64');
  it('fits the same edges (quantiles of each column; a yes/no column passes through)', () => {
    const p = fitPiecewise(x, fixture.candidates, fixture.bins, undefined, { value: true });
    expect(p).toEqual(fixture.piecewise);
  });
  it('bins no more than the rows allow: at most rows / columns a column, none below two', () => {
    const wide = zeros(200, 10, 'float64');
    for (let i = 0; i < wide.data.length; i++) wide.data[i] = Math.sin(i * 12.9898) * 43758.5453 % 1;
    const columns = Array.from({ length: 10 }, (_, j) => j);
    expect(fitPiecewise(wide, columns, 16, undefined, { trainingRows: 200 }).columns.every((c) => c.edges.length - 1 === 16)).toBe(true);
    expect(fitPiecewise(wide, columns, 16, undefined, { trainingRows: 45 }).columns.every((c) => c.edges.length - 1 === 4)).toBe(true);
    expect(fitPiecewise(wide, columns, 16, undefined, { trainingRows: 19 }).columns).toEqual([]);
  });
  it('encodes every row as the script does', () => {
    const encoded = encodePiecewise(fixture.piecewise, x, (r, c) => zeros(r, c, 'float64'));
    expect(encoded.cols).toBe(fixture.encoded[0].length);
    fixture.encoded.flat().forEach((v: number, i: number) => expect(Math.abs(encoded.data[i] - v)).toBeLessThan(1e-12));
  });
  it('keeps at most 1024 encoded values, with fewer bins for many columns', () => {
    const wide = zeros(50, 300, 'float64');
    for (let i = 0; i < wide.data.length; i++) wide.data[i] = Math.sin(i * 12.9898) * 43758.5453 % 1;
    const p = fitPiecewise(wide, Array.from({ length: 300 }, (_, j) => j), 16);
    expect(p.columns.every((c) => c.edges.length - 1 === 3)).toBe(true);
    expect(p.columns.reduce((w, c) => w + c.edges.length - 1, 0)).toBeLessThanOrEqual(1024);
  });
});

describe('bagged networks merged into one, against PyTorch\'s script', () => {
  const encoded = fromRows(fixture.encoded, 'float64');
  it('a mixed average: a network on the rows without their bins reads the value slots of the encoding', () => {
    const p = fitPiecewise(fromRows(fixture.x, 'float64'), fixture.candidates, fixture.bins, undefined, { value: true });
    expect(valueSlots(p)).toEqual(fixture.mixed.slots);
    const members = fixture.mixed.members.map((weights: LayerWeights[], k: number) => {
      const net = new Network({
        inputs: k === 1 ? fixture.x[0].length : encoded.cols, layers: [{ units: 4, activation: 'relu' }, { units: 3, activation: 'softmax' }],
        loss: 'categorical-cross-entropy', dtype: 'float64', seed: k + 1,
      }, { kernels: referenceKernels });
      net.setWeights(weights);
      return net;
    });
    const merged = averageNetworks(members, { inputs: { width: encoded.cols, rows: [null, fixture.mixed.slots, null] } });
    const y = merged.predict(encoded);
    fixture.mixed.average.flat().forEach((v: number, i: number) => expect(Math.abs(y.data[i] - v)).toBeLessThan(1e-12));
    expect(() => averageNetworks(members)).toThrow(/network 2's 5 inputs are not among the 13 inputs of the average/);
  });
  for (const task of ['softmax', 'sigmoid', 'linear'] as const) {
    const c = fixture.cases[task];
    const members = c.members.map((weights: LayerWeights[], k: number) => {
      const net = new Network({
        inputs: encoded.cols, layers: [{ units: 4, activation: 'relu' }, { units: c.outputs, activation: task }],
        loss: task === 'softmax' ? 'categorical-cross-entropy' : task === 'sigmoid' ? 'binary-cross-entropy' : 'mse', dtype: 'float64', seed: k + 1,
      }, { kernels: referenceKernels });
      net.setWeights(weights);
      return net;
    });
    it(`${task}: each member's loss and gradients on the encoded rows equal autograd's`, () => {
      members.forEach((net: Network, k: number) => {
        const g = c.grads[k];
        expect(Math.abs(net.computeGradients(encoded, fromRows(c.targets, 'float64')) - g.loss)).toBeLessThan(1e-12);
        net.layers.forEach((layer, l) => {
          g.weights[l].flat().forEach((v: number, i: number) => expect(Math.abs(layer.gradW.data[i] - v)).toBeLessThan(1e-12));
          g.bias[l].forEach((v: number, i: number) => expect(Math.abs(layer.gradB!.data[i] - v)).toBeLessThan(1e-12));
        });
      });
    });
    it(`${task}: the merged network predicts the members' average (${task === 'linear' ? 'mean value' : 'of the logits'})`, () => {
      const merged = averageNetworks(members);
      expect(merged.layers.map((l) => l.units)).toEqual([12, c.outputs]);
      const y = merged.predict(encoded);
      c.average.flat().forEach((v: number, i: number) => expect(Math.abs(y.data[i] - v)).toBeLessThan(1e-12));
    });
  }

  it('a merged network of two hidden layers passes the finite-difference gradient check (its blocks are plain weights)', () => {
    const members = [1, 2].map((seed) => new Network({
      inputs: 3, layers: [{ units: 4, activation: 'tanh' }, { units: 3, activation: 'relu' }, { units: 2, activation: 'softmax' }], loss: 'categorical-cross-entropy', dtype: 'float64', seed,
    }, { kernels: referenceKernels }));
    const merged = averageNetworks(members);
    expect(merged.layers.map((l) => l.units)).toEqual([8, 6, 2]);
    // Member 2's second-layer units read only member 2's first-layer units: the off-diagonal blocks are zero.
    expect(merged.layers[1].W.data[0 * 6 + 3]).toBe(0);
    const report = gradientCheck(merged, [[0.3, -0.2, 0.5], [1, 0.1, -0.7]], [[1, 0], [0, 1]]);
    expect(report.maxRelError).toBeLessThan(1e-6);
  });
});

describe('the model file carries the encoding', () => {
  it('round-trips it, and refuses a broken one naming the field', async () => {
    writeFileSync(join(dir, 'kinds.csv'), table(200));
    const model = await train(await readTable(join(dir, 'kinds.csv')), { bagging: 2, layers: [6], epochs: 5 });
    expect(model.preprocessing.piecewise?.columns.length).toBe(2);
    const text = model.stringify();
    const back = Model.parse(text);
    expect(back.stringify()).toBe(text);
    const record = { a: 4.5, b: 0.1, colour: 'red' };
    expect(back.predict([record])[0].probabilities).toEqual(model.predict([record])[0].probabilities);
    const file = JSON.parse(text);
    const broken = (change: (f: { preprocessing: { piecewise: { columns: { input: number; edges: number[] }[] } } }) => void): string => {
      const f = JSON.parse(text);
      change(f);
      return JSON.stringify(f);
    };
    expect(() => parseModel(broken((f) => f.preprocessing.piecewise.columns[0].edges.reverse()), 'm.json')).toThrow(/m\.json: preprocessing\.piecewise\.columns\[0\]\.edges\[1\]/);
    expect(() => parseModel(broken((f) => { f.preprocessing.piecewise.columns[1].input = 2; }), 'm.json')).toThrow(/preprocessing\.piecewise\.columns\[1\]\.input/);
    expect(() => parseModel(broken((f) => { f.preprocessing.piecewise.columns[0].edges = [1, 2]; }), 'm.json')).toThrow(/preprocessing\.piecewise\.columns\[0\]\.edges/);
    expect(file.network.inputs).toBe(model.network.inputs);
  });
});

describe('the defaults are one rule for train, planTraining, crossValidate and the command line', () => {
  it('train() with no options: five networks on five folds, each stopped on its own fold, averaged; the same as the command line\'s model', async () => {
    const csv = join(dir, 'kinds300.csv');
    writeFileSync(csv, table(300));
    const frame = await readTable(csv);
    const plan = await planTraining(frame);
    expect(plan.members).toBe(5);
    // Eight networks train: the mixed five (2 and 4 on the values) and one more on the values for folds 1, 3 and 5;
    // then, on 300 rows, the five kept again on every row for their kept epochs, which fit's callbacks see too.
    const runs: number[] = [];
    await plan.fit({ callbacks: [{ onTrainEnd: (history) => void runs.push(history.epochsRun) }] });
    expect(runs).toHaveLength(8 + 5);
    expect(runs.slice(8)).toEqual(plan.refit!.epochs);
    expect(plan.refit!.epochs).toEqual(plan.memberRuns!.map((r) => r.history.finalEpoch));
    expect(plan.memberRuns!.map((r) => r.rows)).toEqual([240, 240, 240, 240, 240]);
    expect(plan.memberRuns!.every((r) => r.stop?.monitor === 'valLoss' && r.history.finalEpoch === r.stop.bestEpoch)).toBe(true);
    expect(plan.network.layers.map((l) => l.units)).toEqual([500, 1]);
    // The set of the lower out-of-fold loss is kept; its loss is its kept epochs' fold losses weighed by the folds' rows.
    const choice = plan.bagChoice!;
    expect(choice.kept).toBe(choice.values < choice.mixed ? 'values' : 'mixed');
    const pooled = plan.memberRuns!.reduce((a, r) => a + r.validationRows * keptLoss(r.history), 0) / 300;
    expect(choice[choice.kept]).toBeCloseTo(pooled, 12);
    // The kept networks on the values (2 and 4 of the mixed set, or all five) have no weight on a bin.
    const slots = new Set(valueSlots(plan.prep.piecewise!));
    const W = plan.network.layers[0].W.data;
    for (let r = 0; r < plan.network.inputs; r++) {
      if (slots.has(r)) continue;
      for (const k of choice.kept === 'values' ? [0, 1, 2, 3, 4] : [1, 3]) for (let c = 100 * k; c < 100 * (k + 1); c++) expect(W[r * 500 + c]).toBe(0);
    }
    expect(W.subarray(0, 500).some((v, c) => c >= 100 && c < 200 && v !== 0)).toBe(true);
    const model = await train(frame);
    expect(model.stringify()).toBe(stringifyModel(plan.network, plan.prep));
    const out = join(dir, 'cli.json');
    const r = backprop(['train', csv, '--out', out, '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(model.stringify());
  }, 120_000);

  it('on a small table each kept network trains again on every row for its kept epochs: the model is the average of single networks trained so', async () => {
    writeFileSync(join(dir, 'kinds300b.csv'), table(300));
    const frame = await readTable(join(dir, 'kinds300b.csv'));
    const plan = await planTraining(frame);
    await plan.fit();
    const epochs = plan.memberRuns!.map((r) => r.history.finalEpoch);
    expect(plan.refit).toEqual({ rows: 300, epochs });
    // Network k as train() makes it alone: its seed, all 300 rows, no validation, its kept epochs, on the bins or not.
    const onValues = (k: number): boolean => plan.bagChoice!.kept === 'values' || k % 2 === 1;
    const singles = await Promise.all(epochs.map((e, k) => train(frame, { bagging: 1, validation: 0, epochs: e, seed: 1 + k, ...(onValues(k) ? { bins: 0 } : {}) })));
    const merged = new Model(plan.network, plan.prep);
    const records = Array.from({ length: 40 }, (_, i) => ({ a: (i * 0.37) % 10, b: Math.sin(i), colour: ['red', 'green', 'blue'][i % 3] }));
    const logit = (p: number): number => Math.log(p) - Math.log1p(-p);
    const yes = (m: Model): number[] => m.predict(records).map((p) => p.probabilities!.yes);
    const average = records.map((_, i) => singles.reduce((a, m) => a + logit(yes(m)[i]), 0) / singles.length);
    yes(merged).forEach((p, i) => expect(Math.abs(p - 1 / (1 + Math.exp(-average[i])))).toBeLessThan(1e-5));
    // Above REFIT_MAX_ROWS rows the folds' networks are the model; at the bound, still trained again.
    writeFileSync(join(dir, 'kinds2001.csv'), table(REFIT_MAX_ROWS + 1));
    const big = await readTable(join(dir, 'kinds2001.csv'));
    const above = await planTraining(big, { epochs: 1 });
    await above.fit();
    expect(above.members).toBe(5);
    expect(above.refit).toBeUndefined();
    // No second set above the bound: five networks, the mixed set; the progress names what each reads.
    expect(above.runs).toEqual([0, 1, 2, 3, 4].map((fold) => ({ fold, unbinned: fold % 2 === 1 })));
    const shown = backprop(['train', join(dir, 'kinds2001.csv'), '--epochs', '1']);
    expect(shown.code, shown.stderr).toBe(0);
    expect([...shown.stdout.matchAll(/^ {2}network (\d)\/(\d) \(fold (\d), (bins|values)\)$/gm)].map((m) => m.slice(1).join(' ')))
      .toEqual(['1 5 1 bins', '2 5 2 values', '3 5 3 bins', '4 5 4 values', '5 5 5 bins']);
    const atBound = await planTraining(big, { epochs: 1 }, undefined, Uint32Array.from({ length: REFIT_MAX_ROWS }, (_, i) => i));
    await atBound.fit();
    expect(atBound.refit).toEqual({ rows: REFIT_MAX_ROWS, epochs: [1, 1, 1, 1, 1] });
  }, 120_000);

  it('keeps the mixed set or the one on the values alone by out-of-fold loss, the mixed one on a tie', () => {
    const prep = { piecewise: { inputs: 2, columns: [{ input: 0, edges: [0, 1, 2] }], value: true } } as unknown as Preprocessing;
    const runs = baggedRuns(prep, 3, 2000);
    expect(runs).toEqual([{ fold: 0, unbinned: false }, { fold: 1, unbinned: true }, { fold: 2, unbinned: false }, { fold: 0, unbinned: true }, { fold: 2, unbinned: true }]);
    // Folds of 10, 20 and 30 rows. Mixed: (10·0.5 + 20·0.4 + 30·0.6) / 60 = 0.51667; values: (10·0.3 + 20·0.4 + 30·0.7) / 60 = 0.53333.
    const mixed = chooseBagged(runs, [0.5, 0.4, 0.6, 0.3, 0.7], [10, 20, 30]);
    expect(mixed.kept).toEqual([0, 1, 2]);
    expect(mixed.choice!.mixed).toBeCloseTo(31 / 60, 14);
    expect(mixed.choice!.values).toBeCloseTo(32 / 60, 14);
    expect(mixed.choice!.kept).toBe('mixed');
    // Values (10·0.3 + 20·0.4 + 30·0.5) / 60 = 0.43333 below 0.51667: fold 1's network on the values serves both sets.
    expect(chooseBagged(runs, [0.5, 0.4, 0.6, 0.3, 0.5], [10, 20, 30]).kept).toEqual([3, 1, 4]);
    expect(chooseBagged(runs, [0.5, 0.4, 0.6, 0.5, 0.6], [10, 20, 30]).choice!.kept).toBe('mixed');
    // Above BAG_CHOICE_MAX_ROWS rows, or without value slots (no bins, or bins that drop their values), one set.
    expect(baggedRuns(prep, 3, 2001)).toEqual(runs.slice(0, 3));
    expect(baggedRuns({ piecewise: { inputs: 2, columns: [{ input: 0, edges: [0, 1, 2] }] } } as unknown as Preprocessing, 3, 100)).toHaveLength(3);
    expect(chooseBagged(baggedRuns({} as Preprocessing, 3, 100), [1, 2, 3], [1, 1, 1])).toEqual({ kept: [0, 1, 2] });
  });

  it('a fold of crossValidate with no options is train() on the fold\'s rows', async () => {
    const csv = join(dir, 'kinds120.csv');
    writeFileSync(csv, table(120));
    const frame = await readTable(csv);
    const cv = await crossValidate(frame, { folds: 2 });
    // The folds crossValidate deals (seed 1): rebuilt here, then trained by train on a table of just those rows.
    const { stratifiedFolds, describeFrame } = await import('../src/index.js');
    const description = describeFrame(frame);
    const held = stratifiedFolds(frame.rows, 2, { seed: 1, stratify: description.classIndex! });
    const lines = readFileSync(csv, 'utf8').trimEnd().split('\n');
    const inFold = new Set(held[0]);
    writeFileSync(join(dir, 'fold-train.csv'), [lines[0], ...lines.slice(1).filter((_, i) => !inFold.has(i))].join('\n') + '\n');
    writeFileSync(join(dir, 'fold-test.csv'), [lines[0], ...lines.slice(1).filter((_, i) => inFold.has(i))].join('\n') + '\n');
    const model = await train(await readTable(join(dir, 'fold-train.csv')));
    const report = model.evaluate(await readTable(join(dir, 'fold-test.csv')));
    expect(cv.folds[0].metrics.accuracy).toBe(report.accuracy);
    expect(cv.folds[0].metrics.loss).toBeCloseTo(report.loss!, 6);
    void encodeFrameInputs;
  }, 120_000);

  it('streamed training runs the same rule: the same bins (to float32 rounding), five networks averaged', async () => {
    // Three epochs each, to keep the test short (every epoch reads the file twice per network).
    const csv = join(dir, 'kinds-stream.csv');
    writeFileSync(csv, table(300));
    const out = join(dir, 'streamed.json');
    const r = backprop(['train', csv, '--stream', '--epochs', '3', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/300 rows in 5 folds/);
    // As in memory: each kept network trains again on all 300 rows for its kept epochs.
    expect(r.stdout).toMatch(/^refit {4}each kept network trained again from its start on all 300 rows for its kept epochs \(3, 3, 3, 3, 3\)$/m);
    const streamed = Model.parse(readFileSync(out, 'utf8'));
    const inMemory = await train(await readTable(csv), { epochs: 3 });
    expect(streamed.network.layers.map((l) => l.units)).toEqual([500, 1]);
    const edges = (m: Model): number[][] => m.preprocessing.piecewise!.columns.map((c) => c.edges);
    expect(edges(streamed).map((e) => e.length)).toEqual(edges(inMemory).map((e) => e.length));
    edges(streamed).flat().forEach((e, i) => expect(Math.abs(e - edges(inMemory).flat()[i])).toBeLessThan(1e-5));
  }, 120_000);

  it('a table of more than 10,000 rows gets one network with the validation share, in memory (a fold\'s rows decide as a table\'s do) and streamed', async () => {
    const csv = join(dir, 'kinds10001.csv');
    writeFileSync(csv, table(BAGGING_MAX_ROWS + 1));
    const big = await readTable(csv);
    const one = await planTraining(big, { epochs: 1 });
    expect(one.members).toBe(1);
    // The default share, stratified: 20% of 10,001 rows held out, the preprocessing fitted without them.
    expect(one.validationRows).toBeGreaterThanOrEqual(1999);
    expect(one.validationRows).toBeLessThanOrEqual(2001);
    expect(one.trainingRows + one.validationRows).toBe(BAGGING_MAX_ROWS + 1);
    // At the bound itself, still five: the fold's rows decide, as train would on a table of just them.
    const atBound = await planTraining(big, { epochs: 1 }, undefined, Uint32Array.from({ length: BAGGING_MAX_ROWS }, (_, i) => i));
    expect(atBound.members).toBe(5);
    // Streamed: one network too, holding out the same share (rows picked by the seeded hash).
    const r = backprop(['train', csv, '--stream', '--epochs', '1', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout) as { training: { bagging?: unknown[]; trainRows: number; validationRows: number } };
    expect(json.training.bagging ?? []).toHaveLength(0);
    expect(json.training.trainRows + json.training.validationRows).toBe(BAGGING_MAX_ROWS + 1);
    expect(json.training.validationRows / (BAGGING_MAX_ROWS + 1)).toBeCloseTo(0.2, 1);
  }, 120_000);

  it('no bins where the binned training rows would pass 256 MiB as float32', async () => {
    // One numeric column of 16 bins beside its value takes 17 inputs: 3.95 million rows of them pass 256 MiB.
    const column = (rows: number): Float64Array => Float64Array.from({ length: rows }, (_, i) => Math.sin(i * 12.9898) * 43758.5453 % 1);
    const values = column(4_000_000);
    const frame = { source: 'big', rows: values.length, columns: [{ name: 'a', kind: 'numeric' as const, values }, { name: 'y', kind: 'numeric' as const, values: values.map((v) => v * 2) }], where: () => '' };
    const { describeFrame, fitFramePreprocessing } = await import('../src/index.js');
    const prep = fitFramePreprocessing(describeFrame(frame, 'y', 'regression'), frame, Uint32Array.from({ length: 1000 }, (_, i) => i));
    const fits = (rows: number): boolean => withPiecewise(prep, frame, Uint32Array.from({ length: rows }, (_, i) => i), 16).piecewise !== undefined;
    const width = piecewiseWidth(withPiecewise(prep, frame, Uint32Array.from({ length: 1000 }, (_, i) => i), 16).piecewise!);
    expect(width).toBe(17);
    expect(fits(Math.floor(MAX_PIECEWISE_BYTES / 4 / width))).toBe(true);
    expect(fits(Math.floor(MAX_PIECEWISE_BYTES / 4 / width) + 1)).toBe(false);
  }, 60_000);

  it('refuses a validation share beside bagging, and too few rows for the folds, naming the option', async () => {
    const frame = await readTable(join(dir, 'kinds300.csv'));
    await expect(train(frame, { bagging: 5, validation: 0.2 })).rejects.toThrow(/^validation: with bagging 5/);
    await expect(train(frame, { bins: 1 })).rejects.toThrow(/^bins: expected/);
    const tiny = await readTable((writeFileSync(join(dir, 'tiny.csv'), table(8)), join(dir, 'tiny.csv')));
    await expect(train(tiny, { bagging: 5 })).rejects.toThrow(/^bagging: 5 networks/);
    // Left to the default, a table of 8 rows gets 4 networks, each holding out 2 rows.
    expect((await train(tiny, { epochs: 2 })).network.layers[0].units).toBe(400);
    const r = backprop(['train', join(dir, 'kinds300.csv'), '--bagging', '3', '--validation', '0.1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^backprop: --validation: with bagging 3/);
  }, 60_000);
});
