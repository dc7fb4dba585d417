// The defaults' laboratory (issue 34): candidate training rules tried on the tuning part of the collection only
// (test/fixtures/defaults/heldout.json names the parts set aside, heldout, heldout2 and heldout3; this script refuses them
// unless --final is given).
// Each rule is a small object (scaling, members, layers, optimizer constants, label smoothing, ...) run on the
// library's lower layers on the same splits as the baselines of defaults.json; results are cached by the rule's
// definition in bench/defaults-lab-results.json, so reruns only train what is new.
//   node bench/defaults-lab.mjs --rules a,b [--tables x,y] [--small] [--final]
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  chooseKernels, decodeValues, defaultEpochs, defaultL2, defaultPatience, describeFrame, encodeFrameInputs, encodeFrameTargets,
  fitAsync, fitFramePreprocessing, LossStop, Network, regressionScores, stratifiedFolds, sumOfSquaredWeights,
} from '../dist/index.js';
import { readTable } from '../dist/node/index.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const fixture = JSON.parse(readFileSync(join(root, 'test/fixtures/defaults/defaults.json'), 'utf8'));
// Splits of tables whose baselines are not recorded yet (the same train_test_split calls), when a file gives them.
const extra = process.env.SPLITS ? JSON.parse(readFileSync(process.env.SPLITS, 'utf8')) : {};
for (const [name, d] of Object.entries(extra)) fixture.datasets[name] ??= d;
const draw = JSON.parse(readFileSync(join(root, 'test/fixtures/defaults/heldout.json'), 'utf8'));
const cachePath = join(root, 'bench/defaults-lab-results.json');
const cache = existsSync(cachePath) ? JSON.parse(readFileSync(cachePath, 'utf8')) : {};

