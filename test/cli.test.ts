// The backprop command end to end, run as a child process: every subcommand, --json outputs, and the seeds' examples.
import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseModel } from '../src/index.js';
import { barLine, progressCallback } from '../src/cli/progress.js';
import { backprop, tempDir, writeFile } from './cli-helpers.js';

const dir = tempDir();
const model = join(dir, 'iris.json');
const plot = join(dir, 'iris.svg');
const IRIS = 'data/iris.csv';

describe('backprop train', () => {
  // One network on the scaled inputs (--bagging 1 --bins 0): the single network's report, with its validation split.
  const run = backprop(['train', IRIS, '--bagging', '1', '--bins', '0', '--layers', '8', '--activation', 'tanh', '--optimizer', 'sgd', '--lr', '0.1', '--batch-size', '8',
    '--epochs', '60', '--out', model, '--plot', plot, '--json']);
  const result = JSON.parse(run.stdout);

  it('trains iris from a CSV file and prints one JSON object', () => {
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(result.data).toMatchObject({ source: IRIS, rows: 150, inputs: 4, target: 'species', task: 'classification', classes: ['setosa', 'versicolor', 'virginica'] });
    expect(result.network.layers).toEqual([{ units: 8, activation: 'tanh', bias: true }, { units: 3, activation: 'softmax', bias: true }]);
    expect(result.training).toMatchObject({ trainRows: 120, validationRows: 30, stopReason: 'completed', finalEpoch: 60 });
    expect(result.history).toHaveLength(60);
    expect(result.metrics.train.accuracy).toBeGreaterThan(0.95);
    expect(result.metrics.validation.accuracy).toBeGreaterThan(0.85);
    expect(result.history[59].valAccuracy).toBe(result.metrics.validation.accuracy);
  });

  it('writes a model file that loads, with the scaling and class names', () => {
    const loaded = parseModel(readFileSync(model, 'utf8'), model);
    expect(loaded.preprocessing?.features.map((f) => f.name)).toEqual(['sepal_length', 'sepal_width', 'petal_length', 'petal_width']);
    expect(loaded.preprocessing?.scaler?.kind).toBe('standard');
    expect(loaded.preprocessing?.target).toEqual({ name: 'species', task: 'classification', classes: ['setosa', 'versicolor', 'virginica'] });
    expect(readFileSync(plot, 'utf8')).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  });

  it('is deterministic: the same command writes the same model bytes', () => {
    const again = join(dir, 'again.json');
    backprop(['train', IRIS, '--bagging', '1', '--bins', '0', '--layers', '8', '--activation', 'tanh', '--optimizer', 'sgd', '--lr', '0.1', '--batch-size', '8', '--epochs', '60', '--out', again, '--quiet']);
    expect(readFileSync(again, 'utf8')).toBe(readFileSync(model, 'utf8'));
  });

  it('prints a one-screen summary with periodic progress lines when not on a terminal', () => {
    const text = backprop(['train', 'xor', '--bagging', '1', '--bins', '0', '--epochs', '30', '--samples', '200']);
    expect(text.code).toBe(0);
    const lines = text.stdout.trim().split('\n');
    expect(lines[0]).toBe('data     xor: 200 rows, 2 features (2 numeric, standardized) → 2 inputs');
    // A table of text alone names no numeric columns ("0 numeric, standardized" before).
    const words = join(dir, 'words.csv');
    writeFileSync(words, ['c,d,y', ...Array.from({ length: 40 }, (_, i) => `k${i % 3},m${i % 2},${i % 2}x`)].join('\n') + '\n');
    expect(backprop(['train', words, '--epochs', '1', '--bagging', '1', '--out', join(dir, 'words.json')]).stdout.split('\n')[0]).toBe(`data     ${words}: 40 rows, 2 features (2 text, one-hot encoded) → 5 inputs`);
    expect(lines[1]).toBe('target   label: classification, 2 classes (0, 1): two distinct values; --task regression predicts them as numbers');
    expect(lines[3]).toMatch(/^network  2-100-1 \(relu, sigmoid\), loss binary-cross-entropy, adam η=0.001, batch 32, 30 epochs, (blas \(.*\)|wasm-simd(×\d+)?) kernels$/);
    // The default L2 penalty is 3/n for the 160 training rows (0.0187) bounded by 0.3/Σw² of the initial weights for
    // classes (Σw² ≈ 219 for the He-initialised 2-100-1 network), the smaller here; a regression's bound is 2/Σw²
    // (the same network's, the plane's 240 training rows: 3/n 0.0125).
    expect(lines[4]).toBe('controls l2 0.00137 (0.3/Σw² of the initial weights, below 3/n)');
    expect(backprop(['train', 'plane', '--bagging', '1', '--bins', '0', '--epochs', '1']).stdout.split('\n')[4]).toBe('controls l2 0.00912 (2/Σw² of the initial weights, below 3/n)');
    expect(lines.filter((l) => /^ {2}epoch +\d+\/30 {2}loss \d\.\d{4} {2}accuracy [\d.]+% {2}val loss/.test(l)).length).toBeGreaterThanOrEqual(10);
    expect(text.stdout).toMatch(/final {4}train loss [\d.]+ {2}accuracy [\d.]+%\n {9}validation loss/);
    expect(text.stdout).toContain('model    not saved (add --out model.json to keep it)');
    expect(backprop(['train', 'xor', '--epochs', '3', '--quiet']).stdout).toBe('');
    expect(backprop(['train', 'xor', '--bagging', '1', '--epochs', '1', '--backend', 'reference']).stdout).toMatch(/, 1 epoch, reference kernels\n/);
  }, 60_000);

  it('the defaults\' summary: the bins, five networks on five folds, each one\'s stop, the out-of-fold validation figures', () => {
    const text = backprop(['train', 'xor', '--samples', '200']);
    expect(text.code, text.stderr).toBe(0);
    const lines = text.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^data {5}xor: 200 rows, 2 features \(2 numeric, standardized; 2 scaled inputs piecewise-linear over up to 16 bins, each beside its value\) → 34 inputs$/);
    expect(lines[2]).toBe('split    200 rows in 5 folds (seed 1): network k trains on the others and holds out fold k, about 40 rows');
    expect(lines[3]).toMatch(/^network  5 × 34-100-1 \(relu, sigmoid\), .*up to 1000 epochs \(until the validation loss stops falling\), .*; networks 2, 4 on the 2 values without their bins, and 6, 7, 8 on the values for folds 1, 3, 5 \(8 networks; the 5 of the lower out-of-fold loss kept\); averaged into one network of 500 units$/);
    // 160 rows a network, 5 steps an epoch: 500 steps of patience are 100 epochs, so a network may meet the cap first.
    for (let k = 1; k <= 5; k++) expect(text.stdout).toMatch(new RegExp(`\nnetwork \\d+ \\(fold ${k}\\): stopped epoch \\d+: (the validation loss fell less than 0.0001 below its best for 100 epochs|the cap on epochs); kept epoch \\d+, the lowest validation loss`));
    expect(text.stdout).toMatch(/\nkept {5}(networks 1, 3, 5 on the bins and 2, 4 on the values: out-of-fold loss [\d.]+ against [\d.]+ for 6, 2, 7, 4, 8, the values alone|networks 6, 2, 7, 4, 8, the values alone: out-of-fold loss [\d.]+ against [\d.]+ with 1, 3, 5 on the bins)$/m);
    // Each network's epochs come under its name, in the order they train: the mixed set, then folds 1, 3, 5 again
    // on the values; the stop lines name the kept networks by those numbers.
    const heads = [...text.stdout.matchAll(/^ {2}network (\d)\/(\d) \(fold (\d), (bins|values)\)\n {2}epoch +1\//gm)].map((m) => m.slice(1).join(' '));
    expect(heads).toEqual(['1 8 1 bins', '2 8 2 values', '3 8 3 bins', '4 8 4 values', '5 8 5 bins', '6 8 1 values', '7 8 3 values', '8 8 5 values']);
    const values = text.stdout.includes('networks 6, 2, 7, 4, 8, the values alone');
    const named = [...text.stdout.matchAll(/^network (\d) \(fold (\d)\): stopped/gm)].map((m) => Number(m[1]));
    expect(named).toEqual(values ? [6, 2, 7, 4, 8] : [1, 2, 3, 4, 5]);
    // Then the second round on every row, each kept network by its number, for its kept epochs (the refit line's).
    const refit = text.stdout.match(/^refit {4}each kept network trained again from its start on all 200 rows for its kept epochs \(([\d, ]+)\)$/m)!;
    const kept = [...text.stdout.matchAll(/: stopped epoch \d+: .*; kept epoch (\d+),/g)].map((m) => Number(m[1]));
    expect(refit[1].split(', ').map(Number)).toEqual(kept);
    const again = [...text.stdout.matchAll(/^ {2}network (\d) again, on all 200 rows \((\d)\/5\)\n((?: {2}epoch .*\n)+)/gm)];
    expect(again.map((m) => [Number(m[1]), Number(m[2])])).toEqual(named.map((n, k) => [n, k + 1]));
    expect(again.map((m) => m[3].trimEnd().split('\n').at(-1)!.match(/epoch +(\d+)\/(\d+)/)!.slice(1).map(Number))).toEqual(kept.map((e) => [e, e]));
    // After the first round's eight, in the order they train.
    expect(text.stdout.indexOf('  network 1 again')).toBeGreaterThan(text.stdout.indexOf('  network 8/8'));
    expect(text.stdout).toMatch(/final {4}train loss [\d.]+ {2}accuracy [\d.]+%\n {9}validation \(out of fold\) loss [\d.]+ {2}accuracy [\d.]+%/);
  }, 120_000);

  it('one-hot encodes text features and trains a regression target (five networks, out-of-fold R²)', () => {
    const rows = ['size,colour,price'];
    for (let i = 0; i < 120; i++) {
      const size = (i % 12) + 1, colour = ['red', 'green', 'blue'][i % 3];
      rows.push(`${size},${colour},${(3 * size + (colour === 'red' ? 10 : 0) + 0.5).toFixed(1)}`);
    }
    const csv = writeFile(dir, 'prices.csv', rows.join('\n') + '\n');
    const out = join(dir, 'prices.json');
    const r = backprop(['train', csv, '--bins', '0', '--epochs', '300', '--layers', '8', '--out', out, '--json']);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.data.task).toBe('regression');
    expect(result.data.inputs).toBe(4); // size + three colours
    expect(result.metrics.validation.r2).toBeGreaterThan(0.95);
    const loaded = parseModel(readFileSync(out, 'utf8'));
    expect(loaded.preprocessing?.features[1]).toEqual({ name: 'colour', type: 'categorical', categories: ['blue', 'green', 'red'] });
    const pred = backprop(['predict', out, '-', '--json'], 'size,colour\n10,red\n10,blue\n');
    expect(pred.code).toBe(0);
    const [red, blue] = JSON.parse(pred.stdout).map((p: { price: number }) => p.price);
    expect(red - blue).toBeGreaterThan(5);
    expect(Math.abs(blue - 30.5)).toBeLessThan(3);
  }, 60_000);

  it('early stopping ends a run whose validation loss stops improving', () => {
    const r = backprop(['train', 'gauss', '--epochs', '500', '--early-stopping', '5', '--json']);
    const result = JSON.parse(r.stdout);
    expect(result.training.stopReason).toBe('early-stopping');
    expect(result.history.length).toBeLessThan(500);
    expect(result.history.length).toBe(result.training.finalEpoch + 5);
  });
});

