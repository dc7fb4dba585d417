// npm run bench -- defaults: backprop's defaults beside scikit-learn's MLP, HistGradientBoosting and XGBoost, each
// with its own defaults, on every table of the collection (test/fixtures/defaults: the tables, the held-out draw in
// heldout.json, the splits and the three baselines' scores and fit times in defaults.json, from make_baselines.py).
// backprop trains as a user would: the split's training rows written to a CSV, read, `train()` with no options
// (what `backprop train FILE` runs; only the task is given, see below), `evaluate` on the test rows' CSV. Fit time: train() alone, wall clock.
//   node bench/defaults.mjs [--fresh] [--final] [--part tuning|heldout|heldout2|heldout3] [table ...]
// Four parts: tuning (the rule was chosen on it), heldout (the first held-out part, drawn before the first round
// of tuning, but seen before the second), heldout2 (drawn from sixteen new tables before the second round, scored
// after the second and third), heldout3 (drawn from nineteen new tables before the fourth round: run only with
// --final, once the rule is chosen).
// --fresh reruns the baselines table by table just before backprop's run of the same table (make_baselines.py
// --json, Debian's /usr/bin/python3), so that all four systems' fit times share the machine's load; without it the
// recorded baselines are used. Results go to bench/defaults-results.json (kept between runs, table by table) and the
// table to bench/defaults-table.md, which the README shows.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { train } from '../dist/index.js';
import { readTable } from '../dist/node/index.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const here = join(root, 'test/fixtures/defaults');
const fixture = JSON.parse(readFileSync(join(here, 'defaults.json'), 'utf8'));
const draw = JSON.parse(readFileSync(join(here, 'heldout.json'), 'utf8'));
// RESULTS names another results file (two runs at once each keep their own; --merge FILE folds one in).
const resultsPath = process.env.RESULTS ?? join(root, 'bench/defaults-results.json');
const results = existsSync(resultsPath) ? JSON.parse(readFileSync(resultsPath, 'utf8')) : {};
// Splits of tables whose baselines are not recorded yet (the same train_test_split calls), when a file gives them;
// their baselines are filled in from defaults.json when the table is written.
const extra = process.env.SPLITS ? JSON.parse(readFileSync(process.env.SPLITS, 'utf8')) : {};

const args = process.argv.slice(2);
const flag = (name) => {
  const i = args.indexOf(name);
  if (i >= 0) args.splice(i, 1);
  return i >= 0;
};
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args.splice(i, 2)[1] : undefined;
};
const fresh = flag('--fresh'), reportOnly = flag('--report'), again = flag('--again'), final = flag('--final');
const part = option('--part');
const merge = option('--merge');
if (merge) for (const [n, r] of Object.entries(JSON.parse(readFileSync(merge, 'utf8')))) if (r.systems?.backprop?.mean !== undefined || !results[n]) results[n] = r;
const partOf = (n) => (draw.heldout.includes(n) ? 'heldout' : draw.heldout2?.includes(n) ? 'heldout2' : draw.heldout3?.includes(n) ? 'heldout3' : 'tuning');
let tables = args.length ? args : draw.collection.filter((n) => !part || partOf(n) === part);
// The third held-out part is not trained on while the rule is being chosen (issue 34, fourth round).
if (!final) {
  if (tables.some((n) => partOf(n) === 'heldout3') && (args.length || part === 'heldout3')) throw new Error('the heldout3 tables are run only with --final');
  tables = tables.filter((n) => partOf(n) !== 'heldout3');
}
// Small tables first.
const rowsOf = (n) => fixture.datasets[n]?.rows ?? extra[n]?.rows ?? 0;
tables = [...tables].sort((a, b) => rowsOf(a) - rowsOf(b));
const dir = mkdtempSync(join(tmpdir(), 'backprop-defaults-'));
const mean = (a) => a.reduce((p, q) => p + q, 0) / a.length;

