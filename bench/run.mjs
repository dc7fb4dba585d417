// npm run bench: training throughput of backprop (each backend, 1 and 2 threads) and its peers on the same
// workloads, each system in its own process, medians of 3 timed epochs after a warm-up. Prints a table of
// samples/s, effective GFLOP/s (6 × weights × samples / s) and backprop's ratio to each peer, and writes
// bench/results.json. `npm run bench -- W1` runs one workload. Peers: TensorFlow.js (cpu and wasm), brain.js,
// numpy written in the seeds' style, and PyTorch, with Debian's python3 (its numpy and torch use the system
// OpenBLAS, as backprop's blas backend does) where it has them, else the python3 on PATH; a missing one is
// skipped with a note. Then digits end to end, the README's `new Network(spec)` against the reference kernels it
// used to run on (`npm run bench -- readme`), memory, and data reading. `npm run bench -- defaults` runs
// bench/defaults.mjs alone (the default rule against scikit-learn's on the defaults' collection).
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { WORKLOADS, weightCount } from './workloads.mjs';
import { dataSection } from './data.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const only = process.argv.slice(2);

// `npm run bench -- defaults [--rules a,b] [set ...]`: the defaults against scikit-learn's on the whole collection
// (bench/defaults.mjs, its own results file); not part of a plain `npm run bench`, being mostly training time.
if (only[0] === 'defaults') {
  const r = spawnSync(process.execPath, [`${here}defaults.mjs`, ...only.slice(1)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

/** Systems per workload, with the samples per epoch for slow ones (throughput is per sample, so the rate is comparable). */
const SYSTEMS = {
  W1: [['backprop reference', 'backprop.mjs', ['reference', '2560']], ['backprop wasm ×1', 'backprop.mjs', ['wasm1']], ['backprop wasm ×2', 'backprop.mjs', ['wasm2']],
    ['backprop blas ×1', 'backprop.mjs', ['blas1']], ['backprop blas ×2', 'backprop.mjs', ['blas2']],
    ['tfjs cpu', 'tfjs.mjs', ['cpu', '2560']], ['tfjs wasm', 'tfjs.mjs', ['wasm']], ['brain.js', 'brain.mjs', ['1024']], ['numpy', 'numpy', []], ['pytorch', 'torch', []]],
  'W1 float64': [['backprop reference', 'backprop.mjs', ['reference', '2560', 'float64']], ['backprop blas ×2', 'backprop.mjs', ['blas2', '-', 'float64']],
    ['numpy float64', 'numpy', ['-', 'float64']], ['pytorch float64', 'torch', ['-', 'float64']]],
  W2: [['backprop reference', 'backprop.mjs', ['reference']], ['backprop wasm ×1', 'backprop.mjs', ['wasm1']], ['backprop wasm ×2', 'backprop.mjs', ['wasm2']],
    ['backprop blas ×2', 'backprop.mjs', ['blas2']],
    ['tfjs cpu', 'tfjs.mjs', ['cpu', '2000']], ['tfjs wasm', 'tfjs.mjs', ['wasm', '2000']], ['brain.js', 'brain.mjs', []], ['numpy', 'numpy', ['5000']], ['pytorch', 'torch', ['2000']]],
  W3: [['backprop wasm ×1', 'backprop.mjs', ['wasm1', '1024']], ['backprop wasm ×2', 'backprop.mjs', ['wasm2', '1024']],
    ['backprop blas ×1', 'backprop.mjs', ['blas1', '1024']], ['backprop blas ×2', 'backprop.mjs', ['blas2', '1024']],
    ['tfjs wasm', 'tfjs.mjs', ['wasm', '512']], ['brain.js', 'brain.mjs', ['64']], ['numpy', 'numpy', ['1024']], ['pytorch', 'torch', ['1024']]],
};

/** The first python that imports the module: Debian's (system OpenBLAS), then the one on PATH. */
function pythonWith(module) {
  return ['/usr/bin/python3', 'python3'].find((python) => spawnSync(python, ['-c', `import ${module}`], { stdio: 'ignore' }).status === 0) ?? null;
}

function run(workload, script, args) {
  const [base] = workload.split(' ');
  if (script === 'numpy' || script === 'torch') {
    // The machine sets OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE for old OpenBLAS builds; they slow a current numpy.
    const env = { ...process.env };
    delete env.OPENBLAS_CORETYPE;
    delete env.OPENBLAS_L2_SIZE;
    const python = script === 'numpy' ? numpy : torch;
    return JSON.parse(execFileSync(python, [`${here}${script}_baseline.py`, base, ...args], { env, encoding: 'utf8', maxBuffer: 1 << 20 }).trim().split('\n').pop());
  }
  const out = execFileSync(process.execPath, [`${here}systems/${script}`, base, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 20 });
  return JSON.parse(out.trim().split('\n').pop());
}

const numpy = pythonWith('numpy');
const torch = pythonWith('torch');
// A run of some workloads updates their entries and keeps the others from earlier runs.
let earlier = {};
try {
  earlier = JSON.parse(readFileSync(`${here}results.json`, 'utf8'));
} catch {
  // no earlier results
}
const results = { ...earlier, machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version }, workloads: { ...earlier.workloads } };
for (const name of Object.keys(SYSTEMS)) {
  const workload = WORKLOADS[name.split(' ')[0]];
  if (only.length && !only.includes(name) && !only.includes(name.split(' ')[0])) continue;
  const weights = weightCount(workload.sizes);
  console.log(`\n${name}: ${workload.description}${name.endsWith('float64') ? ', in float64' : ''}`);
  const rows = [];
  for (const [system, script, args] of SYSTEMS[name]) {
    if ((script === 'numpy' && !numpy) || (script === 'torch' && !torch)) {
      console.log(`  ${system.padEnd(20)} skipped: no python3 with ${script} (Debian: apt-get install python3-${script})`);
      continue;
    }
    try {
      const r = run(name, script, args);
      rows.push({ system, samplesPerSecond: r.samplesPerSecond, gflops: (6 * weights * r.samplesPerSecond) / 1e9, samples: r.samples, epochSeconds: r.epochSeconds });
    } catch (e) {
      console.log(`  ${system.padEnd(20)} failed: ${String(e.message).split('\n')[0]}`);
    }
  }
  const ours = rows.filter((r) => r.system.startsWith('backprop'));
  const best = ours.reduce((a, b) => (b.samplesPerSecond > a.samplesPerSecond ? b : a), ours[0]);
  console.log(`  ${'system'.padEnd(20)}${'samples/s'.padStart(12)}${'GFLOP/s'.padStart(10)}   ${best ? `${best.system} ÷ this` : ''}`);
  for (const r of rows) {
    const ratio = best && !r.system.startsWith('backprop') ? `${(best.samplesPerSecond / r.samplesPerSecond).toFixed(2)}×` : '';
    r.bestBackpropRatio = best ? best.samplesPerSecond / r.samplesPerSecond : null;
    console.log(`  ${r.system.padEnd(20)}${r.samplesPerSecond.toFixed(0).padStart(12)}${r.gflops.toFixed(2).padStart(10)}   ${ratio}`);
  }
  results.workloads[name] = { description: workload.description + (name.endsWith('float64') ? ', float64' : ''), weights, rows };
}

if (!only.length || only.includes('digits')) {
  console.log('\ndigits end to end: load, standardize, train 64-64-10 until held-out accuracy ≥ 96%');
  const digits = {};
  for (const [system, args] of [['backprop blas ×2', ['blas2']], ['backprop wasm ×2', ['wasm2']], ['backprop reference', ['reference']], ['tfjs wasm', ['tfjs-wasm']]]) {
    try {
      const out = execFileSync(process.execPath, [`${here}systems/digits.mjs`, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      digits[system] = JSON.parse(out.trim().split('\n').pop());
      console.log(`  ${system.padEnd(20)} ${digits[system].seconds.toFixed(2)} s, ${digits[system].epochs} epochs, accuracy ${(100 * digits[system].accuracy).toFixed(1)}%`);
    } catch (e) {
      console.log(`  ${system.padEnd(20)} failed: ${String(e.message).split('\n')[0]}`);
    }
  }
  results.digits = digits;
}

if (!only.length || only.includes('readme')) {
  console.log("\nthe README's new Network(spec) on digits (64-256-10, adam, batch 32): ms per epoch");
  const way = {};
  for (const [system, how] of [['reference kernels (before)', 'reference'], ["new Network(spec), 'backprop' only", 'plain'], ['with backprop/node imported', 'node']]) {
    try {
      way[how] = JSON.parse(execFileSync(process.execPath, [`${here}systems/readme-way.mjs`, how], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split('\n').pop());
      const ratio = how === 'reference' || !way.reference ? '' : `   ${(way.reference.msPerEpoch / way[how].msPerEpoch).toFixed(1)}× the reference`;
      console.log(`  ${system.padEnd(36)} ${way[how].msPerEpoch.toFixed(1).padStart(8)} ms  ${way[how].kernels}${ratio}`);
    } catch (e) {
      console.log(`  ${system.padEnd(36)} failed: ${String(e.message).split('\n')[0]}`);
    }
  }
  results.readmeWay = way;
}

if (!only.length || only.includes('memory')) {
  const m = JSON.parse(execFileSync(process.execPath, [`${here}systems/memory.mjs`], { encoding: 'utf8' }).trim().split('\n').pop());
  const mb = (b) => `${(b / 1048576).toFixed(1)} MiB`;
  console.log(`\nmemory on W1 (${m.backend}): heap ${mb(m.epoch5.heap)} after epoch 5, ${mb(m.epoch20.heap)} after epoch 20 (${(100 * m.heapChange).toFixed(1)}%); ` +
    `RSS ${mb(m.epoch5.rss)} → ${mb(m.epoch20.rss)} (${(100 * m.rssChange).toFixed(1)}%)`);
  results.memory = m;
}

if (!only.length || only.includes('data')) results.data = await dataSection();

writeFileSync(`${here}results.json`, JSON.stringify(results, null, 2) + '\n');
console.log(`\nwritten to bench/results.json`);
