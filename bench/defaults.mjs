// npm run bench -- defaults: the defaults' rule against scikit-learn's MLP defaults on the whole collection
// (test/fixtures/defaults: the public tables of defaults.json, five seeded 80/20 splits each, scikit-learn's scores recorded by
// make_sklearn_defaults.py), trained as `backprop train --validation 0` would, and candidate rules beside it.
// node bench/defaults.mjs [--rules a,b] [set ...]; prints a table and writes bench/defaults-results.json.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { planTraining, sumOfSquaredWeights, train } from '../dist/index.js';
import { readTable } from '../dist/node/index.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const fixture = JSON.parse(readFileSync(join(root, 'test/fixtures/defaults/defaults.json'), 'utf8'));

/** The rules compared: explicit options for n training rows of a task (the default rule is no options at all). */
export const RULES = {
  // Before issue 26: about 15 000 steps in 10 to 300 epochs, L2 3/n.
  old: (n) => ({ epochs: Math.min(300, Math.max(10, Math.ceil(15000 / Math.ceil(n / 32)))), l2: 3 / n }),
  // The loss-following stop with the old penalty.
  'stop 3/n': (n) => ({ l2: 3 / n }),
  // The stop with scikit-learn's penalty: alpha 1e-4 over twice the batch (its loss adds alpha/2 Σw² per batch mean).
  'stop sklearn α': () => ({ l2: 1e-4 / 64 }),
  // The stop with 3/n bounded by c/Σw²₀ (Σw²₀: the initial weights'), for a few c.
  'stop ≤0.1/Σw²₀': (n, s0) => ({ l2: Math.min(3 / n, 0.1 / s0) }),
  'stop ≤0.3/Σw²₀': (n, s0) => ({ l2: Math.min(3 / n, 0.3 / s0) }),
  'stop ≤1/Σw²₀': (n, s0) => ({ l2: Math.min(3 / n, 1 / s0) }),
  'stop ≤2/Σw²₀': (n, s0) => ({ l2: Math.min(3 / n, 2 / s0) }),
  // c by task, as the defaults now take it (DEFAULT_L2_BOUND): 0.3 for classes, 2 for a regression.
  'stop ≤0.3/Σw²₀ class ≤2 regr': (n, s0, task) => ({ l2: Math.min(3 / n, (task === 'classification' ? 0.3 : 2) / s0) }),
  defaults: () => ({}),
};

const args = process.argv.slice(2);
const ruleArg = args.indexOf('--rules');
const rules = ruleArg >= 0 ? args.splice(ruleArg, 2)[1].split(',') : Object.keys(RULES);
const sets = args.length ? args : Object.keys(fixture.datasets);
const dir = mkdtempSync(join(tmpdir(), 'backprop-defaults-'));
const results = {};
try {
  for (const name of sets) {
    const d = fixture.datasets[name];
    const lines = readFileSync(join(root, d.file), 'utf8').trimEnd().split('\n');
    const [header, rows] = [lines[0], lines.slice(1)];
    results[name] = { task: d.task, rows: rows.length, sklearn: d.mean };
    for (const rule of rules) {
      const scores = [], epochs = [];
      for (const [s, test] of d.splits.entries()) {
        const inTest = new Set(test);
        const trainCsv = join(dir, `${name}-${s}-train.csv`), testCsv = join(dir, `${name}-${s}-test.csv`);
        writeFileSync(trainCsv, [header, ...rows.filter((_, i) => !inTest.has(i))].join('\n') + '\n');
        writeFileSync(testCsv, [header, ...test.map((i) => rows[i])].join('\n') + '\n');
        const n = rows.length - test.length;
        const frame = await readTable(trainCsv);
        const s0 = sumOfSquaredWeights((await planTraining(frame, { validation: 0 })).network.parameters);
        const model = await train(frame, { validation: 0, ...RULES[rule](n, s0, d.task) });
        const report = model.evaluate(await readTable(testCsv));
        scores.push(d.task === 'classification' ? report.accuracy : report.r2);
        epochs.push(model.history.epochs.length);
      }
      const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
      results[name][rule] = { mean, scores, epochs };
      console.log(`${name.padEnd(12)} ${rule.padEnd(16)} ${mean.toFixed(4)}  (scikit-learn ${d.mean.toFixed(4)}, ${(mean - d.mean >= 0 ? '+' : '') + (mean - d.mean).toFixed(4)})  epochs ${epochs.join(' ')}`);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log('\nrule                           mean − scikit-learn   worst (set)');
for (const rule of rules) {
  const diffs = Object.entries(results).filter(([, r]) => r[rule]).map(([name, r]) => [name, r[rule].mean - r.sklearn]);
  const mean = diffs.reduce((a, [, v]) => a + v, 0) / diffs.length;
  const worst = diffs.reduce((w, d) => (d[1] < w[1] ? d : w));
  console.log(`${rule.padEnd(30)} ${(mean >= 0 ? '+' : '') + mean.toFixed(4)}              ${worst[1].toFixed(4)} (${worst[0]})`);
}
let earlier = {};
try {
  earlier = JSON.parse(readFileSync(join(root, 'bench/defaults-results.json'), 'utf8'));
} catch {
  // none yet
}
for (const [name, r] of Object.entries(results)) earlier[name] = { ...earlier[name], ...r };
writeFileSync(join(root, 'bench/defaults-results.json'), JSON.stringify(earlier, null, 1) + '\n');