/** The rules tried. Anything left out takes BASE's value. */
const BASE = { scale: 'standard', members: 1, validation: 0, layers: [100], lr: 0.001, beta2: 0.999, smoothing: 0, l2: 'default', batch: 32, dropout: 0, pick: 'loss', clip: 0 };
export const RULES = {
  // Issue 26's defaults as the old bench ran them (validation 0: the training loss's stop, last epoch kept).
  v0: {},
  // train()'s defaults: a fifth held out, the best epoch by its loss kept.
  v0val: { validation: 0.2 },
  bag5: { members: 5 },
  'bag5 robust': { members: 5, scale: 'robust' },
  'bag5 robust b2': { members: 5, scale: 'robust', beta2: 0.95 },
  'bag5 robust b2 ls': { members: 5, scale: 'robust', beta2: 0.95, smoothing: 0.1 },
  'bag5 robust b2 ls l2=0': { members: 5, scale: 'robust', beta2: 0.95, smoothing: 0.1, l2: 0 },
  'bag5 robust b2 ls 256x2': { members: 5, scale: 'robust', beta2: 0.95, smoothing: 0.1, layers: [256, 256] },
  'bag5 robust b2 ls lr3': { members: 5, scale: 'robust', beta2: 0.95, smoothing: 0.1, lr: 0.003 },
  'bag5 robust b2 ls acc': { members: 5, scale: 'robust', beta2: 0.95, smoothing: 0.1, pick: 'accuracy' },
  'bag5 robust b2 ls b64': { members: 5, scale: 'robust', beta2: 0.95, smoothing: 0.1, batch: 64 },
  'bag5 robust b2 ls d15': { members: 5, scale: 'robust', beta2: 0.95, smoothing: 0.1, dropout: 0.15 },
  'v0 ple16': { scale: 'ple16' },
  'bag5 ple8': { members: 5, scale: 'ple8' },
  'bag5 ple16': { members: 5, scale: 'ple16' },
  'bag5 ple16 b2': { members: 5, scale: 'ple16', beta2: 0.95 },
  'bag5 ple32': { members: 5, scale: 'ple32' },
  'bag5 ple16 ls': { members: 5, scale: 'ple16', smoothing: 0.1 },
  'bag5 ple16 b2 ls': { members: 5, scale: 'ple16', beta2: 0.95, smoothing: 0.1 },
  'bag5 ple16 l2=0': { members: 5, scale: 'ple16', l2: 0 },
  'bag5 ple16 lr3': { members: 5, scale: 'ple16', lr: 0.003 },
  'bag5 ple16 acc': { members: 5, scale: 'ple16', pick: 'accuracy' },
  'bag5 ple16 b64': { members: 5, scale: 'ple16', batch: 64 },
  'bag5 ple16 256': { members: 5, scale: 'ple16', layers: [256] },
  'bag5 ple16 d15': { members: 5, scale: 'ple16', dropout: 0.15 },
  'bag3 ple16': { members: 3, scale: 'ple16' },
  'final': { members: 5, scale: 'ple16', l2: 'final' },
  'final raw': { members: 5, scale: 'ple16raw', l2: 'final', patienceSteps: 100 },
  'final p100': { members: 5, scale: 'ple16', l2: 'final', patienceSteps: 100 },
  'final p200': { members: 5, scale: 'ple16', l2: 'final', patienceSteps: 200 },
  'bag5 ple16 b128': { members: 5, scale: 'ple16', batch: 128 },
  'bag5 ple16 b128 lr2': { members: 5, scale: 'ple16', batch: 128, lr: 0.002 },
  'bag3 robust b2 ls': { members: 3, scale: 'robust', beta2: 0.95, smoothing: 0.1 },
  // Second round (after the first held-out part had been seen; a fresh one, heldout2, set aside first).
  // 'final p100' is the library's rule; n1: bins per column at most rows / numeric columns (none below 2).
  'final p100 n1': { members: 5, scale: 'ple16n1', l2: 'final', patienceSteps: 100 },
  'final p100 n2': { members: 5, scale: 'ple16n2', l2: 'final', patienceSteps: 100 },
  'final p100 n1 raw': { members: 5, scale: 'ple16n1raw', l2: 'final', patienceSteps: 100 },
  'final p100 l2': { members: 5, scale: 'ple16', l2: 'default', patienceSteps: 100 },
  'final p100 b128': { members: 5, scale: 'ple16', l2: 'final', patienceSteps: 100, batch: 128 },
  'final p100 b2': { members: 5, scale: 'ple16', l2: 'final', patienceSteps: 100, beta2: 0.95 },
  // auto<d>: a batch of 2^⌊log2(n / d)⌋ rows, from 32 to 512 (about d batches an epoch on large tables).
  'final p100 auto128': { members: 5, scale: 'ple16', l2: 'final', patienceSteps: 100, batch: 'auto128' },
  // mix: networks 2 and 4 read the standardized values, the others their bins (averaged logits, as one merged network).
  'final p100 mix': { members: 5, scale: 'ple16mix', l2: 'final', patienceSteps: 100 },
  'final p100 mix n1': { members: 5, scale: 'ple16mixn1', l2: 'final', patienceSteps: 100 },
  'final p100 mix n1 raw': { members: 5, scale: 'ple16mixn1raw', l2: 'final', patienceSteps: 100 },
  'final p100 plain': { members: 5, scale: 'standard', l2: 'final', patienceSteps: 100 },
  'final p100 auto256': { members: 5, scale: 'ple16', l2: 'final', patienceSteps: 100, batch: 'auto256' },
  // Fifth round: refit, each network trained again from its start on all the training rows for as many epochs as
  // its fold's best (the fold only chooses the length).
  'final p100 mix refit': { members: 5, scale: 'ple16mix', l2: 'final', patienceSteps: 100, refit: true },
  'final p100 plain refit': { members: 5, scale: 'standard', l2: 'final', patienceSteps: 100, refit: true },
  // Sixth round: the second round runs longer than the fold's best epoch (it has a quarter more rows; a best epoch
  // read on a few dozen held-out rows is early more often than late).
  'final p100 mix refit e125': { members: 5, scale: 'ple16mix', l2: 'final', patienceSteps: 100, refit: true, refitEpochs: 1.25 },
  'final p100 mix refit r2': { members: 5, scale: 'ple16mix', l2: 'final', patienceSteps: 100, refit: true, repeats: 2 },
  'final p100 mix refit e150': { members: 5, scale: 'ple16mix', l2: 'final', patienceSteps: 100, refit: true, refitEpochs: 1.5 },
};

