// The data section of npm run bench: a seeded 2.42-million-row CSV (9 numeric columns and a two-class text
// label, about 200 MB) and its Parquet twin, generated in a temporary folder (never committed). Reports, each in
// its own process: seconds to read and peak RSS for backprop and for pandas.read_csv (Debian's python3-pandas),
// and for backprop also a whole `backprop train FILE --epochs 1 --layers 16` (read, split, one epoch).
import { execFileSync, spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generator } from './workloads.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = fileURLToPath(new URL('..', import.meta.url));

async function writeCsv(path, rows) {
  const random = generator(42);
  const out = createWriteStream(path);
  out.write('f1,f2,f3,f4,f5,f6,f7,f8,f9,label\n');
  let text = '';
  for (let i = 0; i < rows; i++) {
    const v = Array.from({ length: 9 }, () => random() * 10 - 5);
    const s = v[0] + 0.5 * v[1] - (v[2] * v[3]) / 5 + 0.3 * Math.sin(v[4]);
    text += v.map((x) => x.toFixed(4)).join(',') + ',' + (s > 0 ? 'yes' : 'no') + '\n';
    if (text.length > 1 << 20) {
      if (!out.write(text)) await new Promise((resolve) => out.once('drain', resolve));
      text = '';
    }
  }
  out.end(text);
  await new Promise((resolve) => out.once('finish', resolve));
}

function json(command, args, env = process.env) {
  return JSON.parse(execFileSync(command, args, { encoding: 'utf8', env, maxBuffer: 1 << 22 }).trim().split('\n').pop());
}

export async function dataSection() {
  const dir = mkdtempSync(join(tmpdir(), 'backprop-bench-data-'));
  const csv = join(dir, 'big.csv'), parquet = join(dir, 'big.parquet');
  try {
    await writeCsv(csv, 2_420_000);
    // The Parquet twin, written by DuckDB (an independent writer), with the label kept as text.
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    await connection.run(`COPY (SELECT * FROM read_csv('${csv}', types = {'label': 'VARCHAR'})) TO '${parquet}' (FORMAT parquet)`);
    connection.closeSync();
    instance.closeSync();
    const mb = (b) => (b / 1048576).toFixed(0);
    console.log(`\ndata: ${csv.split('/').pop()}, 2,420,000 rows × 10 columns, ${mb(statSync(csv).size)} MB CSV, ${mb(statSync(parquet).size)} MB Parquet`);
    const result = {};
    const row = (name, r) => {
      result[name] = r;
      console.log(`  ${name.padEnd(46)} ${r.seconds.toFixed(2).padStart(6)} s   peak RSS ${mb(r.peakRss).padStart(5)} MB`);
    };
    row('backprop read CSV', json(process.execPath, [`${here}systems/data.mjs`, csv]));
    row('backprop read Parquet', json(process.execPath, [`${here}systems/data.mjs`, parquet]));
    const python = ['/usr/bin/python3', 'python3'].find((p) => spawnSync(p, ['-c', 'import pandas'], { stdio: 'ignore' }).status === 0);
    if (python) row('pandas read_csv', json(python, [`${here}pandas_read.py`, csv]));
    else console.log('  pandas read_csv                    skipped: no python3 with pandas (Debian: apt-get install python3-pandas)');
    // The whole command: read, split, encode and one epoch of a 16-unit network, with its peak memory.
    const rssFile = join(dir, 'rss.txt');
    writeFileSync(rssFile, '');
    const start = performance.now();
    execFileSync(process.execPath, ['--import', join(root, 'test/programs/report-rss.mjs'), join(root, 'dist/cli/main.js'), 'train', csv, '--epochs', '1', '--layers', '16', '--quiet'],
      { env: { ...process.env, BACKPROP_TEST_RSS_FILE: rssFile } });
    row('backprop train, read + 1 epoch', { seconds: (performance.now() - start) / 1000, peakRss: Number(readFileSync(rssFile, 'utf8')) });

    // Ten times the rows (about 2 GB), streamed: three epochs in a 512 MB budget, against the in-memory run on the
    // 200 MB file (same rule, same seed).
    const trainRun = (file, extra) => {
      writeFileSync(rssFile, '');
      const begin = performance.now();
      const out = execFileSync(process.execPath, ['--import', join(root, 'test/programs/report-rss.mjs'), join(root, 'dist/cli/main.js'), 'train', file,
        '--epochs', '3', '--layers', '16', '--json', ...extra], { env: { ...process.env, BACKPROP_TEST_RSS_FILE: rssFile }, maxBuffer: 1 << 24 });
      const r = JSON.parse(String(out));
      return { seconds: (performance.now() - begin) / 1000, peakRss: Number(readFileSync(rssFile, 'utf8')), valAccuracy: r.metrics.validation.accuracy };
    };
    const small = trainRun(csv, []);
    rmSync(parquet, { force: true });
    const huge = join(dir, 'huge.csv');
    await writeCsv(huge, 24_200_000);
    console.log(`  ${huge.split('/').pop()}: 24,200,000 rows, ${mb(statSync(huge).size)} MB`);
    const streamed = trainRun(huge, ['--stream', '--memory', '512MB']);
    row('train 200 MB in memory, 3 epochs', small);
    row('train 2 GB --stream --memory 512MB, 3 epochs', streamed);
    console.log(`  validation accuracy: ${(100 * small.valAccuracy).toFixed(2)}% in memory, ${(100 * streamed.valAccuracy).toFixed(2)}% streamed`);
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