try {
  for (const name of reportOnly ? [] : tables) {
    // Tables measured already are kept (--again measures them anew).
    if (!again && results[name]?.systems?.backprop?.mean !== undefined) continue;
    let d = fixture.datasets[name] ?? extra[name];
    if (fresh || !d) {
      const line = execFileSync('/usr/bin/python3', [join(here, 'make_baselines.py'), '--json', name], { encoding: 'utf8', maxBuffer: 1 << 28 });
      d = JSON.parse(line.trim().split('\n').pop())[name];
    }
    const lines = readFileSync(join(root, d.file), 'utf8').trimEnd().split('\n');
    const [header, rows] = [lines[0], lines.slice(1)];
    const scores = [], fit = [], cpu = [], networks = [];
    let failure = null;
    for (const [s, test] of d.splits.entries()) {
      const inTest = new Set(test);
      const trainCsv = join(dir, `${name}-${s}-train.csv`), testCsv = join(dir, `${name}-${s}-test.csv`);
      writeFileSync(trainCsv, [header, ...rows.filter((_, i) => !inTest.has(i))].join('\n') + '\n');
      writeFileSync(testCsv, [header, ...test.map((i) => rows[i])].join('\n') + '\n');
      try {
        const frame = await readTable(trainCsv);
        const start = performance.now(), cpu0 = process.cpuUsage();
        // The collection's task, as every baseline is told it: the same as train() infers on every table but
        // gssvocab, whose 0–10 scores read as eleven classes (its baselines predict them as numbers).
        const model = await train(frame, { task: d.task });
        fit.push((performance.now() - start) / 1000);
        // CPU seconds of this process (its BLAS and helper threads too): what the fit cost where the machine is shared.
        const used = process.cpuUsage(cpu0);
        cpu.push((used.user + used.system) / 1e6);
        const report = model.evaluate(await readTable(testCsv));
        scores.push(d.task === 'classification' ? report.accuracy : report.r2);
        networks.push(model.network.layers.map((l) => l.units).join('-'));
      } catch (e) {
        failure = e.message.split('\n')[0];
        break;
      }
    }
    results[name] = {
      part: partOf(name), task: d.task, rows: d.rows, splits: d.splits.length,
      systems: { ...d.systems, backprop: failure ? { failure } : { scores, fit, cpu, mean: mean(scores), networks } },
      baselines: fresh ? 'this run' : 'recorded',
    };
    writeFileSync(resultsPath, JSON.stringify(results, null, 1) + '\n');
    // A held-out part's scores are printed only when it is asked for by name (--part heldout, --part heldout2).
    if (results[name].part === 'tuning' || part === results[name].part) {
      const r = results[name].systems;
      console.log(`${name.padEnd(12)} ${['backprop', 'mlp', 'hgb', 'xgb'].map((k) => `${k} ${r[k]?.mean?.toFixed(4) ?? 'n/a'} (${r[k]?.fit ? mean(r[k].fit).toFixed(2) : '-'} s)`).join('  ')}${failure ? `  backprop: ${failure}` : ''}`);
    } else console.log(`${name.padEnd(12)} done`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

/** The README's table: per table, the four systems' mean score and mean fit time, then each part's means. */
function table() {
  // Baselines recorded since this run began.
  const recorded = JSON.parse(readFileSync(join(here, 'defaults.json'), 'utf8')).datasets;
  for (const [n, r] of Object.entries(results)) {
    for (const s of ['mlp', 'hgb', 'xgb']) if (!r.systems[s] && recorded[n]?.systems?.[s]) r.systems[s] = recorded[n].systems[s];
  }
  writeFileSync(resultsPath, JSON.stringify(results, null, 1) + '\n');
  const systems = ['backprop', 'mlp', 'hgb', 'xgb'];
  const heads = { backprop: 'backprop', mlp: 'scikit-learn MLP', hgb: 'HistGradientBoosting', xgb: 'XGBoost' };
  const out = [];
  const titles = {
    heldout3: 'Third held-out part (heldout3: drawn from nineteen new tables before the fourth round of tuning, never looked at while choosing)',
    heldout2: 'Fresh held-out part (heldout2: drawn before the second round of tuning, never looked at while choosing)',
    heldout: 'First held-out part (drawn before the first round; seen before the second, so no longer untouched)',
    tuning: 'Tuning part',
  };
  for (const p of ['heldout3', 'heldout2', 'heldout', 'tuning']) {
    const names = Object.keys(results).filter((n) => results[n].part === p).sort();
    if (!names.length) continue;
    out.push(`**${titles[p]}** (score: accuracy, or R² for a regression; mean of the splits; fit seconds in brackets${results[names[0]].baselines === 'this run' ? '' : ', the baselines\' from make_baselines.py\'s own run'})`, '');
    out.push(`| table | rows | ${systems.map((s) => heads[s]).join(' | ')} |`, `|---|---|${systems.map(() => '---').join('|')}|`);
    // Rows carried over from an earlier run say so (r.from: which run, and why its figures still hold).
    const earlier = [...new Set(names.map((n) => results[n].from).filter(Boolean))];
    const mark = (n) => (results[n].from ? ' ' + '*'.repeat(earlier.indexOf(results[n].from) + 1) : '');
    for (const n of names) {
      const r = results[n];
      out.push(`| ${n}${r.task === 'regression' ? ' (R²)' : ''}${mark(n)} | ${r.rows} | ${systems.map((s) => (r.systems[s]?.mean !== undefined ? `${r.systems[s].mean.toFixed(3)} (${mean(r.systems[s].fit).toFixed(2)})` : r.systems[s]?.failure ? 'n/a' : '–')).join(' | ')} |`);
    }
    const complete = names.filter((n) => systems.every((s) => results[n].systems[s]?.mean !== undefined));
    if (complete.length) {
      out.push(`| **mean of ${complete.length}** | | ${systems.map((s) => `**${mean(complete.map((n) => results[n].systems[s].mean)).toFixed(4)}** (${mean(complete.map((n) => mean(results[n].systems[s].fit))).toFixed(2)})`).join(' | ')} |`);
    }
    const missing = names.filter((n) => !complete.includes(n));
    out.push('');
    earlier.forEach((from, i) => out.push(`${'*'.repeat(i + 1)} ${from}`, ''));
    const why = (n) => {
      const failure = results[n].systems.backprop?.failure;
      if (failure) return `backprop: ${failure.slice(0, 80)}`;
      return results[n].systems.backprop?.mean === undefined ? 'backprop not run' : 'baselines not recorded';
    };
    if (missing.length) out.push(`Not in the means: ${missing.map((n) => `${n} (${why(n)})`).join('; ')}.`, '');
  }
  return out.join('\n');
}
writeFileSync(join(root, 'bench/defaults-table.md'), table() + '\n');
console.log('\nwrote bench/defaults-results.json and bench/defaults-table.md');
