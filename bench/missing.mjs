// npm run bench -- missing: backprop's defaults on public tables with missing values (bench/missing/*.csv, from
// bench/missing/export.R) against scikit-learn's imputing MLP pipeline and HistGradientBoosting's native handling,
// on the same five seeded 80/20 splits (bench/missing-sklearn.json, written by bench/missing_sklearn.py): backprop is
// trained as `backprop train --validation 0` trains (missing values filled by default) and scored on the test rows.
// Then the peak memory of `backprop train` on a file with an identifier column of 30,000 values (left out).
// node bench/missing.mjs [table ...]; prints a table and writes bench/missing-results.json.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { train } from '../dist/index.js';
import { readTable } from '../dist/node/index.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const sklearn = JSON.parse(readFileSync(join(root, 'bench/missing-sklearn.json'), 'utf8'));
const sets = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(sklearn.datasets);
const dir = mkdtempSync(join(tmpdir(), 'backprop-missing-'));
const mean = (v) => v.reduce((a, b) => a + b, 0) / v.length;
const std = (v) => Math.sqrt(mean(v.map((x) => (x - mean(v)) ** 2)));
const results = { sklearn: sklearn.sklearn, datasets: {} };
try {
  console.log(`${'table'.padEnd(13)}${'rows'.padStart(6)}${'missing'.padStart(9)}  score     ${'backprop'.padEnd(15)}${'MLP pipeline'.padEnd(15)}HistGradientBoosting`);
  for (const name of sets) {
    const d = sklearn.datasets[name];
    const lines = readFileSync(join(root, d.file), 'utf8').trimEnd().split('\n');
    const [header, rows] = [lines[0], lines.slice(1)];
    const scores = [];
    for (const [s, test] of d.splits.entries()) {
      const inTest = new Set(test);
      const trainCsv = join(dir, `${name}-${s}-train.csv`), testCsv = join(dir, `${name}-${s}-test.csv`);
      writeFileSync(trainCsv, [header, ...rows.filter((_, i) => !inTest.has(i))].join('\n') + '\n');
      writeFileSync(testCsv, [header, ...rows.filter((_, i) => inTest.has(i))].join('\n') + '\n');
      const model = await train(await readTable(trainCsv), { target: d.target, validation: 0 });
      const report = model.evaluate(await readTable(testCsv));
      scores.push(d.task === 'classification' ? report.accuracy : report.r2);
    }
    results.datasets[name] = { task: d.task, rows: d.rows, missing: d.missing, backprop: scores, mlp: d.mlp, hgb: d.hgb };
    const cell = (v) => `${mean(v).toFixed(3)} ± ${std(v).toFixed(3)}`.padEnd(15);
    console.log(`${name.padEnd(13)}${String(d.rows).padStart(6)}${String(d.missing).padStart(9)}  ${(d.task === 'classification' ? 'accuracy' : 'R²').padEnd(10)}${cell(scores)}${cell(d.mlp)}${cell(d.hgb)}`);
  }

  // An identifier column: 30,000 distinct customer ids in 30,000 rows, beside one number and a label.
  const ids = join(dir, 'ids.csv');
  const idRows = ['id,x,label'];
  for (let i = 0; i < 30_000; i++) idRows.push(`customer-${(i * 7919) % 1_000_003},${(i % 97) / 10},${i % 3 ? 'a' : 'b'}`);
  writeFileSync(ids, idRows.join('\n') + '\n');
  const rss = join(dir, 'rss.txt');
  writeFileSync(rss, '');
  const run = spawnSync(process.execPath, ['--import', join(root, 'test/programs/report-rss.mjs'), join(root, 'dist/cli/main.js'), 'train', ids, '--epochs', '5'],
    { encoding: 'utf8', env: { ...process.env, BACKPROP_TEST_RSS_FILE: rss } });
  const peak = Number(readFileSync(rss, 'utf8').trim());
  results.identifier = { rows: 30_000, bytes: readFileSync(ids).length, peakRss: peak, plan: run.stdout.split('\n').find((l) => l.startsWith('columns')) ?? run.stderr.trim() };
  console.log(`\nidentifier column, 30,000 values in a ${(results.identifier.bytes / 1024).toFixed(0)} KB file: peak RSS ${(peak / 2 ** 20).toFixed(0)} MB (${results.identifier.plan})`);
  writeFileSync(join(root, 'bench/missing-results.json'), JSON.stringify(results, null, 1) + '\n');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