const args = process.argv.slice(2);
const opt = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args.splice(i, 2)[1] : undefined;
};
const flag = (name) => {
  const i = args.indexOf(name);
  if (i >= 0) args.splice(i, 1);
  return i >= 0;
};
const final = flag('--final'), small = flag('--small');
// --splits N: only the first N splits of each table (a quicker look at larger tables).
const splitLimit = Number(opt('--splits') ?? Infinity);
const rules = (opt('--rules') ?? 'v0').split(',');
for (const r of rules) if (!RULES[r]) throw new Error(`no rule ${r}`);
let tables = opt('--tables')?.split(',') ?? (final ? draw.collection : draw.tuning);
const aside = [...draw.heldout, ...(draw.heldout2 ?? []), ...(draw.heldout3 ?? [])];
if (!final && tables.some((t) => aside.includes(t))) throw new Error('held-out tables are run only with --final');
tables = tables.filter((t) => fixture.datasets[t] && (!small || fixture.datasets[t].rows <= 10000));
const kernels = await chooseKernels('auto');

/** Robust scaling with smooth clipping (RealMLP's preprocessing, as published): z = (x − median)·s with
 * s = 1/(q₃ − q₁), or 2/(max − min) where the quartiles coincide, then z / √(1 + (z/3)²). Applied to the standardized
 * columns (quantiles follow any increasing affine map, so this equals doing it on the raw values). */
function robustColumns(prep, x, trainIdx) {
  let j = 0;
  const cols = [];
  for (const f of prep.features) {
    if (f.type === 'numeric') cols.push(j++);
    else j += f.categories.length;
  }
  const fitted = cols.map((c) => {
    const v = Float64Array.from(trainIdx, (r) => x.data[r * x.cols + c]).sort();
    const q = (p) => {
      const t = p * (v.length - 1), lo = Math.floor(t), hi = Math.ceil(t);
      return v[lo] + (v[hi] - v[lo]) * (t - lo);
    };
    const [q1, med, q3] = [q(0.25), q(0.5), q(0.75)];
    const s = q3 > q1 ? 1 / (q3 - q1) : v[v.length - 1] > v[0] ? 2 / (v[v.length - 1] - v[0]) : 1;
    return { c, med, s };
  });
  for (let r = 0; r < x.rows; r++) {
    for (const { c, med, s } of fitted) {
      const z = (x.data[r * x.cols + c] - med) * s;
      x.data[r * x.cols + c] = z / Math.sqrt(1 + (z / 3) ** 2);
    }
  }
}

/** Piecewise-linear encoding of each numeric column (Gorishniy et al. 2022, as published): edges at the training
 * rows' quantiles b₀ < … < b_T; value t is (x − b_{t−1})/(b_t − b_{t−1}) clipped to [0, 1], the first bin not clipped
 * below and the last not above. Text columns' one-hot passes through. Returns a new, wider matrix. */
