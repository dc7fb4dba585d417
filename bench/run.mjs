// npm run bench: training throughput of backprop (each backend, 1 and 2 threads) and its peers on the same
// workloads, each system in its own process, medians of 3 timed epochs after a warm-up; the systems of a workload run
// in turn, round after round (3 rounds; `--rounds N`), and each system's best round is kept, since the machine this
// runs on is shared and one round swings widely. Prints a table of samples/s, effective GFLOP/s
// (6 × weights × samples / s) and backprop's ratio to each peer, and writes bench/results.json. `npm run bench -- W1`
// runs one workload. Peers: TensorFlow.js (cpu and wasm), brain.js, numpy written in the seeds' style, and PyTorch
// (with one thread, its fastest on two cores, and two), with Debian's python3 (its numpy and torch use the system
// OpenBLAS, as backprop's blas backend does) where it has them, else the python3 on PATH; a missing one is skipped with
// a note. Every process runs with the machine's OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE removed, so every system that
// multiplies through OpenBLAS gets the kernels OpenBLAS picks for this processor; where OPENBLAS_CORETYPE is set, W1
// gets one more row, backprop under the machine's own setting. Then a profile of one W1 batch (`profile`), the
// whole job against scikit-learn and a PyTorch script (`e2e`, see e2e.mjs), digits end to end, the README's
// `new Network(spec)` against the reference kernels it used to run on (`readme`), memory, and data reading.
// `npm run bench -- defaults` runs bench/defaults.mjs alone (the default rule against scikit-learn's on the
// defaults' collection); `npm run bench -- missing` runs bench/missing.mjs (tables with missing values).
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { WORKLOADS, weightCount } from './workloads.mjs';
import { dataSection } from './data.mjs';
import { e2eSection } from './e2e.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const args = process.argv.slice(2);
const roundsAt = args.indexOf('--rounds');
const ROUNDS = roundsAt >= 0 ? Math.max(1, Number(args[roundsAt + 1]) || 1) : 3;
const only = args.filter((a, i) => roundsAt < 0 || (i !== roundsAt && i !== roundsAt + 1));
/** The machine's OpenBLAS core setting, for the extra W1 row run under it. */
const machineCore = process.env.OPENBLAS_CORETYPE;

