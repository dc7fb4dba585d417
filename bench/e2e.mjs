// The end-to-end section of npm run bench (`npm run bench -- e2e`): the whole job, each system as a whole process, on a
// generated table of 100,000 rows and then 1,000,000 (16 numeric columns on different scales, 2 text columns, 3
// classes; the generator is below, seeded, written to a temporary folder and never committed):
//   backprop train FILE --epochs 10 --bagging 1 --bins 0
//                                                   one network as the peers train it (one hidden layer of 100 relu
//                                                   units, Adam, batch 32, 20% held out): the defaults' five bagged
//                                                   networks over binned inputs would be another model than theirs
//   pandas + scikit-learn (e2e_sklearn.py)          ColumnTransformer(StandardScaler, OneHotEncoder) + MLPClassifier,
//                                                   the same network, batch, η, L2 penalty and epochs
//   a plain PyTorch script (e2e_torch.py)           pandas, one-hot, standardize, the same MLP, Adam, batch 32
// Each reports its accuracy on its 20% held out. Wall time and peak memory (maximum resident set) come from
// /usr/bin/time around each process; rounds alternate between the systems and each system's best wall time is kept
// (peak memory: the largest of its rounds). Every process runs with the machine's OPENBLAS_CORETYPE and
// OPENBLAS_L2_SIZE removed, so that every system that multiplies through OpenBLAS gets the same kernels.
// Python peers use Debian's /usr/bin/python3 (apt-get install python3-sklearn python3-pandas python3-torch); a
// missing one is skipped with a note. `npm run bench -- e2e` runs both sizes; e2e-100k or e2e-1m runs one.
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generator } from './workloads.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = fileURLToPath(new URL('..', import.meta.url));

const REGIONS = ['north', 'south', 'east', 'west', 'centre', 'coast', 'hills', 'lakes', 'plains', 'islands', 'valley', 'delta'];
const CHANNELS = ['web', 'store', 'phone', 'partner', 'mail'];
const CLASSES = ['low', 'mid', 'high'];

/**
 * Writes `rows` rows: n1..n16 (standard normals z, each shifted and scaled differently), region and channel (text), and
 * label, the class with the largest score: a linear part, two products, a sine and a step, each class's effect of
 * region and channel, and noise enough that about 83% is the best a model gets.
 */
export async function writeTable(path, rows, seed = 7) {
  const random = generator(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const weights = CLASSES.map(() => Array.from({ length: 16 }, () => (random() < 0.5 ? 0 : normal() * 0.6)));
  const regionEffect = REGIONS.map(() => CLASSES.map(() => normal() * 0.8));
  const channelEffect = CHANNELS.map(() => CLASSES.map(() => normal() * 0.6));
  const out = createWriteStream(path);
  out.write(`${Array.from({ length: 16 }, (_, j) => `n${j + 1}`).join(',')},region,channel,label\n`);
  let text = '';
  const z = new Float64Array(16);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < 16; j++) z[j] = normal();
    const region = Math.floor(random() * REGIONS.length), channel = Math.floor(random() * CHANNELS.length);
    let best = 0, bestScore = -Infinity;
    for (let c = 0; c < 3; c++) {
      let s = regionEffect[region][c] + channelEffect[channel][c] + 0.9 * normal();
      for (let j = 0; j < 16; j++) s += weights[c][j] * z[j];
      if (c === 0) s += 0.8 * z[0] * z[1] + 0.6 * Math.sin(2 * z[2]);
      if (c === 1) s += 0.7 * z[3] * z[4] + (z[5] > 0.5 ? 0.8 : 0);
      if (s > bestScore) (bestScore = s), (best = c);
    }
    for (let j = 0; j < 16; j++) text += (100 * (j - 8) + (1 + j * j) * z[j]).toFixed(4) + ',';
    text += `${REGIONS[region]},${CHANNELS[channel]},${CLASSES[best]}\n`;
    if (text.length > 1 << 20) {
      if (!out.write(text)) await new Promise((resolve) => out.once('drain', resolve));
      text = '';
    }
  }
  out.end(text);
  await new Promise((resolve) => out.once('finish', resolve));
}

/** The environment of every process here: the machine's OpenBLAS core settings removed, for every system alike. */
function environment() {
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  return env;
}

const hasTime = existsSync('/usr/bin/time');

/** Runs a command as a whole process: wall seconds, peak RSS in bytes (from /usr/bin/time), and its last JSON line. */
function measure(command, args, cwd) {
  const start = performance.now();
  const r = hasTime
    ? spawnSync('/usr/bin/time', ['-f', 'TIME %e %M', command, ...args], { cwd, env: environment(), encoding: 'utf8', maxBuffer: 1 << 26 })
    : spawnSync(command, args, { cwd, env: environment(), encoding: 'utf8', maxBuffer: 1 << 26 });
  const wall = (performance.now() - start) / 1000;
  if (r.status !== 0) throw new Error(`exit ${r.status}: ${(r.stderr || '').trim().split('\n').slice(-2).join(' ')}`);
  const timeLine = hasTime ? r.stderr.trim().split('\n').reverse().find((l) => l.startsWith('TIME ')) : null;
  const [, elapsed, kb] = timeLine ? timeLine.split(' ') : [];
  const json = JSON.parse(r.stdout.trim().split('\n').pop());
  return { seconds: timeLine ? Number(elapsed) : wall, peakBytes: timeLine ? Number(kb) * 1024 : null, json };
}

