// npm run bench: training throughput of backprop (each backend; the BLAS one with its threads timed per training step,
// and pinned to 1 and 2) and its peers on the same workloads, each system in its own process, medians of 3 timed epochs
// after a warm-up; the systems of a workload run in turn, round after round (3 rounds; `--rounds N`), and each
// system's best round is kept, since the machine this runs on is shared and one round swings widely. Prints a table of
// samples/s, effective GFLOP/s (6 × weights × samples / s), backprop's ratio to each peer, which BLAS each system
// multiplied with on how many threads (threadpoolctl for the Python peers) and the load average around each workload,
// then the README's table, and writes bench/results.json. `npm run bench -- W1` runs one workload. Peers: TensorFlow.js
// (cpu and wasm), brain.js, numpy written in the seeds' style under every python3 that has it (the one on PATH and
// Debian's /usr/bin/python3: each ships its own OpenBLAS; the faster counts as "numpy"), and PyTorch with one thread and
// two (Debian's python3, whose torch uses the system OpenBLAS as backprop's blas backend does); a missing one is skipped
// with a note. Every process runs with the machine's OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE removed, so every system
// that multiplies through OpenBLAS gets the kernels OpenBLAS picks for this processor; where OPENBLAS_CORETYPE is set,
// W1 gets one more row, backprop under the machine's own setting. `--busy N` keeps N cores busy with spinning processes
// for the whole run (a second configuration: one core taken by another job, as on a shared machine); `--table` runs only
// the systems of the README's table (backprop's BLAS rows, numpy, PyTorch). Then a profile of
// one W1 batch (`profile`), the whole job against scikit-learn and a PyTorch script (`e2e`, see e2e.mjs), digits end to
// end, the README's `new Network(spec)` against the reference kernels it used to run on (`readme`), prediction by block
// size (`predict`), memory, and data reading. `npm run bench -- defaults` runs bench/defaults.mjs alone (the default
// rule against scikit-learn's on the defaults' collection); `npm run bench -- missing` runs bench/missing.mjs (tables
// with missing values).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { WORKLOADS, weightCount } from './workloads.mjs';
import { dataSection } from './data.mjs';
import { e2eSection } from './e2e.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const args = process.argv.slice(2);
/** The value after a flag, and the arguments left once flags and their values are taken out. */
const flags = {};
const only = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--rounds' || args[i] === '--busy') flags[args[i].slice(2)] = args[++i];
  else if (args[i] === '--table') flags.table = true;
  else only.push(args[i]);
}
/** `--table`: only the systems of the README's table (backprop's BLAS rows, numpy, PyTorch): a shorter run. */
const TABLE_ONLY = flags.table === true;
const ROUNDS = Math.max(1, Number(flags.rounds) || 3);
const BUSY = Math.max(0, Math.floor(Number(flags.busy) || 0));
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

// --busy N: N processes that spin for the whole run, each taking a core from everything measured.
const spinners = Array.from({ length: BUSY }, () => spawn(process.execPath, ['-e', 'for (;;);'], { stdio: 'ignore' }));
const stopSpinners = () => spinners.forEach((p) => p.kill());
process.on('exit', stopSpinners);
if (BUSY) console.log(`configuration: ${BUSY} core${BUSY === 1 ? '' : 's'} kept busy by spinning processes for the whole run (--busy ${BUSY})`);

/** The first python that imports the module: Debian's (system OpenBLAS), then the one on PATH. */
function pythonWith(module) {
  return ['/usr/bin/python3', 'python3'].find((python) => spawnSync(python, ['-c', `import ${module}`], { stdio: 'ignore' }).status === 0) ?? null;
}