function pleColumns(prep, x, trainCount, bins, raw = false, perRows = 0) {
  const plan = [];
  // n<k>: at most trainCount / (k · numeric columns) bins a column, none below 2.
  if (perRows) {
    const numeric = prep.features.filter((f) => f.type === 'numeric').length;
    bins = Math.min(bins, Math.floor(trainCount / (perRows * Math.max(1, numeric))));
    if (bins < 2) bins = 1;
  }
  let j = 0;
  for (const f of prep.features) {
    if (f.type === 'numeric') {
      const v = Float64Array.from({ length: trainCount }, (_, r) => x.data[r * x.cols + j]).sort();
      const edges = [];
      for (let t = 0; t <= bins; t++) {
        const e = v[Math.round((t / bins) * (v.length - 1))];
        if (!edges.length || e > edges[edges.length - 1]) edges.push(e);
      }
      plan.push(edges.length >= 3 ? { c: j, edges } : { c: j, edges: null });
      j++;
    } else {
      plan.push({ c: j, width: f.categories.length });
      j += f.categories.length;
    }
  }
  const width = plan.reduce((w, p) => w + (p.width ?? (p.edges ? p.edges.length - 1 + (raw ? 1 : 0) : 1)), 0);
  const out = { rows: x.rows, cols: width, data: new Float32Array(x.rows * width) };
  for (let r = 0; r < x.rows; r++) {
    let o = r * width;
    for (const p of plan) {
      if (p.width) {
        for (let q = 0; q < p.width; q++) out.data[o++] = x.data[r * x.cols + p.c + q];
      } else if (!p.edges) out.data[o++] = x.data[r * x.cols + p.c];
      else {
        const v = x.data[r * x.cols + p.c], e = p.edges, T = e.length - 1;
        if (raw) out.data[o++] = v;
        for (let t = 1; t <= T; t++) {
          let z = (v - e[t - 1]) / (e[t] - e[t - 1]);
          if (t > 1) z = Math.max(0, z);
          if (t < T) z = Math.min(1, z);
          out.data[o++] = z;
        }
      }
    }
  }
  return out;
}

function take(m, rows) {
  const out = { rows: rows.length, cols: m.cols, data: new Float32Array(rows.length * m.cols) };
  rows.forEach((r, i) => out.data.set(m.data.subarray(r * m.cols, (r + 1) * m.cols), i * m.cols));
  return out;
}

/** Logits (or values) averaged over members: log p for softmax, log p/(1−p) for one sigmoid output. */
function toLogits(p, kind) {
  const out = new Float64Array(p.data.length);
  for (let i = 0; i < out.length; i++) {
    const v = Math.min(Math.max(p.data[i], 1e-12), 1 - 1e-12);
    out[i] = kind === 'softmax' ? Math.log(v) : kind === 'sigmoid' ? Math.log(v / (1 - v)) : p.data[i];
  }
  return out;
}