function pythonWith(modules) {
  return ['/usr/bin/python3'].find((p) => spawnSync(p, ['-c', `import ${modules}`], { stdio: 'ignore' }).status === 0) ?? null;
}

/** One table size: every system, `rounds` alternating rounds. */
async function size(rows, rounds, dir) {
  const file = join(dir, `table-${rows}.csv`);
  await writeTable(file, rows);
  const mb = (b) => (b / 1048576).toFixed(0);
  const loadBefore = loadavg().map((v) => v.toFixed(2));
  console.log(`\nend to end, ${rows.toLocaleString('en')} rows (${mb(statSync(file).size)} MB CSV: 16 numeric, 2 text columns, 3 classes), 10 epochs, ` +
    `best of ${rounds} alternating rounds; load average ${loadBefore.join(' ')}`);
  const sklearn = pythonWith('sklearn, pandas');
  const torch = pythonWith('torch, pandas');
  const systems = [
    ['backprop train', process.execPath, [join(root, 'dist/cli/main.js'), 'train', file, '--epochs', '10', '--bagging', '1', '--bins', '0', '--json'], (j) => j.metrics.validation.accuracy],
    ...(sklearn ? [['scikit-learn', sklearn, [join(here, 'e2e_sklearn.py'), file, '10'], (j) => j.accuracy]] : []),
    ...(torch ? [['pytorch (1 thread)', torch, [join(here, 'e2e_torch.py'), file, '10', '1'], (j) => j.accuracy]] : []),
  ];
  if (!sklearn) console.log('  scikit-learn          skipped: no /usr/bin/python3 with sklearn and pandas (Debian: apt-get install python3-sklearn python3-pandas)');
  if (!torch) console.log('  pytorch               skipped: no /usr/bin/python3 with torch and pandas (Debian: apt-get install python3-torch python3-pandas)');
  if (!hasTime) console.log('  (no /usr/bin/time: wall time measured here, peak memory not known)');
  const best = {};
  for (let round = 0; round < rounds; round++) {
    for (const [name, command, args, accuracy] of systems) {
      try {
        const r = measure(command, args, dir);
        const b = best[name];
        const peak = Math.max(b?.peakBytes ?? 0, r.peakBytes ?? 0) || null;
        if (!b || r.seconds < b.seconds) best[name] = { seconds: r.seconds, peakBytes: peak, accuracy: accuracy(r.json) };
        else b.peakBytes = peak;
      } catch (e) {
        console.log(`  ${name.padEnd(20)} failed: ${String(e.message).split('\n')[0]}`);
      }
    }
  }
  const ours = best['backprop train'];
  console.log(`  ${'system'.padEnd(20)}${'wall s'.padStart(9)}${'peak MB'.padStart(9)}${'accuracy'.padStart(10)}   ${ours ? 'its wall ÷ backprop\'s' : ''}`);
  for (const [name, r] of Object.entries(best)) {
    const ratio = ours && name !== 'backprop train' ? `${(r.seconds / ours.seconds).toFixed(2)}×` : '';
    console.log(`  ${name.padEnd(20)}${r.seconds.toFixed(2).padStart(9)}${(r.peakBytes ? mb(r.peakBytes) : '?').padStart(9)}${((100 * r.accuracy).toFixed(1) + '%').padStart(10)}   ${ratio}`);
  }
  const loadAfter = loadavg().map((v) => v.toFixed(2));
  console.log(`  load average after ${loadAfter.join(' ')}`);
  const csvBytes = statSync(file).size;
  rmSync(file, { force: true });
  return { rows, rounds, csvBytes, systems: best, load: { before: loadBefore, after: loadAfter } };
}

/** `sizes`: which table sizes to run (100000, 1000000); rounds per size. */
export async function e2eSection(sizes = [100_000, 1_000_000], rounds = 3) {
  const base = join(tmpdir(), 'backprop-bench');
  mkdirSync(base, { recursive: true });
  const dir = mkdtempSync(join(base, 'e2e-'));
  try {
    const result = {};
    for (const rows of sizes) result[rows] = await size(rows, rounds, dir);
    // The README's table.
    console.log('\nREADME table:\n\n| rows | load average | system | wall s | peak MB | held-out accuracy | its wall ÷ backprop\'s |\n| --- | --- | --- | --- | --- | --- | --- |');
    for (const r of Object.values(result)) {
      const ours = r.systems['backprop train'];
      for (const [name, s] of Object.entries(r.systems)) {
        const ratio = ours && name !== 'backprop train' ? `${(s.seconds / ours.seconds).toFixed(2)}×` : '';
        console.log(`| ${r.rows.toLocaleString('en')} (${(r.csvBytes / 1048576).toFixed(0)} MB) | ${r.load.before[0]} → ${r.load.after[0]} | ${name} | ${s.seconds.toFixed(2)} | ` +
          `${s.peakBytes ? (s.peakBytes / 1048576).toFixed(0) : '?'} | ${(100 * s.accuracy).toFixed(1)}% | ${ratio} |`);
      }
    }
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