/** Every python3 that has numpy, with its numpy's version: each ships or links its own OpenBLAS. */
const numpys = ['python3', '/usr/bin/python3'].flatMap((python) => {
  const r = spawnSync(python, ['-c', 'import numpy, os, sys; print(numpy.__version__, os.path.realpath(sys.executable))'], { encoding: 'utf8' });
  return r.status === 0 ? [{ python, version: r.stdout.trim().split(' ')[0], executable: r.stdout.trim().split(' ')[1] }] : [];
}).filter((p, i, all) => all.findIndex((q) => q.executable === p.executable) === i);
const torch = pythonWith('torch');
const numpyRows = (args) => numpys.map((p) => [`numpy ${p.version}`, 'numpy', args, { python: p.python }]);

/**
 * PyTorch on two OpenMP threads oversubscribes two cores (its OpenBLAS runs two threads of its own besides): under load
 * it fell to 2,000–5,000 W1 samples/s, and its three float64 rounds of full epochs took over 8 minutes. It gets an
 * eighth of W1's epoch (80 batches) and a quarter of W3's (10 batches); its rate is per sample, so still comparable.
 */
const TORCH2_SAMPLES = { W1: String(WORKLOADS.W1.samples / 8), W3: String(WORKLOADS.W3.samples / 4) };

/** Systems per workload, with the samples per epoch for slow ones (throughput is per sample, so the rate is comparable). */
const SYSTEMS = {
  W1: [['backprop reference', 'backprop.mjs', ['reference', '2560']], ['backprop wasm ×1', 'backprop.mjs', ['wasm1']], ['backprop wasm ×2', 'backprop.mjs', ['wasm2']],
    ['backprop blas', 'backprop.mjs', ['blas']], ['backprop blas ×1', 'backprop.mjs', ['blas1']], ['backprop blas ×2', 'backprop.mjs', ['blas2']],
    ...(machineCore ? [[`backprop blas, ${machineCore}`, 'backprop.mjs', ['blas'], { machine: true }]] : []),
    ['tfjs cpu', 'tfjs.mjs', ['cpu', '2560']], ['tfjs wasm', 'tfjs.mjs', ['wasm']], ['brain.js', 'brain.mjs', ['1024']], ...numpyRows([]),
    ['pytorch ×1', 'torch', ['-', 'float32', '1']], ['pytorch ×2', 'torch', [TORCH2_SAMPLES.W1, 'float32', '2']]],
  'W1 float64': [['backprop reference', 'backprop.mjs', ['reference', '2560', 'float64']], ['backprop blas', 'backprop.mjs', ['blas', '-', 'float64']],
    ['backprop blas ×1', 'backprop.mjs', ['blas1', '-', 'float64']], ['backprop blas ×2', 'backprop.mjs', ['blas2', '-', 'float64']],
    ...numpyRows(['-', 'float64']), ['pytorch ×1', 'torch', ['-', 'float64', '1']], ['pytorch ×2', 'torch', [TORCH2_SAMPLES.W1, 'float64', '2']]],
  W2: [['backprop reference', 'backprop.mjs', ['reference']], ['backprop wasm ×1', 'backprop.mjs', ['wasm1']], ['backprop wasm ×2', 'backprop.mjs', ['wasm2']],
    ['backprop blas', 'backprop.mjs', ['blas']],
    ['tfjs cpu', 'tfjs.mjs', ['cpu', '2000']], ['tfjs wasm', 'tfjs.mjs', ['wasm', '2000']], ['brain.js', 'brain.mjs', []], ...numpyRows(['5000']), ['pytorch ×1', 'torch', ['2000', 'float32', '1']]],
  W3: [['backprop wasm ×1', 'backprop.mjs', ['wasm1', '1024']], ['backprop wasm ×2', 'backprop.mjs', ['wasm2', '1024']],
    // Ten batches an epoch for the systems that multiply through a BLAS (four were too few to time an epoch by).
    ['backprop blas', 'backprop.mjs', ['blas']], ['backprop blas ×1', 'backprop.mjs', ['blas1']], ['backprop blas ×2', 'backprop.mjs', ['blas2']],
    ['tfjs wasm', 'tfjs.mjs', ['wasm', '512']], ['brain.js', 'brain.mjs', ['64']], ...numpyRows([]),
    ['pytorch ×1', 'torch', ['-', 'float32', '1']], ['pytorch ×2', 'torch', [TORCH2_SAMPLES.W3, 'float32', '2']]],
};