async function runSplit(name, d, frame, description, split, rule) {
  const inTest = new Set(d.splits[split]);
  const trainRows = Uint32Array.from({ length: frame.rows }, (_, i) => i).filter((i) => !inTest.has(i));
  const testRows = Uint32Array.from(d.splits[split]);
  const start = performance.now();
  const prep = fitFramePreprocessing(description, frame, trainRows);
  let x = encodeFrameInputs(prep, frame, 'float32', trainRows);
  const yEnc = encodeFrameTargets(prep, frame, 'float32', trainRows);
  let xTest = encodeFrameInputs(prep, frame, 'float32', testRows);
  let plainX = null, plainTest = null;
  if (rule.scale.includes('mix')) {
    plainX = x;
    plainTest = xTest;
  }
  if (rule.scale.startsWith('ple')) {
    const both = { rows: x.rows + xTest.rows, cols: x.cols, data: new Float32Array((x.rows + xTest.rows) * x.cols) };
    both.data.set(x.data);
    both.data.set(xTest.data, x.data.length);
    const wide = pleColumns(prep, both, x.rows, parseInt(rule.scale.slice(3)), rule.scale.endsWith('raw'), Number(/n(\d+)/.exec(rule.scale)?.[1] ?? 0));
    x = { rows: x.rows, cols: wide.cols, data: wide.data.slice(0, x.rows * wide.cols) };
    xTest = { rows: xTest.rows, cols: wide.cols, data: wide.data.slice(x.rows * wide.cols) };
  }
  if (rule.scale === 'robust') {
    // Fitted on the training rows, applied to both.
    const both = { rows: x.rows + xTest.rows, cols: x.cols, data: new Float32Array((x.rows + xTest.rows) * x.cols) };
    both.data.set(x.data);
    both.data.set(xTest.data, x.data.length);
    robustColumns(prep, both, Array.from({ length: x.rows }, (_, i) => i));
    x.data.set(both.data.subarray(0, x.data.length));
    xTest.data.set(both.data.subarray(x.data.length));
  }
  const classes = d.task === 'classification';
  const k = classes ? prep.target.classes.length : 1;
  const outKind = !classes ? 'linear' : k === 2 ? 'sigmoid' : 'softmax';
  // Label smoothing: targets (1 − ε)·y + ε/K (K = 2 for one sigmoid output).
  let y = yEnc.y;
  if (classes && rule.smoothing > 0) {
    const K = k === 2 ? 2 : k;
    y = { ...y, data: y.data.map((v) => (1 - rule.smoothing) * v + rule.smoothing / K) };
  }
  // repeats: the folds drawn again with other seeds, a network per fold each time (network m keeps m's parity).
  const folds = rule.members > 1
    ? Array.from({ length: rule.repeats ?? 1 }, (_, r) => stratifiedFolds(trainRows.length, rule.members, { seed: 1 + r, stratify: classes ? yEnc.classIndex : undefined })).flat()
    : [rule.validation > 0 ? (() => {
      const f = stratifiedFolds(trainRows.length, Math.round(1 / rule.validation), { seed: 1, stratify: classes ? yEnc.classIndex : undefined });
      return f[0];
    })() : []];
  let sum = null;
  const epochs = [];
  for (const [m, held] of folds.entries()) {
    const heldSet = new Set(held);
    const fitIdx = Array.from({ length: trainRows.length }, (_, i) => i).filter((i) => !heldSet.has(i));
    const net = new Network({
      inputs: plainX && m % 2 === 1 ? plainX.cols : x.cols, layers: [...rule.layers.map((units) => ({ units, activation: 'relu' })), { units: classes && k > 2 ? k : 1, activation: outKind }],
      loss: classes ? (k === 2 ? 'binary-cross-entropy' : 'categorical-cross-entropy') : 'mse', seed: 1 + m,
    }, { kernels });
    const n = fitIdx.length;
    const batch = typeof rule.batch === 'string' ? Math.min(512, Math.max(32, 2 ** Math.floor(Math.log2(n / Number(rule.batch.slice(4)))))) : rule.batch;
    const l2 = rule.l2 === 'default' || (rule.l2 === 'final' && d.task === 'classification') ? defaultL2(n, 'adam', d.task, sumOfSquaredWeights(net.parameters)) : rule.l2 === 'final' ? 0 : rule.l2;
    const stop = new LossStop({ patience: rule.patienceSteps ? Math.max(10, Math.ceil(rule.patienceSteps / Math.ceil(n / batch))) : defaultPatience(n, batch) });
    const pickAccuracy = rule.pick === 'accuracy' && classes && held.length;
    let best = null;
    const accPick = pickAccuracy ? [{
      onEpochEnd: (logs, control) => {
        // Best epoch by validation accuracy, ties to the lower validation loss.
        if (!best || logs.valAccuracy > best.acc || (logs.valAccuracy === best.acc && logs.valLoss < best.loss)) {
          best = { acc: logs.valAccuracy, loss: logs.valLoss, weights: control.network.parameters.map((p) => p.value.data.slice()) };
        }
      },
    }] : [];
    // A mixed rule's odd-numbered networks (2, 4) read the standardized values instead of the bins.
    const plainMember = plainX && m % 2 === 1;
    const xm = plainMember ? plainX : x, xmTest = plainMember ? plainTest : xTest;
    const history = await fitAsync(net, take(xm, fitIdx), take(y, fitIdx), {
      epochs: defaultEpochs(n, batch), batchSize: batch, learningRate: rule.lr, seed: 1 + m,
      optimizer: { name: 'adam', beta2: rule.beta2 }, ...(l2 ? { l2 } : {}), ...(rule.dropout ? { dropout: rule.dropout } : {}),
      ...(rule.clip ? { clipNorm: rule.clip } : {}),
      ...(held.length ? { validationData: [take(xm, held), take(y, held)] } : {}),
      callbacks: [stop, ...accPick],
    });
    if (best) net.parameters.forEach((p, i) => p.value.data.set(best.weights[i]));
    epochs.push(history.epochs.length);
    let final = net;
    if (rule.refit && held.length) {
      // The same start (seed), all training rows, the fold's best epoch count.
      final = new Network(net.spec, { kernels });
      const all = Array.from({ length: trainRows.length }, (_, i) => i);
      await fitAsync(final, take(xm, all), take(y, all), {
        epochs: Math.max(1, Math.round(stop.bestEpoch * (rule.refitEpochs ?? 1))), batchSize: batch, learningRate: rule.lr, seed: 1 + m,
        optimizer: { name: 'adam', beta2: rule.beta2 }, ...(l2 ? { l2 } : {}), ...(rule.dropout ? { dropout: rule.dropout } : {}),
      });
    }
    const logits = toLogits(final.predict(xmTest), outKind);
    if (!sum) sum = logits;
    else for (let i = 0; i < sum.length; i++) sum[i] += logits[i];
  }
  const seconds = (performance.now() - start) / 1000;
  const M = folds.length;
  let score;
  if (classes) {
    const truth = encodeFrameTargets(prep, frame, 'float32', testRows).classIndex;
    let correct = 0;
    for (let i = 0; i < testRows.length; i++) {
      let cls;
      if (k === 2) cls = sum[i] > 0 ? 1 : 0;
      else {
        cls = 0;
        for (let c = 1; c < k; c++) if (sum[i * k + c] > sum[i * k + cls]) cls = c;
      }
      if (cls === truth[i]) correct++;
    }
    score = correct / testRows.length;
  } else {
    const pred = { rows: testRows.length, cols: 1, data: Float32Array.from(sum, (v) => v / M) };
    const yt = encodeFrameTargets(prep, frame, 'float32', testRows).y;
    score = regressionScores(decodeValues(prep, yt), decodeValues(prep, pred)).r2;
  }
  return { score, seconds, epochs };
}

