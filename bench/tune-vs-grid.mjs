// `backprop tune --trials 18` against a GridSearchCV-tuned HistGradientBoosting (bench/tune_grid_hgb.py, 36 grid
// points by 3-fold cross-validation) on split 0 of a few tables of the collection: each tunes on the split's
// training rows, its winner is retrained on them, and both are scored on the test rows.
//   node bench/tune-vs-grid.mjs TABLE ...
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Model } from '../dist/index.js';
import { readTable } from '../dist/node/index.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const fixture = JSON.parse(readFileSync(join(root, 'test/fixtures/defaults/defaults.json'), 'utf8')).datasets;
const extra = process.env.SPLITS ? JSON.parse(readFileSync(process.env.SPLITS, 'utf8')) : {};
const dir = mkdtempSync(join(tmpdir(), 'backprop-tune-grid-'));
try {
  for (const name of process.argv.slice(2)) {
    const d = fixture[name] ?? extra[name];
    const lines = readFileSync(join(root, d.file), 'utf8').trimEnd().split('\n');
    const inTest = new Set(d.splits[0]);
    const trainCsv = join(dir, `${name}-train.csv`), testCsv = join(dir, `${name}-test.csv`), model = join(dir, `${name}.json`);
    writeFileSync(trainCsv, [lines[0], ...lines.slice(1).filter((_, i) => !inTest.has(i))].join('\n') + '\n');
    writeFileSync(testCsv, [lines[0], ...d.splits[0].map((i) => lines[1 + i])].join('\n') + '\n');
    const start = performance.now();
    const out = execFileSync('node', [join(root, 'dist/cli/main.js'), 'tune', trainCsv, '--trials', '18', '--out', model, '--json'], { encoding: 'utf8', maxBuffer: 1 << 26 });
    const seconds = (performance.now() - start) / 1000;
    const result = JSON.parse(out.trim().split('\n').pop());
    const m = Model.parse(readFileSync(model, 'utf8'));
    const report = m.evaluate(await readTable(testCsv));
    const test = d.task === 'classification' ? report.accuracy : report.r2;
    console.log(JSON.stringify({ table: name, system: 'backprop tune --trials 18', cv: result.best.score, test, seconds, best: result.best.flags || 'the defaults' }));
    console.log(execFileSync('/usr/bin/python3', [join(root, 'bench/tune_grid_hgb.py'), name, process.env.SPLITS ?? ''], { encoding: 'utf8' }).trim());
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