describe('backprop evaluate', () => {
  it('prints accuracy, a confusion matrix and per-class scores', () => {
    const r = backprop(['evaluate', model, IRIS]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^data\/iris\.csv: 150 rows\nloss {6}[\d.]+\naccuracy  [\d.]+%\n/);
    expect(r.stdout).toContain('confusion matrix (rows: true class, columns: predicted)');
    expect(r.stdout).toMatch(/\nclass +precision +recall +f1 +support\n/);
  });

  it('--json: the confusion matrix adds up and agrees with the accuracy', () => {
    const r = JSON.parse(backprop(['evaluate', model, IRIS, '--json']).stdout);
    const total = r.confusion.flat().reduce((s: number, v: number) => s + v, 0);
    const diagonal = r.confusion.reduce((s: number, row: number[], i: number) => s + row[i], 0);
    expect(total).toBe(150);
    expect(diagonal / total).toBe(r.accuracy);
    expect(r.perClass.map((c: { support: number }) => c.support)).toEqual([50, 50, 50]);
  });
});

describe('backprop predict', () => {
  it('writes CSV with the class and its probabilities, from a file or stdin', () => {
    const r = backprop(['predict', model, IRIS]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('species,p(setosa),p(versicolor),p(virginica)');
    expect(lines).toHaveLength(151);
    const [label, ...p] = lines[1].split(',');
    expect(label).toBe('setosa');
    expect(p.map(Number).reduce((s, v) => s + v, 0)).toBeCloseTo(1, 6);
    const stdin = backprop(['predict', model, '-'], 'sepal_length,sepal_width,petal_length,petal_width\n6.9,3.1,5.4,2.1\n');
    expect(stdin.stdout.split('\n')[1].split(',')[0]).toBe('virginica');
  });

  it('--json gives named probabilities', () => {
    const r = JSON.parse(backprop(['predict', model, '-', '--json'], 'sepal_length,sepal_width,petal_length,petal_width\n5.0,3.4,1.5,0.2\n').stdout);
    expect(r[0].species).toBe('setosa');
    expect(Object.keys(r[0].probabilities)).toEqual(['setosa', 'versicolor', 'virginica']);
  });
});

describe('backprop explain', () => {
  it('writes every minus sign alike, an exponent\'s too (−1.21e−7, where it wrote −1.21e-7 beside 7.29e−8)', () => {
    // The seed's example aiming low, with a tiny learning rate: negative steps of order 1e-6, written with exponents.
    const r = backprop(['explain', 'examples/seed-worked-example.json', '--input', '0.1,0.3', '--target', '0', '--lr', '0.00001']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\de−\d/);
    expect(r.stdout).not.toMatch(/\de-\d/);
    expect(r.stdout).not.toMatch(/(?<![\w.])-\d/);
  });

  it("reproduces seed 001's worked example with --json", () => {
    const r = backprop(['explain', 'examples/seed-worked-example.json', '--input', '0.1,0.3', '--target', '1', '--lr', '0.5', '--json']);
    expect(r.code).toBe(0);
    const t = JSON.parse(r.stdout);
    const [hidden, output] = t.layers;
    expect(Number(hidden.h[0].toFixed(2))).toBe(-0.02);
    expect(Number(hidden.a[0].toFixed(3))).toBe(0.495);
    expect(Number(t.output[0].toFixed(3))).toBe(0.512);
    expect(Number(output.delta[0].toFixed(3))).toBe(0.122);
    expect(Number(hidden.delta[0].toFixed(3))).toBe(0.003);
    expect(Number(output.deltaW[0][0].toFixed(4))).toBe(0.0302);
    expect(hidden.deltaW.map((r: number[]) => Number(r[0].toFixed(6)))).toEqual([0.000152, 0.000457]);
  });

  it("reproduces seed 001's exercise with --json, to 1e-9", () => {
    const r = backprop(['explain', 'examples/seed-exercise.json', '--input', '0.5,0.1,-0.2', '--target', '0.6', '--lr', '0.5', '--json']);
    const t = JSON.parse(r.stdout);
    const expected = [[1.77005547e-4, -5.11178506e-4], [3.54011093e-5, -1.02235701e-4], [-7.08022187e-5, 2.04471402e-4]];
    t.layers[0].deltaW.forEach((row: number[], i: number) => row.forEach((v, j) => expect(Math.abs(v - expected[i][j])).toBeLessThan(1e-9)));
    expect(t.layers[1].deltaW.map((r: number[]) => Number(r[0].toFixed(8)))).toEqual([0.00804047, 0.00555918]);
  });

  it('prints the four steps as text', () => {
    const r = backprop(['explain', 'examples/seed-worked-example.json', '--input', '0.1,0.3', '--target', '1']);
    expect(r.stdout).toContain('unit 1: h = 0.4×0.1 + (−0.2)×0.3 = −0.02   a = sigmoid(h) = 0.495');
    expect(r.stdout).toContain("Step 1, the network's error: y − ŷ = [0.488]");
    expect(r.stdout).toContain('unit 1: δᵒ = 0.488 × 0.25 = 0.122');
    expect(r.stdout).toContain('unit 1: δʰ = (0.1×0.122) × 0.25 = 0.00305');
    expect(r.stdout).toContain('from input 1: ΔW = [0.0302]   W → [0.130153]');
    expect(r.stdout).toContain('from input 2: ΔW = [0.000457]   W → [−0.199543]');
  });

  it('takes raw feature values and a class name for a model trained on a CSV file', () => {
    const r = JSON.parse(backprop(['explain', model, '--input', '5.1,3.5,1.4,0.2', '--target', 'setosa', '--json']).stdout);
    expect(r.target).toEqual([1, 0, 0]);
    expect(r.layers).toHaveLength(2);
    expect(r.lossAfter).toBeLessThan(r.lossBefore);
  });
});

describe('backprop gradcheck', () => {
  it('prints a per-layer table and passes', () => {
    const r = backprop(['gradcheck', model, IRIS, '--rows', '16']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/layer +parameter +compared +skipped +in all +max abs error +max rel error/);
    expect(r.stdout).toMatch(/\n1 +weights +32 +0 +32 /);
    expect(r.stdout).toContain('OK: below the tolerance 0.000001');
    const json = JSON.parse(backprop(['gradcheck', model, IRIS, '--json']).stdout);
    expect(json.rows).toBe(32);
    expect(json.maxRelError).toBeLessThan(1e-6);
  });

  it('compares --parameters of each matrix, spread over it (100 by default: a default model\'s 31,000 took minutes), 0 for all', () => {
    const wide = join(dir, 'iris-wide.json');
    expect(backprop(['train', IRIS, '--layers', '60', '--bagging', '1', '--bins', '0', '--epochs', '2', '--out', wide, '--quiet']).code).toBe(0);
    const checks = (extra: string[]): { count: number; skipped: number; total: number }[] => {
      const r = backprop(['gradcheck', wide, IRIS, '--rows', '4', '--json', ...extra]);
      expect(r.code, r.stderr).toBe(0);
      return (JSON.parse(r.stdout) as { checks: { count: number; skipped: number; total: number }[] }).checks;
    };
    // 4 × 60 weights, 60 biases, 60 × 3 weights, 3 biases.
    expect(checks([]).map((c) => [c.count + c.skipped, c.total])).toEqual([[100, 240], [60, 60], [100, 180], [3, 3]]);
    expect(checks(['--parameters', '7']).map((c) => c.count + c.skipped)).toEqual([7, 7, 7, 3]);
    expect(checks(['--parameters', '0']).map((c) => c.count + c.skipped)).toEqual([240, 60, 180, 3]);
  });
});

describe('backprop datasets and --help', () => {
  it('lists the built-in data sets', () => {
    const r = backprop(['datasets']);
    expect(r.stdout.split('\n').map((l) => l.split(' ')[0]).filter(Boolean)).toEqual(['iris', 'digits', 'xor', 'circle', 'gauss', 'spiral', 'moons', 'plane', 'multigauss']);
    // The descriptions in one column, clear of the longest name.
    const starts = r.stdout.trimEnd().split('\n').map((l) => /^\S+ +/.exec(l)![0].length);
    expect(new Set(starts).size).toBe(1);
    expect(r.stdout).toMatch(/^multigauss {2}regression/m);
  });

  it.each([['train'], ['evaluate'], ['predict'], ['explain'], ['gradcheck'], ['datasets']])('%s --help', (command) => {
    const r = backprop([command, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Usage: backprop ${command}`);
  });

  it('trains on a built-in data set by name', () => {
    const r = JSON.parse(backprop(['train', 'digits', '--bagging', '1', '--epochs', '15', '--layers', '64', '--json']).stdout);
    expect(r.data.rows).toBe(1797);
    expect(r.metrics.validation.accuracy).toBeGreaterThan(0.95);
  });
});

describe('backprop playground', () => {
  it('serves the built page on a free port and prints its address', async () => {
    const { spawn } = await import('node:child_process');
    const { BIN, ROOT } = await import('./cli-helpers.js');
    const child = spawn(process.execPath, [BIN, 'playground', '--port', '0'], { cwd: ROOT });
    try {
      const address = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d) => {
          out += d;
          const m = /^playground at (http:\/\/127\.0\.0\.1:\d+\/) \(Ctrl-C to stop\)$/m.exec(out);
          if (m) resolve(m[1]);
        });
        child.on('exit', (code) => reject(new Error(`exited with ${code}`)));
      });
      const page = await fetch(address);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<title>backprop playground</title>');
      expect((await fetch(address + '../../etc/passwd')).status).not.toBe(200);
      expect((await fetch(address + 'missing.js')).status).toBe(404);
    } finally {
      child.kill('SIGINT');
    }
  }, 30_000);
});

describe('the progress bar on a terminal', () => {
  const logs = { epoch: 123, loss: 0.1234, accuracy: 0.95, valLoss: 0.2345, valAccuracy: 0.931, learningRate: 0.001 };
  const LABEL = 'network 6/8 (fold 1, values)';

  it('keeps within the terminal\'s width: the bar shrinks to 10 cells, then accuracy goes first and the validation loss last', () => {
    const wide = barLine(LABEL, 123, 500, logs, 200);
    expect(wide).toBe(`  ${LABEL}  ${'█'.repeat(6)}${'░'.repeat(18)} epoch 123/500  loss 0.1234  accuracy 95.0%  val loss 0.2345  val accuracy 93.1%`);
    let dropped = 0;
    for (let width = 10; width <= 200; width++) {
      const line = barLine(LABEL, 123, 500, logs, width);
      // A line as wide as the terminal wraps, and a redraw then repeats it: width − 1 at most.
      expect(line.length, `${width} columns`).toBeLessThanOrEqual(width - 1);
      const bar = (line.match(/[█░]+/) ?? [''])[0].length;
      const shown = ['accuracy', 'val accuracy', 'loss', 'val loss'].filter((f) => line.includes(`  ${f} `));
      // The order they go in: a figure shows only where every figure kept longer shows too.
      expect(['accuracy', 'val accuracy', 'loss', 'val loss'].slice(4 - shown.length), `${width} columns`).toEqual(shown);
      // No figure goes while the bar could still shrink (unless the line is cut before its epoch).
      if (shown.length < 4 && line.includes(' epoch ')) expect(bar, `${width} columns`).toBe(10);
      dropped = Math.max(dropped, 4 - shown.length);
    }
    expect(dropped).toBe(4);
    // At 80 columns, the network, its epoch and the validation loss stay.
    const eighty = barLine(LABEL, 123, 500, logs, 80);
    expect(eighty).toMatch(new RegExp(`^  ${LABEL.replace(/[()]/g, '\\$&')}  [█░]{10} epoch 123/500 .*val loss 0\\.2345$`));
    expect(eighty.length).toBeLessThanOrEqual(79);
  });

  it('draws those lines on a terminal stream, whatever its width', () => {
    for (const columns of [60, 80, 200]) {
      let written = '';
      const stream = { isTTY: true, columns, write: (s: string) => ((written += s), true) } as unknown as NodeJS.WriteStream;
      const progress = progressCallback(stream, [LABEL]);
      const control = { epochs: 500 } as Parameters<NonNullable<typeof progress.onTrainBegin>>[0];
      progress.onTrainBegin!(control);
      progress.onEpochEnd!(logs, control);
      progress.onTrainEnd!({ epochs: [] } as unknown as Parameters<NonNullable<typeof progress.onTrainEnd>>[0], control);
      // The drawings, between the terminal's control sequences.
      const lines = written.split(/\x1b\[[0-9;?]*[A-Za-z]|\x1b[78]|\r|\n/).filter((l) => l.includes('epoch'));
      expect(lines.length, `${columns} columns`).toBeGreaterThan(0);
      for (const line of lines) expect(line.length, `${columns} columns: ${line}`).toBeLessThanOrEqual(columns - 1);
      expect(lines.at(-1)).toBe(barLine(LABEL, 123, 500, logs, columns));
    }
  });
});
