// Training controls from the command line (AdamW's weight decay, penalties, clipping, schedules), k-fold
// cross-validation and permutation importance.
import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { backprop, ROOT, tempDir } from './cli-helpers.js';
import { stratifiedFolds } from '../src/index.js';

const dir = tempDir();
const iris = join(ROOT, 'data/iris.csv');

describe('stratifiedFolds', () => {
  it('gives disjoint folds that cover every row once, each class spread evenly', () => {
    const labels = Array.from({ length: 103 }, (_, i) => (i < 60 ? 'a' : i < 95 ? 'b' : 'c'));
    const folds = stratifiedFolds(labels.length, 5, { seed: 4, stratify: labels });
    const seen = new Array<number>(labels.length).fill(0);
    for (const fold of folds) for (const r of fold) seen[r]++;
    expect(seen.every((n) => n === 1)).toBe(true);
    const sizes = folds.map((f) => f.length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    for (const [cls, total] of [['a', 60], ['b', 35], ['c', 8]] as const) {
      const counts = folds.map((f) => Array.from(f).filter((r) => labels[r] === cls).length);
      expect(Math.max(...counts) - Math.min(...counts), cls).toBeLessThanOrEqual(1);
      expect(counts.reduce((a, b) => a + b, 0)).toBe(total);
    }
    // Seeded: the same seed, the same folds; another seed, others.
    expect(stratifiedFolds(labels.length, 5, { seed: 4, stratify: labels })).toEqual(folds);
    expect(stratifiedFolds(labels.length, 5, { seed: 5, stratify: labels })).not.toEqual(folds);
    expect(() => stratifiedFolds(3, 4)).toThrow('folds: 4 folds need at least 4 rows; there are 3');
  });
});

describe('backprop cv', () => {
  it('says stratified for classes only, and names the mean line\'s figures as the fold lines do', () => {
    const rows = ['a,b,price', ...Array.from({ length: 120 }, (_, i) => `${(i % 11) / 10},${(i % 7) / 6},${(3 * (i % 11) + (i % 7)) / 10 + 0.5}`)];
    const csv = join(dir, 'prices.csv');
    writeFileSync(csv, rows.join('\n') + '\n');
    const r = backprop(['cv', csv, '--folds', '3', '--epochs', '5', '--bagging', '1']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^cv {7}\S+: 3 folds \(seed 1\); each trains a network of 100 relu units for 5 epochs$/m);
    const folds = [...r.stdout.matchAll(/^fold +\d  loss [\d.]+  MAE ([\d.]+)  RMSE ([\d.]+)  R² (-?[\d.]+)$/gm)];
    expect(folds).toHaveLength(3);
    const mean = /^mean {5}loss [\d.]+ ± [\d.e-]+  MAE ([\d.]+) ± [\d.e-]+  RMSE ([\d.]+) ± [\d.e-]+  R² (-?[\d.]+) ± [\d.e-]+$/m.exec(r.stdout);
    expect(mean, r.stdout).not.toBeNull();
    // The RMSE shown is the folds' RMSE averaged (to the digits printed).
    expect(Number(mean![2])).toBeCloseTo(folds.reduce((a, f) => a + Number(f[2]), 0) / 3, 3);
    expect(backprop(['cv', 'iris', '--folds', '3', '--epochs', '2', '--bagging', '1', '--layers', '0']).stdout).toMatch(/^cv {7}iris: 3 stratified folds \(seed 1\); each trains a network with no hidden layer for 2 epochs$/m);
  }, 60_000);

  it('its mean is the mean of training on each fold\'s other rows and evaluating on the fold', () => {
    const args = ['--epochs', '8', '--layers', '6', '--seed', '3'];
    const cv = backprop(['cv', iris, '--folds', '3', '--json', ...args]);
    expect(cv.code, cv.stderr).toBe(0);
    const result = JSON.parse(cv.stdout) as { folds: { rows: number; metrics: { accuracy: number; loss: number } }[]; mean: { accuracy: number; loss: number } };
    expect(result.folds.map((f) => f.rows)).toEqual([50, 50, 50]);
    // The same folds, written out, trained and evaluated by train and evaluate.
    const lines = readFileSync(iris, 'utf8').trim().split('\n');
    const species = lines.slice(1).map((l) => l.split(',').pop()!);
    const folds = stratifiedFolds(species.length, 3, { seed: 3, stratify: species });
    const accuracies = folds.map((fold, k) => {
      const held = new Set(fold);
      writeFileSync(join(dir, `train${k}.csv`), [lines[0], ...lines.slice(1).filter((_, r) => !held.has(r))].join('\n') + '\n');
      writeFileSync(join(dir, `test${k}.csv`), [lines[0], ...lines.slice(1).filter((_, r) => held.has(r))].join('\n') + '\n');
      // train's defaults on the fold's rows (five bagged networks), as crossValidate trains each fold.
      const t = backprop(['train', join(dir, `train${k}.csv`), '--out', join(dir, `fold${k}.json`), '--quiet', ...args]);
      expect(t.code, t.stderr).toBe(0);
      const e = JSON.parse(backprop(['evaluate', join(dir, `fold${k}.json`), join(dir, `test${k}.csv`), '--json']).stdout) as { accuracy: number; loss: number };
      expect(e.accuracy).toBeCloseTo(result.folds[k].metrics.accuracy, 12);
      expect(e.loss).toBeCloseTo(result.folds[k].metrics.loss, 5);
      return e.accuracy;
    });
    expect(result.mean.accuracy).toBeCloseTo(accuracies.reduce((a, b) => a + b, 0) / 3, 12);
    const text = backprop(['cv', iris, '--folds', '3', ...args]);
    expect(text.stdout).toMatch(/^mean {5}loss [\d.]+ ± [\d.]+ {2}accuracy [\d.]+% ± [\d.]+$/m);
  }, 180_000);

  it('reports R² and friends for a regression, and refuses more folds than rows', () => {
    const r = backprop(['cv', 'plane', '--samples', '60', '--folds', '4', '--epochs', '5', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(Object.keys(JSON.parse(r.stdout).mean)).toEqual(['loss', 'mse', 'mae', 'r2']);
    const bad = backprop(['cv', 'plane', '--samples', '6', '--folds', '8']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('backprop: --folds: 8 folds need at least 8 rows; plane has 6\n');
  });
});

describe('backprop importance', () => {
  it('ranks the two columns that matter first, of ten', () => {
    let s = 99;
    const random = (): number => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296) * 2 - 1;
    const names = Array.from({ length: 10 }, (_, j) => `c${j}`);
    const rows = Array.from({ length: 600 }, () => names.map(() => random()));
    // Only c3 and c7 decide the class.
    const csv = [[...names, 'label'].join(','), ...rows.map((r) => [...r.map((v) => v.toFixed(4)), r[3] + 0.6 * r[7] > 0 ? 'yes' : 'no'].join(','))].join('\n') + '\n';
    writeFileSync(join(dir, 'ten.csv'), csv);
    expect(backprop(['train', join(dir, 'ten.csv'), '--epochs', '40', '--out', join(dir, 'ten.json'), '--quiet']).code).toBe(0);
    const r = backprop(['importance', join(dir, 'ten.json'), join(dir, 'ten.csv'), '--json', '--plot', join(dir, 'ten.svg')]);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as { metric: string; baseline: number; features: { name: string; importance: number }[] };
    expect(result.metric).toBe('accuracy');
    expect(result.baseline).toBeGreaterThan(0.9);
    expect(result.features.slice(0, 2).map((f) => f.name).sort()).toEqual(['c3', 'c7']);
    expect(result.features[1].importance).toBeGreaterThan(5 * Math.max(...result.features.slice(2).map((f) => Math.abs(f.importance)), 0.01));
    const svg = readFileSync(join(dir, 'ten.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect((svg.match(/<rect x=/g) ?? []).length).toBe(10);
    // Seeded: the same seed gives the same numbers.
    expect(backprop(['importance', join(dir, 'ten.json'), join(dir, 'ten.csv'), '--json']).stdout).toBe(r.stdout);
  }, 60_000);
});

describe('training controls on the command line', () => {
  const weightNorm = (path: string): number => {
    const model = JSON.parse(readFileSync(path, 'utf8')) as { weights: { weights: number[][] }[] };
    return Math.sqrt(model.weights.flatMap((l) => l.weights.flat()).reduce((a, w) => a + w * w, 0));
  };
  const trainTo = (name: string, extra: string[]): string => {
    const out = join(dir, `${name}.json`);
    const r = backprop(['train', iris, '--epochs', '20', '--layers', '16', '--lr', '0.01', '--seed', '2', '--out', out, '--quiet', ...extra]);
    expect(r.code, r.stderr).toBe(0);
    return out;
  };

  it('AdamW\'s weight decay and the L2 penalty shrink the weights; clipping and schedules change the run', () => {
    const plain = weightNorm(trainTo('adamw0', ['--optimizer', 'adamw', '--weight-decay', '0']));
    expect(weightNorm(trainTo('adamw5', ['--optimizer', 'adamw', '--weight-decay', '5']))).toBeLessThan(0.8 * plain);
    expect(weightNorm(trainTo('l2', ['--optimizer', 'adamw', '--weight-decay', '0', '--l2', '0.05']))).toBeLessThan(0.8 * plain);
    const base = readFileSync(trainTo('base', []), 'utf8');
    for (const [name, extra] of [['clip', ['--clip-norm', '0.01']], ['step', ['--schedule', 'step:2:0.1']], ['cosine', ['--schedule', 'cosine']], ['plateau', ['--schedule', 'plateau:0.5:0']], ['l1', ['--l1', '0.01']],
      ['dropout', ['--dropout', '0.3']], ['weights', ['--class-weight', 'setosa=3']]] as const) {
      expect(readFileSync(trainTo(name, [...extra]), 'utf8'), name).not.toBe(base);
    }
  }, 60_000);

  it('--class-weight weighs classes named like Object.prototype\'s members as any other (none inherits a weight)', () => {
    const names = ['__proto__', 'constructor', 'toString', 'ham'], plain = ['a', 'c', 't', 'h']; // in the same order, sorted
    const rows = (classes: string[]): string => ['a,b,kind', ...Array.from({ length: 120 }, (_, i) => `${(i % 7) / 7},${(i % 5) / 5},${classes[i % 4]}`)].join('\n') + '\n';
    writeFileSync(join(dir, 'proto.csv'), rows(names));
    writeFileSync(join(dir, 'plain.csv'), rows(plain));
    const loss = (file: string, weights: string): number => {
      const r = backprop(['train', join(dir, file), '--class-weight', weights, '--epochs', '3', '--bagging', '1', '--bins', '0', '--json']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      return (JSON.parse(r.stdout) as { metrics: { train: { loss: number } } }).metrics.train.loss;
    };
    // The same run as with plain names: __proto__ weighs 5, constructor and toString 1 (they were read off Object.prototype).
    expect(loss('proto.csv', '__proto__=5')).toBe(loss('plain.csv', 'a=5'));
    expect(loss('proto.csv', 'constructor=2,toString=0.5')).toBe(loss('plain.csv', 'c=2,t=0.5'));
    expect(loss('proto.csv', 'constructor=2')).not.toBe(loss('proto.csv', '__proto__=5'));
  }, 60_000);

  it('--class-weight balanced finds more of a rare class', () => {
    // 4% of the rows are "rare", in one corner of the square, with some noise.
    const rows = ['a,b,kind'];
    let seed = 3;
    const next = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let i = 0; i < 800; i++) {
      const a = 2 * next() - 1, b = 2 * next() - 1;
      rows.push(`${a.toFixed(4)},${b.toFixed(4)},${a > 0.6 && b > 0.6 && next() < 0.85 ? 'rare' : 'common'}`);
    }
    const csv = join(dir, 'rare.csv');
    writeFileSync(csv, rows.join('\n') + '\n');
    const recall = (extra: string[]): number => {
      const model = join(dir, `rare${extra.length}.json`);
      // The scaled inputs alone (--bins 0): with the bins the corner is two thresholds, found without weights too.
      const t = backprop(['train', csv, '--validation', '0', '--bins', '0', '--epochs', '20', '--out', model, '--quiet', ...extra]);
      expect(t.code, t.stderr).toBe(0);
      const e = JSON.parse(backprop(['evaluate', model, csv, '--json']).stdout) as { classes: string[]; perClass: { recall: number }[] };
      return e.perClass[e.classes.indexOf('rare')].recall;
    };
    expect(recall(['--class-weight', 'balanced'])).toBeGreaterThan(recall([]) + 0.15);
  }, 60_000);

  it('several --target columns train a multi-output regression; evaluate scores each as R² computed from predict', () => {
    const rows = ['x1,x2,x3,price,weight,colour'];
    let seed = 9;
    const next = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const truth: [number, number][] = [];
    for (let i = 0; i < 300; i++) {
      const [a, b, c] = [next() * 2 - 1, next() * 2 - 1, next() * 2 - 1];
      const price = 500 + 200 * a - 80 * b * b, weight = 3 * Math.sin(2 * b) + c;
      truth.push([price, weight]);
      rows.push(`${a.toFixed(4)},${b.toFixed(4)},${c.toFixed(4)},${price.toFixed(3)},${weight.toFixed(4)},${i % 2 ? 'red' : 'blue'}`);
    }
    const csv = join(dir, 'two-targets.csv'), model = join(dir, 'two-targets.json');
    writeFileSync(csv, rows.join('\n') + '\n');
    const t = backprop(['train', csv, '--target', 'price', '--target', 'weight', '--out', model, '--json']);
    expect(t.code, t.stderr).toBe(0);
    const trained = JSON.parse(t.stdout) as { data: { targets: string[]; features: string[] }; network: { layers: { units: number }[] } };
    expect(trained.data.targets).toEqual(['price', 'weight']);
    expect(trained.data.features).toEqual(['x1', 'x2', 'x3', 'colour']);
    expect(trained.network.layers.at(-1)!.units).toBe(2);
    const p = backprop(['predict', model, csv]);
    expect(p.code, p.stderr).toBe(0);
    const lines = p.stdout.trim().split('\n');
    expect(lines[0]).toBe('price,weight');
    const predicted = lines.slice(1).map((l) => l.split(',').map(Number));
    const r2 = (j: number): number => {
      const mean = truth.reduce((s, r) => s + r[j], 0) / truth.length;
      const residual = truth.reduce((s, r, i) => s + (r[j] - predicted[i][j]) ** 2, 0);
      return 1 - residual / truth.reduce((s, r) => s + (r[j] - mean) ** 2, 0);
    };
    const e = JSON.parse(backprop(['evaluate', model, csv, '--json']).stdout) as { loss: number; r2: number; perTarget: { target: string; r2: number }[] };
    expect(e.perTarget.map((x) => x.target)).toEqual(['price', 'weight']);
    // predict prints 6 significant digits, so R² from its output agrees to about 1e-5.
    e.perTarget.forEach((x, j) => expect(Math.abs(x.r2 - r2(j))).toBeLessThan(1e-4));
    expect(e.r2).toBeCloseTo((e.perTarget[0].r2 + e.perTarget[1].r2) / 2, 12);
    expect(Math.min(r2(0), r2(1))).toBeGreaterThan(0.9);
    // The text says what the loss is: training's ½Σ(y − ŷ)² over the targets, each standardized by the model's scale
    // for it, averaged over the rows; MSE and MAE are means over the targets, each in its own units. Worked out here from predict's output and the model file.
    const file = JSON.parse(readFileSync(model, 'utf8')) as { preprocessing: { target: { scale: { std: number }; extra: { scale: { std: number } }[] } } };
    const stds = [file.preprocessing.target.scale.std, file.preprocessing.target.extra[0].scale.std];
    const half = truth.reduce((s, r, i) => s + stds.reduce((a, std, j) => a + 0.5 * ((r[j] - predicted[i][j]) / std) ** 2, 0), 0) / truth.length;
    const shown = backprop(['evaluate', model, csv]).stdout;
    const loss = /^loss {2}([\d.]+) {2}\(training's: ½ the squared errors on the standardized targets, summed, averaged over the rows\)$/m.exec(shown);
    expect(loss, shown).not.toBeNull();
    expect(loss![1]).toBe(e.loss.toFixed(4));
    // predict's 6 digits leave the residuals good to about 1e-3 of themselves.
    expect(Math.abs(e.loss - half)).toBeLessThan(0.01 * half);
    expect(shown).toMatch(/^MSE {3}[\d.]+ {2}\(mean over the targets, each in its units squared\)$/m);
    expect(shown).toMatch(/^MAE {3}[\d.]+ {2}\(mean over the targets, each in its units\)$/m);
    const text = backprop(['train', csv, '--target', 'price', '--target', 'colour']);
    expect(text.code).toBe(1);
    expect(text.stderr).toBe(`backprop: ${csv}: the target column "colour" holds text; several targets make a regression, so each must be numeric\n`);
    const asClasses = backprop(['train', csv, '--target', 'price', '--target', 'weight', '--task', 'classification']);
    expect(asClasses.code).toBe(1);
    expect(asClasses.stderr).toBe('backprop: --task: several target columns make a multi-output regression, not a classification\n');
    const streamed = backprop(['train', csv, '--target', 'price', '--target', 'weight', '--stream']);
    expect(streamed.code).toBe(2);
    expect(streamed.stderr).toBe('backprop: --target: several targets (a multi-output regression) need the data in memory; drop --stream or raise --memory\n');
  }, 60_000);

  it('mistakes are one line naming the option', () => {
    const cases: [string[], string][] = [
      [['--weight-decay', '0.1'], 'backprop: --weight-decay: decoupled weight decay belongs to --optimizer adamw (this run uses adam); for the others use --l2\n'],
      [['--schedule', 'cosine:x'], 'backprop: --schedule: expected step:EVERY:FACTOR, exponential:RATE, cosine[:MINIMUM] or plateau[:FACTOR[:PATIENCE]] with numbers, got "cosine:x"\n'],
      [['--schedule', 'linear'], 'backprop: --schedule: expected step:EVERY:FACTOR, exponential:RATE, cosine[:MINIMUM] or plateau[:FACTOR[:PATIENCE]], got "linear"\n'],
      [['--l2', '-1'], 'backprop: --l2: expected a number ≥ 0, got "-1"\n'],
      [['--clip-norm', '0'], 'backprop: --clip-norm: expected a positive number, got "0"\n'],
      [['--schedule', 'plateau:2'], 'backprop: --schedule: expected plateau, plateau:FACTOR or plateau:FACTOR:PATIENCE, e.g. plateau:0.5:5 (FACTOR in (0, 1), PATIENCE whole epochs), got "plateau:2"\n'],
      [['--dropout', '1'], 'backprop: --dropout: expected a rate in [0, 1) or one per hidden layer, e.g. 0.2 or 0.3,0.1, got "1"\n'],
      [['--dropout', '0.1,0.2'], 'backprop: --dropout: 2 rates for 1 hidden layer; give one rate, or one per hidden layer\n'],
      [['--class-weight', 'rose=2'], 'backprop: --class-weight: "rose" is not a class of species (setosa, versicolor, virginica)\n'],
      [['--class-weight', 'setosa'], 'backprop: --class-weight: expected balanced or CLASS=WEIGHT pairs, e.g. spam=5,ham=1 (weights ≥ 0), got "setosa"\n'],
    ];
    for (const [extra, message] of cases) {
      const r = backprop(['train', iris, ...extra]);
      expect(r.code, extra.join(' ')).toBe(2);
      expect(r.stderr).toBe(message);
    }
  }, 60_000);
});