/**
 * The environment of every system: the machine may set OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE for old OpenBLAS builds,
 * which force older kernels on this processor (Haswell's AVX2 where OpenBLAS picks AVX-512 ones); removed for every
 * system alike, numpy, PyTorch and backprop's blas backend all multiplying through OpenBLAS.
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
    const python = script === 'numpy' ? options.python : torch;
    return JSON.parse(execFileSync(python, [`${here}${script}_baseline.py`, base, ...args], { env, encoding: 'utf8', maxBuffer: 1 << 20 }).trim().split('\n').pop());
  }
  const out = execFileSync(process.execPath, [`${here}systems/${script}`, base, ...args], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 20 });
  return JSON.parse(out.trim().split('\n').pop());
}

const load = () => loadavg().map((v) => v.toFixed(2));
// A run of some workloads updates their entries and keeps the others from earlier runs.
let earlier = {};
try {
  earlier = JSON.parse(readFileSync(`${here}results.json`, 'utf8'));
} catch {
  // no earlier results
}
const results = { ...earlier, machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version, busy: BUSY, date: new Date().toISOString().slice(0, 10) }, workloads: { ...earlier.workloads } };
/** The workloads run by this invocation, for the README table at the end. */
const ran = [];
for (const name of Object.keys(SYSTEMS)) {
  const workload = WORKLOADS[name.split(' ')[0]];
  if (only.length && !only.includes(name) && !only.includes(name.split(' ')[0])) continue;
  const weights = weightCount(workload.sizes);
  const loadBefore = load();
  console.log(`\n${name}: ${workload.description}${name.endsWith('float64') ? ', in float64' : ''}, ${workload.samples.toLocaleString('en')} samples an epoch (numpy, PyTorch ×1 and backprop's BLAS rows alike; ${TORCH2_SAMPLES[name.split(' ')[0]] ? `PyTorch ×2 ${Number(TORCH2_SAMPLES[name.split(' ')[0]]).toLocaleString('en')}, ` : ''}slow systems fewer); best of ${ROUNDS} round${ROUNDS === 1 ? '' : 's'}; load average ${loadBefore.join(' ')}`);
  const systems = SYSTEMS[name].filter(([system, script]) => {
    if (TABLE_ONLY && !/^(backprop blas|numpy|pytorch)/.test(system)) return false;
    if (script === 'numpy' && !numpys.length) {
      console.log(`  ${system.padEnd(20)} skipped: no python3 with numpy (Debian: apt-get install python3-numpy python3-threadpoolctl)`);
      return false;
    }
    if (script === 'torch' && !torch) {
      console.log(`  ${system.padEnd(20)} skipped: no python3 with torch (Debian: apt-get install python3-torch python3-threadpoolctl)`);
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
        const row = { system, samplesPerSecond: r.samplesPerSecond, gflops: (6 * weights * r.samplesPerSecond) / 1e9, samples: r.samples, epochSeconds: r.epochSeconds,
          blas: r.blas ?? null, rounds: [...(best.get(system)?.rounds ?? []), r.samplesPerSecond] };
        if (!best.has(system) || r.samplesPerSecond > best.get(system).samplesPerSecond) best.set(system, row);
        else best.get(system).rounds = row.rounds;
      } catch (e) {
        console.log(`  ${system.padEnd(20)} failed: ${String(e.message).split('\n')[0]}`);
      }
    }
  }
  const loadAfter = load();
  const rows = systems.map(([system]) => best.get(system)).filter(Boolean);
  // Ours: the default backend (blas, threads timed per step) where it ran, else backprop's fastest row.
  const ours = rows.filter((r) => r.system.startsWith('backprop') && !(machineCore && r.system.endsWith(machineCore)));
  const top = rows.find((r) => r.system === 'backprop blas') ?? ours.reduce((a, b) => (b.samplesPerSecond > a.samplesPerSecond ? b : a), ours[0]);
  console.log(`  ${'system'.padEnd(26)}${'samples/s'.padStart(12)}${'GFLOP/s'.padStart(10)}   ${(top ? `${top.system} ÷ this` : '').padEnd(28)}rounds; BLAS and threads`);
  for (const r of rows) {
    const ratio = top && !ours.includes(r) ? `${(top.samplesPerSecond / r.samplesPerSecond).toFixed(2)}×` : '';
    r.bestBackpropRatio = top ? top.samplesPerSecond / r.samplesPerSecond : null;
    console.log(`  ${r.system.padEnd(26)}${r.samplesPerSecond.toFixed(0).padStart(12)}${r.gflops.toFixed(2).padStart(10)}   ${ratio.padEnd(28)}${r.rounds.map((v) => v.toFixed(0)).join(', ')}${r.blas ? `; ${r.blas}` : ''}`);
  }
  const peers = rows.filter((r) => /^(numpy|pytorch)/.test(r.system));
  const bestPeer = peers.reduce((a, b) => (!a || b.samplesPerSecond > a.samplesPerSecond ? b : a), null);
  if (top && bestPeer) console.log(`  ${top.system} ÷ the best of numpy and PyTorch (${bestPeer.system}): ${(top.samplesPerSecond / bestPeer.samplesPerSecond).toFixed(2)}×; load average after ${loadAfter.join(' ')}`);
  results.workloads[name] = { description: workload.description + (name.endsWith('float64') ? ', float64' : ''), weights, rounds: ROUNDS, busy: BUSY, load: { before: loadBefore, after: loadAfter }, rows };
  ran.push(name);
}