for (const name of tables) {
  const d = fixture.datasets[name];
  let frame = null, description = null;
  for (const ruleName of rules) {
    const rule = { ...BASE, ...RULES[ruleName] };
    const key = JSON.stringify(rule);
    const entry = ((cache[name] ??= {})[key] ??= { rule: ruleName, splits: {} });
    entry.rule = ruleName;
    for (let s = 0; s < Math.min(d.splits.length, splitLimit); s++) {
      if (entry.splits[s]) continue;
      if (!frame) {
        try {
          frame = await readTable(join(root, d.file));
        } catch (e) {
          console.log(`${name}: ${e.message.split('\n')[0]} (skipped)`);
          break;
        }
        description = describeFrame(frame, undefined, d.task);
      }
      entry.splits[s] = await runSplit(name, d, frame, description, s, rule);
      writeFileSync(cachePath, JSON.stringify(cache) + '\n');
    }
    const done = Object.values(entry.splits).slice(0, Math.min(d.splits.length, splitLimit));
    if (!done.length) continue;
    const mean = (a) => a.reduce((p, q) => p + q, 0) / a.length;
    const sys = d.systems;
    console.log(`${name.padEnd(12)} ${ruleName.padEnd(26)} ${mean(done.map((r) => r.score)).toFixed(4)}  ${mean(done.map((r) => r.seconds)).toFixed(2)} s  epochs ${done.map((r) => r.epochs.join('/')).join(' ')}` +
      (sys ? `   | mlp ${sys.mlp.mean.toFixed(4)} hgb ${sys.hgb.mean.toFixed(4)} xgb ${sys.xgb.mean.toFixed(4)}` : ''));
  }
}