// `npm run bench -- defaults [--rules a,b] [set ...]`: the defaults against scikit-learn's on the whole collection
// (bench/defaults.mjs, its own results file); not part of a plain `npm run bench`, being mostly training time.
if (only[0] === 'defaults') {
  const r = spawnSync(process.execPath, [`${here}defaults.mjs`, ...only.slice(1)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

// `npm run bench -- missing [table ...]`: backprop's defaults on tables with missing values against scikit-learn's
// imputing MLP pipeline and HistGradientBoosting (bench/missing.mjs, its own results file), and the peak memory of a
// file with an identifier column.
if (only[0] === 'missing') {
  const r = spawnSync(process.execPath, [`${here}missing.mjs`, ...only.slice(1)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

/** Systems per workload, with the samples per epoch for slow ones (throughput is per sample, so the rate is comparable). */
const SYSTEMS = {
  W1: [['backprop reference', 'backprop.mjs', ['reference', '2560']], ['backprop wasm ×1', 'backprop.mjs', ['wasm1']], ['backprop wasm ×2', 'backprop.mjs', ['wasm2']],
    ['backprop blas ×1', 'backprop.mjs', ['blas1']], ['backprop blas ×2', 'backprop.mjs', ['blas2']],
    ...(machineCore ? [[`backprop blas ×2, ${machineCore}`, 'backprop.mjs', ['blas2'], { machine: true }]] : []),
    ['tfjs cpu', 'tfjs.mjs', ['cpu', '2560']], ['tfjs wasm', 'tfjs.mjs', ['wasm']], ['brain.js', 'brain.mjs', ['1024']], ['numpy', 'numpy', []],
    ['pytorch ×1', 'torch', ['-', 'float32', '1']], ['pytorch ×2', 'torch', ['-', 'float32', '2']]],
  'W1 float64': [['backprop reference', 'backprop.mjs', ['reference', '2560', 'float64']], ['backprop blas ×1', 'backprop.mjs', ['blas1', '-', 'float64']],
    ['backprop blas ×2', 'backprop.mjs', ['blas2', '-', 'float64']],
    ['numpy float64', 'numpy', ['-', 'float64']], ['pytorch float64 ×1', 'torch', ['-', 'float64', '1']], ['pytorch float64 ×2', 'torch', ['-', 'float64', '2']]],
  W2: [['backprop reference', 'backprop.mjs', ['reference']], ['backprop wasm ×1', 'backprop.mjs', ['wasm1']], ['backprop wasm ×2', 'backprop.mjs', ['wasm2']],
    ['backprop blas ×2', 'backprop.mjs', ['blas2']],
    ['tfjs cpu', 'tfjs.mjs', ['cpu', '2000']], ['tfjs wasm', 'tfjs.mjs', ['wasm', '2000']], ['brain.js', 'brain.mjs', []], ['numpy', 'numpy', ['5000']], ['pytorch ×1', 'torch', ['2000', 'float32', '1']]],
  W3: [['backprop wasm ×1', 'backprop.mjs', ['wasm1', '1024']], ['backprop wasm ×2', 'backprop.mjs', ['wasm2', '1024']],
    ['backprop blas ×1', 'backprop.mjs', ['blas1', '1024']], ['backprop blas ×2', 'backprop.mjs', ['blas2', '1024']],
    ['tfjs wasm', 'tfjs.mjs', ['wasm', '512']], ['brain.js', 'brain.mjs', ['64']], ['numpy', 'numpy', ['1024']],
    ['pytorch ×1', 'torch', ['1024', 'float32', '1']], ['pytorch ×2', 'torch', ['1024', 'float32', '2']]],
};

/** The first python that imports the module: Debian's (system OpenBLAS), then the one on PATH. */
function pythonWith(module) {
  return ['/usr/bin/python3', 'python3'].find((python) => spawnSync(python, ['-c', `import ${module}`], { stdio: 'ignore' }).status === 0) ?? null;
}

/**
 * The environment of every system: the machine sets OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE for old OpenBLAS builds,
 * which force older kernels on this processor (Haswell's AVX2 where OpenBLAS picks AVX-512 ones); removed for every
 * system alike, numpy, PyTorch and backprop's blas backend all using the same system OpenBLAS.
 */
export function benchEnvironment() {
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  return env;
}

function run(workload, script, args, options = {}) {
  const [base] = workload.split(' ');
  const env = options.machine ? process.env : benchEnvironment();
  if (script === 'numpy' || script === 'torch') {
    const python = script === 'numpy' ? numpy : torch;
    return JSON.parse(execFileSync(python, [`${here}${script}_baseline.py`, base, ...args], { env, encoding: 'utf8', maxBuffer: 1 << 20 }).trim().split('\n').pop());
  }
  const out = execFileSync(process.execPath, [`${here}systems/${script}`, base, ...args], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 20 });
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
  console.log(`\n${name}: ${workload.description}${name.endsWith('float64') ? ', in float64' : ''}; best of ${ROUNDS} round${ROUNDS === 1 ? '' : 's'}`);
  const systems = SYSTEMS[name].filter(([system, script]) => {
    if ((script === 'numpy' && !numpy) || (script === 'torch' && !torch)) {
      console.log(`  ${system.padEnd(20)} skipped: no python3 with ${script} (Debian: apt-get install python3-${script})`);
      return false;
    }
    return true;
  });
  // Round after round, every system in turn; each keeps its best round.
  const best = new Map();
  for (let round = 0; round < ROUNDS; round++) {
    for (const [system, script, args, options] of systems) {
      try {
        const r = run(name, script, args, options);
        const row = { system, samplesPerSecond: r.samplesPerSecond, gflops: (6 * weights * r.samplesPerSecond) / 1e9, samples: r.samples, epochSeconds: r.epochSeconds, rounds: [...(best.get(system)?.rounds ?? []), r.samplesPerSecond] };
        if (!best.has(system) || r.samplesPerSecond > best.get(system).samplesPerSecond) best.set(system, row);
        else best.get(system).rounds = row.rounds;
      } catch (e) {
        console.log(`  ${system.padEnd(20)} failed: ${String(e.message).split('\n')[0]}`);
      }
    }
  }
  const rows = systems.map(([system]) => best.get(system)).filter(Boolean);
  // Ours: backprop's rows under the same environment as the peers.
  const ours = rows.filter((r) => r.system.startsWith('backprop') && !(machineCore && r.system.endsWith(machineCore)));
  const top = ours.reduce((a, b) => (b.samplesPerSecond > a.samplesPerSecond ? b : a), ours[0]);
  console.log(`  ${'system'.padEnd(26)}${'samples/s'.padStart(12)}${'GFLOP/s'.padStart(10)}   ${top ? `${top.system} ÷ this` : ''}`);
  for (const r of rows) {
    const ratio = top && !ours.includes(r) ? `${(top.samplesPerSecond / r.samplesPerSecond).toFixed(2)}×` : '';
    r.bestBackpropRatio = top ? top.samplesPerSecond / r.samplesPerSecond : null;
    console.log(`  ${r.system.padEnd(26)}${r.samplesPerSecond.toFixed(0).padStart(12)}${r.gflops.toFixed(2).padStart(10)}   ${ratio.padEnd(8)} rounds: ${r.rounds.map((v) => v.toFixed(0)).join(', ')}`);
  }
  results.workloads[name] = { description: workload.description + (name.endsWith('float64') ? ', float64' : ''), weights, rounds: ROUNDS, rows };
}

if (!only.length || only.includes('profile')) {
  // One W1 batch with the blas backend on one thread and on two, each the fastest of its rounds.
  console.log('\nprofile of one W1 batch (blas backend), microseconds: products, row gather, element-wise kernels, JavaScript between calls');
  const profile = {};
  for (let round = 0; round < ROUNDS; round++) {
    for (const threads of ['1', '2']) {
      try {
        const r = JSON.parse(execFileSync(process.execPath, [`${here}systems/profile.mjs`, 'W1', threads], { env: benchEnvironment(), encoding: 'utf8' }).trim().split('\n').pop());
        if (!profile[threads] || r.microsecondsPerBatch.total < profile[threads].microsecondsPerBatch.total) profile[threads] = r;
      } catch (e) {
        console.log(`  ${threads} thread(s) failed: ${String(e.message).split('\n')[0]}`);
      }
    }
  }
  for (const r of Object.values(profile)) {
    const p = r.microsecondsPerBatch, share = (v) => `${v.toFixed(0)} (${((100 * v) / p.total).toFixed(0)}%)`;
    console.log(`  ${r.backend.padEnd(34)} total ${p.total.toFixed(0)}: products ${share(p.products)}, gather ${share(p.gather)}, ` +
      `element-wise ${share(p.elementwise)}, JavaScript ${share(p.javascript)}`);
  }
  results.profile = profile;
}

if (!only.length || only.some((a) => a.startsWith('e2e'))) {
  const sizes = only.includes('e2e-100k') ? [100_000] : only.includes('e2e-1m') ? [1_000_000] : [100_000, 1_000_000];
  results.e2e = { ...earlier.e2e, ...(await e2eSection(sizes, ROUNDS)) };
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