if (!only.length || only.includes('profile')) {
  // One W1 batch with the blas backend: threads timed per step, pinned to one, pinned to two; each the fastest of its rounds.
  console.log('\nprofile of one W1 batch (blas backend), microseconds: products, row gather, element-wise kernels, JavaScript between calls');
  const profile = {};
  for (let round = 0; round < ROUNDS; round++) {
    for (const threads of ['auto', '1', '2']) {
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
    console.log(`  ${r.backend.padEnd(52)} total ${p.total.toFixed(0)}: products ${share(p.products)}, gather ${share(p.gather)}, ` +
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
  for (const [system, args] of [['backprop blas', ['blas']], ['backprop wasm ×2', ['wasm2']], ['backprop reference', ['reference']], ['tfjs wasm', ['tfjs-wasm']]]) {
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

if (!only.length || only.includes('predict')) {
  // Prediction in fixed blocks (a row's outputs the same whatever shares its batch) against one product of every
  // row (before): rows per second by block size, and one row's time, each backend in its own process.
  console.log('\npredict: rows/s by block size (96: what predict uses; whole: one product of every row, as before); one row alone, µs');
  const predict = {};
  for (const [system, args] of [['blas ×1', ['blas1']], ['blas ×2', ['blas2']], ['wasm ×1', ['wasm1']], ['blas ×1 float64', ['blas1', 'float64']], ['reference', ['reference']]]) {
    try {
      const r = JSON.parse(execFileSync(process.execPath, [`${here}systems/predict.mjs`, ...args], { env: benchEnvironment(), encoding: 'utf8' }).trim().split('\n').pop());
      predict[system] = r;
      for (const n of r.networks) {
        const p = n.rowsPerSecond, k = (v) => `${(v / 1000).toFixed(v < 10_000 ? 1 : 0)}k`.padStart(7);
        console.log(`  ${system.padEnd(16)} ${n.name.padEnd(15)} whole ${k(p.whole)}  24 ${k(p[24])}  48 ${k(p[48])}  96 ${k(p[96])} (${(p[96] / p.whole).toFixed(2)}× whole)  192 ${k(p[192])}` +
          `   one row: ${n.oneRowMicroseconds.block.toFixed(0)} µs in a block, ${n.oneRowMicroseconds.alone.toFixed(0)} µs alone`);
      }
    } catch (e) {
      console.log(`  ${system.padEnd(16)} failed: ${String(e.message).split('\n')[0]}`);
    }
  }
  results.predict = predict;
}

if (!only.length || only.includes('memory')) {
  const m = JSON.parse(execFileSync(process.execPath, [`${here}systems/memory.mjs`], { encoding: 'utf8' }).trim().split('\n').pop());
  const mb = (b) => `${(b / 1048576).toFixed(1)} MiB`;
  console.log(`\nmemory on W1 (${m.backend}): heap ${mb(m.epoch5.heap)} after epoch 5, ${mb(m.epoch20.heap)} after epoch 20 (${(100 * m.heapChange).toFixed(1)}%); ` +
    `RSS ${mb(m.epoch5.rss)} → ${mb(m.epoch20.rss)} (${(100 * m.rssChange).toFixed(1)}%)`);
  results.memory = m;
}

if (!only.length || only.includes('data')) results.data = await dataSection();

if (ran.length) {
  // The README's table: backprop's default and each peer, the best numpy and PyTorch row named, ratios to backprop.
  const fmt = (v) => Math.round(v).toLocaleString('en');
  console.log(`\nREADME table (${results.machine.date}, ${cpus().length} cores, ${cpus()[0]?.model}, Node ${process.version}${BUSY ? `, ${BUSY} core${BUSY === 1 ? '' : 's'} busy (--busy ${BUSY})` : ''}; best of ${ROUNDS} alternating rounds):\n`);
  console.log('| workload | load average | backprop (blas, timed threads) | blas ×1 | blas ×2 | best numpy | PyTorch ×1 | PyTorch ×2 | ÷ best of numpy and PyTorch |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const name of ran) {
    const w = results.workloads[name], row = (system) => w.rows.find((r) => r.system === system);
    const ours = row('backprop blas');
    const numpy = w.rows.filter((r) => r.system.startsWith('numpy')).reduce((a, b) => (!a || b.samplesPerSecond > a.samplesPerSecond ? b : a), null);
    const cell = (r, withBlas = true) => (r ? `${fmt(r.samplesPerSecond)}${withBlas && r.blas ? ` (${r.system.startsWith('numpy') ? r.system + ', ' : ''}${r.blas.replace(' (threadpoolctl)', '')})` : ''}` : '–');
    const peers = [numpy, row('pytorch ×1'), row('pytorch ×2')].filter(Boolean);
    const bestPeer = peers.reduce((a, b) => (!a || b.samplesPerSecond > a.samplesPerSecond ? b : a), null);
    const ratio = ours && bestPeer ? `**${(ours.samplesPerSecond / bestPeer.samplesPerSecond).toFixed(2)}×** (${bestPeer.system})` : '–';
    console.log(`| ${name} | ${w.load.before[0]} → ${w.load.after[0]} | ${cell(ours)} | ${cell(row('backprop blas ×1'), false)} | ${cell(row('backprop blas ×2'), false)} | ${cell(numpy)} | ${cell(row('pytorch ×1'))} | ${cell(row('pytorch ×2'), false)} | ${ratio} |`);
  }
}

writeFileSync(`${here}results.json`, JSON.stringify(results, null, 2) + '\n');
console.log(`\nwritten to bench/results.json`);
// The spinners of --busy are child processes, which keep the event loop alive: stop them, or the run never ends
// (and a core stays busy for whatever runs after it).
stopSpinners();
